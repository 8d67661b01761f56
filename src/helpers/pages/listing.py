"""The pages over the whole collection: the index (one compact row per report, newest first,
sortable and filterable by `templates/js/index.js`) with what changed since the previous run, and
the digest (the new and changed reports of this run with their summaries, read first each morning).

What is new comes from the collection helper's columns of reports.csv (`first_seen`,
`last_changed`) and run.json's `collection` section; a run without them shows no marks.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
from markupsafe import Markup

from helpers.checks.flags import codes_once, meaning, split_flags
from helpers.pages.outputs import DEMO_BANNER, Outputs, Record, display_title, plain_records
from helpers.pages.render import render

LISTED = 200  # rows an exported index holds as HTML; its script lists every row from ROWS_SCRIPT
NAMES_LISTED = 300  # entities the name filter suggests (the most named); it matches every entity
ROWS_SCRIPT = "index-rows.js"  # every row of the index as data, beside index.html
ROW_FIELDS = ("id", "title", "english_title", "date", "source", "format", "language", "total", "flagged",
              "reviewed", "status", "entities")  # a row in ROWS_SCRIPT, in templates/js/index.js's order


def status(report: Record, run_time: str) -> str:
    """'new' (first seen in this run), 'changed' (its text changed in this run) or ''."""
    if not run_time:
        return ""
    if report.get("first_seen") == run_time:
        return "new"
    return "changed" if report.get("last_changed") == run_time else ""


def source_name(report: Record) -> str:
    """The site's name as the collection helper cleaned it, else the source line as read."""
    return str(report.get("source_name") or report.get("source") or "")


def collection(run: dict) -> dict:
    """run.json's `collection` section (what changed since the previous run), or an empty one."""
    return {"run_time": "", "previous_run_time": None, "new": [], "changed": [], "removed": [],
            **run.get("collection", {})}


def whats_new(run: dict) -> str:
    """'Since the previous run (…): 3 new, 1 changed, 1 removed.' in words, or the first run's note."""
    c = collection(run)
    if not c["run_time"]:
        return ""
    if not c["previous_run_time"]:
        return f"This is the first run into this folder ({when(c['run_time'])}): every report is new."
    parts = [f"{len(c['new'])} new", f"{len(c['changed'])} changed", f"{len(c['removed'])} removed"]
    return f"Since the previous run ({when(c['previous_run_time'])}): {', '.join(parts)}."


def when(iso: str) -> str:
    """An ISO 8601 UTC time as '2026-05-01 10:15 UTC'."""
    return iso.replace("T", " ")[:16] + " UTC" if iso else ""


def report_rows(out: Outputs) -> list[dict]:
    """One row per report for the index and the digest, newest first (undated reports last): each
    table grouped by report once (pandas), not read report by report."""
    run_time = collection(out.run)["run_time"]
    reports, sents = out.reports, out.sentences
    ids = reports["report_id"]
    by_report = sents.groupby("report_id", sort=False)
    total = by_report.size().reindex(ids, fill_value=0)
    flagged = (sents["flags"] != "").groupby(sents["report_id"]).sum().reindex(ids, fill_value=0)
    reviewed = (sents["origin"] == "review").groupby(sents["report_id"]).sum().reindex(ids, fill_value=0)
    first = by_report["text_vi"].first().reindex(ids)
    titled = sents[sents["role"] == "title"]
    english = [" ".join(t) for t in _grouped(titled["report_id"], titled["text_en"], ids)]
    pairs = out.mentions[["report_id", "entity_id"]].astype(str).drop_duplicates().sort_values(["report_id",
                                                                                                "entity_id"])
    named = [" ".join(e) for e in _grouped(pairs["report_id"], pairs["entity_id"], ids)]
    rows = []
    for r, n, lead, en, f, rv, ents in zip(plain_records(reports), total.tolist(), first.tolist(),
                                          english, flagged.tolist(), reviewed.tolist(), named):
        rows.append({"id": r["report_id"], "href": f"{r['report_id']}.html",
                     "title": _title(r, lead if n else None), "english_title": en, "date": r["date"],
                     "source": source_name(r), "format": r["format"], "language": r["language"], "total": int(n),
                     "flagged": int(f), "reviewed": int(rv), "status": status(r, run_time), "entities": ents})
    rows.sort(key=lambda row: row["title"])
    rows.sort(key=lambda row: row["date"] or "", reverse=True)
    return [*[r for r in rows if r["date"]], *[r for r in rows if not r["date"]]]


def _grouped(keys: pd.Series, values: pd.Series, ids: pd.Series) -> list[list[str]]:
    """The `values` of each of `ids` (in their order), by `keys`, as they come (a plain pass: pandas'
    per-group Python aggregation costs a Series a group)."""
    found: dict[str, list[str]] = {}
    for key, value in zip(keys.tolist(), values.tolist()):
        found.setdefault(key, []).append(value)
    return [found.get(rid, []) for rid in ids.tolist()]


def _title(report: Record, first_text: str | None) -> str:
    """`display_title` from the report's first sentence's Vietnamese (None: it has no sentence)."""
    return display_title(report, [] if first_text is None else [{"text_vi": first_text}])


def month_chart(rows: list[dict]) -> list[dict]:
    """Reports per month (and how many have a flagged sentence): the summary chart of the index."""
    months = Counter(r["date"][:7] for r in rows if r["date"])
    flagged = Counter(r["date"][:7] for r in rows if r["date"] and r["flagged"])
    most = max(months.values(), default=1)
    return [{"month": m, "reports": n, "flagged": flagged[m], "percent": round(100 * n / most, 1),
             "flagged_percent": round(100 * flagged[m] / n, 1)} for m, n in sorted(months.items())]


def choices(rows: list[dict], key: str) -> list[str]:
    """The distinct values of a column, for a filter's list."""
    return sorted({r[key] for r in rows if r[key]})


def entity_choices(out: Outputs) -> list[dict]:
    """The entities the index's entity filter offers (id, Vietnamese and English names, kind, reports),
    most-named first: a row matches when its report names the entity (`data-entities`)."""
    rows = [e for e in out.entity.values() if str(e["entity_id"])]
    rows.sort(key=lambda e: (-int(e["reports"] or 0), str(e["name_vi"])))
    return [{"id": e["entity_id"], "name_vi": e["name_vi"],
             "name_en": e["name_en"] if e["name_en"] != e["name_vi"] else "",
             "kind": e["kind"], "reports": e["reports"]} for e in rows]


def rows_script(rows: list[dict], out: Outputs) -> str:
    """ROWS_SCRIPT: every row of the index (ROW_FIELDS, newest first) and every entity the name filter
    matches ([id, Vietnamese name, English name]), for the index's script to sort, filter and list."""
    data = {"rows": [[r[f] for f in ROW_FIELDS] for r in rows],
            "entities": [[e["id"], e["name_vi"], e["name_en"]] for e in entity_choices(out)]}
    return f"VI2EN.rows({json.dumps(data, ensure_ascii=False, separators=(',', ':'))});\n"


def index_html(out: Outputs, with_style: bool = True, rows: list[dict] | None = None) -> Markup:
    """The index: what changed since the previous run, the filters, one compact row per report
    (newest first), a chart of reports per month, the inputs that could not be used, the flags.
    Exported (`with_style=False`: the page carries the style and the scripts) it lists the first
    LISTED rows and its script every row from ROWS_SCRIPT; in a notebook (no script) every row is listed.
    `rows`: `report_rows(out)`, when the caller has them."""
    rows = report_rows(out) if rows is None else rows
    c = collection(out.run)
    return render(
        "index.html.j2",
        with_style=with_style,
        demo_banner=DEMO_BANNER if out.demo else "",
        totals={"reports": len(rows), "sentences": sum(r["total"] for r in rows),
                "flagged": sum(r["flagged"] for r in rows), "rejected": len(out.problems),
                "reviewed": sum(r["reviewed"] for r in rows)},
        whats_new=whats_new(out.run), removed=c["removed"],
        new=[r for r in rows if r["status"] == "new"], changed=[r for r in rows if r["status"] == "changed"],
        first_run=not c["previous_run_time"],
        reports=rows, listed=len(rows) if with_style else LISTED,
        choices={k: choices(rows, k) for k in ("source", "language", "format")},
        entities=entity_choices(out), names_listed=NAMES_LISTED,
        months=month_chart(rows), undated=sum(1 for r in rows if not r["date"]),
        problems=out.problems,
        flag_counts=flag_counts(out),
        provenance=out.provenance,
    )


def digest_html(out: Outputs, with_style: bool = True, rows: list[dict] | None = None) -> Markup:
    """The digest: the new and changed reports of this run with their summaries, and the removed ones
    (after a first run, where every report is new, a pointer to the index). `rows`: `report_rows(out)`,
    when the caller has them."""
    rows = report_rows(out) if rows is None else rows
    c = collection(out.run)
    listed = [r for r in rows if r["status"]] if c["previous_run_time"] else []  # a first run lists none
    summaries = out.records_of("summaries", [r["id"] for r in listed])
    picked = [{**r, "summaries": [(s["method"], s["summary_en"]) for s in summaries.get(r["id"], [])]}
              for r in listed]
    return render(
        "digest.html.j2",
        with_style=with_style,
        demo_banner=DEMO_BANNER if out.demo else "",
        run_time=when(c["run_time"]), whats_new=whats_new(out.run), known=bool(c["run_time"]),
        first_run=not c["previous_run_time"],  # every report is new: the index lists them, not a digest of thousands
        new=[r for r in picked if r["status"] == "new"], changed=[r for r in picked if r["status"] == "changed"],
        removed=c["removed"],
    )


def flag_counts(out: Outputs) -> pd.DataFrame:
    """How many sentences of the run carry each flag, with the flag's meaning (ordered by count, then by
    first occurrence): a sentence with a flag twice (two terms missing) counts once. Each distinct cell is
    split once, counted as often as it occurs (at 10,000 reports, 24,000 distinct cells of 123,000)."""
    cells = out.sentences["flags"].astype(str).value_counts(sort=False)  # (in the order first met)
    counts: dict[str, int] = {}
    for cell, n in zip(cells.index.tolist(), cells.tolist()):
        for code in codes_once(split_flags(cell)):
            counts[code] = counts.get(code, 0) + n
    table = (pd.Series(list(counts.values()), index=pd.Index(list(counts), dtype=str), dtype="int64")
             .sort_values(ascending=False, kind="stable")
             .rename_axis("flag").reset_index(name="sentences"))
    table["meaning"] = table["flag"].map(meaning)
    return table
