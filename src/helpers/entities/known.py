"""What the project knows for certain, as spans of a sentence: the glossary's bodies (`Bộ Công an`,
`Đảng ủy Công an Trung ương`, and acronyms of a named body, `CAND`), the documents a sentence cites
(`references.csv`), and the names the value checks protect (`text.names.find_names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from helpers.entities.model import Span
from helpers.entities.words import ORG_HEADS, is_title
from helpers.text.glossary import Term
from helpers.text.names import find_names
from helpers.text.normalise import modern_tones


def is_body(term: Term) -> bool:
    """True for a glossary term that names one organisation: an office that is not a post held by a
    person (`Bộ Công an`, not `Bộ trưởng`), or an acronym of a named body (`CAND`, not `UBND`, which
    every province has, nor `ANTT`, a phrase)."""
    if term.kind == "office":
        return not is_title(term.term)
    if term.kind == "acronym":
        full = term.expansion_vi
        return bool(full) and full[0].isupper() and full not in ORG_HEADS
    return False


@lru_cache(maxsize=256)
def _forms(glossary: tuple[Term, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each body's written forms (term, old spellings, an acronym's expansion) as whole-word patterns,
    longest first, with the term they stand for."""
    forms: list[tuple[str, str]] = []
    for t in glossary:
        if is_body(t):
            forms += [(f, t.term) for f in (t.term, *t.variants, t.expansion_vi) if f]
    forms.sort(key=lambda f: -len(f[0]))
    return tuple((re.compile(rf"(?<![\w/-]){re.escape(f)}(?![\w/-])"), term) for f, term in forms)


def glossary_spans(text: str, glossary: tuple[Term, ...]) -> list[Span]:
    """The glossary's bodies named in a sentence (old tone placement read as the modern one)."""
    modern = modern_tones(text)
    if len(modern) != len(text):
        modern = text
    return [Span(m.start(), m.end(), "organisation") for rx, _ in _forms(glossary) for m in rx.finditer(modern)]



def document_spans(text: str, cited: Iterable[str]) -> list[Span]:
    """The documents a sentence cites (the `cited_as` of its rows in references.csv), each as its type
    and number or code (`Nghị quyết số 12-NQ/TW`), without the date and issuer that may follow."""
    spans = []
    for cited_as in cited:
        at = text.find(cited_as)
        if at < 0:
            continue
        short = re.match(r"^(?P<type>.+?)\s+(?:số\s+)?(?P<ref>[\w./-]*\d[\w./-]*)", cited_as)
        length = short.end() if short else len(cited_as)
        spans.append(Span(at, at + length, "document"))
    return spans


def name_spans(text: str) -> list[Span]:
    """The names the value checks protect (`Tô Lâm`, `Hồ Chí Minh`), every occurrence; people unless
    another rule or the model says otherwise."""
    spans = []
    for name in find_names(text):
        spans += [Span(m.start(), m.end(), "person")
                  for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    return spans
