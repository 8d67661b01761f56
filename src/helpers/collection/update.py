"""The collection's database brought up to date by a re-run: updated in place, in one transaction,
when the file holds the same tables and columns and was made by the same code; written whole
otherwise (no file, another schema, a file that cannot be read).

The update compares each report's rows with the digests the file keeps (`collection_digests`,
`digests.report_digests`): the rows of the reports that differ, and of those gone, are deleted
(their entries taken out of the search index first, with FTS5's 'delete' and the values it
indexed), the new rows inserted and indexed. The tables without report_id are replaced whole
(they are small). A reader sees the file as it was before or after, never half an update: the
rollback journal is on, and a failed update is rolled back, then the file written whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.collection.database import (DATABASE, DIGESTS, SEARCH_TABLE, STATE, TEXTS, indexed_columns,
                                         insert_rows, keep_digests, keep_state, rewrite_rows, schema, searched,
                                         stored, write_database)
from helpers.collection.digests import differing, report_digests
from helpers.store.code import code_stamp
from helpers.store.contract import TABLES
from helpers.store.segments import recorded_digests

if TYPE_CHECKING:
    import pandas as pd

_IN = "IN (SELECT value FROM json_each(?))"  # report ids passed as one JSON array


@dataclass(frozen=True)
class Updated:
    """What an update changed: the reports whose rows (in any table) were written anew, and those removed."""

    anew: frozenset[str]
    removed: frozenset[str]


def _same_make(db: sqlite3.Connection, tables: Mapping[str, pd.DataFrame]) -> bool:
    """Whether the file holds exactly the tables, columns and indexes these tables would be written
    with (`database.schema`), made by this code."""
    held = {name: sql for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
            if not name.startswith(("sqlite_", f"{SEARCH_TABLE}_"))}  # SQLite's own, the index's shadow tables
    wanted = schema({name: list(stored(name, frame.head(0)).columns) for name, frame in tables.items()})
    if held != wanted:
        return False
    return db.execute(f"SELECT value FROM {STATE} WHERE key = 'code'").fetchone() == (code_stamp(),)


def _digests(data_dir: Path, name: str, frame: pd.DataFrame) -> dict[str, str]:
    """Each report's digest of `frame`'s rows: as the table file's sidecar records them when it describes
    the file the frame was read from, for the very reports the frame holds (`store.segments`: the same
    digest, not made again over every row), else made now."""
    recorded = recorded_digests(data_dir / TABLES[name].file, [str(c) for c in frame.columns])
    if recorded and set(recorded) == set(frame["report_id"]):
        return recorded
    return report_digests(frame)


def _update_table(db: sqlite3.Connection, name: str, frame: pd.DataFrame,
                  new: dict[str, str]) -> tuple[list[str], list[str]]:
    """Bring table `name` to `frame`'s rows (`new`: each report's digest of them): the reports whose rows differ, and
    those gone, deleted, the new rows inserted; returns (anew, gone). For the sentences, the search index is
    kept in step: a report whose texts are those indexed (only a flag, an origin or a review column changed,
    e.g. `low_confidence` moving over the collection, or a review approving the English) keeps its rows and
    index entries, its rows' other cells rewritten in place; the others' entries are taken out with the values
    indexed, and the new rows indexed."""
    anew, gone = differing(new, _held(db, name))
    reindexed: list[str] = anew
    kept_rowids: list[int] = []
    if name == "sentences":
        # (the texts of the reports whose rows differ, alone: the others keep their rows and index entries)
        texts = report_digests(searched(frame[frame["report_id"].isin(set(anew))])) if anew else {}
        held = _held(db, SEARCH_TABLE)
        reindexed = [r for r in anew if held.get(r) != texts[r]]
        kept = sorted(set(anew) - set(reindexed))
        kept_rowids = [rowid for (rowid,) in db.execute(  # in each report's order, reports sorted as `kept`
            f"SELECT rowid FROM sentences WHERE report_id {_IN} ORDER BY report_id, rowid", (json.dumps(kept),))]
        columns = ", ".join(indexed_columns(db))
        db.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, {columns}) SELECT 'delete', rowid, {columns} "
                   f"FROM sentences WHERE report_id {_IN}", (json.dumps(reindexed + gone),))
    if kept_rowids:  # their rows rewritten where they are, but the texts (and so the folded ones)
        rows = frame[frame["report_id"].isin(kept)]
        rows = rows.iloc[rows["report_id"].argsort(kind="stable")]  # sorted as the rowids, each report in order
        if len(rows) != len(kept_rowids):
            raise sqlite3.DatabaseError("the digests of the sentences' texts do not agree with their rows")
        rewrite_rows(db, name, rows.drop(columns=["report_id", *TEXTS], errors="ignore"), kept_rowids)
    db.execute(f'DELETE FROM "{name}" WHERE report_id {_IN}', (json.dumps(reindexed + gone),))
    insert_rows(db, name, stored(name, frame[frame["report_id"].isin(reindexed)]))
    if name == "sentences":
        db.execute(f"INSERT INTO {SEARCH_TABLE}(rowid, {columns}) SELECT rowid, {columns} FROM sentences "
                   f"WHERE report_id {_IN}", (json.dumps(reindexed),))
        _keep(db, SEARCH_TABLE, texts, reindexed, gone)
    _keep(db, name, new, anew, gone)
    return anew, gone


def _held(db: sqlite3.Connection, name: str) -> dict[str, str]:
    """The digests the file holds for table `name`, by report."""
    return dict(db.execute(f"SELECT report_id, digest FROM {DIGESTS} WHERE table_name = ?", (name,)).fetchall())


def _keep(db: sqlite3.Connection, name: str, new: dict[str, str], anew: list[str], gone: list[str]) -> None:
    """The digests of table `name`'s reports made anew recorded, those of the reports gone deleted."""
    db.execute(f"DELETE FROM {DIGESTS} WHERE table_name = ? AND report_id {_IN}", (name, json.dumps(gone)))
    keep_digests(db, name, ((r, new[r]) for r in anew))


def update_database(data_dir: Path, tables: Mapping[str, pd.DataFrame]) -> Updated | None:
    """Update `data_dir/collection.sqlite` in place to these tables (name -> frame, as read through
    the contract), in one transaction; None, leaving it as it was, when there is no such file or it
    cannot be updated (another schema or code, unreadable, an error on the way)."""
    path = data_dir / DATABASE
    if not path.is_file():
        return None
    anew: set[str] = set()
    removed: set[str] = set()
    try:
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode = DELETE")  # a rollback journal: readers never see half an update
            db.execute("BEGIN IMMEDIATE")
            try:
                if not _same_make(db, tables):
                    db.execute("ROLLBACK")
                    return None
                for name, frame in tables.items():
                    if "report_id" in frame.columns:
                        done, gone = _update_table(db, name, frame, _digests(data_dir, name, frame))
                        anew.update(done, gone)  # (a report may lose its rows of one table: its references)
                        removed.update(gone if name == "reports" else ())
                    else:
                        db.execute(f'DELETE FROM "{name}"')
                        insert_rows(db, name, stored(name, frame))
                keep_state(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("PRAGMA optimize")
    except sqlite3.Error:  # not a database, damaged, locked too long: written whole instead
        return None
    return Updated(frozenset(anew - removed), frozenset(removed))


def save_database(data_dir: Path, tables: Mapping[str, pd.DataFrame]) -> str:
    """`data_dir/collection.sqlite` made current with these tables: updated in place where it can be,
    else written whole; says which, for the terminal."""
    updated = update_database(data_dir, tables)
    if updated is None:
        write_database(data_dir, tables)
        return f"{DATABASE} written whole ({len(tables)} tables)"
    return (f"{DATABASE} updated ({len(updated.anew)} reports' rows anew"
            + (f", {len(updated.removed)} removed)" if updated.removed else ")"))
