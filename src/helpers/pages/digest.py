"""What a report page is rendered from, as one digest: the pages step renders a page again only when
its digest changed (`pages.stage.write_pages`, the manifest `OUT/html/pages.json`).

A page's digest covers exactly its inputs: the template's context (`pages.report.report_context`:
the rows, tables, counts, entities, banner and provenance the page shows), its header (the run's pages
and the neighbouring reports) and the code that renders it (every module of the package, the
templates, and the versions of Jinja2 and MarkupSafe). A column the page does not show (a sentence's
`from_memory`) changes no digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from helpers.pages.outputs import Outputs
from helpers.pages.render import Nav
from helpers.pages.report import report_context

MANIFEST = "pages.json"  # OUT/html/pages.json: {"<report_id>.html": digest}
PACKAGE = Path(__file__).resolve().parents[1]  # src/helpers: its modules and templates


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of the code that renders a page: the package's modules and templates (not the
    notebooks' nbconvert templates), and the template engine's versions."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css", ".js"} and "nbconvert" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(f"jinja2 {version('jinja2')} markupsafe {version('markupsafe')}".encode())
    return h.hexdigest()


def _plain(value: object) -> object:
    """A context value as JSON can hold it, whole (a table by its columns and rows, never a shortened repr)."""
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(c) for c in value.columns], "rows": value.to_numpy(dtype=object).tolist()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    raise TypeError(f"no digest for a {type(value).__name__} in a page's context")


def page_digest(out: Outputs, report_id: str, title: str, nav: Nav, code: str) -> str:
    """The digest of everything report `report_id`'s page is rendered from: its context, its `title`, its
    header `nav`, the code's digest `code`."""
    inputs = {"context": report_context(out, report_id), "title": title, "nav": dataclasses.asdict(nav), "code": code}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=_plain, ensure_ascii=False).encode()).hexdigest()
