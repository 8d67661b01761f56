"""Each report's rows of a table as one digest, kept in the collection's database, so that a re-run
finds the reports whose rows differ from what the file holds, whatever made them differ (a new or
edited report, or a collection-wide flag moving on a kept one): by content, never by the run's list
of new reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_PLACE = "\0place"  # a column no contract table has: a row's place among its report's rows


def report_digests(frame: pd.DataFrame) -> dict[str, str]:
    """report_id -> a digest of that report's rows, in order, as 16 hex digits: pandas' vectorised
    hash of each row's cells and its place among the report's rows, summed modulo 2**64 per report
    (a cell changed, a row added, removed or moved changes it)."""
    import pandas as pd

    if frame.empty:
        return {}
    ids = frame["report_id"]
    place = ids.groupby(ids, sort=False).cumcount().to_numpy()
    rows = pd.util.hash_pandas_object(frame.assign(**{_PLACE: place}), index=False)
    sums = rows.groupby(ids.to_numpy(), sort=False).sum()  # uint64: wraps modulo 2**64
    return {str(report_id): f"{int(value):016x}" for report_id, value in sums.items()}


def differing(new: dict[str, str], held: dict[str, str]) -> tuple[list[str], list[str]]:
    """(the reports whose rows are new or differ from those held, the reports held that are gone),
    each in a stable order: the first as `new` lists them, the second sorted."""
    return [r for r, d in new.items() if held.get(r) != d], sorted(set(held) - set(new))
