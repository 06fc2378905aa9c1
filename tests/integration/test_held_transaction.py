"""A transaction held open across batches (:meth:`Writer.one_transaction`, what a long import
records in): nothing the tracker kept from inside one that rolled back is trusted after
it; the tables are at the log's head when it begins, and never caught up on a connection
of their own inside it; other threads of the same process wait for it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import date

import pytest

import recommendations as r
from recommendations import domain
from recommendations._service._catch_up import CatchUp
from tests.conftest import Clock, who
from tests.integration.test_one_transaction import _publish

WHITE = domain.Policy(
    scales=(domain.GradingScale.of("rag", "Red", "Amber", "Green", "White"), domain.PEEL),
    kinds=domain.DEFAULT_POLICY.kinds,
)


class Boom(Exception):
    """Raised inside the held transaction, to roll it back."""


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """A store two trackers (two processes, in effect) open."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path}/register.db"


def _raise(reference: str, grade: str = "amber") -> r.Raise:
    return r.Raise(reference=reference, report="R", text="Do it.", grade=grade, **who(3, 2))


def _regrade(reference: str, grade: str) -> r.Regrade:
    return r.Regrade(reference=reference, grade=grade, **who(4, 1))


def _configure() -> domain.Configure:
    return domain.Configure(
        policy=WHITE, effective_on=date(2017, 3, 1), by="Clerk", reason="committee"
    )


def _regraded_then_rolled_back(tracker: r.Tracker) -> None:
    with tracker._writer.one_transaction():
        tracker.execute(_regrade("2.18", "red"))
        assert tracker.head() == 3
        raise Boom


def _saved_then_rolled_back(tracker: r.Tracker) -> None:
    """Decided, saved and told to the decider, as the writer does, in a transaction held
    by the log store, which then rolls back."""
    with tracker._log.held():
        decided = tracker._decider.decide([_regrade("2.18", "red")], fresh=False)
        recordings = tracker._log.save(decided.events)
        tracker._decider.known.remember(decided.logs, decided.checked)
        tracker._decider.recorded(3, 3, decided.events)
        assert [recording.notification.id for recording in recordings] == [3]
        raise Boom


def test_nothing_kept_from_a_rolled_back_transaction_is_trusted(
    shared_url: str, clock: Clock
) -> None:
    with r.Tracker(shared_url, clock=clock) as t1, r.Tracker(shared_url, clock=clock) as t2:
        t1.execute_many([_publish(), _raise("2.18")])
        assert t1.head() == 2
        with pytest.raises(Boom):
            _regraded_then_rolled_back(t1)
        assert t1.head() == 2
        # Another writer records a policy with a White grade: the head is 3 again.
        t2.execute(_configure())
        assert t1.head() == 3
        # t1 decides under it (not under the policy it knew at a head of 3 before)
        done = t1.execute(_raise("2.19", "white"))
        assert done.position == 4
        assert t2.recommendation("2.19").grade == "white"


def test_a_rolled_back_transaction_is_not_trusted_even_without_the_writer(
    shared_url: str, clock: Clock
) -> None:
    """What the decider keeps is keyed on the rollbacks the store has seen: a transaction
    held by the log store itself (not through the writer) is not trusted after either."""
    with r.Tracker(shared_url, clock=clock) as t1, r.Tracker(shared_url, clock=clock) as t2:
        t1.execute_many([_publish(), _raise("2.18")])
        with pytest.raises(Boom):
            _saved_then_rolled_back(t1)
        t2.execute(_configure())
        assert t1.execute(_raise("2.19", "white")).position == 4
        # (nor is the item's log it kept from the transaction)
        assert t1.execute(_regrade("2.18", "green")).event.originator_version == 2


# --- the tables at the head inside the held transaction -------------------------------------


class _AppendingInTheGap:
    """After the tables' catch-up, once: another writer appends an entry without its
    tables' rows (as a writer of an older version, or the log's own API, would)."""

    def __init__(self, catch_up: CatchUp, other: r.Tracker, *, always: bool = False) -> None:
        self.quietly = catch_up.quietly
        self.other = other
        self.always = always
        self.times = 0

    def __call__(self) -> r.StoreError | None:
        failure = self.quietly()
        if self.times == 0 or self.always:
            decided = self.other._decider.decide([_raise(f"9.{self.times}")], fresh=True)
            self.other._log.save(decided.events)
        self.times += 1
        return failure


@pytest.fixture
def gap(shared_url: str, clock: Clock) -> Iterator[tuple[r.Tracker, r.Tracker]]:
    with r.Tracker(shared_url, clock=clock) as t1, r.Tracker(shared_url, clock=clock) as t2:
        t1.execute_many([_publish(), _raise("2.18")])
        appending = _AppendingInTheGap(t1._writer.catch_up, t2)
        t1._writer.catch_up.quietly = appending  # type: ignore[method-assign]
        yield t1, t2
        assert appending.times >= 2  # caught up again, once the other writer had appended


def test_an_entry_appended_before_the_lock_is_caught_up_before_recording(
    gap: tuple[r.Tracker, r.Tracker],
) -> None:
    t1, t2 = gap
    with t1._writer.one_transaction():
        done = t1.execute(_regrade("2.18", "red"))
    assert done.position == 4
    assert t1.tables.position() == t1.head() == 4
    assert [row.reference for row in t2.register()] == ["2.18", "9.0"]
    basis = t1.basis()
    assert t1.register(as_at=basis.as_at, known_at=basis.known_at) == t1.register_by_fold(
        as_at=basis.as_at, known_at=basis.known_at, position=basis.position
    )


def _recorded_with_the_tables_behind(tracker: r.Tracker, *, sqlite: bool) -> None:
    """In a held transaction, the tables' position moved back (in it), then a command
    whose refusal is caught inside the block."""
    with tracker._writer.one_transaction():
        datastore = tracker._log.app.recorder.datastore
        with datastore.transaction(commit=True) as cursor:
            table = "rec_tracking" if sqlite else f"{datastore.schema}.rec_tracking"
            cursor.execute(f"UPDATE {table} SET position = 1 WHERE view = 'views'")
        with contextlib.suppress(r.StoreError):  # (the transaction rolls back all the same)
            tracker.execute(_regrade("2.18", "red"))


def _held_while_others_append(tracker: r.Tracker) -> None:
    with tracker._writer.one_transaction():
        tracker.execute(_regrade("2.18", "red"))


def test_tables_never_at_the_head_refuse_the_transaction(shared_url: str, clock: Clock) -> None:
    with r.Tracker(shared_url, clock=clock) as t1, r.Tracker(shared_url, clock=clock) as t2:
        t1.execute_many([_publish(), _raise("2.18")])
        appending = _AppendingInTheGap(t1._writer.catch_up, t2, always=True)
        t1._writer.catch_up.quietly = appending  # type: ignore[method-assign]
        with pytest.raises(r.StoreError) as refused:
            _held_while_others_append(t1)
        assert refused.value.rule == "views-current"
        assert "nothing was recorded" in str(refused.value)
        head = t1.head()
        assert head == 2 + appending.times  # (the other writer's entries only)
        assert t1.recommendation("2.18").grade == "amber"


def test_tables_behind_inside_the_transaction_record_nothing(shared_url: str, clock: Clock) -> None:
    """Tables found behind inside a held transaction are never caught up on their own
    connection (which would wait for it, or say wrongly that the entries were recorded):
    the transaction rolls back, and the error says nothing was recorded."""
    with r.Tracker(shared_url, clock=clock) as tracker:
        tracker.execute_many([_publish(), _raise("2.18")])
        with pytest.raises(r.StoreError) as refused:
            _recorded_with_the_tables_behind(tracker, sqlite=shared_url.startswith("sqlite"))
        assert refused.value.rule == "views-current"
        assert "nothing was recorded" in str(refused.value)
        assert "do not record it again" not in str(refused.value)
        assert tracker.head() == 2
        assert tracker.tables.position() == 2
        assert tracker.recommendation("2.18").grade == "amber"
        assert tracker.execute(_regrade("2.18", "red")).position == 3


# --- other threads of the process -----------------------------------------------------------


def test_another_thread_waits_for_a_held_transaction(shared_url: str, clock: Clock) -> None:
    with r.Tracker(shared_url, clock=clock, retry_for=30) as tracker:
        tracker.execute_many([_publish(), _raise("2.18"), _raise("2.19")])
        if shared_url.startswith("sqlite"):
            # (the pool's wait for its one writing connection, shortened: past it, the
            # command waits again, as for another process's lock)
            tracker._log.app.recorder.datastore.pool.pool_timeout = 0.2
        holding = threading.Event()
        recorded: list[object] = []

        def other() -> None:
            holding.wait()
            try:
                recorded.append(tracker.execute(_regrade("2.19", "green")))
            except Exception as error:  # (reported below)
                recorded.append(error)

        thread = threading.Thread(target=other)
        thread.start()
        with tracker._writer.one_transaction():
            tracker.execute(_regrade("2.18", "red"))
            holding.set()
            thread.join(timeout=1.0)  # it waits, past the pool's own wait
            assert thread.is_alive()
        thread.join(timeout=30)
        (done,) = recorded
        assert isinstance(done, r.Positioned), done
        assert done.position == 5
        assert tracker.recommendation("2.19").grade == "green"
        assert tracker.recommendation("2.18").grade == "red"
