"""The persistence module a ``sqlite://`` store names: ``eventsourcing.sqlite``, with the
log's Merkle tree kept beside it.

:class:`Recorder` inserts each batch's leaf hashes (and the interior nodes kept) in the
same transaction as its entries, so the tree and the log never disagree; a store made
before the tree opens as before, and ``recommendations seal`` builds its tree.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.persistence import (
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)

from recommendations.integrity._erase import ErasedRows, forget_person, plan
from recommendations.integrity._holding import Holding, give_holding, held_by, persistence_error
from recommendations.integrity._recorders import Batches, BeginCheck, entries_of, insert_together
from recommendations.integrity._sql import SqlTables, create_statements
from recommendations.integrity._tree import TreeWriter

__all__ = ["Factory", "Recorder"]

ViewsWithin = Callable[[Any, Sequence[int], Sequence[StoredEvent]], None]
"""What applies entries to the views in the transaction that inserts them (given its
cursor, their positions and the records): :meth:`~recommendations.sqltables.SqlTables.within`."""


def _persistence_error(error: sqlite3.Error) -> PersistenceError:
    """The ``eventsourcing`` error a transaction of its own raises for ``error``."""
    return persistence_error(error, sqlite3)


class HeldDatastore(SQLiteDatastore, Holding[SQLiteConnection]):
    """``eventsourcing.sqlite``'s datastore, able to hold one write transaction open in a
    thread (:meth:`hold`): meanwhile every transaction that thread asks for is a savepoint
    within it, on its connection, so that what it reads includes what it wrote, and what
    it writes commits, or rolls back, at once when the held transaction ends."""

    _savepoints: Iterator[int]

    @contextmanager
    def _held_transaction(self) -> Iterator[SQLiteConnection]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock taken at once), held
        until the block ends: committed then, rolled back if it raises."""
        with self.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                cursor.sqlite_cursor.close()
                raise _persistence_error(error) from error
            try:
                yield connection
                cursor.execute("COMMIT")
            except BaseException as failure:
                # (SQLite may have rolled back already: on a full disk, say)
                with contextlib.suppress(sqlite3.Error):
                    if connection._sqlite_conn.in_transaction:
                        cursor.execute("ROLLBACK")
                if isinstance(failure, sqlite3.Error):
                    raise _persistence_error(failure) from failure
                raise
            finally:
                cursor.sqlite_cursor.close()

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        connection = self._held_connection()
        if connection is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        if commit and not connection._sqlite_conn.in_transaction:
            # SQLite rolled the held transaction back (a full disk, say): nothing more may
            # be written in it, lest it be committed on its own (a read sees the store as
            # it was: what a writer asks to learn whether its entries are in the log).
            raise OperationalError("the transaction held open was rolled back by SQLite")
        name = f"held_{next(self._savepoints)}"
        cursor = connection.cursor()
        try:
            cursor.execute(f"SAVEPOINT {name}")
            try:
                yield cursor
            except BaseException:
                # (SQLite may have rolled the whole transaction back already, on a full
                # disk: then there is no savepoint left, and the error raised says why)
                with contextlib.suppress(sqlite3.Error):
                    cursor.execute(f"ROLLBACK TO {name}")
                    cursor.execute(f"RELEASE {name}")
                raise
            if not commit:
                cursor.execute(f"ROLLBACK TO {name}")
            cursor.execute(f"RELEASE {name}")
        except sqlite3.Error as error:
            raise _persistence_error(error) from error
        finally:
            cursor.sqlite_cursor.close()

    @contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[SQLiteConnection]:
        connection = self._held_connection()
        if connection is None:
            with super().get_connection(commit=commit) as connection:
                yield connection
            return
        yield connection


class Recorder(SQLiteApplicationRecorder):
    """``eventsourcing.sqlite``'s recorder, writing the tree with the entries, and the
    views' rows too where the views are set to be written so (:attr:`views_within`).

    :meth:`held` holds one transaction open in the calling thread: everything recorded
    through it meanwhile commits together, or not at all."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        give_holding(datastore, SQLiteDatastore, HeldDatastore, _savepoints=itertools.count())
        super().__init__(datastore, events_table_name)
        self.tree = TreeWriter()
        self.views_within: ViewsWithin | None = None

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements("sqlite")]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.transaction(commit=True) as cursor:
            positions = self._insert_events(cursor, stored_events, **kwargs)
            self.tree.add(SqlTables(cursor, "sqlite"), entries_of(positions, stored_events))
            if self.views_within is not None and positions:
                # (the driver's own cursor: the views count the rows a statement changed)
                self.views_within(cursor.sqlite_cursor, positions, stored_events)
        self.tree.committed()
        return positions

    def insert_all(self, batches: Batches, *, begin: BeginCheck = None) -> int:
        """:func:`~recommendations.integrity._recorders.insert_together` on SQLite: the
        transaction holds the write lock from its start (``BEGIN IMMEDIATE``)."""

        @contextmanager
        def transaction() -> Iterator[Any]:
            with self.held(), self.datastore.transaction(commit=True) as cursor:
                yield cursor

        def start(cursor: Any) -> None:
            if begin is not None:
                cursor.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
                begin(int(cursor.fetchone()[0] or 0))

        def insert(cursor: Any, stored_events: Sequence[StoredEvent]) -> None:
            positions = self._insert_events(cursor, stored_events)
            self.tree.add(SqlTables(cursor, "sqlite"), entries_of(positions, stored_events))

        return insert_together(self.tree, transaction(), batches, insert, start)

    @contextmanager
    def held(self) -> Iterator[None]:
        """One transaction held open in this thread until the block ends: every entry
        recorded meanwhile (with its leaves and its views' rows) commits then, together;
        if the block raises, or the commit fails, none does. Other writers wait."""
        with held_by(self.tree, self.datastore):
            yield

    def tree_rows(self, after: int, stop: int, limit: int) -> list[tuple[Any, ...]]:
        """The stored entries after position ``after`` up to ``stop``, at most ``limit``, as
        plain rows (position, item id, version, topic, state): what verify reads."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM "
                f"{self.events_table_name} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
                (after, stop, limit),
            )
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    def tree_source(self) -> tuple[str, str] | None:
        """The database file and table that another process can read this log from (for
        verify's workers), or ``None`` for a database in memory."""
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return None
        return pool.db_name, self.events_table_name

    @contextmanager
    def tree_tables(self, *, write: bool) -> Iterator[SqlTables]:
        with self.datastore.transaction(commit=write) as cursor:
            tables = SqlTables(cursor, "sqlite")
            if write:  # take the write lock now: no entry is appended meanwhile
                tables.execute("UPDATE {t}_checkpoints SET size = size WHERE 0")
            yield tables

    def erase_person(self, name: str, make: Callable[[str, int], StoredEvent]) -> ErasedRows | None:
        """Erase ``name`` (see :mod:`recommendations.integrity._erase`) in one transaction
        that holds the write lock, with ``secure_delete`` on: the bytes of the states
        replaced are overwritten with zeros, not left in free space."""
        needle = orjson.dumps(name)[1:-1]  # the name as the stored JSON writes it
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            tables = SqlTables(cursor, "sqlite")
            tables.execute("UPDATE {t}_checkpoints SET size = size WHERE 0")  # the write lock
            cursor.execute(
                f"SELECT rowid, state FROM {self.events_table_name} WHERE instr(state, ?) > 0",
                (needle,),
            )
            planned = plan(tables, name, [(row[0], row[1]) for row in cursor.fetchall()], make)
            if planned is None:
                return None
            self.tree.forget()  # decided in this transaction: no erasure to meet since
            positions = self._insert_events(cursor, [planned.record])
            # (a store not sealed yet gets no leaf now: seal adds it later)
            self.tree.add(tables, entries_of(positions, [planned.record]))
            cursor.executemany(
                f"UPDATE {self.events_table_name} SET state = ? WHERE rowid = ?",
                [(state, key) for key, state in planned.changes],
            )
            mark = forget_person(tables, name)
        self.tree.erased(mark)
        assert positions
        return ErasedRows(planned.commitment, len(planned.changes), positions[0])

    def scrub(self) -> list[str]:
        """Rebuild the database file (``VACUUM``: no free page or slack keeps an old row)
        and checkpoint the WAL into it, truncating the WAL file to nothing. What was done,
        for the caller to report."""
        path = self.datastore.pool.db_name
        if self.datastore.pool.is_sqlite_memory_mode:
            return []
        done = []
        connection = sqlite3.connect(path, uri=True, isolation_level=None, timeout=5)
        try:
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute("VACUUM")
            done.append("vacuumed the database file")
            for _ in range(50):  # a reader of the views may hold the WAL a moment
                busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    done.append("checkpointed and truncated the WAL")
                    break
                time.sleep(0.1)
            else:
                done.append("could not truncate the WAL: a reader held it (run again later)")
        except sqlite3.Error as error:
            done.append(f"could not scrub the file: {error}")
        finally:
            connection.close()
        return done


class Factory(SQLiteFactory):
    """``eventsourcing.sqlite``'s factory, with :class:`Recorder` for the log."""

    application_recorder_class = Recorder
