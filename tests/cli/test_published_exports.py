"""Each preset's published export, from the command line: a dry run on a store that is not
there yet (which makes none), `init --preset`, `import --preset`, the register and the
committee paper, with their figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .helpers import invoke, ok

PUBLISHED = Path(__file__).parent.parent / "spreadsheets" / "published"

# preset, file, body, the register as at 2026-03-31 (reference: status, kind, grade, due,
# how precisely it is due: "month" for a month alone, "March 2026"),
# the paper's counts by report (total, discharged), and what is overdue on 2026-04-01.
CASES: list[
    tuple[str, str, str, dict[str, tuple[Any, ...]], dict[str, tuple[int, int]], list[str]]
] = [
    (
        "gao",
        "gao-open-recommendations-2026-03-31.csv",
        "Department of Energy",
        {
            "GAO-24-105870/1": ("open", "recommendation", None, None, "priority", None, "day"),
            "GAO-24-105870/2": ("open", "recommendation", None, None, None, None, "day"),
            "GAO-24-105870/3": ("discharged", "recommendation", None, None, None, None, "day"),
            "GAO-25-100123/1": ("open", "recommendation", None, None, "priority", None, "day"),
        },
        {"GAO-24-105870": (3, 1), "GAO-25-100123": (1, 0)},
        [],
    ),
    (
        "hmicfrs",
        "hmicfrs-progress-summary-2026-03-31.csv",
        "Westshire Police",
        {
            "PEEL25-R1": ("open", "recommendation", "amber", "2026-03-31", None, None, "month"),
            "PEEL25-AFI1": ("open", "area-for-improvement", "red", "2026-06-30", None, None, "day"),
            "PEEL25-AFI2": (
                "discharged",
                "area-for-improvement",
                "green",
                "2025-12-31",
                None,
                None,
                "month",
            ),
        },
        {"PEEL-2025": (3, 1)},
        ["PEEL25-R1"],
    ),
    (
        "hmics",
        "hmics-areas-for-development-2026-03-31.csv",
        "Police Scotland",
        {
            "ED-R1": ("open", "recommendation", "agreed", "2026-03-31", None, None, "month"),
            "ED-AFD1": (
                "open",
                "area-for-development",
                "submitted",
                "2026-06-30",
                None,
                None,
                "month",
            ),
            "ED-AFD2": (
                "claimed",
                "area-for-development",
                "agreed",
                "2026-01-31",
                None,
                None,
                "month",
            ),
        },
        {"HMICS-ED-2025": (3, 0)},
        ["ED-R1", "ED-AFD2"],
    ),
    (
        "audit-office",
        "council-audit-tracker-2026-03-31.csv",
        "Westshire Council",
        {
            "IA-2025-07/1": ("open", "recommendation", None, "2026-03-31", "1", "agreed", "day"),
            "IA-2025-07/2": (
                "claimed",
                "recommendation",
                None,
                "2026-03-31",
                "2",
                "partly-agreed",
                "month",
            ),
            "IA-2025-11/1": (
                "discharged",
                "recommendation",
                None,
                "2025-09-30",
                "3",
                "agreed",
                "day",
            ),
        },
        {"IA-2025-07": (2, 0), "IA-2025-11": (1, 1)},
        ["IA-2025-07/1", "IA-2025-07/2"],
    ),
]


@pytest.mark.parametrize(
    ("preset", "name", "body", "register", "counts", "overdue"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_a_published_export_through_its_preset(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    preset: str,
    name: str,
    body: str,
    register: dict[str, tuple[Any, ...]],
    counts: dict[str, tuple[int, int]],
    overdue: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    store = ["--store", "sqlite:///tracker.db"]
    sheet = str(PUBLISHED / name)
    importing = ["import", sheet, "--preset", preset, "--body", body]
    said = ok(invoke(*store, *importing, "--dry-run"))
    assert "Dry run:" in said and "nothing was recorded" in said
    assert list(tmp_path.iterdir()) == []  # a dry run makes no store
    ok(
        invoke(
            *store,
            "init",
            "--preset",
            preset,
            "--by",
            "Clerk",
            "--reason",
            "preset",
            "--effective",
            "2024-01-01",
        )
    )
    ok(invoke(*store, *importing, "--by", "Clerk"))
    assert "Nothing to import" in ok(invoke(*store, *importing, "--by", "Clerk"))
    rows = json.loads(ok(invoke(*store, "register", "--as-at", "2026-03-31", "--format", "json")))
    assert {
        row["reference"]: (
            row["status"],
            row["kind"],
            row["grade"],
            row["due_on"],
            row["priority"],
            row["response"],
            row["due_precision"],
        )
        for row in rows
    } == register
    # The table shows a month alone as the month, a day as the day.
    table = ok(invoke(*store, "register", "--as-at", "2026-03-31"))
    for reference, (_, _, _, due, _, _, precision) in register.items():
        if precision == "month":
            month = date.fromisoformat(due)
            assert f"{month:%B %Y}" in table, reference
    # Due "March 2026": not overdue in March, overdue from April (the paper below).
    assert not any(row["overdue"] for row in rows if row["due_on"] == "2026-03-31")
    paper = tmp_path / "paper.json"
    for as_at in ("2026-03-31", "2026-04-01"):
        ok(
            invoke(
                *store,
                "committee-update",
                "--since",
                "2026-01-01",
                "--as-at",
                as_at,
                "-o",
                str(paper),
            )
        )
    update = json.loads(paper.read_text(encoding="utf-8"))["update"]
    assert {
        count["report"]["reference"]: (count["total"], count["discharged"])
        for count in update["counts"]
    } == counts
    assert sorted(item["reference"] for item in update["overdue"]) == sorted(overdue)


def test_an_import_with_a_preset_into_a_store_not_there_says_to_start_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "--store",
        "sqlite:///tracker.db",
        "import",
        str(PUBLISHED / CASES[0][1]),
        "--preset",
        "gao",
        "--by",
        "Clerk",
    )
    assert result.exit_code == 2
    assert "recommendations init --preset gao" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_priority_or_response_changed_in_a_later_export_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = ["--store", "sqlite:///tracker.db"]
    init = ["init", "--preset", "audit-office", "--by", "Clerk", "--reason", "preset"]
    ok(invoke(*store, *init, "--effective", "2024-01-01"))
    first = PUBLISHED / "council-audit-tracker-2026-03-31.csv"
    body = ["--preset", "audit-office", "--body", "Westshire Council", "--by", "Clerk"]
    ok(invoke(*store, "import", str(first), *body))
    text = first.read_bytes().decode("cp1252").splitlines()
    changed = [  # IA-2025-07/1: priority 1 (written "High" now) -> Low, Agreed -> Not agreed
        line.replace(";1;1;", ";1;Low;").replace(";Agreed;", ";Not agreed;")
        if line.startswith("IA-2025-07;")
        else line
        for line in text
    ]
    assert changed != text
    later = tmp_path / "council-audit-tracker-2026-04-30.csv"
    later.write_bytes(("\r\n".join(changed) + "\r\n").encode("cp1252"))
    said = " ".join(ok(invoke(*store, "import", str(later), *body, "--dry-run")).split())
    assert "priority 1 -> 3" in said and "response agreed -> not-agreed" in said
    ok(invoke(*store, "import", str(later), *body))
    rows = json.loads(ok(invoke(*store, "register", "--as-at", "2026-04-30", "--format", "json")))
    row = next(row for row in rows if row["reference"] == "IA-2025-07/1")
    assert (row["priority"], row["response"]) == ("3", "not-agreed")
