"""Dropped content: does the English cover every clause of the source?

Sentence-level translation models drop clauses of long sentences without a trace; the
numbers, names and codes of the clause go with it, but many clauses of official prose carry
none. Two checks, tuned on the reference translations of the seeds (tests/reference), where
English runs 0.90-1.69 characters per Vietnamese character (mean 1.20, and never under 1.08
for sentences of 400 characters or more):

- `coverage_low:R`: the whole English is under `LOW_RATIO` characters per source character.
- `clause_missing:K_of_N`: the source's clauses (split at semicolons) are aligned with the
  English's (semicolons and sentence ends) by length, as Gale and Church align sentences:
  one-to-one, two-to-one, one-to-two, or a deletion (which costs its prior only, so a long clause
  with nothing to match is not forced into a neighbour's bead). An alignment that deletes source clause
  K of N (of at least `MIN_CLAUSE` characters) means the English has nothing of that length
  where the clause should be.
"""

from __future__ import annotations

import math
import re

from helpers.checks.flags import flag

LOW_RATIO = 0.8  # English characters per Vietnamese character, below which content is missing
MIN_SOURCE = 60  # shorter sources vary too much for a ratio to mean anything
MIN_CLAUSE = 30
MEAN_RATIO = 1.2  # English characters per Vietnamese character (reference set)
VARIANCE = 6.8  # per character, Gale and Church's value (the reference set gives about 4.3)
# Prior costs (-log probability) of each kind of bead, as Gale and Church estimated them.
BEADS = {(1, 1): -math.log(0.89), (2, 1): -math.log(0.0445), (1, 2): -math.log(0.0445),
         (1, 0): -math.log(0.0099), (0, 1): -math.log(0.0099)}

_SOURCE_CLAUSE = re.compile(r";\s*")
_ENGLISH_CLAUSE = re.compile(r";\s*|(?<=[.!?])\s+(?=[A-Z\"“])")


def clauses(text: str, english: bool = False) -> list[str]:
    """The clauses of a sentence: at semicolons (and, in English, sentence ends)."""
    parts = (_ENGLISH_CLAUSE if english else _SOURCE_CLAUSE).split(text)
    return [p for p in parts if p.strip()]


def _length_cost(source_chars: int, english_chars: int) -> float:
    """-log probability that `english_chars` translate `source_chars` (Gale and Church)."""
    if source_chars == 0 and english_chars == 0:
        return 0.0
    mean = (source_chars + english_chars / MEAN_RATIO) / 2
    z = abs(MEAN_RATIO * source_chars - english_chars) / math.sqrt(VARIANCE * mean)
    tail = math.erfc(z / math.sqrt(2))  # two-sided probability of a deviation this large
    return -math.log(max(tail, 1e-300))


def aligned_deletions(source: list[int], english: list[int]) -> list[int]:
    """Indices of source clauses (by their lengths) that the cheapest alignment leaves without English."""
    n, m = len(source), len(english)
    cost = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for (di, dj), prior in BEADS.items():
                if i >= di and j >= dj and cost[i - di][j - dj] < math.inf:
                    # a deletion costs its prior only: "this clause has no English" is the question asked
                    length = _length_cost(sum(source[i - di : i]), sum(english[j - dj : j])) if di and dj else 0.0
                    c = cost[i - di][j - dj] + prior + length
                    if c < cost[i][j]:
                        cost[i][j], back[i][j] = c, (di, dj)
    deleted, i, j = [], n, m
    while i or j:
        di, dj = back[i][j]  # type: ignore[misc]
        if (di, dj) == (1, 0):
            deleted.append(i - 1)
        i, j = i - di, j - dj
    return sorted(deleted)


def coverage_flags(source: str, english: str) -> list[str]:
    """`coverage_low` and `clause_missing` flags for one sentence's translation."""
    if len(source) < MIN_SOURCE or not english.strip():
        return []
    flags = []
    ratio = len(english) / len(source)
    if ratio < LOW_RATIO:
        flags.append(flag("coverage_low", f"{ratio:.2f}"))
    src = clauses(source)
    if len(src) > 1:
        lost = aligned_deletions([len(c) for c in src], [len(c) for c in clauses(english, english=True)])
        flags += [flag("clause_missing", f"{k + 1}_of_{len(src)}") for k in lost if len(src[k]) >= MIN_CLAUSE]
    return flags
