"""Recording from the command line: every command that records, its refusals and exit codes,
and how the store is chosen. Exit codes, messages and the store are shown through the real
command in a new process; the breadth of each command's options in this one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import recommendations as r

from .helpers import clean_env, entry, invoke, ok, run

REPORT = [
    "publish-report",
    "PEEL-2016",
    "--title",
    "PEEL: effectiveness 2016",
    "--body",
    "West Midlands Police",
    "--inspectorate",
    "HMIC",
    "--overall-grade",
    "good",
    "--area-grade",
    "vulnerability",
    "requires-improvement",
    "--finding",
    "2.15",
    "cause-of-concern",
    "Domestic abuse risk assessment",
    *entry(reason="report published", on="2017-03-02"),
]
RAISE = [
    "raise",
    "2.16",
    "--report",
    "PEEL-2016",
    "--finding",
    "2.15",
    "--text",
    "Supervise DASH risk assessments.",
    "--point",
    "effective supervision of the initial risk assessment",
    "--grade",
    "amber",
    "--owner",
    "Head of Public Protection",
    "--owner-name",
    "Jo Bloggs",
    "--due",
    "2017-03-02",
    *entry(reason="new", on="2017-03-02"),
]


def _register(store: str, *extra: str) -> list[dict[str, object]]:
    rows = json.loads(ok(invoke("--store", store, "register", "--format", "json", *extra)))
    assert isinstance(rows, list)
    return rows


def test_every_recording_command_fills_a_fresh_store(store: str) -> None:
    """Each command records one entry and says which, with its log position."""
    steps: list[tuple[list[str], str]] = [
        (
            [
                "record-inspection",
                "INSP-PEEL-2016",
                "--title",
                "PEEL effectiveness",
                "--body",
                "West Midlands Police",
                "--inspectorate",
                "HMIC",
                "--fieldwork-from",
                "2016-10-03",
                "--fieldwork-to",
                "2016-10-07",
                "--hot-debrief",
                "2016-10-07",
                "--expected-report",
                "early 2017",
                "--national",
                *entry(reason="inspection", on="2016-10-03"),
            ],
            "Recorded InspectionRecorded: inspection 'INSP-PEEL-2016', entry 1, effective "
            "2016-10-03, at log position 1",
        ),
        (
            [*REPORT, "--inspection", "INSP-PEEL-2016"],
            "Recorded ReportPublished: report 'PEEL-2016', entry 1",
        ),
        (RAISE, "Recorded Raised: recommendation '2.16', entry 1, effective 2017-03-02"),
        (["assign", "2.16", "Head of Crime", *entry()], "Recorded Assigned"),
        (["regrade", "2.16", "green", *entry()], "Recorded Regraded"),
        (["note", "2.16", "Plan agreed.", "--evidence", "minutes", *entry()], "ProgressNoted"),
        (["change-deadline", "2.16", "2017-06-30", *entry()], "Recorded DeadlineChanged"),
        (["claim", "2.16", "Done.", "--evidence", "audit", *entry()], "ImplementationClaimed"),
        (["reject-claim", "2.16", *entry(reason="one district only")], "ClaimRejected"),
        (["claim", "2.16", "Done everywhere.", *entry()], "Recorded ImplementationClaimed"),
        (
            [
                "discharge",
                "2.16",
                "--outcome",
                "implemented",
                "--accepted-by",
                "HMIC",
                "--acceptor-role",
                "inspectorate",
                *entry(),
            ],
            "Recorded Discharged: recommendation '2.16', entry 9",
        ),
        (["reopen", "2.16", *entry(reason="revisit")], "Recorded Reopened"),
        (
            [
                "correct",
                "2.16",
                "5",
                "--set",
                "due_on=2017-07-31",
                "--what-was-wrong",
                "mistyped",
                *entry(),
            ],
            "Recorded Corrected: recommendation '2.16', entry 11",
        ),
        (
            ["correct", "2.16", "4", "--strike", "--what-was-wrong", "not said", *entry()],
            "Recorded Corrected: recommendation '2.16', entry 12",
        ),
        (["change-deadline", "2.16", "none", *entry(on="2017-03-31")], "DeadlineChanged"),
    ]
    for position, (args, said) in enumerate(steps, start=1):
        out = ok(invoke("--store", store, *args))
        assert said in out, (args, out)
        assert f"at log position {position} " in out, (args, out)

    [row] = _register(store, "--as-at", "2017-03-31")
    assert row["reference"] == "2.16"
    assert (row["grade"], row["status"], row["owner"], row["due_on"]) == (
        "green",
        "open",
        "Head of Crime",
        None,
    )
    assert row["owner_name"] is None  # the new owner was named by role only
    history = json.loads(ok(invoke("--store", store, "history", "2.16", "--format", "json")))
    assert len(history) == 13
    assert history[3]["struck_out"] is True
    assert history[4]["corrected_by"] == [11]
    [before] = _register(store, "--as-at", "2017-03-02")
    assert (before["grade"], before["owner_name"]) == ("amber", "Jo Bloggs")


def test_a_refused_command_exits_1_naming_the_recommendation_and_the_rule(store: str) -> None:
    ok(run("--store", store, *REPORT))
    ok(run("--store", store, *RAISE))
    refused = run("--store", store, "regrade", "2.16", "purple", *entry())
    assert refused.returncode == 1
    message = refused.stderr.decode()
    assert message.count("\n") == 1, message
    assert message == (
        "error: recommendation '2.16': field 'grade': rule 'grade-on-scale': 'purple' is not "
        "on scale 'rag' (red, amber, green)\n"
    )
    assert refused.stdout == b""
    with r.Tracker(store) as tracker:
        assert tracker.head() == 2  # nothing was recorded

    early = run("--store", store, "assign", "2.16", "Someone", *entry(on="2017-01-01"))
    assert early.returncode == 1
    assert "recommendation '2.16'" in early.stderr.decode()
    assert "rule 'not-before-raised'" in early.stderr.decode()
    assert b"Traceback" not in early.stderr


def test_a_missing_recommendation_and_a_rule_of_the_lifecycle_exit_1(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    missing = run("--store", store, "note", "9.99", "x", *entry())
    assert missing.returncode == 1
    assert missing.stderr.decode().startswith("error: recommendation '9.99': rule 'exists':")
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    ok(
        invoke(
            "--store",
            store,
            "discharge",
            "2.16",
            "--outcome",
            "closed-by-inspectorate",
            "--accepted-by",
            "HMIC",
            "--acceptor-role",
            "inspectorate",
            *entry(),
        )
    )
    after = run("--store", store, "regrade", "2.16", "green", *entry(on="2017-03-31"))
    assert after.returncode == 1
    assert "rule 'not-after-discharge'" in after.stderr.decode()
    wrong = run(
        "--store",
        store,
        "correct",
        "2.16",
        "1",
        "--set",
        "due_on=31/03/2017",
        "--what-was-wrong",
        "x",
        *entry(),
    )
    assert wrong.returncode == 1
    assert wrong.stderr.decode().startswith(
        "error: recommendation '2.16': field 'due_on': rule 'type': '31/03/2017'"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["regrade", "2.16", "green", "--reason", "x"], "Missing option '--by'"),
        (["regrade", "2.16", "--by", "me", "--reason", "x"], "Missing argument 'GRADE'"),
        (
            ["regrade", "2.16", "green", "--by", "me", "--reason", "x", "--effective", "30/3/17"],
            "is not a date: write it as YYYY-MM-DD",
        ),
        (["register", "--format", "docx"], "'docx' is not one of"),
        (["register", "--known-at", "yesterday"], "is not a date and time"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["correct", "2.16", "1", "--by", "me", "--reason", "x", "--what-was-wrong", "y"], "--set"),
        (["import", "no-such-file.csv", "--by", "me"], "does not exist"),
        (["committee-update", "--as-at", "2017-03-30"], "Missing option '--since'"),
    ],
    ids=[
        "no-by",
        "no-grade",
        "bad-date",
        "bad-format",
        "bad-time",
        "no-command",
        "correct-nothing",
        "no-file",
        "no-since",
    ],
)
def test_bad_usage_exits_2(args: list[str], said: str, tmp_path: Path) -> None:
    result = run("--store", f"sqlite:///{tmp_path / 'x.db'}", *args)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was opened, so nothing was made


def test_the_store_comes_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "from-env.db"
    env = clean_env(RECOMMENDATIONS_STORE=f"sqlite:///{path}")
    ok(run(*REPORT, cwd=tmp_path, env=env))
    ok(run(*RAISE, cwd=tmp_path, env=env))
    assert path.exists()
    assert not (tmp_path / "recommendations.db").exists()
    rows = json.loads(ok(run("register", "--format", "json", cwd=tmp_path, env=env)))
    assert [row["reference"] for row in rows] == ["2.16"]
    # --store wins over the environment, before or after the command's name
    other = tmp_path / "other.db"
    ok(run("--store", f"sqlite:///{other}", *REPORT, cwd=tmp_path, env=env))
    ok(run(*RAISE, "--store", f"sqlite:///{other}", cwd=tmp_path, env=env))
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == 2
    with r.Tracker(f"sqlite:///{other}") as tracker:
        assert tracker.head() == 2


def test_the_default_store_is_a_file_in_the_working_directory(
    tmp_path: Path, console_script: Path
) -> None:
    ok(run(*REPORT, cwd=tmp_path, script=True))
    said = ok(run(*RAISE, cwd=tmp_path, script=True))
    assert said.startswith("Recorded Raised: recommendation '2.16', entry 1")
    assert (tmp_path / "recommendations.db").exists()
    out = ok(run("register", "--as-at", "2017-03-30", cwd=tmp_path, script=True))
    assert "2.16" in out
    assert "Head of Public Protection" in out
    assert "As at 2017-03-30" in out


def test_reading_a_store_that_is_not_there_makes_no_file(tmp_path: Path) -> None:
    result = run("register", cwd=tmp_path)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert message.startswith("error: field 'store': rule 'store-exists':")
    assert "recommendations demo" in message
    assert not (tmp_path / "recommendations.db").exists()


def test_a_store_url_with_an_unknown_scheme_is_refused(tmp_path: Path) -> None:
    result = run("--store", "nosuch://x", "register", cwd=tmp_path)
    assert result.returncode == 1
    assert "rule 'store-scheme'" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_help_answers_for_the_group_and_every_command(console_script: Path) -> None:
    from recommendations.cli import cli

    top = ok(run("--help", script=True))
    assert "RECOMMENDATIONS_STORE" in top
    assert "sqlite:///recommendations.db" in top
    for name in cli.commands:
        text = ok(invoke(name, "--help"))
        assert text.startswith(f"Usage: cli {name}") or f" {name} " in text, name
        assert "--help" in text
    assert ok(run("-h")) == top


def test_help_imports_no_engine_and_no_file_format() -> None:
    """``recommendations --help`` stays quick: nothing heavy is imported for it."""
    code = (
        "import sys\n"
        "from recommendations.cli import main\n"
        "status = main(['--help'])\n"
        "heavy = {'eventsourcing', 'openpyxl', 'matplotlib', 'fpdf', 'rich', 'pypdf',"
        " 'psycopg', 'recommendations_sqlite'}\n"
        "print(status, sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=clean_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 []"
