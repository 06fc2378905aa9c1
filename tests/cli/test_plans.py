"""A report's improvement plan through the command line: `plan` records its status, `reports`
shows it as at any date, as known at any time, by the policy's labels."""

from __future__ import annotations

import csv
import io
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
    assert "Reports as at 2019-03-02: 1." in table
    (row,) = [line for line in table.splitlines() if "REP-1" in line]
    cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
    assert cells == ["REP-1", "Custody", "2019-02-01", "Submitted since 2019-03-01"]


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


def _paper(since: str, as_at: str, *extra: str) -> str:
    return ok(
        invoke(
            "--store",
            STORE,
            "committee-update",
            "--since",
            since,
            "--as-at",
            as_at,
            *extra,
        )
    )


def _hmics_story() -> None:
    """Two recommendations and an area for development from one report; the plan agreed;
    one closure proposed and waiting, one accepted."""
    _start()
    _do(
        "raise", "R1", "--report", "REP-1", "--text", "Do R1", "--owner", "Custody", on="2019-02-01"
    )
    _do(
        "raise", "R2", "--report", "REP-1", "--text", "Do R2", "--owner", "Estates", on="2019-02-01"
    )
    _do(
        "raise",
        "R3",
        "--report",
        "REP-1",
        "--text",
        "Do R3",
        "--due",
        "2021-06-30",
        on="2019-02-01",
    )
    _do(
        "raise",
        "AD1",
        "--report",
        "REP-1",
        "--text",
        "Consider AD1",
        "--kind",
        "area-for-development",
        on="2019-02-01",
    )
    _do("plan", "REP-1", "submitted", on="2019-03-01")
    _do("plan", "REP-1", "agreed", on="2019-04-01")
    _do("claim", "R1", "Done.", on="2019-09-01")
    _do("claim", "R2", "Done too.", on="2019-10-01")
    _do(
        "discharge",
        "R2",
        "--outcome",
        "implemented",
        "--accepted-by",
        "HMICS",
        "--acceptor-role",
        "inspectorate",
        on="2019-11-01",
    )


def test_the_paper_counts_by_kind_lists_closures_awaiting_and_aged_items_and_plans() -> None:
    _hmics_story()
    update = json.loads(_paper("2019-12-01", "2020-03-01", "--format", "json"))["update"]
    kinds = {k["kind"]: k for k in update["kinds"]}
    assert {
        k: (v["total"], v["open"], v["claimed"], v["discharged"]) for k, v in kinds.items()
    } == {
        "recommendation": (3, 1, 1, 1),
        "area-for-development": (1, 1, 0, 0),
    }
    assert kinds["area-for-development"]["label"] == "Area for development"
    # a year after publication: R1 (claimed) and AD1 have no due date and are past the
    # target; R3 has a date, not yet reached; R2 is closed
    assert [row["reference"] for row in update["aged"]] == ["AD1", "R1"]
    assert update["target_days"] == 365
    assert [(a["row"]["reference"], a["claimed_on"]) for a in update["awaiting"]] == [
        ("R1", "2019-09-01")
    ]
    (count,) = update["counts"]
    assert (count["report"]["plan_status"], count["report"]["plan_since"]) == (
        "agreed",
        "2019-04-01",
    )
    assert {"code": "agreed", "label": "Agreed"} in update["plan_statuses"]
    # the Markdown paper says the same, by the preset's labels
    paper = _paper("2019-12-01", "2020-03-01")
    assert "| Recommendation | 3 | 1 | 1 | 1 | 1 |" in paper  # kind, total, statuses, overdue
    assert "| Area for development | 1 | 1 | 0 | 0 | 1 |" in paper
    assert "| Kind | Total | Open | Closure proposed | Closed | Overdue |" in paper
    assert "| R1 | Custody | Recommendation | 1 Sep 2019 | 182 | Custody |" in paper
    assert "## Past the age-based target" in paper
    assert "| AD1 | Custody | Area for development | 1 Feb 2019 | 394 | No owner |" in paper
    assert "| Custody | 1 Feb 2019 | Agreed | 1 Apr 2019 |" in paper
    assert "Closures awaiting acceptance: 1." in paper
    assert "By kind: 3 recommendations and 1 area for development." in paper
    # as at an earlier date the plan was only submitted, and nothing was claimed
    earlier = json.loads(_paper("2019-02-15", "2019-03-15", "--format", "json"))["update"]
    assert earlier["counts"][0]["report"]["plan_status"] == "submitted"
    assert earlier["awaiting"] == []
    assert earlier["aged"] == []


def test_the_html_paper_has_the_new_sections_as_tables_with_headers() -> None:
    _hmics_story()
    html = _paper("2019-12-01", "2020-03-01", "--format", "html")
    for key in ("kinds", "awaiting", "aged", "plans"):
        assert f'id="{key}"' in html, key
    assert '<th scope="col">Closure proposed</th>' in html
    assert "Improvement plans by report" in html


def _register_rows(fmt: str) -> str:
    return ok(invoke("--store", STORE, "register", "--format", fmt, "--as-at", "2020-03-01"))


def test_the_register_csv_and_json_carry_the_points_in_full_and_the_outcome() -> None:
    _hmics_story()
    _do(
        "raise",
        "P1",
        "--report",
        "REP-1",
        "--text",
        "With points",
        "--point",
        "(a) first;",
        "--point",
        "(b) second",
        on="2019-02-01",
    )
    rows = {row["reference"]: row for row in json.loads(_register_rows("json"))}
    assert rows["P1"]["points"] == ["(a) first;", "(b) second"]
    assert rows["R2"]["outcome"] == "implemented"
    assert rows["R1"]["outcome"] is None
    table = list(csv.DictReader(io.StringIO(_register_rows("csv").lstrip("\ufeff"))))
    by_reference = {row["reference"]: row for row in table}
    assert by_reference["P1"]["points"] == "(a) first;\n(b) second"
    assert by_reference["R2"]["outcome"] == "implemented"


def test_the_register_shows_report_titles_and_the_policys_labels_beside_the_codes() -> None:
    _hmics_story()
    rows = {row["reference"]: row for row in json.loads(_register_rows("json"))}
    r1, r2, ad1 = rows["R1"], rows["R2"], rows["AD1"]
    assert (r1["report"], r1["report_title"]) == ("REP-1", "Custody")
    assert (r1["status"], r1["status_label"]) == ("claimed", "Closure proposed")
    assert (r2["status"], r2["status_label"]) == ("discharged", "Closed")
    assert (r2["outcome"], r2["outcome_label"]) == ("implemented", "Implemented")
    assert (ad1["kind"], ad1["kind_label"]) == ("area-for-development", "Area for development")
    assert ad1["grade"] is None and ad1["grade_label"] is None
    header = _register_rows("csv").lstrip("\ufeff").splitlines()[0].split(",")
    for code in ("report", "grade", "status", "kind", "outcome"):
        label = "report_title" if code == "report" else f"{code}_label"
        assert header.index(label) == header.index(code) + 1, code
    markdown = _register_rows("md")
    assert "| Reference | Report | Report title | Recommendation | Points |" in markdown
    # an empty cell is a space, as in every Markdown table of a document
    assert "| R2 | REP-1 | Custody | Do R2 |   | Estates |   | Closed | Implemented |" in markdown


def test_a_grade_reads_by_its_label_in_the_hmicfrs_register() -> None:
    _start("hmicfrs")
    _do(
        "raise",
        "R1",
        "--report",
        "REP-1",
        "--text",
        "Do R1",
        "--grade",
        "not-ours",
        on="2019-02-01",
    )
    (row,) = json.loads(_register_rows("json"))
    assert (row["grade"], row["grade_label"]) == ("not-ours", "Not this force's responsibility")


def test_the_hmicfrs_paper_counts_by_kind_leaves_uncounted_items_out_and_has_no_age_target() -> (
    None
):
    _start("hmicfrs")
    _do("raise", "R1", "--report", "REP-1", "--text", "Do R1", "--grade", "amber",
        "--owner", "Head of Crime", on="2019-02-01")  # fmt: skip
    _do("raise", "R2", "--report", "REP-1", "--text", "Do R2", "--grade", "not-ours",
        on="2019-02-01")  # fmt: skip
    _do("raise", "A1", "--report", "REP-1", "--text", "Do A1", "--grade", "green",
        "--kind", "area-for-improvement", "--owner", "Head of Crime", on="2019-02-01")  # fmt: skip
    _do("claim", "R1", "Done.", on="2019-05-01")
    _do("plan", "REP-1", "submitted", on="2019-03-01")
    update = json.loads(_paper("2019-04-01", "2019-06-01", "--format", "json"))["update"]
    assert [(k["kind"], k["total"], k["open"], k["claimed"]) for k in update["kinds"]] == [
        ("recommendation", 1, 0, 1),  # R2 is not this force's responsibility
        ("area-for-improvement", 1, 1, 0),
    ]
    assert update["target_days"] is None and update["aged"] == []
    assert [a["row"]["reference"] for a in update["awaiting"]] == ["R1"]
    paper = _paper("2019-04-01", "2019-06-01")
    assert "## Past the age-based target" not in paper
    assert "| Kind | Total | Open | Claimed | Discharged | Overdue |" in paper
    assert "| Area for improvement | 1 | 1 | 0 | 0 | 0 |" in paper
    assert "| Custody | 1 Feb 2019 | Submitted | 1 Mar 2019 |" in paper
    assert "By kind: 1 recommendation and 1 area for improvement." in paper
