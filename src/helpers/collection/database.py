"""The collection as one SQLite file, `OUT/data/collection.sqlite`: every table of the data contract,
and full-text search (FTS5) over the sentences in both languages.

Open it as it is: `sqlite3 OUT/data/collection.sqlite` or `datasette OUT/data/collection.sqlite`
(the `sentences` table page then has a search box). Searches fold diacritics, case and đ alike:
`sentences` carries two more columns than the CSV, `folded_vi` and `folded_en` (the text through
`text.normalise.fold`), indexed with the texts by `sentences_fts`, so a query typed without marks
(`da nang`, folded the same way: `match_expression`) finds `Đà Nẵng`. Written whole here (to a
temporary sibling moved into place: a reader never sees half of it); a re-run updates it in place
(`collection.update`), by the digests of each report's rows kept in `collection_digests`.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.collection.digests import report_digests
from helpers.store.code import code_stamp
from helpers.store.files import replaced
from helpers.text.normalise import fold
from helpers.store.paths import DATABASE_FILE

if TYPE_CHECKING:
    import pandas as pd

DATABASE = DATABASE_FILE  # in OUT/data/ (store.contract)
SEARCH_TABLE = "sentences_fts"
DIGESTS = "collection_digests"  # per table and report: the digest of its rows (`digests.report_digests`);
# as table `sentences_fts`: of its sentences' texts alone (kept texts keep their index entries)
STATE = "collection_state"  # what made the file: the code's digest (`store.code.code_stamp`)
FOLDED = {"folded_vi": "text_vi", "folded_en": "text_en"}  # the search columns of `sentences`, and their text
INTEGERS = frozenset({"line_no", "sentence_no", "n_lines", "n_sentences", "n_captions", "n_words", "pieces"})
REALS = frozenset({"confidence"})
TEXTS = ("text_vi", "text_en")  # the columns of `sentences` whose text the search index holds (and folded)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_type(name: str) -> str:
    return "INTEGER" if name in INTEGERS else "REAL" if name in REALS else "TEXT"


def _value(name: str, text: str) -> object:
    """A CSV cell as SQLite keeps it: numbers as numbers, an empty number as NULL, text unchanged."""
    if name not in INTEGERS and name not in REALS:
        return text
    if text == "":
        return None
    try:
        return int(text) if name in INTEGERS else float(text)
    except ValueError:
        return text  # a number column holding text stays text (SQLite's column affinity allows it)


def stored(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A table's frame as the file holds it: the sentences with their search columns."""
    return with_folded(frame) if name == "sentences" else frame


def schema(columns: Mapping[str, list[str]]) -> dict[str, str]:
    """Every table, index and the search index of a file holding these tables (name -> its columns as
    stored), by name: the statements that make them, as `sqlite_master` then holds them. The
    reports are keyed by report_id, the others point at it (datasette links each row to its report)."""
    made: dict[str, str] = {}
    for name in sorted(columns, key=lambda n: n != "reports"):  # reports first: the other tables point at it
        cols = [f"{_quoted(c)} {_column_type(c)}" + (" PRIMARY KEY" if name == "reports" and c == "report_id" else "")
                for c in columns[name]]
        keyed = name != "reports" and "report_id" in columns[name]
        if keyed:
            cols.append('FOREIGN KEY ("report_id") REFERENCES "reports" ("report_id")')
        made[name] = f"CREATE TABLE {_quoted(name)} ({', '.join(cols)})"
        if keyed:
            made[f"{name}_report_id"] = f'CREATE INDEX {_quoted(name + "_report_id")} ON {_quoted(name)} ("report_id")'
    if "sentences" in columns:
        # content="sentences" in double quotes: the form datasette looks for to give that table a search box;
        # the texts as written (marks and case ignored by the tokenizer) and folded (đ as d too)
        indexed = ", ".join(c for c in (*TEXTS, *FOLDED) if c in columns["sentences"])
        made[SEARCH_TABLE] = (f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5({indexed}, content=\"sentences\", "
                              "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
    made[DIGESTS] = (f"CREATE TABLE {DIGESTS} (table_name TEXT, report_id TEXT, digest TEXT, "
                     "PRIMARY KEY (table_name, report_id)) WITHOUT ROWID")
    made[STATE] = f"CREATE TABLE {STATE} (key TEXT PRIMARY KEY, value TEXT)"
    return made


def indexed_columns(db: sqlite3.Connection) -> list[str]:
    """The columns of `sentences` the search index holds, as the file says (for FTS5's 'delete')."""
    return [row[1] for row in db.execute(f"PRAGMA table_info({SEARCH_TABLE})")]


def values(frame: pd.DataFrame) -> list[list[object]]:
    """A frame's cells as SQLite keeps them (numbers as numbers), column by column."""
    return [[_value(c, v) for v in frame[c].tolist()] if c in INTEGERS or c in REALS else frame[c].tolist()
            for c in frame.columns]


def insert_rows(db: sqlite3.Connection, name: str, frame: pd.DataFrame) -> None:
    """A frame's rows into table `name`."""
    targets = ", ".join(_quoted(c) for c in frame.columns)
    db.executemany(f"INSERT INTO {_quoted(name)} ({targets}) VALUES ({', '.join('?' * len(frame.columns))})",
                   zip(*values(frame)))


def rewrite_rows(db: sqlite3.Connection, name: str, frame: pd.DataFrame, rowids: Sequence[int]) -> None:
    """Each row of table `name` given by rowid takes the values of the frame's row in the same place."""
    columns = ", ".join(f"{_quoted(c)} = ?" for c in frame.columns)
    db.executemany(f"UPDATE {_quoted(name)} SET {columns} WHERE rowid = ?", zip(*values(frame), rowids))


def keep_digests(db: sqlite3.Connection, name: str, digests: Iterable[tuple[str, str]]) -> None:
    """Record the digests (report_id, digest) of table `name`'s rows of those reports."""
    db.executemany(f"INSERT OR REPLACE INTO {DIGESTS} VALUES (?, ?, ?)", ((name, r, d) for r, d in digests))


def keep_state(db: sqlite3.Connection) -> None:
    """Record the code the file is made by (its rows as stored depend on it: numbers, folded texts)."""
    db.execute(f"INSERT OR REPLACE INTO {STATE} VALUES ('code', ?)", (code_stamp(),))


def searched(sentences: pd.DataFrame) -> pd.DataFrame:
    """What the search index holds of the sentences: each report's texts, in order."""
    return sentences[["report_id", *(c for c in TEXTS if c in sentences.columns)]]


def with_folded(sentences: pd.DataFrame) -> pd.DataFrame:
    """The sentences with their search columns: each text folded (`fold`; the English once translated)."""
    extra = {folded: sentences[text].map(fold) for folded, text in FOLDED.items() if text in sentences.columns}
    return sentences.assign(**extra)


def write_database(data_dir: Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write `data_dir/collection.sqlite` from the contract's tables (name -> frame, as read through
    the contract), atomically; returns its path."""
    path = data_dir / DATABASE
    with replaced(path) as tmp:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a new file, replaced whole: no journal needed
            db.execute("PRAGMA synchronous = OFF")
            with db:
                frames = {name: stored(name, frame) for name, frame in tables.items()}
                statements = schema({name: list(frame.columns) for name, frame in frames.items()})
                for name in (DIGESTS, STATE):
                    db.execute(statements.pop(name))
                for name, statement in statements.items():  # a table's index after its rows, the search last
                    db.execute(statement)
                    if name == SEARCH_TABLE:
                        db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')")
                    elif name in frames:
                        insert_rows(db, name, frames[name])
                        if "report_id" in frames[name].columns:
                            keep_digests(db, name, report_digests(tables[name]).items())
                        if name == "sentences":
                            keep_digests(db, SEARCH_TABLE, report_digests(searched(tables[name])).items())
                keep_state(db)
            db.execute("PRAGMA optimize")
        except sqlite3.Error as exc:  # a full disk, a vanished folder: one line naming the file, as for the CSVs
            raise OSError(errno.EIO, f"the collection's database could not be written ({exc})", str(path)) from None
        finally:
            db.close()
    return path


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression for a query as people type it: folded (`Đà Nẵng` and `da nang`
    alike), every word required, a "quoted phrase" kept as a phrase; FTS5's own operators and
    punctuation are taken as words, never as syntax."""
    parts = fold(query).split('"')
    terms: list[str] = []
    for i, part in enumerate(parts):
        words = "".join(c if c.isalnum() else " " for c in part).split()
        if i % 2 and words:  # inside quotes: one phrase
            terms.append('"' + " ".join(words) + '"')
        else:
            terms += [f'"{w}"' for w in words]
    return " ".join(terms)


def search(path: Path, query: str, limit: int = 20) -> list[dict[str, object]]:
    """The sentences matching `query` (`match_expression`) as `sentences` rows, best first: those
    holding its words side by side first (`da nang` is most likely Đà Nẵng, not đã ... nâng), then
    the others holding them all."""
    expressions = [match_expression(query)]
    if '"' not in query:
        expressions.insert(0, match_expression(f'"{query}"'))
    found: dict[int, dict[str, object]] = {}
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        for expression in filter(None, expressions):
            rows = db.execute(f"SELECT s.rowid AS row, s.* FROM {SEARCH_TABLE} JOIN sentences s "
                              f"ON s.rowid = {SEARCH_TABLE}.rowid WHERE {SEARCH_TABLE} MATCH ? "
                              "ORDER BY rank, s.report_id, s.sentence_no LIMIT ?", (expression, limit)).fetchall()
            for r in rows:
                found.setdefault(r["row"], {k: r[k] for k in r.keys() if k != "row" and k not in FOLDED})
    return list(found.values())[:limit]
