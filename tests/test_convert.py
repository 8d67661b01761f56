"""The CTranslate2 conversion: the streamed int8 step writes CTranslate2's own files, large models
convert in a child process (the run never loads their fp32 weights), and a child that dies leaves
the model on transformers with one line naming it."""

from __future__ import annotations

import filecmp

import pytest
import torch

from helpers.models import convert, loading
from helpers.models.loaded import WeightsReleased
from helpers.models.loading import load_model
from helpers.models.registry import MODEL_REGISTRY


def _files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _same_folders(a, b) -> bool:
    return _files(a) == _files(b) and all(filecmp.cmp(a / n, b / n, shallow=False) for n in _files(a))


@pytest.mark.parametrize("key", sorted(MODEL_REGISTRY))
def test_the_streamed_conversion_writes_ctranslate2s_own_files_and_leaves_the_weights_alone(key, demo_cache, tmp_path):
    """Byte for byte what CTranslate2's `Converter.convert(quantization="int8")` writes (its own
    optimize quantizes the loaded weights in place: ours only reads them)."""
    spec = MODEL_REGISTRY[key]
    ours = loading.load_demo(spec, demo_cache)
    before = {k: v.clone() for k, v in ours.model.state_dict().items()}
    convert.convert(ours, tmp_path / "streamed")
    assert all(torch.equal(before[k], v) for k, v in ours.model.state_dict().items())
    convert.converter(loading.load_demo(spec, demo_cache)).convert(
        str(tmp_path / "own"), quantization=convert.COMPUTE, force=True)
    (tmp_path / "streamed" / "vmap.txt").unlink(missing_ok=True)  # ours alone writes a vocabulary map
    assert _same_folders(tmp_path / "own", tmp_path / "streamed")


def test_the_ctranslate2_path_never_loads_the_fp32_weights_of_a_converted_model(demo_cache, monkeypatch):
    spec = MODEL_REGISTRY["opus-mt"]
    load_model(spec, "demo", demo_cache, "ctranslate2")  # converted once into the cache
    loading.forget_models()
    monkeypatch.setattr(loading, "_model", lambda *a: pytest.fail("fp32 weights loaded"))
    loaded = load_model(spec, "demo", demo_cache, "ctranslate2")
    assert loaded.backend == "ctranslate2" and isinstance(loaded.model, WeightsReleased)
    loading.forget_models()


@pytest.mark.slow
def test_a_large_model_converts_in_a_child_process_to_the_same_files(demo_cache, tmp_path, monkeypatch):
    """Over IN_PROCESS_BYTES the fp32 weights are loaded by the converter's child only."""
    spec = MODEL_REGISTRY["opus-mt"]
    here = load_model(spec, "demo", demo_cache, "ctranslate2").ct2.folder
    monkeypatch.setattr(convert, "IN_PROCESS_BYTES", 0)
    monkeypatch.setattr(loading, "_model", lambda *a: pytest.fail("fp32 weights loaded in the parent"))
    lazy = loading._load_uncached(spec, "demo", demo_cache, lazy=True)
    moved = convert.with_ct2(lazy, tmp_path)
    assert moved.backend == "ctranslate2", moved.ct2_note
    assert _same_folders(here, moved.ct2.folder)


@pytest.mark.slow
@pytest.mark.parametrize("code, says", [
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "killed by signal 9 (out of memory?)"),
    ("import sys; print('noise', file=sys.stderr); print('ValueError: no loader', file=sys.stderr); sys.exit(1)",
     "ValueError: no loader"),
])
def test_a_converter_child_that_dies_leaves_the_model_on_transformers(code, says, demo_cache, tmp_path, monkeypatch):
    spec = MODEL_REGISTRY["opus-mt"]
    monkeypatch.setattr(convert, "IN_PROCESS_BYTES", 0)
    monkeypatch.setattr(convert, "CHILD_CODE", code)
    with pytest.warns(UserWarning) as caught:
        loading.forget_models()
        loaded = load_model(spec, "demo", tmp_path, "ctranslate2")
    (warning,) = [w for w in caught if "CTranslate2 not used" in str(w.message)]
    assert str(warning.message).startswith(spec.source) and says in str(warning.message)
    assert "\n" not in str(warning.message)
    assert loaded.backend == "transformers" and not isinstance(loaded.model, WeightsReleased)
    assert says in loaded.provenance()["ctranslate2_not_used"]
    assert not (convert.ct2_folder(spec, loaded.revision, tmp_path) / "model.bin").exists()


def test_a_model_ctranslate2_cannot_convert_is_named_and_leaves_no_folder(demo_cache, tmp_path, monkeypatch):
    """CTranslate2's converter finds no loader (its `_load` gives None): one line naming the kind of
    model, for the warning that keeps the run on transformers; nothing half-written is left."""
    ours = loading.load_demo(MODEL_REGISTRY["opus-mt"], demo_cache)
    monkeypatch.setattr(convert, "converter", lambda loaded: type("NoLoader", (), {"_load": lambda self: None})())
    with pytest.raises(ValueError, match="^CTranslate2 has no converter for marian models$"):
        convert.convert(ours, tmp_path / "model")
    assert list(tmp_path.iterdir()) == []
