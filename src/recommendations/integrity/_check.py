"""The verifier's proof checks, raising the library's errors.

These are thin wrappers over :mod:`recommendations.integrity.verifier`, which holds the one
copy of the checking code.
"""

from __future__ import annotations

from recommendations.integrity import verifier
from recommendations.integrity._errors import translated

__all__ = ["root_from_inclusion", "verify_consistency", "verify_inclusion"]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """The root that ``proof`` gives for the leaf hash ``leaf`` at ``index`` of ``size``."""
    with translated(field="proof", rule="inclusion proof"):
        return verifier.root_from_inclusion(index, size, leaf, proof)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """Check an RFC 9162 inclusion proof; raise :class:`ProofError` unless it holds."""
    with translated(field="proof", rule="inclusion proof"):
        verifier.verify_inclusion(index, size, leaf, proof, root)


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    """Check an RFC 9162 consistency proof; raise :class:`ProofError` unless it holds."""
    with translated(field="proof", rule="consistency proof"):
        verifier.verify_consistency(size1, size2, root1, root2, proof)
