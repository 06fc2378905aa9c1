"""The column mapping: default headers, cell values, and the TOML mapping file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recommendations import ConfigurationError, Outcome, Status
from recommendations.spreadsheets import ColumnMapping


@pytest.mark.parametrize(
    ("headers", "field", "expected"),
    [
        (["Ref", "Recommendation"], "reference", 0),
        (["REFERENCE", "Recommendation"], "reference", 0),
        (["Recommendation", "Rec. No."], "reference", 1),
        (["Rec no", "RAG"], "grade", 1),
        (["Rec no", "Grade"], "grade", 1),
        (["Rec no", "Lead"], "owner", 1),
        (["Rec no", " owner "], "owner", 1),
        (["Rec no", "Due"], "due_on", 1),
        (["Rec no", "Due date"], "due_on", 1),
        (["Rec no", "Target date"], "due_on", 1),
        (["Rec no", "Latest update"], "progress", 1),
    ],
)
def test_default_headers_match_whatever_their_case_and_punctuation(
    headers: list[str], field: str, expected: int
) -> None:
    assert ColumnMapping().locate(headers)[field] == expected


def test_a_status_column_holds_the_status_and_a_rag_column_the_grade() -> None:
    found = ColumnMapping().locate(["Ref", "RAG", "Status"])
    assert (found["grade"], found["status"]) == (1, 2)


def test_a_lone_status_column_holds_both_grade_and_status() -> None:
    found = ColumnMapping().locate(["Ref", "Status"])
    assert found["grade"] == found["status"] == 1


def test_a_sheet_without_a_reference_column_is_refused_naming_what_was_looked_for() -> None:
    with pytest.raises(ConfigurationError, match="no column holds the reference") as caught:
        ColumnMapping().locate(["Recommendation", "RAG"])
    assert caught.value.rule == "column-present"
    assert "'Rec no'" in str(caught.value)
    assert "'Recommendation', 'RAG'" in str(caught.value)


def test_a_column_the_mapping_names_must_be_there() -> None:
    mapping = ColumnMapping(due_on="Target")
    with pytest.raises(ConfigurationError, match="'due_on' in column 'Target'") as caught:
        mapping.locate(["Ref", "Due date"])
    assert (caught.value.field, caught.value.rule) == ("due_on", "column-present")


def test_a_column_named_for_two_fields_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="both 'owner' and 'owner_name'"):
        ColumnMapping(owner="Lead", owner_name="Lead").locate(["Ref", "Lead"])


def test_a_field_can_be_left_out() -> None:
    assert "progress" not in ColumnMapping(progress=None).locate(["Ref", "Update"])


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("R", "red"),
        ("red", "red"),
        ("AMBER", "amber"),
        (" g ", "green"),
        ("Requires improvement", "requires-improvement"),
    ],
)
def test_grade_values(cell: str, code: str) -> None:
    assert ColumnMapping().grade_code(cell) == code


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Open", (Status.OPEN, None)),
        ("in progress", (Status.OPEN, None)),
        ("Awaiting sign-off", (Status.CLAIMED, None)),
        ("Closed", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("COMPLETE", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("Blue", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("No longer relevant", (Status.DISCHARGED, Outcome.NO_LONGER_RELEVANT)),
        ("Closed by HMIC", (Status.DISCHARGED, Outcome.CLOSED_BY_INSPECTORATE)),
        ("Red", None),
    ],
)
def test_status_values(cell: str, status: object) -> None:
    assert ColumnMapping().status_of(cell) == status


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2017-03-30", date(2017, 3, 30)),
        ("30/03/2017", date(2017, 3, 30)),
        ("30/03/17", date(2017, 3, 30)),
        ("30 March 2017", date(2017, 3, 30)),
        ("TBC", None),
    ],
)
def test_dates_written_as_text(cell: str, day: date | None) -> None:
    assert ColumnMapping().date_of(cell) == day


def test_a_date_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="31/02/2017"):
        ColumnMapping().date_of("31/02/2017")


def test_date_formats_replace_the_defaults_so_month_first_is_never_read_day_first() -> None:
    mapping = ColumnMapping(date_formats=["%m/%d/%Y"])
    assert mapping.date_of("03/04/2017") == date(2017, 3, 4)
    with pytest.raises(ValueError, match="30/03/2017"):
        mapping.date_of("30/03/2017")


FULL_TOML = """\
sheet = "Tracker"
header_row = 3
scale = "four-point"
date_formats = ["%d.%m.%Y"]

[columns]
reference = "Rec no"
grade = "Rating"
due_on = ["Target", "Deadline"]
kind = false

[grades]
"Not yet" = "not-started"

[statuses]
"Signed off" = "implemented"
"Dropped" = "no-longer-relevant"

[reports]
default = "PEEL-2016"
body = "West Midlands Police"
inspectorates = ["HMIC", "CQC"]

[discharge]
accepted_by = "Joint Audit Committee"
acceptor_role = "inspectorate"
"""


def test_a_mapping_file_gives_every_setting(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(FULL_TOML, encoding="utf-8")
    mapping = ColumnMapping.load(path)
    assert (mapping.sheet, mapping.header_row, mapping.scale) == ("Tracker", 3, "four-point")
    assert mapping.reference == "Rec no"
    assert mapping.due_on == ("Target", "Deadline")
    assert mapping.kind is None
    assert mapping.owner == ColumnMapping().owner  # not named: the defaults
    assert mapping.grade_code("not yet") == "not-started"
    assert mapping.status_of("signed off") == (Status.DISCHARGED, Outcome.IMPLEMENTED)
    assert mapping.status_of("Dropped") == (Status.DISCHARGED, Outcome.NO_LONGER_RELEVANT)
    assert mapping.status_of("Closed") == (Status.DISCHARGED, Outcome.IMPLEMENTED)
    assert mapping.date_of("30.03.2017") == date(2017, 3, 30)
    assert (mapping.report_reference, mapping.body) == ("PEEL-2016", "West Midlands Police")
    assert mapping.inspectorates == ("HMIC", "CQC")
    assert (mapping.accepted_by, mapping.acceptor_role) == (
        "Joint Audit Committee",
        "inspectorate",
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('shet = "Tracker"\n', "shet"),
        ('[columns]\nrag = "RAG"\n', "columns.rag"),
        ('[reports]\ntitle = "PEEL"\n', "reports.title"),
        ('[discharge]\noutcome = "implemented"\n', "discharge.outcome"),
    ],
)
def test_an_unknown_key_in_the_mapping_file_is_named(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=f"unknown key '{key}'") as caught:
        ColumnMapping.load(path)
    assert (caught.value.field, caught.value.rule) == (key, "known-key")
    assert "mapping.toml" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field", "rule"),
    [
        ('[statuses]\nDone = "finished"\n', "statuses.Done", "status-meaning"),
        ("header_row = 0\n", "header_row", "type"),
        ('header_row = "2"\n', "header_row", "type"),
        ("[columns]\nreference = 7\n", "columns.reference", "type"),
        ("date_formats = []\n", "date_formats", "type"),
        ('[grades]\nB = ""\n', "grades.B", "type"),
        ("columns = 1\n", "columns", "type"),
        ("[columns\n", "mapping", "toml"),
    ],
)
def test_a_wrong_value_in_the_mapping_file_is_named(
    tmp_path: Path, text: str, field: str, rule: str
) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        ColumnMapping.load(path)
    assert (caught.value.field, caught.value.rule) == (field, rule)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date_formats = 5\n", "date_formats must be a list of one or more date formats, not 5"),
        (
            "[columns]\ndue_on = []\n",
            "columns.due_on must be a list of one or more headers, not []",
        ),
        (
            '[reports]\ninspectorates = "HMIC"\n',
            "reports.inspectorates must be a list of one or more inspectorates, not 'HMIC'",
        ),
        ('date_formats = ["%d/%m/%Y", " "]\n', "date_formats must be a non-blank text, not ' '"),
    ],
)
def test_a_wrong_value_is_said_plainly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        ColumnMapping.load(path)
    assert str(caught.value).endswith(f"mapping.toml: {message}")


@pytest.mark.parametrize(
    ("cell", "closure"),
    [
        ("Blue", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("B", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("Complete", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("completed", (Status.DISCHARGED, Outcome.IMPLEMENTED)),
        ("Closed by HMIC", (Status.DISCHARGED, Outcome.CLOSED_BY_INSPECTORATE)),
        ("Amber", None),
        ("Awaiting sign-off", None),  # not closed: read as a grade, and refused as one
        ("Open", None),  # a grade on GAO's scale
    ],
)
def test_what_a_grade_cell_says_of_closure(cell: str, closure: object) -> None:
    assert ColumnMapping().closure_of(cell) == closure


def test_a_grade_alias_or_a_status_alias_in_the_mapping_decides() -> None:
    mapping = ColumnMapping(grades={"B": "green"}, statuses={"Signed off": "implemented"})
    assert mapping.closure_of("b") is None
    assert mapping.grade_code("b") == "green"
    assert mapping.closure_of("Signed off") == (Status.DISCHARGED, Outcome.IMPLEMENTED)


def test_a_missing_mapping_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the mapping file") as caught:
        ColumnMapping.load(tmp_path / "absent.toml")
    assert caught.value.rule == "file-readable"


def test_a_mapping_built_in_python_checks_its_values() -> None:
    with pytest.raises(ConfigurationError, match="not one of open, claimed"):
        ColumnMapping(statuses={"Done": "finished"})
    with pytest.raises(ConfigurationError, match="the column of 'grade'"):
        ColumnMapping(grade=("",))
