"""Stand-in models in the real repos' layouts: the demo models and the test fixtures.

Each recipe writes the files its real hub repo holds (Helsinki-NLP/opus-mt-vi-en:
source.spm, target.spm, a joint vocab.json and a two-key tokenizer_config.json;
facebook/m2m100_418M: a fairseq-ordered vocab.json, 100 language tokens and 8 "madeup
words" in its vocabulary size; vinai/vinai-translate-vi2en-v2: a config naming
MBartTokenizer and a bare sentencepiece.bpe.model; ...), the real config keys
(generation defaults included), the real special-token order, and tiny random
weights: `model.safetensors` for demo models, `pytorch_model.bin` (as every real
repo holds on `main`) for the fixtures that play the real models. Their text comes
from `data/standin_corpus.txt`, shipped with the package.

`place_in_hub_cache` lays a built folder out as the Hugging Face cache does
(`models--org--name/blobs`, `snapshots/<commit>`, `refs/main`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from helpers.models.registry import ModelSpec
from helpers.models.recipes import SEED, TINY, Shape, corpus_texts, write_json

RECIPE = "v4"  # bump when a recipe changes: older builds are then ignored


def digest(folder: Path) -> str:
    """A digest of a folder's files (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        h.update(path.name.encode())
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def standin_folder(spec: ModelSpec, cache_dir: Path, shape: Shape = TINY, weights: str = "safetensors") -> Path:
    """Where the stand-in of a spec lives in the cache."""
    suffix = "" if shape == TINY else f"-{shape.tag}"
    kind = "" if weights == "safetensors" else "-bin"
    return Path(cache_dir) / "standins" / f"{spec.family}-{spec.key}-{RECIPE}{suffix}{kind}"


def revision_of(folder: Path) -> str:
    """The revision stamp written beside a built stand-in."""
    return folder.with_name(folder.name + ".revision").read_text().strip()


def build_standin(
    spec: ModelSpec, recipe: Any, cache_dir: Path, texts: list[str] | None = None, shape: Shape = TINY,
    weights: str = "safetensors",
) -> Path:
    """Build (once) the random-weight stand-in of a spec in its family's real layout; return its folder.

    `weights` is "safetensors" (demo models) or "bin" (pytorch_model.bin, as the real repos).
    The build goes to a temporary folder moved into place at the end, so an interrupted or
    concurrent build never leaves a half-written model.
    """
    target = standin_folder(spec, cache_dir, shape, weights)
    stamp = target.with_name(target.name + ".revision")
    if stamp.exists() and target.is_dir():
        return target
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        built = work / "model"
        built.mkdir()
        config, generation = recipe(built, spec, texts or corpus_texts(), shape)
        write_json(built / "config.json", config)
        if generation:
            write_json(built / "generation_config.json", generation)
        torch.manual_seed(SEED)
        params = {k: v for k, v in config.items() if k != "model_type"}
        model = AutoModelForSeq2SeqLM.from_config(AutoConfig.for_model(config["model_type"], **params))
        if weights == "bin":
            torch.save(model.state_dict(), built / "pytorch_model.bin")  # a fixture's file, never loaded by our code
        else:
            from safetensors.torch import save_model

            save_model(model, str(built / "model.safetensors"), metadata={"format": "pt"})
        revision = f"demo-{digest(built)[:16]}"
        try:
            os.replace(built, target)
        except OSError:  # another process finished the same build first
            if not target.is_dir():
                raise
        else:
            stamp.write_text(revision + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def place_in_hub_cache(folder: Path, repo_id: str, hub_cache: Path, commit: str | None = None) -> Path:
    """Lay `folder` out as the Hugging Face cache holds `repo_id` (blobs, snapshot links, refs/main);
    return the snapshot folder. The commit defaults to a digest of the files."""
    commit = commit or hashlib.sha1(digest(folder).encode()).hexdigest()
    repo = Path(hub_cache) / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "blobs").mkdir(exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        blob = repo / "blobs" / hashlib.sha256(path.read_bytes()).hexdigest()
        if not blob.exists():
            shutil.copyfile(path, blob)
        link = snapshot / path.name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, snapshot))
    (repo / "refs" / "main").write_text(commit)
    return snapshot
