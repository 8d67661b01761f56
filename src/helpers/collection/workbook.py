"""The collection as a spreadsheet, `OUT/data/collection.xlsx`: every table of the data contract on a
sheet of its own, for analysts who live in Excel or LibreOffice (which open the CSVs as garbled
Vietnamese unless their import dialog is used; a workbook carries its text as Unicode). Made on
demand (`python -m helpers workbook`, `make workbook`); `make reports` keeps it current once there.

Every cell is text, as in the CSVs (numbers as numbers): a cell beginning with `=` is a string,
never a formula. What a sheet cannot hold is said, never dropped silently: characters XML forbids
(controls a ledger line may keep) are written as Excel's own `_xHHHH_` escapes, a cell over Excel's
32,767 characters is cut with a note, and a table over a sheet's rows goes on in `name (2)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.collection.database import INTEGERS, REALS
from helpers.errors import InputError
from helpers.store.files import replaced
from helpers.store.paths import RUN_JSON_FILE, WORKBOOK_FILE

if TYPE_CHECKING:
    import pandas as pd

WORKBOOK = WORKBOOK_FILE  # in OUT/data/ (store.contract)
MAX_ROWS = 1_048_576  # a sheet's rows (Excel's limit), the header included
MAX_CELL = 32_767  # a cell's characters (Excel's limit)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _escaped(text: str) -> str:
    """Text as a sheet can hold it: characters XML forbids as `_xHHHH_` (an existing `_xHHHH_`
    escaped too, so it reads back as written); over-long text cut, saying so."""
    text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if len(text) > MAX_CELL:
        note = f" … [cut: {len(text):,} characters; the whole text is in the CSV]"
        text = text[: MAX_CELL - len(note)] + note
    return text


def _cell(name: str, text: str) -> object:
    """A CSV cell as the sheet keeps it: the number columns as numbers, everything else as text, an
    empty cell as none (a spreadsheet's empty cell, and not written at all: half the time)."""
    if text == "":
        return None
    if name in INTEGERS or name in REALS:
        try:
            return int(text) if name in INTEGERS else float(text)
        except ValueError:
            pass
    return _escaped(text)


def _text_cell(sheet: object, text: str) -> object:
    """A cell holding text that begins with '=': a string, never a formula (openpyxl would make one)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _sheets(name: str, rows: int) -> list[tuple[str, int, int]]:
    """(sheet name, first row, end row) for a table of `rows` rows: one sheet, more when it is longer
    than a sheet holds."""
    per = MAX_ROWS - 1
    spans = [(start, min(start + per, rows)) for start in range(0, max(rows, 1), per)]
    return [(name if i == 0 else f"{name} ({i + 1})", a, b) for i, (a, b) in enumerate(spans)]


def write_workbook(data_dir: Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write `data_dir/collection.xlsx`, a sheet per table (name -> frame, as read through the
    contract), atomically; returns its path."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in tables.items():
        header = [str(c) for c in frame.columns]
        values = frame.to_numpy().tolist()
        for title, start, end in _sheets(name, len(values)):
            sheet = book.create_sheet(title)
            sheet.freeze_panes = "A2"
            sheet.append(header)
            for row in values[start:end]:
                sheet.append([_text_cell(sheet, value) if isinstance(value, str) and value.startswith("=") else value
                              for value in (_cell(column, text) for column, text in zip(header, row))])
    path = data_dir / WORKBOOK
    with replaced(path) as tmp:
        book.save(tmp)
    return path


def workbook_of_run(data_dir: Path) -> Path:
    """Write the workbook of the run whose tables are in `data_dir` (`OUT/data`), read through the
    contract (a missing or older table named, with the stage that writes it); returns its path."""
    from helpers.store.contract import TABLES, read_table

    if not (data_dir / RUN_JSON_FILE).is_file():
        raise InputError(f"{data_dir.parent} holds no run (no {data_dir / RUN_JSON_FILE}): "
                         "run `make reports` into it first")
    return write_workbook(data_dir, {name: read_table(data_dir, name) for name in TABLES})
