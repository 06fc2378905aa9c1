"""What the command line writes, and where: the format a file's name gives, filters that say
what they could not match, the basis an answer defaults to, files that cannot be written,
and the messages around the data. Exit statuses and messages through the real command in a
new process; the breadth of each case in this one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from recommendations.cli import cli

from .helpers import invoke, ok, on_a_terminal, run, table_rows

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"
PAPER = ("committee-update", "--since", "2016-12-08", "--as-at", "2017-03-30")


# --- the format, from the name of the file --------------------------------------------------


def test_the_format_comes_from_the_name_of_the_output(shared_demo: str, tmp_path: Path) -> None:
    def written(*args: str) -> Path:
        said = invoke("--store", shared_demo, *args[:-1], "-o", str(tmp_path / args[-1]))
        assert said.exit_code == 0, said.stderr
        return tmp_path / args[-1]

    register = ("register", "--as-at", "2017-03-30")
    assert written(*register, "reg.csv").read_bytes().startswith(b"\xef\xbb\xbfreference,report,")
    assert len(json.loads(written(*register, "reg.JSON").read_text())) == 66
    book = openpyxl.load_workbook(written(*register, "reg.xlsx"))
    assert book.sheetnames == ["Register", "Basis"]
    assert written(*register, "reg.md").read_text().startswith("# Register\n")
    assert written(*register, "reg.html").read_text().startswith("<!DOCTYPE html>")
    assert written("trail", "--position", "5", "trail.pdf").read_bytes().startswith(b"%PDF-")
    assert len(table_rows(written(*register, "reg.txt").read_text())) == 66
    assert len(table_rows(written(*register, "reg.out").read_text())) == 66  # not known: table
    assert written("history", "CB-21", "cb-21.csv").read_text("utf-8-sig").count("CB-21") >= 4
    assert written(*PAPER, "paper2.pdf").read_bytes().startswith(b"%PDF-")
    assert json.loads(written(*PAPER, "paper.json").read_text())["format"] == (
        "recommendations.committee-paper"
    )
    assert written(*PAPER, "paper.txt").read_text().startswith("# West Midlands Police")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["register", "--format", "json", "-o", "reg.csv"],
            "--format json does not match --output 'reg.csv', whose name says csv (.csv)",
        ),
        (["history", "CB-21", "--format", "md", "-o", "h.html"], "whose name says html"),
        ([*PAPER, "-o", "paper.csv"], "this command writes json, md, html, pdf"),
        ([*PAPER, "--format", "pdf", "-o", "paper.md"], "whose name says md (.md)"),
        (["export", "--format", "csv", "-o", "ex.json"], "whose name says json (.json)"),
        (["export", "-o", "ex.csv"], "a csv export is a folder"),
        (["export", "-o", "ex"], "say --format json, csv or xlsx"),
    ],
    ids=["register", "history", "paper-csv", "paper", "export", "csv", "none"],
)
def test_a_file_name_at_odds_with_the_format_is_bad_usage(
    args: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before anything is read: even a store that is not there is not looked at."""
    monkeypatch.chdir(tmp_path)
    result = invoke("--store", "sqlite:///none.db", *args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, no store


def test_the_real_command_refuses_a_file_name_at_odds_with_the_format(tmp_path: Path) -> None:
    result = run("--store", "sqlite:///none.db", *PAPER, "-o", "paper2.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().endswith(
        "Error: --output 'paper2.csv' names a csv file (.csv), and this command writes json, "
        "md, html, pdf: name the file for one of them\n"
    )
    assert list(tmp_path.iterdir()) == []


# --- filters -----------------------------------------------------------------------------------


def test_register_filters_take_codes_labels_and_titles_in_any_case(shared_demo: str) -> None:
    def refs(*args: str) -> list[str]:
        found = invoke("--store", shared_demo, "register", "--format", "json", *args)
        assert found.exit_code == 0, found.stderr
        return [row["reference"] for row in json.loads(found.stdout)]

    amber = refs("--as-at", "2017-03-30", "--grade", "amber")
    assert len(amber) == 9
    assert refs("--as-at", "2017-03-30", "--grade", "Amber") == amber
    assert refs("--as-at", "2017-03-30", "--grade", " AMBER ", "--status", "OPEN") == amber
    peel = refs("--as-at", "2017-03-30", "--report", "PEEL-EFFECTIVENESS-2016")
    assert peel == ["PEEL-EFF-2016-1", "PEEL-EFF-2016-2"]
    assert refs("--as-at", "2017-03-30", "--report", "peel-effectiveness-2016") == peel
    assert refs("--as-at", "2017-03-30", "--report", "PEEL effectiveness 2016") == peel
    assert refs("--as-at", "2017-03-30", "--report", "undercover") == [
        f"UC-{n:02d}" for n in range(1, 24)
    ]
    assert refs("--as-at", "2017-03-30", "--status", "Discharged") == [
        "CRIME-2014-1",
        "CRIME-2014-2",
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--grade", "purple"],
            "error: field 'grade': rule 'grade-on-scale': 'purple' is not a grade on any scale "
            "(rag: red, amber, green; gao: open, closed-not-implemented",
        ),
        (
            ["--status", "closed"],
            "error: field 'status': rule 'known-status': 'closed' is not a status (open, "
            "claimed, discharged)",
        ),
        (
            ["--report", "crime"],
            "error: field 'report': rule 'report-unambiguous': 'crime' matches 2 reports: "
            "CORE-BUSINESS-2014 (Core Business",
        ),
        (
            ["--report", "Thematic 2015"],
            "error: report 'Thematic 2015': field 'report': rule 'exists': no report has this "
            "reference or title (reports: CORE-BUSINESS-2014, CRIME-2014,",
        ),
    ],
    ids=["grade", "status", "ambiguous-report", "no-report"],
)
def test_a_filter_nothing_could_match_is_refused(
    shared_demo: str, args: list[str], said: str
) -> None:
    result = run("--store", shared_demo, "register", *args)
    assert result.returncode == 1
    assert result.stderr.decode().startswith(said), result.stderr
    assert result.stderr.decode().count("\n") == 1
    assert result.stdout == b""


def test_an_empty_answer_says_so_with_its_basis(shared_demo: str, tmp_path: Path) -> None:
    said = ok(run("--store", shared_demo, "register", "--as-at", "2017-03-30", "--grade", "red"))
    lines = said.splitlines()
    assert lines[0] == "No rows: no recommendation matches --grade red."
    assert lines[1].startswith("As at 2017-03-30, as known at ")
    assert "up to log position 169." in lines[1]
    empty = ok(run("--store", shared_demo, "trail", "--position", "0"))
    assert empty.startswith("No rows: no entry in the log on this basis.\nAs known at ")
    assert ok(invoke("--store", shared_demo, "register", "--grade", "red", "--format", "json"))
    html = ok(invoke("--store", shared_demo, "register", "--grade", "red", "--format", "html"))
    assert "<p>0 rows.</p>" in html


# --- the basis ---------------------------------------------------------------------------------


def test_as_at_defaults_to_the_known_at_date_and_the_help_says_so(shared_demo: str) -> None:
    said = ok(
        invoke("--store", shared_demo, "register", "--known-at", "2017-04-01", "--format", "md")
    )
    assert "As at 2017-04-01, as known at " in said
    for name in ("register", "committee-update", "export"):
        text = " ".join(ok(invoke(name, "--help")).split())
        assert "(default: the --known-at date, else today)" in text, name
        assert "default: today" not in text.replace("Default: today", ""), name
    page = PAGE.read_text()
    assert " ".join(page.split()).count("default: the `--known-at` date, else today") >= 4
    as_at = [line for line in page.splitlines() if line.startswith("| `--as-at`")]
    # every read's --as-at; `remind --as-at` is the moment reminders are worked out, today
    reads = [line for line in as_at if "the rules are applied on" not in line]
    assert len(reads) == len(as_at) - 1 == 4
    as_at = reads
    assert all("default: today" not in line for line in as_at)


# --- files that cannot be written, and messages ------------------------------------------------


def test_a_file_that_cannot_be_written_is_named_as_given_with_the_rule(
    shared_demo: str, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "x.csv"
    result = run("--store", shared_demo, "register", "-o", str(missing), "--format", "csv")
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"error: field 'output': rule 'output-writable': cannot write {str(missing)!r}: "
        f"no folder {str(missing.parent)!r}\n"
    )
    folder = tmp_path / "a-folder.xlsx"
    folder.mkdir()
    result = run("--store", shared_demo, "export", "-o", str(folder))
    assert result.returncode == 1
    assert result.stderr.decode().endswith(f"cannot write {str(folder)!r}: it is a folder\n")
    chart = tmp_path / "none" / "chart.svg"
    result = run(
        "--store", shared_demo, *PAPER, "-o", str(tmp_path / "p.md"), "--chart", str(chart)
    )
    assert result.returncode == 1
    assert result.stderr.decode().startswith("error: field 'chart': rule 'output-writable': ")
    (tmp_path / "export-file").write_text("keep me")
    result = run(
        "--store", shared_demo, "export", "--format", "csv", "-o", str(tmp_path / "export-file")
    )
    assert result.returncode == 2
    assert "a csv export is a folder" in result.stderr.decode()
    assert (tmp_path / "export-file").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.xlsx", "export-file"]
    assert list(folder.iterdir()) == []  # no temporary file left behind


def test_messages_keep_references_and_counts_as_they_are(shared_demo: str, tmp_path: Path) -> None:
    said = run("--store", shared_demo, "history", "CB-21", "-o", str(tmp_path / "cb-21.md"))
    assert (
        said.stderr.decode() == f"Wrote the history of CB-21 (4 rows) to {tmp_path / 'cb-21.md'}.\n"
    )
    said = run("--store", shared_demo, "trail", "--position", "1", "-o", str(tmp_path / "t.csv"))
    assert said.stderr.decode() == f"Wrote the audit trail (1 row) to {tmp_path / 't.csv'}.\n"


def test_recommendations_alone_prints_its_help_and_exits_0(console_script: Path) -> None:
    result = run(script=True)
    assert result.returncode == 0
    assert result.stderr == b""
    assert result.stdout.decode().startswith("Usage: recommendations [OPTIONS] [COMMAND]")
    assert result.stdout == run("--help", script=True).stdout


def test_demo_on_a_memory_store_suggests_nothing_that_cannot_work() -> None:
    result = invoke("--store", "memory://", "demo")
    assert result.exit_code == 0
    assert "Next:" not in result.stderr
    assert "memory:// keeps nothing once this command ends" in result.stderr


def test_the_committee_paper_is_formatted_on_a_terminal_and_markdown_in_a_pipe(
    shared_demo: str,
) -> None:
    code, shown = on_a_terminal("--store", shared_demo, *PAPER, COLUMNS="100")
    assert code == 0
    assert "West Midlands Police: update on inspection recommendations" in shown
    assert "| --- |" not in shown
    assert "<br>" not in shown
    assert "# West Midlands" not in shown
    piped = ok(run("--store", shared_demo, *PAPER))
    assert piped.startswith("# West Midlands Police: update on inspection recommendations\n")
    assert "| --- |" in piped
    assert io.StringIO(piped).readline()  # plain Markdown, line by line


def test_every_command_lists_in_help() -> None:
    listed = ok(invoke("--help"))
    assert (
        listed.index("record-inspection") < listed.index("publish-report") < listed.index("  raise")
    )
    assert set(cli.commands) <= set(listed.split())
