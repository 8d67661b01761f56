"""The package's own code and data, digested: outputs made by other code are not current (a stage's
stamp), and a memory of results that depend on the code keys them by it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of the helpers package's code and data: outputs of other code are not current."""
    h = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".j2", ".css"}):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
