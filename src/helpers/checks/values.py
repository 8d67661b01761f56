"""The notations beside numbers and dates that a translation must carry, read as values for
`checks.facts`: times of day, fractions and identifiers (e-mail addresses, vehicle plates,
document codes, URLs, phone numbers).

Each reader gives spans `(start, end, keys, text)` of a text: the keys are comparable values, the
text is as written (for flags and notes). Times of day are 24-hour keys (`15h30`, `3:30 p.m.` and
`15:30` are all `15:30`; a bare `8 giờ` may be eight hours, so `8 hours` carries it too). A fraction
before a noun or after a word of quantity (`1/3 số vụ`, `chiếm 2/3`) is the number `1/3` (`a third
of`, `one-third of`, `1/3 of`), not the first of March. E-mail addresses are compared in any case,
vehicle plates without their separators, phone numbers by their digits (`+84 912…` = `0912…`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set as AbstractSet
from fractions import Fraction

from helpers.checks.flags import flag
from helpers.text.dates import find_times
from helpers.text.spans import DOC_CODE, EMAIL, FRACTION, PHONE, PLATE, URL, fraction_of, is_phone, phone_digits

Found = tuple[int, int, tuple[str, ...], str]  # start, end, keys, text as written

# English times: 3:30 p.m., 5 p.m., 5pm, 3.30pm; 15:30 (and 3:30, either half of the day); noon, midnight
_EN_TIME_AMPM = re.compile(r"(?<![\w.:])(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?", re.I)
_EN_TIME_COLON = re.compile(r"(?<![\w.:/])(\d{1,2}):(\d{2})(?![\d:])")
_EN_TIME_OCLOCK = re.compile(r"(?<![\w.:])(\d{1,2})\s+o['’]clock\b", re.I)
_EN_NOON = re.compile(r"\b(noon|midday|midnight)\b", re.I)
# English fractions: 1/3 of; a third of, one-third of, two thirds of, half of, a quarter of
_EN_FRACTION = re.compile(r"(?<![\w/.-])(\d{1,2})/(\d{1,2})(?=\s+of\b)")
_COUNTS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine".split())}
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                 "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7,
                 "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10}
_EN_FRACTION_WORDS = re.compile(
    rf"\b(a|an|{'|'.join(_COUNTS)})?[-\s]*({'|'.join(_DENOMINATORS)})\s+of\b", re.I)


def plate_key(text: str) -> str:
    """A vehicle plate without its separators (29A-123.45 → 29A12345)."""
    return re.sub(r"[\s.-]", "", text)


# (kind, pattern, key of a match or None when it is not one), in the order they are taken
IDENTIFIERS: tuple[tuple[str, re.Pattern[str], Callable[[str], str | None]], ...] = (
    ("email", EMAIL, str.lower),
    ("plate", PLATE, plate_key),
    ("code", DOC_CODE, str),
    ("url", URL, str),
    ("phone", PHONE, lambda text: phone_digits(text) if is_phone(text) else None),
)

IDENTIFIER_KINDS = tuple(kind for kind, _, _ in IDENTIFIERS)


def carried(kind: str, text: str, key: str, english: str, english_keys: AbstractSet[str]) -> bool:
    """An identifier of the source is in the English: a code or URL as written (a code's Đ may be D),
    an e-mail address in any case, a plate or phone number with the same key."""
    if kind in ("code", "url"):
        return text in english or text.replace("Đ", "D").replace("đ", "d") in english
    if kind == "email":
        return key in english.lower()
    return key in english_keys or text in english


def fraction_key(num: int, den: int) -> str:
    """A fraction's key: 1/3 (2/6 is 1/3 too)."""
    f = Fraction(num, den)
    return f"{f.numerator}/{f.denominator}"


def source_fractions(text: str) -> list[Found]:
    """Fractions of a Vietnamese text (`1/3 số vụ`, `chiếm 2/3`), not the dates they look like."""
    return [(m.start("num"), m.end("den"), (fraction_key(*frac),), f"{frac[0]}/{frac[1]}")
            for m in FRACTION.finditer(text) if (frac := fraction_of(m))]


def english_fractions(text: str) -> list[Found]:
    """Fractions in digits before `of` in an English text (`1/3 of`)."""
    return [(m.start(), m.end(), (fraction_key(int(m[1]), int(m[2])),), m.group(0))
            for m in _EN_FRACTION.finditer(text) if 0 < int(m[1]) < int(m[2])]


def fraction_words(text: str) -> set[str]:
    """Fractions written as words before `of` ('a third of', 'two-thirds of', 'half of'): they satisfy
    a source fraction but are never counted as added."""
    return {fraction_key(_COUNTS.get(count.lower(), 1), _DENOMINATORS[part.lower()])
            for count, part in _EN_FRACTION_WORDS.findall(text)}


def _clock(hour: int, minute: int, half: str | None) -> tuple[str, ...]:
    """Keys of an English time: 24-hour `HH:MM`; both halves of the day when it does not say which."""
    if half:
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
        return (f"{hour:02d}:{minute:02d}",)
    if hour <= 12:
        return tuple(dict.fromkeys((f"{hour % 12:02d}:{minute:02d}", f"{hour % 12 + 12:02d}:{minute:02d}")))
    return (f"{hour:02d}:{minute:02d}",)


def english_times(text: str) -> list[Found]:
    """Times of day of an English text (and a Vietnamese `15h30` copied into it), in order."""
    found: list[Found] = []

    def take(rx: re.Pattern[str], keys: Callable[[re.Match[str]], tuple[str, ...] | None]) -> None:
        nonlocal text
        for m in rx.finditer(text):
            if (k := keys(m)) is not None:
                found.append((m.start(), m.end(), k, m.group(0).strip()))
                text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]

    take(_EN_TIME_AMPM, lambda m: _clock(int(m[1]), int(m[2] or 0), m[3])
         if 1 <= int(m[1]) <= 12 and int(m[2] or 0) < 60 else None)
    take(_EN_TIME_COLON, lambda m: _clock(int(m[1]), int(m[2]), None) if int(m[1]) <= 23 and int(m[2]) < 60 else None)
    take(_EN_TIME_OCLOCK, lambda m: _clock(int(m[1]), 0, None) if 1 <= int(m[1]) <= 12 else None)
    take(_EN_NOON, lambda m: ("00:00",) if m[1].lower() == "midnight" else ("12:00",))
    found += [(tm.start, tm.end, (tm.hhmm,), tm.text) for tm in find_times(text) if tm.clock and "giờ" not in tm.text]
    return sorted(found)


def time_numbers(text: str, keys: Iterable[str]) -> set[str]:
    """The numbers a time states as written (`3:30 p.m.` → 3 and 30, `17h` → 17), and its 24-hour hours."""
    return {str(int(n)) for n in re.findall(r"\d+", text)} | {str(int(k[:2])) for k in keys}


def compare_times(source: list, english: list, available: AbstractSet[str]) -> tuple[list[str], list[str]]:
    """Flags for the times of day of the source (facts of kind `time`) that the English lacks or
    changed, and the times it adds; and the source texts missing. A time that may be a duration
    (`8 giờ`, not `required`) is carried by its number too (`eight hours`)."""
    flags: list[str] = []
    missing: list[str] = []
    extra = [e for e in english if not any(set(e.keys) & set(s.keys) for s in source)]
    for f in source:
        if any(set(f.keys) & set(e.keys) for e in english):
            continue
        number = re.match(r"\d+", f.text)
        if not f.required and number and str(int(number[0])) in available:
            continue
        flags.append(flag("time_changed", f"{f.text}→{extra.pop(0).text}") if extra else flag("time_missing", f.text))
        missing.append(f.text)
    return flags + [flag("time_added", e.text) for e in extra], missing
