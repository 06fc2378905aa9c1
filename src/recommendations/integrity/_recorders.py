"""How a recorder keeps the tree: the tables it opens, and the in-memory ones.

A recorder that keeps the tree has a ``tree`` (a :class:`~._tree.TreeWriter`) and a
``tree_tables(write=...)`` context manager giving its tables within one transaction
(taking the log's write lock when ``write`` is true, so that no entry is appended
meanwhile).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, runtime_checkable

from eventsourcing.persistence import StoredEvent

from ._leaf import new_salt
from ._tree import NODE_LEVELS, LeafRow, NodeRow, TreeWriter

__all__ = ["MemoryTables", "TreeRecorder", "TreeTables", "entries_of"]


class TreeTables(Protocol):
    """The tree's tables as :class:`~._tree.Tables`, and what reading them needs."""

    def tree_size(self) -> int: ...

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]: ...

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]: ...

    def write(self, leaves: Sequence[LeafRow], nodes: Sequence[NodeRow]) -> None: ...

    def all_salts(self) -> dict[str, bytes]: ...

    def forget_salt(self, name: str) -> None: ...

    def adopt_salts(self, salts: dict[str, bytes]) -> None: ...

    def leaves(self, after: int, limit: int) -> list[LeafRow]: ...

    def leaf_hashes(self, after: int, limit: int) -> list[tuple[int, bytes]]: ...

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
    pairs = sorted(zip(positions, stored, strict=True), key=lambda pair: pair[0])
    return [
        (position, s.originator_id, s.originator_version, s.topic, s.state) for position, s in pairs
    ]


class MemoryTables:
    """The tree's tables in this process's memory (for ``memory://`` stores)."""

    def __init__(self) -> None:
        self.leaf_rows: list[LeafRow] = []
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.persons: dict[str, bytes] = {}
        self.checkpoint_rows: dict[int, tuple[int, bytes, str, str]] = {}
        self.lock = threading.RLock()

    def tree_size(self) -> int:
        return self.leaf_rows[-1][0] if self.leaf_rows else 0

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]:
        if level == 0:
            return [row[1] for row in self.leaf_rows[lo:hi]]
        assert level % NODE_LEVELS == 0
        return [self.nodes[(level, i)] for i in range(lo, hi) if (level, i) in self.nodes]

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

    def write(self, leaves: Sequence[LeafRow], nodes: Sequence[NodeRow]) -> None:
        self.leaf_rows.extend(leaves)
        for level, index, hashed in nodes:
            self.nodes[(level, index)] = hashed

    def leaves(self, after: int, limit: int) -> list[LeafRow]:
        # positions are list index + 1 unless rows were removed behind the library's back
        start = min(after, len(self.leaf_rows))
        while start > 0 and self.leaf_rows[start - 1][0] > after:
            start -= 1
        while start < len(self.leaf_rows) and self.leaf_rows[start][0] <= after:
            start += 1
        return self.leaf_rows[start : start + limit]

    def leaf_hashes(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        return [(row[0], row[1]) for row in self.leaves(after, limit)]

    def nodes_at(self, level: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
        return sorted((i, h) for (lv, i), h in self.nodes.items() if lv == level and lo <= i < hi)

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
