"""A configuration recorded mid-history, on every store: the policy in force either side of
it on both time axes, the register judged by it, the trail and the views' rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import recommendations as r
from recommendations import domain, views
from tests.conftest import Clock, report_details

OVERDUE = domain.Policy(
    scales=(domain.GradingScale.of("rag", "Red", "Amber", "Green", "White"), domain.PEEL),
    kinds=domain.DEFAULT_POLICY.kinds,
    overdue_after_days=90,
)
ENTRY = {"by": "Clerk", "reason": "committee"}


def test_a_configuration_mid_history_on_every_store(store_url: str) -> None:
    clock = Clock(datetime(2019, 12, 1, tzinfo=UTC))
    with r.Tracker(store_url, clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(
                reference="R",
                details=report_details(published_on=date(2019, 1, 10)),
                effective_on=date(2019, 1, 10),
                **ENTRY,
            )
        )
        tracker.execute(
            r.Raise(reference="A", report="R", text="Do A", effective_on=date(2019, 1, 10), **ENTRY)
        )
        before = clock.now + timedelta(seconds=1)
        clock.jump_to(before + timedelta(minutes=1))
        configured = tracker.execute(
            domain.Configure(policy=OVERDUE, effective_on=date(2019, 6, 1), **ENTRY)
        )
        tracker.execute(
            r.Raise(
                reference="B",
                report="R",
                text="Do B",
                grade="white",
                effective_on=date(2019, 6, 1),
                **ENTRY,
            )
        )

        # The effective axis.
        assert tracker.configuration(as_at=date(2019, 5, 31)) == domain.DEFAULT_POLICY
        assert tracker.configuration(as_at=date(2019, 6, 1)) == OVERDUE
        # The recorded axis.
        assert tracker.configuration(as_at=date(2019, 6, 1), known_at=before) == (
            domain.DEFAULT_POLICY
        )
        # A, raised on 10 January with no due date, is overdue 90 days on under the policy
        # in force from 1 June; not before it, nor as known before it was recorded.
        overdue = views.RegisterFilter(overdue=True)
        assert [
            row.reference for row in tracker.register(as_at=date(2019, 7, 1), where=overdue)
        ] == ["A"]
        assert tracker.register(as_at=date(2019, 5, 1), where=overdue).rows == ()
        early = tracker.register(as_at=date(2019, 7, 1), known_at=before, where=overdue)
        assert early.rows == ()
        assert early.basis.position < configured.position
        for as_at in (date(2019, 5, 1), date(2019, 7, 1), date(2019, 9, 1)):
            assert tracker.register(as_at=as_at).rows == tracker.register_by_fold(as_at=as_at).rows

        entries = [e for e in tracker.trail().entries if e.subject == "configuration"]
        assert [(e.position, e.reference, e.event) for e in entries] == [
            (configured.position, "configuration", "Configured")
        ]
        kept = tracker.tables
        kept.catch_up()
        digest = kept.digest() if hasattr(kept, "digest") else None
        kept.rebuild()
        if digest is not None:
            assert kept.digest() == digest
    with r.Tracker(store_url) as reader:  # a store reopened reads its own policy
        if store_url != "memory://":
            assert reader.policy == OVERDUE
            assert reader.register(as_at=date(2019, 7, 1)).rows[0].overdue
