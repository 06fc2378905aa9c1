"""Materialised views in the store's own PostgreSQL database, for other programs to query.

Tables (documented in docs/reference/postgresql.md), in the schema of the log's table:

- ``rec_register``: one row per recommendation, its state at the end of its timeline;
- ``rec_register_history``: the bitemporal history, SQL:2011 style. Each row is one state of
  one recommendation, true in the world over ``[valid_from, valid_to)`` and held by the log
  over ``[recorded_from, recorded_to)`` and log positions ``[position_from, position_to)``;
  an open end is ``NULL``, so ``daterange(valid_from, valid_to)`` and its kind are the
  periods, and one GiST index covers all three;
- ``rec_audit_trail``: one row per entry of the log, with who, when and why;
- ``rec_tracking``: the last log position applied, written in the same transaction as the
  rows, so every entry is applied exactly once and a view resumes where it stopped.

Catching up reads the log table directly, by ``notification_id``, inside the transaction
that writes the rows, holding the ``rec_tracking`` row locked so that trackers in many
processes take turns. ``eventsourcing.postgres`` takes an ``EXCLUSIVE`` lock on the log
table before it draws positions and keeps it until its commit is visible, so positions
become visible in order: a reader that sees position N+1 sees N.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import attrs
import orjson
import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.types.json import Jsonb

from recommendations import StoreError, domain, views
from recommendations.stores import cannot_apply, primitive, rebuilt

from ._factory import reason

__all__ = ["SCHEMA_VERSION", "PostgresViews"]

SCHEMA_VERSION = 1
"""The version of the view tables' layout, kept in ``rec_tracking`` under ``'schema'``."""

_VIEW = "views"
_CACHED_ITEMS = 4096
"""How many recommendations catching up keeps in memory between their entries."""
_TABLES = ("rec_register", "rec_register_history", "rec_audit_trail")

_STATE_TYPES = {
    "reference": "text",
    "text": "text NOT NULL",
    "kind": "text NOT NULL",
    "body": "text NOT NULL",
    "inspectorates": "text[] NOT NULL",
    "inspection": "text",
    "report": "text NOT NULL",
    "finding": "text",
    "scope": "text NOT NULL",
    "sensitive": "boolean NOT NULL",
    "owner": "text",
    "owner_name": "text",
    "grade": "text",
    "status": "text NOT NULL",
    "due_on": "date",
    "original_due_on": "date",
    "deferrals": "integer NOT NULL",
    "raised_on": "date NOT NULL",
    "last_changed_on": "date NOT NULL",
}
_HISTORY_COLUMNS = views.HISTORY_COLUMNS
_RECORDED_TO = _HISTORY_COLUMNS.index("recorded_to")
_POSITION_TO = _HISTORY_COLUMNS.index("position_to")
_REGISTER_COLUMNS = (*views.STATE_COLUMNS, "position", "recorded_at")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {{s}}.rec_tracking (
    view text PRIMARY KEY,
    position bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS {{s}}.rec_register (
    reference text PRIMARY KEY,
    {", ".join(f"{c} {t}" for c, t in _STATE_TYPES.items() if c != "reference")},
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {{s}}.rec_register_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference text NOT NULL,
    valid_from date NOT NULL,
    valid_to date CHECK (valid_from < valid_to),
    recorded_from timestamptz NOT NULL,
    recorded_to timestamptz CHECK (recorded_from < recorded_to),
    position_from bigint NOT NULL,
    position_to bigint CHECK (position_from < position_to),
    {", ".join(f"{c} {t}" for c, t in _STATE_TYPES.items() if c != "reference")},
    UNIQUE (reference, recorded_from, valid_from)
);
CREATE UNIQUE INDEX IF NOT EXISTS rec_register_history_open
    ON {{s}}.rec_register_history (reference, valid_from) WHERE recorded_to IS NULL;
CREATE INDEX IF NOT EXISTS rec_register_history_periods
    ON {{s}}.rec_register_history USING gist (
        daterange(valid_from, valid_to),
        tstzrange(recorded_from, recorded_to),
        int8range(position_from, position_to)
    );
CREATE TABLE IF NOT EXISTS {{s}}.rec_audit_trail (
    position bigint PRIMARY KEY,
    item uuid NOT NULL,
    reference text,
    version integer NOT NULL,
    event_type text NOT NULL,
    effective_on date NOT NULL,
    recorded_at timestamptz NOT NULL,
    actor text NOT NULL,
    reason text NOT NULL,
    corrects integer,
    details jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rec_audit_trail_item ON {{s}}.rec_audit_trail (item, version);
"""

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
ORDER BY reference
"""


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class _Rows:
    """The rows a run of entries adds and changes, written at once by :meth:`flush`.

    A history row opened and closed within the run is written closed; rows already in the
    table are closed by one ``UPDATE`` each.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.closing: list[tuple[datetime, int, str, date]] = []
        self.opened: dict[tuple[str, date], list[Any]] = {}
        self.done: list[list[Any]] = []
        self.register: dict[str, tuple[Any, ...]] = {}
        self.trail: list[tuple[Any, ...]] = []

    def pending(self) -> int:
        return len(self.opened) + len(self.done) + len(self.trail)

    def entry(
        self, position: int, event: domain.Event, item: views.ItemHistory | None = None
    ) -> None:
        """The rows of ``event`` at ``position``; ``item`` is its recommendation's history
        before it (``None`` for an inspection's or a report's entry)."""
        reference = None
        if item is not None and isinstance(event, domain.RecommendationEvent):
            reference = self._recommendation(position, event, item)
        self.trail.append(_trail_row(position, event, reference))

    def _recommendation(
        self, position: int, event: domain.RecommendationEvent, item: views.ItemHistory
    ) -> str:
        recorded = event.recorded_at
        closed, opened = item.add(event)
        reference = str(item.segments[0][2][0])
        for valid_from, _, _ in closed:
            row = self.opened.pop((reference, valid_from), None)
            if row is None:
                self.closing.append((recorded, position, reference, valid_from))
            else:
                row[_RECORDED_TO], row[_POSITION_TO] = recorded, position
                self.done.append(row)
        for segment in opened:
            self.opened[(reference, segment[0])] = _history_row(segment, recorded, position)
        self.register[reference] = (*_stored(item.segments[-1][2]), position, recorded)
        return reference

    def flush(self, cursor: psycopg.Cursor[Any], statements: _Statements) -> None:
        if self.closing:
            cursor.executemany(statements.close_history, self.closing)
            if cursor.rowcount != len(self.closing):
                references = sorted({reference for _, _, reference, _ in self.closing})
                raise StoreError(
                    "the view tables lack an open history row of "
                    f"{', '.join(map(repr, references))}: they were changed outside this "
                    "library; rebuild them",
                    reference=references[0] if len(references) == 1 else None,
                    rule="views-consistent",
                )
        history = [*self.done, *self.opened.values()]
        if history:
            with cursor.copy(statements.copy_history) as copy:
                for row in history:
                    copy.write_row(row)
        if self.register:
            cursor.executemany(statements.upsert_register, list(self.register.values()))
        if self.trail:
            with cursor.copy(statements.copy_trail) as copy:
                for entry in self.trail:
                    copy.write_row(entry)
        self._reset()


def _stored(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """State columns as bound to the table: the inspectorates as an array."""
    return (*values[:4], list(values[4]), *values[5:])


def _history_row(segment: views.Segment, recorded: datetime, position: int) -> list[Any]:
    """A new, open history row (``_HISTORY_COLUMNS``) for a segment the log holds from now."""
    valid_from, valid_to, values = segment
    stored = _stored(values)
    return [stored[0], valid_from, valid_to, recorded, None, position, None, *stored[1:]]


def _trail_row(position: int, event: domain.Event, reference: str | None) -> tuple[Any, ...]:
    details = {name: primitive(value) for name, value in views.trail_details(event).items()}
    return (
        position,
        event.originator_id,
        reference or getattr(event, "reference", None),
        event.originator_version,
        type(event).__name__,
        event.effective_on,
        event.recorded_at,
        event.actor,
        event.reason,
        getattr(event, "corrects", None),
        Jsonb(details, dumps=_json),
    )


class _Statements:
    """The statements of one schema and log table, composed once (as bytes: the driver
    would otherwise compose them again at each call)."""

    def __init__(self, schema: str, events: str) -> None:
        names = {"s": sql.Identifier(schema), "events": sql.Identifier(events)}

        def compose(text: str, **more: sql.Composable) -> bytes:
            return sql.SQL(text).format(**names, **more).as_bytes(None)

        def columns(names: Iterable[str]) -> sql.Composed:
            return sql.SQL(", ").join(map(sql.Identifier, names))

        self.schema = schema
        self.create = compose(_SCHEMA)
        self.drop = compose(
            "DROP TABLE IF EXISTS "
            + ", ".join(f"{{s}}.{table}" for table in (*_TABLES, "rec_tracking"))
        )
        self.tables_exist = compose(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'rec_tracking'"
        )
        self.tracked = compose("SELECT position FROM {s}.rec_tracking WHERE view = %s")
        self.tracked_for_update = compose(
            "SELECT position FROM {s}.rec_tracking WHERE view = %s FOR UPDATE"
        )
        self.track = compose(
            "INSERT INTO {s}.rec_tracking (view, position) VALUES (%s, %s) "
            "ON CONFLICT (view) DO UPDATE SET position = excluded.position"
        )
        self.track_once = compose(
            "INSERT INTO {s}.rec_tracking (view, position) VALUES (%s, %s) "
            "ON CONFLICT (view) DO NOTHING"
        )
        self.next_generation = compose(
            "INSERT INTO {s}.rec_tracking (view, position) VALUES ('generation', 1) "
            "ON CONFLICT (view) DO UPDATE SET position = rec_tracking.position + 1"
        )
        self.behind = compose(
            "SELECT (SELECT position FROM {s}.rec_tracking WHERE view = %s), "
            "(SELECT max(notification_id) FROM {s}.{events})"
        )
        self.head = compose("SELECT coalesce(max(notification_id), 0) FROM {s}.{events}")
        self.page = compose(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {s}.{events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        )
        self.everything = compose(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {s}.{events} WHERE notification_id <= %s "
            "ORDER BY originator_id, originator_version"
        )
        self.item = compose(
            "SELECT notification_id, originator_version, topic, state FROM {s}.{events} "
            "WHERE originator_id = %s AND originator_version <= %s ORDER BY originator_version"
        )
        self.delete = [compose(f"DELETE FROM {{s}}.{table}") for table in _TABLES]
        self.close_history = compose(
            "UPDATE {s}.rec_register_history SET recorded_to = %s, position_to = %s "
            "WHERE reference = %s AND valid_from = %s AND recorded_to IS NULL"
        )
        self.copy_history = compose(
            "COPY {s}.rec_register_history ({columns}) FROM STDIN",
            columns=columns(_HISTORY_COLUMNS),
        )
        self.copy_trail = compose(
            "COPY {s}.rec_audit_trail ({columns}) FROM STDIN", columns=columns(views.TRAIL_COLUMNS)
        )
        self.upsert_register = compose(
            "INSERT INTO {s}.rec_register ({columns}) VALUES ({values}) "
            "ON CONFLICT (reference) DO UPDATE SET {updates}",
            columns=columns(_REGISTER_COLUMNS),
            values=sql.SQL(", ").join([sql.Placeholder()] * len(_REGISTER_COLUMNS)),
            updates=sql.SQL(", ").join(
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
                for c in _REGISTER_COLUMNS[1:]
            ),
        )
        self.latest = compose("SELECT max(last_changed_on), max(recorded_at) FROM {s}.rec_register")
        self.current = compose(
            "SELECT {columns} FROM {s}.rec_register ORDER BY reference",
            columns=columns(views.STATE_COLUMNS),
        )
        self.history = compose(_HISTORY_QUERY, columns=columns(views.STATE_COLUMNS))
        self.digest = [
            compose("SELECT * FROM {s}.rec_register ORDER BY reference"),
            # ids depend on the order rows were written in
            compose(
                "SELECT {columns} FROM {s}.rec_register_history "
                "ORDER BY reference, recorded_from, valid_from",
                columns=columns(_HISTORY_COLUMNS),
            ),
            compose("SELECT * FROM {s}.rec_audit_trail ORDER BY position"),
        ]


class PostgresViews:
    """The materialised views of one PostgreSQL store.

    ``connect`` opens a connection to the store's database (the views put it in autocommit
    mode, and set its time zone to UTC); ``decode`` turns a stored event into a domain event (the
    tracker's mapper), or ``None`` for an entry that is not one. ``schema`` and ``events``
    name the log's table; the view tables are made beside it. ``label`` names the store in
    messages (without its password).
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
        self._connect = connect
        self._decode = decode
        self._label = label or f"{schema}.{events}"
        self._statements = _Statements(schema, events)
        self._lock = threading.RLock()
        self._connection: psycopg.Connection[Any] | None = None
        self._items: OrderedDict[uuid.UUID, views.ItemHistory] = OrderedDict()
        self._current: tuple[tuple[int, int, date], list[views.RegisterRow]] | None = None
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    # --- connections and transactions -----------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection, under the lock; a driver's error becomes a StoreError, and a
        broken connection is opened again next time."""
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    connection = self._connect()
                    connection.autocommit = True
                    # Times read back in UTC, whatever the server's zone: rows compare and
                    # digest alike from any session.
                    connection.execute("SET TIME ZONE 'UTC'")
                    self._connection = connection
                yield self._connection
            except psycopg.Error as error:
                self._forget()
                if self._connection is not None and self._connection.broken:
                    self._connection.close()
                    self._connection = None
                raise StoreError(
                    f"the views of the store {self._label!r} failed: "
                    f"{type(error).__name__}: {reason(error)}",
                    rule="store-available",
                ) from error

    @contextmanager
    def _write(self) -> Iterator[psycopg.Cursor[Any]]:
        """One transaction holding the tracking row locked: the views' writers take turns."""
        with self._session() as connection:
            try:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.execute(self._statements.tracked_for_update, (_VIEW,))
                    yield cursor
            except BaseException:
                self._forget()  # the cache may hold what was rolled back
                raise

    def _forget(self) -> None:
        self._items.clear()
        self._current = None

    def _prepare(self) -> None:
        """Create the tables; if they were made by another version of this layout, drop
        them and make them again (they are derived: catching up refills them)."""
        s = self._statements
        with self._session() as connection, connection.transaction():
            # Trackers opening at once would race to create the same tables.
            connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recommendations {s.schema}",)
            )
            found = connection.execute(s.tables_exist, (s.schema,)).fetchone()
            if found is not None:
                row = connection.execute(s.tracked, ("schema",)).fetchone()
                version = None if row is None else int(row[0])
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the view tables of {self._label!r} are of layout {version}, newer "
                        f"than this library's ({SCHEMA_VERSION}): upgrade the library",
                        rule="views-schema",
                    )
                if version != SCHEMA_VERSION:
                    connection.execute(s.drop)
            connection.execute(s.create)
            connection.execute(s.track_once, ("schema", SCHEMA_VERSION))
            connection.execute(s.track_once, (_VIEW, 0))

    def close(self) -> None:
        """Close the views' connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._forget()

    # --- catching up ----------------------------------------------------------------------

    def position(self) -> int:
        """The last log position the views include."""
        with self._session() as connection:
            found = connection.execute(self._statements.tracked, (_VIEW,)).fetchone()
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
                behind = connection.execute(self._statements.behind, (_VIEW,)).fetchone()
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
                        page = self._read(cursor, position, size)
                    if not page:
                        return applied
                    rows = _Rows()
                    for at, event in page:
                        if event is None:  # not a domain event (a command record): no rows
                            continue
                        item = None
                        if isinstance(event, domain.RecommendationEvent):
                            item = self._item(
                                cursor, event.originator_id, event.originator_version - 1
                            )
                            views.check_follows(item.log[-1] if item.log else None, event, at)
                        rows.entry(at, event, item)
                    rows.flush(cursor, self._statements)
                    cursor.execute(self._statements.track, (_VIEW, page[-1][0]))
            except Exception as error:
                if len(page) > 1:
                    single, recorded = True, ()
                    continue
                if position is None:  # the views could not even be opened for writing
                    raise
                at, event = page[0] if page else (position + 1, None)
                raise cannot_apply(at, event, error) from error
            applied += len(page)
            if len(page) < size:
                return applied

    def rebuild(self, *, batch: int = 20000) -> int:
        """Drop every view row and apply the whole log again, in one transaction; how many
        entries were applied.

        Entries are read item by item (an item's rows depend only on its own entries), so
        memory holds one item at a time; the rows are those catching up would write.
        Readers see the old rows until the rebuild commits; writers of the views wait.

        If the rebuild fails, the views are left as they were; the error names the position
        of the entry that could not be applied where it can be told (a log changed outside
        this library is :class:`~recommendations.LogNotIntact`).
        """
        return rebuilt(self, lambda: self._rebuild(batch))

    def _rebuild(self, batch: int) -> int:
        s = self._statements
        with self._write() as cursor:
            for statement in s.delete:
                cursor.execute(statement)
            self._forget()
            # Readers in other processes keep the current register by (position, generation).
            cursor.execute(s.next_generation)
            found = cursor.execute(s.head).fetchone()
            head = 0 if found is None else int(found[0])
            rows = _Rows()
            applied = 0
            connection = cursor.connection
            with connection.cursor(name="rec_rebuild") as log:
                log.itersize = batch
                log.execute(s.everything, (head,))
                current: uuid.UUID | None = None
                item = views.ItemHistory.of([])
                before: domain.Event | None = None
                for position, originator_id, version, topic, state in log:
                    if originator_id != current:
                        if rows.pending() >= batch:
                            rows.flush(cursor, s)
                        current, item = originator_id, views.ItemHistory.of([])
                        before = None
                    event = self._decode(
                        StoredEvent(
                            originator_id=originator_id,
                            originator_version=version,
                            topic=topic,
                            state=bytes(state),
                        )
                    )
                    applied += 1
                    if event is not None:  # a command record has no rows
                        views.check_follows(before, event, position)
                        before = event
                        rows.entry(position, event, item)
            rows.flush(cursor, s)
            cursor.execute(s.track, (_VIEW, head))
        return applied

    def _read(
        self, cursor: psycopg.Cursor[Any], after: int, limit: int
    ) -> list[tuple[int, domain.Event | None]]:
        cursor.execute(self._statements.page, (after, limit))
        return [
            (
                position,
                self._decode(
                    StoredEvent(
                        originator_id=originator_id,
                        originator_version=version,
                        topic=topic,
                        state=bytes(state),
                    )
                ),
            )
            for position, originator_id, version, topic, state in cursor.fetchall()
        ]

    def _item(self, cursor: psycopg.Cursor[Any], item: uuid.UUID, upto: int) -> views.ItemHistory:
        """The history of recommendation ``item`` up to its entry ``upto``."""
        cached = self._items.get(item)
        if cached is not None and len(cached.log) == upto:
            self._items.move_to_end(item)
            return cached
        log = [event for _, event in self._entries(cursor, item, upto)]
        loaded = views.ItemHistory.of([e for e in log if isinstance(e, domain.RecommendationEvent)])
        self._items[item] = loaded
        if len(self._items) > _CACHED_ITEMS:
            self._items.popitem(last=False)
        return loaded

    def _entries(
        self, cursor: psycopg.Cursor[Any], item: uuid.UUID, upto: int
    ) -> list[tuple[int, domain.Event]]:
        cursor.execute(self._statements.item, (item, upto))
        logged = [
            (
                position,
                self._decode(
                    StoredEvent(originator_id=item, originator_version=v, topic=t, state=bytes(s))
                ),
            )
            for position, v, t, s in cursor.fetchall()
        ]
        return [(position, event) for position, event in logged if event is not None]

    # --- reading ---------------------------------------------------------------------------

    def register(
        self, basis: views.Basis, where: views.RegisterFilter
    ) -> tuple[int, list[views.RegisterRow]]:
        """The register on ``basis``, and the log position it reflects.

        One read-only transaction on one snapshot: the position the views had reached, the
        choice between the current table and the history, and the rows all agree. The
        position returned is the basis's, or the views' if they had not reached it; the
        rows are those of that position.
        """
        s = self._statements
        with self._session() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            found = connection.execute(s.tracked, (_VIEW,)).fetchone()
            reached = 0 if found is None else int(found[0])
            position = min(basis.position, reached)
            at = attrs.evolve(basis, position=position)
            rows: list[views.RegisterRow] | None = None
            if position == reached:
                rows = self._current_rows(connection, at)
            if rows is None:
                found_rows = connection.execute(
                    s.history,
                    {"day": at.as_at, "known": at.known_at, "position": at.position},
                ).fetchall()
                rows = [views.register_row(values, at.as_at) for values in found_rows]
        return position, [row for row in rows if where(row)]

    def _current_rows(
        self, connection: psycopg.Connection[Any], basis: views.Basis
    ) -> list[views.RegisterRow] | None:
        """The current table's rows, if the basis is on or after everything in it."""
        s = self._statements
        latest = connection.execute(s.latest).fetchone()
        if (
            latest is not None
            and latest[0] is not None
            and (basis.as_at < latest[0] or basis.known_at < latest[1])
        ):
            return None
        generation = connection.execute(s.tracked, ("generation",)).fetchone()
        key = (basis.position, 0 if generation is None else int(generation[0]), basis.as_at)
        cached = self._current
        if cached is not None and cached[0] == key:
            return cached[1]
        result = [
            views.register_row(values, basis.as_at)
            for values in connection.execute(s.current).fetchall()
        ]
        self._current = (key, result)
        return result

    def item_log(self, item: uuid.UUID) -> list[tuple[int, domain.Event]]:
        """One item's entries with their log positions, in order (an indexed read)."""
        with self._session() as connection, connection.cursor() as cursor:
            return self._entries(cursor, item, 2**62)

    def digest(self) -> str:
        """A SHA-256 of every view row, in key order: equal digests, equal views."""
        hasher = hashlib.sha256()
        with self._session() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for table, statement in zip(_TABLES, self._statements.digest, strict=True):
                hasher.update(table.encode())
                for row in connection.execute(statement):
                    hasher.update(orjson.dumps(list(row), option=orjson.OPT_SORT_KEYS))
        return hasher.hexdigest()
