"""What the entity step found in each sentence, remembered across runs (as the translation memory
keeps translations), in SQLite files of the cache folder: the model's tagging, keyed by the sentence
and the model's version (`TagMemo`), and the mentions the step made of it, keyed by the sentence, the
documents it cites, the glossary, the code and the CLDR country names (`MentionMemo`). A re-run, or a
run whose reports share sentences with earlier ones, tags and reads only the new sentences: a day's new
reports cost what they add, not what is already there.
"""

from __future__ import annotations

import hashlib
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


Found = tuple[tuple[str, str, str], ...]  # a sentence's mentions: (surface, kind, merge key) each


class MentionMemo:
    """Sentence (with its cited documents, the glossary, the code and the country names) → its mentions, in
    `path` (made when missing); writes are kept until the end of the `with` block, so a run writes once."""

    def __init__(self, path: Path, context: str) -> None:
        self.path, self.context = Path(path), context
        self._context = hashlib.sha256(json.dumps(context).encode() + b"\0")  # each key's digest starts so
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.execute("CREATE TABLE IF NOT EXISTS mentions (key TEXT PRIMARY KEY, found TEXT)")
        except sqlite3.DatabaseError as exc:
            raise OSError(f"{self.path}: not a usable mention memory ({exc}); delete it to start a new one") from None
        self.new: dict[str, Found] = {}

    def key(self, text: str, cited: tuple[str, ...]) -> str:
        """The key of a sentence's mentions: the memo's context, then the sentence and what it cites
        (their `repr`: unambiguous, and made in C for each of a collection's sentences)."""
        h = self._context.copy()
        h.update(repr((text, cited)).encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def known(self, keys: list[str]) -> dict[str, Found]:
        """The mentions remembered for those of `keys` that are here."""
        found: dict[str, Found] = {}
        for at in range(0, len(keys), 900):  # SQLite's limit on the values of one statement
            chunk = keys[at:at + 900]
            rows = self.db.execute(f"SELECT key, found FROM mentions WHERE key IN ({','.join('?' * len(chunk))})",
                                   chunk)
            found.update((k, tuple(tuple(m) for m in json.loads(f))) for k, f in rows)
        return found

    def add(self, key: str, found: Found) -> None:
        self.new[key] = found

    def __enter__(self) -> MentionMemo:
        return self

    def __exit__(self, *exc: object) -> None:
        if not exc[0]:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO mentions VALUES (?, ?)",
                                    [(k, json.dumps(f, ensure_ascii=False)) for k, f in self.new.items()])
            self.new.clear()
        self.db.close()

