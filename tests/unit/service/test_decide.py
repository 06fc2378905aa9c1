"""``Tracker.decide`` and ``decide_many``: what ``execute`` would record, saved nowhere,
refused with the very error ``execute`` raises; on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations._service import EmptyStore
from tests.conftest import who
from tests.unit.service.parts import publish, raise_, regrade

NOW = datetime(2017, 4, 10, 9, tzinfo=UTC)


def _still() -> datetime:
    """A clock that stands still: deciding and recording at the same moment give the same
    recorded time (the tracker moves it on past the log's last entry itself)."""
    return NOW


@pytest.fixture
def still(store_url: str) -> Iterator[r.Tracker]:
    with r.Tracker(store_url, clock=_still) as opened:
        yield opened


def _refusal(tracker: r.Tracker, commands: list[r.Command]) -> tuple[type, str, object]:
    """How ``decide_many`` refuses ``commands``, checked to be how ``execute_many`` does."""
    head = tracker.head()
    with pytest.raises(r.RecommendationsError) as decided:
        tracker.decide_many(commands)
    assert tracker.head() == head
    with pytest.raises(r.RecommendationsError) as executed:
        tracker.execute_many(commands)
    assert tracker.head() == head
    assert type(decided.value) is type(executed.value)
    assert str(decided.value) == str(executed.value)
    assert decided.value.rule == executed.value.rule  # type: ignore[attr-defined]
    assert decided.value.field == executed.value.field  # type: ignore[attr-defined]
    return type(decided.value), str(decided.value), decided.value.rule  # type: ignore[attr-defined]


def test_decide_returns_what_execute_then_records_and_saves_nothing(still: r.Tracker) -> None:
    still.execute(publish())
    head = still.head()
    decided = still.decide(raise_())
    assert still.head() == head
    assert [logged.position for logged in still.log()] == [head]
    with pytest.raises(r.NotFound):
        still.events("2.16")  # nothing was recorded
    assert isinstance(decided, r.Decided)
    assert decided.position == head + 1
    assert (decided.reference, decided.subject, decided.version) == ("2.16", "recommendation", 1)
    assert decided.item == r.domain.recommendation_id("2.16")
    recorded = still.execute(raise_())
    assert (recorded.event, recorded.position) == (decided.event, decided.position)


def test_decide_many_decides_each_on_the_state_the_ones_before_leave(still: r.Tracker) -> None:
    commands: list[r.Command] = [publish(), raise_(), regrade()]
    decided = still.decide_many(commands)
    assert still.head() == 0
    assert [type(d.event).__name__ for d in decided] == ["ReportPublished", "Raised", "Regraded"]
    assert [d.position for d in decided] == [1, 2, 3]
    assert [d.version for d in decided] == [1, 1, 2]
    assert [d.subject for d in decided] == ["report", "recommendation", "recommendation"]
    recorded = still.execute_many(commands)
    assert [(x.event, x.position) for x in recorded] == [(d.event, d.position) for d in decided]
    assert still.decide_many([]) == []


def test_refusals_are_those_of_execute(still: r.Tracker) -> None:
    still.execute_many([publish(), raise_("CB-21")])
    # a recommendation nobody raised, named with another case than the one that exists
    kind, message, _ = _refusal(still, [regrade("cb-21")])
    assert kind is r.NotFound
    assert "'CB-21' differs from it only by case" in message
    # a reference taken already but for its case, in the store and within the batch
    assert _refusal(still, [raise_("cb-21")])[2] == "reference-unique-ignoring-case"
    assert _refusal(still, [raise_("X-1"), raise_("x-1")])[2] == "reference-unique-ignoring-case"
    # a rule of the domain, on the state an earlier command of the batch leaves
    assert _refusal(still, [regrade("CB-21", "green"), regrade("CB-21", "green")])[0] in (
        r.RuleViolation,
        r.TimelineConflict,
    )
    # a successor that does not exist
    discharge = r.Discharge(
        reference="CB-21",
        outcome=r.Outcome.SUPERSEDED,
        superseded_by="CB-99",
        accepted_by="Chief Constable",
        acceptor_role="oversight-board",
        **who(4, 1),  # type: ignore[arg-type]
    )
    assert _refusal(still, [discharge])[0] is r.NotFound
    # something that is not a command
    assert _refusal(still, ["regrade it"])[2] == "type"  # type: ignore[list-item]


def test_decide_reads_every_item_afresh(store_url: str, tmp_path: Path) -> None:
    """A tracker that recorded an item decides on what another writer added since (it
    may trust what it knows only when a version check on saving backs it)."""
    if store_url == "memory://":
        store_url = "memory://decide-afresh"
    with r.Tracker(store_url, clock=_still) as first, r.Tracker(store_url, clock=_still) as other:
        first.execute_many([publish(), raise_()])
        other.execute(regrade("2.16", "green"))
        decided = first.decide(regrade("2.16", "red"))
        assert (decided.version, decided.position) == (3, other.head() + 1)
        assert first.execute(regrade("2.16", "red")).event == decided.event


def test_an_empty_store_decides_as_a_tracker_over_an_empty_store_would() -> None:
    commands: list[r.Command] = [publish(), raise_(), regrade()]
    with r.Tracker("memory://", clock=_still) as tracker:
        expected = tracker.decide_many(commands)
        refused = [publish(), raise_("2.16", report="NO-SUCH-REPORT")]
        with pytest.raises(r.RecommendationsError) as tracked:
            tracker.decide_many(refused)
    empty = EmptyStore(clock=_still)
    assert empty.decide_many(commands) == expected
    assert empty.decide(publish()) == expected[0]
    with pytest.raises(r.RecommendationsError) as alone:
        empty.decide_many(refused)
    assert (type(alone.value), str(alone.value)) == (type(tracked.value), str(tracked.value))
    assert empty.head() == 0
    assert list(empty.log()) == []
    assert empty.recommendations(as_at=date(2017, 1, 1)) == []
    with pytest.raises(r.NotFound):
        empty.events("2.16")
    with pytest.raises(r.NotFound):
        empty.report("PEEL-2016", as_at=date(2017, 3, 2))
