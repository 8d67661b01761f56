"""What the review panel offers, as plain data: each Vietnamese sentence once with every place it
occurs, the reports with their titles, dates and unreviewed counts, the choice a reviewer makes
(a report or all, unreviewed only, a flag) and the next unreviewed sentence. Built once when the
panel opens (grouped with pandas), then answered from dictionaries: hundreds of reports stay quick.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.checks.flags import flag_code, split_flags
from helpers.inference.sentences import REPAIR_NOTE

ALL = ""  # the choice of every report
NOTE_START = REPAIR_NOTE.split("{")[0]  # " [kept from the source: "


def without_notes(english: str, flags: str) -> str:
    """The English a reviewer approves: the run's, without the note the project adds to a repaired
    sentence ("[kept from the source: 6]"); a reviewer who wants it types it."""
    if "repaired" in {flag_code(f) for f in split_flags(flags)} and english.endswith("]") and NOTE_START in english:
        return english[:english.rindex(NOTE_START)].rstrip()
    return english


@dataclass(frozen=True)
class Item:
    """A Vietnamese sentence to review, once however often it occurs: the run's English, the English
    Approve saves (`machine`: the run's without the project's notes), its flags, where it occurs."""

    source: str
    english: str
    machine: str
    flags: str
    places: tuple[tuple[str, int], ...]  # (report_id, sentence_no), in the run's order
    origin: str

    @property
    def codes(self) -> set[str]:
        return {flag_code(f) for f in split_flags(self.flags)}


@dataclass(frozen=True)
class Report:
    """A report as the picker shows it."""

    report_id: str
    title: str
    date: str


@dataclass
class Queue:
    """Every sentence of a run to review (flagged, or reviewed before), each once; the reports."""

    items: dict[str, Item]
    by_report: dict[str, list[str]]  # report_id → its sentences to review: flagged first, then the others
    reports: dict[str, Report]

    def flagged(self, report_id: str = ALL) -> list[str]:
        """The flagged sentences of a report (of the run for ALL), each once."""
        sources = self.by_report.get(report_id, []) if report_id else self.items
        return [s for s in sources if self.items[s].flags]

    def choose(self, report_id: str, reviewed: Collection[str], unreviewed_only: bool = True,
               code: str = "") -> list[str]:
        """The sentences shown for a choice: a report's (all its sentences, flagged first) or every
        flagged or reviewed one; without the reviewed ones when asked; only those with flag `code`."""
        if report_id:
            sources = self.by_report.get(report_id, [])
        else:
            sources = [s for s, i in self.items.items() if i.flags or s in reviewed or i.origin == "review"]
        if unreviewed_only:
            sources = [s for s in sources if s not in reviewed]
        if code:
            sources = [s for s in sources if code in self.items[s].codes]
        return sources

    def unreviewed(self, reviewed: Collection[str]) -> dict[str, int]:
        """Per report, its flagged sentences not yet reviewed (a sentence of two reports counts in each)."""
        return {rid: sum(s not in reviewed for s in self.flagged(rid)) for rid in self.reports}

    def next_unreviewed(self, report_id: str, shown: list[str], after: int, reviewed: Collection[str],
                        code: str = "") -> tuple[str, str] | None:
        """The next unreviewed flagged sentence and the choice it is in: after position `after` of
        `shown` (the list on screen), else from the start of the next reports (for ALL: of the whole
        list); None when every flagged sentence (with flag `code`) is reviewed."""
        def first(sources: list[str]) -> str | None:
            return next((s for s in sources if self.items[s].flags and s not in reviewed), None)

        found = first(shown[after + 1:])
        if found:
            return report_id, found
        if not report_id:
            found = first(self.choose(ALL, reviewed, True, code))
            return (ALL, found) if found else None
        order = list(self.reports)
        start = order.index(report_id) + 1 if report_id in self.reports else 0
        for rid in order[start:] + order[:start]:
            found = first(self.choose(rid, reviewed, True, code))
            if found:
                return rid, found
        return None

    def counted(self, reviewed: Collection[str], report_id: str = ALL) -> tuple[int, int, int]:
        """(reviewed, flagged sentences, places): sentences each once, as the panel lists them; places
        as `make` counts flagged sentences (every occurrence)."""
        sources = self.flagged(report_id)
        done = sum(s in reviewed for s in sources)
        if report_id:
            return done, len(sources), len(sources)
        return done, len(sources), sum(len(self.items[s].places) for s in sources)


def build_queue(sentences: pd.DataFrame, reports: pd.DataFrame | None) -> Queue:
    """The queue of a run's sentences.csv (and reports.csv for the titles and dates)."""
    frame = sentences[["report_id", "sentence_no", "text_vi", "text_en", "flags", "origin"]].fillna("")
    places: dict[str, list[tuple[str, int]]] = {}
    for rid, no, vi in zip(frame["report_id"], frame["sentence_no"], frame["text_vi"]):
        places.setdefault(vi, []).append((rid, int(no)))
    first = frame.drop_duplicates("text_vi")
    items = {r["text_vi"]: Item(r["text_vi"], r["text_en"], without_notes(r["text_en"], r["flags"]), r["flags"],
                                tuple(places[r["text_vi"]]), r["origin"]) for r in first.to_dict("records")}
    by_report: dict[str, list[str]] = {}
    for rid, group in frame.groupby("report_id", sort=False):
        ordered = list(dict.fromkeys(group["text_vi"]))
        flagged = [s for s in ordered if items[s].flags]
        by_report[str(rid)] = flagged + [s for s in ordered if not items[s].flags]
    known: dict[str, Report] = {}
    if reports is not None:
        for r in reports.fillna("").to_dict("records"):
            known[r["report_id"]] = Report(r["report_id"], str(r["title"]), str(r["date"]))
    return Queue(items, by_report, {rid: known.get(rid, Report(rid, "", "")) for rid in by_report})


def report_label(report: Report, unreviewed: int, flagged: int) -> str:
    """A report in the picker: its title and date, then how many flagged sentences wait."""
    title = report.title if len(report.title) <= 70 else report.title[:69] + "…"
    waiting = f"{unreviewed} to review" if unreviewed else "all reviewed" if flagged else "nothing flagged"
    return f"{title or report.report_id} · {report.date or 'no date'} · {waiting}"


def picker_options(queue: Queue, unreviewed: Mapping[str, int], search: str, keep: str,
                   waiting: int) -> list[tuple[str, str]]:
    """The picker's (label, report_id) pairs: all reports first, then those matching `search`
    (in the title, date or id, any case), the ones with most to review first; `keep` (the report
    shown) always stays listed; `waiting`: the run's unreviewed flagged sentences, each once."""
    wanted = search.strip().casefold()
    chosen = [r for r in queue.reports.values()
              if r.report_id == keep or not wanted
              or wanted in f"{r.title} {r.date} {r.report_id}".casefold()]
    chosen.sort(key=lambda r: (-unreviewed.get(r.report_id, 0), r.date, r.title))
    everything = f"All reports · {len(queue.flagged())} flagged sentences, each once · {waiting} to review"
    labels = [report_label(r, unreviewed.get(r.report_id, 0), len(queue.flagged(r.report_id))) for r in chosen]
    return [(everything, ALL)] + [(label, r.report_id) for label, r in zip(labels, chosen)]


def places_html(item: Item, reports: Mapping[str, Report], escape) -> str:
    """Where a sentence occurs: inline for one or two places, folded (<details>) for more."""
    def one(rid: str, no: int) -> str:
        title = reports[rid].title if rid in reports else ""
        return f"{escape((title if len(title) <= 60 else title[:59] + '…') or rid)} #{no}"

    if len(item.places) <= 2:
        return "; ".join(one(r, n) for r, n in item.places)
    n_reports = len({r for r, _ in item.places})
    listed = "".join(f"<li>{one(r, n)}</li>" for r, n in item.places)
    return (f"<details><summary>in {len(item.places)} places of {n_reports} reports</summary>"
            f"<ul>{listed}</ul></details>")
