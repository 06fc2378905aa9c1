"""The item logs kept for deciding: kept as recorded, the oldest dropped past the limit,
all forgotten when the log is seen shorter than before."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from recommendations import domain
from recommendations._service import ItemLogs
from tests.conftest import report_details


def _log(reference: str) -> tuple[domain.Event, ...]:
    published = domain.decide_source(
        [],
        domain.PublishReport(
            reference=reference,
            details=report_details(),
            effective_on=date(2017, 3, 2),
            by="Kath Holder",
            reason="published",
        ),
        recorded_at=datetime(2017, 3, 2, tzinfo=UTC),
    )
    return (published,)


def _id(reference: str) -> uuid.UUID:
    return domain.report_id(reference)


def test_logs_are_kept_as_recorded_and_forgotten_on_demand() -> None:
    known = ItemLogs()
    known.remember({_id("A"): _log("A"), _id("B"): _log("B")})
    assert known.get(_id("A")) == _log("A")
    known.forget({_id("A"), _id("unknown")})
    assert known.get(_id("A")) is None
    assert known.get(_id("B")) == _log("B")


def test_the_least_recently_recorded_go_first_past_the_limit() -> None:
    known = ItemLogs(limit=2)
    known.remember({_id("A"): _log("A"), _id("B"): _log("B")})
    known.remember({_id("A"): _log("A")})  # A recorded again: B is now the oldest
    known.remember({_id("C"): _log("C")})
    assert len(known) == 2
    assert known.get(_id("B")) is None
    assert known.get(_id("A")) is not None and known.get(_id("C")) is not None


def test_a_log_seen_shorter_than_before_drops_everything() -> None:
    known = ItemLogs()
    known.remember({_id("A"): _log("A")})
    assert known.saw(5) == 0
    assert known.saw(7) == 5
    assert known.get(_id("A")) is not None
    known.saw(3)  # a store restored from an older copy
    assert known.get(_id("A")) is None
    assert known.seen_head == 3
