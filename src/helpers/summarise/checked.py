"""A report's summaries held to the length bound (`length`) and checked against what the report states
(`checks.summary`), all of a report's at once: the report's numbers, dates and text are read once for its
summaries, and a collection's reports are checked on every core (`inference.cores`: the checks are
Python that holds one core, a few milliseconds a report)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from helpers.checks.summary import Support, support_of, unsupported_by
from helpers.inference.cores import ItemsOf, on_every_core
from helpers.summarise.length import bound_length


@dataclass(frozen=True)
class ReportSummaries:
    """A report's summaries as made, with what they are checked against: its sentences (Vietnamese and
    English) and the length bound (at most so many sentences, so many words)."""

    vietnamese: list[str]
    english: list[str]
    summaries: list[str]
    bound: tuple[int, int]


def check_report(item: ReportSummaries) -> list[tuple[str, list[str]]]:
    """Each summary of the report, in order, held to the bound, and its flags: the bound's cuts, then
    what the report does not state (an empty summary: empty, no flags)."""
    support: Support | None = None
    out: list[tuple[str, list[str]]] = []
    for summary in item.summaries:
        if not summary:
            out.append(("", []))
            continue
        bounded, cut = bound_length(summary, *item.bound)
        if support is None:
            support = support_of(item.vietnamese, item.english)
        out.append((bounded, cut + (unsupported_by(bounded, support) if bounded else [])))
    return out


def check_all(reports: list[str], item: Callable[[str], ReportSummaries],
              at_least: int) -> Iterator[list[tuple[str, list[str]]]]:
    """`check_report` of each report's item (`item(report_id)`), in order: on every core from `at_least` reports,
    here otherwise."""
    return on_every_core(check_report, ItemsOf(reports, item), at_least)
