"""Which reports' rows differ between two versions of a table: what a step that keeps a previous run's rows
compares, so that a report kept exactly as it was read is not digested or written again (`reuse`, the corpus)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def differing_reports(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    """The reports whose rows differ between two versions of a table, row by row in their order (column by
    column: a column left as it was costs a comparison of the same objects). A differing row counts for the
    reports of both versions of it: rows moved from one report to another change both."""
    import numpy as np

    if after is before:
        return set()
    if list(after.columns) != list(before.columns) or len(after) != len(before):
        return set(before["report_id"]) | set(after["report_id"])
    differs = np.zeros(len(before), dtype=bool)
    for column in before.columns:
        differs |= before[column].to_numpy(dtype=object) != after[column].to_numpy(dtype=object)
    return set(before["report_id"].to_numpy()[differs]) | set(after["report_id"].to_numpy()[differs])
