"""Published exports as they come: a preamble above the headers, a reference made from
several columns, Windows-1252 or a byte-order mark, semicolons or tabs, HTML entities,
dates known only to the month and written month first, kinds by their labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import recommendations as r
from recommendations import ConfigurationError, configuration
from recommendations.spreadsheets import (
    ColumnMapping,
    open_sheet,
    plan_import,
    read_sheet,
)
from tests.spreadsheets.sheets import write_xlsx

DAY = date(2026, 3, 31)


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _both(path: Path, mapping: ColumnMapping | None = None) -> list[r.spreadsheets.SheetRow]:
    """The rows read whole and streamed, checked to be the same."""
    whole = read_sheet(path, mapping, snapshot_date=DAY)
    assert not whole.errors, whole.errors
    streamed = [read.row for read in open_sheet(path, mapping, snapshot_date=DAY).rows()]
    assert streamed == list(whole.rows)
    return list(whole.rows)


PREAMBLE = (
    "Progress summary: recommendations and areas for improvement\n"
    "As at 31 March 2026,\n"
    "\n"
    "Ref,Recommendation,Status,Due\n"
    "R1,Supervise risk assessments,Open,March 2026\n"
    "R2,Audit stop and search,Closed,\n"
)


def test_the_header_row_is_found_below_a_preamble(tmp_path: Path) -> None:
    path = _write(tmp_path, PREAMBLE)
    rows = _both(path)
    assert [(row.row, row.reference) for row in rows] == [(5, "R1"), (6, "R2")]
    assert (rows[0].due_on, rows[0].due_precision) == (date(2026, 3, 31), "month")
    assert read_sheet(path, snapshot_date=DAY).column("reference") == "Ref"


def test_the_header_row_can_be_given(tmp_path: Path) -> None:
    path = _write(tmp_path, "Ref,Title,Status,Due\nR0,x,Open,\n" + PREAMBLE)
    assert [row.reference for row in _both(path, ColumnMapping(header_row=6))] == ["R1", "R2"]


def test_a_wide_row_that_holds_no_reference_ends_the_search_for_headers(tmp_path: Path) -> None:
    path = _write(tmp_path, "Title\nRecommendation,Status,Due\nSupervise,Open,\n")
    with pytest.raises(ConfigurationError, match="no column holds the reference") as caught:
        read_sheet(path, snapshot_date=DAY)
    assert (caught.value.field, caught.value.rule) == ("reference", "column-present")
    with pytest.raises(ConfigurationError, match="no column holds the reference"):
        open_sheet(path, snapshot_date=DAY)


GAO = (
    "Report Number,Recommendation Number,Agency,Recommendation,Status\n"
    "GAO-24-105870,1,Department of Energy,Track the costs,Open\n"
    "GAO-24-105870,2,Department of Energy,Report the risks,Open\n"
    "GAO-25-100001,1,Department of Energy,Train the staff,Open\n"
)


def test_a_reference_is_made_from_several_columns(tmp_path: Path) -> None:
    mapping = ColumnMapping(
        reference_columns=("Report number", "Recommendation number"), reference_join="/"
    )
    rows = _both(_write(tmp_path, GAO), mapping)
    assert [row.reference for row in rows] == [
        "GAO-24-105870/1",
        "GAO-24-105870/2",
        "GAO-25-100001/1",
    ]
    # A column of the reference may hold another field too.
    assert [row.report for row in rows] == ["GAO-24-105870", "GAO-24-105870", "GAO-25-100001"]
    assert rows[0].text == "Track the costs"


def test_a_blank_part_of_a_reference_names_its_column(tmp_path: Path) -> None:
    mapping = ColumnMapping(reference_columns=("Report number", "Recommendation number", "Agency"))
    path = _write(tmp_path, GAO.replace(",2,Department of Energy", ",2,"))
    snapshot = read_sheet(path, mapping, snapshot_date=DAY)
    assert [row.reference for row in snapshot.rows] == [
        "GAO-24-105870-1-Department of Energy",
        "GAO-25-100001-1-Department of Energy",
    ]
    [problem] = snapshot.errors
    assert (problem.row, problem.column, problem.rule) == (3, "Agency", "required")
    assert "made from column 'Agency' too, which is blank" in problem.message


def test_a_reference_column_the_sheet_lacks_is_refused(tmp_path: Path) -> None:
    mapping = ColumnMapping(reference_columns=("Report number", "Rec no"))
    with pytest.raises(ConfigurationError, match="reference from column 'Rec no'") as caught:
        read_sheet(_write(tmp_path, GAO), mapping, snapshot_date=DAY)
    assert (caught.value.field, caught.value.rule) == ("reference", "column-present")


WINDOWS = "Ref;Recommendation;Owner\r\nR1;Review the force\u2019s caf\u00e9 contracts;Chief\r\n"


def test_windows_1252_as_excel_saves_it_is_read(tmp_path: Path) -> None:
    [row] = _both(_write(tmp_path, WINDOWS, "cp1252"))
    assert row.text == "Review the force\u2019s caf\u00e9 contracts"
    assert row.owner == "Chief"


def test_utf_8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    [row] = _both(_write(tmp_path, "\ufeff" + WINDOWS))
    assert (row.reference, row.text) == ("R1", "Review the force\u2019s caf\u00e9 contracts")


def test_the_encoding_can_be_given_and_bytes_not_in_it_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, WINDOWS, "cp1252")
    [row] = _both(path, ColumnMapping(encoding="cp1252"))
    assert row.text is not None and row.text.endswith("caf\u00e9 contracts")
    with pytest.raises(ConfigurationError, match=r"row 2, column B: not UTF-8 text") as caught:
        read_sheet(path, ColumnMapping(encoding="utf-8"), snapshot_date=DAY)
    assert caught.value.rule == "utf-8"
    with pytest.raises(ConfigurationError, match="encoding 'klingon'") as unknown:
        ColumnMapping(encoding="klingon")
    assert unknown.value.rule == "encoding-known"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_found(tmp_path: Path, delimiter: str) -> None:
    text = "Tracker, as at March 2026\nRef,Recommendation,Owner\nR1,Review A; B, C,Chief\n"
    quoted = text.replace(",", "\x00").replace("\x00", delimiter)
    quoted = quoted.replace(f"Review A; B{delimiter} C", '"Review A; B, C"')
    quoted = quoted.replace(f"Tracker{delimiter} as at", "Tracker, as at")
    [row] = _both(_write(tmp_path, quoted))
    assert (row.reference, row.text, row.owner) == ("R1", "Review A; B, C", "Chief")


def test_the_delimiter_can_be_given(tmp_path: Path) -> None:
    path = _write(tmp_path, "Ref|Owner\nR1|Chief\n")
    [row] = _both(path, ColumnMapping(delimiter="|"))
    assert row.owner == "Chief"
    with pytest.raises(ConfigurationError, match="one character") as caught:
        ColumnMapping(delimiter=";;")
    assert caught.value.field == "delimiter"


def test_html_entities_are_read_when_the_mapping_says_so(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Ref,Recommendation,Owner\n"
        "R1,The agency&#8217;s &quot;plan&quot; &amp; R&D,Fish &amp; Wildlife\n",
    )
    [row] = _both(path, ColumnMapping(html_entities=True))
    assert row.text == 'The agency\u2019s "plan" & R&D'
    assert row.owner == "Fish & Wildlife"
    [kept] = _both(path)
    assert kept.text == "The agency&#8217;s &quot;plan&quot; &amp; R&D"


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("March 2026", date(2026, 3, 31)),
        ("Mar 2026", date(2026, 3, 31)),
        ("February 2028", date(2028, 2, 29)),
        ("2026-03", date(2026, 3, 31)),
        ("Mar 5, 2024", date(2024, 3, 5)),
        ("March 5, 2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("05/03/2024", date(2024, 3, 5)),
    ],
)
def test_dates_in_the_published_forms(cell: str, day: date) -> None:
    assert ColumnMapping().date_of(cell) == day
    # A month alone is kept as a month: due by its last day, shown as the month.
    due = ColumnMapping().due_of(cell)
    assert due is not None and due.on == day
    month_alone = cell in {"March 2026", "Mar 2026", "February 2028", "2026-03"}
    assert due.precision == ("month" if month_alone else "day")


def test_a_date_that_is_none_of_the_forms_names_its_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, 'Ref,Due\nR1,"Mar 32, 2024"\nR2,Spring 2026\n')
    snapshot = read_sheet(path, snapshot_date=DAY)
    assert [(p.row, p.column, p.rule) for p in snapshot.errors] == [
        (2, "Due", "date"),
        (3, "Due", "date"),
    ]


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("AFD", "area-for-development"),
        ("Area for development", "area-for-development"),
        ("AFI", "area-for-improvement"),
        ("area for improvement", "area-for-improvement"),
        ("Recommendation", "recommendation"),
        ("Priority 1", "priority-1"),
    ],
)
def test_kinds_by_their_labels(cell: str, kind: str) -> None:
    assert ColumnMapping().kind_name(cell) == kind


def test_the_mapping_file_takes_the_new_keys(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(
        'encoding = "cp1252"\ndelimiter = ";"\nhtml_entities = true\nheader_row = 3\n'
        '[reference]\ncolumns = ["Report Number", "Rec"]\njoin = " #"\n'
        '[kinds]\n"Yes" = "priority-recommendation"\n',
        encoding="utf-8",
    )
    mapping = ColumnMapping.load(path)
    assert (mapping.encoding, mapping.delimiter, mapping.html_entities) == ("cp1252", ";", True)
    assert (mapping.header_row, mapping.reference_columns) == (3, ("Report Number", "Rec"))
    assert mapping.reference_join == " #"
    assert mapping.kind_name("yes") == "priority-recommendation"
    path.write_text('[columns]\nreference = "Ref"\n[reference]\ncolumns = ["A", "B"]\n')
    with pytest.raises(ConfigurationError, match="not both") as both:
        ColumnMapping.load(path)
    assert both.value.rule == "column-unique"
    path.write_text("html_entities = 1\n")
    with pytest.raises(ConfigurationError, match="true or false"):
        ColumnMapping.load(path)


def test_nothing_is_recorded_from_a_published_export_with_a_wrong_cell(tmp_path: Path) -> None:
    text = (
        "Areas for improvement: progress summary\n"
        "Ref;Recommendation;Type;Due;Report\n"
        'A1;"Improve &amp; check";AFI;March 2026;PEEL-2025\n'
        "A2;Review the plan;AFI;Spring;PEEL-2025\n"
    )
    path = _write(tmp_path, text, "cp1252")
    mapping = ColumnMapping(
        html_entities=True, body="Westshire Police", inspectorates=("HMICFRS",), scale="rag"
    )
    with r.Tracker("memory://") as tracker:
        tracker.execute(
            r.domain.Configure(
                policy=configuration.preset("hmicfrs"),
                effective_on=date(2016, 1, 1),
                by="Clerk",
                reason="the HMICFRS preset",
            )
        )
        plan = plan_import(tracker, read_sheet(path, mapping, snapshot_date=DAY), by="Clerk")
        [problem] = plan.errors
        assert (problem.row, problem.column, problem.rule) == (4, "Due", "date")
        assert tracker.register(as_at=DAY).rows == ()
        fixed = _write(tmp_path, text.replace("Spring", "Mar 2026"), "cp1252")
        plan = plan_import(tracker, read_sheet(fixed, mapping, snapshot_date=DAY), by="Clerk")
        assert not plan.errors, plan.errors
        r.spreadsheets.apply_import(tracker, plan)
        rows = {row.reference: row for row in tracker.register(as_at=DAY).rows}
        assert rows["A1"].text == "Improve & check"
        assert rows["A1"].kind == "area-for-improvement"
        assert rows["A2"].due_on == date(2026, 3, 31)


def test_a_workbook_with_a_preamble_is_read_by_its_preset(tmp_path: Path) -> None:
    headers = ("Ref", "Report", "Type", "Recommendation / AFI", "RAG", "Status", "Target date")
    rows = [
        {
            "Ref": "R1",
            "Report": "PEEL-2025",
            "Type": "Recommendation",
            "Recommendation / AFI": "Supervise risk assessments",
            "RAG": "Amber",
            "Status": "Open",
            "Target date": "March 2026",
        },
        {
            "Ref": "AFI1",
            "Report": "PEEL-2025",
            "Type": "AFI",
            "Recommendation / AFI": "Answer calls sooner",
            "RAG": "Red",
            "Status": "Open",
            "Target date": date(2026, 6, 30),
        },
    ]
    path = write_xlsx(
        tmp_path / "summary.xlsx",
        rows,
        headers,
        above=[["Westshire Police: progress summary"], ["As at", date(2026, 3, 31)], []],
    )
    read = _both(path, ColumnMapping.preset("hmicfrs"))
    assert [(row.row, row.reference, row.kind, row.grade, row.due_on) for row in read] == [
        (5, "R1", "recommendation", "amber", date(2026, 3, 31)),
        (6, "AFI1", "area-for-improvement", "red", date(2026, 6, 30)),
    ]


def test_a_month_alone_is_recorded_as_a_month_and_a_day_given_later_is_a_change(
    tmp_path: Path,
) -> None:
    text = "Ref;Recommendation;Type;Due;Report\nA1;Check;AFI;March 2026;PEEL-2025\n"
    mapping = ColumnMapping(body="Westshire Police", inspectorates=("HMICFRS",), scale="rag")
    with r.Tracker("memory://") as tracker:
        tracker.execute(
            r.domain.Configure(
                policy=configuration.preset("hmicfrs"),
                effective_on=date(2016, 1, 1),
                by="Clerk",
                reason="the HMICFRS preset",
            )
        )
        day = date(2026, 3, 20)
        plan = plan_import(
            tracker, read_sheet(_write(tmp_path, text), mapping, snapshot_date=day), by="Clerk"
        )
        assert "due March 2026" in " ".join(plan.describe())
        r.spreadsheets.apply_import(tracker, plan)
        (row,) = tracker.register(as_at=day).rows
        assert (row.due_on, row.due_precision, row.due_shown) == (DAY, "month", "March 2026")
        again = _write(tmp_path, text.replace("March 2026", "31/03/2026"), name="again.csv")
        plan = plan_import(tracker, read_sheet(again, mapping, snapshot_date=DAY), by="Clerk")
        assert [line.partition(", effective")[0] for line in plan.describe()] == [
            "row 2: A1 due date March 2026 -> 2026-03-31"
        ]
        r.spreadsheets.apply_import(tracker, plan)
        (row,) = tracker.register(as_at=DAY).rows
        assert (row.due_on, row.due_precision) == (DAY, "day")
