"""Checkpoints of the log, their Ed25519 signatures, and the signing keys.

A checkpoint is the C2SP ``tlog-checkpoint`` text: the log's origin, its size and its base64
root hash, one a line, optionally followed by extension lines; signed, it becomes a C2SP
``signed-note`` with one signature line per key.

The signing key lives in a file outside the store, in the form Go's ``sumdb/note`` uses:
``PRIVATE+KEY+name+hex8(keyid)+base64(0x01 || 32-byte Ed25519 seed)``, readable by its
owner only. It is named by an option or by the ``RECOMMENDATIONS_SIGNING_KEY`` environment
variable (:func:`signing_key_path`); the key itself is never printed and never stored in the
log. What others need to check signatures is the *verifier key*
(``name+hex8(keyid)+base64(0x01 || public key)``), which is safe to publish.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recommendations.integrity import verifier
from recommendations.integrity._errors import NoteError, translated
from recommendations.integrity.verifier import Checkpoint, Note, VerifierKey

__all__ = [
    "SIGNING_KEY_ENV",
    "SigningKey",
    "checkpoint_note",
    "generate_signing_key",
    "open_checkpoint",
    "parse_verifier_key",
    "sign_note",
    "signing_key_path",
]

SIGNING_KEY_ENV = "RECOMMENDATIONS_SIGNING_KEY"
"""The environment variable naming the signing key file when no option does."""

_PREFIX = "PRIVATE+KEY+"


class SigningKey:
    """An Ed25519 private key with its name: signs notes. Its ``repr`` shows no secret."""

    __slots__ = ("_private", "verifier_key")

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        self._private = private
        with translated(field="name", rule="signing key"):
            self.verifier_key = VerifierKey.from_public_key(
                name, private.public_key().public_bytes_raw()
            )

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A new random key named ``name`` (no spaces, no ``+``)."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_text(cls, text: str) -> SigningKey:
        """Read ``PRIVATE+KEY+name+hex8(keyid)+base64(0x01 || seed)``."""
        parts = text.strip().split("+", 4)  # base64 may hold a "+"; a name may not
        if len(parts) != 5 or "+".join(parts[:2]) + "+" != _PREFIX:
            raise NoteError("not a signing key: it reads PRIVATE+KEY+name+keyid+key", rule="key")
        name, hex_id, encoded = parts[2:]
        try:
            raw = base64.b64decode(encoded.encode("ascii"), validate=True)
        except ValueError:
            raise NoteError(f"signing key {name!r} is not base64", rule="key") from None
        if len(raw) != 33 or raw[0] != 0x01:
            raise NoteError(f"signing key {name!r} is not an Ed25519 key", rule="key")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key.key_id.hex() != hex_id:
            raise NoteError(f"signing key {name!r} has the wrong key id {hex_id}", rule="key")
        return key

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> SigningKey:
        """Read a signing key file (as written by :func:`generate_signing_key`)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise NoteError(
                f"cannot read the signing key file {os.fspath(path)!r}: {error}",
                field="signing key",
                rule="readable",
            ) from None
        return cls.from_text(text)

    @property
    def name(self) -> str:
        """The key's name, shown on every signature line."""
        return self.verifier_key.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id."""
        return self.verifier_key.key_id

    def private_text(self) -> str:
        """The private key file's text. Write it to a file only; never print it."""
        seed = self._private.private_bytes_raw()
        encoded = base64.b64encode(b"\x01" + seed).decode("ascii")
        return f"{_PREFIX}{self.name}+{self.key_id.hex()}+{encoded}\n"

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey({self.verifier_key})"


def generate_signing_key(name: str, path: str | os.PathLike[str]) -> VerifierKey:
    """Write a new signing key to ``path`` (mode 0600, never over an existing file).

    Returns the verifier key to publish (the private key is only in the file).
    """
    key = SigningKey.generate(name)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise NoteError(
            f"cannot create the signing key file {os.fspath(path)!r}: {error}",
            field="signing key",
            rule="new file",
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key.private_text())
    return key.verifier_key


def signing_key_path(
    option: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The signing key file named by ``option``, else by ``$RECOMMENDATIONS_SIGNING_KEY``."""
    if option:
        return Path(option)
    value = (os.environ if environ is None else environ).get(SIGNING_KEY_ENV)
    return Path(value) if value else None


def sign_note(text: str, keys: Iterable[SigningKey]) -> str:
    """``text`` (ending with a newline) as a C2SP signed note, one signature per key."""
    with translated(field="note", rule="signed note"):
        if not text.endswith("\n") or "\n\n" in text:
            raise verifier.NoteError("a note's text ends with one newline and has no blank line")
        for char in text:
            if ord(char) < 0x20 and char != "\n":
                raise verifier.NoteError(f"a note may hold no control character, not {char!r}")
    lines = []
    for key in keys:
        payload = key.key_id + key.sign(text.encode("utf-8"))
        lines.append(f"\u2014 {key.name} {base64.b64encode(payload).decode('ascii')}\n")
    return text + "\n" + "".join(lines) if lines else text


def checkpoint_note(
    origin: str,
    size: int,
    root: bytes,
    *,
    keys: Iterable[SigningKey] = (),
    extensions: Iterable[str] = (),
) -> str:
    """The checkpoint of a log of ``size`` entries with ``root``, signed by ``keys`` if any."""
    checkpoint = Checkpoint(origin, size, bytes(root), tuple(extensions))
    with translated(field="checkpoint", rule="checkpoint"):
        if "\n" in origin or any("\n" in line for line in checkpoint.extensions):
            raise verifier.NoteError("a checkpoint's lines hold no newline")
        if verifier.parse_checkpoint(checkpoint.text()) != checkpoint:
            raise verifier.NoteError(f"not a valid checkpoint: {checkpoint.text()!r}")
    return sign_note(checkpoint.text(), keys)


def open_checkpoint(note: str | bytes, keys: Iterable[VerifierKey] = ()) -> tuple[Checkpoint, Note]:
    """Read a checkpoint; with verifier ``keys``, require a good signature by one of them."""
    with translated(field="checkpoint", rule="signed checkpoint"):
        return verifier.open_checkpoint(note, tuple(keys))


def parse_verifier_key(text: str) -> VerifierKey:
    """Read a verifier key, ``name+hex8(keyid)+base64(0x01 || public key)``."""
    with translated(field="verifier key", rule="key"):
        return VerifierKey.parse(text)
