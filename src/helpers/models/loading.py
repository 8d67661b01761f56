"""The one way to load a model: real pretrained weights, or a stand-in; cached per process.

`real`: a local folder, or a hub id from the Hugging Face cache (downloaded first when
the hub is reachable and HF_HUB_OFFLINE is not set). `demo`: the stand-in of the same
family (random weights, the real file layout), built once into the cache folder.
`auto`: real where available locally, else demo with a warning.

Weights: `model.safetensors` loads as is. `pytorch_model.bin`, which is all the six
registry repos hold on `main`, is read once by transformers' own weights-only loader
(no pickled code runs; we never call `torch.load`), then saved as a safetensors copy
in the project cache, from which every later run loads. Provenance names the weight
file that was read and its sha256. Remote code is never trusted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers.models.settings import MODEL_DECODING
from helpers.errors import SettingsError
from helpers.models.registry import BACKENDS, MODEL_MODES, ModelSpec
from helpers.models import standins
from helpers.models.families import family_of, home_spec, source_spec
from helpers.models.loaded import LoadedModel, ModelBroken, ModelUnavailable, WeightsReleased
from helpers.models.resolved import Resolved, folder_key, keep_resolved, read_resolved, resolution
from helpers.models.locate import (Located, file_digest, hub_reachable, locate, missing_files, offline,
                                   unavailable_message, weight_file)


def load_model(spec: ModelSpec, mode: str, cache_dir: Path, backend: str = "transformers",
               threads: int = 0) -> LoadedModel:
    """Load a model as `mode` says (real, demo or auto), on the given backend; cached per process.

    `ctranslate2` converts the model once (int8, into the cache) and falls back to
    `transformers`, saying why in the provenance, when the conversion fails. `threads`: the
    batches CTranslate2 runs side by side (0: one per core; a cluster worker gives its own share).
    """
    if mode not in MODEL_MODES:
        raise SettingsError(f"MODELS must be one of {', '.join(MODEL_MODES)}, not {mode!r}")
    if backend not in BACKENDS:
        raise SettingsError(f"BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    home = home_spec(spec)  # pointed at another source language: the same model, seen through `_pointed`
    if backend == "ctranslate2":
        loaded = _load_ct2(home, mode, Path(cache_dir), threads)
    else:
        loaded = _load_cached(home, mode, Path(cache_dir))
    if home == spec:
        return loaded
    pointed = _pointed(loaded, spec)
    if pointed is None:
        raise ModelBroken(f"model {spec.source}: its tokenizer has no token for the source language "
                          f"{spec.src_lang!r}")
    return pointed


def for_language(loaded: LoadedModel, language: str) -> LoadedModel | None:
    """The model pointed at the source language `language` (ISO 639-1), its weights shared, or None
    when it does not translate from that language (`families.source_spec`), or its tokenizer has no
    token for the language's code."""
    spec = source_spec(loaded.spec, language)
    if spec is None:
        return None
    return loaded if spec == loaded.spec else _pointed(loaded, spec)


@lru_cache(maxsize=32)
def _pointed(loaded: LoadedModel, spec: ModelSpec) -> LoadedModel | None:
    """`loaded` with its tokenizer (a copy) pointed at `spec`'s source language; the model, its
    CTranslate2 translator and settings shared. None when the tokenizer has no token for the code."""
    import copy

    tok = loaded.tokenizer
    ids = tok.convert_tokens_to_ids(family_of(spec).lang_token.format(spec.src_lang))
    if ids is None or ids == tok.unk_token_id:
        return None
    tokenizer = copy.deepcopy(tok)
    family_of(spec).prepare_tokenizer(tokenizer, spec)
    return replace(loaded, spec=spec, tokenizer=tokenizer)


def release(loaded: LoadedModel) -> None:
    """Free a model's int8 weights when a stage is done with it, so a run holds one model's at a
    time (the tokenizer and settings stay; the next batch loads the weights again, in a second)."""
    if loaded.backend == "ctranslate2" and hasattr(loaded.ct2, "release"):
        loaded.ct2.release()


_LOADS: Counter[str] = Counter()


def forget_models() -> None:
    """Let go of every model this process loaded (the next load reads it again): what a process's
    end would do, for a long-lived process that must start afresh (a test, a notebook after models
    were fetched)."""
    for cached in (_load_cached, _load_ct2, _pointed):
        cached.cache_clear()


def loads() -> dict[str, int]:
    """How many times each model (`key/backend`) was loaded in this process, not served from the
    process's own cache: a worker that keeps its models between batches loads each once."""
    return dict(_LOADS)


@lru_cache(maxsize=16)
def _load_ct2(spec: ModelSpec, mode: str, cache_dir: Path, threads: int = 0) -> LoadedModel:
    """The model on CTranslate2, loaded without its fp32 weights: they serve only to convert it, which
    a large model does in a child process of its own, so a run holds each model once, in int8. Where
    the conversion fails, the fp32 weights are loaded after all and the model runs on transformers."""
    from helpers.models.convert import with_ct2

    _LOADS[f"{spec.key}/ctranslate2"] += 1

    loaded = with_ct2(_load_uncached(spec, mode, cache_dir, lazy=True), cache_dir, threads,
                      load_full=lambda: _load_uncached(spec, mode, cache_dir))
    if loaded.backend == "ctranslate2":
        return loaded
    return replace(_load_uncached(spec, mode, cache_dir), ct2_note=loaded.ct2_note)  # the fp32 path after all


@lru_cache(maxsize=16)
def _load_cached(spec: ModelSpec, mode: str, cache_dir: Path) -> LoadedModel:
    _LOADS[f"{spec.key}/transformers"] += 1
    return _load_uncached(spec, mode, cache_dir)


def _load_uncached(spec: ModelSpec, mode: str, cache_dir: Path, lazy: bool = False) -> LoadedModel:
    """The model as `mode` says; `lazy`: its configs and tokenizer without its fp32 weights (the
    CTranslate2 path: a conversion, when one is needed, loads the weights itself)."""
    if mode == "real" or (mode == "auto" and locate(spec)):
        return load_real(spec, cache_dir, lazy)
    if mode == "auto":
        warnings.warn(
            f"{spec.source} is not available locally: "
            "using a DEMO model (random weights; its text is not a translation)",
            stacklevel=4,
        )
    return load_demo(spec, cache_dir, lazy)


def load_demo(spec: ModelSpec, cache_dir: Path, lazy: bool = False) -> LoadedModel:
    """The stand-in of the spec's family, built once, loaded through the same code as a real model."""
    folder = standins.build_standin(spec, family_of(spec).standin, cache_dir)
    found = Located(folder, standins.revision_of(folder), "stand-in")
    return _load_located(spec, found, cache_dir, demo=True, lazy=lazy)


def load_real(spec: ModelSpec, cache_dir: Path, lazy: bool = False) -> LoadedModel:
    """Load pretrained weights from a local folder or the hub cache (downloading them first when online)."""
    found = locate(spec)
    origin = None
    if found is None:
        if offline() or not hub_reachable():
            raise ModelUnavailable(unavailable_message(spec))
        from helpers.models.hub import fetch_model

        fetch_model(spec)
        found = locate(spec)
        origin = "download"
        if found is None:
            raise ModelUnavailable(unavailable_message(spec) + " (the download left no config.json)")
    loaded = _load_located(spec, found, cache_dir, demo=False, lazy=lazy)
    if origin:
        loaded.origin = origin
    return loaded


def _load_located(spec: ModelSpec, found: Located, cache_dir: Path, demo: bool, lazy: bool = False) -> LoadedModel:
    missing = missing_files(found, spec)
    if missing:
        raise ModelBroken(
            f"model {spec.source}: {found.folder} ({found.origin}) lacks {', '.join(missing)}, which a "
            f"{spec.family} model needs. Fetch it again: `make models` on a connected machine.")
    weights = weight_file(found, spec)
    try:
        sha = file_digest(weights, cache_dir)
    except OSError as exc:
        raise ModelBroken(f"model {spec.source}: {weights} cannot be read ({exc.strerror or exc})") from None
    record = {"file": weights.name, "sha256": sha, "bytes": weights.stat().st_size}
    folder = found.folder
    if weights.name == "pytorch_model.bin":
        record["served_from"] = "safetensors copy in the project cache"
        if not lazy or (_copy_folder(spec, sha, cache_dir) / "model.safetensors").exists():
            folder = _safetensors_copy(spec, found, weights, sha, cache_dir)
        # lazy, no copy yet: the configs and tokenizer from the original (the copy's are the same
        # files); the converter, which reads the weights, makes the copy
    # a converted model's run: the tokenizer class and config values the Auto classes chose before, if kept
    key = folder_key(folder) if lazy else ""
    known = read_resolved(key, cache_dir) if lazy else None
    tokenizer = _tokenizer(spec, folder, found, known)
    model = _config_only(spec, folder, known) if lazy else _model(spec, folder, weights)
    if lazy and known is None:
        keep_resolved(key, cache_dir, resolution(tokenizer, model.config))
    settings = spec.generation.resolved(model_decoding(model))
    loaded = LoadedModel(spec, tokenizer, model, demo=demo, revision=found.revision, location=str(found.folder),
                         settings=settings, origin=found.origin, weights=record)
    _check_languages(loaded)
    return loaded


def model_decoding(model: Any) -> dict[str, Any]:
    """The decoding settings the model's own files give (generation_config.json, else config.json)."""
    gen = getattr(model, "generation_config", None)
    values = {name: getattr(gen, name, None) for name in MODEL_DECODING} if gen is not None else {}
    return {k: v for k, v in values.items() if v is not None}


def _tokenizer(spec: ModelSpec, folder: Path, found: Located, known: Resolved | None = None) -> Any:
    """The model's tokenizer: as AutoTokenizer chooses it, or the class it chose before (`known`), given the
    arguments AutoTokenizer gives it (the same tokenizer, without the Auto classes' import of torch)."""
    try:
        with warnings.catch_warnings():  # Marian asks for sacremoses, which would alter punctuation
            warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
            if known is not None:
                tokenizer = known.tokenizer_type().from_pretrained(str(folder), local_files_only=True, _from_auto=True)
            else:
                from transformers import AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    except Exception as exc:  # transformers raises many kinds here; each is the model's fault, named below
        raise ModelBroken(
            f"model {spec.source}: the tokenizer in {found.folder} ({found.origin}) cannot be loaded: "
            f"{_first_line(exc)}. Fetch the model again (`make models`).") from None
    family_of(spec).prepare_tokenizer(tokenizer, spec)
    return tokenizer


def _model(spec: ModelSpec, folder: Path, weights: Path) -> Any:
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(
            str(folder), local_files_only=True, trust_remote_code=False, use_safetensors=True)
    except Exception as exc:  # a truncated or corrupt file surfaces as many exception types
        raise ModelBroken(
            f"model {spec.source}: the weights {weights} cannot be loaded ({_first_line(exc)}); the file may be "
            f"truncated or corrupt. Delete it and fetch the model again (`make models`).") from None
    model.eval()
    return model


def _config_only(spec: ModelSpec, folder: Path, known: Resolved | None = None) -> WeightsReleased:
    """The model's config (or the values of it kept, `known`) and decoding settings without its weights:
    the settings as transformers gives a loaded model, from generation_config.json, else from the keys
    of config.json."""
    import json
    from types import SimpleNamespace

    if known is not None:
        config: Any = known.config_values()
    else:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    source = folder / "generation_config.json"
    if not source.exists():
        source = folder / "config.json"
    values = json.loads(source.read_text(encoding="utf-8"))
    return WeightsReleased(config, SimpleNamespace(**{name: values.get(name) for name in MODEL_DECODING}))


def _copy_folder(spec: ModelSpec, sha: str, cache_dir: Path) -> Path:
    """Where the safetensors copy of a pytorch_model.bin with this digest is kept."""
    return cache_dir / "safetensors" / f"{spec.key}-{sha[:16]}"


def _safetensors_copy(spec: ModelSpec, found: Located, weights: Path, sha: str, cache_dir: Path) -> Path:
    """The model as a safetensors copy in the project cache, made once from pytorch_model.bin by
    transformers' weights-only loader; the copy holds the original's other files unchanged."""
    target = _copy_folder(spec, sha, cache_dir)
    if (target / "model.safetensors").exists():
        return target
    from safetensors.torch import save_model
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(
            str(found.folder), local_files_only=True, trust_remote_code=False, use_safetensors=False)
    except Exception as exc:
        raise ModelBroken(
            f"model {spec.source}: {weights} ({found.origin}) cannot be loaded ({_first_line(exc)}); the file may "
            f"be truncated or corrupt. Delete it and fetch the model again (`make models`).") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        copy = work / "model"
        copy.mkdir()
        for path in found.folder.iterdir():
            if path.is_file() and path.name != weights.name and not path.name.endswith((".h5", ".msgpack", ".ot")):
                shutil.copyfile(path, copy / path.name)
        save_model(model, str(copy / "model.safetensors"), metadata={"format": "pt"})
        try:
            os.replace(copy, target)
        except OSError:  # made concurrently by another run
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _check_languages(loaded: LoadedModel) -> None:
    """The target-language token must be a real token of the tokenizer, not <unk>."""
    token = loaded.family.target_token(loaded.spec)
    if token is None:
        return
    tok = loaded.tokenizer
    ids = tok.convert_tokens_to_ids(token)
    if ids is None or ids == tok.unk_token_id:
        raise ModelBroken(f"model {loaded.spec.source}: its tokenizer has no token {token!r} for the target "
                          f"language; is it the {loaded.spec.family} model the registry expects?")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__
