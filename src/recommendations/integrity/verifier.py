#!/usr/bin/env python3
"""Check a recommendations proof bundle without installing the recommendations library.

This file is the verification half of the library's verifiable history, shipped as one
file that needs only the Python standard library (3.9 or later), plus the ``cryptography``
package when a signature is to be checked. Print it with ``recommendations verifier >
verify.py`` and run::

    python verify.py BUNDLE.json [--checkpoint FILE] [--key VERIFIER_KEY] [--origin TEXT]
    python verify.py --checkpoint FILE [--key VERIFIER_KEY] [--origin TEXT]

It checks, and says in plain words, that each entry in the bundle is in the log whose size
and root hash the bundle's checkpoint states (an RFC 9162 inclusion proof per entry); that
the log at an earlier checkpoint (``--checkpoint FILE``) is a prefix of that log (an RFC
9162 consistency proof); and, given a verifier key (``--key``, C2SP signed-note form
``name+hex8(keyid)+base64(0x01||public key)``), that the checkpoint carries a good Ed25519
signature by that key. Exit status 0 when everything checked holds, 1 otherwise.

Given only ``--checkpoint FILE`` (a committee paper's checkpoint, say), it prints that
checkpoint's size, root hash and fingerprint (the first 16 hex digits of the root hash, in
groups of four), and checks its signature (``--key``) and its origin (``--origin``).

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
import dataclasses
import hashlib
import json
import sys
import uuid
from typing import Any

__all__ = [
    "BUNDLE_FORMAT",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_FORMAT",
    "MAX_SIGNATURES",
    "BundleError",
    "BundleReport",
    "Checkpoint",
    "CheckpointReport",
    "Note",
    "NoteError",
    "ProofError",
    "ProvedEntry",
    "Signature",
    "VerificationError",
    "VerifierKey",
    "check_bundle",
    "check_checkpoint",
    "decode_leaf",
    "fingerprint",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "read_note",
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


# --- signed notes and verifier keys (C2SP signed-note) ------------------------------------------

_ED25519 = 0x01
_SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
MAX_SIGNATURES = 100
"""A note with more signature lines than this is refused (C2SP asks for at least 16)."""


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id of an Ed25519 key: ``SHA-256(name || 0x0A || 0x01 || key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([_ED25519]) + public_key).digest()[
        :4
    ]


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


@dataclasses.dataclass(frozen=True)
class VerifierKey:
    """An Ed25519 public key that checks signatures on notes, with its name and key id."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read ``name+hex8(keyid)+base64(0x01 || 32-byte public key)``."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key reads name+keyid+key")
        name, hex_id, encoded = parts
        if not _valid_name(name):
            raise NoteError(f"verifier key name {name!r} is empty or holds a space or a '+'")
        try:
            wanted = bytes.fromhex(hex_id) if len(hex_id) == 8 else b""
            raw = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise NoteError(f"verifier key {name!r} is not hex and base64") from None
        if len(wanted) != 4:
            raise NoteError(f"verifier key {name!r} needs an 8-digit hex key id")
        if len(raw) != 33:
            raise NoteError(f"verifier key {name!r} has a key of {len(raw) - 1} bytes, not 32")
        if raw[0] != _ED25519:
            raise NoteError(f"verifier key {name!r} is of unknown algorithm {raw[0]}")
        if key_id(name, raw[1:]) != wanted:
            raise NoteError(f"verifier key {name!r} has the wrong key id {hex_id}")
        return cls(name, wanted, raw[1:])

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> VerifierKey:
        """The verifier key of a raw 32-byte Ed25519 public key under ``name``."""
        if not _valid_name(name):
            raise NoteError(f"key name {name!r} is empty or holds a space or a '+'")
        if len(public_key) != 32:
            raise NoteError(f"an Ed25519 public key has 32 bytes, not {len(public_key)}")
        return cls(name, key_id(name, public_key), bytes(public_key))

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([_ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        except ImportError:
            raise NoteError(
                "checking a signature needs the 'cryptography' package: "
                "python -m pip install cryptography"
            ) from None
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclasses.dataclass(frozen=True)
class Signature:
    """One signature line of a note: the signer's name, key id and base64 payload."""

    name: str
    key_id: bytes
    base64: str


@dataclasses.dataclass(frozen=True)
class Note:
    """A note's text (ending with a newline) and its signatures, checked or not."""

    text: str
    verified: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = ()


def _decode_note(note: str | bytes) -> str:
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("a note must be UTF-8") from None
    for char in note:
        if ord(char) < 0x20 and char != "\n":
            raise NoteError(f"a note may hold no control character but newline, not {char!r}")
    return note


def _split_note(note: str) -> tuple[str, list[tuple[Signature, bytes, str]]]:
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note needs a blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("a signed note needs signature lines, each ending with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note with more than {MAX_SIGNATURES} signatures is refused")
    signatures = []
    for line in lines:
        if not line.startswith(_SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if not _valid_name(name) or len(raw) < 5:
            raise NoteError(f"malformed signature line: {line[:60]!r}")
        signatures.append((Signature(name, raw[:4], encoded), raw[4:], line))
    return text, signatures


def open_note(note: str | bytes, keys: list[VerifierKey] | tuple[VerifierKey, ...]) -> Note:
    """Check a signed note against the verifier keys known; return its text and signatures.

    Signatures by keys not known (another name or key id) are kept as unverified and
    otherwise ignored; a known key's bad signature is an error, and so is a note that no
    known key signed. Raises :class:`NoteError`.
    """
    text, signatures = _split_note(_decode_note(note))
    known = {(key.name, key.key_id): key for key in keys}
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, bytes]] = set()
    unseen: set[str] = set()
    for signature, raw, line in signatures:
        key = known.get((signature.name, signature.key_id))
        if key is None:
            if line not in unseen:
                unseen.add(line)
                unverified.append(signature)
            continue
        if (signature.name, signature.key_id) in seen:
            continue
        seen.add((signature.name, signature.key_id))
        if not key.verify(text.encode("utf-8"), raw):
            raise NoteError(f"the signature by {key.name!r} does not match the note")
        verified.append(signature)
    if not verified:
        raise NoteError("no signature on the note is by a known key")
    return Note(text, tuple(verified), tuple(unverified))


def read_note(note: str | bytes) -> Note:
    """Read a note without checking signatures: all of them come back as unverified.

    A text without a signature block (an unsigned checkpoint) is a note with no signatures.
    """
    note = _decode_note(note)
    if "\n\n" not in note:
        if not note.endswith("\n"):
            raise NoteError("a note must end with a newline")
        return Note(note)
    text, signatures = _split_note(note)
    return Note(text, (), tuple(signature for signature, _, _ in signatures))


# --- checkpoints (C2SP tlog-checkpoint) ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """A log's size and root hash at a moment, named by the log's origin."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body: origin, size and base64 root lines, then any extensions."""
        root = base64.b64encode(self.root).decode("ascii")
        return "".join(
            line + "\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @property
    def fingerprint(self) -> str:
        """A short form of the root to read aloud: see :func:`fingerprint`."""
        return fingerprint(self.root)


def fingerprint(root: bytes) -> str:
    """The first 64 bits of a root hash as four groups of four hex digits, to read aloud."""
    digits = root.hex()[:16]
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint body (the text of its note, without signatures)."""
    if not text.endswith("\n"):
        raise NoteError("a checkpoint must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint needs an origin line, a size line and a root hash line")
    origin, size, root, *extensions = lines
    if not origin:
        raise NoteError("a checkpoint's first line must name its origin")
    if not size.isdigit() or not size.isascii() or (size != "0" and size.startswith("0")):
        raise NoteError(f"a checkpoint's second line must be its size in decimal, not {size!r}")
    try:
        raw = base64.b64decode(root.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise NoteError(
            f"a checkpoint's third line must be its base64 root, not {root!r}"
        ) from None
    if len(raw) != HASH_SIZE:
        raise NoteError(f"a checkpoint's root must be {HASH_SIZE} bytes, not {len(raw)}")
    if any(not line for line in extensions):
        raise NoteError("a checkpoint's extension lines may not be empty")
    return Checkpoint(origin, int(size), raw, tuple(extensions))


def open_checkpoint(
    note: str | bytes, keys: list[VerifierKey] | tuple[VerifierKey, ...] = ()
) -> tuple[Checkpoint, Note]:
    """Read a checkpoint note; with ``keys``, require a good signature by one of them."""
    opened = open_note(note, keys) if keys else read_note(note)
    return parse_checkpoint(opened.text), opened


@dataclasses.dataclass(frozen=True)
class CheckpointReport:
    """What :func:`check_checkpoint` found of one checkpoint: ``ok`` when nothing failed."""

    checkpoint: Checkpoint
    signed_by: tuple[VerifierKey, ...]
    """The keys given whose good signature the checkpoint carries."""
    unchecked_signers: tuple[str, ...]
    """The names of the signers whose key was not given."""
    keys_given: bool
    problems: tuple[tuple[str, str], ...]
    """What failed: ``(kind, sentence)`` pairs, the kind ``signature`` (a bad signature),
    ``unknown-key`` (no key given signed it) or ``origin`` (a checkpoint of another log)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report in plain words, one sentence a line."""
        cp = self.checkpoint
        root = base64.b64encode(cp.root).decode("ascii")
        out = [
            f"Checkpoint of the log {cp.origin!r}: {cp.size} entries, root hash {root}"
            f" ({cp.root.hex()}), fingerprint {cp.fingerprint}."
        ]
        for key in self.signed_by:
            out.append(
                f"Signature checked: the checkpoint is signed by {key.name!r} "
                f"(key id {key.key_id.hex()})."
            )
        if not self.keys_given and self.unchecked_signers:
            names = ", ".join(repr(name) for name in self.unchecked_signers)
            out.append(f"Signatures NOT checked (no key given); the checkpoint names {names}.")
        elif not self.keys_given:
            out.append("The checkpoint is not signed: compare its fingerprint with your record.")
        out.extend(f"FAILED: {problem}" for _, problem in self.problems)
        return out


def check_checkpoint(
    note: str | bytes,
    *,
    keys: list[VerifierKey] | tuple[VerifierKey, ...] = (),
    origin: str | None = None,
) -> CheckpointReport:
    """Check one checkpoint note: its signatures against ``keys`` and its origin.

    With ``keys``, a known key's signature that does not verify is a failure (a bad
    signature), and so is a checkpoint that no key given signed (unsigned, or signed only by
    other keys: an unknown key). With ``origin``, a checkpoint of another log is a failure.
    A note that cannot be read at all raises :class:`NoteError`.
    """
    text = _decode_note(note)
    if "\n\n" in text:
        body, signatures = _split_note(text)
    else:
        body, signatures = read_note(text).text, []
    checkpoint = parse_checkpoint(body)
    known = {(key.name, key.key_id): key for key in keys}
    names = {key.name: key for key in keys}
    good: list[VerifierKey] = []
    unchecked: list[str] = []
    problems: list[tuple[str, str]] = []
    for signature, raw, _ in signatures:
        key = known.get((signature.name, signature.key_id))
        if key is None:
            unchecked.append(signature.name)
            other = names.get(signature.name)
            if other is not None:
                problems.append(
                    (
                        "unknown-key",
                        f"the signature by {signature.name!r} is by the key id "
                        f"{signature.key_id.hex()}, not that of the key given "
                        f"({other.key_id.hex()}): an unknown key",
                    )
                )
            continue
        if key in good:
            continue
        if key.verify(body.encode("utf-8"), raw):
            good.append(key)
        else:
            problems.append(
                (
                    "signature",
                    f"the signature by {key.name!r} (key id {key.key_id.hex()}) does not "
                    "match the checkpoint: it was changed after it was signed, or the "
                    "signature forged",
                )
            )
    if keys and not good and not problems:
        if signatures:
            listed = ", ".join(f"{s.name!r} (key id {s.key_id.hex()})" for s, _, _ in signatures)
            problems.append(
                ("unknown-key", f"the checkpoint is signed only by keys not given: {listed}")
            )
        else:
            given = ", ".join(repr(key.name) for key in keys)
            problems.append(
                (
                    "unknown-key",
                    f"the checkpoint is not signed, and a signature by {given} was asked",
                )
            )
    if origin is not None and checkpoint.origin != origin:
        problems.append(
            (
                "origin",
                f"the checkpoint is of the log {checkpoint.origin!r}, not {origin!r}: it is "
                "a checkpoint of another log",
            )
        )
    return CheckpointReport(checkpoint, tuple(good), tuple(unchecked), bool(keys), tuple(problems))


# --- proof bundles ---------------------------------------------------------------------------

BUNDLE_FORMAT = "recommendations-proof-bundle/1"


@dataclasses.dataclass(frozen=True)
class ProvedEntry:
    """One entry a bundle proved to be in the log."""

    position: int
    leaf_index: int
    leaf_hash: bytes
    content: object
    """The leaf bytes decoded as JSON when they are UTF-8 JSON, else as text, else ``None``."""


@dataclasses.dataclass(frozen=True)
class BundleReport:
    """What :func:`check_bundle` proved."""

    reference: str
    item_id: str
    checkpoint: Checkpoint
    entries: tuple[ProvedEntry, ...]
    signed_by: tuple[VerifierKey, ...]
    unchecked_signers: tuple[str, ...]
    earlier: Checkpoint | None
    earlier_supplied: bool
    earlier_signed_by: tuple[VerifierKey, ...] = ()

    def lines(self) -> list[str]:
        """The report in plain words, one sentence a line."""
        cp = self.checkpoint
        out = [
            f"Recommendation {self.reference} (item {self.item_id}).",
            f"Checkpoint of the log {cp.origin!r}: {cp.size} entries, root hash {cp.root.hex()}"
            f" (fingerprint {cp.fingerprint}).",
        ]
        if self.signed_by:
            for key in self.signed_by:
                out.append(
                    f"Signature checked: the checkpoint is signed by {key.name!r} "
                    f"(key id {key.key_id.hex()})."
                )
        elif self.unchecked_signers:
            names = ", ".join(repr(name) for name in self.unchecked_signers)
            out.append(f"Signatures NOT checked (no --key given); the checkpoint names {names}.")
        else:
            out.append("The checkpoint is not signed: compare its root with your own record.")
        for entry in self.entries:
            out.append(
                f"Proved: entry {entry.position} (leaf {entry.leaf_index}) is in this log"
                f"{_describe(entry.content)}."
            )
            if isinstance(entry.content, dict) and "state" in entry.content:
                state = json.dumps(entry.content["state"], ensure_ascii=False, sort_keys=True)
                out.append(f"  It records: {_shorten(state)}")
        out.append(
            f"Proved: these {len(self.entries)} entries of recommendation {self.reference} are "
            f"in the log of size {cp.size} with root {cp.root.hex()}."
        )
        if self.earlier is not None:
            whose = (
                "your checkpoint" if self.earlier_supplied else "the bundle's earlier checkpoint"
            )
            signed = "".join(
                f", signed by {key.name!r} (key id {key.key_id.hex()})"
                for key in self.earlier_signed_by
            )
            out.append(
                f"Proved: the log at {whose} (size {self.earlier.size}, fingerprint "
                f"{self.earlier.fingerprint}{signed}) is a prefix of this log: nothing recorded "
                "by then has been changed, removed or reordered."
            )
            if not self.earlier_supplied and not self.earlier_signed_by:
                out.append(
                    "That earlier checkpoint came with the bundle and no signature on it was "
                    "checked: compare its fingerprint with your own record of it."
                )
        return out


def _describe(content: object) -> str:
    if isinstance(content, dict):
        shown = [
            f"{key} {content[key]}"
            for key in ("version", "topic", "recorded_at")
            if isinstance(content.get(key), (str, int)) and not isinstance(content[key], bool)
        ]
        return ": " + ", ".join(shown) if shown else ""
    if isinstance(content, str):
        return ": " + _shorten(content)
    return ""


def _shorten(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


LEAF_FORMAT = b"RLF1"
"""The first four bytes of the library's leaf encoding, version 1."""


def decode_leaf(leaf: bytes) -> dict[str, Any]:
    """Read the library's leaf bytes (format ``RLF1``) into their fields.

    The layout (integers unsigned big-endian): ``b"RLF1"``, the log position (8 bytes), the
    item's UUID (16 bytes), the version (8 bytes), then the topic, the recorded time (both
    UTF-8) and the committed state, each preceded by its length (4 bytes), the state also
    by one byte saying whether it is a canonical JSON object (1) or bytes as stored (0).
    Personal names are in it only as commitments (``sha256:...``). Raises
    :class:`BundleError` when ``leaf`` is not such bytes.
    """
    if leaf[:4] != LEAF_FORMAT or len(leaf) < 36:
        raise BundleError("not leaf bytes of format RLF1")
    position = int.from_bytes(leaf[4:12], "big")
    item = uuid.UUID(bytes=leaf[12:28])
    version = int.from_bytes(leaf[28:36], "big")
    offset = 36

    def take(size: int) -> bytes:
        nonlocal offset
        if offset + size > len(leaf):
            raise BundleError("RLF1 leaf bytes end too soon")
        part = leaf[offset : offset + size]
        offset += size
        return part

    def sized() -> bytes:
        return take(int.from_bytes(take(4), "big"))

    try:
        topic = sized().decode("utf-8")
        recorded = sized().decode("utf-8")
        kind = take(1)[0]
        state_bytes = sized()
    except UnicodeDecodeError:
        raise BundleError("RLF1 leaf bytes hold a topic or time that is not UTF-8") from None
    if offset != len(leaf):
        raise BundleError("RLF1 leaf bytes go on after the state")
    state: object = state_bytes.hex()
    if kind == 1:
        try:
            state = json.loads(state_bytes.decode("utf-8"))
        except ValueError:
            raise BundleError("RLF1 leaf bytes say the state is JSON, and it is not") from None
    elif kind != 0:
        raise BundleError(f"RLF1 leaf bytes have an unknown state kind {kind}")
    return {
        "position": position,
        "item_id": str(item),
        "version": version,
        "topic": topic,
        "recorded_at": recorded,
        "state": state,
    }


def _leaf_content(leaf: bytes) -> object:
    if leaf[:4] == LEAF_FORMAT:
        return decode_leaf(leaf)
    try:
        text = leaf.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text if text.isprintable() else None


def _same_item(given: object, item_id: str) -> bool:
    try:
        return uuid.UUID(str(given)) == uuid.UUID(item_id)
    except ValueError:
        return given == item_id


def _field(mapping: object, key: str, where: str) -> object:
    if not isinstance(mapping, dict) or key not in mapping:
        raise BundleError(f"{where} has no {key!r}")
    return mapping[key]


def _text(mapping: object, key: str, where: str) -> str:
    value = _field(mapping, key, where)
    if not isinstance(value, str):
        raise BundleError(f"{where}: {key!r} must be a string")
    return value


def _number(mapping: object, key: str, where: str) -> int:
    value = _field(mapping, key, where)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BundleError(f"{where}: {key!r} must be a non-negative integer")
    return value


def _hashes(values: object, where: str) -> list[bytes]:
    if not isinstance(values, list):
        raise BundleError(f"{where} must be a list of base64 hashes")
    return [_b64decode(value, f"{where}[{i}]") for i, value in enumerate(values)]


def _b64decode(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise BundleError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise BundleError(f"{what} is not standard base64") from None


def check_bundle(
    bundle: str | bytes | dict[str, Any],
    *,
    checkpoint: str | bytes | None = None,
    keys: list[VerifierKey] | tuple[VerifierKey, ...] = (),
) -> BundleReport:
    """Check a proof bundle; return what it proved or raise :class:`VerificationError`.

    ``checkpoint`` is an earlier checkpoint of your own (a note or its body): the bundle's
    consistency proof must show that the log at that checkpoint is a prefix of the bundle's.
    With ``keys``, the bundle's checkpoint must carry a good signature by one of them.
    """
    if not isinstance(bundle, dict):
        try:
            bundle = json.loads(bundle)
        except ValueError as error:
            raise BundleError(f"the bundle is not JSON: {error}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not a proof bundle: its 'format' must be {BUNDLE_FORMAT!r}")
    reference = _text(bundle, "reference", "the bundle")
    item_id = _text(bundle, "item_id", "the bundle")
    note = _text(bundle, "checkpoint", "the bundle")
    current, opened = open_checkpoint(note, keys)
    signed_by = _signers(keys, opened)
    entries = bundle.get("entries")
    if not isinstance(entries, list) or not entries:
        raise BundleError("the bundle has no entries")
    proved = []
    for number, entry in enumerate(entries):
        where = f"entry {number}"
        position = _number(entry, "position", where)
        index = _number(entry, "leaf_index", where)
        if index != position - 1:
            raise BundleError(f"{where}: leaf index {index} is not position {position} - 1")
        leaf = _b64decode(_text(entry, "leaf", where), f"{where} leaf")
        try:
            content = _leaf_content(leaf)
        except BundleError as error:
            raise BundleError(f"entry {position}: {error}") from None
        if isinstance(content, dict):
            if content.get("position", position) != position:
                raise BundleError(f"{where}: the leaf says position {content['position']}")
            if not _same_item(content.get("item_id", item_id), item_id):
                raise BundleError(f"{where}: the leaf is of item {content['item_id']}")
        hashed = leaf_hash(leaf)
        try:
            verify_inclusion(
                index,
                current.size,
                hashed,
                _hashes(entry.get("proof"), f"{where} proof"),
                current.root,
            )
        except ProofError as error:
            raise ProofError(f"entry {position} is not proved in the log: {error}") from None
        proved.append(ProvedEntry(position, index, hashed, content))
    earlier, supplied = None, checkpoint is not None
    earlier_signed_by: tuple[VerifierKey, ...] = ()
    consistency = bundle.get("consistency")
    if checkpoint is not None or consistency is not None:
        if consistency is None:
            consistency = {}
        if not isinstance(consistency, dict):
            raise BundleError("the bundle's 'consistency' must be an object")
        if checkpoint is None:
            checkpoint = _text(consistency, "checkpoint", "the consistency proof")
        if keys and (read_note(checkpoint).unverified or not supplied):
            # Signed, or not yours: with keys given, a known key must have signed it.
            earlier, opened_earlier = open_checkpoint(checkpoint, keys)
            earlier_signed_by = _signers(keys, opened_earlier)
        else:
            earlier, _ = open_checkpoint(checkpoint)
        if earlier.origin != current.origin:
            raise ProofError(
                f"the earlier checkpoint is of the log {earlier.origin!r}, not {current.origin!r}"
            )
        proof = _hashes(consistency.get("proof", []), "consistency proof")
        if "size" in consistency and consistency["size"] != earlier.size:
            raise ProofError(
                f"the bundle's consistency proof starts at size {consistency['size']}, "
                f"but the earlier checkpoint has size {earlier.size}"
            )
        try:
            verify_consistency(earlier.size, current.size, earlier.root, current.root, proof)
        except ProofError as error:
            raise ProofError(
                f"the log at the earlier checkpoint (size {earlier.size}) is not proved to be "
                f"a prefix of this one: {error}"
            ) from None
    return BundleReport(
        reference,
        item_id,
        current,
        tuple(proved),
        signed_by,
        tuple(s.name for s in opened.unverified),
        earlier,
        supplied,
        earlier_signed_by,
    )


def _signers(
    keys: list[VerifierKey] | tuple[VerifierKey, ...], note: Note
) -> tuple[VerifierKey, ...]:
    return tuple(
        key for key in keys for s in note.verified if (s.name, s.key_id) == (key.name, key.key_id)
    )


# --- command line ----------------------------------------------------------------------------


def _read_key(value: str) -> VerifierKey:
    try:
        return VerifierKey.parse(value)
    except NoteError:
        try:
            with open(value, encoding="utf-8") as file:
                return VerifierKey.parse(file.read())
        except OSError:
            raise NoteError(f"{value!r} is neither a verifier key nor a file holding one") from None


def main(argv: list[str] | None = None) -> int:
    """Run the verifier on the command line; return the exit status."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="verify.py",
        description="Check a recommendations proof bundle against its checkpoint.",
    )
    parser.add_argument(
        "bundle",
        nargs="?",
        help="the proof bundle (JSON) to check; without it, --checkpoint FILE is checked alone",
    )
    parser.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="an earlier checkpoint of yours, to prove a prefix; alone, the checkpoint to show "
        "and check (its fingerprint, its signature with --key, its origin with --origin)",
    )
    parser.add_argument(
        "--origin", metavar="TEXT", help="the log's origin: a checkpoint of another log fails"
    )
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="VERIFIER_KEY",
        help="a verifier key (name+keyid+key) or a file holding one; may be repeated",
    )
    args = parser.parse_args(argv)
    if args.bundle is None:
        if not args.checkpoint:
            parser.error("give a proof bundle, or --checkpoint FILE to check a checkpoint alone")
        return _main_checkpoint(args.checkpoint, args.key, args.origin)
    try:
        keys = [_read_key(value) for value in args.key]
        with open(args.bundle, encoding="utf-8") as file:
            bundle = file.read()
        earlier = None
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8") as file:
                earlier = file.read()
        report = check_bundle(bundle, checkpoint=earlier, keys=keys)
        if args.origin is not None and report.checkpoint.origin != args.origin:
            raise NoteError(
                f"the bundle's checkpoint is of the log {report.checkpoint.origin!r}, not "
                f"{args.origin!r}"
            )
    except (OSError, ValueError) as error:  # VerificationError is a ValueError
        print(f"FAILED: {error}")
        print("Nothing in this bundle is proved.")
        return 1
    for line in report.lines():
        print(line)
    print("All checks passed.")
    return 0


def _main_checkpoint(path: str, key_values: list[str], origin: str | None) -> int:
    try:
        keys = [_read_key(value) for value in key_values]
        with open(path, encoding="utf-8") as file:
            note = file.read()
        report = check_checkpoint(note, keys=keys, origin=origin)
    except (OSError, ValueError) as error:  # VerificationError is a ValueError
        print(f"FAILED: {error}")
        return 1
    for line in report.lines():
        print(line)
    if not report.ok:
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
