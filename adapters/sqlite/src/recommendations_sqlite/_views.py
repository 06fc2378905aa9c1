"""Materialised views in the store's own SQLite database, for other programs to query.

Tables (documented in docs/reference/view-tables.md):

- ``rec_register``: one row per recommendation, its state at the end of its timeline;
- ``rec_register_history``: the bitemporal history, SQL:2011 style. Each row is one state of
  one recommendation, true in the world over ``[valid_from, valid_to)`` and held by the log
  over ``[recorded_from, recorded_to)`` (and log positions ``[position_from, position_to)``);
- ``rec_audit_trail``: one row per entry of the log, with who, when and why;
- ``rec_tracking``: the last log position applied, written in the same transaction as the
  rows, so every entry is applied exactly once and a view resumes where it stopped.

Catching up reads the log table directly, inside the write transaction that updates the
views: SQLite has no subscription, and one transaction gives one consistent snapshot.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sqlite3
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs
import orjson
from eventsourcing.persistence import StoredEvent

from recommendations import StoreError, domain, views
from recommendations.stores import cannot_apply, primitive, rebuilt

__all__ = ["END_OF_RECORD", "END_OF_TIME", "SqliteViews"]

END_OF_TIME = "9999-12-31"
"""``valid_to`` of a state that holds until further notice."""
END_OF_RECORD = "9999-12-31 23:59:59.999999"
"""``recorded_to`` of a row the log still holds."""
END_OF_LOG = 2**62
"""``position_to`` of a row the log still holds."""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS rec_tracking (
    view TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rec_register (
    {
    ", ".join(
        f"{c} {_t}"
        for c, _t in (
            ("reference", "TEXT PRIMARY KEY"),
            ("text", "TEXT NOT NULL"),
            ("kind", "TEXT NOT NULL"),
            ("body", "TEXT NOT NULL"),
            ("inspectorates", "TEXT NOT NULL"),
            ("inspection", "TEXT"),
            ("report", "TEXT NOT NULL"),
            ("finding", "TEXT"),
            ("scope", "TEXT NOT NULL"),
            ("sensitive", "INTEGER NOT NULL"),
            ("owner", "TEXT"),
            ("owner_name", "TEXT"),
            ("grade", "TEXT"),
            ("status", "TEXT NOT NULL"),
            ("due_on", "TEXT"),
            ("original_due_on", "TEXT"),
            ("deferrals", "INTEGER NOT NULL"),
            ("raised_on", "TEXT NOT NULL"),
            ("last_changed_on", "TEXT NOT NULL"),
            ("position", "INTEGER NOT NULL"),
            ("recorded_at", "TEXT NOT NULL"),
        )
    )
}
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rec_register_history (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    recorded_from TEXT NOT NULL,
    recorded_to TEXT NOT NULL,
    position_from INTEGER NOT NULL,
    position_to INTEGER NOT NULL,
    text TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, inspectorates TEXT NOT NULL,
    inspection TEXT, report TEXT NOT NULL, finding TEXT, scope TEXT NOT NULL,
    sensitive INTEGER NOT NULL, owner TEXT, owner_name TEXT, grade TEXT, status TEXT NOT NULL,
    due_on TEXT, original_due_on TEXT, deferrals INTEGER NOT NULL, raised_on TEXT NOT NULL,
    last_changed_on TEXT NOT NULL,
    UNIQUE (reference, recorded_from, valid_from)
);
CREATE VIRTUAL TABLE IF NOT EXISTS rec_register_history_periods USING rtree_i32(
    id, valid_lo, valid_hi, recorded_lo, recorded_hi
);
CREATE INDEX IF NOT EXISTS rec_register_history_open
    ON rec_register_history (reference, recorded_to);
CREATE TABLE IF NOT EXISTS rec_audit_trail (
    position INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    reference TEXT,
    version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrects INTEGER,
    details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rec_audit_trail_item ON rec_audit_trail (item, version);
"""

SCHEMA_VERSION = 2
"""The version of the view tables' layout, kept in ``rec_tracking`` under ``'schema'``."""

_TABLES = (
    "rec_register",
    "rec_register_history",
    "rec_register_history_periods",
    "rec_audit_trail",
)
_CACHED_ITEMS = 4096
"""How many recommendations catching up keeps in memory between their entries."""
_VIEW = "views"

Row = tuple[Any, ...]
"""The state columns of one register row as stored, in ``views.STATE_COLUMNS`` order."""


def recorded_text(moment: datetime) -> str:
    """A recorded time as stored: UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def row_values(state: domain.Recommendation) -> Row:
    """The stored columns of a state (everything the register shows but ``overdue``): what
    the segments of :class:`views.ItemHistory` carry here."""
    return _stored(views.state_values(state))


def _stored(values: views.StateValues) -> Row:
    """State columns as stored: the inspectorates as a JSON list, ``sensitive`` as 0 or 1,
    dates as ISO text."""
    row = list(values)
    row[_INSPECTORATES] = _names_text(row[_INSPECTORATES])
    row[_SENSITIVE] = int(row[_SENSITIVE])
    for index in _DATES:
        if row[index] is not None:
            row[index] = _day_iso(row[index])
    return tuple(row)


def row_of(values: Sequence[Any], as_at: date) -> views.RegisterRow:
    """A register row from stored columns, with ``overdue`` judged on ``as_at``."""
    state = list(values)
    state[_INSPECTORATES] = _names(state[_INSPECTORATES])
    for index in _DATES:
        if state[index] is not None:
            state[index] = _day(state[index])
    return views.register_row(state, as_at)  # it takes ``sensitive`` as 0 or 1 too


# Where the state columns SQLite keeps in a type of its own are.
_INSPECTORATES = views.STATE_COLUMNS.index("inspectorates")
_SENSITIVE = views.STATE_COLUMNS.index("sensitive")
_DATES = tuple(
    views.STATE_COLUMNS.index(column)
    for column in ("due_on", "original_due_on", "raised_on", "last_changed_on")
)

# Reading 50,000 rows parses the same few thousand dates and lists again and again; writing
# them formats the same dates and dumps the same few lists.
_day = functools.lru_cache(maxsize=65536)(date.fromisoformat)
_day_iso = functools.lru_cache(maxsize=65536)(date.isoformat)


@functools.lru_cache(maxsize=4096)
def _names(stored: str) -> tuple[str, ...]:
    return tuple(orjson.loads(stored))


@functools.lru_cache(maxsize=4096)
def _names_text(names: tuple[str, ...]) -> str:
    return orjson.dumps(list(names)).decode()


def _day_text(day: date | None) -> str:
    """A segment's end as stored: ``END_OF_TIME`` for one that holds until further notice."""
    return END_OF_TIME if day is None else _day_iso(day)


class SqliteViews:
    """The materialised views of one SQLite store.

    ``connect`` opens a connection to the store's database; ``decode`` turns a stored event
    into a domain event (the tracker's mapper, with any cipher or compression).
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        decode: Callable[[StoredEvent], domain.Event | None],
    ) -> None:
        self._connect = connect
        self._decode = decode
        self._lock = threading.Lock()
        self._connection = connect()
        self._items: OrderedDict[uuid.UUID, views.ItemHistory] = OrderedDict()
        self._current: tuple[tuple[int, int, date], list[views.RegisterRow]] | None = None
        self._prepare()

    def _prepare(self) -> None:
        """Create the tables; if they were made by another version of this schema, drop
        them and make them again (they are derived: catching up refills them)."""
        with self._lock:
            found = self._connection.execute(
                "SELECT name FROM sqlite_master WHERE name = 'rec_tracking'"
            ).fetchone()
            version = None
            if found is not None:
                row = self._connection.execute(
                    "SELECT position FROM rec_tracking WHERE view = 'schema'"
                ).fetchone()
                version = None if row is None else row[0]
            if found is not None and version is not None and version > SCHEMA_VERSION:
                raise StoreError(
                    f"the view tables are of layout {version}, newer than this library's "
                    f"({SCHEMA_VERSION}): upgrade the library",
                    rule="views-schema",
                )
            if found is not None and version != SCHEMA_VERSION:
                self._connection.execute("BEGIN IMMEDIATE")
                for table in (*_TABLES, "rec_tracking"):
                    self._connection.execute(f"DROP TABLE IF EXISTS {table}")
                self._connection.execute("COMMIT")
            self._connection.executescript(_SCHEMA)
            self._connection.execute(
                "INSERT OR IGNORE INTO rec_tracking (view, position) VALUES ('schema', ?)",
                (SCHEMA_VERSION,),
            )

    # --- transactions -------------------------------------------------------------------------

    class _Transaction:
        def __init__(self, owner: SqliteViews) -> None:
            self.owner = owner

        def __enter__(self) -> sqlite3.Cursor:
            self.owner._lock.acquire()
            try:
                cursor = self.owner._connection.cursor()
                cursor.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.owner._lock.release()
                raise
            self.cursor = cursor
            return cursor

        def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
            try:
                if kind is None:
                    self.cursor.execute("COMMIT")
                else:
                    self.owner._items.clear()  # the cache may hold what was rolled back
                    self.owner._current = None
                    # SQLite may have rolled back already (a full disk does): then there is
                    # nothing to roll back, and the error that did it is the one to raise.
                    with contextlib.suppress(sqlite3.Error):
                        self.cursor.execute("ROLLBACK")
            finally:
                self.owner._lock.release()

    def _write(self) -> SqliteViews._Transaction:
        return SqliteViews._Transaction(self)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # --- catching up ------------------------------------------------------------------------------

    def position(self) -> int:
        """The last log position the views include."""
        with self._lock:
            found = self._connection.execute(
                "SELECT position FROM rec_tracking WHERE view = ?", (_VIEW,)
            ).fetchone()
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
        applied = 0
        single = False  # after a page failed: one entry a transaction, to find the culprit
        while True:
            size = 1 if single else page_size
            position: int | None = None
            page: list[tuple[int, domain.Event | None]] = []
            try:
                with self._write() as cursor:
                    found = cursor.execute(
                        "SELECT position FROM rec_tracking WHERE view = ?", (_VIEW,)
                    ).fetchone()
                    position = 0 if found is None else int(found[0])
                    if recorded and recorded[0][0] == position + 1 and not single:
                        page = list(recorded)
                        recorded = ()
                    else:
                        page = self._read(cursor, position, size)
                    if not page:
                        return applied
                    self._apply(cursor, page)
                    cursor.execute(
                        "INSERT INTO rec_tracking (view, position) VALUES (?, ?) "
                        "ON CONFLICT (view) DO UPDATE SET position = excluded.position",
                        (_VIEW, page[-1][0]),
                    )
            except Exception as error:
                if len(page) > 1:
                    single, recorded = True, ()
                    continue
                if position is None:  # the views could not even be opened for writing
                    raise
                at, event = page[0] if page else ((position or 0) + 1, None)
                raise cannot_apply(at, event, error) from error
            applied += len(page)
            if len(page) < size:
                return applied

    def rebuild(self, *, batch: int = 20000) -> int:
        """Drop every view row and apply the whole log again, in one transaction; how many
        entries were applied.

        Entries are applied item by item (an item's rows depend only on its own entries),
        so memory holds one item at a time; the rows are those catching up would write.

        If the rebuild fails, the views are left as they were; the error names the position
        of the entry that could not be applied where it can be told (a log changed outside
        this library is :class:`~recommendations.LogNotIntact`).
        """
        return rebuilt(self, lambda: self._rebuild(batch))

    def _rebuild(self, batch: int) -> int:
        with self._write() as cursor:
            for table in _TABLES:
                cursor.execute(f"DELETE FROM {table}")
            self._items.clear()
            self._current = None
            # Readers in other processes keep the current register by (position, generation).
            cursor.execute(
                "INSERT INTO rec_tracking (view, position) VALUES ('generation', 1) "
                "ON CONFLICT (view) DO UPDATE SET position = position + 1"
            )
            head = cursor.execute("SELECT max(rowid) FROM stored_events").fetchone()[0] or 0
            rows = cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events WHERE rowid <= ? ORDER BY originator_id, originator_version",
                (head,),
            )
            writer = _BulkWriter(self._connection)
            applied = 0
            current: str | None = None
            entries: list[tuple[int, domain.Event]] = []
            before: domain.Event | None = None
            for position, originator_id, version, topic, state in rows:
                if originator_id != current:
                    if entries:
                        writer.item(entries)
                        entries = []
                    before = None
                current = originator_id
                event = self._decode(
                    StoredEvent(
                        originator_id=uuid.UUID(originator_id),
                        originator_version=version,
                        topic=topic,
                        state=state,
                    )
                )
                if event is not None:  # a command record has no rows
                    views.check_follows(before, event, position)
                    before = event
                    entries.append((position, event))
                applied += 1
                if writer.pending() >= batch:
                    writer.flush()
            if entries:
                writer.item(entries)
            writer.flush()
            cursor.execute(
                "INSERT INTO rec_tracking (view, position) VALUES (?, ?) "
                "ON CONFLICT (view) DO UPDATE SET position = excluded.position",
                (_VIEW, head),
            )
        return applied

    def _read(
        self, cursor: sqlite3.Cursor, after: int, limit: int
    ) -> list[tuple[int, domain.Event | None]]:
        rows = cursor.execute(
            "SELECT rowid, originator_id, originator_version, topic, state "
            "FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (after, limit),
        ).fetchall()
        return [
            (
                position,
                self._decode(
                    StoredEvent(
                        originator_id=uuid.UUID(originator_id),
                        originator_version=version,
                        topic=topic,
                        state=state,
                    )
                ),
            )
            for position, originator_id, version, topic, state in rows
        ]

    def _item(self, cursor: sqlite3.Cursor, item: uuid.UUID, upto: int) -> views.ItemHistory:
        cached = self._items.get(item)
        if cached is not None and len(cached.log) == upto:
            self._items.move_to_end(item)
            return cached
        rows = cursor.execute(
            "SELECT originator_version, topic, state FROM stored_events "
            "WHERE originator_id = ? AND originator_version <= ? ORDER BY originator_version",
            (item.hex, upto),
        ).fetchall()
        log = [
            self._decode(StoredEvent(originator_id=item, originator_version=v, topic=t, state=s))
            for v, t, s in rows
        ]
        typed = [e for e in log if isinstance(e, domain.RecommendationEvent)]
        loaded = views.ItemHistory.of(typed, row_values)
        self._items[item] = loaded
        if len(self._items) > _CACHED_ITEMS:
            self._items.popitem(last=False)
        return loaded

    def _apply(
        self, cursor: sqlite3.Cursor, page: Iterable[tuple[int, domain.Event | None]]
    ) -> None:
        trail_rows: list[tuple[Any, ...]] = []
        for position, event in page:
            if event is None:  # not a domain event (a command record): nothing to show
                continue
            recorded = recorded_text(event.recorded_at)
            reference = None
            if isinstance(event, domain.RecommendationEvent):
                item = self._item(cursor, event.originator_id, event.originator_version - 1)
                views.check_follows(item.log[-1] if item.log else None, event, position)
                reference = self._apply_recommendation(cursor, item, event, position, recorded)
            trail_rows.append(_trail_row(position, event, recorded, reference))
        cursor.executemany(_INSERT_TRAIL, trail_rows)

    def _apply_recommendation(
        self,
        cursor: sqlite3.Cursor,
        item: views.ItemHistory,
        event: domain.RecommendationEvent,
        position: int,
        recorded: str,
    ) -> str:
        closed, opened = item.add(event)
        reference = item.segments[0][2][0]
        for valid_from, _, _ in closed:
            # Close the row in recorded time: the log no longer holds it from now on.
            found = cursor.execute(
                "SELECT id FROM rec_register_history "
                "WHERE reference = ? AND valid_from = ? AND recorded_to = ?",
                (reference, _day_iso(valid_from), END_OF_RECORD),
            ).fetchone()
            if found is None:
                raise StoreError(
                    f"the view tables lack the open row of {reference!r} from {valid_from}: "
                    "they were changed outside this library; rebuild them",
                    reference=str(reference),
                    rule="views-consistent",
                )
            cursor.execute(
                "UPDATE rec_register_history SET recorded_to = ?, position_to = ? WHERE id = ?",
                (recorded, position, found[0]),
            )
            cursor.execute(
                "UPDATE rec_register_history_periods SET recorded_hi = ? WHERE id = ?",
                (_minutes_up(recorded), found[0]),
            )
        rows = [_history_row(segment, recorded, position) for segment in opened]
        _insert_history(cursor, rows)
        cursor.execute(_INSERT_REGISTER, (*item.segments[-1][2], position, recorded))
        return str(reference)

    # --- reading ----------------------------------------------------------------------------------

    def register(
        self, basis: views.Basis, where: views.RegisterFilter
    ) -> tuple[int, list[views.RegisterRow]]:
        """The register on ``basis``, and the log position it reflects.

        One read transaction, so one snapshot: the position the views had reached, the
        choice between the current table and the history, and the rows all agree. The
        position returned is the basis's, or the views' if they had not reached it (another
        writer may have recorded since they caught up); the rows are those of that position.
        """
        with self._lock:
            self._connection.execute("BEGIN")
            try:
                tracked = self._connection.execute(
                    "SELECT position FROM rec_tracking WHERE view = ?", (_VIEW,)
                ).fetchone()
                reached = 0 if tracked is None else int(tracked[0])
                position = min(basis.position, reached)
                at = attrs.evolve(basis, position=position)
                rows: list[views.RegisterRow] | None = None
                if position == reached:
                    rows = self._current_rows(at)
                if rows is None:
                    rows = self._history_rows(at, indexed=position == reached)
            finally:
                self._connection.execute("COMMIT")
        return position, [row for row in rows if where(row)]

    def _current_rows(self, basis: views.Basis) -> list[views.RegisterRow] | None:
        """The current table's rows, if the basis is on or after everything in it."""
        latest = self._connection.execute(
            "SELECT max(last_changed_on), max(recorded_at) FROM rec_register"
        ).fetchone()
        if latest[0] is not None and (
            basis.as_at.isoformat() < latest[0] or recorded_text(basis.known_at) < latest[1]
        ):
            return None
        generation = self._generation()
        key = (basis.position, generation, basis.as_at)
        cached = self._current
        if cached is not None and cached[0] == key:
            return cached[1]
        rows = self._connection.execute(
            f"SELECT {_STATE_LIST} FROM rec_register ORDER BY reference"
        ).fetchall()
        result = [row_of(values, basis.as_at) for values in rows]
        self._current = (key, result)
        return result

    def _history_rows(self, basis: views.Basis, *, indexed: bool) -> list[views.RegisterRow]:
        """The history rows whose two periods (and positions) contain the basis."""
        known = recorded_text(basis.known_at)
        day = basis.as_at.isoformat()
        exact = (
            "valid_from <= ? AND ? < valid_to AND recorded_from <= ? AND position_from <= ? "
            "AND (? < recorded_to OR ? < position_to)"
        )
        parameters: tuple[Any, ...] = (day, day, known, basis.position, known, basis.position)
        if indexed:
            # At the position the views hold, every row containing the basis contains it in
            # both periods: the period index finds the candidates, the exact test decides.
            condition = (
                "id IN (SELECT id FROM rec_register_history_periods WHERE valid_lo <= ? "
                "AND valid_hi >= ? AND recorded_lo <= ? AND recorded_hi >= ?) AND " + exact
            )
            minute = _clamp(_minutes_down(known))
            ordinal = basis.as_at.toordinal()
            parameters = (ordinal, ordinal, minute, minute, *parameters)
        else:  # an earlier position than the views hold: no index on positions
            condition = exact
        rows = self._connection.execute(
            f"SELECT {_STATE_LIST} FROM rec_register_history WHERE {condition} ORDER BY reference",
            parameters,
        ).fetchall()
        return [row_of(values, basis.as_at) for values in rows]

    def _generation(self) -> int:
        found = self._connection.execute(
            "SELECT position FROM rec_tracking WHERE view = 'generation'"
        ).fetchone()
        return 0 if found is None else int(found[0])

    def item_log(self, item: uuid.UUID) -> list[tuple[int, domain.Event]]:
        """One item's entries with their log positions, in order (an indexed read)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT rowid, originator_version, topic, state FROM stored_events "
                "WHERE originator_id = ? ORDER BY originator_version",
                (item.hex,),
            ).fetchall()
        logged = [
            (
                position,
                self._decode(
                    StoredEvent(originator_id=item, originator_version=v, topic=t, state=s)
                ),
            )
            for position, v, t, s in rows
        ]
        return [(position, event) for position, event in logged if event is not None]

    def digest(self) -> str:
        """A SHA-256 of every view row, in key order: equal digests, equal views."""
        hasher = hashlib.sha256()
        with self._lock:
            for table, key in (
                ("rec_register", "reference"),
                # ids and the period index depend on the order rows were written in
                ("rec_register_history", "reference, recorded_from, valid_from"),
                ("rec_audit_trail", "position"),
            ):
                hasher.update(table.encode())
                columns = ", ".join(_HISTORY_COLUMNS) if table == "rec_register_history" else "*"
                for row in self._connection.execute(
                    f"SELECT {columns} FROM {table} ORDER BY {key}"
                ):
                    hasher.update(orjson.dumps(list(row)))
        return hasher.hexdigest()


_STATE_LIST = ", ".join(views.STATE_COLUMNS)
_HISTORY_COLUMNS = views.HISTORY_COLUMNS
_RECORDED_TO = _HISTORY_COLUMNS.index("recorded_to")
_POSITION_TO = _HISTORY_COLUMNS.index("position_to")
_INSERT_TRAIL = (
    f"INSERT INTO rec_audit_trail ({', '.join(views.TRAIL_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(views.TRAIL_COLUMNS))})"
)
_INSERT_REGISTER = (
    f"INSERT OR REPLACE INTO rec_register ({_STATE_LIST}, position, "
    f"recorded_at) VALUES ({', '.join('?' * (len(views.STATE_COLUMNS) + 2))})"
)


def _history_row(segment: views.Segment, recorded: str, position: int) -> list[Any]:
    """A new history row (``_HISTORY_COLUMNS``) for a segment the log holds from now on."""
    valid_from, valid_to, values = segment
    return [
        values[0],
        _day_iso(valid_from),
        _day_text(valid_to),
        recorded,
        END_OF_RECORD,
        position,
        END_OF_LOG,
        *values[1:],
    ]


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MAX_I32 = 2**31 - 1


def _minutes_down(recorded: str) -> int:
    """Whole minutes from 2000 to a stored recorded time, rounded down."""
    moment = datetime.fromisoformat(recorded).replace(tzinfo=UTC)
    return int((moment - _EPOCH).total_seconds() // 60)


def _clamp(minutes: int) -> int:
    """Keep a minute count within the index's 32-bit coordinates (years 0001 to about 6000)."""
    return max(-_MAX_I32, min(minutes, _MAX_I32))


def _minutes_up(recorded: str) -> int:
    """Whole minutes from 2000 to a stored recorded time, rounded up (the end of record
    is the largest the index holds)."""
    if recorded == END_OF_RECORD:
        return _MAX_I32
    return _clamp(_minutes_down(recorded) + 1)


_ORDINALS: dict[str, int] = {}


def _ordinal(day: str) -> int:
    found = _ORDINALS.get(day)
    if found is None:
        found = _ORDINALS[day] = date.fromisoformat(day).toordinal()
    return found


def _insert_history(cursor: sqlite3.Cursor | sqlite3.Connection, rows: list[list[Any]]) -> None:
    """Insert history rows (in ``_HISTORY_COLUMNS`` order) and their periods' index entries.

    The index rounds recorded times outwards to whole minutes: it finds every row that
    may hold, and the exact test on the row decides.
    """
    if not rows:
        return
    first = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM rec_register_history")
    start = int(first.fetchone()[0])
    cursor.executemany(
        f"INSERT INTO rec_register_history (id, {', '.join(_HISTORY_COLUMNS)}) "
        f"VALUES (?, {', '.join('?' * len(_HISTORY_COLUMNS))})",
        [(start + n, *row) for n, row in enumerate(rows)],
    )
    cursor.executemany(
        "INSERT INTO rec_register_history_periods VALUES (?, ?, ?, ?, ?)",
        [
            (
                start + n,
                _ordinal(row[1]),
                _ordinal(row[2]) - 1,
                _clamp(_minutes_down(row[3])),
                _minutes_up(row[4]),
            )
            for n, row in enumerate(rows)
        ],
    )


class _BulkWriter:
    """Writes the rows of whole items at once, for a rebuild: no row is ever updated."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._history: list[list[Any]] = []
        self._trail: list[tuple[Any, ...]] = []
        self._register: list[tuple[Any, ...]] = []

    def pending(self) -> int:
        return len(self._history) + len(self._trail)

    def item(self, entries: list[tuple[int, domain.Event]]) -> None:
        """The rows of one item, from all its entries in order."""
        tracked = views.ItemHistory.of([], row_values)
        rows: dict[views.Segment, list[Any]] = {}
        done: list[list[Any]] = []
        reference: str | None = None
        last: tuple[int, str] = (0, "")
        for position, event in entries:
            recorded = recorded_text(event.recorded_at)
            if isinstance(event, domain.RecommendationEvent):
                closed, opened = tracked.add(event)
                for segment in closed:
                    row = rows.pop(segment)
                    row[_RECORDED_TO], row[_POSITION_TO] = recorded, position
                    done.append(row)
                for segment in opened:
                    rows[segment] = _history_row(segment, recorded, position)
                reference = str(tracked.segments[0][2][0])
                last = (position, recorded)
            self._trail.append(_trail_row(position, event, recorded, reference))
        if reference is not None:
            self._history.extend([*done, *rows.values()])
            self._register.append((*tracked.segments[-1][2], *last))

    def flush(self) -> None:
        _insert_history(self._connection, self._history)
        self._connection.executemany(_INSERT_TRAIL, self._trail)
        self._connection.executemany(_INSERT_REGISTER, self._register)
        self._history, self._trail, self._register = [], [], []


def _trail_row(
    position: int, event: domain.Event, recorded: str, reference: str | None
) -> tuple[Any, ...]:
    reference = reference or getattr(event, "reference", None)
    return (
        position,
        event.originator_id.hex,
        reference,
        event.originator_version,
        type(event).__name__,
        event.effective_on.isoformat(),
        recorded,
        event.actor,
        event.reason,
        getattr(event, "corrects", None),
        _details_json(views.trail_details(event)),
    )


def _details_json(details: dict[str, Any]) -> str:
    return orjson.dumps(
        {k: primitive(v) for k, v in details.items()}, option=orjson.OPT_SORT_KEYS
    ).decode()


def open_views(path: str, decode: Callable[[StoredEvent], domain.Event | None]) -> SqliteViews:
    """The views of the SQLite database at ``path`` (a file name or a shared-memory URI)."""

    def connect() -> sqlite3.Connection:
        uri = path.startswith("file:")
        connection = sqlite3.connect(
            path, uri=uri, isolation_level=None, check_same_thread=False, timeout=5
        )
        if not uri:
            connection.execute("PRAGMA journal_mode=WAL")
        return connection

    try:
        return SqliteViews(connect, decode)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the views in {path!r}: {error}") from error
