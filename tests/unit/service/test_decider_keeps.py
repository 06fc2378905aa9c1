"""What a decider keeps of what it recorded (the log's head and its recorded time, the
configuration's log): used only while the log's head is the one it recorded, so a batch
decided after another writer's entries sees them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import attrs
import pytest

import recommendations as r
from recommendations import domain
from recommendations._service import Decider, LogStore
from recommendations._service._deciding import Batch
from recommendations._service._store import EMPTY
from recommendations.stores import StoreURL, adapter_for
from tests.conftest import report_details, who

from .parts import NOW, publish, raise_, regrade, still

WHITE = domain.Policy(
    scales=(domain.GradingScale.of("rag", "Red", "Amber", "Green", "White"), domain.PEEL),
    kinds=domain.DEFAULT_POLICY.kinds,
)


class CountingLog(LogStore):
    """A log in memory that counts the reads a decider may spare."""

    def __init__(self) -> None:
        url = StoreURL.parse("memory://")
        super().__init__(adapter_for(url).settings(url), "memory://")
        self.times_read = 0
        self.configurations_read = 0

    def recorded_at(self, position: int) -> datetime | None:
        self.times_read += 1
        return super().recorded_at(position)

    def item(self, originator_id: uuid.UUID) -> list[domain.Event]:
        if originator_id == domain.configuration_id():
            self.configurations_read += 1
        return super().item(originator_id)


def record(log: LogStore, decider: Decider, batch: Batch) -> None:
    """Save ``batch`` and tell ``decider``, as the writer does."""
    positions = sorted(recording.notification.id for recording in log.save(batch.events))
    decider.recorded(positions[0], positions[-1], batch.events)


def configure(log: LogStore, policy: domain.Policy, clock: object = still) -> None:
    """Another writer records ``policy``, in force from 1 March 2017."""
    other = Decider(log, policy=None, clock=clock)  # type: ignore[arg-type]
    command = domain.Configure(
        policy=policy, effective_on=date(2017, 3, 1), by="Clerk", reason="committee"
    )
    log.save(other.decide([command]).events)


def test_what_it_recorded_last_is_not_read_back() -> None:
    log = CountingLog()
    configure(log, WHITE)
    log.times_read = log.configurations_read = 0
    decider = Decider(log, policy=None, clock=still)
    record(log, decider, decider.decide([publish(), raise_()], fresh=False))
    assert (log.times_read, log.configurations_read) == (1, 1)
    record(log, decider, decider.decide([regrade()], fresh=False))
    decided = decider.decide([regrade("2.16", "red")], fresh=False)
    assert (log.times_read, log.configurations_read) == (1, 1)
    assert decided.events[0].recorded_at > NOW  # after its own last entry, as kept
    # asked to read afresh, it reads the configuration (the head's recorded time is that
    # of the record it wrote at that very position: it cannot have changed)
    decider.decide([regrade("2.16", "amber")], fresh=True)
    assert (log.times_read, log.configurations_read) == (1, 2)


def white(reference: str) -> r.Raise:
    """A recommendation graded white, on a scale only :data:`WHITE` has."""
    return attrs.evolve(raise_(reference), grade="white")


def test_another_writers_configuration_is_read() -> None:
    log = CountingLog()
    decider = Decider(log, policy=None, clock=still)
    record(log, decider, decider.decide([publish(), raise_()], fresh=False))
    with pytest.raises(r.RuleViolation) as caught:
        decider.decide([white("2.17")], fresh=False)
    assert caught.value.rule == "grade-on-scale"
    configure(log, WHITE)
    decided = decider.decide([white("2.17")], fresh=False)
    assert decided.events[0].grade == "white"  # type: ignore[attr-defined]


def test_a_configuration_recorded_by_itself_is_read() -> None:
    log = CountingLog()
    decider = Decider(log, policy=None, clock=still)
    record(log, decider, decider.decide([publish(), raise_()], fresh=False))
    command = domain.Configure(
        policy=WHITE, effective_on=date(2017, 3, 1), by="Clerk", reason="committee"
    )
    record(log, decider, decider.decide([command], fresh=False))
    decided = decider.decide([white("2.17")], fresh=False)
    assert decided.events[0].grade == "white"  # type: ignore[attr-defined]


def test_an_entry_after_another_writers_is_recorded_after_it() -> None:
    log = CountingLog()
    decider = Decider(log, policy=None, clock=still)
    record(log, decider, decider.decide([publish(), raise_()], fresh=False))
    later = NOW + timedelta(hours=1)
    other = Decider(log, policy=None, clock=lambda: later)
    log.save(other.decide([raise_("2.17")]).events)  # another item
    decided = decider.decide([regrade("2.16", "red")], fresh=False)
    assert decided.events[0].recorded_at > later


def test_a_report_revised_within_a_batch_is_found_as_revised() -> None:
    revise = r.ReviseReport(
        reference="PEEL-2016",
        details=report_details(body="Staffordshire Police"),
        **who(3, 2),  # type: ignore[arg-type]
    )
    decider = Decider(EMPTY, policy=domain.DEFAULT_POLICY, clock=still)
    batch = decider.decide([publish(), raise_("2.16"), revise, raise_("2.17")])
    bodies = [e.body for e in batch.events if isinstance(e, domain.Raised)]
    assert bodies == ["West Midlands Police", "Staffordshire Police"]
