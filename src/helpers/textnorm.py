"""Text normalisation shared by every stage: one definition of "clean text".

The ledger keeps every line exactly as read; sentence text and comparisons use
these normalised forms (NBSP and runs of spaces folded, NFC).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


def clean_space(text: str) -> str:
    """NFC, NBSP and other odd spaces folded to one ASCII space, ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_blank(text: str) -> bool:
    """True for lines holding only whitespace (NBSP included)."""
    return clean_space(text) == ""


def is_punctuation_only(text: str) -> bool:
    """True for lines such as '.' or '***' that carry no words."""
    s = clean_space(text)
    return bool(s) and bool(_PUNCT_ONLY.match(s))


def comparison_key(text: str) -> str:
    """Case-, punctuation- and space-insensitive form used to spot near-repeats."""
    s = clean_space(text).casefold()
    s = re.sub(r"[^\w\s]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def word_count(text: str) -> int:
    """Number of whitespace-separated words (Vietnamese syllables)."""
    return len(clean_space(text).split())
