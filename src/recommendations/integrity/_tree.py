"""The tree as a store keeps it: its hashes in fixed-width tiles, written with the entries.

A store keeps, beside its log, three tables (or their in-memory equivalent):

- the tiles: one row holds :data:`TILE_WIDTH` consecutive hashes of one level of the tree
  (levels 0, 4, 8, ...: :data:`NODE_LEVELS` apart) as one blob of 32-byte hashes, the tile
  ``(level, index)`` holding the hashes of indices ``index * 16`` to ``index * 16 + 15``
  at that level. The last tile of a level may be partial: it is rewritten whole as hashes
  are added to it (as Go's checksum database keeps its tiles). A leaf tile (level 0) also
  holds each entry's facts (item, version and recorded time, :data:`FACT`), so that a
  failed check can say which entry the tree remembers there. Any other node of the tree
  is computed from at most ``2 ** (NODE_LEVELS - 1)`` (8) hashes of one tile;
- the persons: the salt of every person a leaf commits to (see :mod:`._leaf`);
- the checkpoints made (size, root and the note).

:class:`TreeWriter` is what a recorder calls inside the transaction that inserts entries;
it keeps the tree's right border (the frontier) and the last tile of each level in memory
between appends, and reads them again from the tables whenever another writer has moved
the log on. A batch of 100 entries writes seven or eight leaf tiles and one or two of
level 4, where it wrote a row for each entry before; one entry rewrites at most 16 hashes
of each level. (Tiles of 256 hashes wrote two or three rows a batch, but rewrote up to
255 hashes and their facts with each: measured slower, on SQLite and PostgreSQL alike.)
"""

from __future__ import annotations

import struct
import threading
import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from eventsourcing.persistence import IntegrityError

from recommendations.integrity._merkle import Frontier
from recommendations.integrity.verifier import node_hash

from ._leaf import ERASURES_MARK, LeafHasher

__all__ = [
    "FACT",
    "HASH",
    "NODE_LEVELS",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Entry",
    "LeafRow",
    "NodeRow",
    "StoredNodes",
    "Tables",
    "TileRow",
    "TileTables",
    "TreeWriter",
    "frontier_of",
    "subtree_root",
]

NODE_LEVELS = 4
"""Hashes are kept at levels 0, 4, 8, ...: the levels of the tiles."""
TILE_HEIGHT = 4
"""A tile spans this many levels of the tree: it holds ``2 ** TILE_HEIGHT`` hashes."""
TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile."""
HASH = 32
"""Bytes of one hash."""
FACT = struct.Struct(">16sQH")
"""The facts of one leaf in a leaf tile: the item id's 16 bytes, the version, and the
length of the recorded time's UTF-8 bytes, which follow."""

LeafRow = tuple[int, bytes, str, int, str]
"""A stored leaf: position, leaf hash, item id (hex), version, recorded time."""

NodeRow = tuple[int, int, bytes]
"""An interior node: level, index, hash."""

TileRow = tuple[int, int, bytes, bytes]
"""A stored tile: level, index, its hashes (32 bytes each), the facts of its leaves (a
leaf tile; empty above)."""


class Tables(Protocol):
    """What a store's tree tables answer, inside one transaction or read."""

    def tree_size(self) -> int:
        """How many leaves the tree has (the largest position with a leaf)."""

    def tile(self, level: int, index: int) -> tuple[bytes, bytes] | None:
        """The hashes and facts of one stored tile."""

    def tile_rows(self, level: int, lo: int, hi: int) -> list[TileRow]:
        """The stored tiles of ``level`` with index in ``[lo, hi)``, by index."""

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]:
        """Stored hashes at ``level`` (a multiple of NODE_LEVELS, 0 the leaves) with index
        in ``[lo, hi)``, by index."""

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        """The salt of each person named (made and kept now for a new one if ``create``)."""

    def write_tiles(self, tiles: Sequence[TileRow]) -> None:
        """Insert these tiles, or replace them whole where they are stored."""

    def erasures_mark(self) -> bytes | None:
        """The token every erasure changes (:data:`~._leaf.ERASURES_MARK`), if any."""


def encode_facts(item: bytes, version: int, recorded: bytes) -> bytes:
    """The facts of one leaf as a leaf tile holds them."""
    return FACT.pack(item, version, len(recorded)) + recorded


def decode_facts(facts: bytes) -> list[tuple[str, int, str]]:
    """The item id (hex), version and recorded time of each leaf of a leaf tile."""
    found = []
    offset, unpack, size = 0, FACT.unpack_from, FACT.size
    while offset < len(facts):
        item, version, length = unpack(facts, offset)
        offset += size
        recorded = facts[offset : offset + length].decode("utf-8", "surrogateescape")
        offset += length
        found.append((item.hex(), version, recorded))
    return found


class TileTables:
    """What every store's tables answer from their tiles (``tile_rows``, ``tree_size``)."""

    def tile_rows(self, level: int, lo: int, hi: int) -> list[TileRow]:  # pragma: no cover
        raise NotImplementedError

    def salts(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:  # pragma: no cover
        raise NotImplementedError

    def write_tiles(self, tiles: Sequence[TileRow]) -> None:  # pragma: no cover
        raise NotImplementedError

    def erasures_mark(self) -> bytes | None:
        return self.salts((ERASURES_MARK,), create=False).get(ERASURES_MARK)

    def tile(self, level: int, index: int) -> tuple[bytes, bytes] | None:
        rows = self.tile_rows(level, index, index + 1)
        return (rows[0][2], rows[0][3]) if rows else None

    def block(self, level: int, lo: int, hi: int) -> bytes:
        """The stored hashes at ``level`` with index in ``[lo, hi)`` as one string of bytes
        (shorter when the tiles do not hold them all, from the first one missing)."""
        if hi <= lo:
            return b""
        first, last = lo // TILE_WIDTH, (hi - 1) // TILE_WIDTH
        rows = self.tile_rows(level, first, last + 1)
        parts = []
        for expected, row in enumerate(rows, start=first):
            if row[1] != expected:
                break
            parts.append(row[2])
            if len(row[2]) != TILE_WIDTH * HASH:
                break
        whole = b"".join(parts)
        begin = (lo - first * TILE_WIDTH) * HASH
        return whole[begin : begin + (hi - lo) * HASH]

    def hashes(self, level: int, lo: int, hi: int) -> list[bytes]:
        assert level % NODE_LEVELS == 0
        data = self.block(level, lo, hi)
        return [data[i : i + HASH] for i in range(0, len(data), HASH)]

    def nodes_at(self, level: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
        """The stored hashes at ``level`` with index in ``[lo, hi)``, with their index."""
        return list(enumerate(self.hashes(level, lo, hi), start=lo))

    def leaves(self, after: int, limit: int) -> list[LeafRow]:
        """The stored leaves after position ``after``, at most ``limit``, with their facts."""
        rows = self.tile_rows(0, after // TILE_WIDTH, (after + limit - 1) // TILE_WIDTH + 1)
        found: list[LeafRow] = []
        for _, index, hashed, facts in rows:
            known = decode_facts(facts)
            base = index * TILE_WIDTH
            for i in range(len(hashed) // HASH):
                position = base + i + 1
                if position <= after:
                    continue
                item, version, recorded = known[i] if i < len(known) else ("", 0, "")
                found.append((position, hashed[i * HASH : (i + 1) * HASH], item, version, recorded))
                if len(found) == limit:
                    return found
        return found


def subtree_root(tables: Tables, level: int, index: int) -> bytes:
    """The root of the perfect subtree over leaves ``[index * 2**level, (index+1) * 2**level)``
    from the nearest stored level at or below it (one tile)."""
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
    made from: any perfect subtree's root, from the tile of the nearest level kept (each
    tile read once: use one within one read or transaction)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._tiles: dict[tuple[int, int], bytes] = {}

    def node(self, level: int, index: int) -> bytes:
        base = level - level % NODE_LEVELS
        span = level - base
        lo = index << span
        key = (base, lo // TILE_WIDTH)
        data = self._tiles.get(key)
        if data is None:
            tile = self.tables.tile(*key)
            data = tile[0] if tile is not None else b""
            self._tiles[key] = data  # (one read: the tile does not change meanwhile)
        begin = (lo % TILE_WIDTH) * HASH
        part = data[begin : begin + (HASH << span)]
        if len(part) != HASH << span:
            raise LookupError(f"the tree has no node at level {level}, index {index}")
        hashes = [part[i : i + HASH] for i in range(0, len(part), HASH)]
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]


def frontier_of(tables: Tables, size: int) -> Frontier:
    """The frontier of the stored tree of ``size`` leaves."""
    return Frontier.from_nodes(StoredNodes(tables), size)


Entry = tuple[int, "uuid.UUID | str", int, str, bytes]
"""An entry to add: position, item id, version, topic, stored state."""


def tiles_of(
    level: int,
    first: int,
    hashes: Sequence[bytes],
    facts: Sequence[bytes] | None,
    head: tuple[bytes, bytes],
) -> list[TileRow]:
    """The tiles holding ``hashes`` (with ``facts``, at level 0) from index ``first`` on,
    after ``head``: the hashes and facts stored before ``first`` in its tile."""
    rows: list[TileRow] = []
    done_hashes, done_facts = head
    index = first
    i = 0
    while i < len(hashes):
        tile = index // TILE_WIDTH
        take = min(len(hashes) - i, TILE_WIDTH - index % TILE_WIDTH)
        rows.append(
            (
                level,
                tile,
                done_hashes + b"".join(hashes[i : i + take]),
                done_facts + (b"".join(facts[i : i + take]) if facts is not None else b""),
            )
        )
        done_hashes = done_facts = b""
        index += take
        i += take
    return rows


class TreeWriter:
    """Adds entries' leaves and nodes to a store's tables, in the caller's transaction.

    One per recorder. It remembers the frontier and the persons' salts it has seen; call
    :meth:`committed` once the transaction has committed (what it remembers is taken
    only then), and nothing if it rolled back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frontier: Frontier | None = None
        self._tails: dict[int, tuple[int, bytes, bytes]] = {}
        """The last tile written at each level: index, hashes, facts."""
        self._mark: bytes | None = None
        self._mark_read = False
        self._pending: tuple[Frontier, dict[int, tuple[int, bytes, bytes]]] | None = None
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
            tails = self._tails
            behind = frontier is None or frontier.size != first - 1
            if behind:
                size = tables.tree_size()
                if size != first - 1:
                    return False
                frontier = frontier_of(tables, size)
                tails = {}
            assert frontier is not None
            frontier = frontier.copy()
            # An erasure elsewhere (another process) deleted a salt since this writer last
            # appended: forget the salts remembered, and refuse these entries, which may
            # have been decided on entries read before the erasure; the command is decided
            # again. An erasure changes the token in the transaction that appends its
            # record to the log: when nothing was appended since this writer's last
            # append, none was made, and the token is not read again.
            if behind or not self._mark_read:
                self._meet(tables.erasures_mark())
            hasher = self._hasher
            hasher.drop()
            self._tables = tables
            try:
                hashes, facts = hasher.entries(first, entries, FACT)
            finally:
                self._tables = None
            nodes = frontier.append_many(hashes, NODE_LEVELS)
            tails = dict(tails)
            rows = self._tiles(tables, tails, 0, first - 1, hashes, facts)
            if nodes:
                levels: dict[int, list[bytes]] = {}
                starts: dict[int, int] = {}
                for level, index, value in nodes:
                    found = levels.get(level)
                    if found is None:
                        levels[level] = [value]
                        starts[level] = index
                    else:
                        found.append(value)
                for level, values in levels.items():
                    rows += self._tiles(tables, tails, level, starts[level], values, None)
            tables.write_tiles(rows)
            self._pending = (frontier, tails)
            return True

    def _meet(self, mark: bytes | None) -> None:
        """Take the erasures token read now: raise :class:`ErasedMeanwhile` (having
        forgotten the salts remembered) if an erasure changed it since the last append."""
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

    @staticmethod
    def _tiles(
        tables: Tables,
        tails: dict[int, tuple[int, bytes, bytes]],
        level: int,
        first: int,
        hashes: Sequence[bytes],
        facts: Sequence[bytes] | None,
    ) -> list[TileRow]:
        """The tiles to write for ``hashes`` added at ``level`` from index ``first``, the
        tile they start in completed from what is stored; ``tails`` takes the last one."""
        offset = first % TILE_WIDTH
        head = (b"", b"")
        if offset:
            tile = first // TILE_WIDTH
            tail = tails.get(level)
            if tail is not None and tail[0] == tile and len(tail[1]) == offset * HASH:
                head = tail[1], tail[2]
            else:
                stored = tables.tile(level, tile)
                if stored is None or len(stored[0]) < offset * HASH:
                    raise LookupError(f"the tree has no tile at level {level}, index {tile}")
                hashed, known = stored
                if level == 0 and len(hashed) > offset * HASH:  # keep the first ``offset``
                    known = b"".join(
                        encode_facts(
                            bytes.fromhex(item),
                            version,
                            recorded.encode("utf-8", "surrogateescape"),
                        )
                        for item, version, recorded in decode_facts(known)[:offset]
                    )
                head = hashed[: offset * HASH], known
        rows = tiles_of(level, first, hashes, facts, head)
        last = rows[-1]
        tails[level] = (last[1], last[2], last[3])
        return rows

    def committed(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._frontier, self._tails = self._pending
                self._hasher.keep()
                self._pending = None

    def forget(self) -> None:
        """Drop what was remembered (after a rollback, or a change behind this writer)."""
        with self._lock:
            self._frontier = None
            self._tails = {}
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


def _recorded(data: bytes) -> str:
    """The recorded time field of leaf bytes (after the 36-byte header and the topic)."""
    offset = 36
    offset += 4 + int.from_bytes(data[offset : offset + 4])
    size = int.from_bytes(data[offset : offset + 4])
    return data[offset + 4 : offset + 4 + size].decode("utf-8", "surrogateescape")
