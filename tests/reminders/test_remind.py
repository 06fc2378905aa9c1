"""Reminders recorded in the log and sent by email: due soon, overdue, escalated,
cancelled when pointless, never sent twice, and shown in the history and the trail."""

from __future__ import annotations

from datetime import date

import pytest

import recommendations as r
from recommendations import domain
from tests.conftest import who

from .helpers import fill, record_rules, reminders, rules
from .servers import smtp_server


def test_due_soon_then_overdue_then_escalated_each_sent_once(tracker: r.Tracker) -> None:
    with smtp_server() as (inbox, port):
        record_rules(tracker, rules(port), date(2017, 3, 1))
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        run = reminders(tracker)
        assert run.run(date(2017, 6, 1)).recorded == []  # not yet within 14 days
        soon = run.run(date(2017, 6, 20))
        assert [d.rule for d in soon.sent] == ["due-soon"]
        assert run.run(date(2017, 6, 21)).sent == []  # never twice
        late = run.run(date(2017, 7, 1))
        assert [d.rule for d in late.sent] == ["overdue"]
        escalated = run.run(date(2017, 8, 30))
        assert sorted(d.rule for d in escalated.sent) == ["escalated", "overdue-again"]
        assert sorted(m["To"] for m in inbox.messages) == [
            "hpp@example.org",
            "hpp@example.org",
            "hpp@example.org",
            "secretary@example.org",
        ]
        assert len(inbox.messages) == 4
        assert len(set(inbox.ids())) == 4
        trail = tracker.history("1.1")
        names = [e.event for e in trail]
        assert names.count("ReminderSent") == 4
        assert "Escalated" in names
        whole = tracker.trail()
        assert [e.event for e in whole.of("1.1")].count("ReminderDue") == 3


def test_a_moved_deadline_cancels_the_reminder_it_made_pointless(tracker: r.Tracker) -> None:
    with smtp_server() as (inbox, port):
        record_rules(tracker, rules(port, channels=()), date(2017, 3, 1))  # no host: it fails
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        run = reminders(tracker)
        failed = run.run(date(2017, 6, 20))
        assert [d.rule for d, _ in failed.failed] == ["due-soon"]
        tracker.execute(
            r.ChangeDeadline(reference="1.1", due_on=date(2017, 12, 31), **who(4, 1))  # type: ignore[arg-type]
        )
        later = run.run(date(2017, 6, 22))
        cancelled = [e for e in later.recorded if isinstance(e, domain.ReminderCancelled)]
        assert [(e.key, e.reason) for e in cancelled] == [
            ("due-soon:2017-06-30", "the deadline 2017-06-30 was moved")
        ]
        assert later.sent == [] and inbox.messages == []


def test_a_discharge_cancels_and_a_dry_run_records_nothing(tracker: r.Tracker) -> None:
    with smtp_server() as (inbox, port):
        record_rules(tracker, rules(port), date(2017, 3, 1))
        fill(tracker, ["1.1", "1.2"], due_on=date(2017, 6, 30))
        run = reminders(tracker)
        head = tracker.head()
        dry = run.run(date(2017, 7, 2), dry_run=True)
        assert sorted(d.reference for d in dry.sent) == ["1.1", "1.2"]
        assert tracker.head() == head and inbox.messages == []


@pytest.mark.parametrize("store_url", ["memory"], indirect=True)
def test_the_committee_paper_counts_items_reminded_and_escalated(tracker: r.Tracker) -> None:
    from recommendations.paper import CommitteePaper

    with smtp_server() as (_, port):
        record_rules(tracker, rules(port), date(2017, 3, 1))
        fill(tracker, ["1.1", "1.2", "1.3"], due_on=date(2017, 6, 30))
        tracker.execute(
            r.ChangeDeadline(reference="1.3", due_on=date(2018, 6, 30), **who(4, 1))  # type: ignore[arg-type]
        )
        run = reminders(tracker)
        run.run(date(2017, 5, 2))  # nothing due yet: before the previous committee
        run.run(date(2017, 7, 1))
        run.run(date(2017, 9, 1))
    update = tracker.committee_update(since=date(2017, 6, 1), as_at=date(2017, 9, 30))
    assert update.reminded == ("1.1", "1.2")
    assert update.escalated == ("1.1", "1.2")
    paper = CommitteePaper.of(tracker, since=date(2017, 6, 1), as_at=date(2017, 9, 30))
    assert "Owners chased since the previous committee: 2 items reminded, 2 escalated." in (
        paper.markdown()
    )
    assert CommitteePaper.from_json(paper.json()).update.escalated == ("1.1", "1.2")
    earlier = tracker.committee_update(since=date(2017, 3, 1), as_at=date(2017, 6, 1))
    assert earlier.reminded == () and earlier.escalated == ()


@pytest.mark.parametrize("store_url", ["memory"], indirect=True)
def test_a_role_with_no_address_waits_for_one_with_no_failure_recorded(
    tracker: r.Tracker,
) -> None:
    with smtp_server() as (inbox, port):
        record_rules(tracker, rules(port, addresses=()), date(2017, 3, 1))
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        first = reminders(tracker).run(date(2017, 7, 1))
        assert [d.channel for d in first.unaddressed] == [""]
        assert first.sent == [] and first.failed == []
        assert not any(isinstance(e.event, domain.ReminderFailed) for e in tracker.log())
        record_rules(tracker, rules(port), date(2017, 4, 1))
        second = reminders(tracker).run(date(2017, 7, 2))
        assert [d.rule for d in second.sent] == ["overdue"] and len(inbox.messages) == 1
