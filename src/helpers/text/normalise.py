"""Text normalisation shared by every stage: one definition of "clean text".

The ledger keeps every line exactly as read; sentence text and comparisons use
these normalised forms (NFC; invisible and bidi control characters removed, never
turned into spaces that would split words; NBSP and runs of spaces folded).
Comparisons and model inputs also use the modern tone placement (`hòa`, `ủy` for
the old-style `hoà`, `uỷ` still common in official text).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that occur in Vietnamese but not in English text.
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
VIETNAMESE_WORD_SHARE = 0.05  # below this share of words with Vietnamese letters, a text is not Vietnamese
LANGUAGE_MIN_WORDS = 20
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
# Zero-width characters, the soft hyphen, bidi controls and C0/C1 controls: removed (a zero-width
# space inside 'Công' must not split it; a bidi override must not reach a page active).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u202a-\u202e\u2066-\u2069"
                        r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same lines and sentences are cleaned and compared by several rules and stages: the pure
# str -> str forms below are kept for the most recent texts rather than computed again.
CACHED_TEXTS = 1 << 16
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
# What must not reach a terminal raw: C0 and C1 controls (the ESC of an ANSI code, a newline in a
# file name), bidi overrides, and lone surrogates (a file name's bytes that are not UTF-8).
# Old-style tone placement on a final 'oa', 'oe', 'uy' (not after q): the mark moves to the first vowel.
_OLD_TONE = re.compile(r"(?<![qQ])([oO](?=[aAeE])|[uU](?=[yY]))([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?!\w)")


def remove_invisible(text: str) -> str:
    """The text without zero-width, soft-hyphen, bidi-control and control characters."""
    return _INVISIBLE.sub("", text)


@lru_cache(maxsize=CACHED_TEXTS)
def clean_space(text: str) -> str:
    """NFC, invisible characters removed, NBSP and other odd spaces folded to one ASCII space, ends stripped."""
    return _SPACES.sub(" ", remove_invisible(unicodedata.normalize("NFC", text))).strip()


@lru_cache(maxsize=CACHED_TEXTS)
def modern_tones(text: str) -> str:
    """Old-style tone placement made modern ('hoà'→'hòa', 'Uỷ'→'Ủy', 'khoẻ'→'khỏe'; 'quý', 'hoàn' kept):
    the form glossary terms and model inputs use, so both spellings match and share memory entries."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_TONE.sub(r"\1\3\2", decomposed))


# Combining marks (Vietnamese tones and vowel marks among them), removed from a folded text.
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold_text(text: str) -> str:
    """Lower case, without diacritics, đ as d ('Đà Nẵng' → 'da nang', 'Tô Lâm' → 'to lam'): the one form
    searches and name comparisons use, so a query typed without marks finds the marked text. Each
    Vietnamese letter stays one character in its place (a match in the folded text is a match at
    the same offsets in the text). In a browser the same three steps are
    `s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")`.
    Not cached: for a long text folded once (a report's texts for its search terms); `fold` caches."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower())).replace("đ", "d")


# `fold_text` of short texts folded again and again (names, sentences). A report's whole text kept here
# would stay: 10,000 reports' texts were 400 MB of the search index's peak (issue 39).
fold = lru_cache(maxsize=CACHED_TEXTS)(fold_text)


def is_punctuation_only(text: str) -> bool:
    """True for lines such as '.' or '***' that carry no words."""
    s = clean_space(text)
    return bool(s) and bool(_PUNCT_ONLY.match(s))


@lru_cache(maxsize=CACHED_TEXTS)
def comparison_key(text: str) -> str:
    """Case-, punctuation- and space-insensitive form used to spot near-repeats."""
    s = modern_tones(clean_space(text)).casefold()
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
