"""The decider: each command on the state the ones before it leave, with the references
taken and a recorded time that only grows; what it may trust, and when it reads afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest

import recommendations as r
from recommendations import domain
from recommendations._service import Decider, ItemLogs
from recommendations._service._store import EMPTY

from .parts import NOW, memory_log, publish, raise_, regrade, still


def test_a_batch_is_decided_in_order_on_nothing_saved() -> None:
    decider = Decider(EMPTY, policy=domain.DEFAULT_POLICY, clock=still)
    batch = decider.decide([publish(), raise_(), regrade()])
    assert [type(e).__name__ for e in batch.events] == ["ReportPublished", "Raised", "Regraded"]
    assert batch.head == 0
    # recorded time grows along the batch, from the clock's "now"
    times = [e.recorded_at for e in batch.events]
    assert times == [NOW, NOW + timedelta(microseconds=1), NOW + timedelta(microseconds=2)]
    # the logs of the items recorded, as they will stand
    assert batch.logs[domain.recommendation_id("2.16")] == tuple(batch.events[1:])
    assert not batch.trusted


def test_rehearsal_gives_the_positions_after_the_log() -> None:
    log = memory_log()
    decider = Decider(log, policy=domain.DEFAULT_POLICY, clock=still)
    log.app.save(*decider.decide([publish()]).events)
    decided = decider.rehearse([raise_(), regrade()])
    assert [(d.position, d.version, d.subject) for d in decided] == [
        (2, 1, "recommendation"),
        (3, 2, "recommendation"),
    ]
    assert decided[0].event.recorded_at > NOW  # after the log's last entry
    assert log.head() == 1
    assert decider.rehearse([]) == []


def test_a_clock_without_a_zone_is_refused() -> None:
    decider = Decider(EMPTY, policy=domain.DEFAULT_POLICY, clock=lambda: NOW.replace(tzinfo=None))
    with pytest.raises(r.ConfigurationError) as caught:
        decider.decide([publish()])
    assert caught.value.rule == "aware-time"


def test_references_differing_only_by_case_are_refused_within_a_batch() -> None:
    decider = Decider(EMPTY, policy=domain.DEFAULT_POLICY, clock=still)
    with pytest.raises(r.AlreadyExists) as caught:
        decider.decide([publish(), raise_("CB-21"), raise_("cb-21")])
    assert caught.value.rule == "reference-unique-ignoring-case"


def test_known_logs_are_trusted_only_when_not_asked_to_read_afresh() -> None:
    log = memory_log()
    known = ItemLogs()
    decider = Decider(log, policy=domain.DEFAULT_POLICY, clock=still, known=known)
    first = decider.decide([publish(), raise_()])
    log.app.save(*first.events)
    known.remember(first.logs)
    # another writer's regrade, which this decider does not know of
    other = Decider(log, policy=domain.DEFAULT_POLICY, clock=still)
    log.app.save(*other.decide([regrade()]).events)
    trusting = decider.decide([regrade("2.16", "red")], fresh=False)
    assert trusting.trusted and trusting.events[0].originator_version == 2  # stale: collides
    fresh = decider.decide([regrade("2.16", "red")], fresh=True)
    assert not fresh.trusted and fresh.events[0].originator_version == 3
