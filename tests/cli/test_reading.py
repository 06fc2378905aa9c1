"""Reading from the command line: the register and trails in every format (read back and
checked), the committee paper (the PDF read back with pypdf), exports, the demonstration,
the adapters and rebuilding the views."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

import recommendations as r
from recommendations import views
from recommendations.paper import CommitteePaper
from recommendations.stores import InProcessTables

from .helpers import clean_env, entry, invoke, ok, on_a_terminal, run

PEEL = ("PEEL-EFF-2016-1", "PEEL-EFF-2016-2")


# --- the register -------------------------------------------------------------------------


def test_register_table_shows_rows_and_the_basis(shared_demo: str) -> None:
    out = ok(run("--store", shared_demo, "register", "--as-at", "2017-03-30", script=True))
    assert "Register" in out
    for column in ("Reference", "Report", "Grade", "Status", "Owner", "Due", "Overdue"):
        assert column in out
    assert all(reference in out for reference in (*PEEL, "CB-01", "UC-23", "CRIME-2014-2"))
    assert "As at 2017-03-30, as known at " in out
    assert "up to log position 169." in out


def test_register_json_csv_md_html_and_xlsx_hold_the_same_rows(
    shared_demo: str, tmp_path: Path
) -> None:
    base = ("--store", shared_demo, "register", "--as-at", "2017-03-30", "--report")
    rows = json.loads(ok(invoke(*base, "PEEL-EFFECTIVENESS-2016", "--format", "json")))
    assert [row["reference"] for row in rows] == list(PEEL)
    assert {(row["grade"], row["status"], row["due_on"]) for row in rows} == {
        ("amber", "open", "2017-03-02")
    }
    assert {row["owner"] for row in rows} == {"Head of Public Protection"}

    text = ok(invoke(*base, "CORE-BUSINESS-2014", "--format", "csv")).lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 39
    assert sum(row["grade"] == "green" for row in table) == 33
    assert {row["basis_as_at"] for row in table} == {"2017-03-30"}

    markdown = ok(invoke(*base, "UNDERCOVER-2014", "--format", "md"))
    assert markdown.startswith("# Register\n")
    assert "As at 2017-03-30" in markdown
    assert sum(line.startswith("| UC-") for line in markdown.splitlines()) == 23

    html = ok(invoke(*base, "UNDERCOVER-2014", "--format", "html", "--grade", "amber"))
    assert "<caption>As at 2017-03-30" in html
    assert html.count("<tr><td>") == 1
    assert "<td>UC-21</td>" in html

    workbook = tmp_path / "register.xlsx"
    said = invoke(*base, "CRIME-2014", "--format", "xlsx", "--output", str(workbook))
    assert said.exit_code == 0
    assert said.stdout == ""
    assert f"Wrote the register (2 rows) to {workbook}" in said.stderr
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Register", "Basis"]
    sheet = list(book["Register"].iter_rows(values_only=True))
    assert sheet[0][:5] == ("reference", "report", "report_title", "grade", "grade_label")
    assert [row[0] for row in sheet[1:]] == ["CRIME-2014-1", "CRIME-2014-2"]
    assert sheet[1][sheet[0].index("due_on")] == datetime(2015, 3, 31)

    # xlsx to a pipe is fine (the shell chose where it goes)
    piped = run(*base, "CRIME-2014", "--format", "xlsx")
    assert piped.returncode == 0
    assert openpyxl.load_workbook(io.BytesIO(piped.stdout)).sheetnames == ["Register", "Basis"]


def test_register_filters_and_the_basis_can_be_asked_again(shared_demo: str) -> None:
    def refs(*args: str) -> list[str]:
        found = json.loads(
            ok(invoke("--store", shared_demo, "register", "--format", "json", *args))
        )
        return [row["reference"] for row in found]

    assert refs("--as-at", "2017-03-30", "--overdue") == list(PEEL)
    assert refs("--as-at", "2017-03-30", "--status", "discharged") == [
        "CRIME-2014-1",
        "CRIME-2014-2",
    ]
    owner = "WMP2020 Programme Director"
    with r.Tracker(shared_demo) as tracker:
        theirs = tracker.register(as_at=date(2017, 3, 30), where=views.RegisterFilter(owner=owner))
    assert refs("--as-at", "2017-03-30", "--owner", owner) == [row.reference for row in theirs]
    assert len(theirs) > 1
    assert refs("--as-at", "2014-11-30", "--grade", "red") != []
    assert refs("--as-at", "2017-03-30", "--grade", "red") == []
    assert refs("--position", "1") == []  # the first entry is a report
    assert refs("--known-at", "2000-01-01") == []  # nothing was recorded by then
    public = json.loads(
        ok(invoke("--store", shared_demo, "register", "--format", "json", "--audience", "public"))
    )
    assert all("owner_name" not in row for row in public)
    assert {row["audience"] for row in public} == {"public"}


def test_register_on_each_engine(demo_store: str, tmp_path: Path) -> None:
    rows = json.loads(
        ok(invoke("--store", demo_store, "register", "--as-at", "2016-12-31", "--format", "json"))
    )
    assert len(rows) == 64
    core = [row for row in rows if row["report"] == "CORE-BUSINESS-2014"]
    assert sum(row["grade"] == "amber" for row in core) > 6  # more amber then than now
    out = ok(invoke("--store", demo_store, "history", "CB-21", "--format", "md"))
    assert "# History of CB-21" in out
    assert "strikes it out" in out


# --- trails --------------------------------------------------------------------------------


def test_history_in_every_format(shared_demo: str, tmp_path: Path) -> None:
    base = ("--store", shared_demo, "history", "CRIME-2014-2")
    table = ok(invoke(*base))
    for expected in ("History of CRIME-2014-2", "Raised", "Corrected", "Discharged", "Entry"):
        assert expected in table
    assert "corrects entry 1" in table

    entries = json.loads(ok(invoke(*base, "--format", "json")))
    assert [e["version"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1]["changes"] == [
        {"field": "due_on", "before": "2015-03-01", "after": "2015-03-31"}
    ]

    rows = list(csv.DictReader(io.StringIO(ok(invoke(*base, "--format", "csv")).lstrip("\ufeff"))))
    assert [row["event"] for row in rows][-1] == "Discharged"
    assert rows[-1]["details"].startswith("outcome: implemented")

    md = ok(invoke(*base, "--format", "md"))
    assert md.count("| CRIME-2014-2 |") == 5
    html = ok(invoke(*base, "--format", "html"))
    assert html.count("<tr><td>") == 5
    assert "<caption>As known at " in html

    out = tmp_path / "history.xlsx"
    ok(invoke(*base, "--format", "xlsx", "-o", str(out)))
    sheet = list(openpyxl.load_workbook(out)["Trail"].iter_rows(values_only=True))
    assert [row[sheet[0].index("event")] for row in sheet[1:]] == [e["event"] for e in entries]

    missing = run("--store", shared_demo, "history", "NO-SUCH")
    assert missing.returncode == 1
    assert missing.stderr.decode().startswith("error: recommendation 'NO-SUCH': rule 'exists'")


def test_the_public_trail_leaves_out_the_sensitive_inspection(demo_store: str) -> None:
    trail = json.loads(
        ok(invoke("--store", demo_store, "trail", "--format", "json", "--audience", "public"))
    )
    assert trail
    assert not any(entry["reference"] == "INSP-CT-2016" for entry in trail)
    assert all("actor" not in entry for entry in trail)


def test_trail_of_the_whole_log(shared_demo: str) -> None:
    entries = json.loads(ok(run("--store", shared_demo, "trail", "--format", "json")))
    assert len(entries) == 169
    assert {e["subject"] for e in entries} == {"recommendation", "report", "inspection"}
    upto = json.loads(
        ok(invoke("--store", shared_demo, "trail", "--format", "json", "--position", "10"))
    )
    assert [e["position"] for e in upto] == list(range(1, 11))
    table = ok(invoke("--store", shared_demo, "trail", "--position", "3"))
    assert "Audit trail" in table
    assert "CORE-BUSINESS-2014" in table


# --- the committee paper ----------------------------------------------------------------------


def test_committee_update_as_markdown_html_json_and_pdf(shared_demo: str, tmp_path: Path) -> None:
    base = ("--store", shared_demo, "committee-update", "--since", "2016-12-08")
    base = (*base, "--as-at", "2017-03-30")
    markdown = ok(invoke(*base))
    assert "Inspections since the previous committee" in markdown
    assert "PEEL Effectiveness 2016" in markdown
    assert all(reference in markdown for reference in PEEL)

    html = ok(invoke(*base, "--format", "html"))
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Counter Terrorism" in html
    public = ok(invoke(*base, "--format", "html", "--audience", "public"))
    assert "Counter Terrorism" not in public

    figures = json.loads(ok(invoke(*base, "--format", "json")))
    assert figures["format"] == "recommendations.committee-paper"

    pdf, chart = tmp_path / "paper.pdf", tmp_path / "charts" / "chart.svg"
    chart.parent.mkdir()
    said = run(*base, "--output", str(pdf), "--chart", str(chart))  # pdf: from the name
    assert said.returncode == 0, said.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "PEEL Effectiveness 2016" in text
    assert "PEEL-EFF-2016-1" in text
    assert "Core Business" in text
    svg = ET.parse(chart).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    labels = {"".join(t.itertext()).strip() for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Red", "Amber", "Green", "Discharged", "8 Dec 2016", "30 Mar 2017"} <= labels

    linked = tmp_path / "paper.md"
    ok(invoke(*base, "-o", str(linked), "--chart", str(tmp_path / "chart.png")))
    assert "](chart.png)" in linked.read_text()
    with r.Tracker(shared_demo) as tracker:
        series = CommitteePaper.of(tracker, since=date(2016, 12, 8), as_at=date(2017, 3, 30))
    with Image.open(tmp_path / "chart.png") as image:
        assert image.format == "PNG"
        assert image.width > image.height > 100
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    grades = series.series.grades
    had = {g.code for i, g in enumerate(grades) if any(p.by_grade[i] for p in series.series.points)}
    assert {g.code for g in grades if _rgb(g.colour) in colours} == had == {"red", "amber", "green"}

    bad = invoke(*base, "--chart", str(tmp_path / "chart.gif"))
    assert bad.exit_code == 2
    assert "ends in .svg or .png" in bad.stderr


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _in_a_terminal(*args: str) -> tuple[int, str]:
    """Run the command with its standard output on a pseudo-terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "recommendations", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    os.close(follower)
    _out, err = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, err.decode()


def test_progress_bars_show_on_a_terminal(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    code, shown = on_a_terminal("--store", store, "demo", stream="stderr")
    assert code == 0, shown
    assert "Recording the demonstration" in shown
    assert "169/169" in shown
    code, shown = on_a_terminal(
        "--store", store, "export", "-o", str(tmp_path / "x.json"), stream="stderr"
    )
    assert code == 0, shown
    assert "3/3" in shown
    code, shown = on_a_terminal("--store", store, "rebuild", stream="stderr")
    assert code == 0, shown
    assert "Rebuilding the views" in shown


def test_binary_output_is_refused_on_a_terminal(shared_demo: str) -> None:
    code, err = _in_a_terminal(
        "--store", shared_demo, "committee-update", "--since", "2016-12-08", "--format", "pdf"
    )
    assert code == 2
    assert "binary file: give --output FILE" in err
    code, err = _in_a_terminal("--store", shared_demo, "register", "--format", "xlsx")
    assert code == 2
    assert "binary file" in err


# --- exports -------------------------------------------------------------------------------


def test_export_writes_the_register_and_the_trail(shared_demo: str, tmp_path: Path) -> None:
    workbook = tmp_path / "all.xlsx"
    said = run("--store", shared_demo, "export", "-o", str(workbook), "--as-at", "2017-03-30")
    assert said.returncode == 0, said.stderr
    assert "Exported the register (66 rows) and the audit trail (169 entries)" in (
        said.stderr.decode()
    )
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Register", "Trail", "Basis"]
    assert book["Register"].max_row == 67
    assert book["Trail"].max_row == 170

    assert ok(invoke("--store", shared_demo, "export", "-o", str(tmp_path / "all.json"))) == ""
    document = json.loads((tmp_path / "all.json").read_text())
    assert len(document["register"]) == 66
    assert len(document["trail"]) == 169
    assert document["basis"]["position"] == 169

    folder = tmp_path / "csv"
    ok(invoke("--store", shared_demo, "export", "--format", "csv", "-o", str(folder)))
    trail = list(csv.DictReader(io.StringIO((folder / "trail.csv").read_text("utf-8-sig"))))
    register = list(csv.DictReader(io.StringIO((folder / "register.csv").read_text("utf-8-sig"))))
    assert (len(register), len(trail)) == (66, 169)
    assert {row["basis_position"] for row in register + trail} == {"169"}

    unsure = invoke("--store", shared_demo, "export", "-o", str(tmp_path / "all"))
    assert unsure.exit_code == 2
    assert "say --format json, csv or xlsx" in unsure.stderr
    text = invoke("--store", shared_demo, "export", "-o", str(tmp_path / "all.txt"))
    assert text.exit_code == 2
    assert "names a table file (.txt), and this command writes json, csv, xlsx" in text.stderr


# --- the demonstration, the adapters, the views --------------------------------------------


def test_demo_builds_once_and_prints_the_committee_update(store: str, tmp_path: Path) -> None:
    first = run("--store", store, "demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Recorded the demonstration: 169 entries" in first.stderr.decode()
    out = first.stdout.decode()
    for heading in (
        "West Midlands Police: update on inspection recommendations",
        "Inspections since the previous committee",
        "Inspections announced",
        "PEEL Effectiveness 2016",
        "Counter Terrorism Command & Control",
    ):
        assert heading in out, heading
    assert all(reference in out for reference in PEEL)
    assert "Committee of 30 March 2017; previous committee 8 December 2016" in out
    # a table cell's lines stay lines, and a file or a pipe gets no padding
    lines = out.splitlines()
    assert "that:•" not in out
    assert "cases.Latest" not in out
    starts = [i for i, line in enumerate(lines) if line.rstrip().endswith("ensure that:")]
    assert starts, out
    assert all(lines[i + 1].lstrip().startswith("• ") for i in starts)
    assert all(line == line.rstrip() for line in lines)
    hints = first.stderr.decode().splitlines()[-1]
    assert hints.startswith("Next: `recommendations --store ")  # the store it was given
    assert " history CB-21` (a corrected mistake)" in hints
    assert " register --known-at 2017-01-15` (as the committee knew it then)" in hints

    second = run("--store", store, "demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already holds the demonstration: nothing was recorded" in second.stderr.decode()
    assert "Inspections since the previous committee" in second.stdout.decode()
    with r.Tracker(store) as tracker:
        assert tracker.head() == 169

    public = ok(invoke("--store", store, "demo", "--audience", "public"))
    assert "Counter Terrorism" not in public
    assert "PEEL-EFF-2016-1" in public


def test_demo_refuses_a_store_that_holds_something_else(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'other.db'}"
    ok(
        invoke(
            "--store",
            store,
            "record-inspection",
            "INSP-1",
            "--title",
            "An inspection",
            "--body",
            "A council",
            "--inspectorate",
            "Audit Office",
            *entry(on="2017-01-05"),
        )
    )
    refused = run("--store", store, "demo")
    assert refused.returncode == 1
    assert "rule 'demo-empty-store'" in refused.stderr.decode()
    with r.Tracker(store) as tracker:
        assert tracker.head() == 2  # the inspection, and the record of its command id


def test_the_default_store_takes_the_demo(tmp_path: Path, console_script: Path) -> None:
    said = run("demo", cwd=tmp_path, script=True)
    assert said.returncode == 0, said.stderr
    assert (tmp_path / "recommendations.db").exists()
    out = ok(run("register", "--as-at", "2017-03-30", "--overdue", cwd=tmp_path, script=True))
    assert all(reference in out for reference in PEEL)


def test_stores_lists_the_adapters() -> None:
    out = ok(run("stores"))
    for scheme in ("memory://", "sqlite://", "postgresql://"):
        assert scheme in out
    assert "recommendations-tracker" in out
    assert "Installed" in out


def test_rebuild_the_views_of_a_store_that_keeps_them(demo_store: str, engine: str) -> None:
    with r.Tracker(demo_store) as tracker:
        keeps_views = not isinstance(tracker.tables, InProcessTables)
    assert keeps_views or engine != "sqlite"  # a SQLite file keeps its view tables
    said = ok(invoke("--store", demo_store, "rebuild"))
    if keeps_views:
        assert said.startswith("Rebuilt the views of ")
        assert ": 169 entries applied." in said
        if "Digest of the rows: " in said:
            again = ok(invoke("--store", demo_store, "rebuild"))
            assert again.split("Digest")[1] == said.split("Digest")[1]
    else:
        assert "keeps no materialised views" in said
    rows = json.loads(ok(invoke("--store", demo_store, "register", "--format", "json")))
    assert len(rows) == 66
    memory = ok(invoke("--store", "memory://", "rebuild"))
    assert "memory:// keeps no materialised views" in memory


def test_a_time_without_an_offset_is_local_and_a_date_alone_its_last_moment(
    shared_demo: str,
) -> None:
    def known_at(value: str) -> str:
        out = ok(invoke("--store", shared_demo, "register", "--format", "md", "--known-at", value))
        return out.split("as known at ", 1)[1].split(",", 1)[0]

    ten = datetime(2017, 4, 1, 10, 0).astimezone(UTC)
    assert known_at("2017-04-01 10:00") == f"{ten:%Y-%m-%d %H:%M:%S} UTC"
    assert known_at("2017-04-01T10:00:00+01:00") == "2017-04-01 09:00:00 UTC"
    last = datetime.combine(date(2017, 4, 1), time.max).astimezone(UTC)
    assert known_at("2017-04-01") == f"{last:%Y-%m-%d %H:%M:%S} UTC"


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_output_files_are_written_whole(shared_demo: str, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"register.{fmt}"
    ok(invoke("--store", shared_demo, "register", "--format", fmt, "-o", str(target)))
    assert target.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left
    assert target.stat().st_mode & 0o777 == 0o600  # readable by its owner only
