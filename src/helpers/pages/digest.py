"""What a report page is rendered from, as one digest: the pages step renders a page again only when
its digest changed (`pages.stage.write_pages`, the manifest `OUT/html/pages.json`).

A page's digest covers exactly its inputs: the report's rows of every table (reports, sentences,
summaries, references, mentions), the entities it names (with their counts), whether the run has an
entity index, the run's models (the demo banner), parameters, versions and reviews line, the page's
header (the run's pages and the neighbouring reports), and the code that renders it (every module of
the package, the templates, and the versions of Jinja2 and MarkupSafe).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from helpers.pages.outputs import Outputs, reviews_line
from helpers.pages.render import Nav

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


def run_inputs(run: dict) -> dict[str, object]:
    """What a report page shows of the run (its record, run.json): models, parameters, versions, reviews."""
    return {"models": run.get("models", {}), "parameters": run.get("parameters", {}),
            "versions": run.get("versions", {}), "reviews": reviews_line(run)}


def page_digest(out: Outputs, report_id: str, nav: Nav, code: str) -> str:
    """The digest of everything report `report_id`'s page is rendered from (its header `nav`, the code's
    digest `code`)."""
    inputs = {
        "tables": {t: out.records(t, report_id) for t in ("reports", "sentences", "summaries", "references",
                                                        "mentions")},
        "entities": [out.entity.get(str(i)) for i in sorted({str(m["entity_id"])
                                                             for m in out.records("mentions", report_id)})],
        "has_entities": bool(len(out.entities)),
        "run": run_inputs(out.run), "nav": asdict(nav), "code": code,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
