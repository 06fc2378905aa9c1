"""The exports, read back with the reader each format has: csv, json, openpyxl, html.parser;
and the terminal's table, through the real command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import recommendations as r
from recommendations import demo, exports, views

from .helpers import ok, run, table_rows

COMMITTEE = date(2017, 3, 30)
NASTY = (
    '<script>alert("x")</script> | *bold* & =SUM(A1) \\ `code` [red]loud[/red] '
    "[struck out by entry 3] [link=https://example.org]here[/link]"
)
OWNER = "Head of [red]Crime[/red]"


@pytest.fixture(scope="module")
def tracker() -> Iterator[r.Tracker]:
    with r.Tracker("memory://") as built:
        demo.build(built)
        yield built


@pytest.fixture(scope="module")
def register(tracker: r.Tracker) -> views.Register:
    return tracker.register(as_at=COMMITTEE)


@pytest.fixture(scope="module")
def trail(tracker: r.Tracker) -> views.Trail:
    return tracker.trail()


@pytest.fixture(scope="module")
def nasty() -> Iterator[r.Tracker]:
    """A store whose free text holds markup, table syntax and a spreadsheet formula."""
    with r.Tracker("memory://") as tracker:
        on = date(2017, 3, 2)
        meta = {"effective_on": on, "by": "Kath <Holder>", "reason": NASTY}
        tracker.execute(
            r.PublishReport(
                reference="R|1",
                details=r.ReportDetails(
                    title="Report | one",
                    body="Body & co",
                    inspectorates=("HMIC",),
                    published_on=on,
                    scale=tracker.policy.scale("peel"),
                ),
                **meta,  # type: ignore[arg-type]
            )
        )
        tracker.execute(
            r.Raise(
                reference="=1+1",
                report="R|1",
                text=NASTY,
                grade="amber",
                owner=OWNER,
                owner_name="A <b>Person</b>",
                due_on=date(2017, 6, 30),
                **meta,  # type: ignore[arg-type]
            )
        )
        yield tracker


def _csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class _Table(HTMLParser):
    """The caption, headings, cells and every tag of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.caption = ""
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("caption", "th", "td"):
            self._in = tag
            if tag == "td":
                self.rows[-1].append("")
            if tag == "th":
                self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.caption += data
        elif self._in == "th":
            self.headings[-1] += data
        elif self._in == "td":
            self.rows[-1][-1] += data


def _html(data: bytes) -> _Table:
    parser = _Table()
    parser.feed(data.decode("utf-8"))
    parser.rows = [row for row in parser.rows if row]
    return parser


def _workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheet(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _basis(book: Any) -> dict[str, Any]:
    return dict(book["Basis"].iter_rows(min_row=2, values_only=True))


# --- the register --------------------------------------------------------------------------


def test_register_csv_has_a_header_row_every_row_and_its_basis(register: views.Register) -> None:
    rows = _csv(exports.render_register(register, "csv"))
    assert len(rows) == len(register) == 66
    assert list(rows[0])[:6] == ["reference", "report", "grade", "status", "owner", "due_on"]
    by_reference = {row["reference"]: row for row in rows}
    peel = by_reference["PEEL-EFF-2016-1"]
    assert (peel["grade"], peel["status"], peel["due_on"], peel["overdue"]) == (
        "amber",
        "open",
        "2017-03-02",
        "true",
    )
    assert peel["owner"] == "Head of Public Protection"
    assert by_reference["CRIME-2014-2"]["status"] == "discharged"
    assert {row["basis_as_at"] for row in rows} == {"2017-03-30"}
    assert {row["basis_position"] for row in rows} == {str(register.basis.position)}
    assert {row["basis_known_at"] for row in rows} == {register.basis.known_at.isoformat()}
    assert {row["audience"] for row in rows} == {"body"}
    grades = [row["grade"] for row in rows if row["report"] == "CORE-BUSINESS-2014"]
    assert (grades.count("green"), grades.count("amber")) == (33, 6)


def test_register_json_is_a_list_of_rows_with_iso_dates(register: views.Register) -> None:
    rows = json.loads(exports.render_register(register, "json"))
    assert isinstance(rows, list)
    assert len(rows) == 66
    for key in ("reference", "report", "grade", "status", "owner", "due_on", "text", "overdue"):
        assert all(key in row for row in rows), key
    peel = next(row for row in rows if row["reference"] == "PEEL-EFF-2016-2")
    assert peel["due_on"] == "2017-03-02"
    assert peel["raised_on"] == "2017-03-02"
    assert peel["overdue"] is True
    assert peel["inspectorates"] == ["HMIC"]
    assert peel["basis_as_at"] == "2017-03-30"
    assert datetime.fromisoformat(peel["basis_known_at"]) == register.basis.known_at


def test_register_xlsx_is_a_workbook_with_dates_and_a_basis_sheet(
    register: views.Register,
) -> None:
    book = _workbook(exports.render_register(register, "xlsx"))
    assert book.sheetnames == ["Register", "Basis"]
    rows = _sheet(book, "Register")
    assert len(rows) == 66
    peel = next(row for row in rows if row["reference"] == "PEEL-EFF-2016-1")
    assert peel["due_on"] == datetime(2017, 3, 2)  # an Excel date, read back as a datetime
    assert book["Register"]["F1"].value == "due_on"
    assert book["Register"].freeze_panes == "A2"
    assert peel["overdue"] is True
    assert peel["deferrals"] == 0
    basis = _basis(book)
    assert basis["As at (what was true on that day)"] == datetime(2017, 3, 30)
    assert basis["Up to log position"] == register.basis.position
    known = register.basis.known_at.astimezone(UTC).replace(tzinfo=None)
    assert abs(basis["Known at, UTC (what the log held then)"] - known).total_seconds() < 0.001
    assert basis["Audience"] == "body"
    assert basis["Rows"] == 66


def test_register_markdown_states_the_basis_and_tabulates_the_rows(
    register: views.Register,
) -> None:
    text = exports.render_register(register, "md").decode("utf-8")
    assert text.startswith("# Register\n")
    assert "As at 2017-03-30, as known at " in text
    assert f"up to log position {register.basis.position}." in text
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 66
    assert table[0].startswith("| Reference | Report | Recommendation |")
    assert any(line.startswith("| PEEL-EFF-2016-1 |") and "| yes |" in line for line in table)


def test_register_html_is_a_page_with_a_captioned_table(register: views.Register) -> None:
    page = _html(exports.render_register(register, "html"))
    assert page.tags[:3] == ["html", "head", "meta"]
    assert "As at 2017-03-30" in page.caption
    assert "Body view: nothing withheld" in page.caption
    assert page.headings[0] == "Reference"
    assert len(page.rows) == 66
    overdue = [row[0] for row in page.rows if row[-1] == "yes"]
    assert overdue == ["PEEL-EFF-2016-1", "PEEL-EFF-2016-2"]


def test_a_public_register_has_no_owner_names_column(tracker: r.Tracker) -> None:
    public = tracker.register_for(views.Audience.PUBLIC, as_at=COMMITTEE)
    rows = _csv(exports.render_register(public, "csv"))
    assert "owner_name" not in rows[0]
    assert {row["audience"] for row in rows} == {"public"}
    assert "owner_name" in _csv(exports.render_register(tracker.register(), "csv"))[0]
    assert "Public view" in exports.render_register(public, "md").decode()


# --- trails --------------------------------------------------------------------------------


def test_trail_csv_lists_every_entry_with_its_changes(trail: views.Trail) -> None:
    rows = _csv(exports.render_trail(trail, "csv"))
    assert len(rows) == len(trail) == 169
    assert [int(row["position"]) for row in rows] == sorted(e.position for e in trail)
    mistaken = [row for row in rows if row["reference"] == "CB-21" and row["version"] == "2"]
    assert mistaken[0]["event"] == "Regraded"
    assert mistaken[0]["changes"] == "grade: amber → green"
    assert mistaken[0]["struck_out"] == "true"
    strike = next(row for row in rows if row["reference"] == "CB-21" and row["corrects"] == "2")
    assert strike["strikes"] == "true"
    assert "entered against CB-21 by mistake" in strike["what_was_wrong"]
    assert {row["basis_position"] for row in rows} == {str(trail.basis.position)}


def test_history_json_gives_changes_and_details_as_data(tracker: r.Tracker) -> None:
    history = tracker.history("CRIME-2014-2")
    entries = json.loads(exports.render_trail(history, "json"))
    assert [e["event"] for e in entries] == [
        "Raised",
        "Corrected",
        "Regraded",
        "ImplementationClaimed",
        "Discharged",
    ]
    correction = entries[1]
    assert correction["corrects"] == 1
    assert correction["changes"] == [
        {"field": "due_on", "before": "2015-03-01", "after": "2015-03-31"}
    ]
    assert entries[0]["corrected_by"] == [2]
    assert entries[4]["details"]["outcome"] == "implemented"
    assert entries[4]["details"]["accepted_by"] == "HMIC"
    assert all(e["recorded_at"].endswith("+00:00") for e in entries)


def test_trail_xlsx_markdown_and_html_hold_the_same_entries(tracker: r.Tracker) -> None:
    history = tracker.history("CB-21")
    book = _workbook(exports.render_trail(history, "xlsx", title="History of CB-21"))
    assert book.sheetnames == ["Trail", "Basis"]
    rows = _sheet(book, "Trail")
    assert [row["version"] for row in rows] == [1, 2, 3, 4]
    assert isinstance(rows[0]["recorded_at"], datetime)
    assert rows[0]["effective_on"] == datetime(2014, 9, 25)
    assert _basis(book)["View"] == "History of CB-21"

    text = exports.render_trail(history, "md", title="History of CB-21").decode()
    assert text.startswith("# History of CB-21\n")
    assert "As known at " in text
    assert "\\[struck out by entry 3\\]" in text
    page = _html(exports.render_trail(history, "html"))
    assert len(page.rows) == 4
    assert "[struck out by entry 3]" in page.rows[1][-1]
    assert "strikes it out" in page.rows[2][-1]


def test_a_public_trail_names_no_actor(tracker: r.Tracker) -> None:
    public = tracker.trail(audience=views.Audience.PUBLIC)
    entries = json.loads(exports.render_trail(public, "json"))
    assert entries
    assert all("actor" not in entry for entry in entries)
    assert not any(e["reference"] == "INSP-CT-2016" for e in entries)


# --- everything together, and what could go wrong -------------------------------------------


def test_the_bundle_holds_the_register_and_the_trail_on_one_basis(
    register: views.Register, trail: views.Trail
) -> None:
    document = json.loads(exports.render_bundle(register, trail, "json"))
    assert document["basis"]["as_at"] == "2017-03-30"
    assert len(document["register"]) == 66
    assert len(document["trail"]) == 169
    book = _workbook(exports.render_bundle(register, trail, "xlsx"))
    assert book.sheetnames == ["Register", "Trail", "Basis"]
    assert len(_sheet(book, "Trail")) == 169
    with pytest.raises(r.ConfigurationError, match="rule 'export-format'"):
        exports.render_bundle(register, trail, "csv")


def test_an_unknown_format_is_refused_naming_the_rule(register: views.Register) -> None:
    with pytest.raises(r.ConfigurationError, match="field 'format': rule 'export-format'"):
        exports.render_register(register, "docx")


def test_free_text_stays_text_in_every_format(nasty: r.Tracker, tmp_path: Path) -> None:
    """Markup, table syntax and formulas in free text show as typed in every format: the
    files here, and the table the command prints (what ``rich`` would read as markup shows
    as typed, on standard output and in a file written with -o)."""
    register = nasty.register(as_at=date(2017, 3, 30))
    page = _html(exports.render_register(register, "html"))
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert page.rows[0][0] == "=1+1"
    assert NASTY in page.rows[0]

    markdown = exports.render_register(register, "md").decode()
    row = next(line for line in markdown.splitlines() if "1+1" in line)
    assert row.count(" | ") == len(exports.summary_columns(register)) - 1  # pipes escaped
    assert "\\<script\\>" in row
    assert "\\*bold\\*" in row

    [csv_row] = _csv(exports.render_register(register, "csv"))
    assert csv_row["reference"] == "'=1+1"  # a spreadsheet shows it, and runs nothing
    assert csv_row["owner"] == OWNER
    assert csv_row["text"] == NASTY
    assert csv_row["owner_name"] == "A <b>Person</b>"

    [json_row] = json.loads(exports.render_register(register, "json"))
    assert (json_row["reference"], json_row["text"]) == ("=1+1", NASTY)

    book = _workbook(exports.render_register(register, "xlsx"))
    cell = book["Register"]["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")

    trail = nasty.trail()
    entries = _html(exports.render_trail(trail, "html"))
    assert "script" not in entries.tags
    assert entries.rows[0][6] == "Kath <Holder>"
    assert entries.rows[0][7] == NASTY

    # the terminal's table, through the real command
    store = f"sqlite:///{tmp_path / 'nasty.db'}"
    with r.Tracker(store) as tracker:
        tracker.copy_from(nasty)
    base = ("--store", store)
    shown = table_rows(ok(run(*base, "register", "--as-at", "2017-03-30")))
    # the report's title beside its reference, the policy's labels in place of codes
    assert shown == [
        ["=1+1", "R|1", "Report | one", "Amber", "Open", "", OWNER, "2017-06-30", "no"]
    ]
    ok(run(*base, "register", "--as-at", "2017-03-30", "-o", str(tmp_path / "register.txt")))
    assert table_rows((tmp_path / "register.txt").read_text()) == shown

    def reasons(text: str) -> list[str]:
        """The "Reason" column, without the spaces where a cell wrapped (or folded)."""
        return ["".join(row[7].split()) for row in table_rows(text)]

    typed = "".join(NASTY.split())
    history = ok(run(*base, "history", "=1+1"))
    assert reasons(history) == [typed]
    assert OWNER in table_rows(history)[0][-1]  # what it was raised with
    said = ok(run(*base, "trail", "--format", "table", "-o", str(tmp_path / "trail.txt")))
    assert said == ""
    assert reasons((tmp_path / "trail.txt").read_text()) == [typed] * 2
    assert "Kath <Holder>" in table_rows(ok(run(*base, "trail")))[0][6]


def test_records_and_the_basis_sentence_are_plain(register: views.Register) -> None:
    records = exports.register_records(register)
    assert records[0]["reference"] == "CB-01"
    sentence = exports.basis_sentence(register)
    assert sentence.startswith("As at 2017-03-30, as known at ")
    assert sentence.endswith("owners shown by name and role.")
    assert exports.plain({"on": date(2017, 3, 30), "items": ("a",)}) == {
        "on": "2017-03-30",
        "items": ["a"],
    }
