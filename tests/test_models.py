"""The model layer: every family's demo model loads through the real loader, offline."""

from __future__ import annotations

import shutil
import time

import pytest
import torch

from helpers.config import MODEL_REGISTRY, ModelSpec
from helpers.models import ModelUnavailable, build_demo_model, load_model, load_real


@pytest.mark.parametrize("key", list(MODEL_REGISTRY))
def test_demo_model_of_every_family_loads_round_trips_and_generates(key, demo_cache, seed_reports, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = MODEL_REGISTRY[key]
    loaded = load_model(spec, "demo", demo_cache)
    assert loaded.demo and loaded.revision.startswith("demo-")
    assert type(loaded.model).__name__.lower().startswith(
        {"marian": "marian", "nllb": "m2m100", "m2m100": "m2m100", "mbart50": "mbart", "bart": "bart", "mt5": "mt5"}[spec.family]
    )
    tok = loaded.tokenizer
    from helpers.segment import report_sentences

    sentences = [s.text_vi for r in seed_reports.values() for s in report_sentences(r)]
    for text in sentences:
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text
    if spec.src_lang:  # the language code is a real token, not <unk>
        assert tok(sentences[0])["input_ids"][0] != tok.unk_token_id
    enc = tok(sentences[:2], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = loaded.model.generate(**enc, max_new_tokens=8, num_beams=2, **loaded.generate_kwargs())
    assert out.shape[0] == 2 and out.shape[1] > 1
    assert loaded.provenance()["demo"] is True


def test_demo_build_is_deterministic(tmp_path):
    spec = MODEL_REGISTRY["opus-mt"]
    a = build_demo_model(spec, tmp_path / "a")
    b = build_demo_model(spec, tmp_path / "b")
    assert (a / "DEMO_REVISION").read_text() == (b / "DEMO_REVISION").read_text()
    assert (a / "model.safetensors").exists() and not list(a.glob("*.bin"))


def test_model_in_a_local_folder_loads_as_real(tmp_path, demo_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = tmp_path / "my-marian"
    shutil.copytree(build_demo_model(MODEL_REGISTRY["opus-mt"], demo_cache), folder)
    spec = ModelSpec("local", str(folder), "marian", "translate")
    loaded = load_real(spec)
    assert not loaded.demo and loaded.location == str(folder)


def test_uncached_hub_id_offline_fails_fast_with_the_ways_out(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    spec = ModelSpec("x", "Helsinki-NLP/opus-mt-vi-en-not-cached", "marian", "translate")
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        load_model(spec, "real", tmp_path)
    assert time.perf_counter() - started < 30
    message = str(err.value)
    assert "Helsinki-NLP/opus-mt-vi-en-not-cached" in message
    assert "Hugging Face cache" in message and "MODELS=demo" in message and "download" in message


def test_auto_falls_back_to_demo_with_a_warning(monkeypatch, demo_cache):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.warns(UserWarning, match="DEMO model"):
        loaded = load_model(MODEL_REGISTRY["m2m100"], "auto", demo_cache / "auto-case")
    assert loaded.demo


@pytest.mark.parametrize("key, backend", [("opus-mt", "ctranslate2"), ("nllb", "ctranslate2"), ("distilbart", "transformers")])
def test_ctranslate2_backend_where_it_converts_else_transformers(key, backend, demo_cache, monkeypatch):
    from helpers.generation import generate

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = load_model(MODEL_REGISTRY[key], "demo", demo_cache, backend="ctranslate2")
    assert loaded.backend == backend and loaded.provenance()["backend"] == backend
    outputs = generate(loaded, ["Toàn cảnh Hội nghị", "Bộ trưởng Tô Lâm kết luận Hội nghị"], loaded.spec.generation)
    assert len(outputs) == 2 and all(isinstance(o, str) for o in outputs)


def test_forced_length_gives_outputs_of_that_length_on_both_backends(demo_cache):
    from dataclasses import replace

    from helpers.generation import generate

    spec = MODEL_REGISTRY["opus-mt"]
    settings = replace(spec.generation, max_new_tokens_ratio=1.0, max_new_tokens_extra=0, min_new_tokens_ratio=1.0,
                       no_repeat_ngram_size=0, repetition_penalty=1.0)
    text = "Đảng ủy Công an Trung ương tổ chức Hội nghị tổng kết công tác năm 2022."
    for backend in ("transformers", "ctranslate2"):
        loaded = load_model(spec, "demo", demo_cache, backend=backend)
        n_in = len(loaded.tokenizer(text)["input_ids"])
        (out,) = generate(loaded, [text], settings)
        n_out = len(loaded.tokenizer(text_target=out)["input_ids"]) if out else 0
        assert n_out >= n_in // 2, backend  # the output was forced long, not stopped at once


def test_ctranslate2_scores_only_target_pieces_when_target_spm_is_smaller(tmp_path, monkeypatch):
    """A Marian model whose target.spm holds fewer pieces than its joint vocabulary (as opus-mt's)
    gets a vocabulary map; the tiny demo (target.spm = source.spm) does not need one."""
    from dataclasses import replace

    from helpers.generation import generate, generate_batches
    from helpers.models import DemoShape, target_pieces

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    base = MODEL_REGISTRY["opus-mt"]
    folder = build_demo_model(base, tmp_path, shape=DemoShape(extra_vocab=3000, target_vocab=2000, tag="vmap-test"))
    spec = replace(base, key="opus-mt-vmap", source=str(folder))
    loaded = load_model(spec, "real", tmp_path, backend="ctranslate2")
    pieces = target_pieces(loaded.tokenizer)
    assert loaded.vmap and loaded.provenance()["output_vocabulary"] == "target pieces"
    assert 2000 <= len(pieces) < len(loaded.tokenizer) - 900  # the source-only fillers are left out
    texts = ["Toàn cảnh Hội nghị", "Bộ trưởng Tô Lâm kết luận Hội nghị", "Đảng ủy Công an Trung ương"]
    sources = [loaded.tokenizer.convert_ids_to_tokens(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
    results = loaded.engine.translate_batch(sources, beam_size=2, max_decoding_length=12, min_decoding_length=12,
                                            use_vmap=True)
    emitted = {t for r in results for t in r.hypotheses[0]}
    assert emitted and emitted <= set(pieces)
    unrestricted = loaded.engine.translate_batch(sources, beam_size=2, max_decoding_length=12, min_decoding_length=12)
    assert {t for r in unrestricted for t in r.hypotheses[0]} - set(pieces)  # random weights do pick fillers
    batches = [texts[:1], texts[1:], *([t] for t in texts), texts]  # more than the batches queued ahead
    assert list(generate_batches(loaded, batches, spec.generation)) == [generate(loaded, b, spec.generation) for b in batches]
    tiny = load_model(base, "demo", tmp_path, backend="ctranslate2")
    assert not tiny.vmap and tiny.provenance()["output_vocabulary"] == "full"
    from helpers.translate import memory_for

    assert memory_for(loaded, tmp_path / "a.sqlite").settings["output_vocabulary"] == "target pieces"
    assert "output_vocabulary" not in memory_for(tiny, tmp_path / "b.sqlite").settings
