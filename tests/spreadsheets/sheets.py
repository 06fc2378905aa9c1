"""Spreadsheets written for real, as a committee officer's quarterly exports would be.

``QUARTERS`` is one small tracker in three quarterly snapshots; ``write_csv`` and
``write_xlsx`` write any rows to a real file (the workbook with real date cells).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook

Row = dict[str, object]

HEADERS = (
    "Ref",
    "Report",
    "Published",
    "Recommendation",
    "RAG",
    "Status",
    "Lead",
    "Due date",
    "Progress update",
)

MAPPING_TOML = """\
[columns]
reference = "Ref"
due_on = "Due date"

[reports]
body = "West Midlands Police"
inspectorates = ["HMIC"]

[discharge]
accepted_by = "Joint Audit Committee"
"""

Q1 = date(2017, 3, 30)
Q2 = date(2017, 6, 29)
Q3 = date(2017, 9, 28)


def _q1() -> list[Row]:
    return [
        {
            "Ref": "2.16",
            "Report": "PEEL-EFF-2016",
            "Published": date(2017, 3, 2),
            "Recommendation": "Ensure effective supervision of DASH risk assessments.",
            "RAG": "Amber",
            "Status": "Open",
            "Lead": "Head of Public Protection",
            "Due date": date(2017, 6, 30),
            "Progress update": "Audit of supervision begun.",
        },
        {
            "Ref": "2.18",
            "Report": "PEEL-EFF-2016",
            "Published": date(2017, 3, 2),
            "Recommendation": "Improve the response to missing children.",
            "RAG": "R",
            "Status": "Open",
            "Lead": "Head of Public Protection",
            "Due date": date(2017, 6, 30),
            "Progress update": None,
        },
        {
            "Ref": "CB-01",
            "Report": "CORE-2014",
            "Published": date(2014, 9, 25),
            "Recommendation": "Chief constables should review their crime recording.",
            "RAG": "G",
            "Status": "Open",
            "Lead": "WMP2020 Programme Director",
            "Due date": date(2015, 3, 31),
            "Progress update": "Reviewed; awaiting audit.",
        },
    ]


def _q2() -> list[Row]:
    rows = _q1()
    rows[0].update({"RAG": "Green", "Progress update": "Audit complete; training under way."})
    rows[1].update({"RAG": "Amber", "Lead": "Head of Criminal Justice"})
    rows[2].update({"Status": "Closed"})
    return rows


def _q3() -> list[Row]:
    rows = _q2()
    rows[0].update({"Status": "Complete"})
    rows[1].update({"Due date": date(2017, 12, 31)})
    del rows[2]  # discharged last quarter: dropped from the sheet
    rows.append(
        {
            "Ref": "4.1",
            "Report": "CUSTODY-2017",
            "Published": date(2017, 8, 15),
            "Recommendation": "Record every use of force in custody.",
            "RAG": "Red",
            "Status": "Open",
            "Lead": "Head of Custody",
            "Due date": date(2018, 3, 31),
            "Progress update": None,
        }
    )
    return rows


QUARTERS: dict[date, list[Row]] = {Q1: _q1(), Q2: _q2(), Q3: _q3()}


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(
    path: Path,
    rows: Sequence[Row],
    headers: Sequence[str] = HEADERS,
    *,
    bom: bool = False,
) -> Path:
    """A CSV file as a spreadsheet saves it: dates written day first, as text."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell_text(row.get(h)) for h in headers])
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Row],
    headers: Sequence[str] = HEADERS,
    *,
    title: str = "Tracker",
    above: Sequence[Sequence[object]] = (),
) -> Path:
    """A workbook whose dates are real date cells (``above`` are rows before the headers)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for extra in above:
        sheet.append(list(extra))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    for cells in sheet.iter_rows(min_row=len(above) + 2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    workbook.save(path)
    workbook.close()
    return path
