"""A command's entries, its command record, the tree's rows and the view rows are written in
one transaction on SQLite and PostgreSQL: the views stand at the log's head after every
command, and a failure anywhere, in the views too, writes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

import recommendations as r
from tests.conftest import Clock, report_details, who
from tests.postgres import PostgresDatabase


def _publish() -> r.PublishReport:
    return r.PublishReport(
        reference="R",
        details=report_details(),
        effective_on=date(2017, 3, 2),
        by="clerk",
        reason="published",
    )


def _raise(reference: str) -> r.Raise:
    return r.Raise(reference=reference, report="R", text="Do it.", grade="amber", **who(3, 2))


def _note(reason: str, reference: str = "2.16") -> r.NoteProgress:
    return r.NoteProgress(
        reference=reference,
        note="under way",
        effective_on=date(2017, 4, 1),
        by="clerk",
        reason=reason,
    )


def _same_as_the_fold(tracker: r.Tracker) -> None:
    basis = tracker.basis()
    assert tracker.tables.position() == tracker.head() == basis.position
    got = tracker.register(as_at=basis.as_at, known_at=basis.known_at)
    assert got == tracker.register_by_fold(
        as_at=basis.as_at, known_at=basis.known_at, position=basis.position
    )


def test_the_views_stand_at_the_head_after_every_command(store_url: str, clock: Clock) -> None:
    with r.Tracker(store_url, clock=clock) as tracker:
        tracker.execute(_publish())
        _same_as_the_fold(tracker)
        tracker.execute_many([_raise("2.16"), _raise("2.17")], command_id="raise-both")
        _same_as_the_fold(tracker)
        tracker.execute(_note("first"), command_id="note-1")
        tracker.execute(
            r.Correct(
                reference="2.16",
                version=2,
                what_was_wrong="typo",
                changes={"effective_on": date(2017, 3, 20)},
                **who(4, 2),
            )
        )
        tracker.execute(r.Regrade(reference="2.17", grade="red", **who(3, 10)))  # backdated
        _same_as_the_fold(tracker)
        assert tracker.execute(_note("first"), command_id="note-1").position == 5


# --- a failure in the views writes nothing --------------------------------------------------


@contextmanager
def _sqlite_refusing(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    path = tmp_path / "register.db"

    def refuse() -> None:
        with sqlite3.connect(path) as connection:
            connection.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
                "WHEN NEW.reason = 'refused' BEGIN SELECT RAISE(ABORT, 'not here'); END"
            )

    yield f"sqlite:///{path}", refuse


@contextmanager
def _postgresql_refusing(
    database: PostgresDatabase, *, at_commit: bool
) -> Iterator[tuple[str, Callable[[], None]]]:
    def refuse() -> None:
        with database.connect() as connection:
            connection.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.reason = 'refused' THEN RAISE EXCEPTION 'not here'; END IF; "
                "RETURN NEW; END $$"
            )
            if at_commit:  # the views' rows are written; the commit fails
                connection.execute(
                    "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON rec_audit_trail "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            else:
                connection.execute(
                    "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )

    yield database.url(), refuse


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-at-commit"])
def refusing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Callable[[], None]]]:
    if request.param == "sqlite":
        with _sqlite_refusing(tmp_path) as found:
            yield found
        return
    database = request.getfixturevalue("postgres_database")
    with _postgresql_refusing(database, at_commit=request.param.endswith("commit")) as found:
        yield found


def test_views_that_cannot_take_an_entry_refuse_the_command_whole(
    refusing: tuple[str, Callable[[], None]], clock: Clock, request: pytest.FixtureRequest
) -> None:
    url, refuse = refusing
    at_commit = request.node.callspec.params["refusing"].endswith("commit")
    with r.Tracker(url, clock=clock) as tracker:
        tracker.execute(_publish())
        tracker.execute(_raise("2.16"))
        tracker.execute(_raise("2.17"))
        refuse()
        head = tracker.head()
        before = tracker.register()
        for attempt in (
            lambda: tracker.execute(_note("refused")),
            lambda: tracker.execute(_note("refused"), command_id="note-1"),
            lambda: tracker.execute_many([_note("fine", "2.17"), _note("refused")]),
        ):
            with pytest.raises(r.StoreError) as failed:
                attempt()
            assert "not here" in str(failed.value)
            if url.startswith("postgresql") and at_commit:
                # (a failure at the commit cannot be told from another failure of the store)
                assert failed.value.rule == "store-available", failed.value
            else:
                assert failed.value.rule == "views-current", failed.value
                assert "nothing was recorded" in str(failed.value)
            assert tracker.head() == head  # no entry, no command record
            assert tracker.tables.position() == head
            assert tracker.register().rows == before.rows
        assert tracker.integrity.verify().ok
        # What the views cached while applying went with the transaction: the next
        # entries of the same items are applied on what the tables hold.
        tracker.execute(_note("fine"))
        tracker.execute(_note("fine", "2.17"), command_id="note-1")
        _same_as_the_fold(tracker)
        assert tracker.head() == head + 3
    with r.Tracker(url) as reader:  # a new process's view of it
        _same_as_the_fold(reader)


def test_a_store_written_by_another_program_is_caught_up_after_the_commit(
    tmp_path: Path, clock: Clock
) -> None:
    # An entry added without the views (here by plain eventsourcing.sqlite, on the same
    # file) leaves them behind: the next command's rows wait for catching up, after its
    # commit, which applies both.
    path = tmp_path / "register.db"
    url = f"sqlite:///{path}"
    with r.Tracker(url, clock=clock) as tracker:
        tracker.execute(_publish())
        tracker.execute(_raise("2.16"))
    other = f"eventsourcing://eventsourcing.sqlite?sqlite_dbname={path}"
    with r.Tracker(other, clock=clock) as elsewhere:
        elsewhere.execute(_note("elsewhere"))
    with r.Tracker(url, clock=clock) as tracker:
        assert tracker.tables.position() == 2
        recorded = tracker.execute(_note("here"))
        assert recorded.position == 4
        _same_as_the_fold(tracker)
