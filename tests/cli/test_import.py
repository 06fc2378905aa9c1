"""Importing spreadsheets from the command line: a CSV and a workbook written here, a dry run,
a sheet with errors (nothing written), an import, and the same import again (nothing)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from openpyxl import Workbook

import recommendations as r

from .helpers import invoke, ok, run

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


def test_import_a_csv_then_a_workbook(store: str, tmp_path: Path) -> None:
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING)
    march = _csv(tmp_path / "tracker-2017-03-30.csv", MARCH)
    base = ("--store", store, "import", "--mapping", str(mapping))

    dry = run(*base, str(march), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    said = dry.stdout.decode()
    assert "Dry run: importing tracker-2017-03-30.csv as at 2017-03-30 would record" in said
    assert "nothing was recorded" in said
    assert "row 2:" in said
    assert "row 3:" in said
    assert _head(store) == 0

    first = run(*base, str(march), "--by", "Risk manager")
    assert first.returncode == 0, first.stderr
    assert "Imported " in first.stdout.decode()
    assert "effective 2017-03-30" in first.stdout.decode()
    recorded = _head(store)
    assert recorded >= 3  # the report and the two recommendations
    rows = _register(store, "2017-03-30")
    assert (rows["2.16"]["grade"], rows["2.18"]["grade"]) == ("amber", "red")
    assert rows["2.16"]["due_on"] == "2017-06-30"
    assert rows["2.16"]["owner"] == "Head of Public Protection"

    again = run(*base, str(march), "--by", "Risk manager")
    assert again.returncode == 0, again.stderr
    assert again.stdout.decode().startswith("Nothing to import")
    assert _head(store) == recorded

    june = _xlsx(
        tmp_path / "tracker-2017-06-29.xlsx",
        [
            (*MARCH[0][:4], "Green", "Open", MARCH[0][6], date(2017, 6, 30)),
            (*MARCH[1][:4], "Amber", "Open", "Head of Crime", date(2017, 9, 30)),
        ],
    )
    second = run(*base, str(june), "--by", "Risk manager", "--sheet", "Tracker")
    assert second.returncode == 0, second.stderr
    rows = _register(store, "2017-06-29")
    assert (rows["2.16"]["grade"], rows["2.18"]["grade"]) == ("green", "amber")
    assert (rows["2.18"]["owner"], rows["2.18"]["due_on"]) == ("Head of Crime", "2017-09-30")
    history = json.loads(ok(invoke("--store", store, "history", "2.16", "--format", "json")))
    assert history[-1]["event"] == "Regraded"
    assert history[-1]["effective_on"] == "2017-06-29"
    assert "tracker-2017-06-29.xlsx" in str(history[-1]["reason"])
    # the register as it stood at the first sheet is still there
    assert _register(store, "2017-03-30")["2.16"]["grade"] == "amber"


def test_a_sheet_with_errors_records_nothing_and_lists_them(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    bad = _csv(
        tmp_path / "tracker.csv",
        [
            (*MARCH[0][:4], "Purple", "Open", MARCH[0][6], "2017-06-30"),
            (*MARCH[1][:4], "Amber", "Open", MARCH[1][6], "31/02/2017"),
        ],
    )
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING)
    result = run(
        "--store",
        store,
        "import",
        str(bad),
        "--mapping",
        str(mapping),
        "--snapshot-date",
        "2017-03-30",
        "--by",
        "Risk manager",
    )
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
    assert _head(store) == 0

    dry = run("--store", store, "import", str(bad), "--mapping", str(mapping), "--dry-run")
    assert dry.returncode == 1  # the file's name holds no date, and none was given
    assert "rule 'snapshot-date'" in dry.stderr.decode()


def test_import_needs_to_know_who_imports(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "tracker-2017-03-30.csv", MARCH)
    result = run("--store", f"sqlite:///{tmp_path / 'r.db'}", "import", str(sheet))
    assert result.returncode == 2
    assert "--by ACTOR" in result.stderr.decode()
