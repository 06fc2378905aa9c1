"""The contract every storage adapter passes: test cases to subclass in your own tests.

Each in-tree adapter runs these, and a third party's adapter subclasses them the same way
(it needs ``pytest``)::

    from recommendations.testing import StoreContract, ViewsContract

    class TestMyStore(StoreContract, ViewsContract):
        @pytest.fixture
        def store_url(self, tmp_path):
            return f"mystore:///{tmp_path / 'log'}"   # a fresh, empty store

``store_url`` must name one fresh, empty store: every tracker opened on it during the test
sees the same log. Set ``shared_between_processes = False`` on a store that lives in one
process's memory (the process tests are then skipped with that reason).

:class:`StoreContract` checks that the log keeps every entry exactly as recorded, in one
order, without gaps; that concurrent writers lose nothing and get a clear error or a
retry; and that command ids make retries safe. :class:`ViewsContract` checks that the
adapter's materialised views always equal the pure fold of the log
(:func:`recommendations.views.build_register`), whatever the basis, and that catching up
while writers are in flight never skips an entry.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

import recommendations as r

from . import domain, scenarios, views

__all__ = [
    "CONTRACT",
    "StoreContract",
    "ViewsContract",
    "commands",
    "scenario",
    "scenario_lines",
]

_START = datetime(2017, 6, 1, 9, tzinfo=UTC)


def _when(month: int, day: int) -> dict[str, Any]:
    return {"effective_on": date(2017, month, day), "by": "Kath Holder", "reason": "committee"}


def _report(reference: str, title: str) -> r.ReportDetails:
    return r.ReportDetails(
        title=title,
        body="West Midlands Police",
        inspectorates=("HMIC",),
        published_on=date(2017, 3, 2),
        scale=domain.PEEL,
        overall_grade="good",
        area_grades=(r.AreaGrade("vulnerability", "requires-improvement"),),
        findings=(r.Finding("2.15", r.FindingKind.CAUSE_OF_CONCERN, "Domestic abuse"),),
    )


CONTRACT = "contract.jsonl"
"""The scenario file of :func:`scenario`, among the package's data (see
:mod:`recommendations.scenarios`)."""


def scenario() -> list[domain.Command]:
    """Commands that record every kind of entry: sources, a whole life, a claim rejected,
    a reopening, a correction (the lines of :data:`CONTRACT`), and a few more
    recommendations to fill a register (:func:`commands`)."""
    return [*scenarios.parse(scenarios.read(CONTRACT)), *commands(6)]


def scenario_lines() -> list[str]:
    """:func:`scenario` as the lines of a scenario file (recorded times left to the
    player: see :func:`recommendations.scenarios.play`)."""
    return [*scenarios.read(CONTRACT), *(scenarios.line(each) for each in commands(6))]


def commands(count: int, *, prefix: str = "R") -> list[domain.Command]:
    """``count`` more recommendations of report PEEL-2016, each raised and regraded."""
    made: list[domain.Command] = []
    grades = ("red", "amber", "green")
    for n in range(count):
        reference = f"{prefix}{n}"
        made.append(
            r.Raise(
                reference=reference,
                text=f"Recommendation {reference}",
                report="PEEL-2016",
                grade=grades[n % 3],
                due_on=date(2017, 4, 1) + timedelta(days=n),
                **_when(3, 2 + n % 20),
            )
        )
        made.append(r.Regrade(reference=reference, grade=grades[(n + 1) % 3], **_when(4, 1)))
    return made


class _Clock:
    def __init__(self) -> None:
        self.now = _START
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(minutes=1)
            return self.now


class _Base:
    shared_between_processes: bool = True
    """Whether other processes can open the store ``store_url`` names."""

    @pytest.fixture
    def store_url(self) -> str:
        """The URL of a fresh, empty store: override it."""
        raise NotImplementedError("a contract test class must define the store_url fixture")

    @pytest.fixture
    def open_tracker(self, store_url: str) -> Iterator[Callable[..., r.Tracker]]:
        """Open a tracker on the store (closed at the end of the test)."""
        opened: list[r.Tracker] = []
        clock = _Clock()  # one clock for the test's trackers, as on one machine

        def open_one(**options: Any) -> r.Tracker:
            options.setdefault("clock", clock)
            tracker = r.Tracker(store_url, **options)
            opened.append(tracker)
            return tracker

        yield open_one
        for tracker in opened:
            tracker.close()

    @pytest.fixture
    def filled(self, open_tracker: Callable[..., r.Tracker]) -> r.Tracker:
        """A tracker on the store, with :func:`scenario` played into it (its entries
        recorded on their effective dates, from February to May 2017)."""
        tracker = open_tracker()
        scenarios.play(scenario_lines(), tracker)
        return tracker


class StoreContract(_Base):
    """The log: kept whole, in one order, safe under concurrent writers."""

    def test_an_empty_store(self, open_tracker: Callable[..., r.Tracker]) -> None:
        tracker = open_tracker()
        assert tracker.head() == 0
        assert list(tracker.log()) == []
        assert tracker.register().rows == ()
        with pytest.raises(r.NotFound):
            tracker.recommendation("2.16")

    def test_every_entry_reads_back_as_recorded(
        self, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        tracker = open_tracker()
        recorded = [tracker.execute(command) for command in scenario()]
        logged = list(tracker.log())
        assert [(x.position, x.event) for x in logged] == [(x.position, x.event) for x in recorded]
        kinds = {type(x.event).__name__ for x in logged}
        assert len(kinds) == 14, kinds
        reopened = open_tracker()  # a second tracker reads what the first recorded
        assert [(x.position, x.event) for x in reopened.log()] == [
            (x.position, x.event) for x in logged
        ]
        assert reopened.events("2.16") == tracker.events("2.16")

    def test_positions_have_no_gaps_and_recorded_time_grows(self, filled: r.Tracker) -> None:
        logged = list(filled.log())
        assert [x.position for x in logged] == list(range(1, len(logged) + 1))
        assert filled.head() == len(logged)
        times = [x.event.recorded_at for x in logged]
        assert times == sorted(times)
        assert len(set(times)) == len(times)

    def test_the_log_reads_in_pages(self, filled: r.Tracker) -> None:
        whole = list(filled.log())
        assert list(filled.log(page_size=3)) == whole
        assert list(filled.log(after=5, page_size=2)) == whole[5:]

    def test_a_refused_batch_records_nothing(self, filled: r.Tracker) -> None:
        before = filled.head()
        with pytest.raises(r.RuleViolation) as caught:
            filled.execute_many(
                [
                    r.Regrade(reference="R1", grade="red", **_when(5, 2)),
                    r.Regrade(reference="R2", grade="purple", **_when(5, 2)),
                ]
            )
        assert (caught.value.reference, caught.value.rule) == ("R2", "grade-on-scale")
        assert filled.head() == before

    def test_a_batch_is_decided_in_order_and_recorded_at_once(
        self, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        tracker = open_tracker()
        done = tracker.execute_many(scenario())
        assert [x.position for x in done] == list(range(1, len(done) + 1))
        assert [x.event for x in tracker.log()] == [x.event for x in done]

    def test_a_conflicting_writer_gets_a_concurrency_error(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        done: list[int] = []

        def interleave() -> datetime:
            if not done:  # after the second writer read the log, before it saves
                done.append(
                    filled.execute(
                        r.NoteProgress(reference="R0", note="first", **_when(5, 2))
                    ).position
                )
            return _START

        second = open_tracker(clock=interleave, retries=0)
        before = filled.head()
        with pytest.raises(r.ConcurrencyError) as caught:
            second.execute(r.NoteProgress(reference="R0", note="second", **_when(5, 3)))
        assert (caught.value.reference, caught.value.rule) == ("R0", "one-writer-per-version")
        assert filled.head() == before + 1
        assert [type(e).__name__ for e in filled.events("R0")][-1] == "ProgressNoted"

    def test_a_conflicting_write_is_decided_again(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        done: list[int] = []

        def interleave() -> datetime:
            if not done:
                done.append(
                    filled.execute(
                        r.NoteProgress(reference="R0", note="first", **_when(5, 2))
                    ).position
                )
            return _START

        second = open_tracker(clock=interleave)
        recorded = second.execute(r.NoteProgress(reference="R0", note="second", **_when(5, 3)))
        notes = [e.note for e in filled.events("R0") if isinstance(e, domain.ProgressNoted)]
        assert notes == ["first", "second"]
        assert recorded.position == done[0] + 1

    def test_a_command_id_makes_a_retry_record_nothing(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        command = r.Regrade(reference="R1", grade="red", **_when(5, 2))
        first = filled.execute(command, command_id="ticket-1")
        head = filled.head()
        assert filled.execute(command, command_id="ticket-1") == first
        restarted = open_tracker()  # after a crash or a restart, on another tracker
        assert restarted.execute(command, command_id="ticket-1") == first
        assert filled.head() == head
        assert [e for e in filled.events("R1") if e.originator_version > 2] == [first.event]
        # the record of the command id is not an entry of the log
        assert [x.position for x in filled.log()][-1] == first.position

    def test_a_command_id_reused_for_other_content_is_refused(self, filled: r.Tracker) -> None:
        filled.execute(r.Regrade(reference="R1", grade="red", **_when(5, 2)), command_id="t-2")
        head = filled.head()
        with pytest.raises(r.RuleViolation) as caught:
            filled.execute(
                r.Regrade(reference="R1", grade="green", **_when(5, 2)), command_id="t-2"
            )
        assert (caught.value.reference, caught.value.field, caught.value.rule) == (
            "R1",
            "command_id",
            "command-id-unique",
        )
        assert filled.head() == head

    def test_a_batch_with_a_command_id_is_replayed_whole(self, filled: r.Tracker) -> None:
        batch = commands(3, prefix="B")
        first = filled.execute_many(batch, command_id="import-1")
        assert filled.execute_many(batch, command_id="import-1") == first
        assert len({x.position for x in first}) == len(batch)

    def test_a_log_copied_from_another_store_is_the_same(
        self, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        with r.Tracker("memory://", clock=_Clock()) as source:
            source.execute_many(scenario())
            retried = source.execute(
                r.Regrade(reference="R1", grade="red", **_when(5, 2)), command_id="moved-1"
            )
            target = open_tracker()
            assert target.copy_from(source, batch=7) == source.head()
            assert list(target.log()) == list(source.log())
            # the command ids came too: a retry after the move records nothing
            command = r.Regrade(reference="R1", grade="red", **_when(5, 2))
            assert target.execute(command, command_id="moved-1") == retried
            assert target.head() == source.head()
            known_at = _START + timedelta(days=1)
            assert (
                target.register(known_at=known_at).rows == source.register(known_at=known_at).rows
            )

    def test_an_appended_log_must_follow_on(self, open_tracker: Callable[..., r.Tracker]) -> None:
        with r.Tracker("memory://", clock=_Clock()) as source:
            source.execute_many(scenario())
            events = [x.event for x in source.log()]
        target = open_tracker()
        with pytest.raises(r.RuleViolation) as caught:
            target.append_log(events[1:])
        assert caught.value.rule == "next-version"
        assert target.head() == 0
        target.append_log(events[:5])
        with pytest.raises(r.RuleViolation) as caught:
            target.append_log(events[3:4])
        assert caught.value.rule == "next-version"
        earlier = attrs.evolve(events[5], recorded_at=events[0].recorded_at - timedelta(days=1))
        with pytest.raises(r.RuleViolation) as caught:
            target.append_log([earlier])
        assert caught.value.rule == "recorded-in-order"
        assert target.append_log(events[5:]) == len(events) - 5
        assert [x.event for x in target.log()] == events

    def test_a_tracker_whose_memory_of_an_item_is_out_of_date_records_after_the_other(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        """A tracker may decide from the item logs it last recorded; once another writer
        has moved an item on, its next command is decided on the log as it now stands."""
        first = open_tracker()
        first.execute(r.NoteProgress(reference="R0", note="mine", **_when(5, 2)))
        filled.execute(r.NoteProgress(reference="R0", note="theirs", **_when(5, 2)))
        recorded = first.execute(r.NoteProgress(reference="R0", note="again", **_when(5, 3)))
        notes = [e.note for e in filled.events("R0") if isinstance(e, domain.ProgressNoted)]
        assert notes == ["mine", "theirs", "again"]
        assert recorded.event.originator_version == len(filled.events("R0"))

    def test_a_reference_differing_only_by_case_is_refused_by_every_writer(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        """Each tracker knows the references taken, from the log's entries that create
        items (``select_notifications`` with ``topics``), caught up with other writers."""
        other = open_tracker()
        head = filled.head()

        def raising(reference: str) -> r.Raise:
            return r.Raise(reference=reference, text="t", report="PEEL-2016", **_when(3, 2))

        for tracker, command in (
            (other, raising("r0")),
            (filled, raising("r1")),
            (
                other,
                r.PublishReport(reference="peel-2016", details=_report("x", "x"), **_when(3, 2)),
            ),
            (
                other,
                r.RecordInspection(
                    reference="cdi-2017",
                    details=r.InspectionDetails(title="t", body="b", inspectorates=("HMIC",)),
                    **_when(3, 2),
                ),
            ),
        ):
            with pytest.raises(r.AlreadyExists) as caught:
                tracker.execute(command)
            assert caught.value.rule == "reference-unique-ignoring-case"
        assert filled.head() == head
        other.execute(raising("X1"))
        with pytest.raises(r.AlreadyExists, match="recommendation 'X1'"):
            filled.execute(raising("x1"))

    def test_one_command_id_from_several_writers_at_once_is_recorded_once(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        """Writers racing with one command id (a retry sent while the first is still in
        flight) all get the same outcome, even when the command, decided again on the
        state the first one left, would be refused."""
        command = r.Discharge(
            reference="R0",
            outcome=r.Outcome.IMPLEMENTED,
            accepted_by="HMIC",
            acceptor_role="inspectorate",
            **_when(5, 2),
        )
        head = filled.head()
        gate = threading.Barrier(4)
        outcomes: list[r.Positioned | BaseException] = []

        def send() -> None:
            tracker = open_tracker()
            gate.wait(timeout=30)
            try:
                outcomes.append(tracker.execute(command, command_id="discharge-R0"))
            except BaseException as error:  # reported below
                outcomes.append(error)

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(outcomes) == 4
        assert all(isinstance(o, r.Positioned) for o in outcomes), outcomes
        assert len(set(outcomes)) == 1
        assert filled.head() == head + 2  # the discharge and its command id's record

    def test_threads_writing_lose_nothing(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        """Threads, each with a tracker, write to one recommendation and to their own."""
        head = filled.head()
        writers, each = 4, 5
        errors: list[BaseException] = []

        def write(n: int) -> None:
            try:
                tracker = open_tracker(retries=50)
                for i in range(each):
                    tracker.execute(
                        r.NoteProgress(reference="R0", note=f"w{n}-{i}", **_when(5, 2)),
                        command_id=f"shared-{n}-{i}",
                    )
                    tracker.execute(
                        r.NoteProgress(reference=f"R{n + 1}", note=f"own-{i}", **_when(5, 2))
                    )
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        _check_log(filled, head, writers * each * 2)
        shared = [e.note for e in filled.events("R0") if isinstance(e, domain.ProgressNoted)]
        assert sorted(shared) == sorted(f"w{n}-{i}" for n in range(writers) for i in range(each))

    def test_processes_writing_lose_nothing(self, filled: r.Tracker, store_url: str) -> None:
        """Processes write to one recommendation and to their own, retrying with command
        ids; then each runs its commands again, as after a crash: nothing is doubled."""
        if not self.shared_between_processes:
            pytest.skip("this store lives in one process's memory")
        head = filled.head()
        writers, each = 3, 4
        context = multiprocessing.get_context("spawn")
        for _ in range(2):  # the second round repeats every command id: nothing new
            with context.Pool(writers) as pool:
                results = pool.starmap(
                    _write_in_process, [(store_url, n, each) for n in range(writers)]
                )
            assert all(results), results
        _check_log(filled, head, writers * each * 2)


def _write_in_process(store_url: str, n: int, each: int) -> bool:
    with r.Tracker(store_url, retries=100) as tracker:
        for i in range(each):
            tracker.execute(
                r.NoteProgress(reference="R0", note=f"p{n}-{i}", **_when(5, 2)),
                command_id=f"process-{n}-{i}",
            )
            tracker.execute(
                r.NoteProgress(reference=f"R{n + 1}", note=f"own-{i}", **_when(5, 2)),
                command_id=f"process-own-{n}-{i}",
            )
    return True


def _positions(tracker: r.Tracker, after: int = 0) -> list[int]:
    """Every position in the store after ``after``, command records included."""
    found: list[int] = []
    while True:
        page = tracker._app.recorder.select_notifications(
            start=after, limit=1000, inclusive_of_start=False
        )
        found += [notification.id for notification in page]
        if len(page) < 1000:
            return found
        after = page[-1].id


def _check_log(tracker: r.Tracker, head: int, added: int) -> None:
    """After ``head``, exactly ``added`` entries, no duplicate, and no gap in the store's
    positions; every item's versions whole and recorded in order; and the log copies to
    another store unchanged."""
    logged = list(tracker.log(after=head))
    assert len(logged) == added
    keys = [(x.event.originator_id, x.event.originator_version) for x in logged]
    assert len(set(keys)) == len(keys)
    positions = _positions(tracker)
    assert positions == list(range(1, len(positions) + 1))
    whole = list(tracker.log())
    items: dict[Any, list[domain.Event]] = {}
    for x in whole:
        items.setdefault(x.event.originator_id, []).append(x.event)
    for events in items.values():
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        times = [e.recorded_at for e in events]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
    with r.Tracker("memory://", clock=_Clock()) as copy:
        copy.copy_from(tracker)
        assert list(copy.log()) == whole


class ViewsContract(_Base):
    """The adapter's views: always the fold of the log, whatever the basis."""

    def _bases(self, tracker: r.Tracker) -> Iterator[views.Basis]:
        head = tracker.head()
        times = [x.event.recorded_at for x in tracker.log()]
        for as_at in (
            date(2017, 3, 1),
            date(2017, 3, 2),
            date(2017, 3, 21),
            date(2017, 4, 2),
            date(2017, 4, 5),
            date(2017, 6, 1),
            date(2030, 1, 1),
        ):
            for known_at in (
                times[0],
                times[len(times) // 2],
                times[-1],
                times[-1] + timedelta(days=1),
            ):
                for position in (head // 3, head - 1, head):
                    yield views.Basis(as_at=as_at, known_at=known_at, position=position)

    def _same(
        self, tracker: r.Tracker, basis: views.Basis, where: views.RegisterFilter | None = None
    ) -> None:
        got = tracker.register(
            as_at=basis.as_at, known_at=basis.known_at, position=basis.position, where=where
        )
        expected = tracker.register_by_fold(
            as_at=basis.as_at, known_at=basis.known_at, position=got.basis.position, where=where
        )
        # The basis names the last position the answer includes: the one asked for, or the
        # last before it that was recorded by known_at; asked again there, the same rows.
        assert (
            got.basis.position
            == tracker.basis(
                as_at=basis.as_at, known_at=basis.known_at, position=basis.position
            ).position
        )
        assert got.basis.position <= basis.position
        assert got.rows == expected.rows, basis
        asked = tracker.register_by_fold(
            as_at=basis.as_at, known_at=basis.known_at, position=basis.position, where=where
        )
        assert asked.rows == got.rows, basis

    def test_the_register_is_the_fold_on_every_basis(self, filled: r.Tracker) -> None:
        for basis in self._bases(filled):
            self._same(filled, basis)

    def test_filters_are_the_folds(self, filled: r.Tracker) -> None:
        basis = filled.basis()
        for where in (
            views.RegisterFilter(grade="red"),
            views.RegisterFilter(report="PEEL-2016", status=r.Status.OPEN),
            views.RegisterFilter(reference="2.16"),
            views.RegisterFilter(overdue=True),
        ):
            self._same(filled, basis, where)

    def test_history_is_the_items_entries(self, filled: r.Tracker) -> None:
        trail = filled.history("2.16")
        item = domain.recommendation_id("2.16")
        logged = [x for x in filled.log() if x.event.originator_id == item]
        assert [e.position for e in trail.entries] == [x.position for x in logged]

    def test_views_catch_up_with_another_writer(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        reader = open_tracker()
        before = reader.register()
        filled.execute(r.Regrade(reference="R1", grade="red", **_when(5, 2)))
        after = reader.register()
        assert after.basis.position == before.basis.position + 1
        assert {row.reference: row.grade for row in after.rows}["R1"] == "red"
        self._same(reader, reader.basis())

    def test_a_rebuild_gives_the_same_views(self, filled: r.Tracker) -> None:
        basis = filled.basis()
        before = filled.register(as_at=basis.as_at, known_at=basis.known_at)
        filled.tables.rebuild()
        assert filled.register(as_at=basis.as_at, known_at=basis.known_at).rows == before.rows
        for basis in list(self._bases(filled))[::7]:
            self._same(filled, basis)

    def test_command_records_are_not_in_the_views(self, filled: r.Tracker) -> None:
        filled.execute(r.Regrade(reference="R1", grade="red", **_when(5, 2)), command_id="c-1")
        recorded = filled.execute(
            r.Regrade(reference="R3", grade="red", **_when(5, 2)), command_id="c-2"
        )
        assert filled.head() == recorded.position + 1  # the command record comes last
        positions = [entry.position for entry in filled.trail().entries]
        assert recorded.position in positions
        assert filled.head() not in positions
        self._same(filled, filled.basis())

    def test_catching_up_while_writers_are_in_flight_skips_nothing(
        self, filled: r.Tracker, open_tracker: Callable[..., r.Tracker]
    ) -> None:
        """A reader catches up again and again while threads write: every register it
        reads is the fold at the position it reports, and at the end it holds everything."""
        reader = open_tracker()
        reading = threading.Event()
        reads = [0]
        errors: list[BaseException] = []

        def let_the_reader_in() -> None:
            """Wait (a second at most) for the reader to read again: reads are made to
            fall between writes, however fast the store."""
            before = reads[0]
            deadline = time.monotonic() + 1
            while reads[0] == before and time.monotonic() < deadline:
                time.sleep(0.001)

        def write(n: int) -> None:
            try:
                tracker = open_tracker(retries=50)
                reading.wait(timeout=30)
                for i in range(8):
                    if i % 3 == 1:
                        let_the_reader_in()
                    tracker.execute(r.NoteProgress(reference=f"R{n}", note=f"{i}", **_when(5, 2)))
                    tracker.execute(
                        r.Regrade(
                            reference=f"R{n}",
                            grade=("red", "amber", "green")[(n + 2 + i) % 3],
                            **_when(5, 3 + i),
                        )
                    )
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        seen: list[views.Register] = []
        start = observed = filled.head()
        while any(thread.is_alive() for thread in threads):
            seen.append(reader.register(as_at=date(2030, 1, 1)))
            reads[0] += 1
            reading.set()
            # Positions become visible in commit order: never one before a smaller one.
            page = reader._app.recorder.select_notifications(
                start=observed, limit=1000, inclusive_of_start=False
            )
            assert [n.id for n in page] == list(range(observed + 1, observed + 1 + len(page)))
            observed += len(page)
        for thread in threads:
            thread.join()
        assert errors == []
        seen.append(reader.register(as_at=date(2030, 1, 1)))
        for register in [*seen[:: max(1, len(seen) // 10)], seen[-1]]:
            expected = reader.register_by_fold(
                as_at=register.basis.as_at,
                known_at=register.basis.known_at,
                position=register.basis.position,
            )
            assert register.rows == expected.rows
        assert seen[-1].basis.position == reader.head()
        assert reader.tables.position() == reader.head()
        # The reader did read while writers were in flight, not only before and after.
        between = {x.basis.position for x in seen} - {start, reader.head()}
        assert len(between) >= 2, sorted({x.basis.position for x in seen})
