"""The search data of a run's pages, split so that a query loads only what it needs (as Pagefind does):
every title, sentence (Vietnamese and English), summary and cited document of every report, and the
entity names, in JavaScript files under `OUT/html/search/` that the pages load with `<script>`
elements (a page opened from disk may not `fetch` a local file):

- `terms-NNNN.js`: the inverted index by folded term and by pair of adjacent words (`text.normalise.fold`,
  split at spaces and punctuation as the page splits a query), in shards of consecutive terms: a query's words load
  only their shards, found from the first term of each shard in `manifest.js`;
- `ids-NNNN.js`: the search units' ids (a report, or a block of entities), CHUNK a file;
- `text/<id>.js`: one unit's texts, loaded only when the unit is among the results shown; the page
  matches, ranks and marks them with MiniSearch (npm, pinned in package.json).

Each text links to its anchor on its page (`<report_id>.html#s-12`, `entities.html#<entity_id>`).
Files whose bytes would not change are left as they are (a run that changes a few reports
rewrites a few text files, the term shards they touch, the id chunks and the manifest).
"""

from __future__ import annotations

import json
import os
import shutil
import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import regex

from helpers.pages.render import TEMPLATES
from helpers.store.files import remove_stale, write_text
from helpers.text.normalise import fold, fold_text

ROOT = Path(__file__).resolve().parents[3]
MINISEARCH = ROOT / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
SCRIPTS = ("search.js", "index.js")  # the pages' own scripts (templates/js/)
SEARCH_DIR = "search"
TEXT_DIR = "text"
SHARD_BYTES = 12_000  # a term shard's postings: one word of a query costs about this much, or its own list
CHUNK = 100  # unit ids per ids-NNNN.js
TF_BITS = 2  # a posting is (unit - previous unit) << TF_BITS | min(occurrences, 3)
DIGITS = string.digits + string.ascii_uppercase + string.ascii_lowercase + "-_"  # a posting's 5 bits and "more"
ENTITIES_PER_UNIT = 200  # entity names per search unit (`@entities-NNN`)
Doc = list[str]  # [anchor, kind, text]
Unit = tuple[str, str, str, list[Doc]]  # (id, page file, title as the results head it, texts)
ENTITIES_DOC = ("entities", "Entities: who, where, which organisation")  # its page is entities.html
_SPLIT = regex.compile(r"[\s\p{P}]+")  # as the page splits a query: /[\s\p{P}]+/u


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
    return [[a, k, t] for a, k, t in docs if t and t.strip()]


def entity_units(entities: list[dict]) -> list[Unit]:
    """The entity index's searchable texts, ENTITIES_PER_UNIT entities a unit: each entity's Vietnamese
    and English names, anchored at its row of the entities page (`entities.html#<entity_id>`)."""
    docs = []
    for e in entities:
        names = " · ".join(dict.fromkeys(n for n in (str(e["name_vi"]), str(e["name_en"])) if n.strip()))
        n = int(e["reports"] or 0)
        docs.append([str(e["entity_id"]), f"{e['kind']}, named in {n} report{'' if n == 1 else 's'}", names])
    return [(f"@{ENTITIES_DOC[0]}-{k // ENTITIES_PER_UNIT:03d}", f"{ENTITIES_DOC[0]}.html", ENTITIES_DOC[1],
             docs[k:k + ENTITIES_PER_UNIT]) for k in range(0, len(docs), ENTITIES_PER_UNIT)]


def terms(text: str) -> list[str]:
    """The folded words of a text, as the page finds them (split at white space and punctuation)."""
    return [t for t in _SPLIT.split(fold(text)) if t]


def unit_terms(docs: list[Doc]) -> Counter[str]:
    """How often each folded word, and each pair of words next to each other in a text (`"phong chay"`,
    the two words and a space: never a word), occurs in a unit's texts: the pairs rank the reports where
    a query's words stand together first, and a phrase's pairs must all be there."""
    texts = fold_text("\x1f".join(d[2] for d in docs)).split("\x1f")  # one fold a unit, not cached
    counted: Counter[str] = Counter()
    for text in texts:
        words = [t for t in _SPLIT.split(text) if t]
        counted.update(words)
        counted.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return counted


def postings(units: Iterable[Unit]) -> dict[str, list[int]]:
    """Each folded term's (and pair's, `unit_terms`) postings over the units (in their order): the gap
    from the previous unit holding it, shifted by TF_BITS, with how often it occurs there (at most 3)."""
    found: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    cap = (1 << TF_BITS) - 1
    for n, (_, _, _, docs) in enumerate(units):
        counted = unit_terms(docs)
        for term, times in counted.items():
            found.setdefault(term, []).append((n - last.get(term, 0)) << TF_BITS | min(times, cap))
            last[term] = n
    return found


def encoded(values: list[int]) -> str:
    """Postings as text, a few characters each: 5 bits of a value a character of DIGITS, low bits first,
    the character's sixth bit set while more follow (a report next to the previous one holding the
    term is one character)."""
    out = []
    for v in values:
        while True:
            low, v = v & 31, v >> 5
            out.append(DIGITS[low | (32 if v else 0)])
            if not v:
                break
    return "".join(out)


def term_shards(index: dict[str, list[int]], size: int = SHARD_BYTES) -> list[dict[str, str]]:
    """The terms in their order (code points, as the page compares them) with their postings `encoded`,
    cut into shards of about `size` bytes; a term with more postings than that is a shard of its own."""
    return cut_shards(((term, encoded(index[term])) for term in sorted(index)), size)


def cut_shards(items: Iterable[tuple[str, str]], size: int = SHARD_BYTES) -> list[dict[str, str]]:
    """(term, encoded postings) in the terms' order, cut into shards of about `size` bytes (`term_shards`)."""
    shards: list[dict[str, str]] = []
    shard: dict[str, str] = {}
    used = 0
    for term, text in items:
        cost = len(term) + len(text) + 6
        if shard and used + cost > size:
            shards.append(shard)
            shard, used = {}, 0
        shard[term] = text
        used += cost
    return [*shards, shard] if shard else shards


def _script(call: str, *args: object) -> str:
    """A script that calls `call` with the arguments as JSON (a JavaScript file, never inline HTML)."""
    return f"{call}({','.join(json.dumps(a, ensure_ascii=False, separators=(',', ':')) for a in args)});\n"


def files_in(folder: Path) -> set[str]:
    """The names of the regular files in `folder` (none when it is missing): one listing, not a stat a file."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file()}
    except OSError:
        return set()


def keep_or_write(path: Path, text: str) -> Path:
    """Write `text` to `path` unless the file already holds exactly these bytes."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    except OSError:
        pass
    return write_text(path, text)


def write_search(fresh: list[Unit], uids: list[str], texts: int, posted: list[tuple[str, str]],
                 html_dir: Path) -> list[Path]:
    """Write the search data into `html_dir`: the text file of each `fresh` unit (new or changed: the
    others' files are as they were), the term shards of the `posted` terms ((term, encoded postings) in
    code-point order), the id chunks of the units `uids` (every unit, in order, `texts` texts in all)
    and the manifest, then MiniSearch and the pages' scripts; return the files written or kept. Files
    of an earlier run that this one does not write (a removed report's texts, shards beyond this run's
    count) are removed."""
    if not MINISEARCH.is_file():
        raise FileNotFoundError(f"{MINISEARCH} is missing: run `make setup` (it installs MiniSearch with npm) "
                                "so that the pages' search works")
    folder = html_dir / SEARCH_DIR
    for uid, page, title, docs in fresh:
        keep_or_write(folder / TEXT_DIR / f"{uid}.js", _script("VI2EN.texts", uid, {"page": page, "title": title,
                                                                                     "docs": docs}))
    written = [folder / TEXT_DIR / f"{uid}.js" for uid in uids]
    remove_stale(folder / TEXT_DIR, "*.js", {p.name for p in written})
    shards = cut_shards(posted)
    own = [keep_or_write(folder / f"terms-{n:04d}.js", _script("VI2EN.terms", n, s)) for n, s in enumerate(shards)]
    own += [keep_or_write(folder / f"ids-{n // CHUNK:04d}.js", _script("VI2EN.ids", n // CHUNK, uids[n:n + CHUNK]))
            for n in range(0, len(uids), CHUNK)]
    manifest = {"units": len(uids), "reports": sum(not uid.startswith("@") for uid in uids),
                "texts": texts, "chunk": CHUNK, "tf_bits": TF_BITS, "digits": DIGITS,
                "shards": [next(iter(s)) for s in shards]}
    own.append(keep_or_write(folder / "manifest.js", _script("VI2EN.manifest", manifest)))
    remove_stale(folder, "*.js", {p.name for p in own})
    written += own
    written.append(Path(shutil.copyfile(MINISEARCH, html_dir / "minisearch.js")))
    written += [Path(shutil.copyfile(TEMPLATES / "js" / name, html_dir / name)) for name in SCRIPTS]
    return written
