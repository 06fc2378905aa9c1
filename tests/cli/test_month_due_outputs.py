"""A due date known only to the month, in every output: shown as the month where people
read it (tables, Markdown, HTML, the history, the committee paper), and kept as the ISO
date of its last day beside its precision where programs read it (CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .helpers import RAISE, REPORT, entry, invoke, ok


@pytest.fixture
def store(tmp_path: Path) -> list[str]:
    store = ["--store", f"sqlite:///{tmp_path / 'months.db'}"]
    ok(invoke(*store, *REPORT))
    due = RAISE.index("--due") + 1
    ok(invoke(*store, *RAISE[:due], "2017-03", *RAISE[due + 1 :]))
    ok(invoke(*store, "change-deadline", "2.16", "2017-06", *entry(on="2017-03-30")))
    return store


def test_the_register_shows_the_month_and_keeps_the_day_for_programs(store: list[str]) -> None:
    read = [*store, "register", "--as-at", "2017-03-31"]
    table = ok(invoke(*read))
    assert "June 2017" in table and "2017-06-30" not in table
    for shown in ("md", "html"):
        page = ok(invoke(*read, "--format", shown))
        assert "June 2017" in page and "2017-06-30" not in page, shown
    (row,) = json.loads(ok(invoke(*read, "--format", "json")))
    assert (row["due_on"], row["due_precision"]) == ("2017-06-30", "month")
    assert (row["original_due_on"], row["original_due_precision"]) == ("2017-03-31", "month")
    (line,) = csv.DictReader(io.StringIO(ok(invoke(*read, "--format", "csv"))))
    assert (line["due_on"], line["due_precision"]) == ("2017-06-30", "month")


def test_the_history_shows_the_months_as_given(store: list[str]) -> None:
    history = ok(invoke(*store, "history", "2.16"))
    assert "March 2017" in history and "June 2017" in history
    assert "2017-03-31" not in history and "2017-06-30" not in history


@pytest.mark.parametrize("shown", ["md", "html", "json"])
def test_the_committee_paper_shows_the_month(store: list[str], tmp_path: Path, shown: str) -> None:
    paper = tmp_path / f"paper.{shown}"
    # Overdue from the day after the month ends, not before.
    for as_at, overdue in (("2017-06-30", False), ("2017-07-01", True)):
        ok(
            invoke(
                *store,
                "committee-update",
                "--since",
                "2017-01-01",
                "--as-at",
                as_at,
                "-o",
                str(paper),
            )
        )
        text = paper.read_text(encoding="utf-8")
        if shown == "json":  # for programs: the ISO date, and its precision
            update = json.loads(text)["update"]
            (row,) = update["reports"][0]["recommendations"]
            assert (row["due_on"], row["due_precision"]) == ("2017-06-30", "month")
            assert bool(update["overdue"]) is overdue
        elif shown == "md":
            rows = [line for line in text.splitlines() if line.startswith("| 2.16")]
            assert rows and all("| June 2017 |" in line for line in rows), rows
            # The deadlines moved: first due by the end of March, now by the end of June.
            assert any("| March 2017 | June 2017 |" in line for line in rows), rows
        else:
            assert ">June 2017</td>" in text
