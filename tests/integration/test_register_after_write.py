"""A tracker that has read the current register keeps it, and after new entries (its own or
another process's) puts the rows they changed in their places: the register it answers is
the one a tracker opened afresh reads, row for row."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

import recommendations as r
from recommendations.sqltables import SqlTables
from recommendations.testing import scenario
from tests.conftest import Clock, who
from tests.logs import play


def _fresh(store_url: str, clock: Clock) -> r.Register:
    with r.Tracker(store_url, clock=clock) as fresh:
        return fresh.register()


def _writes() -> list[r.Command]:
    return [
        r.NoteProgress(reference="2.16", note="still going", **who(5, 2)),
        r.Raise(
            reference="0.1",  # sorts before every other reference
            text="First",
            report="PEEL-2016",
            grade="red",
            due_on=date(2017, 6, 1),
            **who(5, 3),
        ),
        r.Raise(reference="Z.9", text="Last", report="PEEL-2016", grade="green", **who(5, 3)),
        r.Regrade(reference="R1", grade="red", **who(5, 4)),
        r.Correct(reference="R2", version=2, what_was_wrong="no", strike=True, **who(5, 5)),
    ]


def test_the_register_after_each_write_is_the_register_read_afresh(
    store_url: str, clock: Clock
) -> None:
    clock.jump_to(datetime(2017, 6, 1, 9, tzinfo=UTC))
    with r.Tracker(store_url, clock=clock) as tracker:
        assert play(scenario(), tracker.execute) == len(scenario())
        assert tracker.register().rows == tracker.register().rows
        for command in _writes():
            tracker.execute(command)
            assert tracker.register().rows == tracker.register_by_fold().rows, command


def test_a_register_kept_is_brought_up_to_another_process_s_writes(
    store_url: str, clock: Clock
) -> None:
    if store_url == "memory://":
        pytest.skip("a store in memory is not shared with another process")
    clock.jump_to(datetime(2017, 6, 1, 9, tzinfo=UTC))
    with r.Tracker(store_url, clock=clock) as tracker:
        assert play(scenario(), tracker.execute) == len(scenario())
        before = tracker.register()
        views = getattr(tracker, "tables", None)
        kept = getattr(views, "_current", None)
        later = clock.now + timedelta(hours=1)
        script = (
            "import sys, datetime as d, recommendations as r\n"
            "t = r.Tracker(sys.argv[1], clock=lambda: d.datetime.fromisoformat(sys.argv[2]))\n"
            "t.execute(r.NoteProgress(reference='2.16', note='elsewhere', by='Kath Holder',"
            " reason='committee', effective_on=d.date(2017, 5, 2)))\n"
            "t.execute(r.Raise(reference='0.1', text='First', report='PEEL-2016', grade='red',"
            " by='Kath Holder', reason='committee', effective_on=d.date(2017, 5, 2)))\n"
            "t.close()\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, store_url, later.isoformat()], check=True, timeout=120
        )
        clock.jump_to(later + timedelta(minutes=1))
        after = tracker.register()
        assert after.basis.position > before.basis.position
        assert after.rows == _fresh(store_url, clock).rows
        assert after.rows == tracker.register_by_fold().rows
        assert after.rows[0].reference == "0.1"
        if kept is not None:  # the engine's register was kept and brought up to date
            assert getattr(views, "_current", None) is kept


def test_a_register_as_at_an_earlier_day_reads_no_current_row(store_url: str, clock: Clock) -> None:
    clock.jump_to(datetime(2017, 6, 1, 9, tzinfo=UTC))
    with r.Tracker(store_url, clock=clock) as tracker:
        play(scenario(), tracker.execute)
        views = getattr(tracker, "tables", None)
        if not isinstance(views, SqlTables):
            pytest.skip("the view engine of the SQL stores keeps the current register")
        earlier = tracker.register(as_at=date(2017, 3, 3))
        assert getattr(views, "_current", None) is None  # answered from the history alone
        assert earlier.rows == tracker.register_by_fold(as_at=date(2017, 3, 3)).rows
        tracker.register()
        kept = getattr(views, "_current", None)
        assert kept is not None
        tracker.register(as_at=date(2017, 3, 3))
        assert getattr(views, "_current", None) is kept
