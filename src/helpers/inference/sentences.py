"""Translating sentences: glossary preparation, fitting to a comfortable length,
length-sorted batches of similar lengths, the translation memory, quality flags.

Nothing is truncated: a sentence longer than `piece_tokens` (128 tokens, and never
more than the model's input limit) is split at clause boundaries (then words, then
token windows as a last resort), each piece is translated and the pieces are
joined, flagged `split:N_pieces`. Very long inputs are where sentence-level models
drop clauses; they are also where beam search costs most (its cost grows with the
square of the length). Numbers, dates, codes, URLs and names of the source that an
output lacks or changed (compared as values, `checks.sentence.check_sentence`) are flagged and
given in a visible note, never silently lost.

Decoding uses the model's own settings (no repetition penalty or no-repeat constraint
unless the model asks for one); an output that loops is decoded once more with a guard
(`GenerationSettings.guarded`) and flagged `redecoded`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from helpers.checks.flags import codes_once, flag
from helpers.checks.sentence import check_sentence, loops
from helpers.inference.batching import split_to_fit, token_counter
from helpers.inference.cores import on_every_core
from helpers.inference.engines import Engine
from helpers.inference.memory import Memory
from helpers.inference.runs import ModelWork, cached_run, memory_for, settings_for
from helpers.models.settings import GenerationSettings
from helpers.models.loaded import LoadedModel
from helpers.text.glossary import Prepared, Term, missing_terms, prepare

REPAIR_NOTE = " [kept from the source: {}]"
LOW_CONFIDENCE_SHARE = 0.05  # the lowest-scoring 5% of a run's sentences are flagged low_confidence
# Sentences from which their checks run on every core (`finish_all`; a translation stage gives each distinct
# sentence once): a sentence's checks are about half a millisecond of Python, a process starts in under a second.
CHECKS_ON_CORES_AT = 10_000


@dataclass(frozen=True)
class SentenceTranslation:
    """One sentence's English text and everything a reader should know about it."""

    source: str
    prepared: str
    text_en: str
    pieces: int
    from_memory: bool
    flags: tuple[str, ...]
    terms: tuple[str, ...]
    confidence: float | None = None  # the model's mean log-probability per token (its weakest piece's)
    translated: bool = True  # False: kept as it is (English, or a language the translator does not know)


@dataclass
class TranslationStats(ModelWork):
    """Counts for run.json: how much was served from memory and how much generated (`generated`:
    the pieces the model translated; `model_seconds`: of `seconds`, the time in the model)."""

    sentences: int = 0
    from_memory: int = 0
    pieces: int = 0
    split_sentences: int = 0
    redecoded: int = 0  # units decoded again with the guard because their output looped
    reviewed: int = 0  # sentences whose English a person gave (translate.reviewed): never sent to the model
    seconds: float = 0.0
    flags: dict[str, int] = field(default_factory=dict)
    languages: dict[str, dict] = field(default_factory=dict)  # per source language: sentences, how handled


class SentenceLayer(Protocol):
    """The one call shape of the sentence-level translation layers (as argos-translate's `ITranslation`
    is of its translations): sentences and each one's language in; each one's translation, in order,
    and the counts of the call (`count_sentences`) out. `translate.languages.ByLanguage` (the model,
    its memory, pass-through and routing by language) and `translate.reviewed.ReviewedLayer` (reviewed
    English in front of any layer) are the two; each owns its model's memory for the call."""

    def __call__(self, sources: list[str], languages: list[str]
                 ) -> tuple[list[SentenceTranslation], TranslationStats]: ...


@dataclass(frozen=True)
class Draft:
    """A text's English as the model (or its memory) gave it, before checks, flags and repair: what a
    sentence, or a part of one translated on its own (translate.languages), is made from."""

    prep: Prepared
    english: str
    pieces: int
    from_memory: bool
    redecoded: bool
    confidence: float | None  # the model's mean log-probability per token (its weakest piece's)


def draft_sentences(
    sources: list[str],
    loaded: LoadedModel,
    memory: Memory,
    glossary: tuple[Term, ...],
    settings: GenerationSettings | None,
    work: TranslationStats,
    progress: bool = True,
    engine: Engine | None = None,
) -> list[Draft]:
    """Each text's English (in order) with memory, splitting and redecoding of loops; the model's work
    counted in `work` (generated, generate_calls, model_seconds, redecoded)."""
    settings = settings_for(loaded, settings)
    prepared = [prepare(s, glossary) for s in sources]
    limit = min(loaded.input_limit, settings.piece_tokens)
    count = token_counter(loaded)
    pieces = [split_to_fit(p.text, count, limit) for p in prepared]
    all_units = [u for ps in pieces for u in ps]
    before = memory.lookup(all_units)
    outputs = cached_run(loaded, memory, settings, work, progress, engine)(all_units)
    scores = memory.scores(all_units)
    redecoded, guard_scores = redecode_loops(outputs, loaded, memory.path, settings, work, progress, engine)
    outputs.update(redecoded)
    scores.update(guard_scores)
    drafts = []
    for prep, ps in zip(prepared, pieces):
        known = [scores[u] for u in ps if u in scores]
        drafts.append(Draft(prep, " ".join(outputs[u] for u in ps).strip(), len(ps), all(u in before for u in ps),
                            any(u in redecoded for u in ps), min(known) if len(known) == len(ps) and ps else None))
    return drafts


@dataclass(frozen=True)
class Finishing:
    """What `finish` makes a sentence's translation from (`finish`'s arguments, as one picklable item)."""

    prep: Prepared
    english: str
    n_pieces: int
    hit: bool
    glossary: tuple[Term, ...]
    redecoded: bool = False
    confidence: float | None = None
    repair: bool = True


def finishing(draft: Draft, glossary: tuple[Term, ...]) -> Finishing:
    """What a sentence's translation is made from, from its draft."""
    return Finishing(draft.prep, draft.english, draft.pieces, draft.from_memory, glossary, draft.redecoded,
                     draft.confidence)


def finished_one(item: Finishing) -> SentenceTranslation:
    """`finish` of one item."""
    return finish(item.prep, item.english, item.n_pieces, item.hit, item.glossary, item.redecoded,
                  item.confidence, item.repair)


def finish_all(items: Sequence[Finishing]) -> list[SentenceTranslation]:
    """`finish` of each item, in order: on every core from CHECKS_ON_CORES_AT items (`inference.cores`; the
    checks are Python that holds one core, a collection's distinct sentences tens of seconds), here otherwise."""
    return list(on_every_core(finished_one, items, CHECKS_ON_CORES_AT))


def count_sentences(stats: TranslationStats, results: list[SentenceTranslation]) -> None:
    """The per-sentence counts of `stats` (sentences, from memory, pieces, split sentences, flags) over
    `results`: the one place every layer totals them."""
    stats.sentences = len(results)
    stats.from_memory = sum(r.from_memory for r in results)
    stats.pieces = sum(r.pieces for r in results)
    stats.split_sentences = sum(r.pieces > 1 for r in results)
    stats.flags = count_flags(results)


def translate_sentences(
    sources: list[str],
    loaded: LoadedModel,
    memory: Memory,
    glossary: tuple[Term, ...],
    settings: GenerationSettings | None = None,
    progress: bool = True,
    engine: Engine | None = None,
    rank_confidence: bool = True,
) -> tuple[list[SentenceTranslation], TranslationStats]:
    """Translate sentences (in order) with memory, splitting, redecoding of loops, flags and repair.
    `rank_confidence`: flag the lowest-scoring among these sentences (off when the caller ranks
    them with others, `flag_low_confidence`)."""
    started = time.perf_counter()
    stats = TranslationStats(sentences=len(sources))
    drafts = draft_sentences(sources, loaded, memory, glossary, settings, stats, progress, engine)
    results = finish_all([finishing(d, glossary) for d in drafts])
    if rank_confidence:
        results = flag_low_confidence(results)
    count_sentences(stats, results)
    stats.seconds = round(time.perf_counter() - started, 3)
    return results, stats


def count_flags(results: list[SentenceTranslation]) -> dict[str, int]:
    """How many sentences carry each flag code (for run.json): a sentence with a code twice (two terms
    missing) counts once, as on the index."""
    counts: dict[str, int] = {}
    for r in results:
        for name in codes_once(r.flags):
            counts[name] = counts.get(name, 0) + 1
    return counts


def redecode_loops(
    outputs: dict[str, str], loaded: LoadedModel, memory_path: Path, settings: GenerationSettings,
    stats: TranslationStats, progress: bool = False, engine: Engine | None = None,
) -> tuple[dict[str, str], dict[str, float]]:
    """Outputs that loop, decoded once more with the guard settings (stored under their own key),
    and their scores."""
    guard = settings.guarded()
    looping = [u for u, out in outputs.items() if loops(out)] if settings.redecode else []
    if not looping or guard == settings:
        return {}, {}
    counted = ModelWork()  # apart: `generated` stays the first decoding's pieces
    with memory_for(loaded, memory_path, guard) as memory:
        again = cached_run(loaded, memory, guard, counted, progress, engine)(looping)
        scores = memory.scores(looping)
    stats.generate_calls += counted.generate_calls
    stats.model_seconds += counted.model_seconds
    stats.redecoded += len(looping)
    return {u: again[u] for u in looping}, scores


def flag_low_confidence(results: list[SentenceTranslation], share: float = LOW_CONFIDENCE_SHARE
                        ) -> list[SentenceTranslation]:
    """The lowest-scoring `share` of the scored sentences (at least one when any is scored) flagged
    `low_confidence:SCORE`: the model's own doubt, relative to this run (noise on demo models)."""
    scored = sorted((r.confidence, i) for i, r in enumerate(results) if r.confidence is not None)
    if not scored:
        return results
    lowest = {i for _, i in scored[: max(1, round(len(scored) * share))]}
    return [replace(r, flags=r.flags + (flag("low_confidence", f"{r.confidence:.2f}"),)) if i in lowest else r
            for i, r in enumerate(results)]


def checked(source: str, english: str, glossary: tuple[Term, ...]) -> SentenceTranslation:
    """English given by a person, checked and flagged as a model's would be, but never repaired
    (no note is added) and never decoded again: the reviewer may be wrong, and the flags say so."""
    return finish(prepare(source, glossary), english, 0, False, glossary, repair=False)


def finish(prep: Prepared, english: str, n_pieces: int, hit: bool, glossary: tuple[Term, ...],
           redecoded: bool = False, confidence: float | None = None, repair: bool = True) -> SentenceTranslation:
    """A sentence's English checked against its source (numbers, dates, codes, names, glossary terms):
    flagged, and repaired with a note giving what is missing as the source wrote it."""
    check = check_sentence(prep.source, english)
    flags = list(check.flags)
    if redecoded:
        flags.append(flag("redecoded"))
    flags += [flag("term_missing", t) for t in missing_terms(prep, english, glossary)]
    flags += [flag("normalised", n) for n in prep.normalised]
    if n_pieces > 1:
        flags.append(flag("split", f"{n_pieces}_pieces"))
    if check.missing and repair:
        english = english + REPAIR_NOTE.format(", ".join(check.missing))
        flags.append(flag("repaired"))
    return SentenceTranslation(prep.source, prep.text, english, n_pieces, hit, tuple(flags), prep.terms, confidence)
