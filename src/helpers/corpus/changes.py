"""What changed in the collection since the previous run into the same OUT: `reports.csv`'s
`first_seen` and `last_changed`, and run.json's `collection` section (new, changed, removed).

Each corpus run has one run time (UTC, to the second, `2026-12-06T02:15:00Z`), later than the
previous run's. A report is new when first seen in this run, changed when the text of its lines
differs from the previous run's. Nothing extra is stored for this: the previous state is what the
previous run left in `OUT/data/` (reports.csv's dates, the ledger's text, digested here, and
run.json's run time), read before this run replaces it. A removed report is named in the record.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from helpers.store.contract import TABLES
from helpers.store.digests import grouped_digests
from helpers.store.files import read_csv, read_json

RUN_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
COLUMNS = ("first_seen", "last_changed")  # the reports.csv columns this module fills
SECTION = "collection"  # run.json's section


@dataclass(frozen=True)
class Previous:
    """What the previous run into this OUT left: its run time, its reports (with `file`, `title`,
    `first_seen`, `last_changed`) and a digest of each report's text. Empty for a first run."""

    run_time: str | None = None
    reports: list[dict[str, str]] = field(default_factory=list)
    digests: dict[str, bytes] = field(default_factory=dict)


def text_digests(ledger: pd.DataFrame, only: Collection[str] | None = None) -> dict[str, bytes]:
    """Each report's digest of its lines' text as read (roles and reasons apart: a change of the
    rules is not a change of the report), in one vectorised pass over the ledger; of the reports
    `only`, when given."""
    if only is not None:
        ledger = ledger[ledger["report_id"].isin(set(only))]
    return grouped_digests(ledger, ["text"])


def read_previous(data_dir: Path, run_json: Path, tables: Mapping[str, pd.DataFrame] | None = None,
                  only: Collection[str] | None = None) -> Previous:
    """The previous run's state in `OUT/data/` (its reports and ledger as `tables` holds them, when the
    runner has read them already); a first run's (or an output written before these columns existed,
    or half of one) is empty, so every report is new. `only`: the reports whose text is digested (those
    a corpus run read anew; the others' lines are the previous run's rows themselves)."""
    recorded = read_json(run_json).get(SECTION)
    run_time = recorded.get("run_time") if isinstance(recorded, dict) else None
    if run_time is None:
        return Previous()
    try:
        reports = tables["reports"] if tables else read_csv(data_dir / TABLES["reports"].file)
        ledger = tables["ledger"] if tables else read_csv(data_dir / TABLES["ledger"].file)
    except (OSError, ValueError):
        return Previous()
    if not set(COLUMNS) <= set(reports.columns) or "text" not in ledger.columns:
        return Previous()
    kept = reports[["report_id", "file", "title", *COLUMNS]]
    return Previous(run_time, [dict(zip(kept.columns, row)) for row in zip(*(kept[c].tolist() for c in kept.columns))],
                    text_digests(ledger, only))


def run_time_after(previous: str | None, now: datetime | None = None) -> str:
    """This run's time: now (UTC, to the second), or a second after the previous run's when the
    clock says otherwise (two runs within a second, a clock set back): run times only increase."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    try:
        after = datetime.strptime(previous or "", RUN_TIME_FORMAT).replace(tzinfo=timezone.utc) + timedelta(seconds=1)
    except ValueError:  # none, or not a run time (run.json edited by hand): nothing to be later than
        after = now
    return max(now, after).strftime(RUN_TIME_FORMAT)


def track_changes(previous: Previous, reports: pd.DataFrame, ledger: pd.DataFrame,
                  run_time: str, only: Collection[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """`reports` with `first_seen` and `last_changed` filled, and run.json's `collection` record:
    the run times, the new and changed report ids, the removed reports (id, title, file). `only`: the
    reports whose lines may differ from the previous run's (as `read_previous` was given them); the
    lines of the others are the previous run's own rows, so their text is unchanged (at 10,000 reports,
    digesting every report's lines, then and now, took 0.5 s of a day's run)."""
    before = {r["report_id"]: r for r in previous.reports}
    digests = text_digests(ledger, only)
    compared = set(only) if only is not None else None
    first_seen, last_changed, new, changed = [], [], [], []
    for report_id in reports["report_id"].tolist():
        old = before.get(report_id)
        if old is None:
            first_seen.append(run_time)
            last_changed.append(run_time)
            new.append(report_id)
            continue
        first_seen.append(old["first_seen"] or run_time)
        if (compared is None or report_id in compared) and previous.digests.get(report_id) != digests.get(report_id):
            last_changed.append(run_time)
            changed.append(report_id)
        else:
            last_changed.append(old["last_changed"] or old["first_seen"] or run_time)
    current = set(reports["report_id"])
    removed = [{"report_id": r["report_id"], "title": r["title"], "file": r["file"]}
               for r in previous.reports if r["report_id"] not in current]
    table = reports.assign(first_seen=first_seen, last_changed=last_changed)
    record = {"run_time": run_time, "previous_run_time": previous.run_time,
              "new": new, "changed": changed, "removed": removed}
    return table, record


def changes_said(record: dict | None) -> str:
    """The corpus line's account of the changes (`, 3 new, 1 changed, 1 removed`); nothing on a
    first run (every report is new) or when the corpus was read back unchanged (`record` None)."""
    if not record or record.get("previous_run_time") is None:
        return ""
    return (f", {len(record['new'])} new, {len(record['changed'])} changed, "
            f"{len(record['removed'])} removed")
