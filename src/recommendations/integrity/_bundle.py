"""Proof bundles: one recommendation's entries with the proofs that they are in the log.

A bundle is JSON (format ``recommendations-proof-bundle/1``, described in
``docs/reference/proof-bundle.md``). :func:`make_bundle` builds one from what a store gives
(the entries' log positions and leaf bytes, a node source, a checkpoint) and checks it
before handing it out; :func:`check_bundle` checks one with the standalone verifier's code.
Leaf index = log position - 1.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from recommendations.integrity import verifier
from recommendations.integrity._errors import ProofError, translated
from recommendations.integrity._merkle import (
    Nodes,
    consistency_proof,
    inclusion_proof,
    tree_root,
)
from recommendations.integrity.verifier import (
    BUNDLE_FORMAT,
    BundleReport,
    VerifierKey,
    leaf_hash,
)

__all__ = ["BUNDLE_FORMAT", "bundle_json", "check_bundle", "make_bundle"]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def make_bundle(
    *,
    reference: str,
    item_id: str,
    entries: Iterable[tuple[int, bytes]],
    nodes: Nodes,
    checkpoint: str,
    earlier: str | None = None,
) -> dict[str, Any]:
    """The proof bundle of one item's ``entries`` (``(log position, leaf bytes)`` pairs).

    ``checkpoint`` is the checkpoint note to prove against; ``nodes`` must hold the tree of
    at least its size. With ``earlier`` (an earlier checkpoint of the same log), the bundle
    carries the consistency proof from it. The bundle is checked before it is returned:
    raises :class:`ProofError` (naming the recommendation) if the nodes do not give the
    checkpoint's root, a leaf is not the one the tree holds, or a proof would not verify.
    """
    with translated(reference=reference, field="checkpoint", rule="proof bundle"):
        current, _ = verifier.open_checkpoint(checkpoint)
    if tree_root(nodes, current.size) != current.root:
        raise ProofError(
            f"the tree of size {current.size} does not have the checkpoint's root "
            f"{current.root.hex()}",
            reference=reference,
            field="checkpoint",
            rule="proof bundle",
        )
    shown = []
    for position, leaf in entries:
        if not 0 < position <= current.size:
            raise ProofError(
                f"entry {position} is not in the log of size {current.size}",
                reference=reference,
                field="position",
                rule="proof bundle",
            )
        if nodes.node(0, position - 1) != leaf_hash(leaf):
            raise ProofError(
                f"entry {position}'s leaf bytes do not hash to the leaf the tree holds",
                reference=reference,
                field="leaf",
                rule="proof bundle",
            )
        proof = inclusion_proof(nodes, position - 1, current.size)
        shown.append(
            {
                "position": position,
                "leaf_index": position - 1,
                "leaf": _b64(leaf),
                "proof": [_b64(h) for h in proof],
            }
        )
    if not shown:
        raise ProofError(
            "a proof bundle needs at least one entry",
            reference=reference,
            field="entries",
            rule="proof bundle",
        )
    bundle: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "reference": reference,
        "item_id": item_id,
        "checkpoint": checkpoint,
        "entries": shown,
    }
    if earlier is not None:
        with translated(reference=reference, field="earlier checkpoint", rule="proof bundle"):
            before, _ = verifier.open_checkpoint(earlier)
        if before.size > current.size or before.origin != current.origin:
            raise ProofError(
                f"the earlier checkpoint ({before.origin!r}, size {before.size}) is not of "
                f"this log before size {current.size}",
                reference=reference,
                field="earlier checkpoint",
                rule="proof bundle",
            )
        proof = consistency_proof(nodes, before.size, current.size)
        bundle["consistency"] = {
            "size": before.size,
            "checkpoint": earlier,
            "proof": [_b64(h) for h in proof],
        }
    check_bundle(bundle)  # never hand out a bundle that does not verify
    return bundle


def bundle_json(bundle: dict[str, Any]) -> str:
    """The bundle as the JSON text written to a file (UTF-8, indented, newline at the end)."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def check_bundle(
    bundle: str | bytes | dict[str, Any],
    *,
    checkpoint: str | bytes | None = None,
    keys: Iterable[VerifierKey] = (),
) -> BundleReport:
    """Check a proof bundle (see :func:`recommendations.integrity.verifier.check_bundle`)."""
    reference = bundle.get("reference") if isinstance(bundle, dict) else None
    with translated(
        reference=reference if isinstance(reference, str) else None,
        field="bundle",
        rule="proof bundle",
    ):
        return verifier.check_bundle(bundle, checkpoint=checkpoint, keys=tuple(keys))
