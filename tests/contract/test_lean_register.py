"""The register read leanly: the rows a :class:`~recommendations.views.RegisterStream`
lists, read a page at a time from the view tables as named tuples, are the validated
:class:`~recommendations.views.RegisterRow` objects of the register on the same basis,
field for field and type for type, on SQLite and PostgreSQL, for every audience; and what
is sensitive, kept in the views, is what reading the whole log says."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings

import recommendations as r
from recommendations import domain, views
from recommendations.testing import scenario
from tests.logs import linked_commands, play, secret_scenarios
from tests.postgres import PostgresDatabase

_schemas = itertools.count(1)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2017, 4, 10, 9, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=30, microseconds=250000)
            return self.now


def _bases(tracker: r.Tracker) -> list[dict[str, object]]:
    """Now (the current table); as at an early day as known late; as known part-way; up
    to a position part-way (the history read at a position the views have passed)."""
    log = list(tracker.log())
    middle = log[len(log) // 2]
    late = log[-1].event.recorded_at + timedelta(seconds=1)
    return [
        {"known_at": late},
        {"as_at": date(2016, 3, 1), "known_at": late},
        {"as_at": date(2017, 1, 1), "known_at": middle.event.recorded_at},
        {"position": middle.position, "known_at": late},
    ]


def _check(tracker: r.Tracker) -> None:
    log = [logged.event for logged in tracker.log()]
    everything = views.Sensitivity.of(log)
    assert tracker.sensitivity() == everything
    for basis in _bases(tracker):
        for audience in views.Audience:
            # What register_for answered when it read the whole log for what is sensitive.
            held = views.for_audience(
                tracker.register(**basis),  # type: ignore[arg-type]
                audience,
                sensitive=everything,
            )
            streamed = tracker.stream_register(audience, **basis)  # type: ignore[arg-type]
            lines = list(streamed)
            assert [line.row() for line in lines] == list(held.rows)
            assert lines == [views.RegisterLine.of(row) for row in held.rows]
            for line, row in zip(lines, held.rows, strict=True):
                assert [type(value) for value in line] == [
                    type(value) for value in views.RegisterLine.of(row)
                ]
            assert list(streamed) == lines  # read again, the same rows
            assert len(streamed) == len(lines)
            assert streamed.basis == held.basis
            assert streamed.disclosure == held.disclosure
            assert tracker.register_for(audience, **basis) == held  # type: ignore[arg-type]
        folded = tracker.register_by_fold(**basis)  # type: ignore[arg-type]
        assert [line.row() for line in tracker.stream_register(**basis)] == list(folded.rows)  # type: ignore[arg-type]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=secret_scenarios())
def test_lean_rows_are_the_validated_rows_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_database: PostgresDatabase, commands: list[domain.Command]
) -> None:
    schema = f"lean{next(_schemas)}"
    for url in (f"sqlite:///{tmp_path / schema}.db", postgres_database.url(schema=schema)):
        with r.Tracker(url, clock=_Clock()) as tracker:
            play(commands, tracker.execute)
            _check(tracker)
            kept = getattr(tracker.tables, "sensitivity", None)
            assert kept is not None
            assert kept() == (tracker.head(), tracker.sensitivity())


def test_lean_rows_on_every_store(store_url: str) -> None:
    with r.Tracker(store_url, clock=_Clock()) as tracker:
        play(scenario(), tracker.execute)
        _check(tracker)


def test_what_is_sensitive_is_the_same_after_a_rebuild(tmp_path: Path) -> None:
    with r.Tracker(f"sqlite:///{tmp_path / 'rebuilt.db'}", clock=_Clock()) as tracker:
        play(linked_commands(), tracker.execute)
        everything = views.Sensitivity.of(logged.event for logged in tracker.log())
        assert everything.recommendations and everything.reports
        assert tracker.tables is not None
        before = tracker.tables.digest()
        assert tracker.tables.rebuild() == tracker.head()
        assert tracker.tables.digest() == before
        assert tracker.sensitivity() == everything
