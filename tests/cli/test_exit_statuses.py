"""Exit statuses that say truthfully whether the entry is in the log, and command ids that
make the natural retry safe: through the real command in a new process."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

import recommendations as r
from recommendations.cli import cli

from .helpers import RAISE, REPORT, entry, invoke, ok, run

RECORDING = (
    "record-inspection",
    "publish-report",
    "raise",
    "assign",
    "regrade",
    "note",
    "change-deadline",
    "claim",
    "reject-claim",
    "discharge",
    "reopen",
    "correct",
    "import",
)


def notes(store: str) -> int:
    """How many progress notes the log holds about 2.16."""
    with r.Tracker(store) as tracker:
        return sum(isinstance(e, r.domain.ProgressNoted) for e in tracker.events("2.16"))


def retry_id(stderr: str) -> str:
    found = re.search(r"--command-id (\S+?)[);]?(?:\s|$)", stderr)
    assert found, stderr
    return found.group(1).rstrip(")")


def test_help_lists_every_exit_status() -> None:
    text = ok(invoke("--help"))
    for status in ("0  done", "1  refused", "2  the command line", "3  recorded", "4  the store"):
        assert status in text


@pytest.mark.parametrize("name", RECORDING)
def test_every_recording_command_takes_a_command_id(name: str) -> None:
    assert name in cli.commands
    assert "--command-id ID" in ok(invoke(name, "--help"))


def test_a_retry_with_the_command_id_records_nothing_new(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    note = ["--store", store, "note", "2.16", "under way", *entry(on="2017-04-01")]
    first = ok(invoke(*note, "--command-id", "note-1"))
    again = ok(invoke(*note, "--command-id", "note-1"))
    assert first == again  # the same entry, at the same position
    assert notes(store) == 1
    other = invoke(*note[:-6], *entry(reason="other", on="2017-04-01"), "--command-id", "note-1")
    assert other.exit_code == 1
    assert "rule 'command-id-unique'" in other.stderr
    assert notes(store) == 1


def _refuse_in_the_trail(path: Path) -> None:
    """The view tables refuse the trail row of an entry whose reason is 'refused'."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
            "WHEN NEW.reason = 'refused' BEGIN SELECT RAISE(ABORT, 'not here'); END"
        )


def test_views_that_refuse_an_entry_refuse_the_command_and_nothing_is_recorded(
    tmp_path: Path,
) -> None:
    # On SQLite the entry, its command record and its view rows are one transaction.
    path = tmp_path / "register.db"
    store = f"sqlite:///{path}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    _refuse_in_the_trail(path)
    note = ["--store", store, "note", "2.16", "n", *entry(reason="refused")]
    first = run(*note)
    stderr = first.stderr.decode()
    assert first.returncode == 1, stderr
    assert "rule 'views-current'" in stderr and "nothing was recorded" in stderr
    assert "log position 5" in stderr and "not here" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert notes(store) == 0
    with r.Tracker(store) as tracker:
        assert tracker.head() == 4
        assert tracker.register().basis.position == 4  # the views were not moved either
    again = invoke(*note, "--command-id", retry_id(stderr))
    assert again.exit_code == 1 and notes(store) == 0
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER refuse")
    ok(invoke(*note, "--command-id", retry_id(stderr)))
    assert notes(store) == 1


def test_recorded_but_the_views_behind_exits_3_and_reads_say_so(tmp_path: Path) -> None:
    # Tables fall behind where another writer added to the log without writing them (here
    # the same file through the eventsourcing:// wrapper, whose views are in its process)
    # and an entry it added cannot be applied.
    path = tmp_path / "register.db"
    store = f"sqlite:///{path}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    _refuse_in_the_trail(path)
    other = f"eventsourcing://eventsourcing.sqlite?sqlite_dbname={path}"
    ok(invoke("--store", other, "note", "2.16", "elsewhere", *entry(reason="refused")))
    note = ["--store", store, "note", "2.16", "n", *entry()]
    first = run(*note)
    stderr = first.stderr.decode()
    assert first.returncode == 3, stderr
    assert first.stdout.decode().startswith("Recorded ProgressNoted")
    assert "was recorded, at log position 7" in stderr and "records nothing new" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert notes(store) == 2  # in the log, as status 3 says
    again = invoke(*note, "--command-id", retry_id(stderr))
    assert again.exit_code == 3, again.stderr
    assert notes(store) == 2
    # Reads answer from the views, and say on one line where they stand.
    shown = run("--store", store, "register", "--format", "json")
    assert shown.returncode == 0, shown.stderr.decode()
    assert "2.16" in shown.stdout.decode()
    warning = shown.stderr.decode().strip()
    assert warning.startswith("warning:") and "up to position 4" in warning
    result = invoke("--store", store, "history", "2.16")
    assert result.exit_code == 0, result.stderr
    assert "up to position 4" in result.stderr
    # The whole trail is listed as the log is read, not from the views: nothing is behind.
    result = invoke("--store", store, "trail", "--format", "json")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert [row["position"] for row in json.loads(result.stdout)][-1] == 7
    rebuilt = run("--store", store, "rebuild")
    assert rebuilt.returncode == 1
    said = rebuilt.stderr.decode().strip()
    assert said.startswith("error:") and "position 5" in said and len(said.splitlines()) == 1
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER refuse")
    shown = invoke("--store", store, "register")
    assert shown.exit_code == 0 and shown.stderr == ""


def test_a_store_that_fails_says_what_to_retry_with(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    store = f"sqlite:///{path}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    with sqlite3.connect(path) as connection:  # the log itself refuses: nothing recorded
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON stored_events "
            "WHEN NEW.originator_version = 2 BEGIN INSERT INTO disk_says_no VALUES (1); END"
        )
    note = ["--store", store, "note", "2.16", "n", *entry()]
    failed = run(*note)
    stderr = failed.stderr.decode()
    assert failed.returncode == 1, stderr
    assert "disk_says_no" in stderr and "retry with --command-id" in stderr
    assert notes(store) == 0
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER refuse")
    ok(invoke(*note, "--command-id", retry_id(stderr)))
    ok(invoke(*note, "--command-id", retry_id(stderr)))
    assert notes(store) == 1


def test_a_log_edited_by_hand_is_one_line_and_status_1(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    store = f"sqlite:///{path}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    ok(invoke("--store", store, "note", "2.16", "n", *entry()))
    with sqlite3.connect(path) as connection:
        connection.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 1",
            (r.domain.recommendation_id("2.16").hex,),
        )
    for read in (["trail"], ["history", "2.16"], ["rebuild"]):
        result = invoke("--store", store, *read)
        said = result.stderr.strip()
        assert result.exit_code == 1, said
        assert said.startswith("error:") and len(said.splitlines()) == 1
        assert "rule 'log-intact'" in said and "position 5" in said
