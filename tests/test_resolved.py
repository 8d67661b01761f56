"""A converted model's re-run loads its tokenizer without transformers' Auto classes (and the torch they
import): the class AutoTokenizer chose, kept in the cache, builds the same tokenizer, on every family's
real file layout; a record that is stale, damaged or names another module is not used."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from helpers.models import loading
from helpers.models.families import family_of, home_spec
from helpers.models.locate import locate
from helpers.models.registry import MODEL_REGISTRY
from helpers.models.resolved import (CONFIG_VALUES, FOLDER, Resolved, folder_key, keep_resolved, read_resolved,
                                     resolution)
from helpers.models.standins import build_standin

SAMPLE = "Theo Nghị quyết số 68/NQ-CP, GDP của TP.HCM tăng 7,2% trong năm 2022 (UBND thành phố)."


def _same_tokenizer(a, b) -> None:
    assert type(a) is type(b)
    assert a.get_vocab() == b.get_vocab()
    assert a.all_special_tokens == b.all_special_tokens and a.special_tokens_map == b.special_tokens_map
    assert {k: repr(v) for k, v in a.init_kwargs.items()} == {k: repr(v) for k, v in b.init_kwargs.items()}
    ids = a(SAMPLE)["input_ids"]
    assert ids == b(SAMPLE)["input_ids"] and a.decode(ids) == b.decode(ids)
    target = "GDP rose 7.2% in 2022."  # a Marian model's target side has a SentencePiece model of its own
    assert a(text_target=target)["input_ids"] == b(text_target=target)["input_ids"]


@pytest.mark.parametrize("layout", ["stand-in", "hub cache"])
@pytest.mark.parametrize("key", sorted(MODEL_REGISTRY))
def test_the_kept_tokenizer_class_builds_what_autotokenizer_builds(key, layout, demo_cache, real_hub, monkeypatch):
    spec = home_spec(MODEL_REGISTRY[key])
    if layout == "stand-in":
        folder = build_standin(spec, family_of(spec).standin, demo_cache)
    else:  # the real repo's files (pytorch_model.bin, its tokenizer files), in the hub cache's snapshot
        monkeypatch.setenv("HF_HUB_CACHE", str(real_hub))
        folder = locate(spec).folder
    found = loading.Located(folder, "r", layout)
    auto = loading._tokenizer(spec, folder, found)
    config = loading._config_only(spec, folder).config
    kept = resolution(auto, config)
    assert kept.tokenizer_module.startswith("transformers.")
    _same_tokenizer(auto, loading._tokenizer(spec, folder, found, kept))
    values = loading._config_only(spec, folder, kept).config
    assert {n: getattr(values, n) for n in CONFIG_VALUES} == {n: getattr(config, n, None) for n in CONFIG_VALUES}


def test_a_re_run_on_a_converted_model_loads_it_without_torch_and_the_same(demo_cache, tmp_path):
    """Two processes, as two runs: the first resolves through the Auto classes and keeps the resolution;
    the second imports neither torch nor transformers' configuration code, and loads the same model."""
    cache = tmp_path / "cache"
    for made in ("standins", "ct2"):  # what earlier tests built, when they did: else the first process builds it
        if (demo_cache / made).is_dir():
            shutil.copytree(demo_cache / made, cache / made, symlinks=True)
    code = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from helpers.models.loading import load_model
        from helpers.models.registry import MODEL_REGISTRY
        found = {{}}
        for key in ("opus-mt", "distilbart", "mt5-xlsum"):
            loaded = load_model(MODEL_REGISTRY[key], "demo", Path({str(cache)!r}), "ctranslate2")
            ids = loaded.tokenizer({SAMPLE!r})["input_ids"]
            found[key] = [loaded.provenance(), type(loaded.tokenizer).__name__, ids, loaded.input_limit]
        print(json.dumps({{"torch": "torch" in sys.modules, "models": found}}))
    """)
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                      env={**__import__("os").environ, "HELPERS_CACHE": str(cache)}).stdout)
            for _ in range(2)]
    assert runs[0]["torch"] and not runs[1]["torch"]
    assert runs[0]["models"] == runs[1]["models"]
    assert len(list((cache / FOLDER).glob("*.json"))) == 3


def test_the_key_follows_what_the_auto_classes_read_and_not_the_weights(demo_cache, tmp_path):
    spec = MODEL_REGISTRY["opus-mt"]
    folder = tmp_path / "model"
    shutil.copytree(build_standin(spec, family_of(spec).standin, demo_cache), folder)
    key = folder_key(folder)
    (folder / "model.safetensors").write_bytes(b"other weights")
    assert folder_key(folder) == key
    settings = json.loads((folder / "tokenizer_config.json").read_text())
    (folder / "tokenizer_config.json").write_text(json.dumps({**settings, "model_max_length": 7}))
    assert folder_key(folder) != key


@pytest.mark.parametrize("record", [
    "not json",
    json.dumps({"tokenizer_module": "os", "tokenizer_class": "system", "config": dict.fromkeys(CONFIG_VALUES)}),
    json.dumps({"tokenizer_module": "transformers.models.marian.tokenization_marian",
                "tokenizer_class": "NoSuchTokenizer", "config": dict.fromkeys(CONFIG_VALUES)}),
    json.dumps({"tokenizer_module": "transformers.models.marian.tokenization_marian",
                "tokenizer_class": "MarianTokenizer", "config": {"model_type": "marian"}}),
    json.dumps(["a", "list"]),
])
def test_a_damaged_or_foreign_record_is_not_used(record, tmp_path):
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / "k.json").write_text(record)
    assert read_resolved("k", tmp_path) is None


def test_a_kept_record_reads_back(tmp_path):
    kept = Resolved("transformers.models.marian.tokenization_marian", "MarianTokenizer",
                    {"model_type": "marian", "max_position_embeddings": 512, "pad_token_id": 7})
    keep_resolved("k", tmp_path, kept)
    assert read_resolved("k", tmp_path) == kept
    assert read_resolved("other", tmp_path) is None
