"""Erasing a person from a store, keeping every leaf hash, and so every proof, as it was.

A leaf commits to a person's commitment, never their name (see :mod:`._leaf`). Erasing
``name``, in one transaction under the log's write lock:

1. finds every stored entry naming ``name`` in a personal field (:data:`~._leaf.PERSON_FIELDS`,
   at any depth of its stored JSON) and writes ``[erased] `` + their commitment in place of
   the name: the entry commits to the same leaf bytes as before;
2. deletes the person's salt, so that the commitment can no longer be tied to the name;
3. appends an :class:`~recommendations._serialization.Erasure` record to the log: who
   erased, when, why, and the commitment (never the name).

Then the views are rebuilt from the rewritten log, the tracker's caches of decoded entries
are dropped, and the engine is asked to scrub what it keeps of deleted rows (SQLite:
``VACUUM`` and a truncated WAL; PostgreSQL: ``VACUUM`` of the tables).

Whether a name was erased before, without keeping it, is answered by the erasure record's
``check``: scrypt (n=2**14, r=8, p=1) of the name with a random salt of its own. Testing a
guess against it costs one scrypt per erasure in the store; it is the only trace of the
name that erasure leaves, and it is what lets a second erasure of the same name say so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import orjson
from attrs import frozen
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from recommendations._errors import NotFound, RecommendationsError, RuleViolation, StoreError
from recommendations._serialization import ERASURE_TOPIC, Erasure

from ._leaf import _PERSON, ERASED, ERASURES_MARK, _name, commitment, new_salt


class Tracker(Protocol):
    """What erasing reads of a :class:`~recommendations.Tracker` (named by its shape, so
    that this module and the tracker do not import each other)."""

    @property
    def _app(self) -> Application[uuid.UUID]: ...

    @property
    def _label(self) -> str: ...

    @property
    def _clock(self) -> Any: ...

    @property
    def _decider(self) -> Any: ...

    @property
    def tables(self) -> Any: ...

    def _decode(self, stored: StoredEvent) -> Any: ...


__all__ = [
    "ERASURES_MARK",
    "Erased",
    "ErasedRows",
    "ErasingRecorder",
    "erase",
    "erased_before",
    "erasure_item",
    "erasures",
    "plan",
    "rewrite",
]

_ITEMS = uuid.UUID("0c1e9a57-5d2b-5e0f-8a51-6f2be4a0d913")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def erasure_item(command_id: str) -> uuid.UUID:
    """The item id of the erasure record made with ``command_id``."""
    return uuid.uuid5(_ITEMS, f"erasure:{command_id}")


def _check(name: str, salt: bytes) -> bytes:
    return hashlib.scrypt(name.encode("utf-8", "surrogateescape"), salt=salt, dklen=32, **_SCRYPT)


def make_check(name: str) -> str:
    """``scrypt:`` + the salt and the hash of ``name`` (base64), for an erasure record."""
    salt = secrets.token_bytes(16)
    return (
        "scrypt:"
        + base64.b64encode(salt).decode()
        + ":"
        + base64.b64encode(_check(name, salt)).decode()
    )


def check_matches(check: str, name: str) -> bool:
    """Whether an erasure record's ``check`` was made of ``name``."""
    try:
        kind, salt, hashed = check.split(":")
        if kind != "scrypt":
            return False
        return hmac.compare_digest(_check(name, base64.b64decode(salt)), base64.b64decode(hashed))
    except ValueError:
        return False


def names(state: bytes, name: str) -> bool:
    """Whether a stored state names ``name`` in a personal field."""
    return state[:1] == b"{" and any(_name(m[2]) == name for m in _PERSON.finditer(state))


def rewrite(state: bytes, name: str, value: str) -> bytes:
    """``state`` with ``value`` in place of ``name`` in every personal field naming it."""
    encoded = orjson.dumps(value)

    def replace(match: re.Match[bytes]) -> bytes:
        if _name(match[2]) != name:
            return match[0]
        return b'"' + match[1] + b'":' + encoded

    rewritten: bytes = _PERSON.sub(replace, state)
    return rewritten


@frozen
class Plan:
    """What one erasure writes: the ``changes`` (row key, new state) and the ``record``."""

    commitment: str
    changes: list[tuple[Any, bytes]]
    record: StoredEvent


@frozen
class ErasedRows:
    """What a recorder's erasure did: the commitment, rows rewritten, the record's position."""

    commitment: str
    rows: int
    position: int


def plan(
    tables: Any,
    name: str,
    rows: Iterable[tuple[Any, Any]],
    make: Callable[[str, int], StoredEvent],
) -> Plan | None:
    """The erasure of ``name`` from ``rows`` (key, stored state), with the persons' salts in
    ``tables``; ``None`` when no salt is kept for the name and no row names it."""
    hits = [(key, bytes(state)) for key, state in rows]
    hits = [(key, state) for key, state in hits if names(state, name)]
    salt = tables.salts([name], create=False).get(name)
    if salt is None:
        if not hits:
            return None
        salt = new_salt()  # a store not sealed yet: its leaves will commit to this
    committed = commitment(salt, name)
    value = f"{ERASED} {committed}"
    changes = [(key, rewrite(state, name, value)) for key, state in hits]
    return Plan(commitment=committed, changes=changes, record=make(committed, len(changes)))


def forget_person(tables: Any, name: str) -> bytes:
    """Delete ``name``'s salt and change the erasures token (see :data:`ERASURES_MARK`);
    the new token."""
    tables.forget_salt(name)
    tables.forget_salt(ERASURES_MARK)
    mark = new_salt()
    tables.adopt_salts({ERASURES_MARK: mark})
    return mark


@runtime_checkable
class ErasingRecorder(Protocol):
    """A recorder that can erase a person: one whose tables this library owns."""

    def erase_person(
        self, name: str, make: Callable[[str, int], StoredEvent]
    ) -> ErasedRows | None: ...

    def scrub(self) -> list[str]: ...


@frozen
class Erased:
    """What :meth:`~recommendations.Tracker.erase_person` did.

    ``record`` is the erasure record, ``position`` its place in the log. ``already`` is
    true when nothing was recorded now: the command id was carried out before, or the name
    had been erased already (then ``record`` is that earlier erasure). ``scrubbed`` says
    what the engine did about the deleted rows it keeps (empty for a memory store).
    """

    record: Erasure
    position: int
    already: bool = False
    scrubbed: tuple[str, ...] = ()


def erasures(tracker: Tracker) -> list[tuple[int, Erasure]]:
    """Every erasure record in the store, with its position, in log order."""
    found: list[tuple[int, Erasure]] = []
    recorder = tracker._app.recorder
    position = 0
    while True:
        page: Sequence[Any] = recorder.select_notifications(
            start=position, limit=1000, topics=[ERASURE_TOPIC], inclusive_of_start=False
        )
        for notification in page:
            record = tracker._decode(notification)
            if isinstance(record, Erasure):
                found.append((notification.id, record))
        if len(page) < 1000:
            return found
        position = page[-1].id


def erased_before(tracker: Tracker, name: str) -> tuple[int, Erasure] | None:
    """The erasure record of ``name``, if it was erased from this store."""
    for position, record in erasures(tracker):
        if check_matches(record.check, name):
            return position, record
    return None


def _checked(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(
            f"an erasure needs {what}: a non-empty text", field=what, rule="erasure-text"
        )
    if (
        len(value) > limit
        or any(c in value for c in "\x00\r")
        or not value.replace("\n", " ").replace("\t", " ").isprintable()
    ):
        raise RuleViolation(
            f"{what} must be printable text of at most {limit} characters",
            field=what,
            rule="erasure-text",
        )
    return value


def erase(
    tracker: Tracker, name: str, *, reason: str, by: str, command_id: str | None = None
) -> Erased:
    """Erase ``name`` from ``tracker``'s store (see the module)."""
    from recommendations._tracker import _translated
    from recommendations.domain._text import NAME_LIMIT, TEXT_LIMIT

    _checked(name, "name", max(NAME_LIMIT, 1000))
    _checked(reason, "reason", TEXT_LIMIT)
    _checked(by, "by", NAME_LIMIT)
    if command_id is not None:
        _checked(command_id, "command_id", 200)
    if by == name:
        raise RuleViolation(
            "a person cannot record their own erasure: the record would name them",
            field="by",
            rule="erasure-by-another",
        )
    recorder = tracker._app.recorder
    mapper = tracker._app.mapper
    if not isinstance(recorder, ErasingRecorder):
        raise StoreError(
            f"store {tracker._label!r} cannot erase a person: this library does not own its "
            "tables (an eventsourcing:// store or a third party's), so it cannot rewrite "
            "its rows in one transaction; nothing was changed",
            field="store",
            rule="erasure-supported",
        )
    if mapper.cipher is not None or mapper.compressor is not None:
        raise StoreError(
            f"store {tracker._label!r} cannot erase a person: its entries are encrypted or "
            "compressed, so its leaves commit to them whole; nothing was changed",
            field="store",
            rule="erasure-supported",
        )
    item = erasure_item(command_id) if command_id is not None else uuid.uuid4()
    if command_id is not None:
        with _translated(tracker._label):
            stored = recorder.select_events(item, limit=1)
        if stored:
            return _carried_out(tracker, stored[0], name, reason, by, command_id)
    check = make_check(name)
    recorded_at = tracker._clock()

    def make(committed: str, rows: int) -> StoredEvent:
        record = Erasure(
            originator_id=item,
            originator_version=1,
            recorded_at=recorded_at,
            actor=by,
            reason=reason,
            commitment=committed,
            check=check,
            rows=rows,
            command_id=command_id,
        )
        stored: StoredEvent = mapper.to_stored_event(record)
        return stored

    with _translated(tracker._label):
        done = recorder.erase_person(name, make)
    if done is None:
        earlier = erased_before(tracker, name)
        if earlier is not None:
            return Erased(record=earlier[1], position=earlier[0], already=True)
        raise NotFound(
            "no entry of this store names this person in a personal field (actor, "
            "owner_name, accepted_by), and no erasure of the store erased them: nothing "
            "was changed",
            field="name",
            rule="person-known",
        )
    _forget(tracker)
    try:
        with _translated(tracker._label):
            tracker.tables.rebuild()
    except RecommendationsError as error:
        raise StoreError(
            f"the person was erased (the erasure is at log position {done.position}), but "
            f"the views could not be rebuilt ({error}): run recommendations rebuild",
            field="views",
            rule="views-current",
        ) from error
    with _translated(tracker._label):
        scrubbed = recorder.scrub()
    stored_record = tracker._decode(recorder.select_notifications(start=done.position, limit=1)[0])
    assert isinstance(stored_record, Erasure)
    return Erased(record=stored_record, position=done.position, scrubbed=tuple(scrubbed))


def _carried_out(
    tracker: Tracker, stored: StoredEvent, name: str, reason: str, by: str, command_id: str
) -> Erased:
    record = tracker._decode(stored)
    if not isinstance(record, Erasure):
        raise StoreError(f"entry {stored.topic!r} is not an erasure record", rule="readable")
    same = record.reason == reason and check_matches(record.check, name)
    if not same:
        raise RuleViolation(
            f"command id {command_id!r} was used for a different erasure, recorded "
            f"{record.recorded_at.isoformat()}: a retry must repeat it exactly",
            field="command_id",
            rule="command-id-unique",
        )
    for position, earlier in erasures(tracker):
        if earlier.originator_id == record.originator_id:
            return Erased(record=earlier, position=position, already=True)
    raise StoreError(  # pragma: no cover - the record was just read
        f"the erasure of command id {command_id!r} is not in the log", rule="readable"
    )


def _forget(tracker: Tracker) -> None:
    """Drop what the tracker keeps of decoded entries: the item logs it decides on, and
    the commitments computed in this process (which hold names). The reference index
    holds references only."""
    tracker._decider.known.clear()
    commitment.cache_clear()
