"""The tree as a store keeps it: leaf hashes and some interior nodes, written with the
entries.

A store keeps, beside its log, four tables (or their in-memory equivalent):

- the leaves: one row per log position, the leaf hash with the entry's item, version and
  recorded time (so that a failed check can say which entry the tree remembers there);
- the nodes: the root of every complete perfect subtree whose level is a multiple of
  :data:`NODE_LEVELS` (every 16 leaves, every 256, ...), enough to answer any subtree root
  from at most ``2 ** (NODE_LEVELS - 1)`` stored hashes;
- the persons: the salt of every person a leaf commits to (see :mod:`._leaf`);
- the checkpoints made (size, root and the note).

:class:`TreeWriter` is what a recorder calls inside the transaction that inserts entries;
it keeps the tree's right border (the frontier) in memory between appends, and reads it
again from the tables whenever another writer has moved the log on.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from eventsourcing.persistence import IntegrityError

from recommendations.integrity._merkle import Frontier
from recommendations.integrity.verifier import node_hash

from ._leaf import ERASURES_MARK, LeafHasher

__all__ = [
    "NODE_LEVELS",
    "Entry",
    "LeafRow",
    "NodeRow",
    "StoredNodes",
    "Tables",
    "TreeWriter",
    "frontier_of",
    "subtree_root",
]

NODE_LEVELS = 4
"""Interior nodes are kept at levels 4, 8, 12, ...: one extra row every 16 entries."""

LeafRow = tuple[int, bytes, str, int, str]
"""A stored leaf: position, leaf hash, item id (hex), version, recorded time."""

NodeRow = tuple[int, int, bytes]
"""A stored interior node: level, index, hash."""


class Tables(Protocol):
    """What a store's tree tables answer, inside one transaction or read."""

    def tree_size(self) -> int:
        """The largest position with a leaf (0 when there is none)."""

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]:
        """Stored hashes at ``level`` (0: leaves; else a multiple of NODE_LEVELS) with index
        in ``[lo, hi)``, by index."""

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        """The salt of each person named (made and kept now for a new one if ``create``)."""

    def write(self, leaves: Sequence[LeafRow], nodes: Sequence[NodeRow]) -> None:
        """Insert leaves and nodes."""


def subtree_root(tables: Tables, level: int, index: int) -> bytes:
    """The root of the perfect subtree over leaves ``[index * 2**level, (index+1) * 2**level)``
    from the nearest stored level at or below it."""
    base = level - level % NODE_LEVELS
    span = level - base
    hashes = tables.hashes(base, index << span, (index + 1) << span)
    if len(hashes) != 1 << span:
        raise LookupError(f"the tree has no node at level {level}, index {index}")
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


class StoredNodes:
    """A store's tables as the :class:`~recommendations.integrity.Nodes` that proofs are
    made from: any perfect subtree's root, from the nearest level kept."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def node(self, level: int, index: int) -> bytes:
        return subtree_root(self.tables, level, index)


def frontier_of(tables: Tables, size: int) -> Frontier:
    """The frontier of the stored tree of ``size`` leaves."""
    return Frontier.from_nodes(StoredNodes(tables), size)


Entry = tuple[int, "uuid.UUID | str", int, str, bytes]
"""An entry to add: position, item id, version, topic, stored state."""


class TreeWriter:
    """Adds entries' leaves and nodes to a store's tables, in the caller's transaction.

    One per recorder. It remembers the frontier and the persons' salts it has seen; call
    :meth:`committed` once the transaction has committed (what it remembers is taken
    only then), and nothing if it rolled back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frontier: Frontier | None = None
        self._mark: bytes | None = None
        self._mark_read = False
        self._pending: Frontier | None = None
        self._tables: Tables | None = None
        self._hasher = LeafHasher({}, self._fresh_salt)
        self.erasures_met = 0
        """How many erasures this writer has met: made through it (:meth:`erased`), or
        found in the store when appending. A tracker forgets the item logs it remembers
        when the count changes."""

    def _fresh_salt(self, name: str) -> bytes | None:
        assert self._tables is not None
        return self._tables.salts((name,), create=True).get(name)

    def add(self, tables: Tables, entries: Sequence[Entry]) -> bool:
        """Write the leaves of ``entries`` (consecutive positions); ``False`` (and nothing
        written) when the tree does not reach the position before them: a store made before
        the tree, to be sealed first."""
        if not entries:
            return True
        first = entries[0][0]
        with self._lock:
            frontier = self._frontier
            if frontier is None or frontier.size != first - 1:
                size = tables.tree_size()
                if size != first - 1:
                    return False
                frontier = frontier_of(tables, size)
            frontier = frontier.copy()
            # An erasure elsewhere (another process) deleted a salt since this writer last
            # appended: forget the salts remembered, and refuse these entries, which may
            # have been decided on entries read before the erasure; the command is decided
            # again.
            mark = tables.salts([ERASURES_MARK], create=False).get(ERASURES_MARK)
            if mark != self._mark or not self._mark_read:
                met = self._mark_read and mark != self._mark
                self._hasher = LeafHasher({}, self._fresh_salt)
                self._mark, self._mark_read = mark, True
                if met:
                    self.erasures_met += 1
                    raise ErasedMeanwhile(
                        "a person was erased from the store since this writer last "
                        "appended: decide again on the log as it now is"
                    )
            hasher = self._hasher
            hasher.drop()
            leaf = hasher.leaf
            leaves: list[LeafRow] = []
            expected = first
            self._tables = tables
            try:
                for position, item, version, topic, state in entries:
                    if position != expected:
                        raise LookupError(f"entry at position {position} does not follow on")
                    expected += 1
                    if not isinstance(item, uuid.UUID):
                        item = uuid.UUID(item)
                    if type(state) is not bytes:  # a text or memoryview state read back
                        state = _as_bytes(state)
                    hashed, recorded = leaf(position, item.bytes, version, topic, state)
                    leaves.append(
                        (
                            position,
                            hashed,
                            item.hex,
                            version,
                            recorded.decode("utf-8", "surrogateescape"),
                        )
                    )
            finally:
                self._tables = None
            nodes = frontier.append_many([row[1] for row in leaves], NODE_LEVELS)
            tables.write(leaves, nodes)
            self._pending = frontier
            return True

    def committed(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._frontier = self._pending
                self._hasher.keep()
                self._pending = None

    def forget(self) -> None:
        """Drop what was remembered (after a rollback, or a change behind this writer)."""
        with self._lock:
            self._frontier = None
            self._pending = None
            self._hasher = LeafHasher({}, self._fresh_salt)
            self._mark, self._mark_read = None, False

    def erased(self, mark: bytes) -> None:
        """An erasure was made through this writer, leaving the erasures token ``mark``:
        forget what was remembered, and count it."""
        self.forget()
        with self._lock:
            self._mark, self._mark_read = mark, True
            self.erasures_met += 1


class ErasedMeanwhile(IntegrityError):
    """Entries met an erasure made since their writer last appended (nothing written)."""


def _as_bytes(state: object) -> bytes:
    return state.encode() if isinstance(state, str) else bytes(state)  # type: ignore[call-overload]


def _recorded(data: bytes) -> str:
    """The recorded time field of leaf bytes (after the 36-byte header and the topic)."""
    offset = 36
    offset += 4 + int.from_bytes(data[offset : offset + 4])
    size = int.from_bytes(data[offset : offset + 4])
    return data[offset + 4 : offset + 4 + size].decode("utf-8", "surrogateescape")
