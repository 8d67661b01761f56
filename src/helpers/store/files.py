"""Writing outputs atomically: a crash never leaves a half-written CSV, JSON or HTML file.

Each file is written to a temporary sibling and moved into place with `os.replace`.
`run.json` is updated section by section under a lock, so stages and concurrent
runs add to it without losing each other's sections.
"""

from __future__ import annotations

import csv
import fcntl
import fnmatch
import json
import os
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:  # pandas is imported where a CSV is read or written: a refused run starts faster
    import pandas as pd


def _file_mode() -> int:
    """The mode a newly created file gets under the process's umask (mkstemp's own is 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def write_text(path: Path, text: str) -> Path:
    """Write text (UTF-8) atomically, with the usual file mode; parent folders are created."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes atomically, with the usual file mode; parent folders are created."""
    with replaced(path) as tmp:
        tmp.write_bytes(data)
    return path


_TOGETHER: ContextVar[bool] = ContextVar("synced_together", default=False)


@contextmanager
def synced_together() -> Iterator[None]:
    """Files written in the block are synced to disk together when it ends (one `os.sync`), not each on
    its own: a run writes tens of thousands of pages and translations, and a sync each cost about 3 ms
    of them (13 times the write). Each is still moved into place whole; the caller records them as
    made (run.json, pages.json) only after the block, so none is taken as current before it is on disk."""
    token = _TOGETHER.set(True)
    try:
        yield
    finally:
        _TOGETHER.reset(token)
        os.sync()


class BesideWriter:
    """Files written by a thread of their own, in the order handed over (`write(path, data)` returns at once),
    while this thread goes on making the next (the writes are mostly the system's work, done without the
    GIL: at 10,000 reports the report pages' 18.9 s of writing held up their rendering). At most
    `ahead` files wait at a time; the writes run in the context they were handed over in (inside
    `synced_together`, synced with the rest). Closing waits for every write, then raises the first
    that failed; a file after a failed one is not written."""

    def __init__(self, ahead: int = 64) -> None:
        from concurrent.futures import ThreadPoolExecutor
        from threading import BoundedSemaphore

        self._pool = ThreadPoolExecutor(1, thread_name_prefix="files")
        self._room = BoundedSemaphore(max(1, ahead))
        self._failed: BaseException | None = None

    def write(self, path: Path, data: str | bytes, make: Callable[[Path, str], Path] | None = None) -> None:
        """Write `data` at `path` (`write_bytes`; text with `make`, such as `save_page`, else `write_text`)."""
        if self._failed is not None:
            raise self._failed
        self._room.acquire()
        try:
            self._pool.submit(copy_context().run, self._one, path, data, make)
        except BaseException:
            self._room.release()
            raise

    def _one(self, path: Path, data: str | bytes, make: Callable[[Path, str], Path] | None) -> None:
        try:
            if self._failed is None:
                if isinstance(data, bytes):
                    write_bytes(path, data)
                else:
                    (make or write_text)(path, data)
        except BaseException as exc:  # raised where the writes are handed over, or at close
            self._failed = exc
        finally:
            self._room.release()

    def close(self) -> None:
        """Wait for every write; raise the first that failed."""
        self._pool.shutdown(wait=True)
        if self._failed is not None:
            raise self._failed

    def __enter__(self) -> BesideWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
        else:  # another error is on its way out: the writes begun end, the rest are dropped; that error is shown
            self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary sibling of `path` for a writer (this package's, SQLite's, openpyxl's) to fill; when the
    block ends it gets the usual file mode, is synced (or, inside `synced_together`, later) and moved
    into place, so a crash never leaves a half-written `path`; on an error it is removed. Parent
    folders are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        if not _TOGETHER.get():
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as UTF-8 CSV with a header, atomically, without the index; every field
    quoted (the csv module's QUOTE_ALL), so a field holding any line-break character (a bare CR from
    a Word run, NEL, U+2028, a vertical tab) reads back as one field of one row in any reader."""
    return write_bytes(path, csv_bytes(frame))


def csv_bytes(frame: pd.DataFrame, header: bool = True, lead: bytes = b"") -> bytes:
    """`lead`, then `frame` as `write_csv` writes it (UTF-8, every field quoted), made as bytes: pandas'
    text of it first was a str of 2-4 bytes a character, encoded and copied again (at 10,000 reports,
    writing sentences.csv's 149 MB took 419 MB more that way, 235 MB this way)."""
    import io

    buffer = io.BytesIO()
    buffer.write(lead)
    frame.to_csv(buffer, index=False, header=header, lineterminator="\n", quoting=csv.QUOTE_ALL, encoding="utf-8")
    return buffer.getvalue()


def as_stored(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as `read_csv` would read it back after `write_csv` (every value the text written):
    rows made now merge with rows a previous run wrote, and compare, as equals."""
    import io

    import pandas as pd

    text = frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def stored_text(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each column that does not already hold text as the file would hold it (`as_stored`):
    the rows a stage made now compare with the rows a previous run wrote, as equals."""
    from pandas.api.types import infer_dtype

    other = [c for c in frame.columns if infer_dtype(frame[c], skipna=False) not in ("string", "empty")]
    if not other:
        return frame
    return frame.assign(**{c: as_stored(frame[[c]])[c].to_numpy() for c in other})


def read_csv(path: Path, columns: set[str] | None = None) -> pd.DataFrame:
    """Read a CSV written by `write_csv`, keeping every value as written (no NaN for ''); only the
    `columns` it has of those given, when given. A table this process wrote and still remembers
    (`remember_written`) is not parsed again."""
    import pandas as pd

    remembered = _remembered(path, columns)
    if remembered is not None:
        return remembered
    return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns.__contains__ if columns else None)


# The contract tables this process wrote, by file: the file's identity when written, and the frame. A stage's
# tables are held in memory while the later stages run; the pages then read them back, and at 10,000 reports
# parsing them again took 2 s. An entry serves one read (the reader owns the frame then) and only while the
# file is as written (a file replaced or changed since is read from disk).
_WRITTEN: dict[str, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    """A file's inode, size and modification time (None when it cannot be seen)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def remember_written(path: Path, frame: pd.DataFrame) -> None:
    """Remember that `path` was just written from `frame` (its values as `stored_text` gives them), so that
    one `read_csv` of it in this process takes the frame instead of parsing the file."""
    identity = _identity(path)
    if identity is not None:  # (a shallow copy: the writer changing its frame afterwards changes not this one)
        _WRITTEN[os.path.abspath(path)] = (identity, frame.copy(deep=False))


def forget_written() -> None:
    """Let go of the frames `remember_written` holds (a run does when its pages have read what they read)."""
    _WRITTEN.clear()


def _remembered(path: Path, columns: set[str] | None) -> pd.DataFrame | None:
    """The frame `path` was written from, as `read_csv` reads the file (every column text, a new index),
    once; None when none is remembered for the file as it is now."""
    entry = _WRITTEN.pop(os.path.abspath(path), None)
    if entry is None or entry[0] != _identity(path):
        return None
    frame = stored_text(entry[1])
    if columns is not None:
        frame = frame[[c for c in frame.columns if c in columns]]
    return frame.astype(str).reset_index(drop=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of `path` (a hidden `.<name>.lock` beside it, the file itself never
    locked, so it can be replaced): read, merge and replace under it and no writer is lost."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file, or {} if there is none yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def start_json(path: Path, sections: dict[str, Any]) -> None:
    """Begin a JSON file anew with these sections (a new run drops the previous run's sections)."""
    with locked(path):
        write_text(path, json.dumps(sections, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def update_json(path: Path, section: str, value: Any) -> dict[str, Any]:
    """Set one top-level section of a JSON file (e.g. run.json), keeping the others."""
    with locked(path):
        data = read_json(path)
        data[section] = value
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return data


def drop_json(path: Path, section: str) -> dict[str, Any]:
    """Remove one top-level section of a JSON file (if there), keeping the others, under its lock."""
    with locked(path):
        data = read_json(path)
        if data.pop(section, None) is not None:
            write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return data


def merge_json(path: Path, section: str, entries: dict[str, Any]) -> dict[str, Any]:
    """Add `entries` to one top-level mapping of a JSON file (e.g. run.json's `models`), read and
    replaced under the file's lock, so two writers never lose each other's entries."""
    with locked(path):
        data = read_json(path)
        data[section] = {**(data.get(section) or {}), **entries}
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return data


MARKER = ".vi2en-output"  # in OUT: marks an output of this project, and records the files runs wrote in it


def output_root(folder: Path) -> Path | None:
    """The output folder (holding MARKER) that `folder` is or lies in, a few levels up at most."""
    for candidate in (folder, *list(folder.parents)[:3]):
        if (candidate / MARKER).is_file():
            return candidate
    return None


def read_marker(root: Path) -> dict[str, Any]:
    """The marker of an output folder as JSON ({} when it holds none, or text from elsewhere)."""
    try:
        data = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remove_stale(folder: Path, pattern: str, keep: set[str]) -> list[str]:
    """Delete the files of `folder` matching `pattern` that are not in `keep` (outputs of reports no
    longer among the inputs) and that an earlier run recorded as its own in the output's marker
    (`OUT/.vi2en-output`, `files`); then record the files of `keep` as this run's. A file someone
    else put there, or any file of a folder outside a marked output, is never deleted. Returns the
    names deleted."""
    root = output_root(folder)
    if root is None or not folder.is_dir():
        return []
    where = folder.relative_to(root).as_posix()
    gone = []
    with locked(root / MARKER.lstrip(".")):  # the lock file: OUT/.vi2en-output.lock
        marker = read_marker(root)
        files: dict[str, Any] = marker["files"] if isinstance(marker.get("files"), dict) else {}
        recorded = {n for n in files.get(where, []) if isinstance(n, str)}
        with os.scandir(folder) as entries:  # names as strings: 30,000 paths sorted as paths took a second
            present = {e.name for e in entries if e.is_file()}
        for name in sorted(n for n in present if fnmatch.fnmatchcase(n, pattern)):
            if name in recorded and name not in keep:
                (folder / name).unlink()
                gone.append(name)
        files[where] = sorted(n for n in recorded | set(keep) if n not in gone and n in present)
        write_text(root / MARKER, marker_text({**marker, "files": files}))
    return gone


def marker_text(marker: dict[str, Any]) -> str:
    """An output's marker as written: a line for each entry, and for each folder under `files` (its names on
    that line). json's indented encoder is pure Python: at 10,000 reports (1.3 MB, a name a line), each of
    a run's half a dozen writes took 14-22 ms alone; this one is its C encoder's, a line at a time (7-16 ms)."""
    def entry(key: str, value: Any, pad: str) -> str:
        if isinstance(value, dict) and value:
            inner = ",\n".join(entry(k, v, pad + " ") for k, v in value.items())
            return f"{pad}{json.dumps(key, ensure_ascii=False)}: {{\n{inner}\n{pad}}}"
        return f"{pad}{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"

    return "{\n" + ",\n".join(entry(k, v, " ") for k, v in marker.items()) + "\n}\n"
