"""A summary checked against its report: numbers, dates, codes and names that the report states
nowhere (compared as values: `June 22` is supported by `22/6`, `seven` needs no support; names
folded). What a report states is made once (`Support`) and shared by its three summaries' checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.checks.facts import code_carried, date_supported, english_facts, stated_values
from helpers.checks.flags import flag
from helpers.text.names import english_names, name_in


@dataclass(frozen=True)
class Support:
    """What a report states, as a summary is checked against it: number keys, date keys and the
    text itself. Made once per report and shared by the checks of its three summaries."""

    numbers: frozenset[str]
    dates: tuple[str, ...]
    haystack: str


def support_of(vietnamese: list[str], english: list[str]) -> Support:
    """The numbers, dates and text a report's Vietnamese and English sentences state."""
    numbers_vi, dates_vi = stated_values(vietnamese, english=False)
    numbers_en, dates_en = stated_values(english, english=True)
    return Support(frozenset(numbers_vi | numbers_en), tuple(dates_vi + dates_en), " ".join(vietnamese + english))


def unsupported(summary: str, vietnamese: list[str], english: list[str]) -> list[str]:
    """Numbers, dates, codes and names of a summary that the report states nowhere, compared as
    values (`June 22` is supported by `22/6`, `seven` needs no support) and names folded."""
    return unsupported_by(summary, support_of(vietnamese, english))


def unsupported_by(summary: str, support: Support) -> list[str]:
    """`unsupported`, against a report's `Support` made beforehand."""
    numbers, dates, haystack = support.numbers, support.dates, support.haystack
    flags = []
    for f in english_facts(summary):
        if f.kind == "number" and not set(f.keys) & numbers:
            flags.append(flag("unsupported_number", f.text))
        elif f.kind == "date" and not date_supported(f.key, dates, numbers):
            flags.append(flag("unsupported_date", f.text))
        elif f.kind in ("code", "url") and not code_carried(f.text, haystack):
            flags.append(flag(f"unsupported_{f.kind}", f.text))
    for name in english_names(summary):
        if not name_in(name, haystack):
            flags.append(flag("unsupported_name", name))
    return flags
