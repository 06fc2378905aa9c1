"""The RFC 6962 / RFC 9162 peer vectors, through the library's hashing, tree and proofs."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from recommendations import RecommendationsError
from recommendations.integrity import (
    EMPTY_ROOT,
    Frontier,
    MemoryNodes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    subtree_consistency_proof,
    subtree_inclusion_proof,
    subtree_root,
    tree_root,
    verifier,
    verify_consistency,
    verify_inclusion,
)
from tests.integrity.vectors import b64, case_id, load, proof_b64

HASHES = load("rfc6962_hashes.json")
LEAVES = [bytes.fromhex(entry) for entry in HASHES["leaf_inputs"]]
NODES = MemoryNodes(leaf_hash(entry) for entry in LEAVES)
ROOTS = [bytes.fromhex(root) for root in HASHES["roots_by_size"]]


@pytest.mark.parametrize("kat", HASHES["hasher_kats"], ids=case_id)
def test_hasher_known_answers(kat: dict[str, Any]) -> None:
    if kat["op"] == "empty_root":
        got = EMPTY_ROOT
    elif kat["op"] == "leaf_hash":
        got = leaf_hash(bytes.fromhex(kat["input_hex"]))
    else:
        got = node_hash(bytes.fromhex(kat["left_hex"]), bytes.fromhex(kat["right_hex"]))
    assert got.hex() == kat["want"]


def test_every_stored_node_matches() -> None:
    for level, row in enumerate(HASHES["node_hashes_by_level"]):
        for index, value in enumerate(row):
            assert NODES.node(level, index).hex() == value


@pytest.mark.parametrize("size", range(9))
def test_roots_of_growing_trees(size: int) -> None:
    assert tree_root(MemoryNodes(leaf_hash(e) for e in LEAVES[:size]), size) == ROOTS[size]
    assert tree_root(NODES, size) == ROOTS[size]


def test_frontier_is_the_compact_range_and_folds_to_the_root() -> None:
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    assert frontier.hashes == []
    for size, entry in enumerate(LEAVES, start=1):
        completed = frontier.append(leaf_hash(entry))
        assert frontier.size == size
        assert [h.hex() for h in frontier.hashes] == HASHES["compact_range_by_size"][size]
        assert frontier.root() == ROOTS[size]
        # Every completed node is the stored perfect subtree it names, the leaf first.
        assert completed[0] == (0, size - 1, leaf_hash(entry))
        for level, index, value in completed:
            assert NODES.node(level, index) == value
        assert len(completed) == 1 + ((size ^ (size - 1)).bit_length() - 1)
        # Resuming from stored nodes gives the same border.
        resumed = Frontier.from_nodes(NODES, size)
        assert resumed.hashes == frontier.hashes
        assert resumed.nodes() == frontier.nodes()


def test_a_frontier_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ProofError, match="frontier of size 3 holds 2 hashes, not 1"):
        Frontier(3, [EMPTY_ROOT])


REFERENCE = load("reference_proofs.json")


@pytest.mark.parametrize(
    "case", REFERENCE["inclusion"], ids=lambda c: f"{c['index']}-of-{c['size']}"
)
def test_reference_inclusion_proofs(case: dict[str, Any]) -> None:
    proof = [bytes.fromhex(h) for h in case["proof"]]
    assert inclusion_proof(NODES, case["index"], case["size"]) == proof
    verify_inclusion(
        case["index"], case["size"], leaf_hash(LEAVES[case["index"]]), proof, ROOTS[case["size"]]
    )


@pytest.mark.parametrize(
    "case", REFERENCE["consistency"], ids=lambda c: f"{c['size1']}-to-{c['size2']}"
)
def test_reference_consistency_proofs(case: dict[str, Any]) -> None:
    proof = [bytes.fromhex(h) for h in case["proof"]]
    assert consistency_proof(NODES, case["size1"], case["size2"]) == proof
    verify_consistency(
        case["size1"], case["size2"], ROOTS[case["size1"]], ROOTS[case["size2"]], proof
    )


@pytest.mark.parametrize("case", load("inclusion_probes.json")["cases"], ids=case_id)
def test_inclusion_probes(case: dict[str, Any]) -> None:
    def check() -> None:
        verify_inclusion(
            case["leafIdx"],
            case["treeSize"],
            b64(case["leafHash"]),
            proof_b64(case["proof"]),
            b64(case["root"]),
        )

    if case["wantErr"]:
        with pytest.raises(ProofError) as raised:
            check()
        assert isinstance(raised.value, RecommendationsError)
        assert raised.value.rule == "inclusion proof"
    else:
        check()


@pytest.mark.parametrize("case", load("consistency_probes.json")["cases"], ids=case_id)
def test_consistency_probes(case: dict[str, Any]) -> None:
    def check() -> None:
        verify_consistency(
            case["size1"],
            case["size2"],
            b64(case["root1"]),
            b64(case["root2"]),
            proof_b64(case["proof"]),
        )

    if case["wantErr"]:
        with pytest.raises(ProofError, match=r"rule 'consistency proof'"):
            check()
    else:
        check()


def test_probe_files_hold_the_counts_the_readme_states() -> None:
    for name in ("inclusion_probes.json", "consistency_probes.json"):
        verdicts = [case["wantErr"] for case in load(name)["cases"]]
        assert (verdicts.count(False), verdicts.count(True)) == (6, 92)


MTC = load("mtc_subtree_accumulated.json")
MTC_NODES = MemoryNodes(leaf_hash(bytes([i])) for i in range(MTC["max_size"]))


def _valid_subtree(start: int, end: int) -> bool:
    width = end - start
    ceiling = 1 << (width - 1).bit_length() if width > 0 else 1
    return start == 0 or start == end or start % ceiling == 0


def _digest(name: str) -> str:
    return next(v["sha256_of_all_lines"] for v in MTC["vectors"] if v["name"] == name)


def test_mtc_subtree_hashes() -> None:
    digest = hashlib.sha256()
    for end in range(MTC["max_size"] + 1):
        for start in range(end + 1):
            if _valid_subtree(start, end):
                value = subtree_root(MTC_NODES, start, end)
                digest.update(f"[{start}, {end}) {value.hex()}\n".encode())
    assert digest.hexdigest() == _digest("subtree_hash")


def test_mtc_subtree_inclusion_proofs() -> None:
    digest = hashlib.sha256()
    for end in range(MTC["max_size"] + 1):
        for start in range(end + 1):
            if not _valid_subtree(start, end):
                continue
            for index in range(start, end):
                proof = subtree_inclusion_proof(MTC_NODES, index, start, end)
                line = f"{index} [{start}, {end})" + "".join(" " + h.hex() for h in proof)
                digest.update((line + "\n").encode())
                if start == 0:
                    verify_inclusion(
                        index, end, MTC_NODES.node(0, index), proof, MTC_NODES.root(end)
                    )
    assert digest.hexdigest() == _digest("subtree_inclusion")


def test_mtc_subtree_consistency_proofs() -> None:
    digest = hashlib.sha256()
    for size in range(MTC["max_size"] + 1):
        for end in range(size + 1):
            for start in range(end + 1):
                if not _valid_subtree(start, end):
                    continue
                proof = subtree_consistency_proof(MTC_NODES, start, end, size)
                line = f"[{start}, {end}) {size}" + "".join(" " + h.hex() for h in proof)
                digest.update((line + "\n").encode())
                if start == 0 and 0 < end <= size <= 40:  # the probes cover the rest
                    verify_consistency(end, size, MTC_NODES.root(end), MTC_NODES.root(size), proof)
    assert digest.hexdigest() == _digest("subtree_consistency")


def test_proofs_are_not_made_for_leaves_or_sizes_outside_the_tree() -> None:
    with pytest.raises(ProofError, match=r"field 'index': rule 'inclusion proof'"):
        inclusion_proof(NODES, 8, 8)
    with pytest.raises(ProofError, match="no consistency proof from size 0"):
        consistency_proof(NODES, 0, 8)
    with pytest.raises(ProofError, match="no consistency proof from size 5 to size 4"):
        consistency_proof(NODES, 5, 4)
    with pytest.raises(ProofError, match="no node at level 0, index 8"):
        NODES.node(0, 8)


def test_every_probe_gets_the_same_verdict_from_the_standalone_verifier() -> None:
    for case in load("inclusion_probes.json")["cases"]:
        try:
            verifier.verify_inclusion(
                case["leafIdx"],
                case["treeSize"],
                b64(case["leafHash"]),
                proof_b64(case["proof"]),
                b64(case["root"]),
            )
        except verifier.ProofError:
            assert case["wantErr"], case["source_path"]
        else:
            assert not case["wantErr"], case["source_path"]
    for case in load("consistency_probes.json")["cases"]:
        try:
            verifier.verify_consistency(
                case["size1"],
                case["size2"],
                b64(case["root1"]),
                b64(case["root2"]),
                proof_b64(case["proof"]),
            )
        except verifier.ProofError:
            assert case["wantErr"], case["source_path"]
        else:
            assert not case["wantErr"], case["source_path"]
