"""Spans of text that must survive untouched: document codes, dates, numbers, URLs.

One definition serves sentence splitting (never split inside one), translation
(kept exactly, checked in every output) and the references index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.text.dates import find_dates

# 12-NQ/TW, 118-KH/ĐUCA, 205-QĐ/TW, 01/2020/NĐ-CP, 15/2018/QH14
DOC_CODE = re.compile(
    r"(?<![\w/-])\d{1,5}(?:/\d{4})?[-/][A-ZĐ]{1,10}\d{0,3}(?:[-/][A-ZĐ]{1,10}\d{0,3})*(?![\w/-])"
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"”]+[^\s<>\"”.,;:)]|\b[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org)\b", re.I)
# A day and month without a year: 22/6, 26-9
PARTIAL_DATE = re.compile(r"(?<![\w/.-])\d{1,2}[/-]\d{1,2}(?![\w/-]|\.\d)")
# 1.500.000, 2,5, 450, 12%; not digits inside a word or code
NUMBER = re.compile(r"(?<![\w.,/-])\d+(?:[.,]\d+)*%?(?![\w/-])")


@dataclass(frozen=True)
class Span:
    """A protected piece of text: kind ('code', 'url', 'date', 'number') and position."""

    kind: str
    start: int
    end: int
    text: str


def find_spans(text: str) -> list[Span]:
    """Protected spans in text, longest kinds first, never overlapping, in order."""
    found: list[Span] = []

    def add(kind: str, start: int, end: int) -> None:
        if all(end <= s.start or start >= s.end for s in found):
            found.append(Span(kind, start, end, text[start:end]))

    for m in DOC_CODE.finditer(text):
        add("code", m.start(), m.end())
    for m in URL.finditer(text):
        add("url", m.start(), m.end())
    for d in find_dates(text):
        add("date", d.start, d.end)
    for m in PARTIAL_DATE.finditer(text):
        add("date", m.start(), m.end())
    for m in NUMBER.finditer(text):
        add("number", m.start(), m.end())
    return sorted(found, key=lambda s: s.start)
