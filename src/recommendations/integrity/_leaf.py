"""The leaf of the tree: the bytes one stored entry of the log commits to.

Every record of the log (an entry, or the record that a command id was carried out) is one
leaf; the leaf of log position ``p`` has index ``p - 1`` (positions run from 1 without
gaps). Its bytes are, in this order (integers unsigned big-endian)::

    b"RLF1"                     4 bytes, the format and its version
    position                    8 bytes
    item id                     16 bytes, the UUID's bytes
    version                     8 bytes, the entry's version within its item
    len(topic)  topic           4 bytes + UTF-8
    len(time)   recorded time   4 bytes + UTF-8: the state's first "recorded_at" value as
                                stored (empty if it has none)
    kind                        1 byte: 1 = a JSON object (the state starts with "{"),
                                committed with its personal fields replaced; 0 = any other
                                state (encrypted, compressed), committed as stored
    len(state)  state           4 bytes + the committed state

The committed state of a JSON object is the stored bytes exactly as they are, except that
the value of every personal field (:data:`PERSON_FIELDS`, at any depth: a correction's
replacement carries them too), that is every ``"actor":"..."``, ``"owner_name":"..."`` and
``"accepted_by":"..."`` (a key and a string value, written without spaces as the stored
form writes them), is replaced by the person's commitment (:func:`commitment`). A
commitment is ``sha256:`` + hex(SHA-256(salt || 0x00 || UTF-8 name)), with a random salt of
16 bytes per person that the store keeps in a table of its own. So the leaf holds no name,
and any other change to the stored bytes changes the leaf. Erasing a person deletes their
salt and writes ``[erased] `` + commitment in place of their name in the stored rows, which
commits to the same bytes: every leaf hash, and every proof, stays as it was.

The leaf hash is ``SHA-256(0x00 || leaf bytes)`` (RFC 6962).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import struct
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from recommendations._errors import StoreError
from recommendations.integrity.verifier import leaf_hash

__all__ = [
    "ERASED",
    "ERASURES_MARK",
    "PERSON_FIELDS",
    "LeafError",
    "LeafHasher",
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
ERASED = "[erased]"
"""What an erased person's name reads as, followed by a space and their commitment."""
SALT_BYTES = 16
ERASURES_MARK = "\x01erasures"
"""The key, in the persons' table, of a token that every erasure changes: a writer that
remembers persons' salts forgets them when it changes. No person bears this name (a name
holds no control character)."""

_HEADER = struct.Struct(">4sQ16sQ")
_LENGTH = struct.Struct(">I")


class LeafError(StoreError):
    """An entry's leaf cannot be made (a person named in it has no salt in the store)."""


def _no_salt(name: str, field: str) -> LeafError:
    return LeafError(
        f"no salt is kept for the person {name!r} named in field {field!r}: the leaf cannot "
        "be made",
        field=field,
        rule="person-salt",
    )


def new_salt() -> bytes:
    """A fresh random salt for one person."""
    return secrets.token_bytes(SALT_BYTES)


@functools.lru_cache(maxsize=4096)
def commitment(salt: bytes, name: str) -> str:
    """What a leaf holds in place of ``name``: ``sha256:`` and the hex of
    SHA-256(salt || 0x00 || name)."""
    return (
        "sha256:"
        + hashlib.sha256(salt + b"\x00" + name.encode("utf-8", "surrogateescape")).hexdigest()
    )


def erased(value: str) -> str | None:
    """The commitment an erased name stands for, or ``None`` if ``value`` is a name: an
    erased name is exactly ``[erased] sha256:`` and 64 lower-case hexadecimal digits.

    >>> erased("[erased] sha256:" + "0" * 64) == "sha256:" + "0" * 64
    True
    >>> erased("[erased] sha256:" + "0" * 64 + "!") is None
    True
    """
    found = _ERASED_VALUE.fullmatch(value)
    return found[1] if found else None


_ERASED_VALUE = re.compile(re.escape(ERASED) + r" (sha256:[0-9a-f]{64})")


_PERSON = re.compile(rb'"(actor|owner_name|accepted_by)":"([^"\\]*(?:\\.[^"\\]*)*)"')
"""A personal field and its string value in a stored state. In JSON, a quote inside a
string is escaped, so this matches keys only, never text inside a value. (The value is
any run of characters other than a quote or backslash, and of backslash pairs: written
unrolled, ``[^"\\]*(?:\\.[^"\\]*)*``, which matches exactly what ``(?:[^"\\]|\\.)*``
matches, with less work per character.)"""
_RECORDED = re.compile(rb'"recorded_at":"([^"\\]*)"')
_RECORDED_FIRST = b'{"recorded_at":"'
"""How the stored form begins: its recorded time first."""


def _recorded_time(state: bytes) -> bytes:
    """The first ``"recorded_at"`` string value in a JSON state (empty if none), as
    ``_RECORDED.search`` finds it, without a pattern pass when the state begins with it
    (the earliest a match can start: the value is then the text up to the next quote,
    when that holds no backslash)."""
    if state.startswith(_RECORDED_FIRST):
        end = state.find(b'"', 16)
        if end >= 0:
            value = state[16:end]
            if b"\\" not in value:
                return value
    found = _RECORDED.search(state)
    return found[1] if found else b""


def _name(raw: bytes) -> str:
    """A JSON string's text from its quoted body."""
    if b"\\" not in raw:
        return raw.decode("utf-8", "surrogateescape")
    try:
        value = orjson.loads(b'"' + raw + b'"')
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", "surrogateescape")
    return value if isinstance(value, str) else raw.decode("utf-8", "surrogateescape")


def persons_in(states: Iterable[bytes]) -> set[str]:
    """Every person named (and not erased) in these stored states."""
    found: set[str] = set()
    for state in states:
        if state[:1] == b"{":
            for match in _PERSON.finditer(state):
                name = _name(match[2])
                if erased(name) is None:
                    found.add(name)
    return found


def committed_state(state: bytes, salts: Mapping[str, bytes]) -> tuple[int, str, bytes]:
    """The kind, recorded time and committed bytes of a stored state (see the module)."""
    if state[:1] != b"{":
        return 0, "", state

    def commit(match: re.Match[bytes]) -> bytes:
        name = _name(match[2])
        done = erased(name)
        if done is None:
            salt = salts.get(name)
            if salt is None:
                raise _no_salt(name, match[1].decode())
            done = commitment(salt, name)
        return b'"' + match[1] + b'":"' + done.encode() + b'"'

    recorded = _RECORDED.search(state)
    return (
        1,
        recorded[1].decode("utf-8", "surrogateescape") if recorded else "",
        _PERSON.sub(commit, state),
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
    time_bytes = recorded.encode("utf-8", "surrogateescape")
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


class LeafHasher:
    """The leaf hashes of many entries, as :func:`leaf_bytes` and :func:`leaf_hash` make
    them, with less work per entry: one pattern pass over a state, each personal field's
    replacement remembered by its stored bytes, each topic's encoding remembered.

    ``salts`` are the persons' salts known to be kept; ``fresh`` (if given) is asked for
    the salt of a person not among them (a writer makes and keeps one there). A
    replacement made from a fresh salt is remembered only once :meth:`keep` is called
    (the transaction that made the salt committed); :meth:`drop` forgets them.
    """

    __slots__ = ("_commit", "_fresh", "_fresh_salts", "_replaced", "_topics", "found", "salts")

    def __init__(
        self,
        salts: Mapping[str, bytes],
        fresh: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.salts = dict(salts)
        self.found: dict[str, bytes] = {}
        """Salts got from ``fresh`` since the last :meth:`keep` or :meth:`drop`."""
        self._fresh = fresh
        self._replaced: dict[bytes, bytes] = {}
        self._fresh_salts: dict[bytes, bytes] = {}
        self._topics: dict[str, bytes] = {}
        self._commit = self._replacement

    def keep(self) -> None:
        """Remember what the fresh salts gave (their transaction committed)."""
        self.salts.update(self.found)
        self._replaced.update(self._fresh_salts)
        self.found = {}
        self._fresh_salts = {}

    def drop(self) -> None:
        """Forget what the fresh salts gave (their transaction rolled back)."""
        self.found = {}
        self._fresh_salts = {}

    def _replacement(self, match: re.Match[bytes]) -> bytes:
        whole = match[0]
        done = self._replaced.get(whole)
        if done is not None:
            return done
        done = self._fresh_salts.get(whole)
        if done is not None:
            return done
        name = _name(match[2])
        value = erased(name)
        fresh = False
        if value is None:
            salt = self.salts.get(name) or self.found.get(name)
            if salt is None and self._fresh is not None:
                salt = self._fresh(name)
                if salt is not None:
                    self.found[name] = salt
                    fresh = True
            if salt is None:
                raise _no_salt(name, match[1].decode())
            value = commitment(salt, name)
        done = b'"' + match[1] + b'":"' + value.encode() + b'"'
        (self._fresh_salts if fresh else self._replaced)[whole] = done
        return done

    def leaf(
        self, position: int, item: bytes, version: int, topic: str, state: bytes
    ) -> tuple[bytes, bytes]:
        """The leaf hash of one entry (``item``: the id's 16 bytes; ``state``: the stored
        bytes) and its recorded time's bytes."""
        topic_part = self._topics.get(topic)
        if topic_part is None:
            encoded = topic.encode()
            topic_part = self._topics[topic] = _LENGTH.pack(len(encoded)) + encoded
        if state[:1] == b"{":
            recorded = _recorded_time(state)
            committed = _PERSON.sub(self._commit, state)
            kind = b"\x01"
        else:
            recorded, committed, kind = b"", state, b"\x00"
        return (
            hashlib.sha256(
                b"".join(
                    (
                        b"\x00",
                        _HEADER.pack(FORMAT, position, item, version),
                        topic_part,
                        _LENGTH.pack(len(recorded)),
                        recorded,
                        kind,
                        _LENGTH.pack(len(committed)),
                        committed,
                    )
                )
            ).digest(),
            recorded,
        )

    def entries(
        self, first: int, entries: Iterable[tuple[int, Any, int, str, Any]], fact: struct.Struct
    ) -> tuple[list[bytes], list[bytes]]:
        """The leaf hashes of entries at consecutive positions from ``first`` (position,
        item id as a UUID or its text, version, topic, stored state), as :meth:`leaf` makes
        them, and each one's facts: ``fact`` packing the id's bytes, the version and the
        recorded time's length, then the recorded time. One loop, with what it calls held
        in locals (what a writer runs inside the transaction that inserts the entries).
        Raises ``LookupError`` for a position that does not follow on."""
        topics = self._topics
        commit = self._commit
        sub = _PERSON.sub
        header = _HEADER.pack
        length = _LENGTH.pack
        pack = fact.pack
        sha256 = hashlib.sha256
        recorded_time = _recorded_time
        as_uuid = uuid.UUID
        hashes: list[bytes] = []
        facts: list[bytes] = []
        add_hash = hashes.append
        add_fact = facts.append
        expected = first
        for position, item, version, topic, state in entries:
            if position != expected:
                raise LookupError(f"entry at position {position} does not follow on")
            expected += 1
            item_bytes = item.bytes if isinstance(item, as_uuid) else as_uuid(item).bytes
            if type(state) is not bytes:  # a text or memoryview state read back
                state = state.encode() if isinstance(state, str) else bytes(state)
            topic_part = topics.get(topic)
            if topic_part is None:
                encoded = topic.encode()
                topic_part = topics[topic] = length(len(encoded)) + encoded
            if state[:1] == b"{":
                # (as _recorded_time, its quick case inline)
                end = state.find(b'"', 16) if state.startswith(_RECORDED_FIRST) else -1
                recorded = state[16:end] if end >= 0 else b""
                if end < 0 or b"\\" in recorded:
                    recorded = recorded_time(state)
                committed = sub(commit, state)
                kind = b"\x01"
            else:
                recorded, committed, kind = b"", state, b"\x00"
            size = len(recorded)
            add_hash(
                sha256(
                    b"".join(
                        (
                            b"\x00",
                            header(FORMAT, position, item_bytes, version),
                            topic_part,
                            length(size),
                            recorded,
                            kind,
                            length(len(committed)),
                            committed,
                        )
                    )
                ).digest()
            )
            add_fact(pack(item_bytes, version, size) + recorded)
        return hashes, facts

    def hashes(self, rows: Iterable[tuple[Any, ...]]) -> list[bytes] | None:
        """The leaf hashes of plain rows (position, item id as text or UUID, version,
        topic, stored bytes), as :meth:`leaf` makes them, in one loop; ``None`` if a row is
        not an entry as this library writes them. Raises :class:`LeafError` for a person
        without a salt, ``ValueError`` for an item id that is not one."""
        topics = self._topics
        commit = self._commit
        sub = _PERSON.sub
        header = _HEADER.pack
        length = _LENGTH.pack
        sha256 = hashlib.sha256
        fromhex = bytes.fromhex
        recorded_time = _recorded_time
        hashes: list[bytes] = []
        append = hashes.append
        for position, item, version, topic, state in rows:
            if type(item) is str:
                item = fromhex(item.replace("-", ""))
            elif isinstance(item, uuid.UUID):
                item = item.bytes
            else:
                return None
            if len(item) != 16 or type(state) is not bytes:
                return None
            topic_part = topics.get(topic)
            if topic_part is None:
                encoded = topic.encode()
                topic_part = topics[topic] = _LENGTH.pack(len(encoded)) + encoded
            if state[:1] == b"{":
                recorded = recorded_time(state)
                committed = sub(commit, state)
                kind = b"\x01"
            else:
                recorded, committed, kind = b"", state, b"\x00"
            append(
                sha256(
                    b"".join(
                        (
                            b"\x00",
                            header(FORMAT, position, item, version),
                            topic_part,
                            length(len(recorded)),
                            recorded,
                            kind,
                            length(len(committed)),
                            committed,
                        )
                    )
                ).digest()
            )
        return hashes
