"""Reading CSV files and workbooks into snapshots, with every problem named by row and column."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from recommendations import ConfigurationError, Outcome, Scope, Status
from recommendations.spreadsheets import ColumnMapping, read_sheet, snapshot_date_of

from .sheets import Q1, QUARTERS, write_csv, write_xlsx


@pytest.mark.parametrize("bom", [False, True])
def test_a_csv_file_with_or_without_a_byte_order_mark(tmp_path: Path, bom: bool) -> None:
    path = write_csv(tmp_path / "tracker-2017-03-30.csv", QUARTERS[Q1], bom=bom)
    snapshot = read_sheet(path)
    assert snapshot.snapshot_date == Q1
    assert snapshot.source == "tracker-2017-03-30.csv"
    assert snapshot.column("reference") == "Ref"  # the first header, BOM or not
    assert snapshot.errors == ()
    first = snapshot.rows[0]
    assert (first.row, first.reference, first.report, first.grade) == (
        2,
        "2.16",
        "PEEL-EFF-2016",
        "amber",
    )
    assert (first.status, first.owner, first.due_on) == (
        Status.OPEN,
        "Head of Public Protection",
        date(2017, 6, 30),
    )
    assert first.published_on == date(2017, 3, 2)
    assert first.progress == "Audit of supervision begun."
    assert [row.grade for row in snapshot.rows] == ["amber", "red", "green"]
    assert snapshot.rows[1].progress is None


def test_a_workbook_with_real_date_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tracker-2017-03-30.xlsx", QUARTERS[Q1])
    snapshot = read_sheet(path)
    assert snapshot.source == "tracker-2017-03-30.xlsx, sheet 'Tracker'"
    assert snapshot.sheet == "Tracker"
    assert snapshot.errors == ()
    assert [row.due_on for row in snapshot.rows] == [
        date(2017, 6, 30),
        date(2017, 6, 30),
        date(2015, 3, 31),
    ]


def test_csv_and_workbook_read_the_same_rows(tmp_path: Path) -> None:
    rows = QUARTERS[Q1]
    from_csv = read_sheet(write_csv(tmp_path / "t.csv", rows), snapshot_date=Q1)
    from_xlsx = read_sheet(write_xlsx(tmp_path / "t.xlsx", rows), snapshot_date=Q1)
    assert from_csv.rows == from_xlsx.rows
    assert from_csv.columns == from_xlsx.columns


def test_a_worksheet_chosen_by_name_and_headers_below_a_title(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "tracker.xlsx",
        QUARTERS[Q1],
        title="HMIC",
        above=[["HMIC recommendations tracker"], []],
    )
    snapshot = read_sheet(path, ColumnMapping(header_row=3), snapshot_date=Q1, sheet="HMIC")
    assert [row.row for row in snapshot.rows] == [4, 5, 6]
    with pytest.raises(ConfigurationError, match="no worksheet 'Audit'") as caught:
        read_sheet(path, snapshot_date=Q1, sheet="Audit")
    assert caught.value.rule == "sheet-exists"


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("tracker-2017-03-30.xlsx", date(2017, 3, 30)),
        ("cp1252-2017-03-31.csv", date(2017, 3, 31)),
        ("HMIC tracker 2017_06_29.csv", date(2017, 6, 29)),
        ("tracker 2017.06.29 v2.xlsx", date(2017, 6, 29)),
        ("tracker-20170928.csv", date(2017, 9, 28)),
        ("export-20170928-1200.csv", date(2017, 9, 28)),
        ("JAC tracker 31-03-2017.xlsx", date(2017, 3, 31)),
        ("31_03_2017 tracker.csv", date(2017, 3, 31)),
        ("tracker 31.03.2017.csv", date(2017, 3, 31)),
    ],
)
def test_the_snapshot_date_from_the_file_name(name: str, day: date) -> None:
    assert snapshot_date_of(name) == day


@pytest.mark.parametrize(
    ("name", "holds", "hint"),
    [
        ("tracker.csv", "no date", "put it in the file name"),
        ("tracker-2017-02-31.csv", "no date", "put it in the file name"),
        ("tracker v1252.csv", "no date", "put it in the file name"),
        (
            "2017-03-30 to 2017-06-29.csv",
            "2 dates (2017-03-30, 2017-06-29)",
            "put just one date in the file name",
        ),
    ],
)
def test_a_file_name_without_one_date_needs_the_snapshot_date(
    tmp_path: Path, name: str, holds: str, hint: str
) -> None:
    path = write_csv(tmp_path / name, QUARTERS[Q1])
    with pytest.raises(ConfigurationError) as caught:
        read_sheet(path)
    assert str(caught.value).endswith(
        f"the name of {name!r} holds {holds}: give the sheet's date with --snapshot-date "
        f"(or {hint}, e.g. tracker-2017-03-31.xlsx)"
    )
    assert (caught.value.field, caught.value.rule) == ("snapshot_date", "snapshot-date")
    assert read_sheet(path, snapshot_date=Q1).snapshot_date == Q1


def test_every_row_error_is_named_by_row_and_column(tmp_path: Path) -> None:
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0]["Due date"] = "31/02/2017"
    rows[1]["Status"] = "Parked"
    rows[1]["Published"] = "soon"
    rows[2]["Ref"] = None
    rows.append(dict(rows[0], **{"Due date": "30/06/2017"}))  # 2.16 again
    path = write_csv(tmp_path / "tracker-2017-03-30.csv", rows)
    snapshot = read_sheet(path)
    assert [str(error) for error in snapshot.errors] == [
        "row 2, column 'Due date': '31/02/2017' is not a date (rule 'date')",
        "row 3, column 'Published': 'soon' is not a date (rule 'date')",
        "row 3, column 'Status': 'Parked' is not a status (open, claimed, closed, ...: name it "
        "under [statuses] in the mapping) (rule 'status')",
        "row 4, column 'Ref': the reference is blank (rule 'required')",
        "row 5, column 'Ref': '2.16' is on row 2 already (rule 'reference-unique')",
    ]
    assert snapshot.rows == ()
    assert snapshot.unread == {"2.16", "2.18"}


def test_a_number_in_a_date_column_of_a_workbook_is_not_taken_for_a_date(tmp_path: Path) -> None:
    rows = [dict(QUARTERS[Q1][0], **{"Due date": 42916})]
    snapshot = read_sheet(write_xlsx(tmp_path / "t.xlsx", rows), snapshot_date=Q1)
    assert [str(e) for e in snapshot.errors] == [
        "row 2, column 'Due date': '42916' is a number, not a date (rule 'date')"
    ]


def test_cells_of_a_workbook_read_as_text_and_dates(tmp_path: Path) -> None:
    headers = (
        "Rec no",
        "Recommendation",
        "Status",
        "Target date",
        "Scope",
        "Inspectorate",
        "Notes",
    )
    rows = [
        {
            "Rec no": 3,
            "Recommendation": "  Record every use of force.  ",
            "Status": "Red",
            "Target date": datetime(2017, 12, 31, 0, 0),
            "Scope": "National",
            "Inspectorate": "HMI Prisons, HMIC and CQC",
            "Notes": "not read",
        },
        {
            "Rec no": 2.16,
            "Recommendation": "Supervise DASH risk assessments.",
            "Status": "Closed by HMIC",
            "Target date": "TBC",
            "Scope": "force",
        },
    ]
    snapshot = read_sheet(write_xlsx(tmp_path / "t.xlsx", rows, headers), snapshot_date=Q1)
    assert snapshot.errors == ()
    first, second = snapshot.rows
    assert (first.reference, first.text, first.grade, first.status) == (
        "3",
        "Record every use of force.",
        "red",
        Status.OPEN,
    )
    assert (first.due_on, first.scope) == (date(2017, 12, 31), Scope.NATIONAL)
    assert first.inspectorates == ("HMI Prisons", "HMIC", "CQC")
    assert (second.reference, second.grade, second.status, second.outcome) == (
        "2.16",
        None,
        Status.DISCHARGED,
        Outcome.CLOSED_BY_INSPECTORATE,
    )
    assert (second.due_on, second.scope) == (None, Scope.BODY)
    assert [str(w) for w in snapshot.warnings] == ["columns not read: 'Notes'"]


@pytest.mark.parametrize("cell", ["Blue", "B", "blue", "Complete", "Completed", "Closed"])
def test_a_closed_value_in_a_rag_column_closes_the_row_and_leaves_its_grade(
    tmp_path: Path, cell: str
) -> None:
    rows = [dict(QUARTERS[Q1][0], RAG=cell, Status=None)]
    snapshot = read_sheet(write_csv(tmp_path / "t.csv", rows), snapshot_date=Q1)
    assert snapshot.errors == ()
    (row,) = snapshot.rows
    assert (row.grade, row.status, row.outcome, row.status_text) == (
        None,
        Status.DISCHARGED,
        Outcome.IMPLEMENTED,
        cell,
    )


def test_a_closed_value_in_a_rag_column_takes_the_outcome_of_a_closed_status(
    tmp_path: Path,
) -> None:
    rows = [
        dict(QUARTERS[Q1][0], RAG="Blue", Status="No longer relevant"),
        dict(QUARTERS[Q1][1], RAG="Blue", Status="Awaiting sign-off"),
        dict(QUARTERS[Q1][2], RAG="Withdrawn", Status=None),
    ]
    snapshot = read_sheet(write_csv(tmp_path / "t.csv", rows), snapshot_date=Q1)
    assert [str(e) for e in snapshot.errors] == [
        "row 3, column 'RAG': 'Blue' means closed, but column 'Status' says 'Awaiting "
        "sign-off': make them agree (or name 'Blue' under [grades] in the mapping, to read it "
        "as a grade) (rule 'status-agrees')"
    ]
    assert [(row.reference, row.grade, row.outcome) for row in snapshot.rows] == [
        ("2.16", None, Outcome.NO_LONGER_RELEVANT),
        ("CB-01", None, Outcome.NO_LONGER_RELEVANT),
    ]


def test_a_value_the_mapping_names_as_a_grade_is_read_as_one(tmp_path: Path) -> None:
    rows = [dict(QUARTERS[Q1][0], RAG="B", Status="Open")]
    mapping = ColumnMapping(grades={"B": "green"})
    snapshot = read_sheet(write_csv(tmp_path / "t.csv", rows), mapping, snapshot_date=Q1)
    (row,) = snapshot.rows
    assert (row.grade, row.status) == ("green", Status.OPEN)


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    rows = [QUARTERS[Q1][0], {}, QUARTERS[Q1][1]]
    snapshot = read_sheet(write_csv(tmp_path / "t.csv", rows), snapshot_date=Q1)
    assert [(row.row, row.reference) for row in snapshot.rows] == [(2, "2.16"), (4, "2.18")]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read") as missing:
        read_sheet(tmp_path / "absent-2017-03-30.csv")
    assert missing.value.rule == "file-readable"
    odd = tmp_path / "tracker-2017-03-30.ods"
    odd.write_bytes(b"")
    with pytest.raises(ConfigurationError, match="only .csv and .xlsx") as kind:
        read_sheet(odd)
    assert kind.value.rule == "file-type"
    latin = tmp_path / "tracker-2017-03-30.csv"
    latin.write_bytes("Ref,Recommendation\n2.16,Caf\xe9\n".encode("latin-1"))
    assert read_sheet(latin).rows[0].text == "Café"  # read as Windows-1252
    latin.write_bytes(b"Ref,Recommendation\n2.16,Caf\x81\n")  # no character in either
    with pytest.raises(ConfigurationError, match="not UTF-8.*nor Windows-1252") as encoding:
        read_sheet(latin)
    assert encoding.value.rule == "utf-8"
    broken = tmp_path / "tracker-2017-03-30.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(ConfigurationError, match="cannot be read as an Excel workbook"):
        read_sheet(broken)
    with pytest.raises(ConfigurationError, match="has no worksheet") as sheet:
        read_sheet(write_csv(tmp_path / "t.csv", QUARTERS[Q1]), snapshot_date=Q1, sheet="HMIC")
    assert sheet.value.rule == "sheet-exists"


def test_headers_of_punctuation_alone_are_not_taken_for_the_same_header(tmp_path: Path) -> None:
    """Two columns headed "#" and "?" name no field, so they do not clash; a value in a
    column past the last header is refused, a value under a header no field uses is not."""
    path = tmp_path / "tracker-2017-03-30.csv"
    path.write_text("Ref,#,?,Owner,Notes\n2.16,1,yes,Head of Crime,kept\n", encoding="utf-8")
    [row] = read_sheet(path).rows
    assert (row.reference, row.owner) == ("2.16", "Head of Crime")
    path.write_text("Ref,Owner\n2.16,Head of Crime,,\r2.18,Head of Crime\r", encoding="utf-8")
    assert [row.reference for row in read_sheet(path).rows] == ["2.16", "2.18"]
    path.write_text("Ref,Owner,\n2.16,Head of Crime,stray\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="row 2, column C: a value in a column with no"):
        read_sheet(path)
