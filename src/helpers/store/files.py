"""Writing outputs atomically: a crash never leaves a half-written CSV, JSON or HTML file.

Each file is written to a temporary sibling and moved into place with `os.replace`.
`run.json` is updated section by section under a lock, so stages and concurrent
runs add to it without losing each other's sections.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), FILE_MODE)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as UTF-8 CSV with a header, atomically, without the index."""
    return write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV written by `write_csv`, keeping every value as written (no NaN for '')."""
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
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
    with _locked(path):
        write_text(path, json.dumps(sections, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def update_json(path: Path, section: str, value: Any) -> dict[str, Any]:
    """Set one top-level section of a JSON file (e.g. run.json), keeping the others."""
    with _locked(path):
        data = read_json(path)
        data[section] = value
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return data


RECORD = ".vi2en-files"  # in a folder of outputs: the names of the files runs wrote there


def recorded_files(folder: Path) -> set[str]:
    """The names a run recorded as its own in `folder` (none when there is no record)."""
    try:
        names = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def remove_stale(folder: Path, pattern: str, keep: set[str]) -> list[str]:
    """Delete the files of `folder` matching `pattern` that are not in `keep` (outputs of reports no
    longer among the inputs) and that an earlier run recorded as its own in the folder's RECORD;
    then record the files of `keep` as this run's. A file someone else put there is never deleted.
    Returns the names deleted."""
    if not folder.is_dir():
        return []
    gone = []
    with _locked(folder / RECORD.lstrip(".")):  # the lock file: .vi2en-files.lock
        recorded = recorded_files(folder)
        for path in sorted(folder.glob(pattern)):
            if path.name in recorded and path.name not in keep and path.is_file():
                path.unlink()
                gone.append(path.name)
        mine = {n for n in recorded | set(keep) if n not in gone and (folder / n).is_file()}
        write_text(folder / RECORD, json.dumps(sorted(mine), ensure_ascii=False, indent=0) + "\n")
    return gone
