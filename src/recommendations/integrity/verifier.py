#!/usr/bin/env python3
"""Check a recommendations proof bundle without installing the recommendations library.

This file is the verification half of the library's verifiable history, shipped as one
file that needs only the Python standard library (3.9 or later), plus the ``cryptography``
package when a signature is to be checked. Print it with ``recommendations verifier >
verify.py`` and run::

    python verify.py BUNDLE.json [--checkpoint FILE] [--key VERIFIER_KEY]

It checks, and says in plain words, that each entry in the bundle is in the log whose size
and root hash the bundle's checkpoint states (an RFC 9162 inclusion proof per entry); that
the log at an earlier checkpoint (``--checkpoint FILE``) is a prefix of that log (an RFC
9162 consistency proof); and, given a verifier key (``--key``, C2SP signed-note form
``name+hex8(keyid)+base64(0x01||public key)``), that the checkpoint carries a good Ed25519
signature by that key. Exit status 0 when everything checked holds, 1 otherwise.

Hashing is RFC 6962 / RFC 9162 with SHA-256: a leaf is ``SHA-256(0x00 || entry)``, an
interior node ``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256("")``.

The library imports its hashing and checking functions from here, so there is one copy of
them. Every failure raises :class:`VerificationError` (a ``ValueError``) or one of its
subclasses: :class:`ProofError` for a proof that does not hold, :class:`NoteError` for a
signed note, key or checkpoint that cannot be read or does not verify, and
:class:`BundleError` for a malformed bundle.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import sys

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "BundleError",
    "NoteError",
    "ProofError",
    "VerificationError",
    "leaf_hash",
    "node_hash",
    "root_from_consistency",
    "root_from_inclusion",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root hash of the empty tree, ``SHA-256("")``."""


class VerificationError(ValueError):
    """Something this verifier was asked to check does not hold or cannot be read."""


class ProofError(VerificationError):
    """An inclusion or consistency proof does not hold (or is malformed)."""


class NoteError(VerificationError):
    """A signed note, verifier key or checkpoint is malformed or its signature fails."""


class BundleError(VerificationError):
    """A proof bundle is malformed or says something its proofs do not support."""


# --- hashing -------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``: the hash of one leaf (RFC 6962 section 2.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2) ------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, (bytes, bytearray)) else type(value).__name__
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, not {size}")


def _check_size(value: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{what} must be a non-negative integer, not {value!r}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """The root a tree of ``size`` leaves must have if ``proof`` shows ``leaf`` at ``index``.

    ``leaf`` is the 32-byte leaf hash; ``proof`` lists the sibling hashes bottom-up. Raises
    :class:`ProofError` when the proof cannot be a path for that index and size (an index
    outside the tree, a hash that is not 32 bytes, a proof of the wrong length).
    """
    _check_size(index, "leaf index")
    _check_size(size, "tree size")
    if index >= size:
        raise ProofError(f"leaf index {index} is not inside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for position, sibling in enumerate(proof):
        _check_hash(sibling, f"proof hash {position}")
        if sn == 0:
            raise ProofError(f"inclusion proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof is too short: {len(proof)} hashes")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """Check that the leaf hash ``leaf`` is at ``index`` in the tree of ``size`` with ``root``.

    Returns ``None`` when the proof holds and raises :class:`ProofError` otherwise.
    """
    computed = root_from_inclusion(index, size, leaf, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof of leaf {index} in a tree of size {size} leads to root "
            f"{computed.hex()}, not {bytes(root).hex()}"
        )


def root_from_consistency(
    size1: int, size2: int, root1: bytes, proof: list[bytes]
) -> tuple[bytes, bytes]:
    """The two roots a consistency proof from ``size1`` to ``size2`` leads to.

    Returns ``(first, second)``: the proof holds for ``root1`` and ``root2`` exactly when
    ``first == root1`` and ``second == root2``. Only defined for ``0 < size1 < size2``.
    """
    _check_size(size1, "first tree size")
    _check_size(size2, "second tree size")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 >= size2:
        raise ProofError(f"first tree size {size1} must be smaller than the second, {size2}")
    if not proof:
        raise ProofError(f"a consistency proof from size {size1} to {size2} cannot be empty")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof hash {position}")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: the first tree is a node of the second
        _check_hash(root1, "first root")
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for element in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            fr = node_hash(element, fr)
            sr = node_hash(element, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof is too short: {len(proof)} hashes")
    return fr, sr


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    """Check that the tree of ``size1`` with ``root1`` is a prefix of that of ``size2``.

    Returns ``None`` when the proof holds and raises :class:`ProofError` otherwise. A first
    size of zero is refused (it proves nothing), as is a first size larger than the second.
    Equal sizes hold only with an empty proof and equal roots, compared byte for byte.
    """
    _check_size(size1, "first tree size")
    _check_size(size2, "second tree size")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 > size2:
        raise ProofError(f"first tree size {size1} is larger than the second, {size2}")
    if size1 == size2:
        if proof:
            raise ProofError(f"trees of the same size {size1} need an empty proof")
        if root1 != root2:
            raise ProofError(f"two trees of size {size1} have different roots")
        return
    _check_hash(root1, "first root")
    _check_hash(root2, "second root")
    first, second = root_from_consistency(size1, size2, root1, proof)
    if first != root1:
        raise ProofError(
            f"consistency proof leads to first root {first.hex()}, not {root1.hex()}: "
            f"the tree of size {size1} is not a prefix of this one"
        )
    if second != root2:
        raise ProofError(
            f"consistency proof leads to second root {second.hex()}, not {root2.hex()}"
        )


# --- command line ----------------------------------------------------------------------------


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError) as error:
        raise BundleError(f"{what} is not standard base64: {error}") from None


def main(argv: list[str] | None = None) -> int:
    """Run the verifier on the command line; return the exit status."""
    del argv
    print("verify.py: proof bundle checks are not available in this version", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
