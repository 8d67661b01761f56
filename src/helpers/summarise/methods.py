"""Short English summaries of a report, three ways, each checked against the source.

- `extractive`: the report's most central sentences (TextRank over TF-IDF vectors
  of the Vietnamese sentences, no pretrained weights), given as their English
  translations in source order, with their sentence numbers.
- `abstractive-en`: the BART summariser on the English translation.
- `abstractive-vi`: the mT5 summariser on the Vietnamese text, then translated.

Inputs longer than a summariser's limit are summarised in chunks and the chunk
summaries summarised again (map-reduce): never truncated silently. Every summary
is held to the length bound (whole sentences first; a cut is flagged).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np

from helpers.checks.flags import flag
from helpers.checks.facts import code_carried, date_supported, english_facts, stated_values
from helpers.inference.engines import Engine
from helpers.inference.memory import Memory
from helpers.models.loaded import LoadedModel
from helpers.text.names import english_names, name_in
from helpers.text.normalise import clean_space
from helpers.translate.sentences import CLAUSE_SEPARATORS, TranslationStats, count_tokens, split_to_fit, translate_units

METHODS = ("extractive", "abstractive-en", "abstractive-vi")
DAMPING, ITERATIONS = 0.85, 50
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Summary:
    """One summary of one report (a `summaries.csv` row)."""

    report_id: str
    method: str
    model: str
    summary_en: str
    n_words: int
    flags: str
    source_sentence_ids: str


# ---------------------------------------------------------------- length bound


def bound_length(text: str, max_sentences: int, max_words: int) -> tuple[str, list[str]]:
    """At most `max_sentences` sentences and `max_words` words: whole sentences kept,
    a cut inside a sentence marked with '…' and flagged."""
    sentences = [s for s in _SENTENCE_END.split(clean_space(text)) if s]
    kept: list[str] = []
    for s in sentences[:max_sentences]:
        if len(" ".join(kept + [s]).split()) > max_words:
            break
        kept.append(s)
    flags = []
    if not kept and sentences:
        kept = [" ".join(sentences[0].split()[:max_words]) + "…"]
        flags.append(flag("cut_to", f"{max_words}_words"))
    if len(kept) < len(sentences):
        flags.append(flag("shortened", f"{len(sentences)}_to_{len(kept)}_sentences"))
    return " ".join(kept), flags


# ---------------------------------------------------------------- extractive


def _tfidf(texts: list[str]) -> np.ndarray:
    docs = [Counter(re.findall(r"\w+", t.casefold())) for t in texts]
    vocab = sorted({w for d in docs for w in d})
    index = {w: i for i, w in enumerate(vocab)}
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    m = np.zeros((n, len(vocab)))
    for r, d in enumerate(docs):
        for w, c in d.items():
            m[r, index[w]] = (1 + math.log(c)) * math.log((1 + n) / (1 + df[w]) + 1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def centrality(texts: list[str]) -> np.ndarray:
    """TextRank scores: PageRank over the cosine-similarity graph of the sentences."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    vectors = _tfidf(texts)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, 0)
    rows = sim.sum(axis=1, keepdims=True)
    trans = np.where(rows > 0, sim / np.where(rows == 0, 1, rows), 1 / n)
    score = np.full(n, 1 / n)
    for _ in range(ITERATIONS):
        score = (1 - DAMPING) / n + DAMPING * trans.T @ score
    return score


def extractive(
    sentence_nos: list[int], texts_vi: list[str], texts_en: list[str], max_sentences: int, max_words: int
) -> tuple[str, list[int], list[str]]:
    """The most central sentences that fit the bound, in source order: (summary, ids, flags)."""
    scores = centrality(texts_vi)
    chosen: list[int] = []
    words = 0
    for i in np.argsort(-scores, kind="stable"):
        n = len(texts_en[i].split())
        if len(chosen) < max_sentences and words + n <= max_words:
            chosen.append(int(i))
            words += n
    flags: list[str] = []
    if not chosen and texts_en:
        best = int(np.argmax(scores))
        text, flags = bound_length(texts_en[best], 1, max_words)
        return text, [sentence_nos[best]], flags
    chosen.sort()
    return " ".join(texts_en[i] for i in chosen), [sentence_nos[i] for i in chosen], flags


# ---------------------------------------------------------------- abstractive


def map_reduce(
    text: str,
    loaded: LoadedModel,
    summarise_batch: Callable[[list[str]], list[str]],
    max_rounds: int = 4,
) -> tuple[str, int]:
    """Summary of a text of any length (see `map_reduce_all`): (summary, number of chunks at first)."""
    return map_reduce_all({"": text}, loaded, summarise_batch, max_rounds)[""]


def map_reduce_all(
    texts: dict[str, str],
    loaded: LoadedModel,
    summarise_batch: Callable[[list[str]], list[str]],
    max_rounds: int = 4,
) -> dict[str, tuple[str, int]]:
    """Summaries of texts of any length, all reports at once: each text is cut into chunks within
    the model's limit, the chunks of every text are summarised in one call (so batches are formed
    by length across reports), and a text's chunk summaries are summarised again, round by round,
    until they fit in one input. Returns, per key, (summary, number of chunks at first)."""
    limit = loaded.input_limit
    state = pack_chunks(texts, loaded, limit)
    first = {k: len(v) for k, v in state.items()}
    rounds = dict.fromkeys(state, 0)
    done: dict[str, tuple[str, int]] = {}
    while state:
        outputs = iter(summarise_batch([c for chunks in state.values() for c in chunks]))
        joined: dict[str, str] = {}
        for key, chunks in state.items():
            summaries = [next(outputs) for _ in chunks]
            if len(chunks) == 1:
                done[key] = (summaries[0], first[key])
                continue
            rounds[key] += 1
            joined[key] = " ".join(s for s in summaries if s)
        fits = dict(zip(joined, count_tokens(list(joined.values()), loaded))) if joined else {}
        state = {}
        for key, text in joined.items():
            if fits[key] <= limit:
                state[key] = [text]  # one more pass: the summary of the summaries
            elif rounds[key] >= max_rounds:
                done[key] = (text, first[key])
        again = {k: t for k, t in joined.items() if k not in state and k not in done}
        state.update(pack_chunks(again, loaded, limit))
    return {k: done[k] for k in texts}


def pack_chunks(texts: dict[str, str], loaded: LoadedModel, limit: int) -> dict[str, list[str]]:
    """Each text as whole sentences packed into chunks within `limit` tokens (long sentences split
    at clauses). Every sentence is tokenised once, all texts in one call; a chunk's count is the
    sum of its sentences' (without their special tokens), checked once on the finished chunks."""
    specials = count_tokens([""], loaded)[0]
    sentences = {k: [s for s in _SENTENCE_END.split(t) if s] for k, t in texts.items()}
    flat = [s for ss in sentences.values() for s in ss]
    counts = dict(zip(flat, count_tokens(flat, loaded)))
    long = [s for s, n in counts.items() if n > limit]
    split = dict(zip(long, _split_long(long, loaded, limit, specials)))

    def exact(text: str) -> int:
        return count_tokens([text], loaded)[0]

    packed: dict[str, list[str]] = {}
    for key, ss in sentences.items():
        pieces: list[tuple[str, int]] = []
        for s in ss:
            pieces += split[s] if s in split else [(s, counts[s] - specials)]
        chunks: list[tuple[str, int]] = []
        for piece, n in pieces:
            if chunks and chunks[-1][1] + n + specials <= limit:
                chunks[-1] = (chunks[-1][0] + " " + piece, chunks[-1][1] + n)
            else:
                chunks.append((piece, n))
        packed[key] = [c for c, _ in chunks] or [""]
    made = [c for cs in packed.values() for c in cs]
    if any(n > limit for n in count_tokens(made, loaded)):  # a join tokenised longer than its parts
        for key in packed:
            packed[key] = _pack_sentences(texts[key], exact, limit)
    return packed


def _split_long(texts: list[str], loaded: LoadedModel, limit: int, specials: int,
                separators: tuple[str, ...] = CLAUSE_SEPARATORS) -> list[list[tuple[str, int]]]:
    """Sentences over the limit, each as pieces within it with their token counts (specials
    excluded): cut at clauses, else at words. Done level by level for all of them: the parts of
    every sentence at one separator are tokenised in one call (shared among the cores)."""
    if not separators:  # a run with no separator left: token windows, one sentence at a time
        exact = lambda t: count_tokens([t], loaded)[0]  # noqa: E731
        return [[(p, exact(p) - specials) for p in split_to_fit(t, exact, limit, ())] for t in texts]
    sep, rest = separators[0], separators[1:]
    results: list[list[tuple[str, int]]] = [[] for _ in texts]
    unsplit = [i for i, t in enumerate(texts) if sep not in t]  # tried at the next separator
    for i, pieces in zip(unsplit, _split_long([texts[i] for i in unsplit], loaded, limit, specials, rest) if unsplit else []):
        results[i] = pieces
    splitting = [i for i, t in enumerate(texts) if sep in t]
    parts_of = {}
    for i in splitting:
        parts = texts[i].split(sep)
        parts_of[i] = [p + sep for p in parts[:-1]] + [parts[-1]]
    sizes = iter(count_tokens([p for i in splitting for p in parts_of[i]], loaded))
    packed: dict[int, list[tuple[str, int]]] = {}
    for i in splitting:
        pieces: list[tuple[str, int]] = []
        for part in parts_of[i]:
            n = next(sizes) - specials
            if pieces and pieces[-1][1] + n + specials <= limit:
                pieces[-1] = (pieces[-1][0] + part, pieces[-1][1] + n)
            else:
                pieces.append((part, n))
        packed[i] = pieces
    over = [(i, k) for i in splitting for k, (_, n) in enumerate(packed[i]) if n + specials > limit]
    deeper = _split_long([packed[i][k][0] for i, k in over], loaded, limit, specials, rest) if over else []
    cut = dict(zip(over, deeper))
    for i in splitting:
        out: list[tuple[str, int]] = []
        for k, piece in enumerate(packed[i]):
            out += cut.get((i, k), [piece])
        results[i] = [(p.strip(), n) for p, n in out if p.strip()]
    return results


def _pack_sentences(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Whole sentences packed into chunks within the limit, counting each candidate chunk exactly
    (the slow, sure way: used only when `pack_chunks`' sums fall short)."""
    pieces = [p for s in _SENTENCE_END.split(text) if s for p in split_to_fit(s, count, limit)]
    chunks: list[str] = []
    for piece in pieces:
        if chunks and count(chunks[-1] + " " + piece) <= limit:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks or [""]


def summariser(loaded: LoadedModel, memory: Memory, progress: bool = False,
               engine: Engine | None = None) -> Callable[[list[str]], list[str]]:
    """A batch summarise function backed by the model and the memory (re-runs generate nothing),
    the model run on `engine` (this process by default)."""
    stats = TranslationStats()

    def run(texts: list[str]) -> list[str]:
        outputs = translate_units(texts, loaded, memory, loaded.settings, stats, progress, engine)
        return [outputs[t] for t in texts]

    run.stats = stats  # type: ignore[attr-defined]
    return run


# ---------------------------------------------------------------- faithfulness


@dataclass(frozen=True)
class Support:
    """What a report states, as a summary is checked against it: number keys, date keys and the
    text itself. Made once per report and shared by the checks of its three summaries."""

    numbers: frozenset[str]
    dates: tuple[str, ...]
    haystack: str


def support_of(vietnamese: list[str], english: list[str]) -> Support:
    """The numbers, dates and text a report's Vietnamese and English sentences state."""
    numbers_vi, dates_vi = stated_values(vietnamese, english=False)
    numbers_en, dates_en = stated_values(english, english=True)
    return Support(frozenset(numbers_vi | numbers_en), tuple(dates_vi + dates_en), " ".join(vietnamese + english))


def unsupported(summary: str, vietnamese: list[str], english: list[str]) -> list[str]:
    """Numbers, dates, codes and names of a summary that the report states nowhere, compared as
    values (`June 22` is supported by `22/6`, `seven` needs no support) and names folded."""
    return unsupported_by(summary, support_of(vietnamese, english))


def unsupported_by(summary: str, support: Support) -> list[str]:
    """`unsupported`, against a report's `Support` made beforehand."""
    numbers, dates, haystack = support.numbers, support.dates, support.haystack
    flags = []
    for f in english_facts(summary):
        if f.kind == "number" and not set(f.keys) & numbers:
            flags.append(flag("unsupported_number", f.text))
        elif f.kind == "date" and not date_supported(f.key, dates, numbers):
            flags.append(flag("unsupported_date", f.text))
        elif f.kind in ("code", "url") and not code_carried(f.text, haystack):
            flags.append(flag(f"unsupported_{f.kind}", f.text))
    for name in english_names(summary):
        if not name_in(name, haystack):
            flags.append(flag("unsupported_name", name))
    return flags
