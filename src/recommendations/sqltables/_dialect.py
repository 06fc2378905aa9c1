"""What one SQL engine does its own way: the part of the view engine a store adapter writes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from recommendations import views

__all__ = ["Dialect", "time_text"]


def time_text(moment: datetime) -> str:
    """A recorded time as text: ISO 8601 in UTC with its offset, as the exports write it
    (``2017-04-10T09:15:30.250000+00:00``, the fraction left out when it is zero). Text
    order is time order: a fraction's ``.`` sorts after the offset's ``+``."""
    return moment.astimezone(UTC).isoformat()


class Dialect:
    """One SQL engine's part of :class:`~recommendations.sqltables.SqlTables`: how to connect,
    its column types, its DDL beyond the shared tables, the as-at query, bulk writes and the
    conversions between Python values and its columns.

    The engine writes every other statement itself, with ``?`` for parameters and ``{s}``
    before each table name; :meth:`sql` turns them into this engine's SQL. Subclass it and
    set or override what differs; the defaults suit an engine close to SQLite.
    """

    name: ClassVar[str] = "sql"
    """The engine's name, in messages."""

    errors: tuple[type[BaseException], ...] = ()
    """The driver's exceptions: the engine turns them into a ``StoreError``."""

    marker: ClassVar[str] = "?"
    """The driver's parameter marker: ``?`` (qmark) or ``%s`` (format)."""

    schema: str = ""
    """The schema the view tables are made in, or ``""`` for the connection's own."""

    log_table: str = "stored_events"
    """The log's table, as ``eventsourcing`` names it (unquoted)."""

    log_position: str = "notification_id"
    """The log table's position column."""

    types: ClassVar[dict[str, str]] = {
        "text": "TEXT",
        "int": "INTEGER",
        "big": "INTEGER",
        "date": "TEXT",
        "time": "TEXT",
        "names": "TEXT",
        "flag": "INTEGER",
        "item": "TEXT",
        "json": "TEXT",
    }
    """The column type of each kind of value the tables hold."""

    history_key: ClassVar[str] = "INTEGER PRIMARY KEY"
    """The ``id`` column of ``rec_register_history``: a key the engine numbers itself."""

    extra_tables: ClassVar[tuple[str, ...]] = ()
    """Tables of this engine's own (an index kept as a table): emptied by a rebuild, dropped
    with the others."""

    indexed_history: ClassVar[bool] = False
    """Whether :meth:`history` reads faster with ``indexed`` (an index the basis's position
    cannot use): if not, the engine never works out whether it may be given."""

    begin_write: ClassVar[str] = "BEGIN"
    """Starts a transaction that writes the views."""

    begin_read: ClassVar[str] = "BEGIN"
    """Starts a transaction that reads one snapshot."""

    lock_tracking: ClassVar[str] = ""
    """Added to the read of the tracking row that opens each write, to lock it
    (``FOR UPDATE``) where a ``begin_write`` alone does not keep writers apart."""

    parallel: bool = True
    """Whether other processes can read the log on connections of their own while this one
    writes the views (a rebuild then folds items in worker processes): not for a database
    held in this process's memory."""

    code_point_order: ClassVar[str] = ""
    """Added to ``ORDER BY reference`` to compare text by code point (``COLLATE "C"``) where
    the engine's default collation does not."""

    # Conversions from Python values to columns (``None``: the driver takes the value as
    # it is) and back (``None``: the driver gives it back as Python's own).
    date_value: Callable[[date], Any] | None = None
    time_value: Callable[[datetime], Any] | None = None
    names_value: Callable[[tuple[str, ...]], Any] | None = None
    flag_value: Callable[[bool], Any] | None = None
    item_value: Callable[[Any], Any] | None = None
    json_value: Callable[[dict[str, Any]], Any] | None = None
    read_date: Callable[[Any], date] | None = None
    read_time: Callable[[Any], datetime] | None = None
    read_names: Callable[[Any], tuple[str, ...]] | None = None

    def connect(self) -> Any:
        """A new DB-API connection in autocommit mode: the engine issues ``BEGIN`` and
        ``COMMIT`` itself."""
        raise NotImplementedError

    def broken(self, connection: Any) -> bool:
        """Whether ``connection`` can no longer be used (it is opened again)."""
        return False

    def reason(self, error: BaseException) -> str:
        """The driver's message, on one line."""
        return " ".join(str(error).split())

    def sql(self, statement: str) -> str:
        """``statement``, written with ``?`` and ``{s}``, in this engine's SQL."""
        prefix = f'"{self.schema}".' if self.schema else ""
        text = statement.replace("{s}", prefix).replace("{events}", prefix + f'"{self.log_table}"')
        if self.marker != "?":
            text = text.replace("%", "%%").replace("?", self.marker)
        return text

    def tables_exist(self, cursor: Any) -> bool:
        """Whether the view tables were made (their ``rec_tracking`` table exists)."""
        raise NotImplementedError

    def prepare(self, cursor: Any) -> None:
        """Called first in the transaction that makes the tables: where processes opening
        the store at once need keeping apart beyond ``begin_write``, take a lock here."""

    def extra_ddl(self) -> list[str]:
        """Statements making this engine's own indexes (``CREATE ... IF NOT EXISTS``)."""
        return []

    def emptying(self, table: str) -> list[str]:
        """The statements (written with ``{s}``) that empty ``table``, one of the view
        tables or :attr:`extra_tables`, within a rebuild's transaction: ``DELETE`` by
        default; an engine whose index deletes row by row may drop it and make it again."""
        return [f"DELETE FROM {{s}}{table}"]

    @contextlib.contextmanager
    def rebuilding(self, connection: Any) -> Iterator[None]:
        """Around a rebuild's transaction on ``connection`` (and its commit): settings that
        make writing every row at once cheaper, put back afterwards. Nothing by default."""
        yield

    def history(self, basis: views.Basis, columns: str, *, indexed: bool) -> tuple[str, Any]:
        """The statement and parameters reading the ``columns`` of the history rows whose
        valid period holds ``basis.as_at`` and that the log held at ``basis.known_at`` and
        ``basis.position``, by reference. ``indexed``: the basis is at the position the
        views hold (only open rows can hold it by position alone)."""
        raise NotImplementedError

    def settle(self, cursor: Any) -> None:
        """Have every statement sent on ``cursor``'s connection carried out, so that its
        failure is raised now (an engine that pipelines statements): by default, nothing
        to do."""

    def changed(self, cursor: Any) -> int:
        """How many rows the statement just run (``executemany`` too) changed, once
        :meth:`settle` has had it carried out."""
        self.settle(cursor)
        return int(cursor.rowcount)

    def insert_within(
        self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` within the log writer's transaction, on its connection (a few
        rows: a command's): :meth:`insert` unless its bulk path cannot run there."""
        self.insert(cursor, table, columns, rows)

    def insert(
        self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` (converted) into ``table``: ``executemany`` unless the engine has
        a faster bulk path (``COPY``)."""
        cursor.executemany(
            self.sql(
                f"INSERT INTO {{s}}{table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            ),
            rows,
        )
