"""The register's new columns (priority, management's response and its text, the body
addressed) on every store: the view tables give the rows the fold of the log gives, now
and as at earlier dates, on memory, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import attrs

import recommendations as r
from recommendations import domain, views
from tests.conftest import report_details, who


def test_the_new_columns_read_as_the_fold_gives_them(tracker: r.Tracker) -> None:
    policy = attrs.evolve(domain.DEFAULT_POLICY, priorities={"1": "High", "2": "Low"})
    tracker.execute(domain.Configure(policy=policy, **who(3, 1)))
    tracker.execute(r.PublishReport(reference="REP", details=report_details(), **who(3, 2)))
    tracker.execute(
        r.Raise(
            reference="R-1",
            report="REP",
            text="Do it",
            priority="2",
            response=r.Response.AGREED,
            response_text="We shall.",
            addressed_to="College of Policing",
            **who(3, 2),
        )
    )
    tracker.execute(r.Raise(reference="R-2", report="REP", text="Do that", **who(3, 2)))
    tracker.execute(r.Prioritise(reference="R-2", priority="1", **who(3, 10)))
    tracker.execute(
        r.RecordResponse(
            reference="R-2", response=r.Response.NOT_AGREED, response_text="No.", **who(3, 12)
        )
    )
    tracker.execute(r.Prioritise(reference="R-1", priority=None, **who(3, 20)))
    for as_at in (date(2017, 3, 5), date(2017, 3, 11), date(2017, 3, 25)):
        kept = tracker.register(as_at=as_at)
        folded = tracker.register_by_fold(as_at=as_at)
        assert kept.rows == folded.rows, as_at
    now = {row.reference: row for row in tracker.register(as_at=date(2017, 3, 25))}
    assert (now["R-1"].priority, now["R-1"].addressed_to, now["R-1"].response_text) == (
        None,
        "College of Policing",
        "We shall.",
    )
    assert (now["R-2"].priority, now["R-2"].response) == ("1", r.Response.NOT_AGREED)
    before = tracker.register(as_at=date(2017, 3, 5), where=views.RegisterFilter(priority="1"))
    assert [row.reference for row in before] == []
    streamed = [line.row() for line in tracker.stream_register(as_at=date(2017, 3, 25))]
    assert tuple(streamed) == tracker.register(as_at=date(2017, 3, 25)).rows
    by_body = tracker.register(where=views.RegisterFilter(body="College of Policing"))
    assert [row.reference for row in by_body] == ["R-1"]
