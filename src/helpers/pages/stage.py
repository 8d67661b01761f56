"""The pages stage: every report page (rendered on the run's engine, by shares of reports) and
the index into `OUT/html/`, and the record in run.json of the data they were made from, so a
notebook that changes the data can say that the pages are out of date.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.config import Config, shown_path
from helpers.inference.engines import Engine, LocalEngine
from helpers.pages.collection import write_collection_pages
from helpers.pages.entities import entities_html
from helpers.pages.render import ENTITIES, INDEX, Nav, StagePage, nav_for, page, save_page
from helpers.pages.report import Outputs, index_html, report_html, report_titles
from helpers.store.contract import data_stamp
from helpers.store.files import read_json, update_json


PAGES_PER_TASK = 25  # report pages rendered by one task of the engine


@dataclass(frozen=True)
class PageWork:
    """A share of the report pages, with what their headers need (every report's file and title)."""

    out: Outputs  # the share's reports only
    stages: tuple[StagePage, ...]
    titles: tuple[tuple[str, str], ...]


def render_report_pages(work: PageWork) -> list[tuple[str, str]]:
    """(file, HTML) of each report page of a share: pure, so an engine's worker can render it."""
    title_of = dict(work.titles)
    rendered = []
    for rid in work.out.reports["report_id"]:
        file = f"{rid}.html"
        nav = nav_for(file, list(work.stages), list(work.titles))
        rendered.append((file, page(f"Report: {title_of[file]}", report_html(work.out, rid, with_style=False), nav)))
    return rendered


def write_pages(out: Outputs, html_dir: Path, stages: list[StagePage], engine: Engine | None = None) -> list[Path]:
    """Render every report page (on `engine`, by shares of PAGES_PER_TASK reports), the index and the
    entities page (empty for a run without the entity index) into `html_dir`; return the pages."""
    titles = report_titles(out)
    ids = out.reports["report_id"].tolist()
    shares = [PageWork(out.share(ids[i:i + PAGES_PER_TASK]), tuple(stages), tuple(titles))
              for i in range(0, len(ids), PAGES_PER_TASK)]
    written = []
    for rendered in (engine or LocalEngine()).map(render_report_pages, shares):
        written += [save_page(html_dir / file, html) for file, html in rendered]
    index_nav: Nav = nav_for(INDEX, stages, titles)
    written.append(save_page(html_dir / INDEX, page("Index of reports", index_html(out, with_style=False), index_nav)))
    written.append(save_page(html_dir / ENTITIES, entities_html(out.entities, out.mentions, out.reports,
                                                               nav_for(ENTITIES, stages))))
    written += write_collection_pages(out, html_dir, stages)
    return written


def pages_mark(cfg: Config, stages: Sequence[StagePage] = (), code: str = "") -> dict[str, str]:
    """What the pages of `OUT/html/` would be made from now: the data, the reviews, and the code (its
    digest, `code`), the parameters and the stage pages they show (`made_with`)."""
    from helpers.review.store import reviews_digest

    shown = json.dumps([code, cfg.shown_parameters(), [s.file for s in stages]], sort_keys=True)
    return {"data": data_stamp(cfg), "reviews": reviews_digest(cfg.reviews),
            "made_with": hashlib.sha256(shown.encode()).hexdigest()}


def mark_pages(cfg: Config, stages: Sequence[StagePage] = (), code: str = "") -> None:
    """Record in run.json what the pages of `OUT/html/` are (being) made from."""
    update_json(cfg.run_json, "pages", pages_mark(cfg, stages, code))


def pages_note(cfg: Config) -> str:
    """For a notebook run in JupyterLab: a note when its new data, or reviews saved since, make the
    exported pages out of date (empty when there are no pages, or they were made from these)."""
    from helpers.review.store import reviews_digest

    if not (cfg.html_dir / INDEX).is_file():
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
