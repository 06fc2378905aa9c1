"""Writers meeting on one recommendation: a conflict is decided again until it lands.

Eight processes record on one recommendation at once, on SQLite and PostgreSQL: every
command still holds on the state the others leave, so every one lands, once. Then the
bounds: ``retries=0`` and ``retry_for=0`` give up at the first conflict, and a command that
no longer holds on the new state is refused with the rule it breaks.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

import recommendations as r
from recommendations import domain
from recommendations._tracker import _contended
from tests import writers
from tests.conftest import report_details, who

WRITERS = 8
EACH = 8


def _fill(url: str) -> int:
    with r.Tracker(url) as tracker:
        tracker.execute_many(
            [
                r.PublishReport(
                    reference="PEEL-2016",
                    details=report_details(),
                    effective_on=date(2017, 3, 2),
                    by="Kath Holder",
                    reason="published",
                ),
                r.Raise(
                    reference="2.16",
                    report="PEEL-2016",
                    text="Ensure effective supervision.",
                    grade="amber",
                    **who(3, 2),
                ),
            ]
        )
        return tracker.head()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'register.db'}"


def test_eight_processes_on_one_recommendation_all_land_once(shared_url: str) -> None:
    head = _fill(shared_url)
    context = writers.context()
    gate = context.Barrier(WRITERS)
    results = context.Queue()
    processes = [
        context.Process(target=writers.note_progress, args=(shared_url, n, EACH, gate, results))
        for n in range(WRITERS)
    ]
    for process in processes:
        process.start()
    outcomes = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    failures = [o for outcome in outcomes.values() for o in outcome if o != "ok"]
    assert failures == [], failures
    with r.Tracker(shared_url) as tracker:
        events = tracker.events("2.16")
        notes = [e.note for e in events if isinstance(e, domain.ProgressNoted)]
        assert Counter(notes) == Counter(f"w{n}-{i}" for n in range(WRITERS) for i in range(EACH))
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        # every note, and a record for each command id, and nothing else
        assert tracker.head() == head + WRITERS * EACH + WRITERS * (EACH // 2)
        assert [x.position for x in tracker.log()][-1] <= tracker.head()
        assert tracker.register().rows == tracker.register_by_fold().rows


class _Interleaved:
    """A clock that lets another writer record a note on 2.16 each of the first ``times``
    times it is read: between this writer reading the log and saving its entry."""

    def __init__(self, other: r.Tracker, times: int) -> None:
        self.other, self.left = other, times

    def __call__(self) -> datetime:
        if self.left:
            self.left -= 1
            self.other.execute(r.NoteProgress(reference="2.16", note="theirs", **who(4, 1)))
        return datetime.now(UTC)


@pytest.mark.parametrize(
    ("bounds", "rule"),
    [({"retries": 0}, "one-writer-per-version"), ({"retry_for": 0}, "one-writer-per-version")],
)
def test_a_bound_of_nothing_gives_up_at_the_first_conflict(
    tmp_path: Path, bounds: dict[str, float], rule: str
) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    head = _fill(url)
    with r.Tracker(url) as other, r.Tracker(url, clock=_Interleaved(other, 1), **bounds) as mine:
        mine.head()  # the store is open before the race
        with pytest.raises(r.ConcurrencyError) as caught:
            mine.execute(r.NoteProgress(reference="2.16", note="mine", **who(4, 2)))
        assert (caught.value.reference, caught.value.rule) == ("2.16", rule)
        assert other.head() == head + 1  # theirs only


def test_a_command_that_meets_others_many_times_lands_after_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    head = _fill(url)
    with r.Tracker(url) as other, r.Tracker(url, clock=_Interleaved(other, 6)) as mine:
        recorded = mine.execute(r.NoteProgress(reference="2.16", note="mine", **who(4, 2)))
        assert recorded.position == head + 7
        notes = [e.note for e in other.events("2.16") if isinstance(e, domain.ProgressNoted)]
        assert notes == ["theirs"] * 6 + ["mine"]


def test_a_count_of_retries_still_bounds_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    _fill(url)
    with r.Tracker(url) as other, r.Tracker(url, clock=_Interleaved(other, 6), retries=2) as mine:
        with pytest.raises(r.ConcurrencyError, match="3 times") as caught:
            mine.execute(r.NoteProgress(reference="2.16", note="mine", **who(4, 2)))
        assert caught.value.rule == "one-writer-per-version"


def test_a_command_no_longer_valid_on_the_new_state_is_refused_with_its_rule(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    _fill(url)

    with r.Tracker(url) as other:
        discharged: list[bool] = []

        def discharge_first() -> datetime:
            if not discharged:
                discharged.append(True)
                other.execute(
                    r.Discharge(
                        reference="2.16",
                        outcome=r.Outcome.IMPLEMENTED,
                        accepted_by="HMIC",
                        acceptor_role="inspectorate",
                        **who(4, 1),
                    )
                )
            return datetime.now(UTC)

        with r.Tracker(url, clock=discharge_first) as mine:
            mine.head()
            with pytest.raises(r.RuleViolation) as caught:
                mine.execute(r.Regrade(reference="2.16", grade="red", **who(4, 2)))
            assert caught.value.reference == "2.16"
            assert caught.value.rule != "one-writer-per-version"


@pytest.mark.parametrize("bounds", [{"retries": -1}, {"retries": 1.5}, {"retry_for": -1.0}])
def test_bounds_that_mean_nothing_are_refused(bounds: dict[str, Any]) -> None:
    with pytest.raises(r.ConfigurationError) as caught:
        r.Tracker("memory://", **bounds)
    assert caught.value.field in ("retries", "retry_for")


def test_a_locked_sqlite_file_counts_as_contention(tmp_path: Path) -> None:
    """What SQLite raises when another writer holds the file is told from other failures."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _contended(caught.value)
    try:
        sqlite3.connect(path).execute("SELECT * FROM no_such_table")
    except sqlite3.OperationalError as error:
        assert not _contended(error)


def test_a_postgresql_lock_timeout_counts_as_contention(postgres_database: Any) -> None:
    """A lock not granted within ``lock_timeout`` is contention; a bad query is not."""
    with postgres_database.connect() as holder, postgres_database.connect() as other:
        holder.execute("CREATE TABLE t (x int)")
        with holder.transaction():
            holder.execute("LOCK TABLE t IN EXCLUSIVE MODE")
            other.execute("SET lock_timeout = '10ms'")
            refused: psycopg.Error | None = None
            try:
                with other.transaction():
                    other.execute("LOCK TABLE t IN EXCLUSIVE MODE")
            except psycopg.errors.LockNotAvailable as error:
                refused = error
        assert refused is not None
        assert _contended(refused)
        with pytest.raises(psycopg.Error) as bad:
            other.execute("SELECT * FROM no_such_table")
        assert not _contended(bad.value)
