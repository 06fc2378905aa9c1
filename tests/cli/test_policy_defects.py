"""Answers the command line got wrong about grades and bases: a corrected regrading counted
as a change, a grade of the store's own scale refused as a filter, and a basis naming a
position its answer left out."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations import domain

from .helpers import invoke, ok

ENTRY = ["--by", "Clerk", "--reason", "minutes"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    return "sqlite:///r.db"


def _record(store: str, *args: str, on: str) -> str:
    return ok(invoke("--store", store, *args, "--effective", on, *ENTRY))


def _report_and_item(store: str, *grade: str) -> None:
    _record(
        store,
        "publish-report",
        "REP-1",
        "--title",
        "Report one",
        "--body",
        "Force",
        "--inspectorate",
        "HMIC",
        on="2019-01-10",
    )
    _record(
        store,
        "raise",
        "A",
        "--report",
        "REP-1",
        "--text",
        "Do it",
        *(grade or ("--grade", "amber")),
        on="2019-01-10",
    )


def _position(said: str) -> int:
    found = re.search(r"at log position (\d+)", said)
    assert found, said
    return int(found.group(1))


def _stated(text: str) -> int:
    found = re.search(r"up to\s+log\s+position\s+(\d+)", text)
    assert found, text
    return int(found.group(1))


def test_a_regrading_corrected_back_is_not_a_change_in_the_paper(store: str) -> None:
    _report_and_item(store)
    _record(store, "regrade", "A", "red", on="2019-03-01")
    _record(
        store,
        "correct",
        "A",
        "2",
        "--set",
        "grade=amber",
        "--what-was-wrong",
        "the committee kept it amber",
        on="2019-03-05",
    )
    paper = ok(
        invoke(
            "--store", store, "committee-update", "--since", "2019-02-01", "--as-at", "2019-04-01"
        )
    )
    assert "1 regraded" not in paper
    assert "Amber \u2192 Amber" not in paper
    figures = json.loads(
        ok(
            invoke(
                "--store",
                store,
                "committee-update",
                "--since",
                "2019-02-01",
                "--as-at",
                "2019-04-01",
                "--format",
                "json",
            )
        )
    )
    assert figures["update"]["movements"] == []


def test_a_regrading_corrected_to_another_grade_still_counts(store: str) -> None:
    _report_and_item(store)
    _record(store, "regrade", "A", "red", on="2019-03-01")
    _record(
        store,
        "correct",
        "A",
        "2",
        "--set",
        "grade=green",
        "--what-was-wrong",
        "it went green",
        on="2019-03-05",
    )
    paper = ok(
        invoke(
            "--store", store, "committee-update", "--since", "2019-02-01", "--as-at", "2019-04-01"
        )
    )
    assert "1 regraded" in paper
    assert "Regraded Amber \u2192 Green" in paper


def test_a_grade_of_the_stores_own_scale_filters_the_register(store: str) -> None:
    scale = domain.GradingScale.of("rag-white", "Red", "Amber", "Green", "White")
    policy = domain.Policy(
        scales=(scale, domain.PEEL), kinds=domain.DEFAULT_POLICY.kinds, default_scale="rag-white"
    )
    with r.Tracker(store, policy=policy) as tracker:
        tracker.execute(
            r.PublishReport(
                reference="REP-1",
                details=r.ReportDetails(
                    title="Report one",
                    body="Force",
                    inspection=None,
                    inspectorates=("HMIC",),
                    published_on=date(2019, 1, 10),
                    scale=domain.PEEL,
                    overall_grade=None,
                    area_grades=(),
                    findings=(),
                    national=False,
                    sensitive=False,
                ),
                effective_on=date(2019, 1, 10),
                by="Clerk",
                reason="minutes",
            )
        )
        for reference, grade in (("A", "white"), ("B", "amber")):
            tracker.execute(
                r.Raise(
                    reference=reference,
                    report="REP-1",
                    text="Do it",
                    grade=grade,
                    effective_on=date(2019, 1, 10),
                    by="Clerk",
                    reason="minutes",
                )
            )
    listed = ok(invoke("--store", store, "register", "--as-at", "2019-11-15", "--format", "csv"))
    assert "white" in listed
    _record(store, "regrade", "B", "white", on="2019-02-01")
    white = ok(
        invoke(
            "--store",
            store,
            "register",
            "--as-at",
            "2019-11-15",
            "--grade",
            "white",
            "--format",
            "csv",
        )
    )
    assert [line.split(",")[0] for line in white.splitlines()[1:]] == ["A", "B"]
    refused = invoke("--store", store, "register", "--grade", "purple")
    assert refused.exit_code == 1
    assert "grade-on-scale" in refused.stderr


def test_the_basis_names_the_last_position_its_answer_includes(store: str) -> None:
    _report_and_item(store)
    moment = datetime.now(UTC)
    regraded = _position(_record(store, "regrade", "A", "red", on="2019-03-01"))
    corrected = _position(
        _record(
            store,
            "correct",
            "A",
            "2",
            "--set",
            "grade=green",
            "--what-was-wrong",
            "it went green",
            on="2019-03-05",
        )
    )
    assert regraded < corrected
    as_known = ok(
        invoke(
            "--store",
            store,
            "register",
            "--as-at",
            "2019-11-15",
            "--known-at",
            moment.isoformat(),
            "--format",
            "json",
        )
    )
    answer = json.loads(as_known)
    position = answer[0]["basis_position"]
    assert position < regraded
    assert [row["grade"] for row in answer] == ["amber"]
    again = json.loads(
        ok(
            invoke(
                "--store",
                store,
                "register",
                "--as-at",
                "2019-11-15",
                "--position",
                str(position),
                "--format",
                "json",
            )
        )
    )
    assert [row["grade"] for row in again] == ["amber"]
    assert again[0]["basis_position"] == position
    table = ok(
        invoke(
            "--store", store, "register", "--as-at", "2019-11-15", "--known-at", moment.isoformat()
        )
    )
    assert _stated(table) == position
    later = ok(invoke("--store", store, "register", "--as-at", "2019-11-15", "--format", "json"))
    assert json.loads(later)[0]["basis_position"] == corrected + 1  # its command's record
