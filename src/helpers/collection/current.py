"""The collection's files kept current by `make reports`: the database always (updated in place
where it can be), the workbook only once someone asked for it (`python -m helpers workbook`, `make
workbook`): writing every row of a large collection as a spreadsheet is tens of seconds a run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.collection.database import DATABASE
from helpers.collection.update import save_database
from helpers.collection.workbook import WORKBOOK, write_workbook

if TYPE_CHECKING:
    import pandas as pd


def keep_current(data_dir: Path, unchanged: bool, tables: Callable[[], Mapping[str, pd.DataFrame]]) -> str:
    """Make `data_dir`'s database, and its workbook if there is one, current with the tables (read by
    `tables` only when needed); `unchanged`: the previous run made them from the same data. Says
    what was done, for the terminal."""
    workbook = (data_dir / WORKBOOK).is_file()
    if unchanged and (data_dir / DATABASE).is_file():
        return f"(unchanged) {DATABASE}" + (f" and {WORKBOOK}" if workbook else "")
    read = tables()
    said = save_database(data_dir, read)
    if workbook:
        return f"{said}; {write_workbook(data_dir, read).name} written again"
    return f"{said}; no {WORKBOOK} (`make workbook` makes it)"
