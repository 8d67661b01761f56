"""The search data's inverted index, updated in proportion to what changed (issue 39).

`OUT/.search-terms.sqlite` (beside `OUT/html/`, not in it: the folder one publishes holds only what its pages
read; 95 MB at 10,000 reports) keeps, from the previous run, each search unit's id and the digest of
what its texts are made from (`unit_digests`), and the merged index as three arrays ordered by term
(code points) then unit: term, unit, occurrences (at most 3). A run folds and splits (`search.unit_terms`)
only the texts of the units that are new or whose digest changed; it drops the entries of changed and
removed units, renumbers the kept ones (their order among themselves is kept, so the arrays stay
ordered) and inserts the new entries where they belong (numpy, no sort of the whole). The postings are
then encoded as `search.encoded` does, in one vectorised pass, and cut into shards as
`search.term_shards` cuts them: the files are byte for byte those of a run from scratch
(`search.postings`). A missing or unreadable store, or units in a new order, make the index anew.
"""

from __future__ import annotations

import hashlib
import json
from itertools import count as numbered, filterfalse
import sqlite3
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from helpers.pages.search import DIGITS, TF_BITS, Unit, unit_terms

TERMS_DB = ".search-terms.sqlite"  # OUT/.search-terms.sqlite: `terms_db(html_dir)`


def terms_db(html_dir: Path) -> Path:
    """Where the index of the pages of `html_dir` is kept: beside the folder, never published with it."""
    return html_dir.parent / TERMS_DB
_SCHEMA = ("CREATE TABLE IF NOT EXISTS units (position INTEGER PRIMARY KEY, uid TEXT NOT NULL, "
           "digest TEXT NOT NULL, texts INTEGER NOT NULL);"
           "CREATE TABLE IF NOT EXISTS arrays (name TEXT PRIMARY KEY, data BLOB NOT NULL);")
_CODES = np.frombuffer(DIGITS.encode("ascii"), dtype=np.uint8)
_UNIT_BITS = 31  # a unit's position in an entry's sort key (`Fresh.entries`): an int32


def index_code(code: str) -> str:
    """What the index is made with beside the texts: the package's code and the `regex` splitting them."""
    return f"{code} regex {version('regex')}"


@dataclass
class Index:
    """The merged index: the terms in code-point order, and its entries ordered by (term, unit)."""

    uids: list[str]
    digests: list[str]
    texts: list[int]  # each unit's number of texts
    terms: list[str]
    term: np.ndarray  # int32, a position in `terms`
    unit: np.ndarray  # int32, a position in `uids`
    count: np.ndarray  # uint8, occurrences in the unit, at most 3

    @staticmethod
    def empty() -> "Index":
        return Index([], [], [], [], np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint8))


def load_index(path: Path) -> Index:
    """The index the previous run kept, or an empty one (none kept, or not readable as one)."""
    try:
        with sqlite3.connect(path) as db:
            units = db.execute("SELECT uid, digest, texts FROM units ORDER BY position").fetchall()
            arrays = dict(db.execute("SELECT name, data FROM arrays").fetchall())
        db.close()
        term, unit = (np.frombuffer(arrays[n], dtype=np.int32) for n in ("term", "unit"))
        count = np.frombuffer(arrays["count"], dtype=np.uint8)
        terms = json.loads(arrays["terms"])
        if not (len(term) == len(unit) == len(count)) or (len(term) and (term.max() >= len(terms)
                                                                        or unit.max() >= len(units))):
            return Index.empty()
        return Index([u[0] for u in units], [u[1] for u in units], [u[2] for u in units], terms, term, unit, count)
    except (sqlite3.Error, KeyError, ValueError, OSError):
        return Index.empty()


def load_units(path: Path) -> tuple[list[str], list[str]]:
    """The ids and digests of the units of the index the previous run kept, in order (none when there is none
    readable): what says which units' texts must be folded and split again, without reading the arrays."""
    try:
        with sqlite3.connect(path) as db:
            units = db.execute("SELECT uid, digest FROM units ORDER BY position").fetchall()
        db.close()
        return [u[0] for u in units], [u[1] for u in units]
    except sqlite3.Error:
        return [], []


def kept_in_order(old: list[str], uids: list[str], fresh: set[str]) -> bool:
    """Whether the units `uids` keep every unit of `old` not in `fresh` that they hold, in `old`'s order, and
    are those kept and the `fresh` ones (`updated` can then keep the entries of the others)."""
    was = {uid: n for n, uid in enumerate(old)}
    kept = [was[uid] for uid in uids if uid not in fresh and uid in was]
    return len(kept) >= len(uids) - len(fresh) and all(a < b for a, b in zip(kept, kept[1:]))


def save_index(path: Path, index: Index) -> None:
    """Keep `index` for the next run (replacing the file whole, so a run stopped half-way leaves the old one)."""
    part = path.with_name(f".{path.name}.part")
    part.unlink(missing_ok=True)
    with sqlite3.connect(part) as db:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO units VALUES (?, ?, ?, ?)",
                       list(zip(range(len(index.uids)), index.uids, index.digests, index.texts)))
        db.executemany("INSERT INTO arrays VALUES (?, ?)",
                       [("terms", json.dumps(index.terms, ensure_ascii=False).encode()),
                        *((n, np.ascontiguousarray(getattr(index, n)).data.cast("B"))
                          for n in ("term", "unit", "count"))])  # the arrays' bytes, not a copy of them
    db.close()
    part.replace(path)


@dataclass
class Fresh:
    """The (term, unit, count) entries of the units folded and split now, kept compact as they are made:
    each term by its number in `words` (first met first), a unit's entries as arrays. A unit's `Counter`
    of words and pairs is let go at once: 10,000 reports' counters held together were 2 GB."""

    words: dict[str, int]
    term: list[np.ndarray]
    unit: list[np.ndarray]
    count: list[np.ndarray]

    @staticmethod
    def of(units: list[tuple[int, list]]) -> "Fresh":
        """The entries of each (position, texts) unit (`search.unit_terms`), occurrences capped at 3."""
        fresh = Fresh({}, [], [], [])
        words, cap = fresh.words, (1 << TF_BITS) - 1
        for position, docs in units:
            counted = unit_terms(docs)
            # the words not met before numbered in turn, then each looked up: ten million entries at 10,000
            # reports, so done by C loops (`map`, `filterfalse`), not a Python expression an entry
            words.update(zip(filterfalse(words.__contains__, counted), numbered(len(words))))
            fresh.term.append(np.fromiter(map(words.__getitem__, counted), dtype=np.int32, count=len(counted)))
            fresh.unit.append(np.full(len(counted), position, dtype=np.int32))
            fresh.count.append(np.minimum(np.fromiter(counted.values(), dtype=np.int64, count=len(counted)), cap)
                               .astype(np.uint8))
        return fresh

    def entries(self, terms: list[str]) -> tuple[np.ndarray, ...]:
        """The entries with each term numbered by its place in `terms`, ordered by (term, unit). They are
        sorted as one int64 key an entry (term, unit, count: a term's unit is there once), in place, not
        by an order array and three arrays gathered by it (10 million entries at 10,000 reports)."""
        at = {t: n for n, t in enumerate(terms)}
        numbers = np.array([at[w] for w in self.words], dtype=np.int64)
        key = np.zeros(0, np.int64)
        if self.term:
            key = numbers[np.concatenate(self.term)] << _UNIT_BITS
            self.term.clear()
            key |= np.concatenate(self.unit).astype(np.int64)
            self.unit.clear()
            key <<= TF_BITS
            key |= np.concatenate(self.count)
            self.count.clear()
            key.sort()
        return ((key >> (_UNIT_BITS + TF_BITS)).astype(np.int32), (key >> TF_BITS & (1 << _UNIT_BITS) - 1)
                .astype(np.int32), (key & (1 << TF_BITS) - 1).astype(np.uint8))


def updated(old: Index, uids: list[str], digests: list[str], fresh: dict[str, Unit]) -> Index:
    """The index of the units `uids` (in their order, with their `digests`): `old`'s entries of the units
    whose digest is unchanged (those not in `fresh`), and the entries of the `fresh` units' texts."""
    was = {uid: n for n, (uid, d) in enumerate(zip(old.uids, old.digests))}
    kept_at = np.full(len(old.uids), -1, dtype=np.int32)
    for n, uid in enumerate(uids):
        if uid not in fresh and uid in was:
            kept_at[was[uid]] = n
    kept = kept_at[kept_at >= 0]
    if len(kept) < len(uids) - len(fresh) or np.any(np.diff(kept) <= 0):
        raise ValueError("the units are not those kept, or not in their order")  # caller: make anew
    renumbered = kept_at[old.unit]
    keep = renumbered >= 0
    if keep.all():
        term, unit, count = old.term, renumbered, old.count
    else:
        term, unit, count = old.term[keep], renumbered[keep], old.count[keep]
    # new terms take their place in code-point order; the kept terms' numbers move up past them
    position = {uid: n for n, uid in enumerate(uids)}
    made = Fresh.of([(position[uid], u[3]) for uid, u in fresh.items()])
    new_words = sorted(set(made.words) - set(old.terms))
    slots = np.searchsorted(np.array(old.terms, dtype=object), np.array(new_words, dtype=object)) \
        if old.terms and new_words else np.zeros(len(new_words), dtype=np.int64)
    terms = _merged(old.terms, new_words, slots)
    if len(new_words) and len(old.terms):
        shift = np.searchsorted(slots, np.arange(len(old.terms)), side="right").astype(np.int32)
        term = term + shift[term]
    f_term, f_unit, f_count = made.entries(terms)
    if len(term):  # the fresh entries inserted where their (term, unit) belongs among the kept ones
        where = _places(term, unit, f_term, f_unit)
        term, unit, count = (np.insert(a, where, b) for a, b in ((term, f_term), (unit, f_unit), (count, f_count)))
    else:  # none kept (a first run): the fresh entries are the index
        term, unit, count = f_term, f_unit, f_count
    texts_of = dict(zip(old.uids, old.texts)) | {uid: len(u[3]) for uid, u in fresh.items()}
    return _pruned(Index(list(uids), list(digests), [texts_of[uid] for uid in uids], terms, term, unit, count))


def _places(term: np.ndarray, unit: np.ndarray, f_term: np.ndarray, f_unit: np.ndarray) -> np.ndarray:
    """Where each (f_term, f_unit) goes among the entries ordered by (term, unit): its term's entries found by
    a search of `term`, then its unit among them by halving every range at once (no array of combined
    keys the size of the index)."""
    lo = np.searchsorted(term, f_term, side="left")
    hi = np.searchsorted(term, f_term, side="right")
    while (open_ := lo < hi).any():
        mid = (lo + hi) // 2
        right = open_ & (unit[np.minimum(mid, len(unit) - 1)] < f_unit)
        lo, hi = np.where(right, mid + 1, lo), np.where(open_ & ~right, mid, hi)
    return lo


def _merged(terms: list[str], new: list[str], slots: np.ndarray) -> list[str]:
    """`terms` with the sorted `new` ones inserted before the positions `slots`."""
    out, last = [], 0
    for word, slot in zip(new, slots.tolist()):
        out += terms[last:slot]
        out.append(word)
        last = slot
    return out + terms[last:]


def _pruned(index: Index) -> Index:
    """`index` without the terms no unit holds any more (their entries went with a changed or removed unit)."""
    held = np.bincount(index.term, minlength=len(index.terms)) > 0
    if held.all():
        return index
    renumbered = (np.cumsum(held) - 1).astype(np.int32)
    index.terms = [t for t, h in zip(index.terms, held.tolist()) if h]
    index.term = renumbered[index.term]
    return index


ENCODE_STEP = 1 << 20  # entries encoded a pass: a pass's arrays stay small enough to reuse memory, not map it anew


def encoded_postings(index: Index) -> list[tuple[str, str]]:
    """Each held term (in code-point order) with its postings as `search.encoded` writes them: the gap
    from the previous unit holding the term, shifted by TF_BITS, with the occurrences; 5 bits a
    character of DIGITS, low bits first, the sixth bit set while more follow. Encoded in passes of about
    ENCODE_STEP entries, each a run of whole terms (arrays the size of the whole index cost a page fault
    every 4 KiB: at 10,000 reports, 10 million entries, about a second)."""
    if not len(index.term):
        return []
    starts = np.flatnonzero(index.term[1:] != index.term[:-1]) + 1
    cuts = np.unique(np.r_[0, starts[np.searchsorted(starts, np.arange(ENCODE_STEP, len(index.term), ENCODE_STEP))
                                     .clip(max=len(starts) - 1)] if len(starts) else [], len(index.term)])
    posted: list[tuple[str, str]] = []
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        posted += _encoded_run(index.terms, index.term[a:b], index.unit[a:b], index.count[a:b])
    return posted


def _encoded_run(terms: list[str], term: np.ndarray, unit: np.ndarray, count: np.ndarray) -> list[tuple[str, str]]:
    """`encoded_postings` of a run of entries that holds whole terms."""
    starts = np.flatnonzero(np.r_[True, term[1:] != term[:-1]])
    previous = np.empty_like(unit)
    previous[0] = 0
    previous[1:] = unit[:-1]
    previous[starts] = 0
    values = (unit - previous) << TF_BITS | count
    chars = np.ones(len(values), dtype=np.int32)
    bound = 32
    while bound <= values.max():
        chars += values >= bound
        bound <<= 5
    ends = np.cumsum(chars, dtype=np.int64)
    first = ends - chars
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    out[first] = _CODES[(values & 31) | (chars > 1) << 5]
    for k in range(1, int(chars.max())):
        sel = np.flatnonzero(chars > k)
        out[first[sel] + k] = _CODES[(values[sel] >> (5 * k)) & 31 | (chars[sel] > k + 1) << 5]
    text = out.tobytes().decode("ascii")
    bounds = np.r_[first[starts], len(out)].tolist()
    return [(terms[t], text[a:b]) for t, a, b in zip(term[starts].tolist(), bounds[:-1], bounds[1:])]


def unit_digest(*parts: object) -> str:
    """A unit's digest of what its texts are made from."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
