"""The glossary: acronyms, offices and ranks of the reports, with their English renderings.

The data is `data/glossary.csv` in the package (a user may edit it or pass another
file). Before translation, known misspellings are normalised (each one reported)
and bare acronyms are spelled out in Vietnamese so the model sees words it knows;
after translation, each term's English rendering is checked in the output.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from helpers.errors import InputError
from helpers.text.spans import Span, find_spans
from helpers.text.normalise import CACHED_TEXTS, fold, modern_tones

KINDS = ("office", "acronym", "rank", "typo")  # what a term is: an office's name, an acronym, a rank, a misspelling
COLUMNS = ("term", "kind", "expansion_vi", "english", "variants", "variants_en")
OPTIONAL = ("variants_en",)  # a glossary written before this column still reads


@dataclass(frozen=True)
class Term:
    """A glossary entry."""

    term: str
    kind: str  # acronym | office | rank | typo
    expansion_vi: str
    english: str
    variants: tuple[str, ...]  # Vietnamese misspellings and old forms, normalised to the term
    variants_en: tuple[str, ...] = ()  # accepted English renderings besides `english`


@dataclass(frozen=True)
class Prepared:
    """A source sentence made ready for the model, and what was done to it."""

    source: str
    text: str  # what the model is given
    terms: tuple[str, ...]  # glossary terms found (after normalisation)
    normalised: tuple[str, ...]  # 'CABD→CAND' for each misspelling fixed


class GlossaryError(InputError):
    """The glossary file is malformed; the message names the file and the row."""


def load_glossary(path: Path | None = None) -> tuple[Term, ...]:
    """Read a glossary CSV (the packaged one by default)."""
    if path is None:
        text = resources.files("helpers").joinpath("data/glossary.csv").read_text(encoding="utf-8")
        name = "helpers/data/glossary.csv"
    else:
        # utf-8-sig: a glossary saved by Excel starts with a byte-order mark (and has CRLF line ends,
        # which the csv module reads as any other, inside a quoted cell too)
        text, name = Path(path).read_text(encoding="utf-8-sig"), str(path)
    return parse_glossary(text, name)


def parse_glossary(text: str, name: str) -> tuple[Term, ...]:
    """The terms of a glossary CSV's text; `name` is the file the errors name."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    header = tuple(rows[0].keys()) if rows else ()
    if header not in (COLUMNS, tuple(c for c in COLUMNS if c not in OPTIONAL)):
        raise GlossaryError(f"{name}: the header must be {','.join(COLUMNS)}")
    terms = []
    for n, row in enumerate(rows, start=2):
        if not row["term"] or row["kind"] not in KINDS:
            raise GlossaryError(f"{name}, row {n}: needs a term and a kind of {', '.join(KINDS)}")
        if row["kind"] != "typo" and not row["english"]:
            raise GlossaryError(f"{name}, row {n}: {row['term']} has no English rendering")
        variants = _listed(row["variants"])
        terms.append(Term(modern_tones(row["term"]), row["kind"], modern_tones(row["expansion_vi"]), row["english"],
                          tuple(dict.fromkeys(v for v in variants if modern_tones(v) != modern_tones(row["term"]))),
                          _listed(row.get("variants_en"))))
    return tuple(terms)


def _listed(cell: str | None) -> tuple[str, ...]:
    """A `|`-separated cell as a tuple of its non-empty items."""
    return tuple(v.strip() for v in (cell or "").split("|") if v.strip())


@lru_cache(maxsize=4)
def default_glossary() -> tuple[Term, ...]:
    """The packaged glossary, read once."""
    return load_glossary()


@lru_cache(maxsize=None)
def _word(term: str) -> re.Pattern[str]:
    """The term as a whole word (compiled once per term: the glossary is matched against every sentence)."""
    return re.compile(rf"(?<![\w/-]){re.escape(term)}(?![\w/-])")


@lru_cache(maxsize=None)
def _bare(term: str) -> re.Pattern[str]:
    """The acronym not inside brackets or a code (compiled once per term)."""
    return re.compile(rf"(?<![\w/(-]){re.escape(term)}(?![\w/)-])")


def prepare(source: str, glossary: tuple[Term, ...]) -> Prepared:
    """Modern tone placement ('Đảng uỷ' → 'Đảng ủy'), misspellings normalised, bare acronyms spelled
    out, and the terms present listed. The model sees (and the memory keys on) this text; the source
    stays as written."""
    text = modern_tones(source)
    normalised: list[str] = []
    for t in glossary:  # a term or variant not in the text as a substring cannot match as a word
        for variant in t.variants:
            rx = _word(variant)
            if variant in text and rx.search(text):
                text = rx.sub(t.term, text)
                normalised.append(f"{variant}→{t.term}")
    found = [t.term for t in glossary if t.kind != "typo" and t.term in text and _word(t.term).search(text)]
    spans: list[Span] | None = None  # the protected spans of `text` as it is now, found when first asked
    for t in glossary:
        if t.kind != "acronym" or not t.expansion_vi or t.term not in text:
            continue
        # Expand bare acronyms only: '(CAND)' after its full form stays, and codes like 12-NQ/TW are spans.
        for m in reversed(list(_bare(t.term).finditer(text))):
            spans = find_spans(text) if spans is None else spans
            if all(m.end() <= s.start or m.start() >= s.end for s in spans):
                text = text[: m.start()] + t.expansion_vi + text[m.end() :]
                spans = None
    return Prepared(source, text, tuple(found), tuple(normalised))


@lru_cache(maxsize=CACHED_TEXTS)
def comparable_english(text: str) -> str:
    """English reduced for matching a rendering: case, diacritics, curly quotes, hyphens and
    possessives and British or American -ise/-ize spellings do not count ('Organisation' = 'organization')."""
    s = re.sub(r"'s\b", "", fold(text).replace("\u2019", "'").replace("-", " "))  # the Politburo's = Politburo
    s = re.sub(r"(?<=[a-z])is(?=(?:ation|ations|e|ed|es|ing)\b)", "iz", s)
    return " " + re.sub(r"\s+", " ", re.sub(r"[^\w' ]", " ", s)).strip() + " "


def rendered(term: Term, english: str) -> bool:
    """True if the English carries the term's rendering, an accepted variant, or (for an acronym) the acronym."""
    text = comparable_english(english)
    if any(comparable_english(r) in text for r in (term.english, *term.variants_en)):
        return True
    return term.kind == "acronym" and _word(term.term).search(english) is not None


def missing_terms(prepared: Prepared, english: str, glossary: tuple[Term, ...]) -> list[str]:
    """Glossary terms of the source whose English rendering (or a variant, or the acronym) is absent."""
    by_term = {t.term: t for t in glossary}
    return [term for term in prepared.terms if not rendered(by_term[term], english)]
