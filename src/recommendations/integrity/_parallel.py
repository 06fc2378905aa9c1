"""verify's work on whole pages of the log, in worker processes.

A worker opens the store on its own (a SQLite file), and for each aligned page of the log
(``page`` entries, a power of two) recomputes every leaf hash from the stored rows,
compares them with the stored leaves, and the page's subtrees level by level with the
stored nodes. It gives back only the page's root when everything agrees, and ``None``
otherwise, or when a checkpoint's size falls inside the page: the calling process then
takes that page itself, and says what differs.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from ._leaf import LeafHasher
from ._sql import SqlTables
from ._tree import HASH, NODE_LEVELS

__all__ = ["leaf_hashes", "page_roots", "subtree_levels"]

_sha256 = hashlib.sha256


def leaf_hashes(hasher: LeafHasher, rows: list[tuple[Any, ...]]) -> list[bytes] | None:
    """The leaf hashes of these rows (position, item id, version, topic, state), or ``None``
    if one is not an entry as this library writes them, or names a person without a salt
    (the careful path says what is wrong)."""
    try:
        return hasher.hashes(rows)
    except Exception:  # a row no writer of this library made, or a missing salt
        return None


def subtree_levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every level of the perfect subtree over ``hashes`` (a power of two of them), the
    leaves first and the root last."""
    levels = [hashes]
    row = hashes
    while len(row) > 1:
        row = [
            _sha256(b"\x01" + left + right).digest()
            for left, right in zip(row[::2], row[1::2], strict=True)
        ]
        levels.append(row)
    return levels


def page_roots(
    path: str,
    table: str,
    salts: dict[str, bytes],
    page: int,
    cuts: set[int],
    span: tuple[int, int],
) -> list[bytes | None]:
    """For each page starting at ``range(*span, page)``: its root, or ``None`` (see the
    module)."""
    hasher = LeafHasher(salts)
    roots: list[bytes | None] = []
    connection = sqlite3.connect(path, uri=True, check_same_thread=False)
    try:
        cursor = connection.cursor()
        tables = SqlTables(cursor, "sqlite")
        for start in range(span[0], span[1], page):
            try:
                roots.append(_page_root(cursor, tables, table, hasher, start, page, cuts))
            except sqlite3.Error:  # the calling process reads it again, and says why
                roots.append(None)
    finally:
        connection.close()
    return roots


def _page_root(
    cursor: sqlite3.Cursor,
    tables: SqlTables,
    table: str,
    hasher: LeafHasher,
    start: int,
    page: int,
    cuts: set[int],
) -> bytes | None:
    if any(start < cut < start + page for cut in cuts):
        return None
    stored = tables.block(0, start, start + page)
    if len(stored) != page * HASH:
        return None
    rows = cursor.execute(
        f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
        "WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
        (start, start + page),
    ).fetchall()
    if len(rows) != page or rows[0][0] != start + 1 or rows[-1][0] != start + page:
        return None
    hashes = leaf_hashes(hasher, rows)
    if hashes is None or b"".join(hashes) != stored:
        return None
    levels = subtree_levels(hashes)
    for level in range(NODE_LEVELS, len(levels), NODE_LEVELS):
        first = start >> level
        kept = tables.nodes_at(level, first, first + len(levels[level]))
        if [value for _, value in kept] != levels[level]:
            return None
    return levels[-1][0]
