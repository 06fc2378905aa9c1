"""The checkpoint an answer states: the log it was read from, as its tree's size and root.

A committee paper, or a register or trail written as JSON, is read from the log up to one
position; :class:`LogCheckpoint` is the checkpoint of the tree at exactly that size, so that
whoever holds the paper can later prove that the log it was built on is still the log
(``recommendations verify --checkpoint``), with the fingerprint to read aloud.
"""

from __future__ import annotations

import base64
from typing import Any

from attrs import frozen

from recommendations.integrity._errors import translated
from recommendations.integrity.verifier import fingerprint, parse_checkpoint, read_note

__all__ = ["LogCheckpoint", "Signer"]


@frozen
class Signer:
    """A key that signed a checkpoint: its name and its 4-byte key id in hex."""

    name: str
    key_id: str


@frozen(kw_only=True)
class LogCheckpoint:
    """The checkpoint of the log an answer was read from (its C2SP note and its parts).

    ``root`` is the root hash in standard base64, as on the checkpoint's third line;
    ``fingerprint`` its first 64 bits as four groups of four hex digits (see
    :func:`~recommendations.integrity.fingerprint`); ``signed_by`` the keys that signed the
    note when it was made (empty: unsigned).
    """

    origin: str
    size: int
    root: str
    fingerprint: str
    note: str
    signed_by: tuple[Signer, ...] = ()

    @classmethod
    def from_note(cls, note: str) -> LogCheckpoint:
        """The parts of a checkpoint note this library made (its signatures are not
        checked here: they are read as the signers' names)."""
        with translated(field="checkpoint", rule="checkpoint"):
            opened = read_note(note)
            checkpoint = parse_checkpoint(opened.text)
        return cls(
            origin=checkpoint.origin,
            size=checkpoint.size,
            root=base64.b64encode(checkpoint.root).decode("ascii"),
            fingerprint=fingerprint(checkpoint.root),
            note=note,
            signed_by=tuple(Signer(s.name, s.key_id.hex()) for s in opened.unverified),
        )

    @property
    def root_hash(self) -> bytes:
        """The root hash's 32 bytes."""
        return base64.b64decode(self.root)

    def signers(self) -> str:
        """The signers in words (``'name' (key id 1a2b3c4d)``), or ``""`` when unsigned."""
        return ", ".join(f"{s.name!r} (key id {s.key_id})" for s in self.signed_by)

    def as_dict(self) -> dict[str, Any]:
        """The checkpoint as the JSON outputs carry it."""
        return {
            "origin": self.origin,
            "size": self.size,
            "root": self.root,
            "fingerprint": self.fingerprint,
            "signed_by": [{"name": s.name, "key_id": s.key_id} for s in self.signed_by],
            "note": self.note,
        }
