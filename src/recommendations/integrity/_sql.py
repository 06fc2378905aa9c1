"""The tree's tables in a SQL database (SQLite or PostgreSQL), through a DB-API cursor."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from recommendations._errors import StoreError

from ._leaf import ERASURES_MARK, new_salt
from ._tree import HASH, NODE_LEVELS, TILE_WIDTH, TileRow, TileTables, encode_facts

__all__ = ["SqlTables", "create_statements"]

PREFIX = "rec_tree"
EARLIER = ("leaves", "nodes")
"""The tables of the earlier form of the tree (one row per leaf, one per node kept at
levels 4, 8, 12, ...), which ``recommendations seal`` brings to tiles."""


def create_statements(dialect: str, schema: str = "") -> list[str]:
    """The statements that make the tree's tables if missing (``dialect``: ``sqlite`` or
    ``postgresql``)."""
    blob = "BLOB" if dialect == "sqlite" else "BYTEA"
    big = "INTEGER" if dialect == "sqlite" else "BIGINT"
    at = f'"{schema}".' if schema else ""
    return [
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_tiles ("
        f"level INTEGER NOT NULL, idx {big} NOT NULL, hashes {blob} NOT NULL, "
        f"facts {blob} NOT NULL, PRIMARY KEY (level, idx))",
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_persons ("
        f"name TEXT PRIMARY KEY, salt {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {at}{PREFIX}_checkpoints ("
        f"size {big} PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL, "
        "made_at TEXT NOT NULL)",
    ]


_WRITE_TILES = (
    "INSERT INTO {t}_tiles (level, idx, hashes, facts) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes, facts = excluded.facts"
)
_READ_SALT = "SELECT salt FROM {t}_persons WHERE name = ?"


@functools.lru_cache(maxsize=512)
def _statement(statement: str, prefix: str, mark: str) -> str:
    """A statement with its tables' prefix and its dialect's parameter mark (made once:
    a recorder opens new tables on every append)."""
    return statement.replace("{t}", prefix).replace("?", mark)


class SqlTables(TileTables):
    """:class:`~._tree.Tables` on one open cursor (its transaction is the caller's)."""

    def __init__(self, cursor: Any, dialect: str, schema: str = "") -> None:
        self.cursor = cursor
        self.dialect = dialect
        self.schema = schema
        self._mark = "?" if dialect == "sqlite" else "%s"
        self.prefix = (f'"{schema}".' if schema else "") + PREFIX

    def _sql(self, statement: str) -> str:
        return _statement(statement, self.prefix, self._mark)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        self.cursor.execute(self._sql(statement), params)
        return self.cursor

    def tree_size(self) -> int:
        row = self.execute(
            "SELECT idx, length(hashes) FROM {t}_tiles WHERE level = 0 ORDER BY idx DESC LIMIT 1"
        ).fetchone()
        return 0 if row is None else int(row[0]) * TILE_WIDTH + int(row[1]) // HASH

    def tile_rows(self, level: int, lo: int, hi: int) -> list[TileRow]:
        rows = self.execute(
            "SELECT level, idx, hashes, facts FROM {t}_tiles WHERE level = ? AND idx >= ? "
            "AND idx < ? ORDER BY idx",
            (level, lo, hi),
        ).fetchall()
        if rows and type(rows[0][2]) is not bytes:
            return [(int(r[0]), int(r[1]), bytes(r[2]), bytes(r[3])) for r in rows]
        return rows  # type: ignore[no-any-return]

    def write_tiles(self, tiles: Sequence[TileRow]) -> None:
        self.cursor.executemany(self._sql(_WRITE_TILES), tiles)

    def erasures_mark(self) -> bytes | None:
        row = self.execute(_READ_SALT, (ERASURES_MARK,)).fetchone()
        return None if row is None else bytes(row[0])

    # --- the earlier form -------------------------------------------------------------------

    def _exists(self, name: str) -> bool:
        if self.dialect == "sqlite":
            row = self.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                (f"{PREFIX}_{name}",),
            ).fetchone()
            return bool(row[0])
        row = self.execute(
            "SELECT to_regclass(?)",
            (f'"{self.schema}".{PREFIX}_{name}' if self.schema else f"{PREFIX}_{name}",),
        ).fetchone()
        return row[0] is not None

    def earlier_form(self) -> int | None:
        """How many leaves the tree holds in its earlier form (one row per leaf), or
        ``None`` when the store has no table of that form."""
        if not self._exists("leaves"):
            return None
        row = self.execute("SELECT count(*) FROM {t}_leaves").fetchone()
        return int(row[0])

    def bring_to_tiles(self, page: int = 65536) -> int:
        """Rewrite a tree kept in its earlier form as tiles (the same hashes: nothing is
        recomputed), and drop the earlier tables; how many leaves. The caller holds the
        write lock. Raises :class:`~recommendations.StoreError` if the earlier tables do
        not hold a whole tree (a leaf or node missing): run ``recommendations verify``."""
        earlier = self.earlier_form()
        if earlier is None:
            return 0
        if earlier and self.tree_size():
            raise StoreError(
                "the tree is kept both in tiles and in its earlier form: run "
                "recommendations verify",
                field="tree",
                rule="tree-form",
            )
        size = 0
        while True:
            rows = self.execute(
                "SELECT position, hash, item, version, recorded_at FROM {t}_leaves "
                "WHERE position > ? ORDER BY position LIMIT ?",
                (size, page),
            ).fetchall()
            if not rows:
                break
            if rows[0][0] != size + 1 or rows[-1][0] != size + len(rows):
                missing = next(
                    size + i for i, row in enumerate(rows, start=1) if row[0] != size + i
                )
                raise StoreError(
                    f"the tree's earlier form has no leaf at position {missing}: it cannot "
                    "be rewritten as tiles; run recommendations verify",
                    field="tree",
                    rule="tree-form",
                )
            tiles: list[TileRow] = []
            for i in range(0, len(rows), TILE_WIDTH):
                part = rows[i : i + TILE_WIDTH]
                tiles.append(
                    (
                        0,
                        (size + i) // TILE_WIDTH,
                        b"".join(bytes(r[1]) for r in part),
                        b"".join(
                            encode_facts(
                                bytes.fromhex(r[2]),
                                int(r[3]),
                                r[4].encode("utf-8", "surrogateescape"),
                            )
                            for r in part
                        ),
                    )
                )
            self.write_tiles(tiles)
            size += len(rows)
        for level in range(NODE_LEVELS, max(size, 1).bit_length(), NODE_LEVELS):
            count = size >> level
            rows = self.execute(
                "SELECT idx, hash FROM {t}_nodes WHERE level = ? AND idx < ? ORDER BY idx",
                (level, count),
            ).fetchall()
            if len(rows) != count or (rows and rows[-1][0] != count - 1):
                raise StoreError(
                    f"the tree's earlier form lacks nodes at level {level}: run "
                    "recommendations verify",
                    field="tree",
                    rule="tree-form",
                )
            self.write_tiles(
                [
                    (
                        level,
                        i // TILE_WIDTH,
                        b"".join(bytes(r[1]) for r in rows[i : i + TILE_WIDTH]),
                        b"",
                    )
                    for i in range(0, count, TILE_WIDTH)
                ]
            )
        for name in EARLIER:
            self.execute(f"DROP TABLE IF EXISTS {{t}}_{name}")
        return size

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for name in sorted(set(names)):
            if create:
                self.execute(
                    "INSERT INTO {t}_persons (name, salt) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, new_salt()),
                )
            row = self.execute(_READ_SALT, (name,)).fetchone()
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
