"""Model runs over units of text, as small layers that compose (as argos-translate wraps an
`ITranslation` in cached and identity translations):

- `ModelRun`: units through a model on an engine, in length-sorted batches, each batch handed back
  as it comes (outputs with the model's own score);
- `CachedRun`: a run behind the translation memory: known units from it, the rest from the run
  inside, each batch handed to the memory's writer as it comes back (a run stopped midway keeps it).

Text that must not go through the model (English, a language the translator does not know) never
reaches these: the sentence-level layers keep it (`translate.languages`).

Every layer is called the same way, `run(units) -> {unit: output}`, and counts its model work in
a `ModelWork` (for run.json).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from helpers.inference.batching import count_tokens, length_batches
from helpers.inference.engines import Engine, LocalEngine
from helpers.inference.memory import Memory
from helpers.models.settings import GenerationSettings
from helpers.models.families import home_spec
from helpers.models.loaded import LoadedModel
from helpers.progress import bar

# Settings that decide how units are cut and batched, never what one unit becomes: not in memory keys.
UNIT_NEUTRAL = ("batch_tokens", "piece_tokens", "redecode")


@dataclass
class ModelWork:
    """What a run asked of the model: units generated, batches, seconds in the model (tokenising,
    generating, decoding; the rest of a stage's time is overhead)."""

    generated: int = 0
    generate_calls: int = 0
    model_seconds: float = 0.0


class UnitRun(Protocol):
    """Outputs for units of text: what every layer gives."""

    def __call__(self, units: list[str]) -> dict[str, str]: ...


@dataclass
class ModelRun:
    """Units through the model on `engine` (this process by default), batched by length."""

    loaded: LoadedModel
    settings: GenerationSettings
    work: ModelWork
    engine: Engine | None = None
    progress: bool = True

    def batches(self, units: list[str]):
        """(texts, [(output, score)]) per batch, in the order the batches come back."""
        unique = list(dict.fromkeys(units))
        if not unique:
            return
        lengths = count_tokens(unique, self.loaded)
        batches = [[unique[i] for i in b]
                   for b in length_batches(lengths, self.settings.batch_tokens, self.settings.batch_tolerance)]
        label = f"{self.loaded.spec.task} ({self.loaded.spec.key})"
        results = (self.engine or LocalEngine()).generate(self.loaded, batches, self.settings)
        yield from bar(zip(batches, results), total=len(batches), desc=label, unit="batch", enabled=self.progress)

    def __call__(self, units: list[str]) -> dict[str, str]:
        outputs: dict[str, str] = {}
        started = time.perf_counter()
        for texts, pairs in self.batches(units):
            self.work.generate_calls += 1
            self.work.generated += len(texts)
            outputs.update(zip(texts, (text for text, _ in pairs)))
        self.work.model_seconds += time.perf_counter() - started
        return outputs


@dataclass
class CachedRun:
    """`inner` behind the translation memory: known units from it, the rest generated and stored
    batch by batch as they come back (handed to the memory's writer thread, which commits them while the
    model goes on: a run stopped midway keeps every finished batch)."""

    inner: ModelRun
    memory: Memory

    def __call__(self, units: list[str]) -> dict[str, str]:
        known = self.memory.lookup(units)
        todo = [u for u in dict.fromkeys(units) if u not in known]
        if todo:
            started, storing = time.perf_counter(), 0.0
            work = self.inner.work
            for texts, pairs in self.inner.batches(todo):
                work.generate_calls += 1
                work.generated += len(texts)
                outputs = [text for text, _ in pairs]
                stored = time.perf_counter()
                self.memory.store(dict(zip(texts, outputs)), {t: score for t, (_, score) in zip(texts, pairs)})
                storing += time.perf_counter() - stored
                known.update(zip(texts, outputs))
            work.model_seconds += time.perf_counter() - started - storing
        return known


def memory_settings(settings: GenerationSettings, backend: str = "transformers") -> dict:
    """The generation settings that shape an output, and the backend (part of the memory key)."""
    return {**{k: v for k, v in asdict(settings).items() if k not in UNIT_NEUTRAL}, "backend": backend}


def settings_for(loaded: LoadedModel, settings: GenerationSettings | None) -> GenerationSettings:
    """`settings` with the fields it leaves unset taken from the loaded model's (its own by default)."""
    return loaded.settings if settings is None else settings.resolved(asdict(loaded.settings))


def memory_for(loaded: LoadedModel, path: Path | str, settings: GenerationSettings | None = None) -> Memory:
    """The translation memory opened for this model, revision, settings and backend (and, when
    the output layer is restricted to the target pieces, that too: it can change an output; and the
    source language when it is not Vietnamese: the same text read as another language is another unit)."""
    key = memory_settings(settings_for(loaded, settings), loaded.backend)
    if loaded.vmap:
        key["output_vocabulary"] = "target pieces"
    if loaded.spec != home_spec(loaded.spec):  # pointed at another source language than Vietnamese
        key["source_language"] = loaded.spec.src_lang
    return Memory(Path(path), loaded.spec.source, loaded.revision, key)


def cached_run(loaded: LoadedModel, memory: Memory, settings: GenerationSettings, work: ModelWork,
               progress: bool = True, engine: Engine | None = None) -> CachedRun:
    """The usual composition: the model on `engine`, behind the memory."""
    return CachedRun(ModelRun(loaded, settings, work, engine, progress), memory)
