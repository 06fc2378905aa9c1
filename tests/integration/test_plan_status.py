"""A report's improvement plan: its status as history, on both time axes, in every store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import recommendations as r
from recommendations import domain
from recommendations.configuration import preset
from tests.conftest import Clock, report_details, who


def _plan(status: str, month: int, day: int, reference: str = "PEEL-2016") -> r.ChangePlanStatus:
    return r.ChangePlanStatus(reference=reference, status=status, **who(month, day))  # type: ignore[arg-type]


def _start(tracker: r.Tracker) -> None:
    tracker.execute(domain.Configure(policy=preset("hmics"), **who(1, 1)))  # type: ignore[arg-type]
    tracker.execute(
        r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2))  # type: ignore[arg-type]
    )


def test_a_plan_moves_through_its_statuses_as_at_any_date_as_known_at_any_time(
    tracker: r.Tracker, clock: Clock
) -> None:
    _start(tracker)
    assert tracker.report("PEEL-2016").plan_status is None
    tracker.execute(_plan("draft", 3, 5))
    tracker.execute(_plan("submitted", 3, 20))
    before_agreement = clock.now
    recorded = tracker.execute(_plan("agreed", 4, 5))
    assert isinstance(recorded.event, domain.PlanStatusChanged)
    assert recorded.event.status == "agreed"
    now = tracker.report("PEEL-2016")
    assert (now.plan_status, now.plan_since) == ("agreed", date(2017, 4, 5))
    assert tracker.report("PEEL-2016", as_at=date(2017, 3, 4)).plan_status is None
    assert tracker.report("PEEL-2016", as_at=date(2017, 3, 10)).plan_status == "draft"
    assert tracker.report("PEEL-2016", as_at=date(2017, 3, 31)).plan_status == "submitted"
    known = tracker.report("PEEL-2016", known_at=before_agreement)
    assert known.plan_status == "submitted"
    # the details are untouched by the plan's entries, and the reports list shows it too
    assert now.details == report_details()
    (listed,) = tracker.reports(as_at=date(2017, 3, 10))
    assert listed.plan_status == "draft"
    assert tracker.configuration().plan_label("draft") == "In draft"


def test_a_backdated_plan_status_takes_its_place_on_the_effective_axis(
    tracker: r.Tracker, clock: Clock
) -> None:
    _start(tracker)
    tracker.execute(_plan("submitted", 3, 20))
    first = clock.now
    tracker.execute(_plan("draft", 3, 5))  # entered late
    assert tracker.report("PEEL-2016").plan_status == "submitted"
    assert tracker.report("PEEL-2016", as_at=date(2017, 3, 10)).plan_status == "draft"
    assert tracker.report("PEEL-2016", as_at=date(2017, 3, 10), known_at=first).plan_status is None


@pytest.mark.parametrize(
    ("command", "field", "rule"),
    [
        (_plan("approved", 3, 5), "status", "plan-status-configured"),
        (_plan("draft", 3, 1), "effective_on", "not-before-entered"),
        (_plan(" ", 3, 5), "status", "required"),
    ],
)
def test_a_refused_plan_status_names_the_report_the_field_and_the_rule(
    tracker: r.Tracker, command: r.ChangePlanStatus, field: str, rule: str
) -> None:
    _start(tracker)
    head = tracker.head()
    with pytest.raises(r.RuleViolation) as refused:
        tracker.execute(command)
    assert (refused.value.reference, refused.value.field, refused.value.rule) == (
        "PEEL-2016",
        field,
        rule,
    )
    assert tracker.head() == head


def test_the_same_status_again_and_an_unknown_report_are_refused(tracker: r.Tracker) -> None:
    _start(tracker)
    tracker.execute(_plan("draft", 3, 5))
    head = tracker.head()
    with pytest.raises(r.RuleViolation) as same:
        tracker.execute(_plan("draft", 3, 9))
    assert (same.value.field, same.value.rule) == ("status", "no-change")
    with pytest.raises(r.NotFound) as missing:
        tracker.execute(_plan("draft", 3, 9, reference="NO-SUCH"))
    assert missing.value.reference == "NO-SUCH"
    assert tracker.head() == head


def test_a_policy_without_plan_statuses_records_none(clock: Clock) -> None:
    with r.Tracker("memory://", clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2))  # type: ignore[arg-type]
        )
        with pytest.raises(r.RuleViolation) as refused:
            tracker.execute(_plan("draft", 3, 5))
        assert (refused.value.field, refused.value.rule) == ("status", "plan-scale-configured")
        assert tracker.head() == 1


def test_the_plans_entries_read_back_from_the_log_and_the_trail(tracker: r.Tracker) -> None:
    _start(tracker)
    tracker.execute(_plan("draft", 3, 5))
    last = list(tracker.log())[-1].event
    assert isinstance(last, domain.PlanStatusChanged)
    assert last.status == "draft"
    assert last.recorded_at > datetime(2017, 1, 1, tzinfo=UTC)
    entry = tracker.trail().entries[-1]
    assert (entry.reference, entry.event, entry.effective_on) == (
        "PEEL-2016",
        "PlanStatusChanged",
        date(2017, 3, 5),
    )


def test_a_plan_entry_is_a_leaf_of_the_tree_and_the_log_verifies(tracker: r.Tracker) -> None:
    _start(tracker)
    tracker.execute(_plan("draft", 3, 5))
    found = tracker.integrity.verify()
    assert found.ok, found.problems
    assert found.size == found.head == tracker.head() == 3


def test_the_update_leaves_a_sensitive_item_out_of_the_public_counts_by_kind_and_claims(
    clock: Clock,
) -> None:
    with r.Tracker("memory://", clock=clock) as tracker:
        _start(tracker)
        for reference, sensitive in (("OPEN-1", False), ("SECRET-1", True)):
            tracker.execute(
                r.Raise(
                    reference=reference,
                    report="PEEL-2016",
                    text="Act",
                    owner="Custody",
                    sensitive=sensitive,
                    grade="draft",
                    **who(3, 2),  # type: ignore[arg-type]
                )
            )
            tracker.execute(
                r.ClaimImplementation(reference=reference, note="Done", **who(3, 20))  # type: ignore[arg-type]
            )
        tracker.execute(_plan("submitted", 3, 25))
        body = tracker.committee_update(since=date(2017, 3, 1), as_at=date(2017, 4, 1))
        public = tracker.committee_update(
            since=date(2017, 3, 1), as_at=date(2017, 4, 1), audience=r.views.Audience.PUBLIC
        )
    assert [a.row.reference for a in body.awaiting] == ["OPEN-1", "SECRET-1"]
    assert [a.row.reference for a in public.awaiting] == ["OPEN-1"]
    assert [(k.kind, k.total, k.claimed) for k in body.kinds] == [
        ("recommendation", 2, 2),
        ("area-for-development", 0, 0),
    ]
    assert [(k.kind, k.total, k.claimed) for k in public.kinds] == [
        ("recommendation", 1, 1),
        ("area-for-development", 0, 0),
    ]
    assert public.counts[0].report.plan_status == "submitted"
    assert public.plan_label("submitted") == "Submitted"
