"""The model's tagging of each sentence, remembered across runs (as the translation memory keeps
translations): a SQLite file in the cache folder, keyed by the sentence and the model's version.
A re-run, or a run whose reports share sentences with earlier ones, tags only the new sentences.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from helpers.entities.model import Tagged, model_version


class TagMemo(MutableMapping[str, Tagged]):
    """Sentence → the model's (word, tag) pairs, in `path` (made when missing); writes are kept
    until `save()` (or the end of a `with` block), so a run writes once."""

    def __init__(self, path: Path) -> None:
        self.path, self.version = Path(path), model_version()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.execute("CREATE TABLE IF NOT EXISTS tags (model TEXT, sentence TEXT, tagged TEXT, "
                            "PRIMARY KEY (model, sentence))")
        except sqlite3.DatabaseError as exc:
            raise OSError(f"{self.path}: not a usable tag memory ({exc}); delete it to start a new one") from None
        self.new: dict[str, Tagged] = {}

    def __getitem__(self, sentence: str) -> Tagged:
        if sentence in self.new:
            return self.new[sentence]
        row = self.db.execute("SELECT tagged FROM tags WHERE model = ? AND sentence = ?",
                              (self.version, sentence)).fetchone()
        if row is None:
            raise KeyError(sentence)
        return tuple(tuple(pair) for pair in json.loads(row[0]))

    def __setitem__(self, sentence: str, tagged: Tagged) -> None:
        self.new[sentence] = tuple(tagged)

    def __delitem__(self, sentence: str) -> None:
        self.new.pop(sentence, None)
        self.db.execute("DELETE FROM tags WHERE model = ? AND sentence = ?", (self.version, sentence))

    def __iter__(self) -> Iterator[str]:
        stored = (r[0] for r in self.db.execute("SELECT sentence FROM tags WHERE model = ?", (self.version,)))
        return iter(dict.fromkeys([*stored, *self.new]))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def save(self) -> None:
        """Write the sentences tagged since the last save, in one transaction."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)",
                                [(self.version, s, json.dumps(t, ensure_ascii=False)) for s, t in self.new.items()])
        self.new.clear()

    def __enter__(self) -> TagMemo:
        return self

    def __exit__(self, *exc: object) -> None:
        if not exc[0]:
            self.save()
        self.db.close()
