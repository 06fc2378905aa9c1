"""Properties of the tree and proofs over random trees, and what a node source is asked."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations.integrity import (
    Frontier,
    MemoryNodes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verifier,
    verify_consistency,
    verify_inclusion,
)


def _tree(size: int) -> MemoryNodes:
    return MemoryNodes(leaf_hash(i.to_bytes(4, "big")) for i in range(size))


def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    return value[: bit // 8] + bytes([value[bit // 8] ^ (1 << bit % 8)]) + value[bit // 8 + 1 :]


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_every_inclusion_proof_verifies_and_any_bit_flip_fails(
    size: int, data: st.DataObject
) -> None:
    tree = _tree(size)
    root = tree.root()
    index = data.draw(st.integers(0, size - 1))
    leaf = tree.node(0, index)
    proof = inclusion_proof(tree, index, size)
    verify_inclusion(index, size, leaf, proof, root)
    verifier.verify_inclusion(index, size, leaf, proof, root)

    bit = data.draw(st.integers(0, 255))
    target = data.draw(st.sampled_from(["leaf", "root", "proof"] if proof else ["leaf", "root"]))
    if target == "leaf":
        leaf = _flip(leaf, bit)
    elif target == "root":
        root = _flip(root, bit)
    else:
        position = data.draw(st.integers(0, len(proof) - 1))
        proof = [*proof[:position], _flip(proof[position], bit), *proof[position + 1 :]]
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, proof, root)
    with pytest.raises(verifier.ProofError):
        verifier.verify_inclusion(index, size, leaf, proof, root)


@settings(max_examples=60, deadline=None)
@given(size2=st.integers(2, 300), data=st.data())
def test_every_consistency_proof_verifies_and_any_bit_flip_fails(
    size2: int, data: st.DataObject
) -> None:
    tree = _tree(size2)
    size1 = data.draw(st.integers(1, size2 - 1))
    root1, root2 = tree.root(size1), tree.root(size2)
    proof = consistency_proof(tree, size1, size2)
    verify_consistency(size1, size2, root1, root2, proof)

    bit = data.draw(st.integers(0, 255))
    target = data.draw(st.sampled_from(["root1", "root2", "proof"]))
    if target == "root1":
        root1 = _flip(root1, bit)
    elif target == "root2":
        root2 = _flip(root2, bit)
    else:
        position = data.draw(st.integers(0, len(proof) - 1))
        proof = [*proof[:position], _flip(proof[position], bit), *proof[position + 1 :]]
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, root1, root2, proof)
    with pytest.raises(verifier.ProofError):
        verifier.verify_consistency(size1, size2, root1, root2, proof)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(0, 300))
def test_the_frontier_gives_the_root_of_the_whole_tree(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    frontier, tree = Frontier(), MemoryNodes()
    for leaf in leaves:
        frontier.append(leaf)
        tree.append(leaf)
    assert frontier.root() == tree_root(tree, size) == MemoryNodes(leaves).root()
    split = size // 3
    extended = Frontier.from_nodes(tree, split)
    extended.extend(leaves[split:])
    assert (extended.size, extended.hashes) == (frontier.size, frontier.hashes)
    built = MemoryNodes(leaves[:split])
    for leaf in leaves[split:]:
        built.append(leaf)
    assert all(
        built.node(level, index) == tree.node(level, index) for level, index, _ in frontier.nodes()
    )


class CountingNodes:
    """A node source for a tree too big to build: checks each request, counts them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.asked: list[tuple[int, int]] = []

    def node(self, level: int, index: int) -> bytes:
        assert level >= 0 and index >= 0
        assert (index + 1) << level <= self.size, f"node ({level}, {index}) outside the tree"
        self.asked.append((level, index))
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


@pytest.mark.parametrize("size", [1, 2, 3, 1_000_000, 1_048_576, 1_048_577, 2**40 - 1])
def test_a_proof_asks_only_for_few_perfect_subtrees_inside_the_tree(size: int) -> None:
    bound = 2 * size.bit_length() + 1
    for index in {0, size // 3, size // 2, size - 2, size - 1} - {-1}:
        nodes = CountingNodes(size)
        proof = inclusion_proof(nodes, index, size)
        assert len(nodes.asked) <= bound
        assert len(proof) <= size.bit_length()
    for size1 in {1, size // 3, size // 2, size - 1} - {0}:
        nodes = CountingNodes(size)
        consistency_proof(nodes, size1, size)
        assert len(nodes.asked) <= bound
    nodes = CountingNodes(size)
    assert Frontier.from_nodes(nodes, size).size == size
    assert len(nodes.asked) == size.bit_count()
