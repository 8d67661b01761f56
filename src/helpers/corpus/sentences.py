"""Vietnamese sentences from report lines, never split inside codes, dates, numbers,
abbreviations or ellipses.

underthesea's `sent_tokenize` proposes the boundaries; a boundary is then vetoed
when a protected span straddles it, when it follows a known abbreviation, or when
the next piece starts in lower case (an ellipsis or abbreviation mid-sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from helpers.corpus.lines import Report, caption_text, strip_lead_site_tag
from helpers.corpus.shapes import is_table_row, plain, table_text
from helpers.text.language_id import sentence_languages
from helpers.text.spans import find_spans
from helpers.text.normalise import clean_space

# Abbreviations that end with a full stop inside a sentence.
ABBREVIATIONS = re.compile(
    r"(?:^|[\s(])(?:TS|ThS|PGS|GS|TP|Tp|BS|KS|CN|NXB|Mr|Mrs|Ms|Dr|St|No|Tr|tr|v\.v|vv|Q|P|TT|TX)\.$"
)
SENTENCE_ROLES = ("title", "body", "caption")
_END_MARK = re.compile(r"\s*\./\.\s*$")  # the './.' that closes Vietnamese news articles
_CJK_END = re.compile(r"(?<=[。！？])(?=.)")  # after a full-width sentence end with more text behind it


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report (a `sentences.csv` row)."""

    report_id: str
    sentence_no: int
    line_no: int
    text_vi: str
    role: str
    lang: str = "vi"  # ISO 639-1 code of the sentence's language (helpers.text.language_id)


@lru_cache(maxsize=1)
def _tokenizer():
    from underthesea import sent_tokenize  # imported lazily: it takes seconds

    return sent_tokenize


def line_text(text: str, role: str) -> str:
    """The translatable text of a line: spaces folded, site tag, brackets, end mark and Markdown
    marks removed; a table row's cells separated by ' | '."""
    if role == "caption":
        return caption_text(plain(text))
    if is_table_row(text):
        return clean_space(table_text(text))
    return clean_space(_END_MARK.sub(".", strip_lead_site_tag(clean_space(plain(text)))))


def _vetoed(text: str, prev_end: int, start: int, spans) -> bool:
    if any(s.start < prev_end and s.end > start for s in spans):
        return True
    head = text[:prev_end]
    if ABBREVIATIONS.search(head):
        return True
    nxt = text[start : start + 1]
    return bool(nxt) and nxt.islower()


def split_sentences(text: str) -> list[str]:
    """Sentences of one line of text (already cleaned), in order, covering all its words. Chinese and
    Japanese passages end their sentences with full-width marks (。！？), which underthesea does not cut at."""
    text = clean_space(text)
    if not text:
        return []
    if _CJK_END.search(text):
        return [s for part in _CJK_END.split(text) if part.strip() for s in split_sentences(part)]
    pieces = [p.strip() for p in _tokenizer()(text) if p.strip()]
    bounds: list[tuple[int, int]] = []
    pos = 0
    for piece in pieces:
        k = text.find(piece, pos)
        if k < 0:  # the tokenizer altered the text: keep the line whole rather than lose words
            return [text]
        bounds.append((k, k + len(piece)))
        pos = k + len(piece)
    spans = find_spans(text)
    starts = [0] + [
        bounds[i][0] for i in range(1, len(bounds)) if not _vetoed(text, bounds[i - 1][1], bounds[i][0], spans)
    ]
    ends = starts[1:] + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends) if text[a:b].strip()]


def report_sentences(report: Report) -> list[Sentence]:
    """Sentences of a report's title, body and captions, numbered from 1, each with its line and
    its language (a sentence the identifier is unsure of takes the report's main language)."""
    cut = [(ln, s) for ln in report.lines if ln.role in SENTENCE_ROLES
           for s in split_sentences(line_text(ln.text, ln.role))]
    languages = sentence_languages([s for _, s in cut])
    return [Sentence(report.report_id, i, ln.line_no, s, ln.role, lang)
            for i, ((ln, s), lang) in enumerate(zip(cut, languages), start=1)]
