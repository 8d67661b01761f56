"""What a report page is rendered from, as one digest per page, made for every report at once without
building any page's context: the pages step renders a page again only when its digest changed
(`pages.stage.write_pages`, the manifest `OUT/html/pages.json`).

A page's digest covers everything its template can show (`pages.report.report_context`): the report's
rows in every table the page reads (`pd.util.hash_pandas_object`, grouped by report: one vectorised
pass over each table, not a context per report), the names and kinds of the entities it names, its
title and header (the run's pages and the neighbouring reports' titles), what every report page shows
alike (the demo banner, the provenance, whether the run has an entity index) and the code that renders
it (every module of the package, the templates, the versions of Jinja2 and MarkupSafe). A column no
page shows (a sentence's model or score, an entity's report count) changes no digest, nor does a sentence's
`origin` but for whether a person reviewed it (the ✓ mark).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from helpers.pages.outputs import DEMO_BANNER, Outputs
from helpers.pages.render import Link, Nav
from helpers.store.digests import grouped_digests
from helpers.store.files import write_text

MANIFEST = "pages.json"  # OUT/html/pages.json: {"<report_id>.html": digest}
KEPT = ".pages-digests.json"  # OUT/.pages-digests.json, beside OUT/html/ (never published): `keep_digests`
PACKAGE = Path(__file__).resolve().parents[1]  # src/helpers: its modules and templates
PAGE_TABLES = ("reports", "sentences", "summaries", "references", "mentions")  # a report's own rows a page reads
NOT_SHOWN = {"sentences": ("line_no", "lang", "model", "pieces", "confidence"),  # on no report page
             "reports": ("first_seen", "last_changed")}  # (the index marks new and changed: a moved project's
# corpus made anew sees every report first now, and its pages are those it had)
ONLY_WHETHER = {"origin": "review"}  # a column a page shows only as whether it holds this value (the ✓ mark)
ENTITY_SHOWN = ("entity_id", "kind", "name_vi", "name_en")  # what a report page shows of an entity it names
TEXT_TABLES = ("reports", "sentences", "summaries", "references")  # what a report's search texts are made from


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


def table_digests(out: Outputs, name: str) -> dict[str, bytes]:
    """Each report's rows of table `name` (every column a page may show) as one digest, made once per outputs:
    kept from the previous run (`kept_digests`) for a report whose rows are stored as they were then
    (`Outputs.stored`), made from the rows of the others only."""
    if name not in out._digests:
        frame, stored, kept = getattr(out, name), out.stored.get(name, {}), out._kept.get(name, {})
        same = {rid: kept[rid][1] for rid, raw in stored.items() if rid in kept and kept[rid][0] == raw}
        if same:
            frame = frame[~frame["report_id"].isin(list(same))]
        shown = frame.assign(**{c: frame[c] == value for c, value in ONLY_WHETHER.items() if c in frame.columns})
        out._digests[name] = same | grouped_digests(shown, [c for c in frame.columns
                                                            if c not in NOT_SHOWN.get(name, ())])
    return out._digests[name]


def kept_digests(path: Path, code: str) -> dict[str, dict[str, tuple[str, bytes]]]:
    """The digests `keep_digests` kept in `path` when made by this `code` (none otherwise, or unreadable)."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("code") != code:
            return {}
        return {name: {rid: (raw, bytes.fromhex(shown)) for rid, (raw, shown) in by_report.items()}
                for name, by_report in kept["tables"].items()}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def keep_digests(out: Outputs, path: Path, code: str) -> None:
    """Keep in `path`, for the next run, each report's digest of its rows as stored beside that of what its
    page shows of them (`table_digests`), for the tables whose files record the first (`Outputs.stored`)."""
    tables = {name: {rid: [raw, out._digests[name][rid].hex()] for rid, raw in out.stored[name].items()
                     if rid in out._digests[name]}
              for name in out.stored if name in out._digests}
    write_text(path, json.dumps({"code": code, "tables": tables}, separators=(",", ":")))


def rows_digests(out: Outputs, tables: tuple[str, ...] = PAGE_TABLES) -> dict[str, bytes]:
    """Each report's rows in `tables` (every column a page may show) as one digest per report."""
    parts = [table_digests(out, name) for name in tables]
    empty = b"\0" * 16
    return {rid: b"".join(p.get(rid, empty) for p in parts) for rid in map(str, out.reports["report_id"])}


def entity_digests(out: Outputs) -> dict[str, bytes]:
    """Each report's named entities (their ENTITY_SHOWN columns, by id) as one digest per report: an
    entity's new English name changes the pages of every report naming it, its report count none."""
    if not len(out.mentions) or not len(out.entities):
        return {}
    entities = out.entities.fillna("")
    shown = pd.Series(pd.util.hash_pandas_object(entities[list(ENTITY_SHOWN)].astype(str), index=False).to_numpy(),
                      index=entities["entity_id"].astype(str))
    named = out.mentions[["report_id", "entity_id"]].astype(str).drop_duplicates()
    named = named[named["entity_id"].isin(shown.index)].sort_values(["report_id", "entity_id"], kind="stable")
    named = named.assign(hash=shown.reindex(named["entity_id"]).to_numpy())
    return grouped_digests(named, ["entity_id", "hash"])


def _plain(value: object) -> object:
    """A value as JSON can hold it, whole (a table by its columns and rows, never a shortened repr)."""
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(c) for c in value.columns], "rows": value.to_numpy(dtype=object).tolist()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"no digest for a {type(value).__name__} in a page's context")


def shared_part(out: Outputs, code: str) -> bytes:
    """What every report page shows alike: the code's digest, the demo banner, whether the run has an
    entity index, and the provenance (but the stage timings, which the index shows)."""
    provenance = {k: v for k, v in out.provenance.items() if k != "stages"}
    shared = [code, DEMO_BANNER if out.demo else "", bool(len(out.entities)), provenance]
    return json.dumps(shared, sort_keys=True, default=_plain, ensure_ascii=False).encode()


_LINK_FIELDS = tuple(f.name for f in dataclasses.fields(Link))


def _link_plain(link: Link | None) -> list | None:
    """A header's link as plain values (every field), or None."""
    return None if link is None else [getattr(link, f) for f in _LINK_FIELDS]


def _nav_plain(nav: Nav) -> list:
    """A header as plain values (every field of its links), cheaper than `dataclasses.asdict`."""
    return [[_link_plain(lk) for lk in nav.links], _link_plain(nav.previous), _link_plain(nav.next)]


def page_digests(out: Outputs, titles: Mapping[str, str], navs: Mapping[str, Nav], code: str) -> dict[str, str]:
    """Each report page's digest (`<report_id>.html` -> hex) of everything it is rendered from: its
    rows, its entities' names, its `titles[file]` and header `navs[file]`, and `shared_part`."""
    shared = hashlib.sha256(shared_part(out, code)).digest()
    rows, named = rows_digests(out), entity_digests(out)
    digests = {}
    for rid in map(str, out.reports["report_id"]):
        file = f"{rid}.html"
        head = json.dumps([titles[file], _nav_plain(navs[file])], ensure_ascii=False).encode()
        digests[file] = hashlib.sha256(shared + rows[rid] + named.get(rid, b"") + head).hexdigest()
    return digests
