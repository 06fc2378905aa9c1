"""The view engine: the register, its bitemporal history and the audit trail, kept in SQL
tables beside the log over one DB-API connection, for any engine with a :class:`Dialect`."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import operator
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import orjson
from eventsourcing.persistence import StoredEvent

from recommendations import domain, views
from recommendations._errors import LogNotIntact, StoreError
from recommendations._logging import views as _log
from recommendations.stores import cannot_apply, primitive, rebuilt

from ._dialect import Dialect, time_text
from ._kept import Unkept, pack, unpack

__all__ = ["SCHEMA_VERSION", "TABLES", "SqlTables", "plain"]

SCHEMA_VERSION = 6
"""The version of the view tables' layout, kept in ``rec_tracking`` under ``'schema'``: the
same on every engine. Tables of another version are dropped and made again on open."""

TABLES = ("rec_register", "rec_register_history", "rec_audit_trail", "rec_sensitivity")
"""The view tables every engine keeps (with ``rec_tracking``)."""

_VIEW = "views"
_CACHED_ITEMS = 4096
"""How many recommendations catching up keeps in memory between their entries."""
_END = 2**62
_READ_PAGE = 1000
"""How many entries a rebuild reads at a time, and how many register rows a read fetches
at a time."""
_PART_ENTRIES = 20_000
"""About how many entries each worker's share of a rebuild holds (it is held in memory)."""
_CACHED_STATES = 8192
"""How many states' converted columns are kept."""
"""Beyond every log position."""

_STATE_KINDS = {
    "inspectorates": "names",
    "sensitive": "flag",
    "deferrals": "int",
    "due_on": "date",
    "original_due_on": "date",
    "raised_on": "date",
    "last_changed_on": "date",
    "points": "names",
}
_NULLABLE = frozenset(
    (
        "inspection",
        "finding",
        "owner",
        "owner_name",
        "grade",
        "due_on",
        "original_due_on",
        "priority",
        "response",
        "response_text",
        "addressed_to",
        "outcome",
    )
)
_KINDS: dict[str, dict[str, str]] = {
    "register": {
        **{column: _STATE_KINDS.get(column, "text") for column in views.STATE_COLUMNS},
        "position": "big",
        "recorded_at": "time",
    },
    "history": {
        **{column: _STATE_KINDS.get(column, "text") for column in views.HISTORY_COLUMNS},
        "valid_from": "date",
        "valid_to": "date",
        "recorded_from": "time",
        "recorded_to": "time",
        "position_from": "big",
        "position_to": "big",
    },
    "sensitivity": {
        "kind": "text",
        "reference": "text",
        "sensitive": "flag",
        "report": "text",
        "inspection": "text",
    },
    "trail": {
        "position": "big",
        "item": "item",
        "reference": "text",
        "version": "int",
        "event_type": "text",
        "effective_on": "date",
        "recorded_at": "time",
        "actor": "text",
        "reason": "text",
        "corrects": "big",
        "details": "json",
        "shown": "text",
    },
}
_REGISTER_COLUMNS = tuple(_KINDS["register"])
_HISTORY_COLUMNS = views.HISTORY_COLUMNS
_TRAIL_COLUMNS = views.TRAIL_COLUMNS
_SENSITIVITY_COLUMNS = tuple(_KINDS["sensitivity"])
_RECORDED_TO = _HISTORY_COLUMNS.index("recorded_to")
_POSITION_TO = _HISTORY_COLUMNS.index("position_to")
_STATE_LIST = ", ".join(views.STATE_COLUMNS)
_EVERY_ROW = views.RegisterFilter()
_REFERENCE = operator.attrgetter("reference")
"""The key the current table's rows, read in any order, are sorted by: text in code point
order, as ``ORDER BY reference`` orders text (SQLite compares UTF-8 bytes; PostgreSQL reads
it ``COLLATE "C"``)."""


def _by_reference(rows: list[views.RegisterRow]) -> None:
    """Sort ``rows`` as ``ORDER BY reference`` sorts them: by :data:`_REFERENCE`, or, where a
    reference is not text (a table edited by hand can hold a ``NULL`` or a blob there), in
    SQL's order of types too: ``NULL`` first, then text, and blobs last (the column's
    text affinity stores a number as text)."""
    try:
        rows.sort(key=_REFERENCE)
    except TypeError:
        rows.sort(key=_sql_order)


def _sql_order(row: views.RegisterRow) -> tuple[int, Any]:
    value: Any = row.reference
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value)
    return (2, bytes(value))


_BY_POSITION = operator.itemgetter(0)
"""A trail row's log position."""
_TRAIL_RECORDED = _TRAIL_COLUMNS.index("recorded_at")


def _same(value: Any) -> Any:
    return value


def _ddl(dialect: Dialect) -> list[str]:
    types = dialect.types

    def state(skip: int) -> str:
        return ", ".join(
            f"{column} {types[_STATE_KINDS.get(column, 'text')]}"
            + ("" if column in _NULLABLE else " NOT NULL")
            for column in views.STATE_COLUMNS[skip:]
        )

    return [
        f"CREATE TABLE IF NOT EXISTS {{s}}rec_tracking (view {types['text']} PRIMARY KEY, "
        f"position {types['big']} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {{s}}rec_register (reference {types['text']} PRIMARY KEY, "
        f"{state(1)}, position {types['big']} NOT NULL, recorded_at {types['time']} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {{s}}rec_register_history (id {dialect.history_key}, "
        f"reference {types['text']} NOT NULL, "
        f"valid_from {types['date']} NOT NULL, "
        f"valid_to {types['date']} CHECK (valid_from < valid_to), "
        f"recorded_from {types['time']} NOT NULL, "
        f"recorded_to {types['time']} CHECK (recorded_from < recorded_to), "
        f"position_from {types['big']} NOT NULL, "
        f"position_to {types['big']} CHECK (position_from < position_to), "
        f"{state(1)}, UNIQUE (reference, recorded_from, valid_from))",
        "CREATE UNIQUE INDEX IF NOT EXISTS rec_register_history_open "
        "ON {s}rec_register_history (reference, valid_from) WHERE recorded_to IS NULL",
        "CREATE TABLE IF NOT EXISTS {s}rec_audit_trail ("
        + ", ".join(
            f"{column} {types[kind]}"
            + (" PRIMARY KEY" if column == "position" else "")
            + ("" if column in ("reference", "corrects", "position", "shown") else " NOT NULL")
            for column, kind in _KINDS["trail"].items()
        )
        + ")",
        "CREATE INDEX IF NOT EXISTS rec_audit_trail_item ON {s}rec_audit_trail (item, version)",
        # The register rows an entry changed, for a reader that holds the register already.
        "CREATE INDEX IF NOT EXISTS rec_register_position ON {s}rec_register (position)",
        "CREATE TABLE IF NOT EXISTS {s}rec_sensitivity ("
        + ", ".join(
            f"{column} {types[kind]} NOT NULL" for column, kind in _KINDS["sensitivity"].items()
        )
        + f", PRIMARY KEY ({', '.join(_SENSITIVITY_COLUMNS)}))",
        *dialect.extra_ddl(),
    ]


def _converters(
    dialect: Dialect, table: str, only: Sequence[str] | None = None
) -> list[tuple[int, Callable[[Any], Any]]]:
    """Where a row of ``table`` (in Python values) needs converting for ``dialect``: in
    every column, or in the columns ``only``."""
    by_kind = {
        "date": dialect.date_value,
        "time": dialect.time_value,
        "names": dialect.names_value,
        "flag": dialect.flag_value,
        "item": dialect.item_value,
        "json": dialect.json_value,
    }
    found = []
    for index, (column, kind) in enumerate(_KINDS[table].items()):
        convert = by_kind.get(kind)
        if convert is not None and (only is None or column in only):
            found.append((index, convert))
    return found


def _reader(dialect: Dialect) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """Turns state columns read back into what :func:`views.register_row` takes."""
    by_kind = {"date": dialect.read_date, "names": dialect.read_names}
    found = [
        (index, convert)
        for index, column in enumerate(views.STATE_COLUMNS)
        if (convert := by_kind.get(_STATE_KINDS.get(column, ""))) is not None
    ]
    if not found:
        return lambda values: values

    def read(values: Sequence[Any]) -> Sequence[Any]:
        row = list(values)
        for index, convert in found:
            if row[index] is not None:
                row[index] = convert(row[index])
        return row

    return read


def plain(value: Any) -> Any:
    """A column's value in one form for every engine: dates as ISO text, recorded times as
    :func:`time_text`, lists as JSON, flags as 0 or 1, item ids as hex, JSON as text with
    sorted keys. What :meth:`SqlTables.rows` and :meth:`SqlTables.digest` give."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return time_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, (list, tuple)):
        return orjson.dumps(list(value)).decode()
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    raise TypeError(f"a view column holds a {type(value).__name__}")  # pragma: no cover


_Fact = tuple[str, str | None, bool, str, str]
"""A row of ``rec_sensitivity``: kind, reference (``None``: the item's, found by its id),
sensitive, report, inspection (``""`` for none)."""


def _fact(event: domain.Event) -> _Fact | None:
    """What ``event`` says of sensitivity, as :meth:`views.Sensitivity.of` reads it: a
    recommendation raised (sensitive or not, and the report and inspection it came from),
    a report marked sensitive or naming its inspection, an inspection marked sensitive."""
    raised = event.replacement if isinstance(event, domain.Corrected) else event
    if isinstance(raised, domain.Raised):
        return (
            "recommendation",
            raised.reference,
            raised.sensitive,
            raised.report,
            raised.inspection or "",
        )
    if isinstance(event, domain.ReportPublished | domain.ReportRevised):
        inspection = event.details.inspection or ""
        if event.details.sensitive or inspection:
            named = event.reference if isinstance(event, domain.ReportPublished) else None
            return ("report", named, event.details.sensitive, "", inspection)
    if (
        isinstance(event, domain.InspectionRecorded | domain.InspectionRevised)
        and event.details.sensitive
    ):
        named = event.reference if isinstance(event, domain.InspectionRecorded) else None
        return ("inspection", named, True, "", "")
    return None


@attrs.define
class _Item:
    """One item's history, and the log position of each of its entries by version
    (``partial``: only of the entries applied since it was made from a log in memory)."""

    history: views.ItemHistory
    positions: dict[int, int]
    partial: bool = False


@attrs.define
class _Current:
    """The current register as last read: its rows in reference order (and where each is),
    the views' ``position`` and ``generation`` and the day ``as_at`` they were read for, and
    the latest ``last_changed_on`` and ``recorded_at`` among them (never earlier than the
    table's)."""

    position: int
    generation: int
    as_at: date
    rows: list[views.RegisterRow]
    where: dict[str, int]
    last_day: date
    last_time: datetime


class _Statements:
    """The engine's own statements, in the dialect's SQL, made once."""

    def __init__(self, d: Dialect) -> None:
        pos = d.log_position
        self.ddl = [d.sql(statement) for statement in _ddl(d)]
        self.drop = [
            d.sql(f"DROP TABLE IF EXISTS {{s}}{table}")
            for table in (*TABLES, *d.extra_tables, "rec_tracking")
        ]
        self.delete = [
            d.sql(statement)
            for table in (*d.extra_tables, *TABLES)
            for statement in d.emptying(table)
        ]
        self.tracked = d.sql("SELECT position FROM {s}rec_tracking WHERE view = ?")
        self.tracked_for_writing = self.tracked + d.lock_tracking
        self.track = d.sql(
            "INSERT INTO {s}rec_tracking (view, position) VALUES (?, ?) "
            "ON CONFLICT (view) DO UPDATE SET position = excluded.position"
        )
        self.track_once = d.sql(
            "INSERT INTO {s}rec_tracking (view, position) VALUES (?, ?) "
            "ON CONFLICT (view) DO NOTHING"
        )
        self.next_generation = d.sql(
            "INSERT INTO {s}rec_tracking (view, position) VALUES ('generation', 1) "
            "ON CONFLICT (view) DO UPDATE SET position = rec_tracking.position + 1"
        )
        self.behind = d.sql(
            "SELECT (SELECT position FROM {s}rec_tracking WHERE view = ?), "
            f"(SELECT max({pos}) FROM {{events}})"
        )
        self.head = d.sql(f"SELECT coalesce(max({pos}), 0) FROM {{events}}")
        entry = f"SELECT {pos}, originator_id, originator_version, topic, state FROM {{events}} "
        self.page = d.sql(entry + f"WHERE {pos} > ? ORDER BY {pos} LIMIT ?")
        self.recorded_after = d.sql(
            f"SELECT substr(state, 1, {_STATE_HEAD}) FROM {{events}} WHERE {pos} > ? "
            f"ORDER BY {pos} LIMIT ?"
        )
        self.by_item = d.sql(
            entry + f"WHERE {pos} <= ? AND (originator_id, originator_version) > (?, ?) "
            "ORDER BY originator_id, originator_version LIMIT ?"
        )
        self.by_item_below = d.sql(
            entry + f"WHERE {pos} <= ? AND (originator_id, originator_version) > (?, ?) "
            "AND originator_id < ? ORDER BY originator_id, originator_version LIMIT ?"
        )
        self.item = d.sql(
            f"SELECT {pos}, originator_version, topic, state FROM {{events}} "
            "WHERE originator_id = ? AND originator_version <= ? ORDER BY originator_version"
        )
        self.close_history = d.sql(
            "UPDATE {s}rec_register_history SET recorded_to = ?, position_to = ? "
            "WHERE reference = ? AND valid_from = ? AND recorded_to IS NULL"
        )
        self.upsert_register = d.sql(
            f"INSERT INTO {{s}}rec_register ({', '.join(_REGISTER_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_REGISTER_COLUMNS))}) ON CONFLICT (reference) "
            "DO UPDATE SET "
            + ", ".join(f"{column} = excluded.{column}" for column in _REGISTER_COLUMNS[1:])
        )
        self.latest = d.sql("SELECT max(last_changed_on), max(recorded_at) FROM {s}rec_register")
        # In code point order, as Python compares text: rows changed since a read are put
        # in their places in the register kept from it.
        self.current = d.sql(
            f"SELECT {_STATE_LIST} FROM {{s}}rec_register ORDER BY reference{d.code_point_order}"
        )
        # In any order, for a read that holds every row and sorts them itself: cheaper than
        # walking the table's key and looking each row up (SQLite), or sorting the whole
        # rows in the engine.
        self.current_rows = d.sql(f"SELECT {_STATE_LIST} FROM {{s}}rec_register")
        self.changed = d.sql(
            f"SELECT {_STATE_LIST}, recorded_at FROM {{s}}rec_register WHERE position > ?"
        )
        # One recommendation's trail rows and its reminders', with how far the views and
        # the log reach (a row of positions alone when it has none), and the log's own
        # entries of the same two items, to check the rows are still theirs: one statement.
        self.kept = d.sql(
            "SELECT 0, k.reached, k.head, t.position, t.item, t.version, t.shown, NULL FROM "
            "(SELECT (SELECT position FROM {s}rec_tracking WHERE view = ?) AS reached, "
            f"(SELECT max({pos}) FROM {{events}}) AS head) k "
            "LEFT JOIN {s}rec_audit_trail t ON t.item IN (?, ?) UNION ALL "
            f"SELECT 1, NULL, NULL, {pos}, NULL, originator_version, NULL, "
            f"substr(state, 1, {_STATE_HEAD}) FROM {{events}} WHERE originator_id IN (?, ?) "
            "ORDER BY 1, 4"
        )
        self.named = d.sql(
            "SELECT reference FROM {s}rec_audit_trail WHERE item = ? AND version = 1"
        )
        self.add_fact = d.sql(
            f"INSERT INTO {{s}}rec_sensitivity ({', '.join(_SENSITIVITY_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_SENSITIVITY_COLUMNS))}) ON CONFLICT DO NOTHING"
        )
        marked = "SELECT reference FROM {s}rec_sensitivity WHERE kind = '%s' AND sensitive = ?"
        inspections = marked % "inspection"
        reports = f"{marked % 'report'} OR kind = 'report' AND inspection IN ({inspections})"
        self.sensitive = [
            d.sql(f"SELECT DISTINCT reference FROM ({query}) marked")
            for query in (
                inspections,
                reports,
                f"{marked % 'recommendation'} OR kind = 'recommendation' AND "
                f"(report IN ({reports}) OR inspection IN ({inspections}))",
            )
        ]
        # In key order, text compared by code point on every engine (ids depend on the
        # order rows were written in, and are left out).
        by_reference = f"reference{d.code_point_order}"
        self.rows = {
            table: d.sql(f"SELECT {', '.join(columns)} FROM {{s}}{table} ORDER BY {key}")
            for table, columns, key in (
                ("rec_register", _REGISTER_COLUMNS, by_reference),
                (
                    "rec_register_history",
                    _HISTORY_COLUMNS,
                    f"{by_reference}, recorded_from, valid_from",
                ),
                ("rec_audit_trail", _TRAIL_COLUMNS, "position"),
                (
                    "rec_sensitivity",
                    _SENSITIVITY_COLUMNS,
                    ", ".join(f"{column}{d.code_point_order}" for column in ("kind", "reference"))
                    + ", sensitive, "
                    + ", ".join(
                        f"{column}{d.code_point_order}" for column in ("report", "inspection")
                    ),
                ),
            )
        }


class _Rows:
    """The rows a run of entries adds and changes, in Python values, written at once by
    :meth:`flush`. A history row opened and closed within the run is written closed; rows
    already in the table are closed by one ``UPDATE`` each."""

    def __init__(self, engine: SqlTables) -> None:
        self._engine = engine
        self._reset()

    def _reset(self) -> None:
        self.closing: list[tuple[Any, int, str, date]] = []
        self.opened: dict[tuple[str, date], list[Any]] = {}
        self.done: list[list[Any]] = []
        self.register: dict[str, list[Any]] = {}
        self.trail: list[list[Any]] = []
        self.facts: set[_Fact] = set()
        self.unnamed: list[tuple[uuid.UUID, _Fact]] = []

    def pending(self) -> int:
        return len(self.opened) + len(self.done) + len(self.trail)

    def entry(self, position: int, event: domain.Event, item: _Item | None) -> None:
        """The rows of ``event`` at ``position``; ``item`` is its recommendation's history
        before it (``None`` for an inspection's or a report's entry)."""
        reference = getattr(event, "reference", None)
        corrects = None
        shown = None
        recorded = self._engine._time_value(event.recorded_at)  # once, for every row
        if item is not None and isinstance(event, domain.RecommendationEvent):
            history = item.history
            before, last_day = history.state, history.last_day
            reference = self._recommendation(position, event, history, recorded)
            item.positions[event.originator_version] = position
            if isinstance(event, domain.Corrected):
                corrects = item.positions.get(event.corrects)
            shown = _shown(
                position,
                event,
                views.entry_changes(
                    event,
                    history.log[:-1],
                    before,
                    last_day,
                    history.state,
                    stepped=history.stepped,
                ),
            )
        elif isinstance(event, domain.ReminderEvent):
            shown = _shown(position, event, ())
        details = {name: primitive(value) for name, value in views.trail_details(event).items()}
        row = [
            position,
            event.originator_id,
            reference,
            event.originator_version,
            type(event).__name__,
            event.effective_on,
            recorded,
            event.actor,
            event.reason,
            corrects,
            details,
            shown,
        ]
        # Converted now: a batch of trail rows is held in the engine's form, not as events.
        self.trail.extend(self._engine._convert([row], self._engine._trail_values))
        fact = _fact(event)
        if fact is not None:
            if fact[1] is None:  # a revision: its item's reference is in the trail
                self.unnamed.append((event.originator_id, fact))
            else:
                self.facts.add(fact)

    def _recommendation(
        self,
        position: int,
        event: domain.RecommendationEvent,
        item: views.ItemHistory,
        recorded: Any,
    ) -> str:
        """The history and register rows of ``event``; ``recorded``, its recorded time in
        the engine's form."""
        closed, opened = item.add(event)
        reference = str(item.segments[0][2][0])
        for valid_from, _, _ in closed:
            row = self.opened.pop((reference, valid_from), None)
            if row is None:
                self.closing.append((recorded, position, reference, valid_from))
            else:
                row[_RECORDED_TO], row[_POSITION_TO] = recorded, position
                self.done.append(row)
        for valid_from, valid_to, values in opened:
            self.opened[(reference, valid_from)] = [
                reference,
                valid_from,
                valid_to,
                recorded,
                None,
                position,
                None,
                *self._engine._state(values)[1:],
            ]
        self.register[reference] = [*self._engine._state(item.segments[-1][2]), position, recorded]
        return reference

    def flush(self, cursor: Any, *, bulk: bool = True) -> None:
        """Write the rows held (``bulk``: through the dialect's bulk path; else one
        ``executemany`` a table, as within another writer's transaction)."""
        engine = self._engine
        d, s = engine._dialect, engine._sql
        insert = d.insert if bulk else d.insert_within
        if self.closing:
            date_value = d.date_value or _same
            cursor.executemany(
                s.close_history,
                [
                    (recorded, position, reference, date_value(valid_from))
                    for recorded, position, reference, valid_from in self.closing
                ],
            )
            if d.changed(cursor) != len(self.closing):
                references = sorted({reference for _, _, reference, _ in self.closing})
                raise StoreError(
                    "the view tables lack an open history row of "
                    f"{', '.join(map(repr, references))}: they were changed outside this "
                    "library; rebuild them",
                    reference=references[0] if len(references) == 1 else None,
                    rule="views-consistent",
                )
        engine._write_rows(cursor, self.take(), insert=insert)

    def take(self) -> _Written:
        """The rows to write (the history's valid dates converted now), and start
        again. Rows of history already in the table are closed by :meth:`flush` only."""
        engine = self._engine
        history = [*self.done, *self.opened.values()]
        written = _Written(
            engine._convert(history, engine._history_values),
            list(self.register.values()),
            # In log order: a rebuild takes them item by item, and a table keyed by
            # position fills several times faster in its key's order.
            sorted(self.trail, key=_BY_POSITION),
            sorted(self.facts, key=lambda fact: tuple(map(str, fact))),
            self.unnamed,
        )
        self._reset()
        return written


def _shown(position: int, event: domain.Event, changes: tuple[views.Change, ...]) -> str | None:
    """The ``shown`` column of ``event``'s trail row (``None``: a value it cannot keep; its
    item's trail is then worked out from the log)."""
    try:
        return pack(views.kept_entry(position, event, changes))
    except Unkept:
        return None


@attrs.frozen
class _Written:
    """Rows ready for the tables, in the dialect's form: the history's, the register's and
    the audit trail's."""

    history: list[list[Any]]
    register: list[list[Any]]
    trail: list[list[Any]]
    facts: list[_Fact]
    """What is sensitive, as the entries say (``rec_sensitivity``'s rows)."""
    unnamed: list[tuple[uuid.UUID, _Fact]]
    """Facts of revisions, whose item's reference is read from the trail when written."""


_WORKER_ENGINE: SqlTables | None = None
"""The engine a rebuild's worker processes work for (set before they are forked)."""


def _rebuild_part(part: tuple[int, Any, Any, int]) -> tuple[int, _Written] | BaseException:
    """In a worker process: the rows of the items whose ids are in ``[low, high)`` (every
    item from ``low`` if ``high`` is ``None``), read on a connection of its own, and how
    many entries they hold; or the error that stopped it."""
    head, low, high, batch = part
    engine = _WORKER_ENGINE
    assert engine is not None
    try:
        connection = engine._dialect.connect()
        try:
            return engine._fold_items(connection.cursor(), head, batch, low, high)
        finally:
            connection.close()
    except BaseException as error:  # the parent rebuilds in one process and reports it
        return RuntimeError(f"{type(error).__name__}: {error}")


class SqlTables:
    """The materialised views of one store in a SQL database, through ``dialect``.

    Tables (documented in the view tables reference), beside the log's table:

    - ``rec_register``: one row per recommendation, its state at the end of its timeline;
    - ``rec_register_history``: the bitemporal history, SQL:2011 style. Each row is one
      state of one recommendation, true in the world over ``[valid_from, valid_to)`` and
      held by the log over ``[recorded_from, recorded_to)`` and log positions
      ``[position_from, position_to)``; an open end is ``NULL``;
    - ``rec_audit_trail``: one row per entry of the log, with who, when and why;
    - ``rec_tracking``: the last log position applied, written in the same transaction as
      the rows, so every entry is applied exactly once and the views resume where they
      stopped.

    Catching up reads the log's table directly, by position, inside the transaction that
    writes the rows: the log's writers must make positions visible in order (a reader that
    sees position N+1 sees N). ``decode`` turns a stored event into a domain event (the
    tracker's mapper), or ``None`` for an entry that is not one; ``label`` names the store
    in messages.
    """

    def __init__(
        self,
        dialect: Dialect,
        decode: Callable[[StoredEvent], domain.Event | None],
        *,
        label: str = "",
    ) -> None:
        self._dialect = dialect
        self._decode = decode
        self._label = label or dialect.name
        self._sql = _Statements(dialect)
        # A state's columns are converted once (many rows share a state): a history row's
        # periods and a register row's recorded time at the flush.
        self._state_values = _converters(dialect, "register", views.STATE_COLUMNS)
        self._states: dict[views.StateValues, list[Any]] = {}
        self._last_state: tuple[views.StateValues | None, list[Any]] = (None, [])
        # An entry's recorded time is converted once, for all the rows it writes.
        self._history_values = _converters(dialect, "history", ("valid_from", "valid_to"))
        self._trail_values = [
            (index, convert)
            for index, convert in _converters(dialect, "trail")
            if index != _TRAIL_RECORDED
        ]
        self._time_value = dialect.time_value or _same
        self._read_state = _reader(dialect)
        # A page of rows read back made register rows (or lines) in one step.
        self._make_rows = views.register_page_reader(dialect.read_date, dialect.read_names)
        self._make_lines = views.register_page_reader(
            dialect.read_date, dialect.read_names, lines=True
        )
        self._lock = threading.RLock()
        self._connection: Any = None
        self._items: OrderedDict[uuid.UUID, _Item] = OrderedDict()
        # The items' cache is shared by catching up (on the views' connection) and by
        # applying within a log writer's transaction (on the writer's): each takes the
        # database's write lock first, then this.
        self._items_lock = threading.RLock()
        self._pending = threading.local()
        self._current: _Current | None = None
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _state(self, values: views.StateValues) -> list[Any]:
        """A state's columns in the dialect's form."""
        last = self._last_state  # the same state again (an entry's new row, then the
        if last[0] is values:  # register's): found without hashing every column
            return last[1]
        found = self._states.get(values)
        if found is None:
            if len(self._states) >= _CACHED_STATES:
                self._states.clear()
            found = self._states[values] = self._convert([list(values)], self._state_values)[0]
        self._last_state = (values, found)
        return found

    @staticmethod
    def _convert(
        rows: list[list[Any]], converters: list[tuple[int, Callable[[Any], Any]]]
    ) -> list[list[Any]]:
        for row in rows:
            for index, convert in converters:
                value = row[index]
                if value is not None:
                    row[index] = convert(value)
        return rows

    # --- connections and transactions -----------------------------------------------------

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        """The connection, under the lock; a driver's error becomes a StoreError, and a
        broken connection is opened again next time."""
        with self._lock:
            try:
                if self._connection is None or self._dialect.broken(self._connection):
                    if self._connection is not None:
                        with contextlib.suppress(Exception):
                            self._connection.close()
                        self._connection = None
                    self._connection = self._dialect.connect()
                yield self._connection
            except self._dialect.errors as error:
                self._forget()
                raise StoreError(
                    f"the views of the store {self._label!r} failed: "
                    f"{type(error).__name__}: {self._dialect.reason(error)}",
                    rule="store-available",
                ) from error

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[Any]:
        with self._session() as connection:
            cursor = connection.cursor()
            cursor.execute(begin)
            try:
                yield cursor
                cursor.execute("COMMIT")
            except BaseException:
                self._forget()  # the cache may hold what was rolled back
                # The engine may have rolled back already (SQLite does on a full disk):
                # then the error that did it is the one to raise.
                with contextlib.suppress(Exception):
                    cursor.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        """One transaction that writes the views, holding the tracking row: the views'
        writers take turns. The cursor has read the views' position (``fetchone()``)."""
        with self._transaction(self._dialect.begin_write) as cursor:
            cursor.execute(self._sql.tracked_for_writing, (_VIEW,))
            yield cursor

    def rolled_back(self, position: int) -> None:
        """A log writer's transaction that wrote rows here rolled back (the log is at
        ``position`` again): drop what was cached from it."""
        self._forget()

    def _forget(self) -> None:
        with self._items_lock:
            self._items.clear()
            self._current = None

    def _prepare(self) -> None:
        """Create the tables; if they were made by another version of this layout, drop
        them and make them again (they are derived: catching up refills them)."""
        s = self._sql
        with self._transaction(self._dialect.begin_write) as cursor:
            self._dialect.prepare(cursor)
            if self._dialect.tables_exist(cursor):
                cursor.execute(s.tracked, ("schema",))
                row = cursor.fetchone()
                version = None if row is None else int(row[0])
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the view tables of {self._label!r} are of layout {version}, newer "
                        f"than this library's ({SCHEMA_VERSION}): upgrade the library",
                        rule="views-schema",
                    )
                if version == SCHEMA_VERSION:
                    # Made already: no DDL, whose locks on tables that writers hold (a
                    # CREATE INDEX takes a share lock on its table, even when the index is
                    # there) would deadlock with a writer of the log and its views.
                    return
                for statement in s.drop:
                    cursor.execute(statement)
            for statement in s.ddl:
                cursor.execute(statement)
            cursor.execute(s.track_once, ("schema", SCHEMA_VERSION))
            cursor.execute(s.track_once, (_VIEW, 0))

    def close(self) -> None:
        """Close the views' connection."""
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    self._connection.close()
                self._connection = None
            self._forget()

    # --- catching up ----------------------------------------------------------------------

    def position(self) -> int:
        """The last log position the views include."""
        with self._session() as connection:
            cursor = connection.cursor()
            cursor.execute(self._sql.tracked, (_VIEW,))
            found = cursor.fetchone()
        return 0 if found is None else int(found[0])

    def catch_up(
        self,
        *,
        recorded: Sequence[tuple[int, domain.Event | None]] = (),
        page_size: int = 2000,
    ) -> int:
        """Apply every entry recorded since the views last caught up; how many were applied.

        Each page of entries and the new position are written in one transaction.
        ``recorded``, entries the caller has just recorded, are applied without reading
        them back if they follow on from the views' position.
        """
        if not recorded:
            with self._session() as connection:
                cursor = connection.cursor()
                cursor.execute(self._sql.behind, (_VIEW,))
                behind = cursor.fetchone()
            if (
                behind is None
                or behind[1] is None
                or (behind[0] is not None and behind[1] <= behind[0])
            ):
                return 0
        applied = 0
        single = False  # after a page failed: one entry a transaction, to find the culprit
        while True:
            size = 1 if single else page_size
            position: int | None = None
            page: list[tuple[int, domain.Event | None]] = []
            try:
                with self._write() as cursor:
                    found = cursor.fetchone()
                    position = 0 if found is None else int(found[0])
                    if recorded and recorded[0][0] == position + 1 and not single:
                        page = list(recorded)
                        recorded = ()
                    else:
                        page = self._page(cursor, position, size)
                    if not page:
                        return applied
                    self._apply(cursor, page)
                    cursor.execute(self._sql.track, (_VIEW, page[-1][0]))
            except Exception as error:
                if len(page) > 1:
                    single, recorded = True, ()
                    continue
                if position is None:  # the views could not even be opened for writing
                    raise
                at, event = page[0] if page else (position + 1, None)
                raise cannot_apply(at, event, error) from error
            applied += len(page)
            _log.debug("views caught up to log position %d", page[-1][0])
            if len(page) < size:
                return applied

    def _apply(
        self,
        cursor: Any,
        page: Sequence[tuple[int, domain.Event | None]],
        logs: Mapping[uuid.UUID, Sequence[domain.Event]] | None = None,
        *,
        bulk: bool = True,
    ) -> None:
        """Write the rows of ``page``; ``logs``, item logs in memory that hold the entries
        before the page's (an item not cached is taken from them rather than read)."""
        with self._items_lock:
            rows = _Rows(self)
            for at, event in page:
                if event is None:  # not a domain event (a command record): no rows
                    continue
                item = None
                if isinstance(event, domain.RecommendationEvent):
                    upto = event.originator_version - 1
                    known = None if logs is None else logs.get(event.originator_id)
                    item = self._item(cursor, event.originator_id, upto, known)
                    if item.partial and isinstance(event, domain.Corrected):
                        # the position of the entry it corrects: read the item's log
                        self._items.pop(event.originator_id, None)
                        item = self._item(cursor, event.originator_id, upto)
                    log = item.history.log
                    views.check_follows(log[-1] if log else None, event, at)
                rows.entry(at, event, item)
            rows.flush(cursor, bulk=bulk)

    # --- applying within the log's transaction ---------------------------------------------

    @contextlib.contextmanager
    def recording(
        self,
        events: Sequence[domain.Event],
        logs: Mapping[uuid.UUID, Sequence[domain.Event]] | None = None,
    ) -> Iterator[Recording]:
        """While the caller saves ``events`` (decided, in memory; ``logs``, their items'
        logs as the caller knows them) in this thread, :meth:`within` applies them in the
        log's own transaction. What it did is in the :class:`Recording` yielded; if the
        save fails after it applied them, what it cached is dropped."""
        recording = Recording(
            {(e.originator_id, e.originator_version): e for e in events}, logs or {}
        )
        self._pending.recording = recording
        try:
            yield recording
        except BaseException:
            if recording.applied:
                self._forget()  # rolled back with the log's transaction
            raise
        finally:
            self._pending.recording = None

    def within(self, cursor: Any, positions: Sequence[int], stored: Sequence[StoredEvent]) -> None:
        """The log writer's hook, called in its transaction once ``stored`` are inserted
        at ``positions`` (``cursor`` is of that transaction): apply them to the views there,
        from the events being recorded in this thread (:meth:`recording`), so the entries
        and their rows commit, or fail, together. Nothing is done for entries not being
        recorded so, nor if the views had not reached the first of them: catching up
        applies those after the commit. A failure to apply is raised (the log's
        transaction then rolls back) as :func:`~recommendations.stores.cannot_apply`."""
        recording: Recording | None = getattr(self._pending, "recording", None)
        if recording is None or not positions or len(positions) != len(stored):
            return
        cursor.execute(self._sql.tracked_for_writing, (_VIEW,))
        found = cursor.fetchone()
        first = min(positions)
        if found is None or int(found[0]) != first - 1:
            return  # behind already (or ahead): catching up takes them from the log
        entries: list[tuple[int, domain.Event | None]] = []
        try:
            with self._items_lock:
                recording.applied = True
                for position, record in sorted(
                    zip(positions, stored, strict=True), key=lambda pair: pair[0]
                ):
                    event = recording.events.get(
                        (_uuid(record.originator_id), record.originator_version)
                    )
                    # (an entry saved beside the events, a command record: read as stored)
                    entries.append((position, event if event is not None else self._decode(record)))
                self._apply(cursor, entries, recording.logs, bulk=False)
                cursor.execute(self._sql.track, (_VIEW, entries[-1][0]))
                self._dialect.settle(cursor)
        except Exception as error:
            self._forget()
            # Named by the batch's first entry: its rows are written together.
            at, event = entries[0] if entries else (first, None)
            failure = cannot_apply(at, event, error)
            if isinstance(failure, LogNotIntact):
                raise failure from error
            raise StoreError(
                f"{failure.detail}; nothing was recorded",
                reference=failure.reference,
                rule=failure.rule,
            ) from error
        recording.position = entries[-1][0]
        _log.debug(
            "views applied up to log position %d, in the entries' transaction", entries[-1][0]
        )

    def rebuild(self, *, batch: int = 20000, workers: int = 1) -> int:
        """Drop every view row and apply the whole log again, in one transaction; how many
        entries were applied.

        Entries are read item by item (an item's rows depend only on its own entries), so
        memory holds one item (and one batch of rows) at a time; the rows are those catching
        up would write. Readers see the old rows until the rebuild commits (on engines whose
        readers are not blocked by a writer); writers of the views wait.

        With ``workers`` above 1 (where the dialect allows it), that many processes each
        read and fold their own share of the items, by ranges of item ids, and hand back
        their rows; this process writes them all, in the one transaction. It pays only with
        cores to spare: on a busy machine the rows' passage between processes costs more
        than the second core gives back.

        If the rebuild fails, the views are left as they were; the error names the position
        of the entry that could not be applied where it can be told (a log changed outside
        this library is :class:`~recommendations.LogNotIntact`).
        """
        _log.info("rebuilding the views from the whole log")
        return rebuilt(self, lambda: self._rebuild(batch, workers))

    def _rebuild(self, batch: int, workers: int) -> int:
        s = self._sql
        with (
            self._session() as connection,
            self._dialect.rebuilding(connection),
            self._write() as cursor,
        ):
            for statement in s.delete:
                cursor.execute(statement)
            self._forget()
            # Readers in other processes keep the current register by (position, generation).
            cursor.execute(s.next_generation)
            cursor.execute(s.head)
            found = cursor.fetchone()
            head = 0 if found is None else int(found[0])
            applied = None
            if workers > 1 and self._dialect.parallel:
                applied = self._rebuild_in_parts(cursor, head, batch, workers)
            if applied is None:
                applied = 0
                for count, written in self._fold_all(cursor, head, batch, None, None):
                    applied += count
                    self._write_rows(cursor, written)
            cursor.execute(s.track, (_VIEW, head))
        _log.info("rebuilt the views: %d entries applied, up to log position %d", applied, head)
        return applied

    def _rebuild_in_parts(self, cursor: Any, head: int, batch: int, workers: int) -> int | None:
        """The rows of every item, folded by ``workers`` processes and written here as each
        share comes back; ``None`` if a worker failed (what was written is deleted: the
        caller folds in this process, and raises what it meets there)."""
        global _WORKER_ENGINE
        parts = max(workers * 4, head // _PART_ENTRIES + 1)
        convert = self._dialect.item_value or (lambda item: item)
        bounds = [convert(uuid.UUID(int=(2**128 * n) // parts)) for n in range(parts)]
        tasks = [
            (head, low, bounds[index + 1] if index + 1 < parts else None, batch)
            for index, low in enumerate(bounds)
        ]
        applied = 0
        _WORKER_ENGINE = self
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                # A few shares at a time: those written wait for no more than the workers
                # are folding, so memory holds a few shares' rows, whatever the log's length.
                waiting = iter(tasks)
                going = deque(
                    pool.apply_async(_rebuild_part, (task,))
                    for task in itertools.islice(waiting, workers + 1)
                )
                while going:
                    result = going.popleft().get()
                    task = next(waiting, None)
                    if task is not None:
                        going.append(pool.apply_async(_rebuild_part, (task,)))
                    if isinstance(result, BaseException):
                        pool.terminate()
                        for statement in self._sql.delete:
                            cursor.execute(statement)
                        return None
                    count, written = result
                    applied += count
                    self._write_rows(cursor, written)
                    del result, written
        finally:
            _WORKER_ENGINE = None
        return applied

    def _fold_items(
        self, cursor: Any, head: int, batch: int, low: Any, high: Any
    ) -> tuple[int, _Written]:
        """Every row of the items in ``[low, high)`` (in a worker): how many entries."""
        applied = 0
        parts: list[_Written] = []
        for count, written in self._fold_all(cursor, head, batch, low, high):
            applied += count
            parts.append(written)
        return applied, _Written(
            [row for part in parts for row in part.history],
            [row for part in parts for row in part.register],
            sorted((row for part in parts for row in part.trail), key=_BY_POSITION),
            [fact for part in parts for fact in part.facts],
            [fact for part in parts for fact in part.unnamed],
        )

    def _fold_all(
        self, cursor: Any, head: int, batch: int, low: Any, high: Any
    ) -> Iterator[tuple[int, _Written]]:
        """The rows of the items in ``[low, high)`` (every item for ``None``), each item
        folded once, in batches of about ``batch`` rows, with how many entries each holds."""
        rows = _Rows(self)
        applied = 0
        current: uuid.UUID | None = None
        item = _Item(views.ItemHistory.of([]), {})
        before: domain.Event | None = None
        for position, item_id, version, event in self._everything(cursor, head, batch, low, high):
            if item_id != current:
                if rows.pending() >= batch:
                    yield applied, rows.take()
                    applied = 0
                current, item = item_id, _Item(views.ItemHistory.of([]), {})
                before = None
            applied += 1
            if event is not None:  # a command record has no rows
                views.check_follows(before, event, position)
                before = event
                rows.entry(position, event, item)
            else:
                item.positions[version] = position
        yield applied, rows.take()

    def _write_rows(
        self, cursor: Any, written: _Written, *, insert: Callable[..., None] | None = None
    ) -> None:
        """Write ``written`` (``insert``: the dialect's bulk insert unless told another, as
        within another writer's transaction)."""
        insert = insert or self._dialect.insert
        if written.history:
            insert(cursor, "rec_register_history", _HISTORY_COLUMNS, written.history)
        if written.register:
            cursor.executemany(self._sql.upsert_register, written.register)
        if written.trail:
            insert(cursor, "rec_audit_trail", _TRAIL_COLUMNS, written.trail)
        d, s = self._dialect, self._sql
        facts = list(written.facts)
        for item, (kind, _, sensitive, report, inspection) in written.unnamed:
            cursor.execute(s.named, (d.item_value(item) if d.item_value else item,))
            found = cursor.fetchone()
            facts.append((kind, "" if found is None else found[0], sensitive, report, inspection))
        if facts:
            flag = d.flag_value or (lambda value: value)
            cursor.executemany(
                s.add_fact,
                [
                    (kind, reference, flag(sensitive), report, inspection)
                    for kind, reference, sensitive, report, inspection in sorted(
                        set(facts), key=lambda fact: tuple(map(str, fact))
                    )
                ],
            )

    def _everything(
        self, cursor: Any, head: int, batch: int, low: Any = None, high: Any = None
    ) -> Iterator[tuple[int, uuid.UUID, int, domain.Event | None]]:
        """Every entry up to ``head`` of the items with ids in ``[low, high)`` (stored form;
        ``None``: from the first, to the last), item by item, read a page at a time."""
        reader = cursor.connection.cursor()
        size = min(batch, _READ_PAGE)
        raw: Any = None
        item_id = uuid.UUID(int=0)
        if low is None:
            convert = self._dialect.item_value
            low = convert(item_id) if convert else item_id
        after: tuple[Any, int] = (low, 0)
        while True:
            if high is None:
                reader.execute(self._sql.by_item, (head, *after, size))
            else:
                reader.execute(self._sql.by_item_below, (head, *after, high, size))
            found = reader.fetchall()
            for position, originator_id, version, topic, state in found:
                if originator_id != raw:  # an item's entries come together: one id each
                    raw, item_id = originator_id, _uuid(originator_id)
                yield position, item_id, version, self._event(item_id, version, topic, state)
            if len(found) < size:
                return
            after = (found[-1][1], found[-1][2])

    def _event(self, item: uuid.UUID, version: int, topic: str, state: Any) -> domain.Event | None:
        return self._decode(
            StoredEvent(
                originator_id=item,
                originator_version=version,
                topic=topic,
                state=state if isinstance(state, bytes) else bytes(state),
            )
        )

    def _page(self, cursor: Any, after: int, limit: int) -> list[tuple[int, domain.Event | None]]:
        cursor.execute(self._sql.page, (after, limit))
        return [
            (position, self._event(_uuid(originator_id), version, topic, state))
            for position, originator_id, version, topic, state in cursor.fetchall()
        ]

    def _item(
        self,
        cursor: Any,
        item: uuid.UUID,
        upto: int,
        known: Sequence[domain.Event] | None = None,
    ) -> _Item:
        """The history of recommendation ``item`` up to its entry ``upto``: cached, made
        from ``known`` (its log in memory, if that holds the entries to ``upto``), or read."""
        cached = self._items.get(item)
        if cached is not None and len(cached.history.log) == upto:
            self._items.move_to_end(item)
            return cached
        if known is not None and len(known) >= upto:
            log = [e for e in known[:upto] if isinstance(e, domain.RecommendationEvent)]
            if len(log) == upto and all(
                e.originator_version == version for version, e in enumerate(log, start=1)
            ):
                loaded = _Item(views.ItemHistory.of(log), {}, partial=True)
                self._cache(item, loaded)
                return loaded
        entries = self._entries(cursor, item, upto)
        log = [e for _, _, e in entries if isinstance(e, domain.RecommendationEvent)]
        loaded = _Item(
            views.ItemHistory.of(log), {version: position for position, version, _ in entries}
        )
        self._cache(item, loaded)
        return loaded

    def _cache(self, item: uuid.UUID, loaded: _Item) -> None:
        self._items[item] = loaded
        if len(self._items) > _CACHED_ITEMS:
            self._items.popitem(last=False)

    def _entries(
        self, cursor: Any, item: uuid.UUID, upto: int
    ) -> list[tuple[int, int, domain.Event | None]]:
        convert = self._dialect.item_value
        cursor.execute(self._sql.item, (convert(item) if convert else item, upto))
        return [
            (position, version, self._event(item, version, topic, state))
            for position, version, topic, state in cursor.fetchall()
        ]

    # --- reading ---------------------------------------------------------------------------

    def register(
        self, basis: views.Basis, where: views.RegisterFilter
    ) -> tuple[int, list[views.RegisterRow]]:
        """The register on ``basis``, and the log position it reflects.

        One read transaction on one snapshot: the position the views had reached, the
        choice between the current table and the history, and the rows all agree. The
        position returned is the basis's, or the views' if they had not reached it (another
        writer may have recorded since they caught up); the rows are those of that position.
        """
        with self._transaction(self._dialect.begin_read) as cursor:
            reached = self._reached(cursor)
            position = min(basis.position, reached)
            at = attrs.evolve(basis, position=position)
            rows: list[views.RegisterRow] | None = None
            if position == reached:
                kept = self._current_rows(cursor, at)
                rows = None if kept is None else list(kept)  # the kept rows stay the engine's
            if rows is None:
                make, as_at = self._make_rows, at.as_at
                indexed = position == reached or self._cut_by_known(cursor, at)
                rows = []
                for page in self._pages(cursor, at, False, indexed):
                    rows += make(page, as_at)
        if where == _EVERY_ROW:
            return position, rows
        return position, [row for row in rows if where(row)]

    def _current_rows(self, cursor: Any, basis: views.Basis) -> list[views.RegisterRow] | None:
        """The current table's rows, if the basis is on or after everything in it.

        The rows are kept: a later read at the same generation of the views and the same day
        reads only the rows entries changed since (by position: an indexed read) and puts
        them in their places, by this process or any other, rather than every row again.
        """
        cursor.execute(self._sql.tracked, ("generation",))
        found = cursor.fetchone()
        generation = 0 if found is None else int(found[0])
        current = self._current
        if (
            current is not None
            and current.generation == generation
            and current.as_at == basis.as_at
            and current.position <= basis.position
        ):
            if current.position < basis.position:
                self._patch_current(cursor, current, basis.position)
            if basis.as_at < current.last_day or basis.known_at < current.last_time:
                return None
            return current.rows
        # Whether the basis is on or after everything in the table is asked first: an
        # as-at register before it reads the history, and no current row.
        latest = self._latest(cursor)
        if latest is None:
            return None
        last_day, last_time = latest
        if basis.as_at < last_day or basis.known_at < last_time:
            return None
        cursor.execute(self._sql.current_rows)
        rows = self._make_rows(cursor.fetchall(), basis.as_at)
        _by_reference(rows)
        self._current = _Current(
            position=basis.position,
            generation=generation,
            as_at=basis.as_at,
            rows=rows,
            where={row.reference: index for index, row in enumerate(rows)},
            last_day=last_day,
            last_time=last_time,
        )
        return rows

    def _patch_current(self, cursor: Any, current: _Current, position: int) -> None:
        """Bring ``current`` to ``position``: the rows changed since, in their places."""
        d = self._dialect
        cursor.execute(self._sql.changed, (current.position,))
        added = []
        for values in cursor.fetchall():
            (row,) = self._make_rows((values[:-1],), current.as_at)
            recorded = d.read_time(values[-1]) if d.read_time else values[-1]
            current.last_day = max(current.last_day, row.last_changed_on)
            current.last_time = max(current.last_time, recorded)
            index = current.where.get(row.reference)
            if index is None:
                added.append(row)
            else:
                current.rows[index] = row
        if added:
            current.rows.extend(added)
            _by_reference(current.rows)
            current.where = {row.reference: index for index, row in enumerate(current.rows)}
        current.position = position

    @contextlib.contextmanager
    def register_lines(
        self, basis: views.Basis
    ) -> Iterator[tuple[int, Iterator[views.RegisterLine]]]:
        """:meth:`register`, as the log position it reflects and its rows as
        :class:`~recommendations.views.RegisterLine` objects, read a page at a time (none
        held beyond its page), in one read transaction that lasts until the block ends:
        iterate the rows inside it.
        """
        with self._transaction(self._dialect.begin_read) as cursor:
            position, at, current, indexed = self._source(cursor, basis)
            lines, as_at = self._make_lines, at.as_at
            pages = self._pages(cursor, at, current, indexed)
            yield position, (line for page in pages for line in lines(page, as_at))

    def _source(self, cursor: Any, basis: views.Basis) -> tuple[int, views.Basis, bool, bool]:
        """The position the register on ``basis`` reflects, the basis at that position,
        whether the current table holds it (else the history does), and whether that
        position is the views' own."""
        reached = self._reached(cursor)
        position = min(basis.position, reached)
        at = attrs.evolve(basis, position=position)
        if position == reached:
            return position, at, self._covers(cursor, at), True
        return position, at, False, self._cut_by_known(cursor, at)

    def _cut_by_known(self, cursor: Any, basis: views.Basis) -> bool:
        """Whether ``basis.position`` leaves out no entry recorded by ``basis.known_at``:
        every entry after it was recorded later (as a basis made from a known-at time
        gives), read as :meth:`LogStore.last_recorded_by
        <recommendations._service._store.LogStore.last_recorded_by>` reads the log (past
        the position, up to the first entry recorded more than ``DISORDER`` after it).
        Then the rows the log held at the basis are those it held at the views' own
        position as known then, and the period index may find them (see
        ``Dialect.history``). Unsure (a state that does not begin with its recorded
        time, many entries within the margin), or an engine whose history statement has no
        use for it (``Dialect.indexed_history``): no."""
        if basis.position <= 0 or not self._dialect.indexed_history:
            return False
        known = basis.known_at
        try:
            margin = known + _DISORDER
        except OverflowError:  # known at the end of time: every entry was recorded by then
            return False
        cursor.execute(self._sql.recorded_after, (basis.position, _CUT_READ))
        heads = cursor.fetchall()
        start = len(_RECORDED)
        for (head,) in heads:
            head = bytes(head)
            end = head.find(b'"', start)
            if not head.startswith(_RECORDED) or end < 0:
                return False
            try:
                recorded = datetime.fromisoformat(head[start:end].decode())
            except ValueError:
                return False
            if recorded <= known:
                return False
            if recorded > margin:
                return True
        return len(heads) < _CUT_READ

    def _covers(self, cursor: Any, basis: views.Basis) -> bool:
        """Whether the current table's rows are the register on ``basis``: it is on or
        after everything in them."""
        latest = self._latest(cursor)
        return latest is None or not (basis.as_at < latest[0] or basis.known_at < latest[1])

    def _latest(self, cursor: Any) -> tuple[date, datetime] | None:
        """The latest day and recorded time of the current table's rows (``None``: none)."""
        d = self._dialect
        cursor.execute(self._sql.latest)
        latest = cursor.fetchone()
        if latest is None or latest[0] is None:
            return None
        last_day = d.read_date(latest[0]) if d.read_date else latest[0]
        last_time = d.read_time(latest[1]) if d.read_time else latest[1]
        return last_day, last_time

    def _pages(
        self, cursor: Any, basis: views.Basis, current: bool, indexed: bool
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """The state columns of the register's rows on ``basis``, as the engine reads them
        back (what ``self._make_rows`` takes), from the current table or the history, a page
        at a time, by reference."""
        if current:
            cursor.execute(self._sql.current)
        else:
            statement, parameters = self._dialect.history(basis, _STATE_LIST, indexed=indexed)
            cursor.execute(statement, parameters)
        while page := cursor.fetchmany(_READ_PAGE):
            yield page

    def _reached(self, cursor: Any) -> int:
        cursor.execute(self._sql.tracked, (_VIEW,))
        found = cursor.fetchone()
        return 0 if found is None else int(found[0])

    def sensitivity(self) -> tuple[int, views.Sensitivity]:
        """What is sensitive (:meth:`views.Sensitivity.of` of every entry the views hold),
        from ``rec_sensitivity``, and the log position the views hold."""
        flag = (self._dialect.flag_value or (lambda value: value))(True)
        with self._transaction(self._dialect.begin_read) as cursor:
            reached = self._reached(cursor)
            found = []
            for statement in self._sql.sensitive:
                cursor.execute(statement, (flag,) * statement.count(self._dialect.marker))
                found.append(frozenset(row[0] for row in cursor.fetchall() if row[0]))
        inspections, reports, recommendations = found
        return reached, views.Sensitivity(
            recommendations=recommendations, reports=reports, inspections=inspections
        )

    def item_log(self, item: uuid.UUID) -> list[views.Positioned]:
        """One item's entries with their log positions, in order (an indexed read)."""
        with self._session() as connection:
            entries = self._entries(connection.cursor(), item, _END)
        return [
            views.Positioned(position=position, event=event)
            for position, _, event in entries
            if event is not None
        ]

    def kept_trail(
        self, item: uuid.UUID, reminders: uuid.UUID
    ) -> tuple[int, int, list[views.KeptEntry] | None]:
        """The last log position the views include, the log's last position, and the
        entries kept of recommendation ``item`` and of its ``reminders`` (their ``shown``
        column), in log order, read together in one indexed read.

        The entries are ``None`` if one of them is not kept, or if the log no longer holds
        them as they were applied (an entry deleted, added or given another recorded time
        behind the library's back: read in the same statement, by the same items): the
        trail is then to be worked out from the log, which says what is wrong with it.
        """
        convert = self._dialect.item_value
        asked = {(convert(each) if convert else each): each for each in (item, reminders)}
        with self._session() as connection:  # one statement: one snapshot
            cursor = connection.cursor()
            cursor.execute(self._sql.kept, (_VIEW, *asked, *asked))
            found = cursor.fetchall()
        reached = head = 0
        kept: list[views.KeptEntry] | None = []
        logged = []
        for part, at, last, position, raw, version, shown, state in found:
            if part:  # an entry of the log
                logged.append((position, version, state))
                continue
            reached, head = int(at or 0), int(last or 0)
            if position is None:  # the row of positions alone
                continue
            if shown is None:
                kept = None
            if kept is not None:
                owner = asked.get(raw)
                kept.append(
                    unpack(position, _uuid(raw) if owner is None else owner, version, shown)
                )
        if reached < head or kept is None or not _as_logged(kept, logged):
            return reached, head, None
        return reached, head, kept

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of the view table ``table`` (``rec_register``, ``rec_register_history``
        less its ``id``, or ``rec_audit_trail``), each value :func:`plain`, in key order:
        the same on every engine for the same log."""
        with self._transaction(self._dialect.begin_read) as cursor:
            return list(self._rows(cursor, table))

    def _rows(self, cursor: Any, table: str) -> Iterator[tuple[Any, ...]]:
        cursor.execute(self._sql.rows[table])
        while found := cursor.fetchmany(1000):
            for row in found:
                yield tuple(map(plain, row))

    def digest(self) -> str:
        """A SHA-256 of every view row (:meth:`rows`), in key order, read on one snapshot:
        equal digests, equal views, on any engine."""
        hasher = hashlib.sha256()
        with self._transaction(self._dialect.begin_read) as cursor:
            for table in TABLES:
                hasher.update(table.encode())
                for row in self._rows(cursor, table):
                    hasher.update(orjson.dumps(list(row)))
        return hasher.hexdigest()


@attrs.define
class Recording:
    """Events being saved in one thread (by item and version) and the item logs known
    with them; once the log's transaction applied them, ``applied`` and the ``position``
    the views then reached (``None`` if it left them to catching up)."""

    events: dict[tuple[uuid.UUID, int], domain.Event]
    logs: Mapping[uuid.UUID, Sequence[domain.Event]]
    applied: bool = False
    position: int | None = None


_DISORDER = timedelta(minutes=1)
"""How far out of order two writers recording at once may leave recorded times (the
service's ``DISORDER``)."""
_CUT_READ = 200
"""At most how many entries past a basis :meth:`SqlTables._cut_by_known` reads."""
_STATE_HEAD = 64
"""How many bytes of a stored state :func:`_as_logged` reads: its recorded time comes first."""
_RECORDED = b'{"recorded_at":"'


def _as_logged(kept: Sequence[views.KeptEntry], logged: Sequence[Sequence[Any]]) -> bool:
    """Whether the log's entries ``logged`` (position, version and the first bytes of the
    stored state, in log order) are those ``kept`` was applied from: the same positions
    and versions, recorded at the same times. A state that does not begin with its
    recorded time (encrypted, compressed, or written otherwise) cannot be told: no."""
    if len(kept) != len(logged):
        return False
    start = len(_RECORDED)
    for entry, (position, version, head) in zip(kept, logged, strict=True):
        if position != entry.position or version != entry.version:
            return False
        head = bytes(head)
        end = head.find(b'"', start)
        if not head.startswith(_RECORDED) or end < 0:
            return False
        try:
            if datetime.fromisoformat(head[start:end].decode()) != entry.recorded_at:
                return False
        except ValueError:
            return False
    return True


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
