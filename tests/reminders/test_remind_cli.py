"""``configure`` with a [reminders] table, ``config`` showing it, and ``recommendations
remind``: a dry run, a run, and two runs started together that send nothing twice."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations import domain
from tests.cli.helpers import clean_env, entry, invoke, ok

from .helpers import OWNER_ROLE, fill
from .servers import smtp_server


def _file(tmp_path: Path, store: str, port: int) -> Path:
    policy = ok(invoke("config", "--store", store, "--as-at", "2017-03-30"))
    assert "[reminders]" in policy  # the preset's, recorded by init
    text = policy.split("\n", 1)[1].split("[reminders]")[0]  # the policy alone
    path = tmp_path / "tracker.toml"
    path.write_text(
        text
        + f"""
[reminders]
due_soon_days = 14
overdue_every_days = 30

[[reminders.ladder]]
role = "owner"
after_days = 0

[[reminders.ladder]]
role = "secretary"
after_days = 60

[[reminders.addresses]]
role = "{OWNER_ROLE}"
email = "hpp@example.org"

[[reminders.addresses]]
role = "secretary"
email = "secretary@example.org"

[reminders.channels.email]
host = "127.0.0.1"
port = {port}
timeout = 5
sender = "tracker@example.org"
""",
        encoding="utf-8",
    )
    return path


def _store(tmp_path: Path) -> str:
    store = f"sqlite:///{tmp_path / 'tracker.db'}"
    with r.Tracker(store, clock=lambda: datetime(2017, 3, 30, 9, tzinfo=UTC)) as tracker:
        fill(tracker, ["1.1", "1.2", "1.3"], due_on=date(2017, 6, 30))
    ok(invoke("init", "--preset", "hmicfrs", "--store", store, *entry(on="2017-03-01")))
    return store


def test_configure_records_the_rules_and_config_shows_them(tmp_path: Path) -> None:
    with smtp_server() as (_, port):
        store = _store(tmp_path)
        file = _file(tmp_path, store, port)
        said = ok(invoke("configure", str(file), "--store", store, *entry(on="2017-03-30")))
        assert "Recorded RemindersConfigured" in said and "Recorded Configured" not in said
        shown = ok(invoke("config", "--store", store, "--as-at", "2017-04-01"))
        assert "[reminders]" in shown and 'email = "hpp@example.org"' in shown
        again = invoke("configure", str(file), "--store", store, *entry(on="2017-03-30"))
        assert again.exit_code == 1 and "no-change" in again.stderr


def test_remind_dry_run_then_run_then_nothing_twice(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        store = _store(tmp_path)
        ok(invoke("configure", str(_file(tmp_path, store, port)), "--store", store, *entry()))
        dry = ok(invoke("remind", "--store", store, "--as-at", "2017-06-20", "--dry-run"))
        assert dry.count("Would record ReminderDue") == 3 and "nothing recorded" in dry
        assert inbox.messages == []
        sent = ok(invoke("remind", "--store", store, "--as-at", "2017-06-20"))
        assert sent.count("Sent due-soon") == 3, sent
        again = ok(invoke("remind", "--store", store, "--as-at", "2017-06-21"))
        assert "0 entries recorded, 0 sent" in again
        assert len(inbox.messages) == 3
        message = inbox.messages[0]
        assert message["From"] == "tracker@example.org"
        assert message.is_multipart()
        assert {part.get_content_type() for part in message.walk()} >= {
            "text/plain",
            "text/html",
        }


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_two_runs_started_together_send_nothing_twice(tmp_path: Path, store_url: str) -> None:
    with smtp_server() as (inbox, port):
        with r.Tracker(store_url, clock=lambda: datetime.now(UTC)) as tracker:
            fill(tracker, [f"1.{n}" for n in range(1, 5)], due_on=date(2017, 6, 30))
        ok(invoke("init", "--preset", "hmicfrs", "--store", store_url, *entry(on="2017-03-01")))
        ok(
            invoke(
                "configure", str(_file(tmp_path, store_url, port)), "--store", store_url, *entry()
            )
        )
        command = [
            sys.executable,
            "-m",
            "recommendations",
            "remind",
            "--store",
            store_url,
            "--as-at",
            "2017-09-01",
        ]
        runs = [
            subprocess.Popen(
                command, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()
        with r.Tracker(store_url) as tracker:
            log = [logged.event for logged in tracker.log()]
        due = [e for e in log if isinstance(e, domain.ReminderDue)]
        sent = [e for e in log if isinstance(e, domain.ReminderSent)]
        # overdue and overdue-again (62 days late, every 30) and escalated, for each of 4
        assert len(due) == 4 * 3
        assert sorted(inbox.ids()) == sorted(e.message_id for e in due)
        assert sorted((e.reference, e.key) for e in sent) == sorted(
            (e.reference, e.key) for e in due
        )
