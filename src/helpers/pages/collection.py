"""The pages that span the collection, written beside the report pages and the index: the digest
(`digest.html`, linked from every page's header) and the search data with its scripts. The pages
stage (`pages.stage.write_pages`) calls `write_collection_pages` once per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.pages.digest import TEXT_TABLES, code_digest, rows_digests
from helpers.pages.listing import digest_html
from helpers.pages.render import DIGEST, StagePage, nav_for, page, save_page
from helpers.pages.outputs import Outputs, display_title, english_title, load_outputs, plain_records
from helpers.pages.search import SEARCH_DIR, TEXT_DIR, Unit, entity_units, files_in, report_docs, write_search
from helpers.pages.searchindex import Index, encoded_postings, index_code, kept_in_order, load_index, load_units, \
    save_index, terms_db, unit_digest, updated
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


@dataclass(frozen=True)
class SearchWork:
    """What the search data of `html_dir` is made from, without the tables (it may be made in a process of its
    own, `kept_search`): every unit's id and digest of what its texts are made from, in order, and the texts of
    the units new or changed since the index kept beside `html_dir` (every unit's, when it is made `anew`); or,
    where that is every unit's and `tables` is set, none: the process doing the work makes them from the tables
    in that folder (at 10,000 reports they are 160 MB of text and a 60 MB pickle, which the process that has
    them would otherwise hold while it renders the pages)."""

    html_dir: Path
    uids: list[str]
    digests: list[str]
    fresh: list[Unit]
    anew: bool = False
    tables: Path | None = None


def search_work(out: Outputs, html_dir: Path, anew: bool = False, tables: Path | None = None) -> SearchWork:
    """The search data's work: the texts of the units whose digest differs from the one the kept index
    recorded, or whose text file is missing (`anew`, or units in a new order: every unit's); where that is
    every unit's, left to be read from `tables` when given (the data folder `out` was read from as it is)."""
    code = index_code(code_digest())
    rows = rows_digests(out, TEXT_TABLES)
    rids = [str(r) for r in out.reports["report_id"]]
    blocks = entity_units(list(out.entity.values())) if len(out.entities) else []
    uids = rids + [u[0] for u in blocks]
    digests = [unit_digest(code, rows[r].hex()) for r in rids] + [unit_digest(code, u) for u in blocks]
    old_uids, old_digests = ([], []) if anew else load_units(terms_db(html_dir))
    known, texts = dict(zip(old_uids, old_digests)), files_in(html_dir / SEARCH_DIR / TEXT_DIR)
    stale = {uid for uid, d in zip(uids, digests) if known.get(uid) != d or f"{uid}.js" not in texts}
    every = anew or not kept_in_order(old_uids, uids, stale)
    if tables is not None and (every or len(stale) == len(uids)):  # every unit's texts (a first run): read there
        return SearchWork(html_dir, uids, digests, [], anew=every, tables=tables)
    if every:
        return SearchWork(html_dir, uids, digests, search_texts(out), anew=True)
    fresh = search_texts(out.share([r for r in rids if r in stale]), entities=False)
    return SearchWork(html_dir, uids, digests, fresh + [u for u in blocks if u[0] in stale])


def made_search(work: SearchWork) -> tuple[list[Path], Index] | None:
    """Write the search data (`search.write_search`), folding and splitting only the fresh units' texts;
    return the files and the index, for the caller to keep (`save_index`) once they are on disk. With
    `work.tables`, every unit's texts are read from the tables there first. None when the index kept is not
    the one `search_work` read (unreadable), or the tables are no longer those `search_work` was given (their
    reports changed meanwhile): the caller makes it anew from the outputs it has."""
    old = Index.empty() if work.anew else load_index(terms_db(work.html_dir))
    fresh = work.fresh if work.tables is None else search_texts(load_outputs(work.tables))
    if work.tables is not None and [u[0] for u in fresh] != work.uids:
        return None
    try:
        index = updated(old, work.uids, work.digests, {u[0]: u for u in fresh})
    except ValueError:
        return None
    return write_search(fresh, work.uids, sum(index.texts), encoded_postings(index), work.html_dir), index


def kept_search(work: SearchWork) -> bool:
    """`made_search`, its files synced and the index kept for the next run once they are on disk: what a
    process of its own does beside the pages (`write_pages`). False when the index must be made anew."""
    with synced_together():
        made = made_search(work)
    if made is not None:
        save_index(terms_db(work.html_dir), made[1])
    return made is not None


def search_data(out: Outputs, html_dir: Path) -> tuple[list[Path], Index]:
    """The search data in this process (`made_search`; made anew when the index kept cannot be updated)."""
    made = made_search(search_work(out, html_dir)) or made_search(search_work(out, html_dir, anew=True))
    assert made is not None  # (made anew, from every unit's texts, the index is always made)
    return made


def write_collection_pages(out: Outputs, html_dir: Path, stages: list[StagePage], rows: list[dict] | None = None,
                           search: bool = True) -> tuple[list[Path], Index | None]:
    """Write the digest and (unless not `search`: made elsewhere) the search data (shards, MiniSearch, the pages'
    scripts); return the pages (the digest: the search data and scripts are not pages) and the search index,
    for the caller to keep (`save_index`) once the files are on disk."""
    index = search_data(out, html_dir)[1] if search else None
    nav = nav_for(DIGEST, stages)
    return [save_page(html_dir / DIGEST, page("What's new", digest_html(out, with_style=False, rows=rows), nav))], index
