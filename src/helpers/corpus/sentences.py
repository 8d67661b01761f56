"""A report's sentences (`report_sentences`): its title, body and caption lines cut into sentences
(`text.sentences.split_sentences`), numbered, each with its line and language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.corpus.lines import Report, caption_text, strip_lead_site_tag
from helpers.corpus.shapes import is_table_row, plain, table_text
from helpers.store.contract import SENTENCE_ROLES
from helpers.text.language_id import VIETNAMESE, sentence_languages
from helpers.text.normalise import clean_space
from helpers.text.sentences import split_sentences

_END_MARK = re.compile(r"\s*\./\.\s*$")  # the './.' that closes Vietnamese news articles


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report (a `sentences.csv` row)."""

    report_id: str
    sentence_no: int
    line_no: int
    text_vi: str
    role: str
    lang: str = VIETNAMESE  # ISO 639-1 code of the sentence's language (helpers.text.language_id)


def line_text(text: str, role: str) -> str:
    """The translatable text of a line: spaces folded, site tag, brackets, end mark and Markdown
    marks removed; a table row's cells separated by ' | '."""
    if role == "caption":
        return caption_text(plain(text))
    if is_table_row(text):
        return clean_space(table_text(text))
    return clean_space(_END_MARK.sub(".", strip_lead_site_tag(clean_space(plain(text)))))


def report_sentences(report: Report) -> list[Sentence]:
    """Sentences of a report's title, body and captions, numbered from 1, each with its line and
    its language (a sentence the identifier is unsure of takes the report's main language)."""
    cut = [(ln, s) for ln in report.lines if ln.role in SENTENCE_ROLES
           for s in split_sentences(line_text(ln.text, ln.role))]
    languages = sentence_languages([s for _, s in cut])
    return [Sentence(report.report_id, i, ln.line_no, s, ln.role, lang)
            for i, ((ln, s), lang) in enumerate(zip(cut, languages), start=1)]
