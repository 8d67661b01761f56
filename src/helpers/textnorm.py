"""Text normalisation shared by every stage: one definition of "clean text".

The ledger keeps every line exactly as read; sentence text and comparisons use
these normalised forms (NBSP and runs of spaces folded, NFC).
"""

from __future__ import annotations

import re
import unicodedata

# Letters that occur in Vietnamese but not in English text.
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
VIETNAMESE_WORD_SHARE = 0.05  # below this share of words with Vietnamese letters, a text is not Vietnamese
LANGUAGE_MIN_WORDS = 20
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


def clean_space(text: str) -> str:
    """NFC, NBSP and other odd spaces folded to one ASCII space, ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


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


def language(texts: list[str]) -> str:
    """'vi' for Vietnamese text, 'other' for text (20 words or more) with almost no Vietnamese letters.

    Vietnamese marks most syllables; English and other Latin-script text marks none,
    so a share of marked words below 5 % is a safe sign the text is not Vietnamese.
    """
    words = [w for t in texts for w in t.split()]
    if len(words) < LANGUAGE_MIN_WORDS:
        return "vi"
    marked = sum(1 for w in words if VIETNAMESE_LETTERS.search(w))
    return "vi" if marked / len(words) >= VIETNAMESE_WORD_SHARE else "other"
