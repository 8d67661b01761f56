"""The pages that span the collection, written beside the report pages and the index: the digest
(`digest.html`, linked from every page's header) and the search data with its scripts. The pages
stage (`pages.stage.write_pages`) calls `write_collection_pages` once per run.
"""

from __future__ import annotations

from pathlib import Path

from helpers.pages.listing import digest_html
from helpers.pages.render import DIGEST, StagePage, nav_for, page, save_page
from helpers.pages.outputs import Outputs, display_title, english_title
from helpers.pages.search import Unit, entity_units, report_docs, write_search


def search_texts(out: Outputs) -> list[Unit]:
    """The search units: each report (id, page, title as shown, searchable texts) in reports.csv's order,
    then the entity names in blocks (`search.entity_units`) when the run has an entity index."""
    texts: list[Unit] = []
    for r in out.reports.to_dict("records"):
        rid = r["report_id"]
        sents = out.records("sentences", rid)
        title = display_title(r, sents)
        shown = f"{title} · {english_title(sents)}" if english_title(sents) else title
        texts.append((rid, f"{rid}.html", title, report_docs(r, sents, out.records("summaries", rid),
                                                              out.records("references", rid), shown)))
    return texts + (entity_units(list(out.entity.values())) if len(out.entities) else [])


def write_collection_pages(out: Outputs, html_dir: Path, stages: list[StagePage],
                           rows: list[dict] | None = None) -> list[Path]:
    """Write the digest and the search data (shards, MiniSearch, the pages' scripts); return the pages
    (the digest: the search data and scripts are not pages)."""
    write_search(search_texts(out), html_dir)
    nav = nav_for(DIGEST, stages)
    return [save_page(html_dir / DIGEST, page("What's new", digest_html(out, with_style=False, rows=rows), nav))]
