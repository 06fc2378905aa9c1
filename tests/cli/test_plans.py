"""A report's improvement plan through the command line: `plan` records its status, `reports`
shows it as at any date, as known at any time, by the policy's labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import invoke, ok

ENTRY = ["--by", "Clerk", "--reason", "minutes"]
STORE = "sqlite:///r.db"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _do(*args: str, on: str) -> str:
    return ok(invoke("--store", STORE, *args, "--effective", on, *ENTRY))


def _reports(*args: str) -> list[dict[str, Any]]:
    text = ok(invoke("--store", STORE, "reports", "--format", "json", *args))
    listed: list[dict[str, Any]] = json.loads(text)["reports"]
    return listed


def _start(preset: str = "hmics") -> None:
    _do("init", "--preset", preset, on="2019-01-01")
    _do(
        "publish-report",
        "REP-1",
        "--title",
        "Custody",
        "--body",
        "Force",
        "--inspectorate",
        "Inspectorate",
        on="2019-02-01",
    )


def test_plan_records_each_status_and_reports_shows_it_on_both_time_axes() -> None:
    _start()
    said = _do("plan", "REP-1", "draft", on="2019-02-10")
    assert "Recorded PlanStatusChanged: report 'REP-1', entry 2, effective 2019-02-10" in said
    _do("plan", "REP-1", "submitted", on="2019-03-01")
    (before,) = _reports("--as-at", "2019-02-20")
    assert (before["plan_status"], before["plan_label"], before["plan_since"]) == (
        "draft",
        "In draft",
        "2019-02-10",
    )
    (none_yet,) = _reports("--as-at", "2019-02-05")
    assert none_yet["plan_status"] is None
    assert none_yet["title"] == "Custody"
    table = ok(invoke("--store", STORE, "reports", "--as-at", "2019-03-02"))
    assert "REP-1  Custody  (published 2019-02-01; plan Submitted since 2019-03-01)" in table


def test_a_status_the_policy_does_not_have_is_refused_and_nothing_recorded() -> None:
    _start()
    result = invoke(
        "--store", STORE, "plan", "REP-1", "approved", "--effective", "2019-02-10", *ENTRY
    )
    assert result.exit_code == 1, result.output
    assert "report 'REP-1'" in result.stderr
    assert "field 'status'" in result.stderr
    assert "rule 'plan-status-configured'" in result.stderr
    (listed,) = _reports()
    assert listed["plan_status"] is None


def test_the_hmicfrs_preset_has_plan_statuses_too() -> None:
    _start("hmicfrs")
    _do("plan", "REP-1", "agreed", on="2019-04-01")
    (listed,) = _reports()
    assert (listed["plan_status"], listed["plan_label"]) == ("agreed", "Agreed")
