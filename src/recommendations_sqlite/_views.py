"""The view tables in the store's own SQLite database: SQLite's dialect of the library's view
engine (:mod:`recommendations.sqltables`), documented in docs/reference/view-tables.md.

Dates are ISO text and recorded times the exports' ISO text (UTC, with its offset), so
comparing text compares times; ``inspectorates`` and ``details`` are JSON text, ``sensitive``
0 or 1, ``item`` hex. The as-at query finds its candidates in an R*Tree of the two periods,
``rec_register_history_periods``, kept beside the history table in whole days and
minutes (computed in SQL, here and in the query alike); the exact test on each row decides.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.persistence import StoredEvent

from recommendations import domain, views
from recommendations.sqltables import SCHEMA_VERSION, TABLES, Dialect, SqlTables, time_text

__all__ = ["SCHEMA_VERSION", "TABLES", "SqliteDialect", "SqliteTables", "open_tables"]

_MAX = 2**31 - 1
_DAY = "CAST(julianday({}) AS INTEGER)"
"""A day as a whole number (the index's coordinate): later days, larger numbers."""
_MINUTE = (
    f"max(-{_MAX}, min({_MAX}, "
    f"coalesce((CAST(strftime('%s', {{}}) AS INTEGER) - 946684800) / 60, {_MAX})))"
)
"""A recorded time as whole minutes since 2000, within 32 bits (SQLite gives none for the
last half millisecond of 9999: the largest): never smaller for a later time, so a period
of rows holds a time only if its minutes hold the time's minute."""


_REBUILD_CACHE = -65536
"""The page cache of a rebuild's connection while it runs: 64 MiB (in KiB, as SQLite reads
a negative size), at most."""


def _day(expression: str) -> str:
    return _DAY.format(expression)


def _minute(expression: str) -> str:
    return _MINUTE.format(expression)


_PERIODS = (
    f"{_day('{0}valid_from')}, coalesce({_day('{0}valid_to')} - 1, {_MAX}), "
    f"{_minute('{0}recorded_from')}, coalesce({_minute('{0}recorded_to')}, {_MAX})"
)
_INDEX = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS rec_register_history_periods USING rtree_i32("
    "id, valid_lo, valid_hi, recorded_lo, recorded_hi)",
    # Closing a row (catching up) moves its recorded end in the index.
    "CREATE TRIGGER IF NOT EXISTS rec_register_history_closed "
    "AFTER UPDATE OF recorded_to ON rec_register_history BEGIN "
    "UPDATE rec_register_history_periods "
    f"SET recorded_hi = coalesce({_minute('NEW.recorded_to')}, {_MAX}) WHERE id = NEW.id; END",
]
# New rows are indexed at once after they are inserted (a trigger a row costs four times as
# much).
_INDEX_NEW = (
    "INSERT INTO rec_register_history_periods "
    f"SELECT id, {_PERIODS.format('')} FROM rec_register_history WHERE id > ?"
)

# The register on a basis (V, K, P): the rows whose valid period holds V and that the log
# held at (K, P). A row is held from its opening entry (recorded_from, position_from) until
# its closing one; an entry counts if it was recorded by K and is at or before P.
_EXACT = (
    "valid_from <= :day AND (valid_to IS NULL OR :day < valid_to) "
    "AND recorded_from <= :known AND position_from <= :position "
    "AND (recorded_to IS NULL OR :known < recorded_to OR :position < position_to)"
)
_CANDIDATES = (
    "id IN (SELECT id FROM rec_register_history_periods "
    f"WHERE valid_lo <= {_day(':day')} AND valid_hi >= {_day(':day')} "
    f"AND recorded_lo <= {_minute(':known')} AND recorded_hi >= {_minute(':known')}) AND "
)


@functools.lru_cache(maxsize=4096)
def _names(stored: str) -> tuple[str, ...]:
    return tuple(orjson.loads(stored))


@functools.lru_cache(maxsize=4096)
def _names_text(names: tuple[str, ...]) -> str:
    return orjson.dumps(list(names)).decode()


def _json(details: dict[str, Any]) -> str:
    return orjson.dumps(details, option=orjson.OPT_SORT_KEYS).decode()


def _flag(value: bool) -> int:
    return int(value)


def _hex(item: uuid.UUID | str) -> str:
    return item.hex if isinstance(item, uuid.UUID) else item


class SqliteDialect(Dialect):
    """SQLite: text for dates and times, an R*Tree for the periods, one writer at a time."""

    name = "sqlite"
    errors = (sqlite3.Error,)
    log_position = "rowid"
    extra_tables = ("rec_register_history_periods",)
    indexed_history = True
    begin_write = "BEGIN IMMEDIATE"

    # Reading 50,000 rows parses the same few thousand dates and lists again and again;
    # writing them formats the same dates and dumps the same few lists.
    date_value = staticmethod(functools.lru_cache(maxsize=65536)(date.isoformat))
    time_value = staticmethod(functools.lru_cache(maxsize=4096)(time_text))
    names_value = staticmethod(_names_text)
    flag_value = staticmethod(_flag)
    item_value = staticmethod(_hex)
    json_value = staticmethod(_json)
    read_date = staticmethod(functools.lru_cache(maxsize=65536)(date.fromisoformat))
    read_time = staticmethod(datetime.fromisoformat)
    read_names = staticmethod(_names)

    def __init__(self, connect: Callable[[], sqlite3.Connection], *, parallel: bool = True) -> None:
        self._connect = connect
        self.parallel = parallel

    def connect(self) -> sqlite3.Connection:
        return self._connect()

    def tables_exist(self, cursor: sqlite3.Cursor) -> bool:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'rec_tracking'")
        return cursor.fetchone() is not None

    def extra_ddl(self) -> list[str]:
        return list(_INDEX)

    def emptying(self, table: str) -> list[str]:
        # An R*Tree deletes row by row (about as long as filling it again): dropped and
        # made again, empty, in the same transaction (the trigger that closes rows in it
        # names it, and finds the new one).
        if table == "rec_register_history_periods":
            return [f"DROP TABLE IF EXISTS {table}", _INDEX[0]]
        return super().emptying(table)

    @contextlib.contextmanager
    def rebuilding(self, connection: sqlite3.Connection) -> Iterator[None]:
        # A rebuild writes every page of the view tables in one transaction: with the
        # default cache (2 MB) it writes pages out and reads them back again and again.
        size = connection.execute("PRAGMA cache_size").fetchone()[0]
        connection.execute(f"PRAGMA cache_size = {_REBUILD_CACHE}")
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):  # (a broken connection is opened again)
                connection.execute(f"PRAGMA cache_size = {int(size)}")

    def insert(
        self, cursor: sqlite3.Cursor, table: str, columns: Sequence[str], rows: Sequence[Any]
    ) -> None:
        if table != "rec_register_history":
            super().insert(cursor, table, columns, rows)
            return
        cursor.execute("SELECT coalesce(max(id), 0) FROM rec_register_history")
        last = cursor.fetchone()[0]
        super().insert(cursor, table, columns, rows)
        cursor.execute(_INDEX_NEW, (last,))

    def history(self, basis: views.Basis, columns: str, *, indexed: bool) -> tuple[str, Any]:
        # At the position the views hold, or at an earlier one that leaves out no entry
        # recorded by the basis's known-at time (as a basis made from that time does), every
        # row containing the basis contains it in both periods: the period index finds the
        # candidates, the exact test decides. At any other earlier position, no index on
        # positions: the exact test alone.
        condition = (_CANDIDATES if indexed else "") + _EXACT
        return (
            f"SELECT {columns} FROM rec_register_history WHERE {condition} ORDER BY reference",
            {
                "day": basis.as_at.isoformat(),
                "known": time_text(basis.known_at),
                "position": basis.position,
            },
        )


class SqliteTables(SqlTables):
    """The materialised views of one SQLite store. ``connect`` opens a connection to the
    store's database in autocommit mode (``isolation_level=None``); ``decode`` turns a stored
    event into a domain event (the tracker's mapper, with any cipher or compression).
    ``parallel``: other processes can open the database (a file, not memory)."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        decode: Callable[[StoredEvent], domain.Event | None],
        *,
        label: str = "",
        parallel: bool = True,
    ) -> None:
        super().__init__(SqliteDialect(connect, parallel=parallel), decode, label=label)


def open_tables(path: str, decode: Callable[[StoredEvent], domain.Event | None]) -> SqliteTables:
    """The views of the SQLite database at ``path`` (a file name or a shared-memory URI)."""

    def connect() -> sqlite3.Connection:
        uri = path.startswith("file:")
        connection = sqlite3.connect(
            path, uri=uri, isolation_level=None, check_same_thread=False, timeout=5
        )
        if not uri:
            connection.execute("PRAGMA journal_mode=WAL")
        return connection

    # A shared-memory database is this process's alone: no worker could read it.
    return SqliteTables(connect, decode, label=path, parallel=not path.startswith("file:"))
