"""The persistence module a ``sqlite://`` store names: ``eventsourcing.sqlite``, with the
log's Merkle tree kept beside it.

:class:`Recorder` inserts each batch's leaf hashes (and the interior nodes kept) in the
same transaction as its entries, so the tree and the log never disagree; a store made
before the tree opens as before, and ``recommendations seal`` builds its tree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore, SQLiteFactory

from recommendations.integrity._recorders import entries_of
from recommendations.integrity._sql import SqlTables, create_statements
from recommendations.integrity._tree import TreeWriter

__all__ = ["Factory", "Recorder"]


class Recorder(SQLiteApplicationRecorder):
    """``eventsourcing.sqlite``'s recorder, writing the tree with the entries."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.tree = TreeWriter()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements("sqlite")]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.transaction(commit=True) as cursor:
            positions = self._insert_events(cursor, stored_events, **kwargs)
            self.tree.add(SqlTables(cursor, "sqlite"), entries_of(positions, stored_events))
        self.tree.committed()
        return positions

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


class Factory(SQLiteFactory):
    """``eventsourcing.sqlite``'s factory, with :class:`Recorder` for the log."""

    application_recorder_class = Recorder
