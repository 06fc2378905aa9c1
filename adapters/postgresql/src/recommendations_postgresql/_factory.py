"""The persistence module a ``postgresql://`` store names: ``eventsourcing.postgres``, with
a first connection that says clearly why a store cannot be opened.

``eventsourcing.postgres`` connects through a pool that retries in the background: a wrong
password, a missing database or a stopped server all end, after the whole connection
timeout, in "couldn't get a connection". :class:`Factory` connects once, directly, before
the pool is used, so that the server's own reason reaches the caller at once; it also makes
the schema a ``schema=`` parameter names, if it is missing, and makes the log's tables one
tracker at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow, tuple_row

from recommendations import StoreError
from recommendations.integrity._erase import ErasedRows, forget_person, plan
from recommendations.integrity._holding import Holding, give_holding, held_by, persistence_error
from recommendations.integrity._recorders import Batches, BeginCheck, entries_of, insert_together
from recommendations.integrity._sql import SqlTables, create_statements
from recommendations.integrity._tree import TreeWriter

__all__ = ["Factory", "Recorder", "connection_parameters", "describe", "reason"]

ViewsWithin = Callable[[Any, Sequence[int], Sequence[StoredEvent]], None]
"""What applies entries to the views in the transaction that inserts them (given its
cursor, their positions and the records): :meth:`~recommendations.sqltables.SqlTables.within`."""

DEFAULT_CONNECT_TIMEOUT = 10
"""Seconds to wait for the server to answer, and for a connection from the pool."""


def connection_parameters(settings: Mapping[str, Any]) -> dict[str, Any]:
    """psycopg connection parameters from the store's ``POSTGRES_*`` settings."""
    return {
        "host": settings.get("POSTGRES_HOST"),
        "port": settings.get("POSTGRES_PORT"),
        "dbname": settings.get("POSTGRES_DBNAME"),
        "user": settings.get("POSTGRES_USER"),
        "password": settings.get("POSTGRES_PASSWORD") or None,
        # libpq waits at least 2 seconds
        "connect_timeout": max(
            2, int(settings.get("POSTGRES_CONNECT_TIMEOUT") or DEFAULT_CONNECT_TIMEOUT)
        ),
    }


def describe(settings: Mapping[str, Any]) -> str:
    """The store, for messages: its URL without the password."""
    user = settings.get("POSTGRES_USER") or ""
    secret = ":***" if settings.get("POSTGRES_PASSWORD") else ""
    host = settings.get("POSTGRES_HOST")
    port = settings.get("POSTGRES_PORT")
    return f"postgresql://{user}{secret}@{host}:{port}/{settings.get('POSTGRES_DBNAME')}"


def reason(error: psycopg.Error) -> str:
    """The server's or the driver's message, on one line."""
    return " ".join(str(error).split())


_KEYS = (
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_DBNAME",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_CONNECT_TIMEOUT",
    "POSTGRES_SCHEMA",
)


def _persistence_error(error: psycopg.Error) -> PersistenceError:
    """The ``eventsourcing`` error its own connections raise for ``error``."""
    return persistence_error(error, psycopg, str)


class HeldDatastore(PostgresDatastore, Holding[Connection[DictRow]]):
    """``eventsourcing.postgres``'s datastore, able to hold one transaction open in a
    thread (:meth:`hold`): meanwhile every connection that thread asks for is the held
    one, and every transaction a savepoint within it, so that what it reads includes what
    it wrote, and what it writes commits, or rolls back, at once when the block ends."""

    @contextmanager
    def _held_transaction(self) -> Iterator[Connection[DictRow]]:
        """One transaction, held until the block ends: committed then, rolled back if it
        raises."""
        with super().get_connection() as connection, connection.transaction():
            yield connection

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        connection = self._held_connection()
        if connection is None:
            with super().get_connection() as connection:
                yield connection
            return
        try:
            yield connection
        except psycopg.Error as error:
            raise _persistence_error(error) from error

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Cursor[DictRow]]:
        connection = self._held_connection()
        if connection is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        try:
            with connection.transaction(force_rollback=not commit):
                yield connection.cursor()
        except psycopg.Error as error:
            raise _persistence_error(error) from error


class Recorder(PostgresApplicationRecorder):
    """``eventsourcing.postgres``'s recorder, numbering entries without gaps.

    A sequence (``bigserial``) hands out a number even to an insert that then fails, so a
    writer that loses a race for an item's next version would leave a hole in the
    positions, which an auditor could not tell from a deleted entry. Under the table's
    ``EXCLUSIVE`` lock that every insert takes, the next positions are the largest one
    committed plus 1, 2, ...: an insert that fails or rolls back leaves nothing behind. The
    column's sequence is moved on too, so a writer that still draws from it (plain
    ``eventsourcing.postgres`` on the same table) never collides.

    It also keeps the log's Merkle tree: each insert writes its entries' leaf hashes (and
    the interior nodes kept) in its own transaction, under the same lock; and the views'
    rows, where the views are set to be written so (:attr:`views_within`).
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        give_holding(datastore, PostgresDatastore, HeldDatastore)
        super().__init__(datastore, events_table_name=events_table_name)
        table = sql.Identifier(self.datastore.schema, self.events_table_name)
        self.insert_events_statement = sql.SQL(
            "WITH e AS ("
            "  SELECT * FROM unnest(%s::{schema}.{event_type}[]) WITH ORDINALITY"
            "  AS e(originator_id, originator_version, topic, state, n)"
            "), top AS (SELECT coalesce(max(notification_id), 0) AS id FROM {table}),"
            " moved AS ("
            "  SELECT setval(pg_get_serial_sequence({name}, 'notification_id'),"
            "  top.id + (SELECT count(*) FROM e)) FROM top"
            ") "
            "INSERT INTO {table} "
            "(originator_id, originator_version, topic, state, notification_id) "
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, top.id + e.n "
            "FROM e, top, moved ORDER BY e.n "
            "RETURNING notification_id"
        ).format(
            schema=sql.Identifier(self.datastore.schema),
            event_type=sql.Identifier(self.stored_event_type_name),
            table=table,
            name=sql.Literal(table.as_string()),
        )
        self.tree = TreeWriter()
        self.views_within: ViewsWithin | None = None
        self.sql_create_statements.extend(
            sql.Composed([sql.SQL(statement)])
            for statement in create_statements("postgresql", self.datastore.schema)
        )

    def _fetch_ids_after_insert_events(
        self, curs: psycopg.Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        with curs.connection.cursor(row_factory=tuple_row) as cursor:
            self.tree.add(
                SqlTables(cursor, "postgresql", self.datastore.schema),
                entries_of(positions, stored_events),
            )
            if self.views_within is not None and positions:
                self.views_within(cursor, positions, stored_events)
        return positions

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """As ``eventsourcing.postgres`` inserts them, except that an error raised while
        the tree or the views are written (an erasure met, a leaf that cannot be made)
        undoes the whole transaction: ``eventsourcing`` re-raises an error of that step
        only after committing, which would keep the entries without their leaves."""
        if self.datastore.enable_db_functions or not stored_events:  # (no tree is written)
            positions: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return positions
        positions = None
        with (
            self.datastore.get_connection() as connection,
            connection.pipeline() as pipeline,
            connection.transaction(),
        ):
            with connection.cursor() as cursor:
                self._insert_events(cursor, stored_events, **kwargs)
            with connection.cursor() as cursor:
                self._insert_stored_events(cursor, stored_events, **kwargs)
                # (synced now, so that a uniqueness violation is raised here)
                pipeline.sync()
                positions = self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)
        self.tree.committed()
        return positions

    def insert_all(self, batches: Batches, *, begin: BeginCheck = None) -> int:
        """:func:`~recommendations.integrity._recorders.insert_together` on PostgreSQL: the
        log's table lock is taken as the transaction begins and held until it ends."""

        @contextmanager
        def transaction() -> Iterator[psycopg.Connection[DictRow]]:
            with self.datastore.get_connection() as connection, connection.transaction():
                yield connection

        def start(connection: psycopg.Connection[DictRow]) -> None:
            with connection.cursor() as cursor:
                self._lock_table(cursor)
                if begin is not None:
                    cursor.execute(
                        sql.SQL("SELECT MAX(notification_id) AS head FROM {}").format(
                            sql.Identifier(self.datastore.schema, self.events_table_name)
                        )
                    )
                    row = cursor.fetchone()
                    begin(int((row["head"] if row else None) or 0))

        def insert(connection: psycopg.Connection[DictRow], stored: Sequence[StoredEvent]) -> None:
            with connection.cursor() as cursor:
                self._insert_stored_events(cursor, stored)
                self._fetch_ids_after_insert_events(cursor, stored)

        return insert_together(self.tree, transaction(), batches, insert, start)

    @contextmanager
    def held(self) -> Iterator[None]:
        """One transaction held open in this thread until the block ends: every entry
        recorded meanwhile (with its leaves and its views' rows) commits then, together;
        if the block raises, or the commit fails, none does. Other writers wait for the
        log's table lock, taken as the block begins."""
        with held_by(self.tree, self.datastore):
            # The log's table lock, taken at once: no entry is appended meanwhile, so
            # what this thread reads of the log stays the log until it commits.
            with self.datastore.transaction(commit=True) as cursor:
                self._lock_table(cursor)
            yield

    def tree_rows(self, after: int, stop: int, limit: int) -> list[tuple[Any, ...]]:
        """The stored entries after position ``after`` up to ``stop``, at most ``limit``, as
        plain rows (position, item id, version, topic, state): what verify reads."""
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=True),
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {} WHERE notification_id > %s AND notification_id <= %s "
                    "ORDER BY notification_id LIMIT %s"
                ).format(sql.Identifier(self.datastore.schema, self.events_table_name)),
                (after, stop, limit),
            )
            return cursor.fetchall()

    @contextmanager
    def tree_tables(self, *, write: bool) -> Iterator[SqlTables]:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=not write),
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            if write:  # no entry is appended meanwhile
                cursor.execute(
                    sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
                        sql.Identifier(self.datastore.schema, self.events_table_name)
                    )
                )
            yield SqlTables(cursor, "postgresql", self.datastore.schema)

    def erase_person(self, name: str, make: Callable[[str, int], StoredEvent]) -> ErasedRows | None:
        """Erase ``name`` (see :mod:`recommendations.integrity._erase`) in one transaction
        holding the log's table lock."""
        needle = orjson.dumps(name)[1:-1]  # the name as the stored JSON writes it
        table = sql.Identifier(self.datastore.schema, self.events_table_name)
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            with curs.connection.cursor(row_factory=tuple_row) as cursor:
                tables = SqlTables(cursor, "postgresql", self.datastore.schema)
                cursor.execute(
                    sql.SQL(
                        "SELECT notification_id, state FROM {} "
                        "WHERE position(%s::bytea in state) > 0"
                    ).format(table),
                    (needle,),
                )
                planned = plan(tables, name, cursor.fetchall(), make)
                if planned is None:
                    return None
            self.tree.forget()  # decided in this transaction: no erasure to meet since
            self._insert_stored_events(curs, [planned.record])
            positions = self._fetch_ids_after_insert_events(curs, [planned.record])
            with curs.connection.cursor(row_factory=tuple_row) as cursor:
                cursor.executemany(
                    sql.SQL("UPDATE {} SET state = %s WHERE notification_id = %s").format(table),
                    [(state, key) for key, state in planned.changes],
                )
                mark = forget_person(SqlTables(cursor, "postgresql", self.datastore.schema), name)
        self.tree.erased(mark)
        assert positions
        return ErasedRows(planned.commitment, len(planned.changes), positions[0])

    def scrub(self) -> list[str]:
        """``VACUUM`` the log's table and this library's tables, so that the row versions
        an erasure replaced are removed from them (their space is reused; the bytes may
        stay on disk until it is, and in the server's WAL and backups)."""
        schema = self.datastore.schema
        done = []
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s "
                "AND (tablename = %s OR tablename LIKE 'rec\\_%%')",
                (schema, self.events_table_name),
            )
            names = [str(row[0]) for row in cursor.fetchall()]
            for name in sorted(names):
                try:
                    connection.execute(sql.SQL("VACUUM {}").format(sql.Identifier(schema, name)))
                except psycopg.Error as error:
                    done.append(f"could not vacuum {name}: {reason(error)}")
            done.append(f"vacuumed {len(names)} tables")
        return done


class Factory(PostgresFactory):
    """``eventsourcing.postgres``'s factory, connecting once before its pool does.

    That first connection checks the store, makes a missing schema, and holds an advisory
    lock while the log's tables are made: trackers opening at once would otherwise make
    them at once, and PostgreSQL refuses concurrent ``CREATE OR REPLACE FUNCTION``.
    """

    application_recorder_class = Recorder

    def application_recorder(self) -> ApplicationRecorder:
        settings = {key: self.env.get(key) for key in _KEYS}
        schema = (settings.get("POSTGRES_SCHEMA") or "").strip()
        try:
            with psycopg.connect(**connection_parameters(settings), autocommit=True) as connection:
                connection.execute(
                    "SELECT pg_advisory_lock(hashtext(%s))",
                    (f"recommendations log {schema or 'public'}",),
                )
                if schema:
                    found = connection.execute(
                        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
                    ).fetchone()
                    if found is None:
                        connection.execute(
                            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                        )
                # the lock is released when the connection closes
                return super().application_recorder()
        except psycopg.Error as error:
            hint = ""
            if re.search(r'database ".*" does not exist', str(error)):
                hint = " (create the database first: createdb, or CREATE DATABASE)"
            elif schema and isinstance(error, psycopg.errors.InsufficientPrivilege):
                hint = f" (the schema {schema!r} is missing, and this user may not create it)"
            raise StoreError(
                f"cannot open the store {describe(settings)!r}: {reason(error)}{hint}",
                rule="store-available",
            ) from error
