"""Quality flags for a translated sentence: what a reader should look at twice.

Each check is a small pure function; `sentence_flags` runs them all. Flags are
short codes with a detail after a colon, e.g. `span_missing:12-NQ/TW`.
"""

from __future__ import annotations

import re
from collections import Counter

from .spans import find_spans
from .textnorm import VIETNAMESE_LETTERS

RATIO_LOW, RATIO_HIGH = 0.5, 2.5  # English characters per Vietnamese character
VIETNAMESE_WORDS_MAX = 2
NGRAM, NGRAM_REPEATS = 3, 3
SAME_WORD_RUN = 4


def vietnamese_left(english: str) -> list[str]:
    """Words of the output that carry Vietnamese letters (more than a proper name or two)."""
    words = [w for w in english.split() if VIETNAMESE_LETTERS.search(w)]
    return words if len(words) > VIETNAMESE_WORDS_MAX else []


def repeated_ngrams(english: str) -> list[str]:
    """Word n-grams repeated too often, and runs of one word: signs of a generation loop."""
    words = re.findall(r"\w+", english.casefold())
    grams = Counter(tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1))
    loops = [" ".join(g) for g, n in grams.items() if n >= NGRAM_REPEATS]
    run = 1
    for a, b in zip(words, words[1:]):
        run = run + 1 if a == b else 1
        if run == SAME_WORD_RUN:
            loops.append(a)
    return loops


def missing_spans(source: str, english: str) -> list[str]:
    """Protected spans (codes, dates, numbers, URLs) of the source absent from the output."""
    return [s.text for s in find_spans(source) if s.text not in english]


def length_ratio(source: str, english: str) -> float:
    """Output characters per source character."""
    return len(english) / max(1, len(source))


def sentence_flags(source: str, english: str) -> list[str]:
    """Every quality flag for one sentence's translation (before repair)."""
    if not english.strip():
        return ["empty_output"]
    flags = [f"span_missing:{t}" for t in missing_spans(source, english)]
    left = vietnamese_left(english)
    if left:
        flags.append(f"vietnamese_left:{len(left)}_words")
    flags += [f"repetition:{g}" for g in repeated_ngrams(english)[:3]]
    ratio = length_ratio(source, english)
    if not RATIO_LOW <= ratio <= RATIO_HIGH:
        flags.append(f"length_ratio:{ratio:.2f}")
    return flags
