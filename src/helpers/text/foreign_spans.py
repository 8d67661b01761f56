"""Where a sentence may hold words of another language than its own, and the sentence cut there so
each part is translated as its language asks and its English put back in its place:

- a quotation or a bracket (`QUOTED`): `Đại sứ Úc nói: "We will continue ..."`;
- the clause after a colon: `Đại sứ Úc nói: We welcome ...` (the first colon followed by a space,
  outside quotations; the clause runs to the sentence's end);
- a run of letters in another script than the sentence's Latin: Khmer, Thai, Chinese ... in a
  Vietnamese sentence, unquoted.

Which candidate is in another language is the identifier's to say (`text.language_id.language_parts`);
this module only finds the candidates (no identification), cuts a sentence into parts and puts the
parts' English back. Only a sentence with a quotation mark or bracket, a colon before a space or a
letter of a script other than Latin is examined (`worth_examining`: one regular-expression search),
so the others, nearly all, cost next to nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A quotation or a bracket: straight and curly double quotes, guillemets, low-9 quotes, CJK corner
# brackets, parentheses and square brackets (single quotes are apostrophes too often to count).
QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|„[^“”]*[“”]|「[^」]*」|『[^』]*』|\([^()]*\)|\[[^\[\]]*\]')
LATIN = "A-Za-z\u00aa-\u024f\u1e00-\u1eff"  # the Latin letters, Vietnamese's among them
LATIN_LETTER = re.compile(rf"[{LATIN}]")
OTHER_LETTER = re.compile(rf"[^\W\d_{LATIN}]")  # a letter of another script (Khmer, Thai, Han, Cyrillic, ...)
COLON = re.compile(r"(?<=\S):\s+")  # a colon that introduces a clause (not 15:30, not a URL's)
WORTH_EXAMINING = re.compile(rf'["“”«»„「」『』()\[\]]|(?<=\S):\s|[^\W\d_{LATIN}]')
SENTENCE_END = ".!?…"
# Words an English fragment's output may start with in capitals that read lower case mid-sentence.
FUNCTION_WORDS = frozenset("A An And As At By For From In Into Of On Or The To With".split())


@dataclass(frozen=True)
class Span:
    """A candidate: `kind` ('quote', 'clause' or 'script') and the position of its words (quotation
    marks and the spaces around the words left out)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Part:
    """A part of a sentence to translate on its own: its position, its language, and whether that
    is another language than the sentence's own (`foreign`)."""

    start: int
    end: int
    language: str
    foreign: bool


def worth_examining(text: str) -> bool:
    """True if the sentence can hold a candidate at all (a quotation mark or bracket, a colon before
    a space, a letter of another script than Latin)."""
    return WORTH_EXAMINING.search(text) is not None


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """`start, end` moved in over white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quote_spans(text: str) -> list[Span]:
    """The words of each quotation and bracket."""
    found = [_stripped(text, m.start() + 1, m.end() - 1) for m in QUOTED.finditer(text)]
    return [Span("quote", a, b) for a, b in found if a < b]


def clause_spans(text: str) -> list[Span]:
    """For each colon followed by a space and outside quotations, the clause after it, to the end of
    the sentence (in order; the head before span i is `text[:span.start]`)."""
    quoted = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    found = []
    for m in COLON.finditer(text):
        if not any(a <= m.start() < b for a, b in quoted):
            start, end = _stripped(text, m.end(), len(text))
            if start < end:
                found.append(Span("clause", start, end))
    return found


def script_runs(text: str) -> list[Span]:
    """Runs of letters of another script than Latin in a sentence mostly in Latin letters (with the
    marks, spaces, digits and punctuation between them), each to its last letter's marks."""
    others = [m.start() for m in OTHER_LETTER.finditer(text)]
    if not others or sum(c.isalpha() for c in text) <= 2 * len(others):
        return []  # no other script, or the sentence's own script is not Latin
    runs, start, last = [], others[0], others[0]
    for i in others[1:]:
        if LATIN_LETTER.search(text, last + 1, i):
            runs.append((start, last + 1))
            start = i
        last = i
    runs.append((start, last + 1))
    spans = []
    for a, b in runs:
        while b < len(text) and unicodedata.category(text[b]).startswith("M"):  # Thai and Khmer vowel signs
            b += 1
        spans.append(Span("script", a, b))
    return spans


def cut(text: str, foreign: list[tuple[Span, str]], language: str) -> list[Part]:
    """The sentence as parts in order: each foreign span (with its language) and, between them, the
    sentence's own words (in `language`), without the spaces, marks and punctuation at their edges
    (those stay in place when the English is put back); a stretch with no letter or digit is no part.
    The sentence's final punctuation stays with its last own part."""
    parts: list[Part] = []
    at = 0
    spans = sorted(foreign, key=lambda sc: sc[0].start)
    for i, (span, code) in enumerate([*spans, (None, language)]):
        end = span.start if span else len(text)
        a, b = at, end
        while a < b and not text[a].isalnum():
            a += 1
        while b > a and not text[b - 1].isalnum() and not (span is None and text[b - 1] in SENTENCE_END):
            b -= 1
        if a < b:
            parts.append(Part(a, b, language, False))
        if span is not None:
            parts.append(Part(span.start, span.end, code, True))
            at = span.end
    return parts


def fitted(source: str, english: str, first: bool) -> str:
    """A fragment's English made to sit inside its sentence: no sentence-ending punctuation the
    fragment did not have (models end every output as a sentence), and a capitalised function word
    lower-cased where the fragment began in lower case mid-sentence ("To the people" → "to the people")."""
    if source and source[-1] not in SENTENCE_END + ":;,":
        english = english.rstrip().rstrip(".:;,")
    word = english.split(" ", 1)[0]
    if not first and source[:1].islower() and word in FUNCTION_WORDS:
        english = word.lower() + english[len(word):]
    return english


def put_back(text: str, parts: list[Part], englishes: list[str]) -> str:
    """The sentence with each part replaced by its English, everything between the parts (spaces,
    quotation marks, the colon, punctuation) kept in place."""
    out, at = [], 0
    for part, english in zip(parts, englishes):
        out += [text[at:part.start], english]
        at = part.end
    out.append(text[at:])
    return "".join(out)
