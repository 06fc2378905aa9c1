"""Recording from the command line: every command that records, its refusals and exit codes,
and how the store is chosen. Exit codes, messages and the store are shown through the real
command in a new process; the breadth of each command's options in this one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import recommendations as r
from recommendations.cli import cli

from .helpers import RAISE, REPORT, clean_env, entry, invoke, ok, run


def test_a_missing_recommendation_and_a_rule_of_the_lifecycle_exit_1(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    ok(invoke("--store", store, *REPORT))
    missing = run("--store", store, "note", "9.99", "x", *entry())
    assert missing.returncode == 1
    assert missing.stderr.decode().startswith("error: recommendation '9.99': rule 'exists':")
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
    result = invoke("--store", f"sqlite:///{tmp_path / 'x.db'}", *args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was opened, so nothing was made


def test_bad_usage_exits_2_from_the_real_command(tmp_path: Path) -> None:
    result = run("--store", f"sqlite:///{tmp_path / 'x.db'}", "regrade", "2.16", "--by", "me")
    assert result.returncode == 2
    assert result.stderr.decode().startswith("Usage: recommendations regrade [OPTIONS]")
    assert "Missing argument 'GRADE'" in result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


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
    # two entries, each with the record of the command id it was recorded under
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == 4
    with r.Tracker(f"sqlite:///{other}") as tracker:
        assert tracker.head() == 4


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
    assert "recommendations init --preset NAME" in message
    assert "recommendations demo" not in message  # never a hint to fill a store with it
    assert not (tmp_path / "recommendations.db").exists()


DISCHARGE = ["--outcome", "implemented", "--accepted-by", "HMIC", "--acceptor-role", "inspectorate"]
NOT_STARTING = {
    "assign": ["assign", "2.16", "Head of Crime", *entry()],
    "regrade": ["regrade", "2.16", "green", *entry()],
    "note": ["note", "2.16", "Plan agreed.", *entry()],
    "change-deadline": ["change-deadline", "2.16", "2017-06-30", *entry()],
    "claim": ["claim", "2.16", "Done.", *entry()],
    "reject-claim": ["reject-claim", "2.16", *entry()],
    "discharge": ["discharge", "2.16", *DISCHARGE, *entry()],
    "reopen": ["reopen", "2.16", *entry()],
    "prioritise": ["prioritise", "2.16", "1", *entry()],
    "respond": ["respond", "2.16", "agreed", *entry()],
    "plan": ["plan", "PEEL-EFF-2016", "agreed", *entry()],
    "correct": ["correct", "2.16", "1", "--strike", "--what-was-wrong", "x", *entry()],
    "register": ["register"],
    "history": ["history", "2.16"],
    "trail": ["trail"],
    "committee-update": ["committee-update", "--since", "2016-12-08"],
    "export": ["export", "-o", "all.json"],
    "rebuild": ["rebuild"],
    "seal": ["seal"],
    "verify": ["verify"],
    "checkpoint": ["checkpoint"],
    "prove": ["prove", "2.16"],
    "erase-person": ["erase-person", "Asha Patel", "--reason", "asked", "--by", "DPO"],
    "erasures": ["erasures"],
    "rollup": ["rollup", "2.16"],
    "reports": ["reports"],
    "serve": ["serve", "--check"],
    "remind": ["remind"],
}
"""A command of each kind that cannot start a store (an import's dry run is tested with
imports)."""


def test_only_a_command_that_can_start_a_store_makes_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped store is named, not made: every command that cannot start a store refuses
    a SQLite file that is not there, and one that can makes it only if an empty store
    accepts what it records."""
    monkeypatch.chdir(tmp_path)
    store = "sqlite:///typo.db"
    for name, args in NOT_STARTING.items():
        refused = invoke("--store", store, *args)
        assert refused.exit_code == 1, (name, refused.output)
        assert refused.stderr.startswith(
            "error: field 'store': rule 'store-exists': store 'sqlite:///typo.db' does not exist"
        ), (name, refused.stderr)
        assert not (tmp_path / "typo.db").exists(), name
    assert sorted(cli.commands) == sorted(
        [
            *NOT_STARTING,
            *("raise", "record-inspection", "publish-report", "import", "demo", "copy"),
            *("init", "configure", "config"),
            *("issue-token", "tokens", "revoke-token"),
            "stores",
            "verifier",
        ]
    )
    # copying from a store that is not there makes no copy either
    refused = invoke("--store", store, "copy", "--from", "sqlite:///no-such-source.db")
    assert refused.exit_code == 1
    assert "rule 'store-exists'" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    # refused by an empty store: no file either
    refused = invoke("--store", store, *RAISE)
    assert refused.exit_code == 1
    assert "rule 'exists': no report 'PEEL-2016' has been entered" in refused.stderr
    refused = invoke("--store", store, *REPORT, "--inspection", "INSP-NONE")
    assert refused.exit_code == 1
    assert "INSP-NONE" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    # accepted: the store is made, with that one entry
    ok(invoke("--store", store, *REPORT))
    assert (tmp_path / "typo.db").exists()
    with r.Tracker(store) as tracker:
        assert tracker.head() == 2  # the entry, and the record of its command id


def test_a_recording_command_names_a_mistyped_store(tmp_path: Path) -> None:
    result = run("--store", "sqlite:///typo.db", "regrade", "X", "green", *entry(), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "error: field 'store': rule 'store-exists': store 'sqlite:///typo.db' does not exist "
        f"(no file 'typo.db' in {str(tmp_path)!r}): start it with `recommendations init "
        "--preset NAME`, an import or an entry, or name another with --store or "
        "RECOMMENDATIONS_STORE\n"
    )
    assert list(tmp_path.iterdir()) == []


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


def test_a_due_date_may_be_a_month_alone(tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 'months.db'}"]
    ok(invoke(*store, *REPORT))
    due = RAISE.index("--due") + 1
    ok(invoke(*store, *RAISE[:due], "2017-03", *RAISE[due + 1 :]))
    with r.Tracker(store[1]) as tracker:
        state = tracker.recommendation("2.16")
        assert (state.due_on, state.due_precision) == (date(2017, 3, 31), "month")
    ok(invoke(*store, "change-deadline", "2.16", "2017-06", *entry(on="2017-03-30")))
    with r.Tracker(store[1]) as tracker:
        state = tracker.recommendation("2.16")
        assert (state.due_on, state.due_shown) == (date(2017, 6, 30), "June 2017")
    ok(invoke(*store, "change-deadline", "2.16", "2017-06-30", *entry(on="2017-03-30")))
    with r.Tracker(store[1]) as tracker:
        assert tracker.recommendation("2.16").due_precision == "day"
    refused = invoke(*store, "change-deadline", "2.16", "2017-13", *entry(on="2017-03-30"))
    assert refused.exit_code == 2
    assert "'2017-13' is not a due date" in refused.output
