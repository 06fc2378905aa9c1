"""The tree's tables in a SQL database (SQLite or PostgreSQL), through a DB-API cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ._leaf import new_salt
from ._tree import NODE_LEVELS, LeafRow, NodeRow

__all__ = ["SqlTables", "create_statements"]

PREFIX = "rec_tree"


def create_statements(dialect: str, schema: str = "") -> list[str]:
    """The statements that make the tree's tables if missing (``dialect``: ``sqlite`` or
    ``postgresql``)."""
    blob = "BLOB" if dialect == "sqlite" else "BYTEA"
    big = "INTEGER" if dialect == "sqlite" else "BIGINT"
    rowid = "WITHOUT ROWID" if dialect == "sqlite" else ""
    at = f'"{schema}".' if schema else ""
    return [
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_leaves ("
        f"position {big} PRIMARY KEY, hash {blob} NOT NULL, item TEXT NOT NULL, "
        f"version {big} NOT NULL, recorded_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_nodes ("
        f"level INTEGER NOT NULL, idx {big} NOT NULL, hash {blob} NOT NULL, "
        f"PRIMARY KEY (level, idx)) {rowid}",
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_persons ("
        f"name TEXT PRIMARY KEY, salt {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_checkpoints ("
        f"size {big} PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL, "
        "made_at TEXT NOT NULL)",
    ]


class SqlTables:
    """:class:`~._tree.Tables` on one open cursor (its transaction is the caller's)."""

    def __init__(self, cursor: Any, dialect: str, schema: str = "") -> None:
        self.cursor = cursor
        self._mark = "?" if dialect == "sqlite" else "%s"
        self.prefix = (f'"{schema}".' if schema else "") + PREFIX

    def _sql(self, statement: str) -> str:
        return statement.replace("{t}", self.prefix).replace("?", self._mark)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        self.cursor.execute(self._sql(statement), params)
        return self.cursor

    def tree_size(self) -> int:
        row = self.execute("SELECT max(position) FROM {t}_leaves").fetchone()
        return int(row[0] or 0)

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]:
        if level == 0:
            rows = self.execute(
                "SELECT hash FROM {t}_leaves WHERE position > ? AND position <= ? "
                "ORDER BY position",
                (lo, hi),
            ).fetchall()
        else:
            assert level % NODE_LEVELS == 0
            rows = self.execute(
                "SELECT hash FROM {t}_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                (level, lo, hi),
            ).fetchall()
        return [bytes(row[0]) for row in rows]

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for name in sorted(set(names)):
            if create:
                self.execute(
                    "INSERT INTO {t}_persons (name, salt) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, new_salt()),
                )
            row = self.execute("SELECT salt FROM {t}_persons WHERE name = ?", (name,)).fetchone()
            if row is not None:
                found[name] = bytes(row[0])
        return found

    def adopt_salts(self, salts: dict[str, bytes]) -> None:
        """Keep these persons' salts (a copied log's), unless a person has one already."""
        self.cursor.executemany(
            self._sql(
                "INSERT INTO {t}_persons (name, salt) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
            ),
            sorted(salts.items()),
        )

    def forget_salt(self, name: str) -> None:
        """Delete ``name``'s salt (an erasure)."""
        self.execute("DELETE FROM {t}_persons WHERE name = ?", (name,))

    def all_salts(self) -> dict[str, bytes]:
        rows = self.execute("SELECT name, salt FROM {t}_persons").fetchall()
        return {row[0]: bytes(row[1]) for row in rows}

    def write(self, leaves: Sequence[LeafRow], nodes: Sequence[NodeRow]) -> None:
        self.cursor.executemany(
            self._sql(
                "INSERT INTO {t}_leaves (position, hash, item, version, recorded_at) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            leaves,
        )
        if nodes:
            self.cursor.executemany(
                self._sql("INSERT INTO {t}_nodes (level, idx, hash) VALUES (?, ?, ?)"), nodes
            )

    def leaves(self, after: int, limit: int) -> list[LeafRow]:
        rows = self.execute(
            "SELECT position, hash, item, version, recorded_at FROM {t}_leaves "
            "WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        ).fetchall()
        return [(int(r[0]), bytes(r[1]), r[2], int(r[3]), r[4]) for r in rows]

    def leaf_hashes(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """The position and hash of the stored leaves after ``after``, at most ``limit``."""
        rows = self.execute(
            "SELECT position, hash FROM {t}_leaves WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        ).fetchall()
        if rows and type(rows[0][1]) is not bytes:
            return [(int(r[0]), bytes(r[1])) for r in rows]
        return rows  # type: ignore[no-any-return]

    def nodes_at(self, level: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
        rows = self.execute(
            "SELECT idx, hash FROM {t}_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
            (level, lo, hi),
        ).fetchall()
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def checkpoints(self) -> list[tuple[int, bytes, str, str]]:
        rows = self.execute(
            "SELECT size, root, note, made_at FROM {t}_checkpoints ORDER BY size"
        ).fetchall()
        return [(int(r[0]), bytes(r[1]), r[2], r[3]) for r in rows]

    def add_checkpoint(self, size: int, root: bytes, note: str, made_at: str) -> None:
        self.execute(
            "INSERT INTO {t}_checkpoints (size, root, note, made_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (size) DO UPDATE SET note = excluded.note, made_at = excluded.made_at",
            (size, root, note, made_at),
        )
