"""A contract table's CSV written in proportion to change: a report whose rows are as the file already
holds them is copied as its bytes, not formatted again.

Beside each table file, `OUT/data/.<file>.segments` (JSON) records, for the file as written (its size
and modification time), each report's byte range and a digest of its rows' values as stored. The next
write of the table formats only the reports whose digest differs (a day's new and changed reports) and
splices the others' bytes in: at 10,000 reports, sentences.csv (115 MB) took 2.7 s to format whole.
The bytes are those `files.write_csv` writes for the whole frame: with every field quoted (QUOTE_ALL)
a row's text depends on its values alone, and the digests are of the values as the file holds them
(`stored_text`), so equal digests mean equal bytes. A file changed since (by hand, by another version)
or a table whose reports' rows are not contiguous is written whole, as before.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.store.digests import grouped_digests
from helpers.store.files import replaced, stored_text, write_csv

if TYPE_CHECKING:
    import pandas as pd

KEY = "report_id"  # the column whose values segment a table (the first column of the tables it applies to)


def segments_file(path: Path) -> Path:
    """The sidecar of the table file `path`: its reports' byte ranges and digests (hidden: not a table)."""
    return path.with_name(f".{path.name}.segments")


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


def _previous(path: Path, columns: list[str]) -> dict[str, tuple[str, int, int]]:
    """The segments recorded for `path` as it is now (key -> digest, start, end); none when the file or
    its sidecar is missing, was changed since, or has other columns."""
    try:
        st = path.stat()
        recorded = json.loads(segments_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(recorded, dict) or recorded.get("size") != st.st_size
            or recorded.get("mtime_ns") != st.st_mtime_ns or recorded.get("columns") != columns):
        return {}
    return {k: (d, a, b) for k, (d, a, b) in recorded.get("segments", {}).items()}


def recorded_digests(path: Path, columns: list[str]) -> dict[str, str]:
    """Each report's digest of its rows as the table file `path` holds them now (its sidecar's), or none when
    the sidecar is missing or no longer describes the file: a reader's cheap check of whose rows changed."""
    return {k: d for k, (d, _, _) in _previous(path, columns).items()}


def write_table_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write `frame` as `write_csv` would, reusing the bytes of the reports whose rows the file already
    holds (see the module's docstring); record its segments beside it."""
    import numpy as np
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    sidecar = segments_file(path)
    codes = pd.factorize(frame[KEY].astype(str))[0] if columns[:1] == [KEY] and len(frame) else None
    if codes is None or (np.diff(codes) < 0).any():  # not segmented by report: written whole
        sidecar.unlink(missing_ok=True)
        return write_csv(path, frame)
    stored = stored_text(frame)
    digests = {k: d.hex() for k, d in grouped_digests(stored, columns, KEY).items()}
    keys = list(digests)  # in the frame's order (contiguous groups)
    before = _previous(path, columns)
    old = memoryview(path.read_bytes() if before else b"")  # slices of it are not copies
    header = stored.iloc[:0].to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL).encode("utf-8")
    anew = [k for k in keys if before.get(k, ("",))[0] != digests[k]]
    made = memoryview(b"")
    made_at: dict[str, tuple[int, int]] = {}
    if anew:
        rows = stored[stored[KEY].isin(set(anew))] if len(anew) < len(keys) else stored
        text = b"\n" + rows.to_csv(index=False, header=False, lineterminator="\n",
                                   quoting=csv.QUOTE_ALL).encode("utf-8")
        starts = _record_starts(text, anew) + [len(text)]
        made = memoryview(text)
        made_at = {k: (a, b) for k, a, b in zip(anew, starts[:-1], starts[1:])}
    pieces: list[bytes | memoryview] = [header]
    segments, size = {}, len(header)
    for k in keys:
        if k in made_at:
            a, b = made_at[k]
            piece = made[a:b]
        else:
            _, a, b = before[k]
            piece = old[a:b]
        pieces.append(piece)
        segments[k] = (digests[k], size, size + len(piece))
        size += len(piece)
    sidecar.unlink(missing_ok=True)  # the old ranges no longer hold once the file is replaced
    with replaced(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.writelines(pieces)
    st = path.stat()
    with replaced(sidecar) as tmp:
        tmp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "columns": columns,
                                   "segments": segments}, separators=(",", ":")), encoding="utf-8")
    return path
