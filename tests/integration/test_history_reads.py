"""``history()`` keeps the logs of the reports and inspections it reads while the log does not
move: a revision recorded since, by this tracker or another, is read all the same."""

from __future__ import annotations

from datetime import date

import pytest

import recommendations as r
from recommendations.views import Audience
from tests.conftest import Clock, report_details, who


def _raise(tracker: r.Tracker, reference: str) -> None:
    tracker.execute(
        r.Raise(
            reference=reference,
            text="Supervise risk assessments",
            report="PEEL-2016",
            grade="amber",
            due_on=date(2017, 6, 30),
            **who(3, 2),
        )
    )


@pytest.mark.parametrize("writer", ["same", "other"])
def test_a_report_made_sensitive_since_the_last_history_is_read_again(
    store_url: str, clock: Clock, writer: str
) -> None:
    if writer == "other" and store_url == "memory://":
        pytest.skip("a store in memory has one tracker")
    with r.Tracker(store_url, clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2))
        )
        _raise(tracker, "2.16")
        _raise(tracker, "2.17")
        assert tracker.history("2.16", audience=Audience.PUBLIC)
        assert tracker.history("2.17", audience=Audience.PUBLIC)  # the report's log kept
        revise = r.ReviseReport(
            reference="PEEL-2016", details=report_details(sensitive=True), **who(3, 3)
        )
        if writer == "same":
            tracker.execute(revise)
        else:
            with r.Tracker(store_url, clock=clock) as other:
                other.execute(revise)
        for reference in ("2.16", "2.17"):
            with pytest.raises(r.NotFound):
                tracker.history(reference, audience=Audience.PUBLIC)
            assert tracker.history(reference, audience=Audience.BODY)
