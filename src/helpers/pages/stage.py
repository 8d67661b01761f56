"""The pages stage: the report pages (rendered on the run's engine, by shares of reports), the index,
the digest, the entities page and the search data into `OUT/html/`, and the record in run.json of the
data they were made from, so a notebook that changes the data can say that the pages are out of date.

A report page is rendered and written only when what it shows changed: `OUT/html/pages.json` keeps
the digest of exactly what each page was rendered from (`pages.digest`), and a page whose digest
is unchanged (and whose file is there) is left as it is: its bytes are those a new render would write.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.config import IN_RUN, Config, shown_path
from helpers.inference.engines import Engine, LocalEngine
from helpers.models.heap import hand_back_freed_memory
from helpers.inference.cores import Beside
from helpers.pages.collection import SearchWork, kept_search, search_work, write_collection_pages
from helpers.pages.digest import KEPT, MANIFEST, code_digest, keep_digests, kept_digests, page_digests
from helpers.pages.entities import entities_html
from helpers.pages.listing import ROWS_SCRIPT, report_rows, rows_script
from helpers.pages.render import ENTITIES, INDEX, StagePage, nav_for, page, report_navs, save_page
from helpers.pages.report import Outputs, index_html, report_html
from helpers.pages.search import files_in, keep_or_write
from helpers.pages.searchindex import Index, save_index, terms_db
from helpers.store.contract import check_section, data_stamp
from helpers.store.files import BesideWriter, read_json, synced_together, update_json, write_text


PAGES_PER_TASK = 25  # report pages rendered by one task of the engine
PAGES_WAITING = 64  # rendered report pages waiting for the thread that writes them, at most
SEARCH_APART_AT = 1_000  # reports from which the search data is made in a process of its own (it starts in a second)


@dataclass(frozen=True)
class PageWork:
    """A share of the report pages, with what their headers need (every report's file and title)."""

    out: Outputs  # the share's reports only
    stages: tuple[StagePage, ...]
    titles: tuple[tuple[str, str], ...]


def render_report_pages(work: PageWork) -> list[tuple[str, str]]:
    """(file, HTML) of each report page of a share: pure, so an engine's worker can render it."""
    title_of = dict(work.titles)
    files = {f"{rid}.html" for rid in work.out.reports["report_id"]}
    navs = report_navs(list(work.stages), work.titles, only=files)
    rendered = []
    for rid in work.out.reports["report_id"]:
        file = f"{rid}.html"
        rendered.append((file, page(f"Report: {title_of[file]}", report_html(work.out, rid, with_style=False),
                                    navs[file])))
    return rendered


def pages_to_render(out: Outputs, html_dir: Path, stages: list[StagePage],
                    titles: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Each report page's digest (file -> digest of what it shows) and the reports whose page must be
    rendered: its digest differs from the one `pages.json` recorded, or its file is missing."""
    navs = report_navs(stages, titles)
    digests = page_digests(out, {file: f"Report: {title}" for file, title in titles}, navs, code_digest())
    made, there = read_json(html_dir / MANIFEST), files_in(html_dir)
    stale = [file.removesuffix(".html") for file, d in digests.items() if made.get(file) != d or file not in there]
    return digests, stale


def search_beside(reports: int) -> Beside[SearchWork, bool]:
    """Where the search data of a collection of `reports` reports is made: in a process of its own from
    SEARCH_APART_AT reports (its texts folded and split, its shards encoded and written, its index kept) while
    this one renders the pages (a second or two of a day's run at 10,000 reports), else here. The process
    starts, and imports what it needs, as this is made: `pipeline.run_all` makes it as its stages start when
    the last run's collection had SEARCH_APART_AT reports, else `write_pages` as the pages step starts."""
    return Beside(kept_search, apart=reports >= SEARCH_APART_AT)


def write_pages(out: Outputs, html_dir: Path, stages: list[StagePage], engine: Engine | None = None,
                read_from: Path | None = None, search: Beside[SearchWork, bool] | None = None) -> list[Path]:
    """Render the report pages whose content changed (on `engine`, by shares of PAGES_PER_TASK reports),
    the index with its rows' data, the entities page, the digest and the search data into `html_dir`;
    return every page of the run (those left as they were too). `read_from`: the data folder `out` was read
    from as it is there (`load_outputs`), where the search data's process reads every unit's texts itself
    when it must index them all (a first run). `search`: where the search data is made, started before
    (`search_beside`: a re-run of a large collection starts its process as the stages start, so it is ready
    when the pages are); by default as `search_beside` says for `out`'s reports. It is closed here."""
    search = search_beside(len(out.reports)) if search is None else search
    try:
        out._kept.update(kept_digests(html_dir.parent / KEPT, code_digest()))
        # what it is made from: the fresh units' texts (a process of its own reads every unit's itself)
        search.start(lambda: search_work(out, html_dir, tables=read_from if search.apart else None))
        return _written_pages(out, html_dir, stages, engine, search)
    finally:
        search.close()


def _written_pages(out: Outputs, html_dir: Path, stages: list[StagePage], engine: Engine | None,
                   search: Beside[SearchWork, bool]) -> list[Path]:
    """`write_pages` but for the search data, which `search` makes (made here anew when it could not update it)."""
    rows = report_rows(out)
    titles = [(row["href"], row["title"]) for row in rows]
    digests, stale = pages_to_render(out, html_dir, stages, titles)
    # First forget the pages about to change: a run stopped half-way leaves no record that would keep one.
    made, changing = read_json(html_dir / MANIFEST), {f"{rid}.html" for rid in stale}
    write_text(html_dir / MANIFEST, _json({f: d for f, d in made.items() if f in digests and f not in changing}))
    # each share made when the engine takes it: 10,000 reports' shares made at once were a copy of every table
    shares = (PageWork(out.share(stale[i:i + PAGES_PER_TASK]), tuple(stages), tuple(titles))
              for i in range(0, len(stale), PAGES_PER_TASK))
    with synced_together():  # the pages on disk together (one sync), then recorded as made
        with BesideWriter(PAGES_WAITING) as files:  # written by a thread of their own while the next are rendered
            for rendered in (engine or LocalEngine()).map(render_report_pages, shares):
                for file, html in rendered:
                    files.write(html_dir / file, html, save_page)
        hand_back_freed_memory()  # the pages' freed renders leave the process
        written, _ = collection_pages(out, html_dir, stages, rows, search=False)
    write_text(html_dir / MANIFEST, _json(digests))
    if not search.result():  # the index kept could not be updated: made anew, here
        kept_search(search_work(out, html_dir, anew=True))
    keep_digests(out, html_dir.parent / KEPT, code_digest())  # what the next run need not digest again
    return [html_dir / file for file in digests] + written


def write_collection(out: Outputs, html_dir: Path, stages: list[StagePage],
                     rows: list[dict] | None = None) -> list[Path]:
    """The pages over every report: the index and its rows' data, the entities page, the digest and the
    search data (`rows`: `report_rows(out)`, when the caller has them); return the pages."""
    with synced_together():
        written, index = collection_pages(out, html_dir, stages, rows)
    assert index is not None
    save_index(terms_db(html_dir), index)  # once the files it vouches for are on disk
    return written


def collection_pages(out: Outputs, html_dir: Path, stages: list[StagePage], rows: list[dict] | None = None,
                     search: bool = True) -> tuple[list[Path], Index | None]:
    """`write_collection`'s files, written but not synced (the search data unless not `search`: made
    elsewhere); the pages, and the search index to keep (`save_index`) once they are on disk."""
    rows = report_rows(out) if rows is None else rows
    titles = [(row["href"], row["title"]) for row in rows]
    keep_or_write(html_dir / ROWS_SCRIPT, rows_script(rows, out))
    listing = page("Index of reports", index_html(out, with_style=False, rows=rows), nav_for(INDEX, stages, titles))
    written = [save_page(html_dir / INDEX, listing),
               save_page(html_dir / ENTITIES, entities_html(out.entities, out.mentions, out.reports,
                                                            nav_for(ENTITIES, stages)))]
    pages, index = write_collection_pages(out, html_dir, stages, rows, search)
    return written + pages, index


def _json(value: object) -> str:
    """JSON as the manifest keeps it: one entry a line, in a stable order."""
    return json.dumps(value, indent=0, sort_keys=True) + "\n"


def pages_mark(cfg: Config, stages: Sequence[StagePage] = (), code: str = "") -> dict[str, str]:
    """What the pages of `OUT/html/` would be made from now: the data, the reviews, and the code (its
    digest, `code`), the parameters and the stage pages they show (`made_with`)."""
    from helpers.review.store import reviews_digest

    shown = json.dumps([code, cfg.shown_parameters(), [s.file for s in stages]], sort_keys=True)
    return {"data": data_stamp(cfg), "reviews": reviews_digest(cfg.reviews),
            "made_with": hashlib.sha256(shown.encode()).hexdigest()}


def mark_pages(cfg: Config, mark: dict[str, str]) -> None:
    """Record in run.json what the pages of `OUT/html/` are (being) made from (`pages_mark`)."""
    update_json(cfg.run_json, "pages", check_section("pages", mark))


def pages_note(cfg: Config) -> str:
    """For a notebook run in JupyterLab: a note when its new data, or reviews saved since, make the
    exported pages out of date (empty when there are no pages, or they were made from these)."""
    from helpers.review.store import reviews_digest

    if not (cfg.html_dir / INDEX).is_file() or os.environ.get(IN_RUN):  # (`make reports` makes them now)
        return ""
    made = read_json(cfg.run_json).get("pages", {})
    if made.get("reviews", reviews_digest(cfg.reviews)) != reviews_digest(cfg.reviews):
        return ("**The HTML pages are now out of date**: reviews were saved since they were made. "
                f"Run `make reports` (with `REVIEWS={shown_path(cfg.reviews)}`) to make them again "
                "with the reviewed English.")
    if made.get("data") == data_stamp(cfg):
        return ""
    return ("**The HTML pages are now out of date**: this notebook changed the data they were made from. "
            "Run `make reports` to make them again.")
