"""The view tables in the store's own PostgreSQL database, in the schema of the log's table:
PostgreSQL's dialect of the library's view engine (:mod:`recommendations.sqltables`),
documented in docs/reference/postgresql.md.

PostgreSQL's own types hold the values (``date``, ``timestamptz``, ``text[]``, ``boolean``,
``uuid``, ``jsonb``); an open end is ``NULL``, so ``daterange(valid_from, valid_to)`` and its
kind are the periods, and one GiST index covers all three. Rows are written with ``COPY``.

Catching up holds the ``rec_tracking`` row locked (``FOR UPDATE``), so that trackers in many
processes take turns. ``eventsourcing.postgres`` takes an ``EXCLUSIVE`` lock on the log
table before it draws positions and keeps it until its commit is visible, so positions
become visible in order: a reader that sees position N+1 sees N.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import orjson
import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.types.json import Jsonb

from recommendations import domain, views
from recommendations.sqltables import SCHEMA_VERSION, TABLES, Dialect, SqlTables

from ._factory import reason

__all__ = ["SCHEMA_VERSION", "TABLES", "PostgresDialect", "PostgresTables"]

# The register on a basis (V, K, P): the rows whose valid period holds V and that the log
# held at (K, P). A row is held from its opening entry (recorded_from, position_from) until
# its closing one; an entry counts if it was recorded by K and is at or before P, so the
# row counts if it opened by both and closed after either:
#   recorded_from <= K AND position_from <= P AND (K < recorded_to OR P < position_to)
# which is the two range tests below, each served by the GiST index.
_HISTORY_QUERY = """
SELECT {columns} FROM {s}.rec_register_history
WHERE daterange(valid_from, valid_to) @> %(day)s::date
  AND (
    (tstzrange(recorded_from, recorded_to) @> %(known)s::timestamptz
     AND position_from <= %(position)s::bigint)
    OR (int8range(position_from, position_to) @> %(position)s::bigint
        AND recorded_from <= %(known)s::timestamptz)
  )
ORDER BY reference COLLATE "C"
"""


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _array(names: tuple[str, ...]) -> list[str]:
    return list(names)


def _jsonb(details: dict[str, Any]) -> Jsonb:
    return Jsonb(details, dumps=_json)


class PostgresDialect(Dialect):
    """PostgreSQL: its own types, a GiST index of the periods as ranges, ``COPY``."""

    name = "postgresql"
    errors = (psycopg.Error,)
    marker = "%s"
    types: ClassVar[dict[str, str]] = {
        "text": "text",
        "int": "integer",
        "big": "bigint",
        "date": "date",
        "time": "timestamptz",
        "names": "text[]",
        "flag": "boolean",
        "item": "uuid",
        "json": "jsonb",
    }
    history_key = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    lock_tracking = " FOR UPDATE"
    code_point_order = ' COLLATE "C"'
    names_value = staticmethod(_array)
    json_value = staticmethod(_jsonb)

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        *,
        schema: str = "public",
        events: str = "recommendations_events",
    ) -> None:
        self._connect = connect
        self.schema = schema
        self.log_table = events
        self._history = sql.SQL(_HISTORY_QUERY)

    def connect(self) -> psycopg.Connection[Any]:
        connection = self._connect()
        connection.autocommit = True
        # Times read back in UTC whatever the server's zone: rows compare alike anywhere.
        connection.execute("SET TIME ZONE 'UTC'")
        return connection

    def broken(self, connection: psycopg.Connection[Any]) -> bool:
        return connection.closed or connection.broken

    def reason(self, error: BaseException) -> str:
        return reason(error) if isinstance(error, psycopg.Error) else super().reason(error)

    def tables_exist(self, cursor: psycopg.Cursor[Any]) -> bool:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'rec_tracking'",
            (self.schema,),
        )
        return cursor.fetchone() is not None

    def prepare(self, cursor: psycopg.Cursor[Any]) -> None:
        # Trackers opening at once would race to create the same tables.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recommendations {self.schema}",)
        )

    def extra_ddl(self) -> list[str]:
        return [
            "CREATE INDEX IF NOT EXISTS rec_register_history_periods "
            "ON {s}rec_register_history USING gist (daterange(valid_from, valid_to), "
            "tstzrange(recorded_from, recorded_to), int8range(position_from, position_to))"
        ]

    def history(self, basis: views.Basis, columns: str, *, indexed: bool) -> tuple[str, Any]:
        statement = self._history.format(
            columns=sql.SQL(columns), s=sql.Identifier(self.schema)
        ).as_string(None)
        return statement, {"day": basis.as_at, "known": basis.known_at, "position": basis.position}

    def settle(self, cursor: psycopg.Cursor[Any]) -> None:
        connection = cursor.connection
        if connection.info.pipeline_status != psycopg.pq.PipelineStatus.OFF:
            # Within the log writer's pipeline: results (and failures) come once it syncs.
            with connection.pipeline() as pipeline:
                pipeline.sync()

    insert_within = Dialect.insert  # COPY cannot run in the log writer's pipeline

    def insert(
        self,
        cursor: psycopg.Cursor[Any],
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        statement = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
            sql.Identifier(self.schema),
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
        )
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


class PostgresTables(SqlTables):
    """The materialised views of one PostgreSQL store.

    ``connect`` opens a connection to the store's database (the views put it in autocommit
    mode, and set its time zone to UTC); ``decode`` turns a stored event into a domain event
    (the tracker's mapper), or ``None`` for an entry that is not one. ``schema`` and
    ``events`` name the log's table; the view tables are made beside it. ``label`` names
    the store in messages (without its password).
    """

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        decode: Callable[[StoredEvent], domain.Event | None],
        *,
        schema: str = "public",
        events: str = "recommendations_events",
        label: str = "",
    ) -> None:
        dialect = PostgresDialect(connect, schema=schema, events=events)
        super().__init__(dialect, decode, label=label or f"{schema}.{events}")
