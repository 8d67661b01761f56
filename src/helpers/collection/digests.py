"""Each report's rows of a table as one digest, kept in the collection's database, so that a re-run
finds the reports whose rows differ from what the file holds, whatever made them differ (a new or
edited report, or a collection-wide flag moving on a kept one): by content, never by the run's list
of new reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.store.digests import grouped_digests

if TYPE_CHECKING:
    import pandas as pd


def report_digests(frame: pd.DataFrame) -> dict[str, str]:
    """report_id -> a digest of that report's rows, in order, as hex (`store.digests.grouped_digests`
    over every column)."""
    return {rid: d.hex() for rid, d in grouped_digests(frame, list(frame.columns)).items()}


def differing(new: dict[str, str], held: dict[str, str]) -> tuple[list[str], list[str]]:
    """(the reports whose rows are new or differ from those held, the reports held that are gone),
    each in a stable order: the first as `new` lists them, the second sorted."""
    return [r for r, d in new.items() if held.get(r) != d], sorted(set(held) - set(new))
