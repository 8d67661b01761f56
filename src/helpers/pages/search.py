"""The search data of a run's pages: every title, sentence (Vietnamese and English), summary and
cited document of every report, folded for search (`text.normalise.fold`), written as JavaScript shards
under `OUT/html/search/` that the pages load with `<script>` elements (a page opened from disk
may not `fetch` a local file), with MiniSearch (npm, pinned in package.json) and the pages'
own scripts beside them. Each searchable text links to its anchor on its report page; the entity
names link to their row of the entities page (`ENTITIES_DOC`, searched as if it were a report).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from helpers.pages.render import TEMPLATES
from helpers.store.files import remove_stale, write_text
from helpers.text.normalise import fold

ROOT = Path(__file__).resolve().parents[3]
MINISEARCH = ROOT / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
SCRIPTS = ("search.js", "index.js")  # the pages' own scripts (templates/js/)
SEARCH_DIR = "search"
DOCS_PER_SHARD = 4000  # texts per shard: one shard's index is built in well under 100 ms
Doc = list[str]  # [anchor, kind, text, folded text]
ENTITIES_DOC = ("entities", "Entities: who, where, which organisation")  # its page is entities.html


def sentence_anchor(sentence_no: object) -> str:
    """The id of a sentence's row on its report page (`s-12`): stable across runs."""
    return f"s-{sentence_no}"


def report_docs(report: dict, sentences: list[dict], summaries: list[dict], references: list[dict],
                title: str) -> list[Doc]:
    """One report's searchable texts: its title, each sentence in both languages, each summary,
    each cited document (as cited and in English)."""
    docs: list[tuple[str, str, str]] = [("title", "title", title)]
    for s in sentences:
        kind = "caption" if s["role"] == "caption" else "sentence"
        anchor = sentence_anchor(s["sentence_no"])
        docs += [(anchor, f"{kind} {s['sentence_no']}", s["text_vi"]),
                 (anchor, f"{kind} {s['sentence_no']} (English)", s["text_en"])]
    docs += [("summary", f"summary ({s['method']})", s["summary_en"]) for s in summaries]
    docs += [(sentence_anchor(r["sentence_no"]), "cited document",
              f"{r['cited_as']} · {r['english']} {r['code']}".strip())
             for r in references]
    return [[a, k, t, fold(t)] for a, k, t in docs if t and t.strip()]


def entity_docs(entities: list[dict]) -> list[Doc]:
    """The entity index's searchable texts: each entity's Vietnamese and English names, anchored at its
    row of the entities page (`entities.html#<entity_id>`, which lists the reports naming it)."""
    docs = []
    for e in entities:
        names = " · ".join(dict.fromkeys(n for n in (str(e["name_vi"]), str(e["name_en"])) if n.strip()))
        n = int(e["reports"] or 0)
        said = f"{e['kind']}, named in {n} report{'' if n == 1 else 's'}"
        docs.append([str(e["entity_id"]), said, names, fold(names)])
    return docs


def shards(reports: list[tuple[str, str, list[Doc]]], per_shard: int = DOCS_PER_SHARD) -> Iterator[dict]:
    """The reports (id, title, texts) in shards of about `per_shard` texts, a report never split."""
    shard: dict = {"reports": [], "docs": []}
    for rid, title, docs in reports:
        if shard["docs"] and len(shard["docs"]) + len(docs) > per_shard:
            yield shard
            shard = {"reports": [], "docs": []}
        at = len(shard["reports"])
        shard["reports"].append([rid, title])
        shard["docs"] += [[at, *d] for d in docs]
    if shard["reports"]:
        yield shard


def _script(call: str, *args: object) -> str:
    """A script that calls `call` with the arguments as JSON (a JavaScript file, never inline HTML)."""
    return f"{call}({','.join(json.dumps(a, ensure_ascii=False, separators=(',', ':')) for a in args)});\n"


def write_search(reports: list[tuple[str, str, list[Doc]]], html_dir: Path) -> list[Path]:
    """Write the search shards, their manifest (`search/manifest.js`), MiniSearch and the pages'
    scripts into `html_dir`; return the files. An earlier run's shard beyond this run's count is removed."""
    if not MINISEARCH.is_file():
        raise FileNotFoundError(f"{MINISEARCH} is missing: run `make setup` (it installs MiniSearch with npm) "
                                "so that the pages' search works")
    folder = html_dir / SEARCH_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, shard in enumerate(shards(reports)):
        written.append(write_text(folder / f"shard-{n:04d}.js", _script("VI2EN.shard", n, shard)))
    remove_stale(folder, "shard-*.js", {p.name for p in written})  # an earlier run's shards beyond this run's count
    manifest = {"shards": len(written), "reports": sum(rid != ENTITIES_DOC[0] for rid, _, _ in reports),
                "texts": sum(len(d) for _, _, d in reports)}
    written.append(write_text(folder / "manifest.js", _script("VI2EN.manifest", manifest)))
    written.append(Path(shutil.copyfile(MINISEARCH, html_dir / "minisearch.js")))
    written += [Path(shutil.copyfile(TEMPLATES / "js" / name, html_dir / name)) for name in SCRIPTS]
    return written
