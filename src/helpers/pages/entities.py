"""The entities page (`OUT/html/entities.html`): every person, organisation, place and cited
document of the run, by kind, with how many reports name it, the dates of those reports, and a
link to each (`<report_id>.html`, the report pages). Rendered in-process from `entities.html.j2`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from markupsafe import Markup

from helpers.pages.outputs import plain_records
from helpers.pages.render import ENTITIES, INDEX, Link, Nav, page, render

PAGE = ENTITIES
LINKS = 12  # reports linked from an entity's row (the newest); the index's name filter lists every one
KIND_LABELS = {"person": "people", "organisation": "organisations", "place": "places", "document": "documents"}


def _dates(first: str, last: str) -> str:
    """'2021-10-28', '2020-12-01 – 2022-06-22', or '' when no report has a date."""
    first, last = str(first or ""), str(last or "")
    return first if first == last else f"{first} – {last}".strip(" –")


def _labels(report_ids: list[str], dates: dict[str, str]) -> list[str]:
    """Each report's link text among an entity's: its date (they are listed newest first; the title is the
    link's tooltip, which a phone does not show), a second report of one date numbered (`2024-12-01 (2)`),
    else its id whole (ids that share a start, `synthetic_00001`, stay told apart)."""
    seen: dict[str, int] = {}
    labels = []
    for rid in report_ids:
        label = dates.get(rid) or rid
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def entity_rows(entities: pd.DataFrame, mentions: pd.DataFrame, reports: pd.DataFrame) -> dict[str, list[dict]]:
    """Each kind's entities as the page shows them, in the table's order, with their report links (the
    newest LINKS, and how many more the index's name filter lists: `more`, `filter`)."""
    ids = reports["report_id"].tolist()
    titles = {str(r): str(t or r) for r, t in zip(ids, reports["title"].fillna("").tolist())} if len(reports) else {}
    dates = {str(r): str(d or "") for r, d in zip(ids, reports["date"].fillna("").tolist())} if len(reports) else {}
    named_in: dict[object, list[str]] = {}
    if len(mentions):  # each entity's reports, each once, sorted (one pass over plain lists, no group a Series)
        pairs = mentions[["entity_id", "report_id"]].drop_duplicates()
        for entity, report in zip(pairs["entity_id"].tolist(), pairs["report_id"].astype(str).tolist()):
            named_in.setdefault(entity, []).append(report)
        named_in = {e: sorted(r) for e, r in named_in.items()}
    rows: dict[str, list[dict]] = {k: [] for k in KIND_LABELS}
    for e in plain_records(entities.fillna("")):
        named = named_in.get(e["entity_id"], [])
        newest = sorted(named, key=lambda r: dates.get(r, ""), reverse=True)[:LINKS]  # (ties and undated: by id)
        links = [(f"{r}.html", label, titles.get(r, r)) for r, label in zip(newest, _labels(newest, dates))]
        only = urlencode({"entity": e["name_vi"], "id": e["entity_id"]})  # the index on this entity alone
        rows.setdefault(e["kind"], []).append({**e, "dates": _dates(e["first_date"], e["last_date"]), "links": links,
                                               "more": len(named) - len(links), "filter": f"{INDEX}?{only}"})
    return rows


def entities_body(entities: pd.DataFrame, mentions: pd.DataFrame, reports: pd.DataFrame) -> Markup:
    """The page's content (no header), as notebook 07 shows it."""
    rows = entity_rows(entities, mentions, reports)
    kinds = [{"kind": k, "label": label, "count": len(rows.get(k, [])), "rows": rows.get(k, [])}
             for k, label in KIND_LABELS.items()]
    totals = {"entities": len(entities), "mentions": len(mentions),
              "reports": mentions["report_id"].nunique() if len(mentions) else 0}
    return render("entities.html.j2", kinds=kinds, totals=totals)


def entities_html(entities: pd.DataFrame, mentions: pd.DataFrame, reports: pd.DataFrame,
                  nav: Nav | None = None) -> str:
    """The whole entities page; `nav` is the run's header (by default the index and this page)."""
    nav = nav or Nav((Link(INDEX, "Index of reports"), Link(PAGE, "Entities", current=True)))
    return page("Entities", entities_body(entities, mentions, reports), nav)
