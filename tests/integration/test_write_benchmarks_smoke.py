"""The write path's benchmarks still run: the live apply alone on a store as it is, and bulk
commands against raw saves in CPU time. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import recommendations as r
from tests.integration.test_benchmark_smoke import _run, small_store


def test_the_live_apply_runs_alone_on_a_store_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    small_store(path)
    out = _run("views.py", "--live-only", str(path), "--live", "5", "--rounds", "2")
    assert "round 2:" in out and "events per CPU second" in out and "load average" in out
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == 4 + 10  # it measures the store it is given: a copy
        assert tracker.tables.position() == tracker.head()


def test_bulk_commands_against_raw_saves_in_cpu_time(tmp_path: Path) -> None:
    out = _run("bulk_cpu.py", "--recommendations", "10", "--rounds", "1", "--folder", str(tmp_path))
    assert "round 1: 51 events" in out and "x raw in CPU time" in out


def test_the_floors_of_the_missed_targets_are_measured(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    small_store(path)
    out = _run(
        "floors.py",
        *("--rounds", "1", "--recommendations", "10", "--store", f"sqlite:///{path}"),
        *("--entries", "100", "--reads", "2"),
    )
    targets = (
        "the tree on append",
        "bulk commands",
        "import",
        "full rebuild",
        "live apply",
        "as-at",
    )
    for target in targets:
        assert f"| {target}" in out
    assert "floor / budget" in out and "raw save CPU" in out
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == 4  # read, never written


def test_the_floors_commit_is_made_as_a_store_commits_its_log(tmp_path: Path) -> None:
    """floors.py times a commit in write-ahead-log mode with ``synchronous=FULL``: how a
    SQLite store keeps its log (every commit flushed to the disk)."""
    with r.Tracker(f"sqlite:///{tmp_path / 'store.db'}") as tracker:
        datastore = tracker._log.app.recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert tuple(cursor.fetchone()) == ("wal",)
            cursor.execute("PRAGMA synchronous")
            assert tuple(cursor.fetchone()) == (2,)  # FULL
