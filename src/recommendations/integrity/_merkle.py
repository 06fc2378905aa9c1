"""The generating half of the Merkle tree: a frontier that grows by appends, and proofs.

The tree is RFC 6962 / RFC 9162's: leaves are hashed with :func:`leaf_hash`, interior nodes
with :func:`node_hash` (both from :mod:`recommendations.integrity.verifier`, which holds the
checking half so that an auditor can run it alone).

Proofs are generated over a :class:`Nodes` source: anything that can give the root of a
*perfect* subtree, ``node(level, index)`` covering the leaves ``[index * 2**level, (index +
1) * 2**level)``, level 0 being the leaf hashes. The functions here only ever ask for
perfect subtrees wholly inside the tree, and as few as they need: an inclusion proof asks for
at most about ``2 * log2(size)`` nodes, so a store can keep some levels of the tree and
compute the others. :class:`MemoryNodes` keeps every level and is the reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Protocol

from recommendations.integrity._errors import ProofError
from recommendations.integrity.verifier import EMPTY_ROOT, node_hash

__all__ = [
    "Frontier",
    "MemoryNodes",
    "Node",
    "Nodes",
    "consistency_proof",
    "inclusion_proof",
    "subtree_consistency_proof",
    "subtree_inclusion_proof",
    "subtree_root",
    "tree_root",
]

Node = tuple[int, int, bytes]
"""A perfect subtree's root as ``(level, index, hash)``."""


class Nodes(Protocol):
    """A source of perfect-subtree roots.

    ``node(level, index)`` is the root of the perfect subtree covering the leaves ``[index *
    2**level, (index + 1) * 2**level)``; level 0 gives the leaf hashes. It is only asked for
    subtrees wholly inside the tree.
    """

    def node(self, level: int, index: int) -> bytes: ...


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _perfect(start: int, end: int) -> int | None:
    """The level of ``[start, end)`` if it is one aligned perfect subtree, else ``None``."""
    width = end - start
    if width > 0 and width & (width - 1) == 0 and start % width == 0:
        return width.bit_length() - 1
    return None


def subtree_root(nodes: Nodes, start: int, end: int) -> bytes:
    """``MTH(D[start:end])``: the root of the tree over the leaves ``start`` to ``end - 1``.

    An aligned range (``start`` a multiple of the smallest power of two at least ``end -
    start``, as every range in a proof is) takes one node per set bit of ``end - start``.
    Any other range is computed from smaller nodes and takes longer.
    """
    if not 0 <= start <= end:
        raise ProofError(f"[{start}, {end}) is not a range of leaves", rule="subtree range")
    if start == end:
        return EMPTY_ROOT
    level = _perfect(start, end)
    if level is not None:
        return nodes.node(level, start >> level)
    split = start + _largest_power_of_two_below(end - start)
    return node_hash(subtree_root(nodes, start, split), subtree_root(nodes, split, end))


def tree_root(nodes: Nodes, size: int) -> bytes:
    """``MTH(D[0:size])``: the root of the tree of the first ``size`` leaves."""
    return subtree_root(nodes, 0, size)


def _check_index(index: int, start: int, end: int) -> None:
    if not start <= index < end:
        raise ProofError(
            f"leaf {index} is not inside [{start}, {end})", field="index", rule="inclusion proof"
        )


def subtree_inclusion_proof(nodes: Nodes, index: int, start: int, end: int) -> list[bytes]:
    """``PATH(index - start, D[start:end])``: the inclusion proof of a leaf in a subtree."""
    _check_index(index, start, end)
    proof: list[bytes] = []
    while end - start > 1:
        split = start + _largest_power_of_two_below(end - start)
        if index < split:
            proof.append(subtree_root(nodes, split, end))
            end = split
        else:
            proof.append(subtree_root(nodes, start, split))
            start = split
    proof.reverse()
    return proof


def inclusion_proof(nodes: Nodes, index: int, size: int) -> list[bytes]:
    """``PATH(index, D[0:size])`` (RFC 9162 section 2.1.3.1), sibling nearest the leaf first."""
    return subtree_inclusion_proof(nodes, index, 0, size)


def subtree_consistency_proof(nodes: Nodes, start: int, end: int, size: int) -> list[bytes]:
    """The proof that the subtree ``[start, end)`` is part of the tree of ``size`` leaves.

    With ``start == 0`` and ``0 < end < size`` this is RFC 9162's consistency proof
    ``PROOF(end, D[0:size])``; it is empty when ``start == end`` or when ``[start, end)`` is
    the whole tree. ``[start, end)`` must be aligned as in :func:`subtree_root`.
    """
    if not 0 <= start <= end <= size:
        raise ProofError(
            f"[{start}, {end}) is not a range inside a tree of size {size}",
            rule="consistency proof",
        )
    if start == end:
        return []
    proof: list[bytes] = []
    low, high, whole = 0, size, True
    while (start, end) != (low, high):
        split = low + _largest_power_of_two_below(high - low)
        if end <= split:
            proof.append(subtree_root(nodes, split, high))
            high = split
        elif start >= split:
            proof.append(subtree_root(nodes, low, split))
            low = split
        else:  # the range straddles the split, so it starts at ``low``: go right
            proof.append(subtree_root(nodes, low, split))
            start, low, whole = split, split, False
    if not whole:
        proof.append(subtree_root(nodes, low, high))
    proof.reverse()
    return proof


def consistency_proof(nodes: Nodes, size1: int, size2: int) -> list[bytes]:
    """``PROOF(size1, D[0:size2])`` (RFC 9162 section 2.1.4.1); empty when the sizes are equal.

    ``size1`` must be at least 1: nothing can be proved about the empty tree.
    """
    if size1 <= 0 or size1 > size2:
        raise ProofError(
            f"no consistency proof from size {size1} to size {size2}",
            field="size",
            rule="consistency proof",
        )
    return subtree_consistency_proof(nodes, 0, size1, size2)


class Frontier:
    """The right border of a growing tree: one perfect-subtree root per set bit of its size.

    :meth:`append` adds a leaf hash in O(log n) and returns the perfect subtrees that the
    append completes, the leaf itself first, as ``(level, index, hash)``: a store writes the
    levels it keeps in the same transaction as the entry. :meth:`root` folds the border.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self._size = size
        self._hashes = list(hashes)
        if size < 0 or len(self._hashes) != size.bit_count():
            raise ProofError(
                f"a frontier of size {size} holds {max(size, 0).bit_count()} hashes, "
                f"not {len(self._hashes)}",
                rule="frontier",
            )

    @classmethod
    def from_nodes(cls, nodes: Nodes, size: int) -> Frontier:
        """The frontier of the first ``size`` leaves of a stored tree, to resume appending."""
        return cls(size, (nodes.node(level, index) for level, index in _border(size)))

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> list[bytes]:
        """The border's subtree roots, left to right (highest subtree first)."""
        return list(self._hashes)

    def nodes(self) -> list[Node]:
        """The border as ``(level, index, hash)``, left to right."""
        return [
            (level, index, value)
            for (level, index), value in zip(_border(self._size), self._hashes, strict=True)
        ]

    def append(self, leaf: bytes) -> list[Node]:
        """Add the leaf hash ``leaf``; return the subtrees completed, lowest level first."""
        index = self._size
        completed: list[Node] = [(0, index, leaf)]
        hashes = self._hashes
        value, level, bits = leaf, 0, index
        while bits & 1:  # each set low bit closes a perfect subtree with its left sibling
            value = hashlib.sha256(b"\x01" + hashes.pop() + value).digest()
            level += 1
            bits >>= 1
            completed.append((level, bits, value))
        hashes.append(value)
        self._size = index + 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaf hashes, faster than :meth:`append`, keeping no completed nodes.

        For recomputing a root from the leaves (about two SHA-256 calls a leaf).
        """
        hashes, size, sha256 = self._hashes, self._size, hashlib.sha256
        pop, push = hashes.pop, hashes.append
        for leaf in leaves:
            value, bits = leaf, size
            while bits & 1:
                value = sha256(b"\x01" + pop() + value).digest()
                bits >>= 1
            push(value)
            size += 1
        self._size = size

    def append_many(self, leaves: Iterable[bytes], every: int) -> list[Node]:
        """Append many leaf hashes; return the interior nodes completed at the levels that
        are positive multiples of ``every`` (what a store keeps), lowest first per leaf."""
        hashes, size, sha256 = self._hashes, self._size, hashlib.sha256
        pop, push = hashes.pop, hashes.append
        kept: list[Node] = []
        for leaf in leaves:
            value, bits, level = leaf, size, 0
            while bits & 1:
                value = sha256(b"\x01" + pop() + value).digest()
                bits >>= 1
                level += 1
                if level % every == 0:
                    kept.append((level, bits, value))
            push(value)
            size += 1
        self._size = size
        return kept

    def append_subtree(self, level: int, value: bytes) -> list[Node]:
        """Append the root ``value`` of a whole perfect subtree of ``2 ** level`` leaves (the
        size must be a multiple of it); return every subtree the append completes, itself
        first, as :meth:`append` does."""
        index = self._size >> level
        if self._size != index << level:
            raise ProofError(
                f"a subtree of level {level} cannot follow {self._size} leaves",
                rule="frontier",
            )
        completed: list[Node] = [(level, index, value)]
        hashes, bits = self._hashes, index
        while bits & 1:
            value = hashlib.sha256(b"\x01" + hashes.pop() + value).digest()
            level += 1
            bits >>= 1
            completed.append((level, bits, value))
        hashes.append(value)
        self._size += 1 << completed[0][0]
        return completed

    def root(self) -> bytes:
        """The root hash of the tree so far (``EMPTY_ROOT`` while empty)."""
        if not self._hashes:
            return EMPTY_ROOT
        value = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            value = node_hash(left, value)
        return value

    def copy(self) -> Frontier:
        """An independent copy, to try appends that may be abandoned."""
        return Frontier(self._size, self._hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()[:16]}...)"


def _border(size: int) -> Iterator[tuple[int, int]]:
    """The ``(level, index)`` of each perfect subtree on the border of a tree of ``size``."""
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            yield level, start >> level
            start += 1 << level


class MemoryNodes:
    """Every level of a tree, in memory: the reference :class:`Nodes` source."""

    __slots__ = ("_levels",)

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [list(leaves)]
        row = self._levels[0]
        while len(row) > 1:
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
            self._levels.append(row)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0])

    def append(self, leaf: bytes) -> None:
        """Add the leaf hash ``leaf`` and every node it completes."""
        self._levels[0].append(leaf)
        level = 0
        while len(self._levels[level]) % 2 == 0:
            row = self._levels[level]
            if len(self._levels) == level + 1:
                self._levels.append([])
            self._levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1

    def node(self, level: int, index: int) -> bytes:
        """The root of the perfect subtree ``index`` at ``level``."""
        if level < 0 or index < 0 or level >= len(self._levels):
            raise ProofError(f"no node at level {level}, index {index}", rule="perfect subtree")
        row = self._levels[level]
        if index >= len(row):
            raise ProofError(f"no node at level {level}, index {index}", rule="perfect subtree")
        return row[index]

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (all of them by default)."""
        return tree_root(self, self.size if size is None else size)
