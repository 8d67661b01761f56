"""Facts a translation must carry: numbers, fractions, dates, times, document codes, URLs, e-mail
addresses, phone numbers and vehicle plates, compared as values.

A Vietnamese source writes `1.500.000`, `2,4%`, `06`, `16-3-2022`, `22/6`, `tháng 3`; a correct
English translation writes `1,500,000`, `2.4%`, `six`, `March 16, 2022`, `June 22`, `March`. So
each side is read in its own conventions into comparable keys (a number's value, an ISO date,
`--06-22` for a day and month without a year) and compared as values; document codes and URLs
are compared as written (a code may lose the stroke of its Đ in English: `205-QD/TW`); `1.234,56`
is 1234.56 (`1,234.56`). Times of day, fractions, phones, plates and e-mails: `checks.values`.

`compare` returns flags that name what changed (`number_changed:450→405`,
`date_missing:2022-03-16`, `code_missing:205-QĐ/TW`) and the source texts that are really missing
(for the repair note). Number words (`seven`, `first`, `twenty-two`) and `half` (of a year: six
months) only ever satisfy a source number; a number the English writes in digits that the source
does not hold is `number_added` (or, paired with a missing one, `number_changed`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from helpers.checks.flags import flag
from helpers.checks.values import (IDENTIFIER_KINDS, IDENTIFIERS, Found, carried, compare_times, english_fractions,
                                   english_times, fraction_words, source_fractions, time_numbers)
from helpers.text.dates import find_dates, find_times, to_iso
from helpers.text.spans import PARTIAL_DATE

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"

# English dates: March 16, 2022 · 16 March 2022 · the 16th of March 2022 · March 2022 · June 22
_EN_MDY = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")
_EN_DMY = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")
_EN_MY = re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b")
_EN_MD = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?![,.]?\d)")
_EN_DM = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b")
_EN_M = re.compile(rf"\b{_MONTH}\b")

# Vietnamese month expressions: tháng 3/2022, tháng 3 năm 2022, tháng 3 (not "7 tháng": seven months)
_VI_MY = re.compile(r"(?<!\d\s)\btháng\s+(\d{1,2})(?:\s*/\s*|\s+năm\s+)(\d{4})\b", re.I)
_VI_M = re.compile(r"(?<!\d\s)\btháng\s+(\d{1,2})\b(?![/.-]\d)", re.I)

# Numbers. Vietnamese: 1.500.000 (thousands), 2,4 (decimal). English: 1,500,000 and 2.4.
# Not inside a word or code (COVID-19, F0), but units may follow (15km, 1.500.000đ) and ranges join (2021-2025).
_NOT_INSIDE = r"(?<![^\W\d_]-)(?<![\w.,/])"
_VI_NUMBER = re.compile(rf"{_NOT_INSIDE}(\d+(?:[.,]\d+)*)(%?)(?:\s+(nghìn|ngàn|triệu|tỷ|tỉ)\b)?(?![/\d])", re.I)
_EN_NUMBER = re.compile(
    rf"{_NOT_INSIDE}(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(%?)(?:\s+(thousand|million|billion)\b)?(?![/\d])", re.I)
_CURRENCY = re.compile(r"\b(VND|USD|EUR)(?=\d)")
_ROMAN = re.compile(r"\b(?:khóa|khoá|lần thứ|thứ|kỳ|kì)\s+([IVXLC]+)\b")
SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9,
          "thousand": 10**3, "million": 10**6, "billion": 10**9}

UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINALS = ("_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
TENTHS = "_ _ twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
_WORD_VALUES = {**{w: i for i, w in enumerate(UNITS)}, **{w: i for i, w in enumerate(ORDINALS) if i},
                **{w: 10 * i for words in (TENS, TENTHS) for i, w in enumerate(words) if i > 1},
                "dozen": 12, "once": 1, "twice": 2, "single": 1, "half": 6}  # half (of a year): six months
_TENS_UNITS = re.compile(rf"\b({'|'.join(TENS[2:])})[-\s]({'|'.join(UNITS[1:10] + ORDINALS[1:10])})\b", re.I)
_WORD = re.compile(r"\w+")
_TENS_WORDS = frozenset(TENS[2:])


@dataclass(frozen=True)
class Fact:
    """A value a text states: kind (number, date, code, url), comparable keys (the first is the
    canonical one), the text as written, and whether a translation must carry it."""

    kind: str
    keys: tuple[str, ...]
    text: str
    required: bool = True

    @property
    def key(self) -> str:
        return self.keys[0]


def _value(d: Decimal) -> str:
    """A number's comparable key: '6' for 06, '2.4' for 2,40, '1500000' for 1.5e6."""
    return format(d.normalize(), "f")


def _parse(digits: str, thousands: str, decimal: str) -> list[Decimal]:
    """Readings of a written number in one convention (both when it could be either)."""
    readings = []
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+\{decimal}\d+", digits):  # 1.234,56 (1,234.56)
        readings.append(Decimal(digits.replace(thousands, "").replace(decimal, ".")))
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+", digits):
        readings.append(Decimal(digits.replace(thousands, "")))
    if re.fullmatch(rf"\d+\{decimal}\d+", digits):
        readings.append(Decimal(digits.replace(decimal, ".")))
    if digits.isdigit():
        readings.append(Decimal(digits))
    return readings


def _number_keys(digits: str, scale: str | None, thousands: str, decimal: str) -> tuple[str, ...]:
    try:
        readings = _parse(digits, thousands, decimal)
    except InvalidOperation:
        readings = []
    if not readings:
        return ()
    factor = SCALES.get((scale or "").lower(), 1)
    keys = [_value(r * factor) for r in readings] + [_value(r) for r in readings]
    return tuple(dict.fromkeys(keys))


class _Masked:
    """Text whose found facts are blanked out, so a date's digits are not read again as numbers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.facts: list[Fact] = []

    def take(self, rx: re.Pattern[str], make) -> None:
        """Each match of rx that `make` turns into a fact is recorded and blanked."""
        self.take_spans([(m.start(), m.end(), make(m)) for m in rx.finditer(self.text)])

    def take_spans(self, found: list[tuple[int, int, Fact | None]]) -> None:
        for start, end, fact in found:
            if fact is not None:
                self.facts.append(fact)
                self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def take_identifiers(self) -> None:
        """E-mail addresses, vehicle plates, document codes, URLs and phone numbers (`values.IDENTIFIERS`)."""
        for kind, rx, key in IDENTIFIERS:
            self.take(rx, lambda m, kind=kind, key=key: Fact(kind, (k,), m[0]) if (k := key(m[0])) else None)

    def take_found(self, kind: str, found: list[Found]) -> None:
        """Spans a reader of `checks.values` found, as facts of this kind."""
        self.take_spans([(start, end, Fact(kind, keys, text)) for start, end, keys, text in found])

    def take_dates(self) -> None:
        """Day-first numeric, worded Vietnamese and ISO dates (`dates.find_dates`)."""
        self.take_spans([(d.start, d.end, Fact("date", (d.iso,), d.text)) for d in find_dates(self.text)])


def _roman(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        total += -values[a] if values.get(b, 0) > values[a] else values[a]
    return total


FACTS_CACHED = 1 << 16  # texts whose facts are kept: a sentence is read by its check and its report's summary checks


def source_facts(text: str) -> list[Fact]:
    """Numbers, dates, codes and URLs of a Vietnamese text, read in Vietnamese conventions."""
    return list(_source_facts(text))


def english_facts(text: str) -> list[Fact]:
    """Numbers (in digits), dates, codes and URLs of an English text, read in English conventions."""
    return list(_english_facts(text))


@lru_cache(maxsize=FACTS_CACHED)
def _source_facts(text: str) -> tuple[Fact, ...]:
    masked = _Masked(text)
    masked.take_identifiers()
    masked.take_dates()
    masked.take(_VI_MY, lambda m: Fact("date", (f"{m[2]}-{int(m[1]):02d}",), m[0]) if 1 <= int(m[1]) <= 12 else None)
    masked.take_spans([(tm.start, tm.end, Fact("time", (tm.hhmm,), tm.text, required=tm.clock))
                       for tm in find_times(masked.text)])
    masked.take_found("number", source_fractions(masked.text))

    def partial(m: re.Match[str]) -> Fact | None:
        day, month = (int(x) for x in re.split(r"[/-]", m.group(0)))
        return Fact("date", (f"--{month:02d}-{day:02d}",), m.group(0)) if to_iso(day, month, 2000) else None

    masked.take(PARTIAL_DATE, partial)
    masked.take(_VI_M, lambda m: Fact("date", (f"--{int(m[1]):02d}",), m.group(0)) if 1 <= int(m[1]) <= 12 else None)
    masked.take(_ROMAN, lambda m: Fact("number", (str(_roman(m[1])),), m[1], required=False))
    masked.take(_VI_NUMBER, lambda m: Fact("number", keys, m.group(0).strip())
                if (keys := _number_keys(m[1], m[3], ".", ",")) else None)
    return tuple(masked.facts)


@lru_cache(maxsize=FACTS_CACHED)
def _english_facts(text: str) -> tuple[Fact, ...]:
    masked = _Masked(_CURRENCY.sub(r"\1 ", text))  # VND1,500,000: the amount is a number of its own
    masked.take_identifiers()

    masked.take_found("time", english_times(masked.text))
    masked.take_found("number", english_fractions(masked.text))
    def month(name: str) -> int:
        return MONTHS.index(name.lower()) + 1

    def dated(year: str | None, mon: int, day: str | None) -> tuple[str, ...] | None:
        if day is not None and not to_iso(int(day), mon, int(year) if year else 2000):
            return None
        if year and day:
            return (f"{year}-{mon:02d}-{int(day):02d}",)
        if year:
            return (f"{year}-{mon:02d}",)
        return (f"--{mon:02d}-{int(day):02d}",) if day else (f"--{mon:02d}",)

    def fact(keys: tuple[str, ...] | None, m: re.Match[str]) -> Fact | None:
        return Fact("date", keys, m.group(0)) if keys else None

    masked.take(_EN_MDY, lambda m: fact(dated(m[3], month(m[1]), m[2]), m))
    masked.take(_EN_DMY, lambda m: fact(dated(m[3], month(m[2]), m[1]), m))
    masked.take_dates()  # day-first numeric and ISO dates, as a model may copy them
    masked.take(_EN_MY, lambda m: fact(dated(m[2], month(m[1]), None), m))
    masked.take(_EN_MD, lambda m: fact(dated(None, month(m[1]), m[2]), m))
    masked.take(_EN_DM, lambda m: fact(dated(None, month(m[2]), m[1]), m))

    def partial(m: re.Match[str]) -> Fact | None:
        day, mon = (int(x) for x in re.split(r"[/-]", m.group(0)))
        return fact(dated(None, mon, str(day)), m) if 1 <= mon <= 12 else None

    masked.take(PARTIAL_DATE, partial)
    masked.take(_EN_M, lambda m: fact(dated(None, month(m[1]), None), m) if m[1] != "May" or m.start() else None)
    masked.take(_EN_NUMBER, lambda m: Fact("number", keys, m.group(0).strip())
                if (keys := _number_keys(m[1], m[3], ",", ".")) else None)
    return tuple(masked.facts)


def number_words(text: str) -> set[str]:
    """Values written as words ('seven', 'first', 'twenty-two', 'half' of a year): they satisfy a
    source number but are never counted as added, since 'one of' renders no number."""
    # Every number word is a whole word: looked up word by word (casefolded, as the patterns match
    # under re.I) rather than by one pattern of 60 alternatives tried at every word.
    words = {w.casefold() for w in _WORD.findall(text)}
    values = {str(_WORD_VALUES[w]) for w in words if w in _WORD_VALUES}
    if words & _TENS_WORDS:
        for tens, unit in _TENS_UNITS.findall(text):
            values.add(str(_WORD_VALUES[tens.lower()] + _WORD_VALUES[unit.lower()]))
    return values


def _date_fields(key: str) -> tuple[str | None, str, str | None]:
    """(year, month, day) of a date key: 2022-03-16, 2022-03, --03-16 or --03."""
    if key.startswith("--"):
        month, _, day = key[2:].partition("-")
        return None, month, day or None
    year, month, *days = key.split("-")
    return year, month, days[0] if days else None


def _date_parts(key: str) -> set[str]:
    """Numbers a date states (its year and day), which may also stand as numbers of their own."""
    year, _, day = _date_fields(key)
    return {str(int(p)) for p in (year, day) if p}


def _date_satisfied(key: str, english: Sequence[str], numbers: AbstractSet[str]) -> bool:
    """A source date is carried by an English date with the same month and day (when the source
    gives a day) and year (when the source gives one: in the date itself or, when the English
    drops it from the date, anywhere in the English as a number)."""
    year, month, day = _date_fields(key)
    for e in english:
        e_year, e_month, e_day = _date_fields(e)
        if e_month != month or (day is not None and e_day != day):
            continue
        if year is None or e_year == year or (e_year is None and str(int(year)) in numbers):
            return True
    return False


def code_carried(code: str, english: str) -> bool:
    """A code is carried as written, or with its Đ written D (as English output often does)."""
    return carried("code", code, code, english, set())


def compare(source: str, english: str) -> tuple[list[str], list[str]]:
    """Flags for facts of the source the English lacks or changed, and facts it adds; and the
    source texts really missing (for the repair note)."""
    src, eng = source_facts(source), english_facts(english)
    eng_numbers = {k for f in eng if f.kind == "number" for k in f.keys}
    eng_dates = [f.key for f in eng if f.kind == "date"]
    eng_times = [f for f in eng if f.kind == "time"]
    available = (eng_numbers | number_words(english) | {p for k in eng_dates for p in _date_parts(k)}
                 | fraction_words(english) | {n for f in eng_times for n in time_numbers(f.text, f.keys)})
    eng_keys = {k for f in eng if f.kind in ("plate", "phone") for k in f.keys}
    flags: list[str] = []
    missing: list[str] = []
    for f in src:
        if f.kind in IDENTIFIER_KINDS and not carried(f.kind, f.text, f.key, english, eng_keys):
            flags.append(flag(f"{f.kind}_missing", f.text))
            missing.append(f.text)
    time_flags, time_missing = compare_times([f for f in src if f.kind == "time"], eng_times, available)
    flags, missing = flags + time_flags, missing + time_missing

    src_dates = [f for f in src if f.kind == "date"]
    lost_dates = [f for f in src_dates if not _date_satisfied(f.key, eng_dates, available)]
    extra_dates = [f for f in eng if f.kind == "date" and len(f.key) != 4
                   and not any(_date_satisfied(s.key, [f.key], available) for s in src_dates)]
    for f in lost_dates:
        if extra_dates:
            flags.append(flag("date_changed", f"{f.key}→{extra_dates.pop(0).key}"))
        else:
            flags.append(flag("date_missing", f.key))
        missing.append(f.text)
    flags += [flag("date_added", f.key) for f in extra_dates]

    src_values = {k for f in src if f.kind == "number" for k in f.keys}
    src_values |= {p for f in src_dates for p in _date_parts(f.key)}
    lost: list[Fact] = []
    for f in src:
        if f.kind == "number" and f.required and not set(f.keys) & available and f.key not in {x.key for x in lost}:
            lost.append(f)
    extra = [f for f in eng if f.kind == "number" and not set(f.keys) & src_values]
    extra = list({f.key: f for f in extra}.values())
    for f in lost:
        if extra:
            flags.append(flag("number_changed", f"{f.text}→{extra.pop(0).text}"))
        else:
            flags.append(flag("number_missing", f.text))
        missing.append(f.text)
    flags += [flag("number_added", f.text) for f in extra]
    return flags, list(dict.fromkeys(missing))


def stated_values(texts: list[str], english: bool) -> tuple[set[str], list[str]]:
    """All number keys (with dates' years and days, and number words for English) and date keys
    that texts state: what a summary may say without being unsupported."""
    numbers: set[str] = set()
    dates: list[str] = []
    for text in texts:
        facts = english_facts(text) if english else source_facts(text)
        numbers |= {k for f in facts if f.kind == "number" for k in f.keys}
        dates += [f.key for f in facts if f.kind == "date"]
        if english:
            numbers |= number_words(text)
    numbers |= {p for k in dates for p in _date_parts(k)}
    return numbers, dates


def date_supported(key: str, stated: Sequence[str], numbers: AbstractSet[str]) -> bool:
    """True if a date (of a summary) agrees with one a text states: the same day and month, and
    year when both give one, either way round (`June 22` for `22/6`, `June 22, 2022` for `22/6`
    in a report of 2022)."""
    return any(_date_satisfied(key, [s], numbers) or _date_satisfied(s, [key], numbers) for s in stated)
