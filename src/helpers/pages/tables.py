"""Tables as a reader reads them, in the notebooks and their exported pages: no index column,
text left-aligned and wrapped, integers as integers, numbers right-aligned, flags one per line.

`show(frame)` returns an object Jupyter displays as such a table (from the same template
as the report pages); its plain-text form is the frame without its index, for nbval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from helpers.pages.render import render
from helpers.checks.flags import split_flags


def _plain(value: object) -> object:
    """A cell as a reader wants it: 27.0 as 27, 3.14159 as 3.1, NaN as empty."""
    if isinstance(value, float):
        if value != value:
            return ""
        return int(value) if value.is_integer() else round(value, 2)
    return value


@dataclass
class ShownTable:
    """A DataFrame shown for reading (see the module's docstring)."""

    frame: pd.DataFrame
    numeric: tuple[str, ...] = ()
    flag_columns: tuple[str, ...] = field(default=())
    total: int = 0  # rows before the display limit (0: all are shown)

    @property
    def note(self) -> str:
        """What the table leaves out, said under it."""
        return f"The first {len(self.frame):,} of {self.total:,} rows." if self.total > len(self.frame) else ""

    def _repr_html_(self) -> str:
        frame = self.frame.map(_plain)
        for c in self.flag_columns:
            frame[c] = self.frame[c].map(split_flags)
        return str(render("table.html.j2", frame=frame, numeric=self.numeric, flag_columns=self.flag_columns,
                          note=self.note))

    def __repr__(self) -> str:
        return self.frame.map(_plain).to_string(index=False) + (f"\n{self.note}" if self.note else "")


MAX_ROWS = 200  # a page stays readable (and quick to export) for an archive of thousands of reports
SHOWN_REPORTS = 10  # stage pages show this many reports in full; each report has its own page


def show(frame: pd.DataFrame, keep_index: bool = False, flags: tuple[str, ...] = (),
         max_rows: int = MAX_ROWS) -> ShownTable:
    """`frame` as a readable table; `keep_index` turns a meaningful index (a crosstab's rows) into a
    column first; columns named in `flags` hold ` | `-joined flags and show one per line. Past
    `max_rows`, the first rows are shown and a note says how many there are."""
    if keep_index:
        frame = frame.reset_index()
    total = len(frame)
    frame = frame.head(max_rows).copy()
    frame.columns = [str(c) for c in frame.columns]
    for c in frame.columns:  # counts read back from a CSV are text: show them as the integers they are
        whole = len(frame) and frame[c].astype(str).str.fullmatch(r"-?\d{1,12}").all()
        if pd.api.types.is_string_dtype(frame[c]) and whole:
            frame[c] = frame[c].astype(int)
    numeric = tuple(c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool)
    return ShownTable(frame, numeric, flags, total)


class Style:
    """The tables' and pages' style, displayed once by a notebook opened in JupyterLab (exported
    pages carry it already); nothing in plain text."""

    def _repr_html_(self) -> str:
        return str(render("style.html.j2"))

    def __repr__(self) -> str:
        return ""
