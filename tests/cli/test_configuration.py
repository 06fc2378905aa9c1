"""The store's configuration, recorded in its log: `configure`, `config`, and the answers
that follow the policy in force on a date, as known at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations import domain

from .helpers import invoke, ok

ENTRY = ["--by", "Clerk", "--reason", "minutes"]

WHITE = """\
default_scale = "rag"
report_scale = "peel"

[[scales]]
name = "rag"
labels = ["Red", "Amber", "Green", "White"]

[[scales]]
name = "peel"
labels = ["Inadequate", "Requires improvement", "Good", "Outstanding"]

[[kinds]]
name = "recommendation"
acceptors = ["inspectorate", "oversight-board"]
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("white.toml").write_text(WHITE, encoding="utf-8")
    return "sqlite:///r.db"


def _do(store: str, *args: str, on: str) -> str:
    return ok(invoke("--store", store, *args, "--effective", on, *ENTRY))


def _report(store: str) -> None:
    _do(
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


def _raise(store: str, reference: str, grade: str, on: str) -> str:
    return _do(
        store, "raise", reference, "--report", "REP-1", "--text", "Do it", "--grade", grade, on=on
    )


def test_a_store_that_records_no_configuration_reads_as_the_default_policy(store: str) -> None:
    _report(store)
    shown = ok(invoke("--store", store, "config", "--as-at", "2019-06-01"))
    from recommendations import configuration

    assert configuration.policy_from_toml(shown) == domain.DEFAULT_POLICY
    with r.Tracker(store) as tracker:
        assert tracker.configuration() == domain.DEFAULT_POLICY
        assert tracker.policy == domain.DEFAULT_POLICY


def test_a_dry_run_records_nothing_and_makes_no_store(store: str) -> None:
    said = _do(store, "configure", "white.toml", "--dry-run", on="2019-06-01")
    assert "Would record Configured" in said
    assert not Path("r.db").exists()


def test_a_configuration_mid_history_answers_differently_either_side_on_both_axes(
    store: str,
) -> None:
    _report(store)
    _raise(store, "A", "amber", "2019-01-10")
    before_recorded = datetime.now(UTC)
    _do(store, "configure", "white.toml", on="2019-06-01")

    # The effective axis: the policy in force before 1 June has no white grade.
    early = ok(invoke("--store", store, "config", "--as-at", "2019-05-31"))
    late = ok(invoke("--store", store, "config", "--as-at", "2019-06-01"))
    assert '"white"' not in early
    assert '"white"' in late
    refused = _raise_refused(store, "B", "white", "2019-05-15")
    assert "grade-on-scale" in refused
    _raise(store, "B", "white", "2019-06-15")
    # An item keeps the scale it was raised on: A's has no white grade.
    kept = invoke("--store", store, "regrade", "A", "white", "--effective", "2019-07-01", *ENTRY)
    assert kept.exit_code == 1
    assert "grade-on-scale" in kept.stderr

    listed = ok(
        invoke(
            "--store",
            store,
            "register",
            "--as-at",
            "2019-08-01",
            "--grade",
            "White",
            "--format",
            "csv",
        )
    )
    assert [line.split(",")[0] for line in listed.splitlines()[1:]] == ["B"]
    before = invoke("--store", store, "register", "--as-at", "2019-05-01", "--grade", "white")
    assert before.exit_code == 1
    assert "grade-on-scale" in before.stderr

    # The recorded axis: as known before it was recorded, no white grade was in force.
    known = before_recorded.isoformat()
    then = ok(invoke("--store", store, "config", "--as-at", "2019-08-01", "--known-at", known))
    assert '"white"' not in then
    as_known = invoke(
        "--store",
        store,
        "register",
        "--as-at",
        "2019-08-01",
        "--known-at",
        known,
        "--grade",
        "white",
    )
    assert as_known.exit_code == 1
    assert "grade-on-scale" in as_known.stderr

    with r.Tracker(store) as tracker:
        assert "white" not in tracker.configuration(as_at=date(2019, 5, 31)).scale("rag")
        assert "white" in tracker.configuration(as_at=date(2019, 6, 1)).scale("rag")
        assert "white" not in tracker.configuration(
            as_at=date(2019, 6, 1), known_at=before_recorded
        ).scale("rag")
        trail = [e for e in tracker.trail() if e.subject == "configuration"]
        assert [(e.reference, e.event, e.effective_on) for e in trail] == [
            ("configuration", "Configured", date(2019, 6, 1))
        ]


def _raise_refused(store: str, reference: str, grade: str, on: str) -> str:
    result = invoke(
        "--store",
        store,
        "raise",
        reference,
        "--report",
        "REP-1",
        "--text",
        "Do it",
        "--grade",
        grade,
        "--effective",
        on,
        *ENTRY,
    )
    assert result.exit_code == 1, result.output
    return result.stderr


def test_the_same_configuration_again_is_refused_as_no_change(store: str) -> None:
    _do(store, "configure", "white.toml", on="2019-06-01")
    again = invoke("--store", store, "configure", "white.toml", "--effective", "2019-06-01", *ENTRY)
    assert again.exit_code == 1
    assert "rule 'no-change'" in again.stderr


@pytest.mark.parametrize(
    ("text", "field", "rule"),
    [
        ("scales = [", "file", "toml-syntax"),
        ('colour = "red"\n' + WHITE, "colour", "known-key"),
        (
            WHITE.replace('labels = ["Red"', 'labels = ["Red", "red"'),
            "grades",
            "scale-codes-unique",
        ),
        ("overdue_after_days = 0\n" + WHITE, "overdue_after_days", "overdue-days"),
        (
            WHITE.replace('default_scale = "rag"', 'default_scale = "five"'),
            "scale",
            "scale-configured",
        ),
        (WHITE + '\n[statuses]\nopen = "Open"\n', "statuses", "statuses-labelled"),
    ],
)
def test_a_file_that_is_not_a_policy_is_refused_naming_the_field_and_rule(
    store: str, text: str, field: str, rule: str
) -> None:
    Path("bad.toml").write_text(text, encoding="utf-8")
    refused = invoke("--store", store, "configure", "bad.toml", "--effective", "2019-06-01", *ENTRY)
    assert refused.exit_code == 1, refused.output
    assert f"field '{field}'" in refused.stderr, refused.stderr
    assert f"rule '{rule}'" in refused.stderr
    assert not Path("r.db").exists()


SHEET = """\
Ref,Report,Recommendation,RAG,Owner,Due date,Status,Update
A,REP-1,Do A.,White,Head of Custody,,Open,
B,REP-1,Do B.,Amber,Head of Custody,,Open,
"""


def test_an_import_grades_on_the_stores_own_scale(store: str) -> None:
    Path("tracker-2019-06-30.csv").write_text(SHEET, encoding="utf-8")
    _report(store)
    refused = invoke("--store", store, "import", "tracker-2019-06-30.csv", "--by", "Clerk")
    assert refused.exit_code == 1  # the default scale has no white grade
    assert "white" in refused.stderr.lower()
    _do(store, "configure", "white.toml", on="2019-01-01")
    ok(invoke("--store", store, "import", "tracker-2019-06-30.csv", "--by", "Clerk"))
    white = ok(
        invoke(
            "--store",
            store,
            "register",
            "--as-at",
            "2019-07-01",
            "--grade",
            "white",
            "--format",
            "csv",
        )
    )
    assert [line.split(",")[0] for line in white.splitlines()[1:]] == ["A"]
