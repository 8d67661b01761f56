"""Each report's rows of a table as one digest, made in one vectorised pass: what the pages step (which
report pages to render) and the collection's database (which reports' rows to replace) both compare
with what they made before, by content."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def grouped_digests(frame: pd.DataFrame, columns: list[str], key: str = "report_id") -> dict[str, bytes]:
    """Each `key` value's rows of `frame` (those columns, in the table's order) as one 16-byte digest:
    every row hashed in one vectorised pass (`pd.util.hash_pandas_object`), then each group's hashes in
    order (a cell changed, a row added, removed or moved changes it)."""
    import numpy as np
    import pandas as pd

    if not len(frame):
        return {}
    hashes = pd.util.hash_pandas_object(frame[columns], index=False, categorize=False).to_numpy()
    codes, ids = pd.factorize(frame[key].astype(str))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(ids) + 1))
    data = hashes[order]
    return {str(rid): hashlib.blake2b(data[a:b].tobytes(), digest_size=16).digest()
            for rid, a, b in zip(ids, bounds[:-1], bounds[1:])}
