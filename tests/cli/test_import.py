"""Importing spreadsheets from the command line: a CSV and a workbook written here, a dry run,
a sheet with errors (nothing written), an import, and the same import again (nothing)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from openpyxl import Workbook

import recommendations as r

from .helpers import entry, invoke, ok, run

HEADERS = ("Ref", "Report", "Published", "Recommendation", "RAG", "Status", "Lead", "Due date")
MAPPING = """\
[columns]
reference = "Ref"
due_on = "Due date"

[reports]
body = "West Midlands Police"
inspectorates = ["HMIC"]
"""
MARCH = [
    (
        "2.16",
        "PEEL-EFF-2016",
        "2017-03-02",
        "Ensure effective supervision of DASH risk assessments.",
        "Amber",
        "Open",
        "Head of Public Protection",
        "2017-06-30",
    ),
    (
        "2.18",
        "PEEL-EFF-2016",
        "2017-03-02",
        "Improve the response to missing children.",
        "R",
        "Open",
        "Head of Public Protection",
        "2017-06-30",
    ),
]


def _csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _xlsx(path: Path, rows: list[tuple[object, ...]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _register(store: str, as_at: str) -> dict[str, dict[str, object]]:
    rows = json.loads(
        ok(invoke("--store", store, "register", "--as-at", as_at, "--format", "json"))
    )
    return {str(row["reference"]): row for row in rows}


def _head(store: str) -> int:
    with r.Tracker(store) as tracker:
        return tracker.head()


def test_import_a_csv_then_a_workbook(store: str, engine: str, tmp_path: Path) -> None:
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING)
    march = _csv(tmp_path / "tracker-2017-03-30.csv", MARCH)
    base = ("--store", store, "import", "--mapping", str(mapping))
    missing = tmp_path / "register.db"

    if engine == "sqlite":  # a dry run into a store that is not there checks it, makes none
        tried = run(*base, str(march), "--dry-run")
        assert tried.returncode == 0, tried.stderr
        assert "would record 3 entries; nothing was recorded" in tried.stdout.decode()
        assert not missing.exists()

    first = run(*base, str(march), "--by", "Risk manager")
    assert first.returncode == 0, first.stderr
    # the report and the two recommendations, at positions 1 to 3; the import's record at 4
    assert first.stdout.decode() == (
        "Imported 3 entries from tracker-2017-03-30.csv, effective 2017-03-30, at log "
        "positions 1 to 3, and the import's own record (of its command id) after them, which "
        "trails do not list.\n"
    )
    assert _head(store) == 4
    rows = _register(store, "2017-03-30")
    assert (rows["2.16"]["grade"], rows["2.18"]["grade"]) == ("amber", "red")
    assert rows["2.16"]["due_on"] == "2017-06-30"
    assert rows["2.16"]["owner"] == "Head of Public Protection"

    again = run(*base, str(march), "--by", "Risk manager")
    assert again.returncode == 0, again.stderr
    assert again.stdout.decode().startswith("Nothing to import")
    assert _head(store) == 4

    june = _xlsx(
        tmp_path / "tracker-2017-06-29.xlsx",
        [
            (*MARCH[0][:4], "Green", "Open", MARCH[0][6], date(2017, 6, 30)),
            (*MARCH[1][:4], "Amber", "Open", "Head of Crime", date(2017, 9, 30)),
        ],
    )
    dry = run(*base, str(june), "--sheet", "Tracker", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    said = dry.stdout.decode().splitlines()
    assert said[0] == (
        "Dry run: importing tracker-2017-06-29.xlsx, sheet 'Tracker' as at 2017-06-29 would "
        "record 4 entries; nothing was recorded."
    )
    assert len(said) == 1 + 4  # one line a change
    assert all(line.startswith("  row ") for line in said[1:])
    assert _head(store) == 4  # the dry run recorded nothing

    second = run(*base, str(june), "--by", "Risk manager", "--sheet", "Tracker")
    assert second.returncode == 0, second.stderr
    assert "Imported 4 entries from tracker-2017-06-29.xlsx, sheet 'Tracker', effective " in (
        second.stdout.decode()
    )
    assert "at log positions 5 to 8, and the import's own record" in second.stdout.decode()
    assert _head(store) == 9
    rows = _register(store, "2017-06-29")
    assert (rows["2.16"]["grade"], rows["2.18"]["grade"]) == ("green", "amber")
    assert (rows["2.18"]["owner"], rows["2.18"]["due_on"]) == ("Head of Crime", "2017-09-30")
    history = json.loads(ok(invoke("--store", store, "history", "2.16", "--format", "json")))
    assert history[-1]["event"] == "Regraded"
    assert history[-1]["effective_on"] == "2017-06-29"
    assert "tracker-2017-06-29.xlsx" in str(history[-1]["reason"])
    # the register as it stood at the first sheet is still there
    assert _register(store, "2017-03-30")["2.16"]["grade"] == "amber"

    september = _csv(
        tmp_path / "tracker-2017-09-28.csv",
        [
            (*MARCH[0][:4], "Green", "Open", MARCH[0][6], "2017-06-30"),
            (*MARCH[1][:4], "Green", "Open", "Head of Crime", "2017-09-30"),
        ],
    )
    third = run(*base, str(september), "--by", "Risk manager")
    assert third.returncode == 0, third.stderr
    assert ", at log position 10, and the import's own record" in third.stdout.decode()
    # the trail lists entries: the positions of the imports' own records are not in it
    trail = json.loads(ok(invoke("--store", store, "trail", "--format", "json")))
    assert [entry["position"] for entry in trail] == [1, 2, 3, 5, 6, 7, 8, 10]


def test_a_sheet_with_errors_records_nothing_and_lists_them(store: str, tmp_path: Path) -> None:
    """On each engine, into a new store and into one that holds something; a SQLite store
    that is not there yet is not made."""
    bad = _csv(
        tmp_path / "tracker.csv",
        [
            (*MARCH[0][:4], "Purple", "Open", MARCH[0][6], "2017-06-30"),
            (*MARCH[1][:4], "Amber", "Open", MARCH[1][6], "31/02/2017"),
        ],
    )
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING)
    importing = ("--store", store, "import", str(bad), "--mapping", str(mapping))
    dated = (*importing, "--snapshot-date", "2017-03-30", "--by", "Risk manager")
    result = run(*dated)
    assert result.returncode == 1
    errors = result.stderr.decode().splitlines()
    assert all(line.startswith("error: ") for line in errors)
    assert errors[-1] == "error: nothing was imported from tracker.csv: 2 errors"
    problems = errors[:-1]
    assert len(problems) == 2
    assert problems[0].startswith("error: row 2, column 'RAG': recommendation '2.16': ")
    assert problems[0].endswith("(rule 'grade-on-scale')")
    assert problems[1].startswith("error: row 3, column 'Due date': '31/02/2017'")
    assert b"Traceback" not in result.stderr
    assert not (tmp_path / "register.db").exists()

    inspection = ["INSP-1", "--title", "An inspection", "--body", "A council"]
    ok(run("--store", store, "record-inspection", *inspection, "--inspectorate", "NAO", *entry()))
    again = run(*dated)
    assert (again.returncode, again.stderr) == (1, result.stderr)
    assert _head(store) == 2  # the inspection, and the record of its command id

    dry = run(*importing, "--dry-run")
    assert dry.returncode == 1  # the file's name holds no date, and none was given
    assert "rule 'snapshot-date'" in dry.stderr.decode()


def test_import_needs_to_know_who_imports(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "tracker-2017-03-30.csv", MARCH)
    result = run("--store", f"sqlite:///{tmp_path / 'r.db'}", "import", str(sheet))
    assert result.returncode == 2
    assert "--by ACTOR" in result.stderr.decode()
