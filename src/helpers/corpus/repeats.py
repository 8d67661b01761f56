"""Repeats and near-repeats of nearby lines (photo captions given twice, a paragraph pasted again).

A line is a repeat only if it carries no word, number, date, code or name that the other lacks;
the line roles (`lines.py`) mark the one not kept as a duplicate.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from helpers.text.normalise import CACHED_TEXTS, clean_space, comparison_key, modern_tones

SHORTENED = "one is a shortened form of the other"
NEAR_REPEAT_SHARE = 0.9  # a line holding only words of another, and at least 90% of them, repeats it
_CONTENT = re.compile(r"\d+(?:[.,/-]\d+)*|\w+")


def content_words(text: str) -> Counter[str]:
    """The words, numbers, dates and codes of a line, counted (case and tone placement folded):
    'Nguyễn Văn An ... Công an' holds 'an' twice, so a line naming Bình instead is not within it."""
    return Counter(_CONTENT.findall(comparison_key_words(text)))


def _within(a: Counter[str], b: Counter[str]) -> bool:
    """True when every word of `a` occurs in `b` at least as often."""
    return not (a - b)


@lru_cache(maxsize=CACHED_TEXTS)
def comparison_key_words(text: str) -> str:
    """The line as compared for content: modern tone placement, case folded."""
    return modern_tones(clean_space(text)).casefold()


def near_repeat(a: str, b: str) -> str | None:
    """How one of two nearby lines repeats the other (for the ledger reason), or None.

    A line is a repeat only if it carries no word, number, date, code or name that the
    other lacks: `Năm 2021 ... 1.250 vụ` and `Năm 2022 ... 1.430 vụ` are two lines, and so
    are two awards that differ only in the name. Which one is kept: see `fuller`.
    """
    ka, kb = comparison_key(a), comparison_key(b)
    if not ka or not kb:
        return None
    if clean_space(a) == clean_space(b):
        return "identical"
    if ka == kb:
        return "differs only in case, spacing or punctuation"
    wa, wb = content_words(a), content_words(b)
    if not (_within(wa, wb) or _within(wb, wa)):
        return None  # each has something the other lacks: both are content
    short, long_ = sorted((ka, kb), key=len)
    if len(short) >= 12 and long_.startswith(short) and len(short) >= 0.5 * len(long_):
        return SHORTENED
    na, nb = sum(wa.values()), sum(wb.values())
    if wa == wb or min(na, nb) >= NEAR_REPEAT_SHARE * max(na, nb):
        return "near-identical wording, nothing the kept line lacks"
    return None


def fuller(a: str, b: str) -> bool:
    """True when the later line `b` of a repeat is the fuller one (it is then kept instead of `a`)."""
    wa, wb = content_words(a), content_words(b)
    return (wa != wb and _within(wa, wb)) or (wb == wa and len(comparison_key(b)) > len(comparison_key(a))
                                              and comparison_key(b).startswith(comparison_key(a)))
