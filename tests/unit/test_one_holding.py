"""The SQL adapters' persistence modules hold only their engine's part of holding a
transaction open: what is engine-neutral is in :mod:`recommendations.integrity._holding`,
and no block of six lines of one factory has the shape of a block of the other's (their
imports aside)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from eventsourcing import persistence

from recommendations.integrity._holding import persistence_error
from recommendations_postgresql._factory import HeldDatastore as PostgresHeld
from recommendations_sqlite._factory import HeldDatastore as SQLiteHeld

from .test_one_view_engine import ROOT, _blocks

FACTORIES = (
    ROOT / "src/recommendations_sqlite/_factory.py",
    ROOT / "adapters/postgresql/src/recommendations_postgresql/_factory.py",
)


def _code(path: Path) -> str:
    """The module after its imports (from ``__all__`` on)."""
    text = path.read_text()
    return text[text.index("__all__") :]


def test_no_block_of_six_lines_is_written_in_both_factories() -> None:
    first, second = (_blocks(_code(path), 6) for path in FACTORIES)
    shared = sorted((line, second[block]) for block, line in first.items() if block in second)
    assert shared == [], f"lines of the two factories alike (counted from __all__): {shared}"


def test_both_datastores_hold_through_the_shared_part() -> None:
    for held in (SQLiteHeld, PostgresHeld):
        assert "hold" not in vars(held)  # (the shared one: only the engine's part is theirs)
        assert "_held_transaction" in vars(held)


def test_a_driver_error_becomes_eventsourcing_s_of_the_same_name() -> None:
    locked = sqlite3.OperationalError("database is locked")
    assert type(persistence_error(locked, sqlite3)) is persistence.OperationalError
    duplicate = psycopg.errors.UniqueViolation("duplicate key")
    translated = persistence_error(duplicate, psycopg, str)
    assert type(translated) is persistence.IntegrityError
    assert str(translated) == "duplicate key"
    assert type(persistence_error(sqlite3.Error("other"), sqlite3)) is persistence.PersistenceError
