"""The audit trail's benchmark still runs alone on a store as it is. No timing is
asserted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import recommendations as r
from tests.conftest import report_details, who
from tests.integration.test_benchmark_smoke import _run


def test_the_audit_trail_runs_alone_on_a_store_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        tracker.execute(
            r.PublishReport(
                reference="R",
                details=report_details(),
                effective_on=date(2017, 3, 2),
                by="clerk",
                reason="published",
            )
        )
        for number in range(3):
            tracker.execute(
                r.Raise(
                    reference=f"2.{number}", report="R", text="Do it.", grade="amber", **who(3, 2)
                )
            )
        head = tracker.head()
    out = _run("views.py", "--trail-only", str(path), "--trail-samples", "5", "--rounds", "2")
    assert "round 2: audit trail: history() [5 samples]" in out and "CPU" in out
    assert "events()+project()" in out and "load average" in out
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == head  # nothing written
