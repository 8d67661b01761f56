"""A contract table's CSV written in proportion to change: a report whose rows are as a file already holds them is
copied as its bytes, not formatted again.

Beside each table file, `OUT/data/.<file>.<columns>.segments` (JSON; `<columns>`: a digest of the column names)
records, for the file as written with those columns (its size and modification time), each report's byte range and a
digest of its rows' values as stored. The next write of the table with the same columns formats only the reports
whose digest differs (a day's new and changed reports) and splices the others' bytes in, each run of them copied
from the old file by the kernel (`write_pieces`): at 10,000 reports, sentences.csv (115 MB) took 2.7 s to format
whole. sentences.csv is written twice a run, with the corpus's columns and then with the translation's: the version
being replaced is kept as a hard link, `.<file>.<columns>.kept`, so each write finds the bytes of its own columns
from the previous run. The bytes are those `files.write_csv` writes for the whole frame: with every field quoted
(QUOTE_ALL) a row's text depends on its values alone, and the digests are of the values as the file holds them
(`stored_text`), so equal digests mean equal bytes. A table whose `report_id` is not its first column (mentions.csv)
is segmented the same way, each report's bytes found from its rows' sizes as written (`_sized_starts`). A file changed
since (by hand, by another version, copied without its times) or a table whose reports' rows are not contiguous is
written whole, as before.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.store.digests import grouped_digests
from helpers.store.files import csv_bytes, remember_written, replaced, stored_text, write_csv

if TYPE_CHECKING:
    import pandas as pd

KEY = "report_id"  # the column whose values segment a table (any table that has it)


def _tag(columns: list[str]) -> str:
    """A short digest of a table version's column names (its sidecar's and kept copy's names)."""
    return hashlib.sha256("\0".join(columns).encode("utf-8")).hexdigest()[:12]


def segments_file(path: Path, columns: list[str]) -> Path:
    """The sidecar of the table file `path` written with `columns`: its reports' byte ranges and digests."""
    return path.with_name(f".{path.name}.{_tag(columns)}.segments")


def kept_copy(path: Path, columns: list[str]) -> Path:
    """Where the file written with `columns` stays (a hard link) once a version with other columns replaced it."""
    return path.with_name(f".{path.name}.{_tag(columns)}.kept")


def _identity(st: os.stat_result) -> list[int]:
    """What tells a file as written from another: its size and modification time (kept by a copy
    that keeps times, such as `cp -a`, whose bytes are the same)."""
    return [st.st_size, st.st_mtime_ns]


def _record_starts(data: bytes, keys: list[str]) -> list[int]:
    """Where each of the consecutive groups `keys` starts in `data` (CSV records, the key first, every
    field quoted): `\\n"<key>","` can start a record only, since a quote inside a field is doubled."""
    starts, at = [], 0
    for key in keys:
        at = data.find(b'\n"' + key.encode("utf-8") + b'",', max(at - 1, 0)) + 1
        if at == 0:
            raise ValueError(f"no record of {key!r}")  # cannot happen for a frame written by to_csv
        starts.append(at)
    return starts


def _sized_starts(data: bytes, rows: pd.DataFrame, keys: list[str]) -> list[int]:
    """Where each of the reports `keys` (consecutive) starts in `data` (`csv_bytes` of `rows`, the values as stored,
    after a lead `\\n`), from each row's size as written: every field quoted with a quote in it doubled, `,` between
    fields, `\\n` after. A key that is not the first field cannot be found by its bytes (a field may hold `","` and
    the key). ValueError when the sizes do not add up to `data`, report by report (then the table is written whole)."""
    import numpy as np

    sizes = np.full(len(rows), len(rows.columns), dtype=np.int64)  # the commas and the line end
    for column in rows.columns:
        text = rows[column]
        sizes += (text.str.encode("utf-8").str.len() + text.str.count('"') + 2).to_numpy(dtype=np.int64)
    ends = 1 + np.cumsum(sizes)
    key = rows[KEY].to_numpy()
    firsts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    starts = np.r_[1, ends[:-1]][firsts].tolist()
    if (not len(ends) or int(ends[-1]) != len(data) or [str(k) for k in key[firsts]] != keys
            or any(data[at - 1] != 0x0A for at in starts)):
        raise ValueError("the rows' sizes do not add up to the bytes written, report by report")
    return starts


# Each sidecar's record as last parsed or written by this process, by path, with the file's inode, size and time
# then: a run reads each sidecar in several places (the writes, the pages, the database), 0.3 s of parsing at
# 10,000 reports. A record is never changed in place (its readers build what they need from it).
_RECORDS: dict[str, tuple[tuple[int, int, int], dict]] = {}


def _recorded(sidecar: Path) -> dict | None:
    """A sidecar's record, or None when it is missing or unreadable (parsed once for each version of the file)."""
    key = os.path.abspath(sidecar)
    try:
        with open(sidecar, "rb") as fh:
            st = os.fstat(fh.fileno())
            version = (st.st_ino, st.st_size, st.st_mtime_ns)
            if key in _RECORDS and _RECORDS[key][0] == version:
                return _RECORDS[key][1]
            recorded = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict):
        return None
    _RECORDS[key] = (version, recorded)
    return recorded


def forget_records() -> None:
    """Let go of the sidecars' records `_recorded` keeps (a run does once its pages and database have read them)."""
    _RECORDS.clear()


def _write_record(sidecar: Path, record: dict) -> None:
    """Write a sidecar's record atomically, and remember it as this version of the file's."""
    with replaced(sidecar) as tmp:
        tmp.write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")
    try:
        st = os.stat(sidecar)
    except OSError:
        return
    _RECORDS[os.path.abspath(sidecar)] = ((st.st_ino, st.st_size, st.st_mtime_ns), record)


def _previous(path: Path, columns: list[str]) -> tuple[Path | None, dict[str, tuple[str, int, int]]]:
    """The file holding the table as last written with `columns` (`path` itself or its kept copy) and
    its segments (key -> digest, start, end); none when there is no such file as it was written."""
    recorded = _recorded(segments_file(path, columns))
    if recorded is None or recorded.get("columns") != columns:
        return None, {}
    for candidate in (path, kept_copy(path, columns)):
        try:
            if _identity(candidate.stat()) == recorded.get("file"):
                return candidate, {k: (d, a, b) for k, (d, a, b) in recorded.get("segments", {}).items()}
        except OSError:
            continue
    return None, {}


def _keep_replaced(path: Path, columns: list[str]) -> None:
    """Before `path` is replaced by a version with `columns`: if it holds a version with other columns
    (recorded by a sidecar), keep it as that version's hard-linked copy (replacing an older one)."""
    try:
        now = _identity(path.stat())
    except OSError:
        return
    for sidecar in path.parent.glob(f".{glob.escape(path.name)}.*.segments"):
        recorded = _recorded(sidecar)
        other = recorded.get("columns") if recorded else None
        if isinstance(other, list) and other != columns and recorded and recorded.get("file") == now:
            copy = kept_copy(path, other)
            copy.unlink(missing_ok=True)
            try:
                os.link(path, copy)
            except OSError:  # a file system without hard links: that version is written whole next time
                sidecar.unlink(missing_ok=True)


def recorded_digests(path: Path, columns: list[str]) -> dict[str, str]:
    """Each report's digest of its rows as the table file `path` holds them now (its sidecar's), or none when
    the sidecar is missing or no longer describes the file: a reader's cheap check of whose rows changed."""
    source, before = _previous(path, columns)
    return {k: d for k, (d, _, _) in before.items()} if source == path else {}


def write_pieces(path: Path, pieces: list[memoryview | tuple[int, int]], source: Path | None) -> None:
    """Write `pieces` in order into `path`: bytes made now, and (start, end) ranges of the file `source`, which
    the kernel copies (`os.copy_file_range`) without this process reading them; where it cannot (another
    file system, an old kernel), they are read and written in chunks. At 10,000 reports a day's tables keep
    over 300 MB: read whole into this process and written back, they took 1.4 s of the run's main thread
    (sampled), 0.3 s copied by the kernel."""
    with open(path, "wb", buffering=0) as out, open(source or os.devnull, "rb", buffering=0) as old:
        for piece in pieces:
            if isinstance(piece, tuple):
                if not _copy_range(old.fileno(), out.fileno(), *piece):
                    raise OSError(f"{source} ended before byte {piece[1]}: it changed while being copied")
            else:
                _write_all(out.fileno(), piece)


def _write_all(fd: int, data: memoryview | bytes) -> None:
    """All of `data` written at `fd`'s offset (a write may take part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy_range(src: int, dst: int, start: int, end: int, chunk: int = 1 << 24) -> bool:
    """Bytes [start, end) of `src` appended at `dst`'s offset: by the kernel where it can, else read and written;
    False when `src` ends before `end`."""
    at, kernel = start, hasattr(os, "copy_file_range")  # (Linux only)
    while at < end:
        done = 0
        if kernel:
            try:
                done = os.copy_file_range(src, dst, end - at, at)
            except OSError:  # EXDEV, ENOSYS, EINVAL, EOPNOTSUPP (a file system that cannot)
                kernel = False
        if not done:  # refused, or nothing copied (the end of `src`, or a file system that copies nothing)
            kernel = False
            data = os.pread(src, min(chunk, end - at), at)
            if not data:
                return False
            _write_all(dst, data)
            done = len(data)
        at += done
    return True


def _write_whole(path: Path, frame: pd.DataFrame, columns: list[str]) -> Path:
    """`frame` written whole as `write_csv` writes it, without segments (none describe the file then)."""
    segments_file(path, columns).unlink(missing_ok=True)
    kept_copy(path, columns).unlink(missing_ok=True)
    write_csv(path, frame)
    remember_written(path, frame)
    return path


def file_identity(path: Path) -> list[int] | None:
    """What the sidecars record of a file as written (`_identity`), or None when it cannot be seen."""
    try:
        return _identity(path.stat())
    except OSError:
        return None


def write_table_csv(path: Path, frame: pd.DataFrame, same: frozenset[str] = frozenset(),
                    read_from: list[int] | None = None) -> Path:
    """Write `frame` as `write_csv` would, reusing the bytes of the reports whose rows the file already
    holds (see the module's docstring); record its segments beside it.

    `same`: reports whose rows in `frame` are, value for value, those read from the file whose identity
    (`file_identity`) was `read_from`. When the sidecar describes that very file, their digests are the ones
    it records and their rows are not digested again (at 10,000 reports, 0.4 s for sentences.csv a write)."""
    import numpy as np
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    sidecar = segments_file(path, columns)
    codes, uniques = pd.factorize(frame[KEY].astype(str)) if KEY in columns and len(frame) else (None, None)
    if codes is None or uniques is None or (codes < 0).any() or (np.diff(codes) < 0).any():  # (a missing key, or a
        # report's rows apart): not segmented by report, written whole
        return _write_whole(path, frame, columns)
    stored = stored_text(frame)
    source, before = _previous(path, columns)
    keys = [str(k) for k in uniques.tolist()]  # in the frame's order (contiguous groups)
    known = {}
    if same and read_from is not None and source is not None and file_identity(source) == read_from:
        known = {k: before[k][0] for k in same if k in before}
    rest = stored[~stored[KEY].isin(known)] if known else stored
    made_now = {k: d.hex() for k, d in grouped_digests(rest, columns, KEY).items()}
    digests = {k: known[k] if k in known else made_now[k] for k in keys}
    header = csv_bytes(stored.iloc[:0])
    anew = [k for k in keys if before.get(k, ("",))[0] != digests[k]]
    made = memoryview(b"")
    made_at: dict[str, tuple[int, int]] = {}
    if anew:
        rows = stored[stored[KEY].isin(set(anew))] if len(anew) < len(keys) else stored
        text = csv_bytes(rows, header=False, lead=b"\n")
        try:
            found = _record_starts(text, anew) if columns[0] == KEY else _sized_starts(text, rows, anew)
            starts = found + [len(text)]
        except ValueError:  # (a value to_csv writes otherwise than its text, a missing one: never from stored_text)
            return _write_whole(path, frame, columns)
        made = memoryview(text)
        made_at = {k: (a, b) for k, a, b in zip(anew, starts[:-1], starts[1:])}
    pieces: list[memoryview | tuple[int, int]] = [memoryview(header)]  # made bytes, or a range of the old file
    segments, size = {}, len(header)
    for k in keys:
        if k in made_at:
            a, b = made_at[k]
            pieces.append(made[a:b])
        else:
            _, a, b = before[k]
            last = pieces[-1]
            if isinstance(last, tuple) and last[1] == a:
                pieces[-1] = (last[0], b)  # the old file's next report: one range of kept bytes
            else:
                pieces.append((a, b))
        segments[k] = (digests[k], size, size + b - a)
        size += b - a
    _keep_replaced(path, columns)
    sidecar.unlink(missing_ok=True)  # the old ranges no longer hold once the file is replaced
    with replaced(path) as tmp:
        write_pieces(tmp, pieces, source)
    kept_copy(path, columns).unlink(missing_ok=True)  # this version is the file itself now
    _write_record(sidecar, {"file": _identity(path.stat()), "columns": columns, "segments": segments})
    remember_written(path, stored)
    return path
