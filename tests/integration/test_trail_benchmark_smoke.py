"""The audit trail's benchmark still runs alone on a store as it is. No timing is
asserted."""

from __future__ import annotations

from pathlib import Path

import recommendations as r
from tests.integration.test_benchmark_smoke import _run, small_store


def test_the_audit_trail_runs_alone_on_a_store_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    with r.Tracker(small_store(path)) as tracker:
        head = tracker.head()
    out = _run("views.py", "--trail-only", str(path), "--trail-samples", "5", "--rounds", "2")
    assert "round 2: audit trail: history() [5 samples]" in out and "CPU" in out
    assert "events()+project()" in out and "load average" in out
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == head  # nothing written
