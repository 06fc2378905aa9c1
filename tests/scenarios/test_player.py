"""Scenario files: commands written as lines and played back give the same log, on every
store; a line the rules refuse is named and nothing is written; the demonstration's file
gives the register and paper figures of 30 March 2017."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

import recommendations as r
from recommendations import demo, scenarios, testing
from recommendations.paper import CommitteePaper
from tests.conftest import BACKENDS


class _Clock:
    """Recorded times a minute apart from 1 June 2017, as a test machine's clock."""

    def __init__(self) -> None:
        self.minutes = 0

    def __call__(self) -> datetime:
        self.minutes += 1
        return datetime(2017, 6, 1, 9, self.minutes % 60, tzinfo=UTC)


def test_commands_written_as_lines_play_back_as_the_same_log(store_url: str) -> None:
    with r.Tracker("memory://", clock=_Clock()) as source:
        written = list(scenarios.record(source, testing.scenario()))
        with r.Tracker(store_url) as copy:
            assert scenarios.play(written, copy) == len(written) == source.head()
            assert list(copy.log()) == list(source.log())
            known = datetime(2017, 7, 1, tzinfo=UTC)
            assert copy.register(known_at=known) == source.register(known_at=known)


def test_a_line_carries_the_command_document_and_its_recorded_time() -> None:
    correction = r.Correct(
        reference="2.16",
        version=3,
        what_was_wrong="the note was on the wrong day",
        changes={"effective_on": date(2017, 3, 21)},
        effective_on=date(2017, 3, 21),
        by="Kath Holder",
        reason="committee",
    )
    data = json.loads(scenarios.line(correction, datetime(2017, 3, 21, 9, tzinfo=UTC)))
    assert data == {
        "recorded_at": "2017-03-21T09:00:00+00:00",
        "type": "Correct",
        "effective_on": "2017-03-21",
        "by": "Kath Holder",
        "reason": "committee",
        "reference": "2.16",
        "version": 3,
        "what_was_wrong": "the note was on the wrong day",
        "changes": {"effective_on": "2017-03-21"},
    }
    report = next(c for c in testing.scenario() if isinstance(c, r.PublishReport))
    assert json.loads(scenarios.line(report))["details"]["scale"] == "peel"  # by name
    assert scenarios.command(json.loads(scenarios.line(report))) == report


def test_every_command_reads_back_from_its_line() -> None:
    commands = testing.scenario()
    assert [scenarios.command(json.loads(scenarios.line(c))) for c in commands] == commands


def test_lines_without_a_recorded_time_follow_their_effective_dates() -> None:
    commands = testing.scenario()[:4]  # effective on 1 and 10 February, 2 and 3 March
    with r.Tracker("memory://") as tracker:
        scenarios.play([scenarios.line(command) for command in commands], tracker)
        times = [logged.event.recorded_at for logged in tracker.log()]
    assert times == [
        datetime(2017, 2, 1, 9, tzinfo=UTC),  # 09:00 UTC on its effective date
        datetime(2017, 2, 10, 9, tzinfo=UTC),
        datetime(2017, 3, 2, 9, tzinfo=UTC),
        datetime(2017, 3, 3, 9, tzinfo=UTC),
    ]
    backdated = [scenarios.line(commands[2]), scenarios.line(commands[0])]
    with r.Tracker("memory://") as tracker:
        scenarios.play(backdated, tracker)  # a second after the entry before it
        times = [logged.event.recorded_at for logged in tracker.log()]
    assert times == [
        datetime(2017, 3, 2, 9, tzinfo=UTC),
        datetime(2017, 3, 2, 9, 0, 1, tzinfo=UTC),
    ]


def test_a_refused_line_is_named_and_nothing_is_written() -> None:
    written = [scenarios.line(command) for command in testing.scenario()]
    regrade = r.Regrade(
        reference="2.16", grade="purple", effective_on=date(2017, 5, 2), by="K", reason="r"
    )
    with r.Tracker("memory://") as tracker:
        with pytest.raises(scenarios.ScenarioError) as refused:
            scenarios.play([*written, "", scenarios.line(regrade)], tracker)
        assert refused.value.line == len(written) + 2
        assert f"line {len(written) + 2}: " in str(refused.value)
        assert refused.value.reference == "2.16"
        assert tracker.head() == 0
        with pytest.raises(scenarios.ScenarioError) as unreadable:
            scenarios.play(['{"type": "Regrade", "reference": "2.16"}'], tracker)
        assert (unreadable.value.line, unreadable.value.rule) == (1, "command-fields")
        with pytest.raises(scenarios.ScenarioError) as not_json:
            scenarios.play(["{"], tracker)
        assert not_json.value.rule == "json-line"
        assert tracker.head() == 0


def test_a_store_with_entries_is_refused() -> None:
    with r.Tracker("memory://") as tracker:
        tracker.execute(testing.scenario()[0])
        with pytest.raises(r.ConfigurationError) as refused:
            scenarios.play(scenarios.read(), tracker)
        assert refused.value.rule == "scenario-empty-store"
        assert tracker.head() == 1


def test_the_demonstration_file_gives_the_paper_of_30_march_2017() -> None:
    with r.Tracker("memory://") as tracker:
        assert demo.install(tracker) == len(scenarios.read()) == 169
        paper = CommitteePaper.of(
            tracker, since=demo.PREVIOUS_COMMITTEE, as_at=demo.COMMITTEE
        ).markdown()
        known = datetime(2017, 1, 15, 23, 59, tzinfo=UTC)
        then = {row.reference: row for row in tracker.register(known_at=known).rows}
        times = [logged.event.recorded_at for logged in tracker.log()]
    assert (
        "66 recommendations on the register as at 30 March 2017: 64 open (0 Red, 9 Amber, "
        "55 Green) and 2 discharged" in paper
    )
    assert "Log checkpoint: 169 entries" in paper
    assert times == sorted(times)
    # recorded in 2016-2017: the history since 2014 entered on 1 March 2016, then day by day
    assert times[0] == datetime(2016, 3, 1, 9, tzinfo=UTC)
    assert all(time.year in (2016, 2017) for time in times)
    assert times[-1].date() == date(2017, 3, 16)
    # as known on 15 January 2017: the December mistake put right, the March reports not in
    assert (then["CB-12"].grade, then["CB-21"].grade, then["CB-03"].grade) == (
        "green",
        "amber",
        "amber",
    )
    assert len(then) == 64 and "PEEL-EFF-2016-1" not in then


@pytest.fixture(params=[b for b in BACKENDS if b != "memory"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store two trackers can open at once: SQLite's file, or PostgreSQL."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'register.db'}"


def test_another_writer_waits_for_the_play_that_began(shared_url: str) -> None:
    with r.Tracker("memory://", clock=_Clock()) as source:
        written = list(scenarios.record(source, testing.scenario()))
        played = list(source.log())
    other_inspection = attrs.evolve(testing.scenario()[0], reference="OTHER-2017")
    appended: list[BaseException | None] = []

    def append() -> None:
        try:
            with r.Tracker(shared_url) as other:
                other.execute(other_inspection)
            appended.append(None)
        except BaseException as error:  # reported by the assertion below
            appended.append(error)

    writer = threading.Thread(target=append)

    def progress(done: int, total: int) -> None:
        if done == 1:  # the play's transaction has begun: the other writer waits for it
            writer.start()
            writer.join(timeout=1)

    with r.Tracker(shared_url) as tracker:
        assert scenarios.play(written, tracker, progress=progress) == len(written)
        writer.join()
        assert appended == [None]
        # The play's entries, whole and first; the other writer's after them.
        log = list(tracker.log())
        assert log[: len(written)] == played
        assert [type(e.event).__name__ for e in log[len(written) :]] == ["InspectionRecorded"]


def test_a_store_written_to_before_the_play_locks_it_is_refused(shared_url: str) -> None:
    with r.Tracker(shared_url) as tracker:
        tracker.execute(testing.scenario()[0])
        taken: list[int] = []

        def batches() -> Iterator[list[r.domain.Event]]:
            taken.append(1)
            yield []

        with pytest.raises(r.ConfigurationError) as refused:
            tracker._write_staged(batches(), begin=scenarios._refuse_entries)
        assert refused.value.rule == "scenario-empty-store"
        assert taken == []  # refused under the lock, before anything was decided
        assert tracker.head() == 1
