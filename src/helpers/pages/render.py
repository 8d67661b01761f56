"""Rendering the run's HTML pages from Jinja2 templates (autoescaped), with one style and one header.

Every page of a run carries the same navigation header: the index, the stage pages
(the exported notebooks 01-03) and, on a report page, the previous and next report.
Report pages and the index are rendered here, in-process, from the same functions
that notebooks 04 and 05 display; stage pages are nbconvert exports through the
`stage` template, with stderr (warnings) and progress widgets taken out and handed
back to the caller, which shows them on the terminal and records them in run.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from helpers.store.files import write_text

if TYPE_CHECKING:
    import pandas as pd

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INDEX = "index.html"
DIGEST = "digest.html"
ENTITIES = "entities.html"
# The pages' own scripts, beside them in OUT/html/ (pages.search copies them): the only scripts a page keeps.
_LOCAL_SCRIPT = re.compile(r'<script src="[\w-]+\.js" defer></script>')
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_REMOTE_LINK = re.compile(r"<link\b[^>]*href=[\"']https?://[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """One link of the header: where it goes, what it says, and whether it is this page."""

    href: str
    label: str
    title: str = ""
    current: bool = False


@dataclass(frozen=True)
class Nav:
    """The header of a page: the run's pages, and the neighbouring reports on a report page."""

    links: tuple[Link, ...]
    previous: Link | None = None
    next: Link | None = None


@dataclass(frozen=True)
class StagePage:
    """A stage notebook's exported page: its file name, the header's label and the page title."""

    notebook: Path
    file: str
    label: str
    title: str


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates, autoescaped; an unknown name in a template is an error, never blank text."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["breakable"] = breakable
    env.globals["table_html"] = table_html
    return env


@dataclass(frozen=True)
class PageTable:
    """A table as `macros.table` shows it: column names and rows of cells (a page's tables are built
    from plain records, without a DataFrame per table)."""

    columns: list[str]
    rows: list[list[object]]

    def __len__(self) -> int:
        return len(self.rows)


def table_rows(frame: pd.DataFrame | PageTable) -> list[list[object]]:
    """A table's rows as lists of its cells, each as the column holds it (an int stays an int beside
    a float column); one conversion per table rather than pandas' row-by-row iteration."""
    if isinstance(frame, PageTable):
        return frame.rows
    return frame.to_numpy(dtype=object).tolist()


_BREAK_AFTER = re.compile(r"(?<=[_/:|=,;.])(?=\S)")


def breakable(text: object) -> Markup:
    """Text escaped, that may break after `_ / : | = , ; .` (a long flag code, a file name, a number)."""
    return Markup("<wbr>").join(Markup.escape(part) for part in _BREAK_AFTER.split(str(text)))


@lru_cache(maxsize=4096)
def _flag_html(flag: str) -> str:
    """`breakable` of a flag code: a collection's flags are a few hundred codes, met tens of thousands of times."""
    return str(breakable(flag))


def flags_html(items: object) -> str:
    """A cell of flags (`macros.table`'s flag columns): each flag as written, one a line, or a (flag, its meaning
    in words) pair; every text escaped."""
    listed = list(items)  # type: ignore[call-overload]  # (flags or pairs, as the table holds them)
    last = len(listed) - 1
    parts = [f"{_flag_html(f)}{'' if k == last else '<br>'}" if isinstance(f, str)
             else f'<span class="flag">{_flag_html(str(f[0]))}</span> <span class="meaning">{escape(f[1])}</span>'
             for k, f in enumerate(listed)]
    return '<span class="flags">' + "".join(parts) + "</span>"


def table_html(frame: pd.DataFrame | PageTable, numeric: Collection[str] = (), flag_columns: Collection[str] = (),
               row_class: Sequence[str] | None = None, row_ids: Sequence[str] | None = None,
               scroll: bool = True) -> Markup:
    """A table's HTML, as `macros.table` writes it (column names as heads, numbers right-aligned, flag columns
    as `flags_html`, each row's class and id when given), every cell escaped. Built here rather than cell by
    cell in the template: a report page's sentence table is most of the page, and the template's loop over
    its cells was two thirds of rendering a report page."""
    columns = list(frame.columns)  # as the table names them (a number, Markup): tested and escaped as they are
    opening = ['<td class="num">' if c in numeric else "<td>" for c in columns]
    flagged = [c in flag_columns for c in columns]
    heads = "".join(f'<th class="num">{escape(c)}</th>' if c in numeric else f"<th>{escape(c)}</th>" for c in columns)
    rows: list[str] = []
    for i, row in enumerate(table_rows(frame)):
        attributes = f' id="{escape(row_ids[i])}"' if row_ids else ""
        if row_class and row_class[i]:
            attributes += f' class="{escape(row_class[i])}"'
        cells = "".join(f"{td}{flags_html(v) if flag else escape(v)}</td>"
                        for td, flag, v in zip(opening, flagged, row))
        rows.append(f"<tr{attributes}>{cells}</tr>")
    table = f"<table>\n<thead><tr>{heads}</tr></thead>\n<tbody>{''.join(rows)}</tbody>\n</table>"
    return Markup(f'<div class="scroll">{table}</div>' if scroll else table)


def render(template: str, **context: object) -> Markup:
    """A template rendered with the context (every value escaped unless it is already Markup)."""
    return Markup(environment().get_template(template).render(**context))


def nav_for(current: str, stages: list[StagePage], reports: Sequence[tuple[str, str]] = ()) -> Nav:
    """The header of the page named `current`: index, digest, entities, stage pages, and the neighbours of a report
    page among `reports` (file name, title) in their order."""
    files = [f for f, _ in reports]
    return _nav(current, stages, reports, files.index(current) if current in files else None)


def report_navs(stages: list[StagePage], reports: Sequence[tuple[str, str]],
                only: Collection[str] | None = None) -> dict[str, Nav]:
    """The header of every report page among `reports` (file name, title), or of those in `only`, by file:
    `nav_for` of each, in one pass."""
    none = _links("", stages)  # the run's pages, none of them current: the same links on every report page
    hrefs = {link.href for link in none}
    return {file: _nav(file, stages, reports, at, none if file not in hrefs else None)
            for at, (file, _) in enumerate(reports) if only is None or file in only}


def _links(current: str, stages: list[StagePage]) -> tuple[Link, ...]:
    """The run's pages as a header links them, `current` marked."""
    links = [Link(INDEX, "Index of reports", current=current == INDEX),
             Link(DIGEST, "What's new", "the new and changed reports of this run", current == DIGEST),
             Link(ENTITIES, "Entities", "who, where, which organisation: the names across every report",
                  current == ENTITIES)]
    return tuple(links + [Link(s.file, s.label, s.title, current == s.file) for s in stages])


def _nav(current: str, stages: list[StagePage], reports: Sequence[tuple[str, str]], at: int | None,
         links: tuple[Link, ...] | None = None) -> Nav:
    """The header of page `current`, at position `at` among `reports` (None: not a report page); `links`:
    `_links(current, stages)`, when the caller has them."""
    links = _links(current, stages) if links is None else links
    if at is None:
        return Nav(links)
    prev = Link(*reports[at - 1], title=reports[at - 1][1]) if at > 0 else None
    nxt = Link(*reports[at + 1], title=reports[at + 1][1]) if at + 1 < len(reports) else None
    return Nav(links, previous=prev, next=nxt)


def page(title: str, body: Markup, nav: Nav) -> str:
    """A whole HTML document: head with the title and style, the header, then the body."""
    return str(render("page.html.j2", title=title, body=body, nav=nav))


def self_contained(html: str) -> str:
    """A page with every script and remote stylesheet removed but the pages' own scripts beside it
    (search, sorting; `<script src="name.js" defer>`): it opens offline, from disk."""
    return _REMOTE_LINK.sub("", _SCRIPT.sub(lambda m: m.group(0) if _LOCAL_SCRIPT.fullmatch(m.group(0)) else "", html))


def save_page(path: Path, html: str) -> Path:
    """Write a self-contained HTML page atomically."""
    return write_text(path, self_contained(html))


