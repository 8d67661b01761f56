"""CTranslate2: every family converted once to int8 into the cache, then served by one worker per core.

The conversion reads the model and tokenizer as the project loads them (the same weights and
the same special tokens the transformers path uses), through CTranslate2's own converter for
the model's config class, its int8 step streamed (`streaming.py`: the same bytes, one block of
fp32 rows held at a time). A model whose weights exceed `IN_PROCESS_BYTES` is converted in a
child process of its own, so the run never holds its fp32 weights (`load_model` loads only its
configs and tokenizer): a first run's memory is then its largest model's conversion or its own
work, not both. Afterwards the converted vocabulary is checked against the tokenizer, id by id:
a model whose conversion fails (its child dies, say) or disagrees stays on transformers, with a
one-line warning naming it, and its provenance says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import asdict, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from helpers.errors import EnvironmentProblem
from helpers.models.heap import keep_freed_memory
from helpers.models.registry import ModelSpec
from helpers.models.loaded import LoadedModel, WeightsReleased

COMPUTE = "int8"
RECIPE = "v3"  # bump when the conversion changes (v3: any family, from the loaded model, vocabulary checked)
# Weights up to this size (the demo models) are converted in this process: a child's start-up
# (importing torch and transformers, seconds) would cost more than the memory it keeps apart.
IN_PROCESS_BYTES = 64 << 20
# the converter process's program (helpers/models/convert_child.py), named here, never imported here
CHILD_CODE = "import sys; from helpers.models.convert_child import main; sys.exit(main())"


def ct2_folder(spec: ModelSpec, revision: str, cache_dir: Path) -> Path:
    """Where the int8 conversion of this model revision is kept."""
    return cache_dir / "ct2" / f"{spec.key}-{revision}-{COMPUTE}-{RECIPE}"


def with_ct2(loaded: LoadedModel, cache_dir: Path, threads: int = 0,
             load_full: Callable[[], LoadedModel] | None = None) -> LoadedModel:
    """The model on CTranslate2 (int8), or on transformers with the reason when that cannot be
    (`load_model` keeps the result, once per model and process). `threads`: batches run side by
    side (0: one per core). `load_full` loads the model with its weights when `loaded` holds its
    configs only and the conversion runs in this process."""
    target = ct2_folder(loaded.spec, loaded.revision, cache_dir)
    try:
        if not (target / "model.bin").exists():
            convert_model(loaded, target, cache_dir, load_full)
        check_vocabulary(target, loaded)
    except ConverterDied as exc:
        note = f"conversion failed: {exc}"
        warnings.warn(f"{loaded.spec.source}: CTranslate2 not used ({note}); running on transformers", stacklevel=2)
        return replace(loaded, ct2_note=note)
    except Exception as exc:  # the converter raises many kinds; the run goes on on transformers
        note = f"conversion failed: {first_line(exc)}"
        warnings.warn(f"{loaded.spec.source}: CTranslate2 not used ({note}); running on transformers", stacklevel=2)
        return replace(loaded, ct2_note=note)
    translator = LazyTranslator(target, threads or os.cpu_count() or 1)
    return replace(loaded, backend="ctranslate2", ct2=translator, vmap=(target / "vmap.txt").exists())


class LazyTranslator:
    """A `ctranslate2.Translator` made at its first use: a driver that sends every batch to cluster
    workers never holds the int8 weights itself. Attributes are the translator's."""

    def __init__(self, folder: Path, threads: int) -> None:
        self.folder, self.threads = folder, threads

    @cached_property
    def translator(self) -> Any:
        import ctranslate2

        keep_freed_memory()
        return ctranslate2.Translator(str(self.folder), device="cpu", compute_type=COMPUTE,
                                      inter_threads=self.threads, intra_threads=1)

    @property
    def in_memory(self) -> bool:
        """Whether the int8 weights are loaded now (made at first use, let go by `release`)."""
        return "translator" in self.__dict__

    def release(self) -> None:
        """Let the int8 weights go (a stage done with the model); the next use loads them again."""
        self.__dict__.pop("translator", None)

    def __getattr__(self, name: str) -> Any:
        if name in ("folder", "threads", "translator", "in_memory"):  # not set yet: never the translator's
            raise AttributeError(name)
        return getattr(self.translator, name)


class ConverterDied(EnvironmentProblem):
    """The converter's child process ended without a converted model (the message is one line)."""


def convert_model(loaded: LoadedModel, target: Path, cache_dir: Path,
                  load_full: Callable[[], LoadedModel] | None = None) -> None:
    """Convert a model into `target`: here when its weights are small, else in a child process
    that loads it (the fp32 weights never enter this process); `loaded` may hold its configs only,
    and `load_full` then loads it with its weights."""
    if int(loaded.weights.get("bytes") or 0) > IN_PROCESS_BYTES:
        convert_in_child(loaded.spec, loaded.demo, cache_dir, target)
    elif isinstance(loaded.model, WeightsReleased):
        if load_full is None:
            raise ValueError("the model's weights were let go and no loader was given to convert it")
        convert(load_full(), target)
    else:
        convert(loaded, target)


def convert_in_child(spec: ModelSpec, demo: bool, cache_dir: Path, target: Path) -> None:
    """Load and convert the model in a child process (`convert_child`); raises ConverterDied, with the
    child's last error line or the signal that ended it, when no converted model came of it."""
    request = json.dumps({"spec": asdict(spec), "demo": demo, "cache_dir": str(cache_dir),
                          "target": str(target)}).encode()
    command = [sys.executable, "-c", CHILD_CODE]
    try:
        proc = subprocess.run(command, input=request, capture_output=True, check=False)
    except OSError as exc:
        raise ConverterDied(f"the converter process could not start ({exc.strerror or exc})") from None
    if proc.returncode == 0 and (target / "model.bin").exists():
        return
    if proc.returncode < 0:
        raise ConverterDied(f"the converter process was killed by signal {-proc.returncode}"
                            f"{' (out of memory?)' if proc.returncode == -9 else ''}")
    lines = [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    raise ConverterDied(lines[-1].strip()[:300] if lines
                        else f"the converter process exited with status {proc.returncode}")


def first_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def converter(loaded: LoadedModel) -> Any:
    """CTranslate2's converter for the model's config class, handed the model and tokenizer we
    loaded instead of loading them again."""
    from ctranslate2.converters import TransformersConverter

    class _Loaded(TransformersConverter):
        def load_model(self, model_class: Any, path: str, **kwargs: Any) -> Any:
            return loaded.model

        def load_tokenizer(self, tokenizer_class: Any, path: str, **kwargs: Any) -> Any:
            return loaded.tokenizer

    return _Loaded(str(loaded.location))  # its config.json picks CTranslate2's loader


def convert(loaded: LoadedModel, target: Path) -> None:
    """Convert the loaded model into `target` (atomically: a finished folder or none), as
    `Converter.convert` does, the int8 step streamed; the loaded weights are only read."""
    from helpers.models.streaming import FilePages, optimize

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        spec = converter(loaded)._load()
        if spec is None:  # CTranslate2 has no loader for its architecture: the run stays on transformers
            model_type = getattr(loaded.model.config, "model_type", "?")
            raise ValueError(f"CTranslate2 has no converter for {model_type} models")
        spec.validate()
        optimize(spec, COMPUTE, FilePages())
        (work / "model").mkdir()
        spec.save(str(work / "model"))
        del spec
        pieces = loaded.family.output_pieces
        _write_vmap(work / "model", pieces(loaded.tokenizer) if pieces else None)
        try:
            os.replace(work / "model", target)
        except OSError:  # converted concurrently by another run
            if not (target / "model.bin").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def converted_vocabulary(folder: Path) -> list[str]:
    """The target vocabulary of a converted model."""
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (folder / name).exists():
            return json.loads((folder / name).read_text(encoding="utf-8"))
    raise FileNotFoundError(f"{folder} holds no vocabulary")


def check_vocabulary(folder: Path, loaded: LoadedModel) -> None:
    """Every token the tokenizer can produce has the same id in the converted vocabulary
    (a shifted or short vocabulary would decode every output wrongly)."""
    vocabulary = converted_vocabulary(folder)
    tok = loaded.tokenizer
    wanted = {t: i for t, i in tok.get_vocab().items() if i < len(vocabulary)}
    token = loaded.family.target_token(loaded.spec)
    if token is not None:
        wanted[token] = tok.convert_tokens_to_ids(token)
    wrong = [t for t, i in wanted.items() if i >= len(vocabulary) or vocabulary[i] != t]
    if wrong:
        raise ValueError(f"the converted vocabulary disagrees with the tokenizer on {len(wrong)} tokens "
                         f"(e.g. {wrong[0]!r})")


def _write_vmap(folder: Path, pieces: list[str] | None) -> None:
    """A ctranslate2 vocabulary map whose fixed candidates are `pieces`, if they restrict anything."""
    if pieces is None:
        return
    vocabulary = set(converted_vocabulary(folder))
    kept = [p for p in pieces if p in vocabulary]
    if len(set(kept)) >= len(vocabulary):
        return
    (folder / "vmap.txt").write_text("\t" + " ".join(kept) + "\n", encoding="utf-8")
