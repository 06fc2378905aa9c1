"""Spreadsheets (Office Open XML, ``.xlsx``) through ``openpyxl``, imported only when used.

Each view is a sheet with a header row (frozen, with filters), dates as Excel dates and
recorded times as Excel date-times in UTC (Excel holds no time zone); a last sheet, "Basis",
says what the rows are true of. The workbook's own created and modified times are the
basis's known-at time: when what it holds was true of the log, not when it was written.

Text is written so that the import reads it back exactly, and any text the log holds can
be written (what XML cannot hold, as ``_xHHHH_``): see :mod:`recommendations._cells`.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from recommendations._cells import escaped, written

from ._records import Column, Record, changes_text, human, utc

__all__ = ["Sheet", "workbook"]

_DATE = "yyyy-mm-dd"
_TIME = "yyyy-mm-dd hh:mm:ss"
_MAX_WIDTH = 60

Sheet = tuple[str, Sequence[Column], Sequence[Record]]
"""A sheet to write: its name, its columns, its records."""


def _text(text: str) -> str:
    """A text as its cell holds it: after an apostrophe where the import needs one to read
    it back exactly, and what XML cannot hold escaped as ``_xHHHH_``."""
    return escaped(written(text, formulas=False))


def _cell_value(value: Any, key: str) -> Any:
    if key == "changes":
        return _text(changes_text({"changes": value}))
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return utc(value).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return _text(human(value))


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, datetime):
        cell.number_format = _TIME
    elif isinstance(value, date):
        cell.number_format = _DATE
    return cell


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    return len(str(value)) if value is not None else 0


def workbook(
    sheets: Sequence[Sheet], facts: Sequence[tuple[str, Any]], known_at: datetime
) -> bytes:
    """A workbook of ``sheets`` and a last sheet "Basis" listing ``facts``."""
    openpyxl = importlib.import_module("openpyxl")
    styles = importlib.import_module("openpyxl.styles")
    letter = importlib.import_module("openpyxl.utils").get_column_letter
    bold = styles.Font(bold=True)

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, columns, records in sheets:
        sheet = book.create_sheet(title=name)
        widths = [len(column.key) for column in columns]
        for index, column in enumerate(columns, start=1):
            _put(sheet, 1, index, column.key).font = bold
        for row, record in enumerate(records, start=2):
            for index, column in enumerate(columns, start=1):
                value = _cell_value(record.get(column.key), column.key)
                _put(sheet, row, index, value)
                widths[index - 1] = max(widths[index - 1], min(_width(value), _MAX_WIDTH))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[letter(index)].width = width + 2
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{letter(len(columns))}{max(len(records) + 1, 1)}"

    basis = book.create_sheet(title="Basis")
    _put(basis, 1, 1, "basis").font = bold
    _put(basis, 1, 2, "value").font = bold
    for row, (label, value) in enumerate(facts, start=2):
        _put(basis, row, 1, label)
        _put(basis, row, 2, _cell_value(value, label))
    basis.column_dimensions["A"].width = 42
    basis.column_dimensions["B"].width = 80

    moment = utc(known_at).replace(tzinfo=None, microsecond=0)
    book.properties.created = moment
    book.properties.modified = moment
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
