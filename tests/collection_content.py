"""What the collection's database holds, whatever order its rows are in, and whether its search
index agrees with the table it indexes (for the tests of the database's update in place)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path


def content(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (the search index's own tables aside: `index_agrees` checks it)."""
    with closing(sqlite3.connect(path)) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if not n.startswith(("sqlite_", "sentences_fts"))]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}


def _instances(path: Path) -> list[tuple]:
    """Every token the search index holds: (term, rowid, column, offset), after FTS5's own integrity-check."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
        db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, sentences_fts, instance)")
        return sorted(db.execute("SELECT * FROM temp.vocab"))


def index_agrees(path: Path, work: Path) -> bool:
    """Whether `sentences_fts` holds exactly the index that rebuilding it from `sentences` makes: every
    term of every row at its place, no more (this SQLite's integrity-check does not compare an
    external-content index with its table)."""
    rebuilt = work / f"rebuilt-{path.name}"
    shutil.copy(path, rebuilt)
    with closing(sqlite3.connect(rebuilt)) as db, db:
        db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild')")
    return _instances(path) == _instances(rebuilt)
