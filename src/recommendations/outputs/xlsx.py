"""Spreadsheets (Office Open XML, ``.xlsx``) through ``openpyxl``, imported only when used.

A register or a trail is a workbook of one sheet of its rows and a sheet "Basis"; the
register and trail together, one workbook with the sheets "Register", "Trail" and "Basis".
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
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from recommendations._cells import MAX_SHEET_ROWS, continued_sheet, escaped, written

from . import _common
from ._records import (
    AnyRegister,
    AnyTrail,
    AnyView,
    Column,
    Record,
    basis_facts,
    changes_text,
    human,
    iter_register_records,
    iter_trail_records,
    register_columns,
    trail_columns,
    utc,
)
from ._registry import Format

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "MAX_ROWS", "WIDTH_ROWS", "Sheet", "workbook", "write_workbook"]

_DATE = "yyyy-mm-dd"
_TIME = "yyyy-mm-dd hh:mm:ss"
_MAX_WIDTH = 60

MAX_ROWS = MAX_SHEET_ROWS
"""The most records one sheet holds (:data:`recommendations._cells.MAX_SHEET_ROWS`)."""

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


def _put(sheet: Any, value: Any, cell_class: Any) -> Any:
    cell = cell_class(sheet, value=value)
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
    out = io.BytesIO()
    write_workbook(
        out,
        [(name, columns, records, len(records)) for name, columns, records in sheets],
        facts,
        known_at,
    )
    return out.getvalue()


def write_workbook(
    file: IO[bytes],
    sheets: Iterable[tuple[str, Sequence[Column], Iterable[Record], int]],
    facts: Sequence[tuple[str, Any]],
    known_at: datetime,
    *,
    max_rows: int = MAX_ROWS,
) -> None:
    """Write to ``file`` a workbook of ``sheets`` (name, columns, records, how many) and a
    last sheet "Basis" listing ``facts``, row by row as the records come: the columns are
    as wide as their first :data:`WIDTH_ROWS` rows need. ``sheets`` is read one sheet at a
    time, each once the one before it is written.

    A sheet holds at most ``max_rows`` records below its header (:data:`MAX_ROWS`, what a
    spreadsheet program opens); the records beyond go on to a sheet of the same columns
    named by :func:`~recommendations._cells.continued_sheet` ("Trail (2)", "Trail (3)",
    ...), placed right after it."""
    openpyxl = importlib.import_module("openpyxl")
    styles = importlib.import_module("openpyxl.styles")
    cell_class = importlib.import_module("openpyxl.cell").WriteOnlyCell
    letter = importlib.import_module("openpyxl.utils").get_column_letter
    bold = styles.Font(bold=True)

    def header(sheet: Any, value: str) -> Any:
        cell = _put(sheet, value, cell_class)
        cell.font = bold
        return cell

    def start(title: str, columns: Sequence[Column], widths: Sequence[int], rows: int) -> Any:
        sheet = book.create_sheet(title=title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[letter(index)].width = width + 2
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{letter(len(columns))}{max(rows + 1, 1)}"
        sheet.append([header(sheet, column.key) for column in columns])
        return sheet

    book = openpyxl.Workbook(write_only=True)
    for name, columns, records, count in sheets:
        rows = iter(records)
        first = [
            [_cell_value(record.get(column.key), column.key) for column in columns]
            for record in itertools.islice(rows, WIDTH_ROWS)
        ]
        widths = [len(column.key) for column in columns]
        for values in first:
            for index, value in enumerate(values):
                widths[index] = max(widths[index], min(_width(value), _MAX_WIDTH))
        part = 1
        sheet = start(name, columns, widths, min(count, max_rows))
        written_here = 0
        everything = itertools.chain(
            first,
            (
                [_cell_value(record.get(column.key), column.key) for column in columns]
                for record in rows
            ),
        )
        for values in everything:
            if written_here == max_rows:
                part += 1
                count -= max_rows
                sheet = start(continued_sheet(name, part), columns, widths, min(count, max_rows))
                written_here = 0
            sheet.append([_put(sheet, value, cell_class) for value in values])
            written_here += 1

    basis = book.create_sheet(title="Basis")
    basis.column_dimensions["A"].width = 42
    basis.column_dimensions["B"].width = 80
    basis.append([header(basis, "basis"), header(basis, "value")])
    for label, value in facts:
        basis.append(
            [_put(basis, label, cell_class), _put(basis, _cell_value(value, label), cell_class)]
        )

    moment = utc(known_at).replace(tzinfo=None, microsecond=0)
    book.properties.created = moment
    book.properties.modified = moment
    book.save(file)


WIDTH_ROWS = 1000
"""How many rows of a sheet its columns' widths are judged on."""


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as a workbook to ``file``: a sheet of its rows, then "Basis"."""
    sheet = "Register" if _common.is_register(view) else "Trail"
    facts = basis_facts(view, what=title)
    rows = _common.records(view, basis=False)
    sheets = [(sheet, _common.columns(view), rows, len(view))]
    write_workbook(file, sheets, facts, view.basis.known_at)


def write_bundle(
    register: AnyRegister,
    trail: Callable[[], AnyTrail],
    file: IO[bytes],
    checkpoint: LogCheckpoint | None,
) -> None:
    """The register, then the trail ``trail`` makes once the register is written, as the
    sheets "Register", "Trail" and "Basis" of one workbook (which holds no checkpoint)."""

    def sheets() -> Iterator[tuple[str, tuple[Column, ...], Iterable[Record], int]]:
        yield (
            "Register",
            register_columns(register),
            iter_register_records(register),
            len(register),
        )
        made = trail()
        yield ("Trail", trail_columns(made), iter_trail_records(made), len(made))

    facts = basis_facts(register, what="Register and audit trail")
    write_workbook(file, sheets(), facts, register.basis.known_at)


FORMAT = Format(
    name="xlsx",
    rank=3,
    description="a spreadsheet",
    suffixes=(".xlsx",),
    binary=True,
    write_view=write_view,
    write_bundle=write_bundle,
)
