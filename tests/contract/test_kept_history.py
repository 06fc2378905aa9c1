"""A recommendation's history, as a store that keeps each entry as the trail shows it
(SQLite, PostgreSQL) lists it from its trail table in one read, is the history worked out
from the log (the reference, which the memory store answers with): the same entries, value
for value, on any basis, for generated logs with corrections, backdated entries and
sensitive items, and after an erasure."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations import domain, views
from recommendations.testing import scenario
from tests.conftest import BACKENDS, Clock, report_details
from tests.logs import play
from tests.reminders.helpers import fill, record_rules, reminders, rules
from tests.reminders.servers import smtp_server

_START = date(2017, 3, 2)
_names = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Makes the URL of a new, empty store of one kind, as often as asked."""
    if request.param == "memory":
        return lambda: "memory://"
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path / f'kept{next(_names)}.db'}"
    database = request.getfixturevalue("postgres_database")
    return lambda: database.url(schema=f"kept{next(_names)}")


def _folded(
    tracker: r.Tracker, reference: str, known_at: datetime, position: int | None
) -> views.Trail:
    """The reference: the trail of the recommendation's entries and its reminders', read
    from the log and worked out by :func:`views.build_trail`."""
    mine = {domain.recommendation_id(reference), domain.reminders_id(reference)}
    logged = [entry for entry in tracker.log() if entry.event.originator_id in mine]
    return views.build_trail(logged, tracker.basis(known_at=known_at, position=position))


def _same_everywhere(tracker: r.Tracker, known_at: datetime, positions: list[int]) -> int:
    """Check every recommendation's history on each basis; how many were checked."""
    kept = tracker.tables is not None and hasattr(tracker.tables, "kept_trail")
    checked = 0
    references = [row.reference for row in tracker.register().rows]
    for reference in references:
        for position in [None, *positions]:
            for known in (known_at, known_at - timedelta(minutes=15)):
                got = tracker.history(reference, known_at=known, position=position)
                assert got == _folded(tracker, reference, known, position), (reference, position)
                oversight = tracker.history(
                    reference, known_at=known, position=position, audience=views.Audience.OVERSIGHT
                )
                assert oversight == views.for_audience(got, views.Audience.OVERSIGHT)
                checked += 1
        if kept:  # listed from the table, not worked out from the log
            assert tracker._reads.kept_history(reference, known_at, None) is not None
    return checked


def _who(days: int, by: str = "Kath Holder") -> dict[str, Any]:
    return {"effective_on": _START + timedelta(days=days), "by": by, "reason": "committee"}


def _step(kind: int, reference: str, days: int, number: int) -> domain.Command:
    when = _who(days, by=f"Clerk {number % 3}")
    day = _START + timedelta(days=days)
    if kind == 0:
        return r.NoteProgress(reference=reference, note=f"note {number}", **when)
    if kind == 1:
        return r.Regrade(reference=reference, grade=("red", "amber", "green")[number % 3], **when)
    if kind == 2:
        return r.ChangeDeadline(
            reference=reference, due_on=day + timedelta(days=30 + number), **when
        )
    if kind == 3:
        return r.Assign(reference=reference, owner=f"Owner {number}", **when)
    if kind == 4:
        return r.Correct(
            reference=reference,
            version=1 + number % 4,
            what_was_wrong="wrong",
            changes={"effective_on": day} if number % 2 else {"text": f"Text {number}"},
            **when,
        )
    if kind == 5:
        return r.Correct(
            reference=reference, version=2 + number % 4, what_was_wrong="never", strike=True, **when
        )
    if kind == 6:
        return r.ClaimImplementation(
            reference=reference, note=f"done {number}", evidence=(f"file {number}",), **when
        )
    return r.RejectClaim(reference=reference, **when)


def _commands(steps: list[tuple[int, str, int]]) -> list[domain.Command]:
    commands: list[domain.Command] = [
        r.PublishReport(reference="PEEL-2016", details=report_details(), **_who(0)),
        r.Raise(
            reference="1.1",
            text="Supervise risk assessments",
            report="PEEL-2016",
            grade="amber",
            due_on=_START + timedelta(days=90),
            **_who(0),
        ),
        r.Raise(
            reference="1.2",
            text="Train the custody staff",
            report="PEEL-2016",
            grade="red",
            sensitive=True,
            **_who(0),
        ),
    ]
    latest = 0
    for number, (kind, reference, jump) in enumerate(steps):
        # Mostly forward in effective time, now and then back (a backdated entry).
        latest = max(latest, latest + jump - 20)
        offset = latest if jump >= 10 else max(0, latest - jump * 3)
        commands.append(_step(kind, reference, offset, number))
    return commands


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(["1.1", "1.2"]), st.integers(0, 60)),
        min_size=1,
        max_size=25,
    ),
    cut=st.floats(0.0, 1.0),
)
def test_the_kept_history_is_the_history_worked_out_from_the_log(
    new_url: Any, steps: list[tuple[int, str, int]], cut: float
) -> None:
    clock = Clock(datetime(2021, 1, 4, 9, tzinfo=UTC))
    with r.Tracker(new_url(), clock=clock) as tracker:
        play(_commands(steps), tracker.execute)
        head = tracker.head()
        positions = sorted({max(1, int(head * cut)), 3, head - 1})
        assert _same_everywhere(tracker, clock.now, positions) > 0


def test_a_trail_kept_before_a_rebuild_and_after_it_is_the_same(new_url: Any) -> None:
    clock = Clock(datetime(2021, 1, 4, 9, tzinfo=UTC))
    with r.Tracker(new_url(), clock=clock) as tracker:
        play(scenario(), tracker.execute)
        before = {row.reference: tracker.history(row.reference) for row in tracker.register().rows}
        if tracker.tables is not None:
            tracker.tables.rebuild()
        for reference, trail in before.items():
            again = tracker.history(reference, known_at=trail.basis.known_at)
            assert again == trail
        _same_everywhere(tracker, clock.now, [5, 20])


def test_an_erased_person_reads_erased_in_every_kept_history(new_url: Any) -> None:
    clock = Clock(datetime(2021, 1, 4, 9, tzinfo=UTC))
    url = new_url()
    if url.startswith("memory"):
        pytest.skip("a store in memory has no tables of its own to erase in")
    with r.Tracker(url, clock=clock) as tracker:
        play(scenario(), tracker.execute)
        reference = tracker.register().rows[0].reference
        assert "Kath Holder" in repr(tracker.history(reference))
        tracker.erase_person("Kath Holder", reason="asked to be forgotten", by="Data officer")
        for row in tracker.register().rows:
            trail = tracker.history(row.reference)
            assert "Kath Holder" not in repr(trail)
            assert all(entry.actor == "[erased]" for entry in trail)
        _same_everywhere(tracker, clock.now, [5, 20])


def test_a_recommendations_reminders_are_kept_in_its_history(tracker: r.Tracker) -> None:
    with smtp_server() as (_, port):
        record_rules(tracker, rules(port), date(2017, 3, 1))
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        run = reminders(tracker)
        for day in (date(2017, 6, 20), date(2017, 7, 1), date(2017, 8, 30)):
            run.run(day)
    trail = tracker.history("1.1")
    assert [e.event for e in trail].count("ReminderSent") == 4
    assert trail == _folded(tracker, "1.1", trail.basis.known_at, None)
    if tracker.tables is not None and hasattr(tracker.tables, "kept_trail"):
        assert tracker._reads.kept_history("1.1", trail.basis.known_at, None) == trail
