"""Vietnamese date and time expressions: find them, and turn them into ISO dates and 24-hour times.

Used for datelines (publication dates), for the references index (dates of
cited documents), for protected spans in translation and for the facts a
translation must carry (`15h30` is 3:30 p.m.).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# 16-3-2022, 28/10/2021, 01.12.2020 (day first, as Vietnamese writes them)
NUMERIC_DATE = r"(?<![\d/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?![\d/.-]*\d)"
# ngày 16 tháng 3 năm 2022
WORDED_DATE = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
ISO_DATE = r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"

_NUMERIC = re.compile(NUMERIC_DATE)
_WORDED = re.compile(WORDED_DATE, re.IGNORECASE)
_ISO = re.compile(ISO_DATE)

# (`Bẩy` is the northern spelling of `Bảy`; `Chúa Nhật` the southern, and the Catholic, name of Sunday)
WEEKDAYS = r"(?:Thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy|Bẩy|2|3|4|5|6|7)|(?:Chủ|Chúa)\s+[Nn]hật)"
# a month by its name (`tháng Năm`: May; `tháng Giêng`: the first lunar month), as a day's name is in WEEKDAYS
MONTH_NAMES = r"(?:tháng\s+(?:Mười\s+(?:Một|Hai)|Một|Hai|Ba|Tư|Năm|Sáu|Bảy|Bẩy|Tám|Chín|Mười|Giêng|Chạp))"
# a day or month named, with the part of the day before it (`Sáng Chủ Nhật`: Sunday morning)
_CALENDAR = re.compile(rf"(?<!\w)(?:(?:Ngày|Hôm|Sáng|Trưa|Chiều|Tối|Đêm)\s+)?(?:{WEEKDAYS}|{MONTH_NAMES})(?!\w)",
                       re.IGNORECASE)
TIME = r"\d{1,2}[:h]\d{2}(?::\d{2})?"
TIMEZONE = r"(?:\(?\[?\s*GMT\s*[+-]\s*\d{1,2}\s*\]?\)?)"

# A whole line that is only a dateline: optional weekday, a date, optional time and zone.
_DATELINE = re.compile(
    rf"^\s*(?:{WEEKDAYS}\s*,?\s*)?"
    rf"(?:(?:{NUMERIC_DATE})|(?:{WORDED_DATE})|(?:{ISO_DATE}))"
    rf"\s*(?:[,|-]\s*)?(?:{TIME})?\s*(?:{TIMEZONE})?\s*$",
    re.IGNORECASE,
)
# A date at the start of a lead paragraph: "Chiều 01/12/2020, tại Hà Nội, ..."
_LEAD_DATE = re.compile(
    rf"^\s*(?:\([^)]{{1,60}}\)\s*-?\s*)?(?:(?:Sáng|Trưa|Chiều|Tối|Đêm|Ngày|Hôm nay)\s+(?:ngày\s+)?)?"
    rf"(?:{NUMERIC_DATE}|{WORDED_DATE})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text: where it is, what it said, and its ISO form."""

    start: int
    end: int
    text: str
    iso: str


def to_iso(day: int, month: int, year: int) -> str | None:
    """ISO date for a day-month-year triple, or None if no such day exists."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[DateMatch]:
    """Every full date (day, month and year) in text, in order of appearance."""
    found: list[DateMatch] = []
    for rx, order in ((_NUMERIC, "dmy"), (_WORDED, "dmy"), (_ISO, "ymd")):
        for m in rx.finditer(text):
            a, b, c = (int(g) for g in m.groups())
            iso = to_iso(a, b, c) if order == "dmy" else to_iso(c, b, a)
            if iso:
                found.append(DateMatch(m.start(), m.end(), m.group(0), iso))
    return sorted(found, key=lambda d: d.start)


def calendar_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each day or month named (`Thứ Năm`, `Thứ 5`: Thursday; `Sáng Chủ Nhật`: Sunday morning;
    `tháng Năm`: May), in any case: the capitalised numeral in it is no one's name, though a tagger reads one."""
    return [m.span() for m in _CALENDAR.finditer(text)]


def is_dateline(line: str) -> bool:
    """True if the whole line has a dateline's shape, valid date or not ('Thứ Hai, 31/02/2022')."""
    return bool(_DATELINE.match(line.replace("\u00a0", " ")))


def parse_dateline(line: str) -> str | None:
    """ISO date if the whole line is a dateline (e.g. 'Thứ Tư, 22-06-2022, 17:57') with a real date, else None."""
    if not is_dateline(line):
        return None
    dates = find_dates(line)
    return dates[0].iso if dates else None


def lead_date(line: str) -> str | None:
    """ISO date opening a lead paragraph ('Chiều 01/12/2020, tại Hà Nội'), else None."""
    m = _LEAD_DATE.match(line.replace("\u00a0", " "))
    if not m:
        return None
    dates = find_dates(m.group(0))
    return dates[0].iso if dates else None


# Times of day: 15h30, 17h, 8g15, 9:30, 8 giờ 30 phút sáng, 3 giờ chiều (the part of the day after
# the hour makes it 24-hour: chiều, tối 3 → 15). A bare `8 giờ` may be a duration (eight hours):
# `TimeMatch.clock` says whether the text can only be a time of day.
_TIME = re.compile(
    r"(?<![\w.,:/])(\d{1,2})(?:\s*(h|g|giờ)\s*(?:(\d{2})(?:\s*(?:phút|p)\b)?)?|:(\d{2}))(?![\w:/]|[.,]\d)"
    r"(?:\s+(sáng|trưa|chiều|tối|đêm)\b)?",
    re.IGNORECASE,
)
_LATER = {"chiều": 12, "tối": 12, "đêm": 12}  # a part of the day after noon (đêm from 6 on)
_DURING = re.compile(r"\b(?:trong|suốt|mất|kéo dài)\s+$", re.IGNORECASE)  # trong 8h: eight hours


@dataclass(frozen=True)
class TimeMatch:
    """A time of day found in text: where, what it said, `HH:MM` (24-hour), and whether it can only
    be a time of day (`15h30`, `9:30`, `3 giờ chiều`) rather than a duration (`8 giờ`)."""

    start: int
    end: int
    text: str
    hhmm: str
    clock: bool


def find_times(text: str) -> list[TimeMatch]:
    """Every time of day in Vietnamese notation, in order."""
    found = []
    for m in _TIME.finditer(text):
        hour, unit, minutes, colon, part = m.groups()
        hour, minute = int(hour), int(minutes or colon or 0)
        if part and part.lower() in _LATER and hour < 12 and (part.lower() != "đêm" or hour >= 6):
            hour += 12
        if hour > 23 or minute > 59 or (unit is None and colon is None):
            continue
        during = _DURING.search(text, max(0, m.start() - 8), m.start())
        clock = (unit is None or minutes is not None or part is not None
                 or (unit.lower() != "giờ" and not during))
        found.append(TimeMatch(m.start(), m.end(), m.group(0), f"{hour % 24:02d}:{minute:02d}", clock))
    return found
