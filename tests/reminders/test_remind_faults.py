"""``recommendations remind`` killed (SIGKILL) at random points, many times: before it
records what is due, after, in the middle of sending and after sending. Every reminder due
reaches the SMTP server at least once, and none is recorded as sent twice."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import recommendations as r
from recommendations import domain
from recommendations.reminders import KILL_AT, Reminders
from tests.cli.helpers import clean_env

from .helpers import fill, record_rules, rules
from .servers import smtp_server

POINTS = ("before-record", "after-record", "mid-send", "after-send")
ROUNDS = 3 * len(POINTS)
"""Killed runs: each point at least once, the rest at points drawn at random, in a random
order, each on its N-th time there (N drawn too)."""


def _remind(store: str, as_at: str, kill_at: str | None) -> int:
    env = clean_env(**({KILL_AT: kill_at} if kill_at else {}))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recommendations",
            "remind",
            "--store",
            store,
            "--as-at",
            as_at,
            "--lease",
            "0",
        ],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, -9), done.stderr.decode()
    return done.returncode


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_killed_runs_lose_nothing_and_record_nothing_as_sent_twice(
    store_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    chance = random.Random(request.node.nodeid)
    with smtp_server() as (inbox, port):
        with r.Tracker(store_url, clock=lambda: datetime.now(UTC)) as tracker:
            record_rules(tracker, rules(port), date(2017, 3, 1))
            fill(tracker, ["1.1", "1.2", "1.3"], due_on=date(2017, 6, 30))
        days = ["2017-06-20", "2017-07-01", "2017-08-01", "2017-09-01"]
        killed = 0
        order = [*POINTS, *chance.choices(POINTS, k=ROUNDS - len(POINTS))]
        chance.shuffle(order)
        for number, point in enumerate(order):
            killed += (
                _remind(
                    store_url, days[number * len(days) // ROUNDS], f"{point}:{chance.randint(1, 3)}"
                )
                == -9
            )
        with r.Tracker(store_url, clock=lambda: datetime.now(UTC)) as tracker:
            # a run that is not killed finishes what is left (claims of killed runs run out)
            Reminders(tracker, lease=timedelta(0)).run(date(2017, 9, 1))
            log = [logged.event for logged in tracker.log()]
    assert killed >= ROUNDS // 2
    due = {e.message_id: e for e in log if isinstance(e, domain.ReminderDue)}
    sent = Counter((e.reference, e.key) for e in log if isinstance(e, domain.ReminderSent))
    cancelled = {(e.reference, e.key) for e in log if isinstance(e, domain.ReminderCancelled)}
    received = Counter(inbox.ids())
    assert due, "the rules made reminders due"
    for message_id, reminder in due.items():
        if (reminder.reference, reminder.key) in cancelled:
            continue
        assert received[message_id] >= 1, reminder
        assert sent[(reminder.reference, reminder.key)] == 1, reminder
    assert set(received) <= set(due)
    assert max(sent.values()) == 1
