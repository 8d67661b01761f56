"""The pages that span the collection, written beside the report pages and the index: the digest
(`digest.html`, linked from every page's header) and the search data with its scripts. The pages
stage (`pages.stage.write_pages`) calls `write_collection_pages` once per run.
"""

from __future__ import annotations

from pathlib import Path

from helpers.pages.digest import TEXT_TABLES, code_digest, rows_digests
from helpers.pages.listing import digest_html
from helpers.pages.render import DIGEST, StagePage, nav_for, page, save_page
from helpers.pages.outputs import Outputs, display_title, english_title, plain_records
from helpers.pages.search import SEARCH_DIR, TEXT_DIR, Unit, entity_units, files_in, report_docs, write_search
from helpers.pages.searchindex import Index, encoded_postings, index_code, load_index, save_index, terms_db, \
    unit_digest, updated
from helpers.store.files import synced_together


def search_texts(out: Outputs, entities: bool = True) -> list[Unit]:
    """The search units: each report (id, page, title as shown, searchable texts) in reports.csv's order,
    then (`entities`) the entity names in blocks (`search.entity_units`) when the run has an entity index."""
    texts: list[Unit] = []
    for r in plain_records(out.reports):
        rid = r["report_id"]
        sents = out.records("sentences", rid)
        title = display_title(r, sents)
        shown = f"{title} · {english_title(sents)}" if english_title(sents) else title
        texts.append((rid, f"{rid}.html", title, report_docs(r, sents, out.records("summaries", rid),
                                                              out.records("references", rid), shown)))
    return texts + (entity_units(list(out.entity.values())) if entities and len(out.entities) else [])


def write_search_data(out: Outputs, html_dir: Path) -> list[Path]:
    """The search data (`search_data`), the index kept for the next run once the files it vouches for are
    on disk (`store.files.synced_together`)."""
    with synced_together():
        written, index = search_data(out, html_dir)
    save_index(terms_db(html_dir), index)
    return written


def search_data(out: Outputs, html_dir: Path) -> tuple[list[Path], Index]:
    """Write the search data (`search.write_search`), folding and splitting only the texts of the units that are
    new or changed since the index kept beside `html_dir` (`pages.searchindex.terms_db`); return the files and
    the index, for the caller to keep (`save_index`) once they are on disk."""
    code = index_code(code_digest())
    rows = rows_digests(out, TEXT_TABLES)
    rids = [str(r) for r in out.reports["report_id"]]
    blocks = entity_units(list(out.entity.values())) if len(out.entities) else []
    uids = rids + [u[0] for u in blocks]
    digests = [unit_digest(code, rows[r].hex()) for r in rids] + [unit_digest(code, u) for u in blocks]
    old = load_index(terms_db(html_dir))
    known, texts = dict(zip(old.uids, old.digests)), files_in(html_dir / SEARCH_DIR / TEXT_DIR)
    stale = {uid for uid, d in zip(uids, digests) if known.get(uid) != d or f"{uid}.js" not in texts}
    fresh = {u[0]: u for u in search_texts(out.share([r for r in rids if r in stale]), entities=False)}
    fresh |= {u[0]: u for u in blocks if u[0] in stale}
    try:
        index = updated(old, uids, digests, fresh)
    except ValueError:  # the units came in a new order: the index made anew
        fresh = {u[0]: u for u in search_texts(out)}
        index = updated(Index.empty(), uids, digests, fresh)
    return write_search(list(fresh.values()), uids, sum(index.texts), encoded_postings(index), html_dir), index


def write_collection_pages(out: Outputs, html_dir: Path, stages: list[StagePage],
                           rows: list[dict] | None = None) -> tuple[list[Path], Index]:
    """Write the digest and the search data (shards, MiniSearch, the pages' scripts); return the pages
    (the digest: the search data and scripts are not pages) and the search index, for the caller to keep
    (`save_index`) once the files are on disk."""
    _, index = search_data(out, html_dir)
    nav = nav_for(DIGEST, stages)
    return [save_page(html_dir / DIGEST, page("What's new", digest_html(out, with_style=False, rows=rows), nav))], index
