"""One view engine for every SQL store: the same log gives the same view rows on SQLite and
PostgreSQL, value for value, once the values the two must type differently are written
alike (a ``date`` and its ISO text, a ``timestamptz`` and the exports' ISO text, a
``text[]`` and its JSON, ``boolean`` and 0 or 1, ``uuid`` and its hex, ``jsonb`` and its
JSON text)."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

import recommendations as r
from recommendations import domain
from recommendations.testing import scenario
from tests.logs import play, secret_scenarios
from tests.postgres import PostgresDatabase

_schemas = itertools.count(1)
_KEYS = {
    "rec_tracking": ("view",),
    "rec_register": ("reference",),
    "rec_register_history": ("reference", "recorded_from", "valid_from"),
    "rec_audit_trail": ("position",),
    "rec_sensitivity": ("kind", "reference", "sensitive", "report", "inspection"),
}


class _Clock:
    """The same recorded times for both stores: 30.25 s apart, so that every fourth has no
    fraction of a second (the exports leave it out)."""

    def __init__(self) -> None:
        self.now = datetime(2017, 4, 10, 9, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=30, microseconds=250000)
            return self.now


def _alike(value: Any) -> Any:
    """A PostgreSQL value written as SQLite keeps it; SQLite's values are left as they are."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value


def _tables(cursor: Any, prefix: str = "") -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows (less the history's ``id``, which depends on the order rows
    were written in), each value :func:`_alike`, in key order."""
    found = {}
    for table, key in _KEYS.items():
        cursor.execute(f"SELECT * FROM {prefix}{table}")
        columns = [column[0] for column in cursor.description]
        kept = [i for i, name in enumerate(columns) if name != "id"]
        order = [columns.index(name) for name in key]
        rows = [tuple(_alike(row[i]) for i in kept) for row in cursor.fetchall()]
        rows.sort(key=lambda row, order=order: tuple(row[kept.index(i)] for i in order))
        found[table] = rows
    return found


def _same(sqlite_path: Path, postgres: PostgresDatabase, schema: str) -> None:
    with sqlite3.connect(sqlite_path) as lite:
        expected = _tables(lite.cursor())
    lite.close()
    with postgres.connect() as connection, connection.cursor() as cursor:
        got = _tables(cursor, f'"{schema}".')
    for table in _KEYS:
        assert len(got[table]) == len(expected[table]), table
        for ours, theirs in zip(got[table], expected[table], strict=True):
            assert ours == theirs, table
    assert sum(len(rows) for rows in expected.values()) > 3


def _both(
    tmp_path: Path, postgres: PostgresDatabase, commands: list[domain.Command]
) -> tuple[Path, str, str]:
    """Play ``commands`` into a new SQLite store and a new PostgreSQL schema, with the same
    recorded times; the SQLite file, the schema and the digest both views give."""
    schema = f"same{next(_schemas)}"
    path = tmp_path / f"{schema}.db"
    digests = []
    for url in (f"sqlite:///{path}", postgres.url(schema=schema)):
        with r.Tracker(url, clock=_Clock()) as tracker:
            play(commands, tracker.execute)
            assert tracker.tables is not None
            digests.append(tracker.tables.digest())
    assert digests[0] == digests[1]
    return path, schema, digests[0]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=secret_scenarios())
def test_the_same_log_gives_the_same_rows_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_database: PostgresDatabase, commands: list[domain.Command]
) -> None:
    path, schema, _ = _both(tmp_path, postgres_database, commands)
    _same(path, postgres_database, schema)


def test_a_rebuild_gives_the_same_rows_on_both(
    tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    path, schema, digest = _both(tmp_path, postgres_database, scenario())
    for url in (f"sqlite:///{path}", postgres_database.url(schema=schema)):
        with r.Tracker(url) as tracker:
            assert tracker.tables is not None
            assert tracker.tables.rebuild() == tracker.head()
            assert tracker.tables.digest() == digest
    _same(path, postgres_database, schema)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_correction_names_a_log_position_on_both(
    engine: str, tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}" if engine == "sqlite" else postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        play(scenario(), tracker.execute)
        reference = tracker.register().rows[0].reference
        target = tracker.history(reference).entries[0]
        recorded = tracker.execute(
            r.Correct(
                reference=reference,
                version=target.version,
                what_was_wrong="mistyped",
                changes={"text": "Corrected text."},
                effective_on=date(2017, 3, 30),
                by="clerk",
                reason="test",
            )
        )
        assert tracker.tables is not None
        (trail,) = [
            row for row in tracker.tables.rows("rec_audit_trail") if row[0] == recorded.position
        ]
    assert trail[9] == target.position
