"""The leaf of the tree: the canonical bytes one stored entry of the log commits to.

Every record of the log (an entry, or the record that a command id was carried out) is one
leaf; the leaf of log position ``p`` has index ``p - 1`` (positions run from 1 without
gaps). Its bytes are, in this order (integers unsigned big-endian)::

    b"RLF1"                     4 bytes, the format and its version
    position                    8 bytes
    item id                     16 bytes, the UUID's bytes
    version                     8 bytes, the entry's version within its item
    len(topic)  topic           4 bytes + UTF-8
    len(time)   recorded time   4 bytes + UTF-8: the state's "recorded_at" as stored
                                (empty if the state has none or cannot be read as JSON)
    kind                        1 byte: 1 = the state is a JSON object, committed in
                                canonical form; 0 = the state is committed as stored
    len(state)  state           4 bytes + the committed state

The committed state of a JSON object is the object written again with its keys sorted
and no spaces (orjson, ``OPT_SORT_KEYS``), every value of a personal field
(:data:`PERSON_FIELDS`, at any depth: a correction's replacement carries them too)
replaced by the person's commitment (:func:`commitment`). A commitment is
``"sha256:" + hex(SHA-256(salt || 0x00 || UTF-8 name))``, with a random salt of 16 bytes
per person that the store keeps in a table of its own. So the leaf holds no name; erasing
a person deletes their salt and writes ``"[erased] " + commitment`` in place of their name
in the stored rows, which commits to the same bytes: every leaf hash, and every proof,
stays as it was.

The leaf hash is ``SHA-256(0x00 || leaf bytes)`` (RFC 6962).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import struct
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from recommendations._errors import StoreError
from recommendations.integrity.verifier import leaf_hash

__all__ = [
    "ERASED",
    "PERSON_FIELDS",
    "LeafError",
    "commitment",
    "committed_state",
    "erased",
    "leaf_bytes",
    "leaf_hash",
    "new_salt",
    "persons_in",
]

FORMAT = b"RLF1"
PERSON_FIELDS = frozenset({"actor", "owner_name", "accepted_by"})
"""The fields of the stored form that name a person: who acted, the owner's name, and who
accepted a discharge."""
_PERSON_KEYS = tuple(sorted(PERSON_FIELDS))
ERASED = "[erased]"
"""What an erased person's name reads as, followed by a space and their commitment."""
SALT_BYTES = 16

_HEADER = struct.Struct(">4sQ16sQ")
_LENGTH = struct.Struct(">I")


class LeafError(StoreError):
    """An entry's leaf cannot be made (a person named in it has no salt in the store)."""


def new_salt() -> bytes:
    """A fresh random salt for one person."""
    return secrets.token_bytes(SALT_BYTES)


@functools.lru_cache(maxsize=4096)
def commitment(salt: bytes, name: str) -> str:
    """What a leaf holds in place of ``name``: ``sha256:`` and the hex of
    SHA-256(salt || 0x00 || name)."""
    return "sha256:" + hashlib.sha256(salt + b"\x00" + name.encode()).hexdigest()


def erased(value: str) -> str | None:
    """The commitment an erased name stands for, or ``None`` if ``value`` is a name."""
    if value.startswith(ERASED + " sha256:"):
        return value[len(ERASED) + 1 :]
    return None


def _parsed(state: bytes) -> dict[str, Any] | None:
    if not state.startswith(b"{"):
        return None
    try:
        data = orjson.loads(state)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _walk_names(data: Any, found: set[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in PERSON_FIELDS and isinstance(value, str):
                if erased(value) is None:
                    found.add(value)
            else:
                _walk_names(value, found)
    elif isinstance(data, list):
        for value in data:
            _walk_names(value, found)


def persons_in(states: Iterable[bytes]) -> set[str]:
    """Every person named (and not erased) in these stored states."""
    found: set[str] = set()
    for state in states:
        data = _parsed(state)
        if data is not None:
            _walk_names(data, found)
    return found


def _commit_in_place(data: Any, salts: Mapping[str, bytes]) -> None:
    """Replace every personal field's value in ``data`` (parsed JSON, at any depth) by its
    commitment, in place."""
    if type(data) is dict:
        for key in _PERSON_KEYS:
            value = data.get(key)
            if type(value) is str:
                done = erased(value)
                if done is None:
                    salt = salts.get(value)
                    if salt is None:
                        raise LeafError(
                            f"no salt is kept for the person {value!r} named in field "
                            f"{key!r}: the leaf cannot be made",
                            field=key,
                            rule="person-salt",
                        )
                    done = commitment(salt, value)
                data[key] = done
        for value in data.values():
            if type(value) is dict or type(value) is list:
                _commit_in_place(value, salts)
    elif type(data) is list:
        for value in data:
            if type(value) is dict or type(value) is list:
                _commit_in_place(value, salts)


def committed_state(state: bytes, salts: Mapping[str, bytes]) -> tuple[int, str, bytes]:
    """The kind, recorded time and committed bytes of a stored state (see the module)."""
    data = _parsed(state)
    if data is None:
        return 0, "", state
    recorded = data.get("recorded_at")
    _commit_in_place(data, salts)
    return (
        1,
        recorded if isinstance(recorded, str) else "",
        orjson.dumps(data, option=orjson.OPT_SORT_KEYS),
    )


def leaf_bytes(
    position: int,
    item: uuid.UUID | str,
    version: int,
    topic: str,
    state: bytes | str,
    salts: Mapping[str, bytes],
) -> bytes:
    """The leaf bytes of the stored entry at ``position`` (see the module for the layout).

    A state read back as text (a database changed by hand may return one) is taken as its
    UTF-8 bytes."""
    if isinstance(item, uuid.UUID):
        item_bytes = item.bytes
    else:
        item_bytes = bytes.fromhex(str(item).replace("-", ""))
        if len(item_bytes) != 16:
            raise ValueError(f"{item!r} is not an item id")
    raw = state.encode() if isinstance(state, str) else bytes(state)
    kind, recorded, committed = committed_state(raw, salts)
    topic_bytes = topic.encode()
    time_bytes = recorded.encode()
    return b"".join(
        (
            _HEADER.pack(FORMAT, position, item_bytes, version),
            _LENGTH.pack(len(topic_bytes)),
            topic_bytes,
            _LENGTH.pack(len(time_bytes)),
            time_bytes,
            bytes((kind,)),
            _LENGTH.pack(len(committed)),
            committed,
        )
    )
