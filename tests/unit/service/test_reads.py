"""Reads: an item as at a date, the whole log in order, and dates that are not dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

import recommendations as r
from recommendations import domain
from recommendations._service import CatchUp, Decider, LogStore, Reads
from recommendations._service._reads import check_when
from recommendations.stores import InProcessTables, LogSource
from tests.conftest import report_details

from .parts import NOW, memory_log, publish, raise_, regrade, still


def _reads() -> Reads:
    log = memory_log()
    log.app.save(
        *Decider(log, policy=domain.DEFAULT_POLICY, clock=still)
        .decide([publish(), raise_(" ２.16 "), regrade("2.16")])
        .events
    )
    views = InProcessTables(LogSource(log.app.recorder, log.decode_domain))
    return Reads(log, views, CatchUp(views, log.label), still)


def test_an_item_is_read_by_its_reference_in_normal_form() -> None:
    reads = _reads()
    assert reads.resolved("２.16", domain.recommendation_id) == "2.16"
    assert [type(e).__name__ for e in reads.events(" 2.16")] == ["Raised", "Regraded"]
    assert reads.recommendation("2.16", date(2017, 3, 20), None).grade == "amber"
    assert reads.recommendation("2.16", None, None).grade == "green"
    assert reads.report("PEEL-2016", None, None).reference == "PEEL-2016"
    with pytest.raises(r.NotFound, match="as at 2017-03-01"):
        reads.report("PEEL-2016", date(2017, 3, 1), None)
    with pytest.raises(r.NotFound):
        reads.inspection("INS-1", None, None)
    assert [x.position for x in reads.logged_item(domain.recommendation_id("2.16"))] == [2, 3]


def test_the_log_and_the_register_are_read_whole() -> None:
    reads = _reads()
    assert [x.position for x in reads.log(0, 2)] == [1, 2, 3]
    assert [x.position for x in reads.log(1, 2)] == [2, 3]
    assert [s.reference for s in reads.recommendations(None, None)] == ["2.16"]
    assert [s.reference for s in reads.reports(None, None)] == ["PEEL-2016"]
    basis = reads.basis(None, None, 99)
    # The clock stands still: the entries after the first were recorded after "now" (a
    # microsecond apart), so the answer as known now includes the first position only.
    assert (basis.known_at, basis.as_at, basis.position) == (NOW, NOW.date(), 1)
    later = reads.basis(None, NOW + timedelta(seconds=1), 99)
    assert later.position == 3
    assert reads.register(None, None, None, None) == reads.register_by_fold(None, None, None, None)


def test_dates_that_are_not_dates_are_refused() -> None:
    with pytest.raises(r.RuleViolation, match="as_at must be a date"):
        check_when(datetime(2017, 3, 2), None)
    with pytest.raises(r.RuleViolation, match="timezone-aware"):
        check_when(None, datetime(2017, 3, 2))
    check_when(date(2017, 3, 2), NOW)


class _Boom(Exception):
    pass


def _revise(log: LogStore, title: str) -> None:
    command = r.ReviseReport(
        reference="PEEL-2016",
        details=report_details(title=title),
        effective_on=date(2017, 3, 3),
        by="Kath Holder",
        reason="revised",
    )
    log.save(Decider(log, policy=domain.DEFAULT_POLICY, clock=still).decide([command]).events)


def _revised_then_rolled_back(log: LogStore, reads: Reads) -> None:
    with log.held():
        _revise(log, "Rolled back")
        report = reads.source_history(domain.report_id("PEEL-2016"), domain.ReportEvent, 2)
        assert report[-1].details.title == "Rolled back"  # type: ignore[attr-defined]
        raise _Boom


def test_a_report_log_kept_by_the_head_is_not_trusted_after_a_rollback() -> None:
    """A report's log kept for the log's head is dropped when a transaction held open rolls
    back: the head may come back to the same number with another entry."""
    log = memory_log()
    log.save(Decider(log, policy=domain.DEFAULT_POLICY, clock=still).decide([publish()]).events)
    views = InProcessTables(LogSource(log.app.recorder, log.decode_domain))
    reads = Reads(log, views, CatchUp(views, log.label), still)
    with pytest.raises(_Boom):
        _revised_then_rolled_back(log, reads)
    assert log.head() == 1
    _revise(log, "Committed")
    assert log.head() == 2
    report = reads.source_history(domain.report_id("PEEL-2016"), domain.ReportEvent, 2)
    assert report[-1].details.title == "Committed"  # type: ignore[attr-defined]
