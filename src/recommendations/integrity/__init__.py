"""Verifiable history: a Merkle tree over the log, checkpoints, proofs and their checks.

The tree is RFC 6962 / RFC 9162's (SHA-256; a leaf is ``SHA-256(0x00 || leaf bytes)``, a
node ``SHA-256(0x01 || left || right)``). The checking half lives in
:mod:`recommendations.integrity.verifier`, a single standard-library file an auditor can run
without this library (``recommendations verifier > verify.py``); the library imports its
hashing from there and wraps its checks so that they raise :class:`ProofError` and
:class:`NoteError` (both :class:`~recommendations.RecommendationsError`).
"""

from __future__ import annotations

from recommendations.integrity._check import (
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from recommendations.integrity._errors import IntegrityError, NoteError, ProofError
from recommendations.integrity._merkle import (
    Frontier,
    MemoryNodes,
    Node,
    Nodes,
    consistency_proof,
    inclusion_proof,
    subtree_consistency_proof,
    subtree_inclusion_proof,
    subtree_root,
    tree_root,
)
from recommendations.integrity.verifier import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "IntegrityError",
    "MemoryNodes",
    "Node",
    "Nodes",
    "NoteError",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion",
    "subtree_consistency_proof",
    "subtree_inclusion_proof",
    "subtree_root",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
