"""Abstractive summaries of texts of any length: each text cut into chunks within the model's
input limit (whole sentences, long ones cut at clauses), every report's chunks summarised together
(batches formed by length across reports), and a text's chunk summaries summarised again, round
by round, until they fit one input (map-reduce): never truncated silently.
"""

from __future__ import annotations

from typing import Callable

from helpers.inference.batching import CLAUSE_SEPARATORS, count_tokens, split_to_fit
from helpers.inference.engines import Engine
from helpers.inference.memory import Memory
from helpers.inference.runs import ModelWork, cached_run
from helpers.models.loaded import LoadedModel
from helpers.summarise.length import SENTENCE_END

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
    sentences = {k: [s for s in SENTENCE_END.split(t) if s] for k, t in texts.items()}
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
    splits = _split_long([texts[i] for i in unsplit], loaded, limit, specials, rest) if unsplit else []
    for i, split in zip(unsplit, splits):
        results[i] = split
    splitting = [i for i, t in enumerate(texts) if sep in t]
    parts_of: dict[int, list[str]] = {}
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
    pieces = [p for s in SENTENCE_END.split(text) if s for p in split_to_fit(s, count, limit)]
    chunks: list[str] = []
    for piece in pieces:
        if chunks and count(chunks[-1] + " " + piece) <= limit:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks or [""]


class Summariser:
    """A batch summarise function backed by the model and the memory (re-runs generate nothing),
    the model run on `engine` (this process by default); `stats` counts its model work."""

    def __init__(self, loaded: LoadedModel, memory: Memory, progress: bool = False,
                 engine: Engine | None = None) -> None:
        self.stats = ModelWork()
        self._cached = cached_run(loaded, memory, loaded.settings, self.stats, progress, engine)

    def __call__(self, texts: list[str]) -> list[str]:
        outputs = self._cached(texts)
        return [outputs[t] for t in texts]

