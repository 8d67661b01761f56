"""Translation memory: a SQLite table of (model, revision, settings, source) → output (and the
model's score of that output: mean log-probability per token).

Written batch by batch by a writer thread of its own (`Memory.store` hands a batch over and returns), each
write in its own transaction (WAL journal): the model's loop does not wait for SQLite (at 10,000 reports the
writes took the main thread about 3 s for every thousand reports, with the model holding both cores), and the
batches that queue while one is written go in the next transaction together. A run stopped midway (an error,
Ctrl-C) writes what it handed over as the memory closes, and the database stays intact (one killed outright
loses at most the batches still queued); concurrent runs wait for each other's writes instead of failing.
A file that is not a sound memory (truncated, overwritten) is checked at its first opening in a process,
moved aside under a name that is reported, and a new memory is begun: it is never silently emptied. One that
fails while in use (damaged during the run) stops the run with a line naming it, and the next run checks it whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from helpers.errors import EnvironmentProblem
from helpers.text.terminal import shown

SCHEMA = """
CREATE TABLE IF NOT EXISTS memory (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    revision TEXT NOT NULL,
    settings TEXT NOT NULL,
    source TEXT NOT NULL,
    output TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now')),
    score REAL
)
"""
BUSY_TIMEOUT_S = 60.0
INSERT = ("INSERT OR REPLACE INTO memory (key, model, revision, settings, source, output, score) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")


# The memory files (device, inode) this process found sound. `quick_check` reads the whole file: a run
# opens the memory once per model and source language, and at 10,000 reports (434 MB) each check took
# 0.3 s. A file moved aside and begun anew is another inode, checked again.
_SOUND: set[tuple[int, int]] = set()
SOUND_RECORD = ".sound"  # `<memory>.sound`: the file as it was when a run last closed it sound (`_record_sound`)
_OPEN: dict[str, int] = {}  # the connections this process has open, by memory file


def _identity(st: os.stat_result) -> list[int]:
    """What tells a memory file as closed from another: its size, modification time, inode and change time
    (a tool that sets the modification time back, `touch -r` or `cp -p`, cannot set the change time; a copy is
    another inode)."""
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def _logs_left(path: Path) -> bool:
    """Whether SQLite's write-ahead log or rollback journal of `path` is there (a run stopped midway, or a
    writer still at work)."""
    return any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))


def recorded_sound(path: Path) -> bool:
    """Whether `path` is as a run closed it, found sound (`_identity` what was recorded then) with no log
    pending (a run that stopped midway leaves one; another writer changes the times). Its
    next run need not read the whole file again (`check_sound`), which costs in proportion to the memory
    (0.3 s at 10,000 reports)."""
    try:
        recorded = json.loads(Path(f"{path}{SOUND_RECORD}").read_text(encoding="utf-8"))
        return not _logs_left(path) and recorded == _identity(path.stat())
    except (OSError, ValueError):
        return False


def _record_sound(path: Path) -> None:
    """Once this process closed its last connection to a file it found sound: record the file as it is
    now, when SQLite has folded its log into it (none left: no other process has it open)."""
    record = Path(f"{path}{SOUND_RECORD}")
    try:
        st = path.stat()
        if _logs_left(path) or (st.st_dev, st.st_ino) not in _SOUND:
            record.unlink(missing_ok=True)
        else:
            record.write_text(json.dumps(_identity(st)), encoding="utf-8")
    except OSError:  # gone, or a read-only folder: the next run checks the whole file, as before
        pass


def check_sound(db: sqlite3.Connection) -> None:
    """SQLite's `quick_check` of the whole file: DatabaseError with its verdict when it is not sound."""
    verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise sqlite3.DatabaseError(verdict)


class MemoryUnusable(EnvironmentProblem):
    """The translation memory path cannot hold a database; the message names it and says why."""


def key_head(model: str, revision: str, settings: dict) -> str:
    """The JSON of [model, revision, settings, source] up to the source: the same for every key of
    a memory, so a memory serialises it once."""
    return json.dumps([model, revision, settings], ensure_ascii=False, sort_keys=True)[:-1] + ", "


def memory_key(model: str, revision: str, settings: dict, source: str, head: str | None = None) -> str:
    """The lookup key: everything that determines the output (the SHA-256 of the JSON list
    [model, revision, settings, source]; `head`: `key_head` of the first three, if made already)."""
    head = key_head(model, revision, settings) if head is None else head
    return hashlib.sha256((head + json.dumps(source, ensure_ascii=False) + "]").encode("utf-8")).hexdigest()


@dataclass
class Memory:
    """An open translation memory for one model, revision and settings."""

    path: Path
    model: str
    revision: str
    settings: dict

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self._closed = False
        self._writer: threading.Thread | None = None  # started by the first `store`
        self._queued: queue.Queue[tuple[dict[str, str], dict[str, float]] | None] = queue.Queue()
        self._failed: BaseException | None = None  # what made the writer's last write fail
        self._raised = False  # whether that was raised to a caller already
        if self.path.is_dir():
            raise MemoryUnusable(f"translation memory {self.path} is a directory; give a file path (--memory FILE)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.DatabaseError:  # not a database, truncated or malformed: keep it, start anew
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{self.path}{suffix}")
                if part.exists():
                    part.replace(Path(f"{aside}{suffix}"))
            print(shown(f"warning: translation memory {self.path} was damaged; moved aside to {aside}, "
                        f"starting a new one"), file=sys.stderr)
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            raise MemoryUnusable(f"translation memory {self.path} cannot be opened: {exc}") from None

    def _open(self) -> sqlite3.Connection:
        """Connect, set the journal, make the table and check the file is sound (unless a run closed it
        sound as it is: `recorded_sound`, seen before connecting, which starts a log)."""
        trusted = recorded_sound(self.path)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(memory)")}
            if "score" not in columns:  # a memory written before scores were kept
                db.execute("ALTER TABLE memory ADD COLUMN score REAL")
            file = self.path.stat()
            if (file.st_dev, file.st_ino) not in _SOUND:
                if not trusted:
                    check_sound(db)
                _SOUND.add((file.st_dev, file.st_ino))
        except BaseException:
            db.close()
            raise
        _OPEN[str(self.path)] = _OPEN.get(str(self.path), 0) + 1
        return db

    @contextmanager
    def _in_use(self) -> Iterator[None]:
        """SQLite's failure while the memory is read (damaged since it was opened, locked past the wait) as one
        line naming it (the writer's failures: `_raise_failed`); this process no longer counts the file sound, so
        no run trusts it unchecked (`_record_sound`)."""
        try:
            yield
        except sqlite3.ProgrammingError:  # this program's misuse (a closed connection): not the file's
            raise
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    def _unusable(self, exc: sqlite3.DatabaseError) -> MemoryUnusable:
        """The one-line error for SQLite's failure `exc`; the file is no longer counted sound."""
        try:
            st = self.path.stat()
            _SOUND.discard((st.st_dev, st.st_ino))
            Path(f"{self.path}{SOUND_RECORD}").unlink(missing_ok=True)
        except OSError:
            pass
        return MemoryUnusable(f"translation memory {self.path} failed while in use: {exc}; the next run checks "
                              f"the whole file (a damaged one is moved aside)")

    @cached_property
    def _key_head(self) -> str:
        return key_head(self.model, self.revision, self.settings)

    def key(self, source: str) -> str:
        """The key of a source text under this memory's model and settings (model, revision and
        settings serialised once per memory rather than once per text)."""
        return memory_key(self.model, self.revision, self.settings, source, self._key_head)

    def lookup(self, sources: list[str]) -> dict[str, str]:
        """Outputs already stored for these sources (those found only; what was handed to `store` included)."""
        self.flush()
        found: dict[str, str] = {}
        keys = {self.key(s): s for s in dict.fromkeys(sources)}
        items = list(keys)
        with self._in_use():
            for i in range(0, len(items), 500):
                chunk = items[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, output in self._db.execute(f"SELECT key, output FROM memory WHERE key IN ({marks})", chunk):
                    found[keys[key]] = output
        return found

    def scores(self, sources: list[str]) -> dict[str, float]:
        """The model's scores stored with these sources' outputs (those that have one)."""
        self.flush()
        found: dict[str, float] = {}
        keys = {self.key(s): s for s in dict.fromkeys(sources)}
        items = list(keys)
        with self._in_use():
            for i in range(0, len(items), 500):
                chunk = items[i : i + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, score FROM memory WHERE key IN ({marks}) AND score IS NOT NULL"
                for key, score in self._db.execute(query, chunk):
                    found[keys[key]] = float(score)
        return found

    def store(self, pairs: dict[str, str], scores: dict[str, float] | None = None) -> None:
        """Hand one batch of (source → output), with the model's score of each output when given, to the
        writer thread, which writes it in one transaction (with any batches queued behind it). Returns at
        once; raises what made an earlier write fail (`flush`)."""
        self._raise_failed()
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed translation memory.")
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_queued, name=f"memory {self.path.name}", daemon=True)
            self._writer.start()
        self._queued.put((dict(pairs), dict(scores or {})))

    def flush(self) -> None:
        """Wait until every batch handed to `store` is written; raise what made a write fail (a one-line
        `MemoryUnusable` for SQLite's failures)."""
        if self._writer is not None:
            self._queued.join()
        self._raise_failed()

    def _raise_failed(self) -> None:
        """Raise what made the writer's write fail, if anything did (SQLite's failures as one line)."""
        failed = self._failed
        if failed is None:
            return
        self._raised = True
        if isinstance(failed, sqlite3.DatabaseError) and not isinstance(failed, sqlite3.ProgrammingError):
            raise self._unusable(failed) from None
        raise failed

    def _write_queued(self) -> None:
        """The writer thread: its own connection, each wait's worth of queued batches in one transaction,
        until `close` queues None. After a failure the rest is taken off the queue unwritten (the failure
        is raised in the thread that stores)."""
        db: sqlite3.Connection | None = None
        settings = json.dumps(self.settings, sort_keys=True)
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")
        except Exception as exc:  # noqa: BLE001 (shown where `store`, `flush` or `close` is called)
            self._failed = exc
        while True:
            items = [self._queued.get()]
            try:
                while True:
                    try:
                        items.append(self._queued.get_nowait())
                    except queue.Empty:
                        break
                batches = [item for item in items if item is not None]
                if batches and self._failed is None and db is not None:
                    rows = [(self.key(s), self.model, self.revision, settings, s, o, scores.get(s))
                            for pairs, scores in batches for s, o in pairs.items()]
                    with db:  # BEGIN ... COMMIT, or ROLLBACK on error
                        db.execute("BEGIN IMMEDIATE")
                        db.executemany(INSERT, rows)
            except BaseException as exc:  # noqa: BLE001 (shown where `store`, `flush` or `close` is called)
                self._failed = self._failed or exc
            finally:
                for _ in items:
                    self._queued.task_done()
            if None in items:  # `close` asked it to stop
                if db is not None:
                    db.close()
                return

    def close(self, quiet: bool = False) -> None:
        """Write what is queued, close the connections; the last of this process's to the file records it sound
        (`_record_sound`); then raise what made a write fail, if anything did (`quiet`, as another error is on its
        way to the user: say it in a line on stderr instead, so that error is the one shown)."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:  # what was handed over is written (a run stopped midway keeps it)
            self._queued.put(None)
            self._writer.join()
        self._db.close()
        try:
            if not self._raised:
                self._raise_failed()  # a failed write: the file is no longer counted sound, before it is recorded
        except BaseException as exc:
            if not quiet:
                raise
            print(shown(f"warning: {exc}"), file=sys.stderr)
        finally:
            key = str(self.path)
            _OPEN[key] = _OPEN.get(key, 1) - 1
            if _OPEN[key] <= 0:
                del _OPEN[key]
                _record_sound(self.path)

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(quiet=kind is not None)
