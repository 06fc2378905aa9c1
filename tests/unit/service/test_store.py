"""The log store: reads and writes of the log, and whatever its engine raises translated;
the empty log answers as a store holding nothing."""

from __future__ import annotations

import sqlite3

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

import recommendations as r
from recommendations import domain
from recommendations._service import Decider
from recommendations._service._store import EMPTY, contended, translated

from .parts import memory_log, publish, raise_, still


def test_the_log_is_read_as_it_was_written() -> None:
    log = memory_log()
    assert log.head() == 0
    assert log.recorded_at(1) is None
    events = Decider(log, policy=domain.DEFAULT_POLICY, clock=still).decide([publish(), raise_()])
    log.app.save(*events.events)
    report, raised = events.events
    assert log.head() == 2
    assert [position for position, _ in log.records(0, 1)] == [1, 2]
    assert [record for _, record in log.records(1, 10)] == [raised]
    assert log.item(report.originator_id) == [report]
    assert log.exists(raised.originator_id)
    assert not log.exists(domain.recommendation_id("2.17"))
    assert log.earlier(raised.originator_id, 1) == []
    assert log.recorded_at(2) == raised.recorded_at
    last = log.last_stored(raised.originator_id)
    assert last is not None and log.decode(last) == raised
    assert log.stored_version(raised.originator_id, 2) is None
    log.close()


def test_engine_errors_become_the_library_s() -> None:
    with pytest.raises(r.StoreError) as failed, translated("sqlite:///x.db"):
        raise sqlite3.OperationalError("disk I/O error")
    assert failed.value.rule == "store-available"
    assert "store 'sqlite:///x.db' failed: OperationalError: disk I/O error" in str(failed.value)
    with pytest.raises(r.ConcurrencyError) as met, translated("memory://", "2.16"):
        raise IntegrityError("taken")
    assert (met.value.rule, met.value.reference) == ("one-writer-per-version", "2.16")
    with pytest.raises(IntegrityError), translated("memory://", conflicts=False):
        raise IntegrityError("taken")  # left for the writer to decide again
    with pytest.raises(TypeError), translated("memory://"):
        raise TypeError("a bug is not a store error")
    with pytest.raises(r.NotFound), translated("memory://"):
        raise r.NotFound("ours pass through", reference="2.16")


def test_a_busy_store_is_told_from_a_failed_one() -> None:
    locked = OperationalError("database is locked")
    locked.__cause__ = sqlite3.OperationalError("database is locked")
    assert contended(locked)
    assert not contended(sqlite3.OperationalError("no such table: stored_events"))
    assert not contended(None)


def test_the_empty_log_holds_nothing() -> None:
    assert (EMPTY.head(), EMPTY.recorded_at(1)) == (0, None)
    assert EMPTY.item(domain.recommendation_id("2.16")) == []
    assert not EMPTY.exists(domain.recommendation_id("2.16"))
    assert EMPTY.select(0, 10, 10, ()) == ()
    with pytest.raises(r.StoreError):
        EMPTY.decode(object())
