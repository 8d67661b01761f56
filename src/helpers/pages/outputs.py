"""A run's outputs read back for its pages: the data contract's tables and run.json (`load_outputs`),
grouped by report once for every page, with what every page says alike (titles, counts, provenance,
the demo banner). `pages.report` renders one report from them, `pages.listing` the index and the digest.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.store.contract import STAGE_SECTIONS, TABLES, HasDataDir, columns, read_table
from helpers.store.files import read_json
from helpers.store.paths import RUN_JSON_FILE
from helpers.store.segments import recorded_digests

DEMO_BANNER = (
    "DEMO MODELS: the English text on this page was produced by tiny random-weight demo models. "
    "It is not a translation and not a summary; it only shows that every step of the pipeline ran."
)
DEMO_NOTE = "> **DEMO MODELS.** "  # how a stage notebook's own note begins (its exported page has the banner instead)


def demo_note() -> str:
    """The demo banner's words as a stage notebook shows them in JupyterLab (Markdown, quoted)."""
    return DEMO_NOTE + DEMO_BANNER.removeprefix("DEMO MODELS: ").replace("this page", "this notebook")


Record = dict[str, str]  # a row of a contract table: every value as written in the CSV


def ran_on_demo(run: dict) -> bool:
    """True if any model of a run (its run.json) was a demo model."""
    return any(m.get("demo") for m in run.get("models", {}).values())


@dataclass
class Outputs:
    """The data contract of a run, read back for the report pages."""

    reports: pd.DataFrame
    sentences: pd.DataFrame
    summaries: pd.DataFrame
    references: pd.DataFrame
    problems: pd.DataFrame
    run: dict
    # the entities step's tables: empty for a run without them (an OUT written before the step existed)
    entities: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=columns("entities")))
    mentions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=columns("mentions")))
    # each table's digest of each report's rows as stored (`store.segments.recorded_digests`), where its file has them
    stored: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def demo(self) -> bool:
        """True if any model of the run was a demo model."""
        return ran_on_demo(self.run)

    @cached_property
    def provenance(self) -> dict[str, object]:
        """`provenance(self.run)`, made once for every page of the run."""
        return provenance(self.run)

    @cached_property
    def _records(self) -> dict[str, dict[str, list[Record]]]:
        """Each table's records grouped by report, once for all pages, a table when first asked for."""
        return {}

    @cached_property
    def _digests(self) -> dict[str, dict[str, bytes]]:
        """Each table's rows digested by report (`pages.digest.table_digests`), once for all pages."""
        return {}

    @cached_property
    def _kept(self) -> dict[str, dict[str, tuple[str, bytes]]]:
        """What a previous run digested (`pages.digest.kept_digests`): by table and report, the digest of
        its rows as stored and that of what its page shows of them (reused where the first is unchanged)."""
        return {}

    def records(self, table: str, report_id: str) -> list[Record]:
        """One report's rows of a table (reports, sentences, summaries, references, mentions) as plain records
        in the table's order, grouped once for all pages (a page reads its own without pandas)."""
        if table not in self._records:
            self._records[table] = grouped_records(getattr(self, table))
        return self._records[table].get(report_id, [])

    def records_of(self, table: str, report_ids: Collection[str]) -> dict[str, list[Record]]:
        """The rows of a table of these reports only, grouped as `records` groups them (not kept: a page
        over a few reports, such as the digest, reads their rows without grouping the whole table)."""
        if table in self._records:
            return {rid: self._records[table].get(rid, []) for rid in report_ids}
        frame = getattr(self, table)
        return grouped_records(frame[frame["report_id"].isin(list(report_ids))])

    @cached_property
    def entity(self) -> dict[str, Record]:
        """Every entity's record by its id (kind, names, counts), once for all pages."""
        return {str(e["entity_id"]): e for e in plain_records(self.entities.fillna(""))}

    def named_in(self, report_id: str) -> list[Record]:
        """The entities a report names, each once, by id (looked up, not searched: a page per report)."""
        ids = {str(m["entity_id"]) for m in self.records("mentions", report_id)}
        return [self.entity[i] for i in sorted(ids) if i in self.entity]

    @cached_property
    def _at(self) -> dict[str, tuple[pd.DataFrame, dict[str, np.ndarray]]]:
        """Each table's row positions by report, with the frame they are of (grouped once for every share, a
        table when first asked for; again for a table replaced since)."""
        return {}

    def share(self, report_ids: list[str]) -> "Outputs":
        """The outputs of these reports only (what their pages need; sent to a cluster's workers): each table's
        rows of them in the table's order, taken at the positions grouped once (a filter of every table for
        each share of 25 pages was 7.5 s of a first run's pages at 10,000 reports)."""
        wanted = list(dict.fromkeys(report_ids))

        def of(table: str) -> pd.DataFrame:
            frame = getattr(self, table)
            if table not in self._at or self._at[table][0] is not frame:
                self._at[table] = (frame, frame.groupby("report_id", sort=False).indices)
            at = self._at[table][1]
            found = [at[rid] for rid in wanted if rid in at]
            return frame.take(np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.intp))

        mentions = of("mentions")
        return Outputs(of("reports"), of("sentences"), of("summaries"), of("references"),
                       self.problems, self.run, self.entities[self.entities["entity_id"].isin(mentions["entity_id"])],
                       mentions)


def plain_records(frame: pd.DataFrame) -> list[Record]:
    """A table's rows as plain records (the values `to_dict("records")` gives), each column made a list
    once: pandas' per-value access costs about a microsecond, a hundred thousand rows a table."""
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, values)) for values in zip(*(frame[c].tolist() for c in frame.columns))]


def grouped_records(frame: pd.DataFrame) -> dict[str, list[Record]]:
    """A table's rows as plain records (`plain_records`), grouped by report in the table's order."""
    by_report: dict[str, list[Record]] = {}
    for record in plain_records(frame):
        by_report.setdefault(record["report_id"], []).append(record)
    return by_report


@dataclass(frozen=True)
class Counts:
    """A report's sentences, counted the same way on its page and on the index."""

    total: int
    text: int
    captions: int
    flagged: int
    reviewed: int  # sentences whose English a person gave (origin `review`)


def load_outputs(where: HasDataDir | Path) -> Outputs:
    """Read `OUT/data/` (`where`: that folder, or a Config; written by the corpus, translation, summary and
    entities stages), each table checked; a run without the entities tables (written before that step
    existed) shows no entities."""
    data = where if isinstance(where, Path) else where.data_dir
    found = {name: read_table(data, name) for name in ("entities", "mentions") if (data / TABLES[name].file).is_file()}
    tables = {name: read_table(data, name, stage="translate" if name == "sentences" else None)
              for name in ("reports", "sentences", "summaries", "references")}
    stored = {name: recorded_digests(data / TABLES[name].file, [str(c) for c in frame.columns])
              for name, frame in {**tables, **found}.items()}
    return Outputs(**tables, problems=read_table(data, "problems"), run=read_json(data / RUN_JSON_FILE), **found,
                   stored={name: digests for name, digests in stored.items() if digests})


def pick_report(out: Outputs, report_id: str | None) -> str:
    """The report to show: the one asked for (a clear error listing the valid ids), else the first."""
    ids = out.reports["report_id"].tolist()
    if not ids:
        raise ValueError("reports.csv lists no report: every input was rejected (see problems.csv)")
    if report_id is None:
        return ids[0]
    if report_id not in ids:
        raise ValueError(f"no report {report_id!r} in reports.csv; the reports are: {', '.join(ids)}")
    return report_id


def display_title(report: Mapping[str, object], sentences: list[Record]) -> str:
    """The report's title, or its first sentence marked as such when it has no title line
    (`sentences`: the report's own, `Outputs.records`)."""
    if report["title"]:
        return str(report["title"])
    return f"(no title) {sentences[0]['text_vi'][:120]}…" if sentences else "(no title, no text)"


def english_title(sentences: list[Record]) -> str:
    """The English of the report's title sentence(s), or '' (`sentences`: the report's own)."""
    return " ".join(s["text_en"] for s in sentences if s["role"] == "title")


def counts(sentences: list[Record]) -> Counts:
    """Sentences of one report: all of them, title and body, captions, and how many are flagged."""
    captions = sum(s["role"] == "caption" for s in sentences)
    return Counts(len(sentences), len(sentences) - captions, captions, sum(s["flags"] != "" for s in sentences),
                  sum(s["origin"] == "review" for s in sentences))


def provenance(run: dict) -> dict[str, object]:
    """Models (revision or demo status, settings), stage timings, parameters and versions of the run."""
    models = pd.DataFrame(
        [[role, m.get("source"), "DEMO (random weights)" if m.get("demo") else f"revision {m.get('revision')}",
          ", ".join(f"{k}={v}" for k, v in (m.get("generation") or {}).items())]
         for role, m in run.get("models", {}).items()],
        columns=["used for", "model", "status", "settings"],
    )
    stages = pd.DataFrame([[k, run[k].get("seconds", "")] for k in STAGE_SECTIONS if k in run],
                          columns=["stage", "seconds"])
    return {
        "models": models,
        "stages": stages,
        "reviews": reviews_line(run),
        "parameters": ", ".join(f"{k}={v if v != '' else '(default)'}" for k, v in run.get("parameters", {}).items()),
        "versions": ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items()),
    }


def reviews_line(run: dict) -> str:
    """Provenance of the reviews a run used: the file, its digest, what was used and left unused."""
    used = run.get("translate", {}).get("reviews")
    if not used:
        return "no reviews"
    summaries = run.get("summarise", {}).get("reviews", {})
    return (f"{used['file']} (sha256 {used['sha256'][:12] or 'none: no file'}; reviews digest {used['digest'][:12]}): "
            f"{used['entries']} reviewed sentences, {used['used']} used in this run, {len(used['unused'])} unused; "
            f"{summaries.get('applied', 0)} reviewed summaries used, {summaries.get('stale', 0)} stale")
