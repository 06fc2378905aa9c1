"""How a recorder keeps the tree: the tables it opens, and the in-memory ones.

A recorder that keeps the tree has a ``tree`` (a :class:`~._tree.TreeWriter`) and a
``tree_tables(write=...)`` context manager giving its tables within one transaction
(taking the log's write lock when ``write`` is true, so that no entry is appended
meanwhile).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar, runtime_checkable

from eventsourcing.persistence import StoredEvent

from ._leaf import new_salt
from ._tree import HASH, TILE_WIDTH, LeafRow, TileRow, TileTables, TreeWriter

_T = TypeVar("_T")

__all__ = [
    "Batches",
    "BeginCheck",
    "MemoryTables",
    "TreeRecorder",
    "TreeTables",
    "entries_of",
    "insert_together",
]

Batches = Iterable[Sequence[StoredEvent]]
"""Batches of stored entries, taken one at a time (they may be made meanwhile)."""
BeginCheck = Callable[[int], None] | None
"""Called under a one-transaction insert's lock, before its first batch, with the log's head."""


class TreeTables(Protocol):
    """The tree's tables as :class:`~._tree.Tables`, and what reading them needs."""

    def tree_size(self) -> int: ...

    def tile(self, level: int, index: int) -> tuple[bytes, bytes] | None: ...

    def tile_rows(self, level: int, lo: int, hi: int) -> list[TileRow]: ...

    def block(self, level: int, lo: int, hi: int) -> bytes: ...

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]: ...

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]: ...

    def write_tiles(self, tiles: Sequence[TileRow]) -> None: ...

    def all_salts(self) -> dict[str, bytes]: ...

    def forget_salt(self, name: str) -> None: ...

    def adopt_salts(self, salts: dict[str, bytes]) -> None: ...

    def leaves(self, after: int, limit: int) -> list[LeafRow]: ...

    def nodes_at(self, level: int, lo: int, hi: int) -> list[tuple[int, bytes]]: ...

    def checkpoints(self) -> list[tuple[int, bytes, str, str]]: ...

    def add_checkpoint(self, size: int, root: bytes, note: str, made_at: str) -> None: ...


@runtime_checkable
class TreeRecorder(Protocol):
    """A recorder that keeps the tree."""

    tree: TreeWriter

    def tree_tables(self, *, write: bool) -> AbstractContextManager[TreeTables]: ...


def entries_of(
    positions: Sequence[int] | None, stored: Sequence[StoredEvent]
) -> list[tuple[int, Any, int, str, bytes]]:
    """The entries a recorder just inserted, for :meth:`TreeWriter.add`, in position order."""
    if not positions:
        return []
    first = positions[0]
    if list(positions) == list(range(first, first + len(positions))):
        # (in order already, as every store here inserts them)
        return [
            (position, s.originator_id, s.originator_version, s.topic, s.state)
            for position, s in zip(positions, stored, strict=True)
        ]
    pairs = sorted(zip(positions, stored, strict=True), key=lambda pair: pair[0])
    return [
        (position, s.originator_id, s.originator_version, s.topic, s.state) for position, s in pairs
    ]


def insert_together(
    tree: TreeWriter,
    transaction: AbstractContextManager[_T],
    batches: Iterable[Sequence[StoredEvent]],
    insert: Callable[[_T, Sequence[StoredEvent]], None],
    begin: Callable[[_T], None] | None = None,
) -> int:
    """Insert every batch of ``batches`` (taken one at a time: they may be made meanwhile)
    with ``insert``, in the one ``transaction``, each with its leaves; how many entries were
    inserted. ``begin``, if given, is called with the transaction as it opens, before the
    first batch is taken (to check the store, say: raising writes nothing). ``tree`` takes
    each batch as the base of the next, and forgets them all if anything raised (the
    transaction rolled back).

    A recorder's ``insert_all(batches, begin=...)`` is this with its engine's transaction,
    which takes the store's write lock as it begins, so that other writers wait until it
    ends; its ``begin`` is called under that lock with the log's head (the position of its
    last entry, 0 if empty). The tables' rows are left to catching up."""
    count = 0
    try:
        with transaction as handle:
            if begin is not None:
                begin(handle)
            for stored in batches:
                if stored:
                    insert(handle, stored)
                    tree.committed()
                    count += len(stored)
    except BaseException:
        tree.forget()
        raise
    return count


class MemoryTables(TileTables):
    """The tree's tables in this process's memory (for ``memory://`` stores)."""

    def __init__(self) -> None:
        self.tiles: dict[tuple[int, int], tuple[bytes, bytes]] = {}
        self.last: dict[int, int] = {}
        """The index of the last tile of each level."""
        self.persons: dict[str, bytes] = {}
        self.checkpoint_rows: dict[int, tuple[int, bytes, str, str]] = {}
        self.lock = threading.RLock()

    def tree_size(self) -> int:
        last = self.last.get(0)
        if last is None:
            return 0
        return last * TILE_WIDTH + len(self.tiles[(0, last)][0]) // HASH

    def tile_rows(self, level: int, lo: int, hi: int) -> list[TileRow]:
        tiles = self.tiles
        hi = min(hi, self.last.get(level, -1) + 1)
        return [(level, i, *tiles[(level, i)]) for i in range(lo, hi) if (level, i) in tiles]

    def write_tiles(self, tiles: Sequence[TileRow]) -> None:
        for level, index, hashes, facts in tiles:
            self.tiles[(level, index)] = (hashes, facts)
            if index > self.last.get(level, -1):
                self.last[level] = index

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        found = {}
        for name in names:
            if create and name not in self.persons:
                self.persons[name] = new_salt()
            if name in self.persons:
                found[name] = self.persons[name]
        return found

    def all_salts(self) -> dict[str, bytes]:
        return dict(self.persons)

    def forget_salt(self, name: str) -> None:
        self.persons.pop(name, None)

    def adopt_salts(self, salts: dict[str, bytes]) -> None:
        for name, salt in salts.items():
            self.persons.setdefault(name, salt)

    def checkpoints(self) -> list[tuple[int, bytes, str, str]]:
        return [self.checkpoint_rows[size] for size in sorted(self.checkpoint_rows)]

    def add_checkpoint(self, size: int, root: bytes, note: str, made_at: str) -> None:
        self.checkpoint_rows[size] = (size, root, note, made_at)

    @contextmanager
    def transaction(self) -> Iterator[MemoryTables]:
        """The tables, with the log's lock held (a memory store has no rollback to make:
        the tree is written once the entries are in)."""
        with self.lock:
            yield self
