"""Spans of text that must survive untouched: document codes, e-mail and web addresses, vehicle
plates, phone numbers, dates, times, fractions and numbers.

One definition serves sentence splitting (never split inside one), translation
(kept exactly, checked in every output) and the references index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.text.dates import find_dates, find_times

# 12-NQ/TW, 118-KH/ĐUCA, 205-QĐ/TW, 01/2020/NĐ-CP, 15/2018/QH14
DOC_CODE = re.compile(
    r"(?<![\w/-])\d{1,5}(?:/\d{4})?[-/][A-ZĐ]{1,10}\d{0,3}(?:[-/][A-ZĐ]{1,10}\d{0,3})*(?![\w/-])"
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"”]+[^\s<>\"”.,;:)]|\b[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org)\b", re.I)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<![.-])")
# Vehicle plates: 29A-123.45, 51F1-234.56, 30E 999.99, 29-B1 123.45, 29A-12345
PLATE = re.compile(r"(?<![\w.-])\d{2}(?:[A-ZĐ]{1,2}\d?[- ]|-[A-ZĐ]{1,2}\d?\s)(?:\d{3}\.\d{2}|\d{4,5})(?![\w]|[.,]\d)")
# Phone numbers: 0912.345.678, 0912 345 678, 024.3826.1234, +84 912 345 678 (10 or 11 digits with the 0)
PHONE = re.compile(r"(?<![\w.,+])(?:\+84[ .]?|0)\d{1,3}(?:[ .-]?\d{2,4}){2,3}(?![\w]|[.,]\d)")
# A fraction after a word of quantity or before what it is a part of: gần 1/3, chiếm 2/3, 1/3 số vụ
# (otherwise 1/3 is the first of March). Its span is the fraction alone (`fraction_span`).
FRACTION = re.compile(
    r"(?:\b(?P<quantity>gần|hơn|khoảng|chiếm|trên|dưới|còn|bằng|hết|mất|giảm|tăng|được)\s+)?"
    r"(?<![\w/.-])(?P<num>\d{1,2})/(?P<den>\d{1,2})(?![\w/-]|\.\d)"
    r"(?P<part>\s+(?:số|tổng|dân số|diện tích|lượng|khối lượng|sản lượng|giá trị|kinh phí|ngân sách|thời gian|"
    r"các|những|trong|trường hợp|vụ|người|hộ|đơn vị|địa phương|công trình|dự án)\b)?",
    re.IGNORECASE,
)


def phone_digits(text: str) -> str:
    """A phone number's digits, as dialled in Vietnam (+84 912… → 0912…)."""
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if text.lstrip().startswith("+84") else digits


def is_phone(text: str) -> bool:
    """True if a PHONE match has a phone number's length (10 or 11 digits with its leading 0)."""
    return 10 <= len(phone_digits(text)) <= 11


def fraction_of(m: re.Match[str]) -> tuple[int, int] | None:
    """(numerator, denominator) of a FRACTION match that is a proper fraction in a fraction's place."""
    num, den = int(m["num"]), int(m["den"])
    return (num, den) if (m["quantity"] or m["part"]) and 0 < num < den else None


# A day and month without a year: 22/6, 26-9
PARTIAL_DATE = re.compile(r"(?<![\w/.-])\d{1,2}[/-]\d{1,2}(?![\w/-]|\.\d)")
# 1.500.000, 2,5, 450, 12%; not digits inside a word or code
NUMBER = re.compile(r"(?<![\w.,/-])\d+(?:[.,]\d+)*%?(?![\w/-])")


@dataclass(frozen=True)
class Span:
    """A protected piece of text: kind ('code', 'email', 'url', 'plate', 'phone', 'date', 'time',
    'fraction', 'number') and position."""

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

    for m in EMAIL.finditer(text):
        add("email", m.start(), m.end())
    for m in PLATE.finditer(text):
        add("plate", m.start(), m.end())
    for m in DOC_CODE.finditer(text):
        add("code", m.start(), m.end())
    for m in URL.finditer(text):
        add("url", m.start(), m.end())
    for m in PHONE.finditer(text):
        if is_phone(m.group(0)):
            add("phone", m.start(), m.end())
    for d in find_dates(text):
        add("date", d.start, d.end)
    for tm in find_times(text):
        add("time", tm.start, tm.end)
    for m in FRACTION.finditer(text):
        if fraction_of(m):
            add("fraction", m.start("num"), m.end("den"))
    for m in PARTIAL_DATE.finditer(text):
        add("date", m.start(), m.end())
    for m in NUMBER.finditer(text):
        add("number", m.start(), m.end())
    return sorted(found, key=lambda s: s.start)
