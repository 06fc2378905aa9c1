"""Verifiable history: a Merkle tree over the log, checkpoints, proofs and their checks.

The tree is RFC 6962 / RFC 9162's (SHA-256; a leaf is ``SHA-256(0x00 || leaf bytes)``, a
node ``SHA-256(0x01 || left || right)``). The checking half lives in
:mod:`recommendations.integrity.verifier`, a single standard-library file an auditor can run
without this library (``recommendations verifier > verify.py``); the library imports its
hashing, note and bundle code from there and wraps its checks so that they raise
:class:`ProofError` and :class:`NoteError` (both :class:`~recommendations.RecommendationsError`).
"""

from __future__ import annotations

from recommendations.integrity._bundle import BUNDLE_FORMAT, bundle_json, check_bundle, make_bundle
from recommendations.integrity._check import (
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from recommendations.integrity._checkpoint import (
    SIGNING_KEY_ENV,
    SigningKey,
    checkpoint_note,
    generate_signing_key,
    open_checkpoint,
    parse_verifier_key,
    sign_note,
    signing_key_path,
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
from recommendations.integrity._stated import LogCheckpoint, Signer
from recommendations.integrity.verifier import (
    EMPTY_ROOT,
    HASH_SIZE,
    BundleReport,
    Checkpoint,
    Note,
    VerifierKey,
    fingerprint,
    leaf_hash,
    node_hash,
)

__all__ = [
    "BUNDLE_FORMAT",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "SIGNING_KEY_ENV",
    "BundleReport",
    "Checkpoint",
    "Frontier",
    "IntegrityError",
    "LogCheckpoint",
    "MemoryNodes",
    "Node",
    "Nodes",
    "Note",
    "NoteError",
    "ProofError",
    "Signer",
    "SigningKey",
    "VerifierKey",
    "bundle_json",
    "check_bundle",
    "checkpoint_note",
    "consistency_proof",
    "fingerprint",
    "generate_signing_key",
    "inclusion_proof",
    "leaf_hash",
    "make_bundle",
    "node_hash",
    "open_checkpoint",
    "parse_verifier_key",
    "root_from_inclusion",
    "sign_note",
    "signing_key_path",
    "subtree_consistency_proof",
    "subtree_inclusion_proof",
    "subtree_root",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
