"""Text and references as typed or imported: a control character, an invisible one, a
look-alike reference, refused in one line (or matched, as documented) with nothing
recorded, on each engine."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import Result

import recommendations as r

from .helpers import REPORT, entry, head, invoke, ok, run

RAISE_CB21 = ["raise", "CB-21", "--report", "PEEL-2016", "--text", "Supervise.", *entry()]


def _store_with_cb21(store: str) -> None:
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE_CB21))


def _one_error_line(result: object) -> str:
    assert getattr(result, "returncode", None) == 1
    stderr = result.stderr.decode()  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_note_holding_a_bell_exits_1_in_one_line(store: str) -> None:
    _store_with_cb21(store)
    before = head(store)
    result = run("--store", store, "note", "CB-21", "bell\x07", *entry())
    line = _one_error_line(result)
    assert line.startswith("error: recommendation 'CB-21': field 'note': rule 'text-characters':")
    assert "U+0007" in line
    assert head(store) == before
    # and the register, its outputs and the log still read
    ok(run("--store", store, "register", "--format", "json"))


def test_a_megabyte_of_text_exits_1_in_one_line(store: str) -> None:
    """Too long for a process's argument list: run in this process."""
    _store_with_cb21(store)
    before = head(store)
    result = invoke("--store", store, "note", "CB-21", "x" * 1_000_000, *entry())
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert "rule 'text-length'" in line and "1,000,000" in line and len(line) < 300
    assert head(store) == before


LOOK_ALIKES = [
    ("CB-21\u200b", "reference-characters"),  # a zero-width space
    ("\u202eCB-21", "reference-characters"),  # a right-to-left override
    ("\ufeffCB-21", "reference-characters"),  # a byte-order mark
    ("CB\n21", "reference-characters"),
    ("C" * 10_000, "reference-length"),
    ("cb-21", "reference-unique-ignoring-case"),
]


def _refused_in_one_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_look_alike_references_are_refused(store: str) -> None:
    _store_with_cb21(store)
    before = head(store)
    for reference, rule in LOOK_ALIKES:
        raising = ["raise", reference, "--report", "PEEL-2016", "--text", "Again.", *entry()]
        line = _refused_in_one_line(invoke("--store", store, *raising))
        assert f"rule '{rule}'" in line and len(line) < 400, line
        noting = _refused_in_one_line(invoke("--store", store, "note", reference, "n", *entry()))
        assert f"rule '{rule}'" in noting or (
            rule == "reference-unique-ignoring-case" and "rule 'exists'" in noting
        ), noting
    assert "recommendation 'CB-21'" in line  # the one it differs from by case
    assert head(store) == before
    with r.Tracker(store) as tracker:
        assert [s.reference for s in tracker.recommendations()] == ["CB-21"]
    # the report's reference is held to the same rules
    lower = _refused_in_one_line(
        invoke("--store", store, *["publish-report", "peel-2016", *REPORT[2:]])
    )
    assert "report 'peel-2016'" in lower and "rule 'reference-unique-ignoring-case'" in lower
    assert "report 'PEEL-2016'" in lower


def test_a_fullwidth_or_padded_reference_names_the_same_recommendation(store: str) -> None:
    _store_with_cb21(store)
    ok(invoke("--store", store, "note", "\uff23\uff22-21", "Plan agreed.", *entry()))
    ok(invoke("--store", store, "regrade", " CB-21 ", "green", *entry()))
    again = invoke("--store", store, *["raise", "\uff23\uff22-21", *RAISE_CB21[2:]])
    assert "rule 'raised-once'" in _refused_in_one_line(again)
    with r.Tracker(store) as tracker:
        state = tracker.recommendation("\uff23\uff22-21")
        assert (state.reference, state.last_note, state.grade) == ("CB-21", "Plan agreed.", "green")
        assert [s.reference for s in tracker.recommendations()] == ["CB-21"]


MAPPING = """\
[columns]
reference = "Ref"
text = "Recommendation"
progress = "Progress"

[reports]
body = "West Midlands Police"
inspectorates = ["HMIC"]
"""


def test_a_nul_in_an_imported_cell_is_refused_naming_row_and_column(
    store: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "tracker.csv"
    with sheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Ref", "Report", "Published", "Recommendation", "Progress"])
        writer.writerow(["2.16", "PEEL-EFF-2016", "2017-03-02", "Supervise.", "Audit begun."])
        writer.writerow(["2.18", "PEEL-EFF-2016", "2017-03-02", "Find\x00 children.", ""])
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING)
    result = run(
        "--store",
        store,
        "import",
        str(sheet),
        "--mapping",
        str(mapping),
        "--snapshot-date",
        "2017-03-30",
        "--by",
        "Risk manager",
    )
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and "\x00" not in stderr
    problems = stderr.splitlines()
    # The reader refuses the byte before any rule sees the text: row and column named.
    assert problems == [problems[0]] and "row 3, column D" in problems[0], stderr
    assert "NUL" in problems[0]
    with r.Tracker(store) as tracker:
        assert tracker.head() == 0
        assert tracker.recommendations() == []


SHEET_HEADERS = ("Ref", "Report", "Published", "Recommendation", "RAG", "Status")


def _sheet(path: Path, *rows: tuple[str, ...]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(SHEET_HEADERS)
        writer.writerows(rows)
    return path


def test_an_imported_reference_is_matched_in_normal_form_or_refused_by_case(
    store: str, tmp_path: Path
) -> None:
    mapping = tmp_path / "columns.toml"
    mapping.write_text(MAPPING.replace('progress = "Progress"\n', ""))
    row = ("PEEL-EFF-2016", "2017-03-02", "Supervise.", "Amber", "Open")

    def importing(sheet: Path, on: str) -> Result:
        return invoke(
            "--store",
            store,
            "import",
            str(sheet),
            "--mapping",
            str(mapping),
            "--snapshot-date",
            on,
            "--by",
            "Risk manager",
        )

    ok(importing(_sheet(tmp_path / "march.csv", ("CB-21", *row)), "2017-03-30"))
    # a fullwidth, padded reference is CB-21: regraded, and not missed from the sheet
    april = _sheet(tmp_path / "april.csv", (" \uff23\uff22-21 ", *row[:3], "Green", "Open"))
    done = importing(april, "2017-04-30")
    assert done.exit_code == 0, done.stderr
    assert "does not" not in done.stderr
    with r.Tracker(store) as tracker:
        assert tracker.recommendation("CB-21").grade == "green"
    before = head(store)
    # one differing only by case is refused, naming its row and the one entered
    may = _sheet(tmp_path / "may.csv", ("CB-21", *row[:3], "Green", "Open"), ("cb-21", *row))
    refused = importing(may, "2017-05-30")
    assert refused.exit_code == 1
    first = refused.stderr.splitlines()[0]
    assert first.startswith("error: row 3"), refused.stderr
    assert "rule 'reference-unique-ignoring-case'" in first and "'CB-21'" in first
    assert head(store) == before
