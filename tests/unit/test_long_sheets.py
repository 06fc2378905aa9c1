"""A view longer than a worksheet holds goes on to further sheets, and is read back whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from recommendations._cells import MAX_SHEET_ROWS, continued_sheet
from recommendations.outputs._records import Column
from recommendations.outputs.xlsx import MAX_ROWS, write_workbook
from recommendations.spreadsheets._reading import _xlsx_rows

COLUMNS = [Column("reference", "Reference"), Column("note", "Note")]
KNOWN_AT = datetime(2024, 3, 1, 12, tzinfo=UTC)


def _write(path: Path, records: int, *, max_rows: int) -> None:
    rows = ({"reference": f"R{n}", "note": f"note {n}"} for n in range(records))
    with path.open("wb") as file:
        write_workbook(
            file,
            [("Trail", COLUMNS, rows, records)],
            [("what", "a test")],
            KNOWN_AT,
            max_rows=max_rows,
        )


def test_the_limit_is_what_a_spreadsheet_program_opens() -> None:
    assert MAX_ROWS == MAX_SHEET_ROWS == 1_048_576 - 1  # one row is the header
    assert continued_sheet("Trail", 1) == "Trail"
    assert continued_sheet("Trail", 3) == "Trail (3)"


def test_records_beyond_the_limit_go_on_to_further_sheets(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    _write(path, 7, max_rows=3)
    book = openpyxl.load_workbook(path, read_only=False)
    assert book.sheetnames == ["Trail", "Trail (2)", "Trail (3)", "Basis"]
    seen = []
    for name, count in (("Trail", 3), ("Trail (2)", 3), ("Trail (3)", 1)):
        sheet = book[name]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("reference", "note")
        assert len(rows) == count + 1
        assert sheet.auto_filter.ref == f"A1:B{count + 1}"
        seen += [row[0] for row in rows[1:]]
    assert seen == [f"R{n}" for n in range(7)]


def test_a_sheet_exactly_full_has_no_continuation(tmp_path: Path) -> None:
    path = tmp_path / "full.xlsx"
    _write(path, 3, max_rows=3)
    assert openpyxl.load_workbook(path).sheetnames == ["Trail", "Basis"]


def test_the_import_reads_the_continued_sheets_as_one(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    _write(path, 7, max_rows=3)
    title, rows = _xlsx_rows(path, "Trail")
    assert title == "Trail"
    assert rows[0] == ["reference", "note"]
    assert [row[0] for row in rows[1:]] == [f"R{n}" for n in range(7)]
