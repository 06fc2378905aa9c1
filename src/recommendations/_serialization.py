"""The edge where events become bytes and back: one converter, one mapper.

Stored form (schema version 1): each event is a JSON object of its fields less
``originator_id`` and ``originator_version`` (the store keeps those in columns), dates as
``YYYY-MM-DD``, times as ISO 8601 with their offset, enums as their values, tuples as lists,
and a correction's ``replacement`` tagged with its type under ``"_type"``. A due date's
``due_precision`` is written only when it is ``"month"``: a day is stored as it was before
precisions were kept, and an entry without it reads as a day. The topic names
the event type as ``recommendations.domain:<Name>``. When a type's schema moves on, its
version is written under ``"class_version"`` and the upcasters in :data:`UPCASTERS` bring
older stored forms up to date as they are read; the golden files under ``tests/golden``
prove every stored form ever written still reads.
"""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.orjson import make_converter as make_orjson_converter
from cattrs.strategies import configure_tagged_union
from eventsourcing.persistence import Mapper, StoredEvent

from . import domain
from ._errors import UnreadableEvent

__all__ = [
    "COMMAND_TOPIC",
    "ERASED_SHOWN",
    "ERASURE_TOPIC",
    "EVENT_TYPES",
    "SCHEMA_VERSIONS",
    "UPCASTERS",
    "CattrsMapper",
    "CommandRecord",
    "ErasedName",
    "Erasure",
    "command_item",
    "decode_event",
    "encode_event",
    "make_converter",
    "topic_of",
]

EVENT_TYPES: dict[str, type[domain.Event]] = {
    cls.__name__: cls
    for cls in (
        domain.Raised,
        domain.Assigned,
        domain.Regraded,
        domain.ProgressNoted,
        domain.DeadlineChanged,
        domain.ImplementationClaimed,
        domain.ClaimRejected,
        domain.Discharged,
        domain.Reopened,
        domain.Prioritised,
        domain.ResponseRecorded,
        domain.Corrected,
        domain.InspectionRecorded,
        domain.InspectionRevised,
        domain.ReportPublished,
        domain.ReportRevised,
        domain.PlanStatusChanged,
        domain.Configured,
        domain.RemindersConfigured,
        domain.ReminderDue,
        domain.Escalated,
        domain.ReminderClaimed,
        domain.ReminderSent,
        domain.ReminderFailed,
        domain.ReminderCancelled,
    )
}
"""Every event type that can be stored, by its stable name."""

SCHEMA_VERSIONS: dict[str, int] = dict.fromkeys(EVENT_TYPES, 1)
"""The schema version each type is written at now."""

UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``(type name, from version) -> function`` taking a stored dict one version up."""

_TOPIC_PREFIX = "recommendations.domain:"

COMMAND_TOPIC = "recommendations:CommandRecord"
"""The topic of a :class:`CommandRecord`: the one entry of the log that is not a domain
event."""


@attrs.frozen
class CommandRecord:
    """That the command with ``command_id`` was carried out, saved in the same transaction
    as the entries it recorded.

    Its item id is derived from the command id (:func:`command_item`), so a retry finds it
    with one indexed read, and two writers racing with the same id collide on its version
    1. ``digest`` is the SHA-256 of the command's stored form; ``entries`` are the
    ``(item id, version)`` of each entry it recorded, in order.
    """

    originator_id: uuid.UUID
    originator_version: int
    recorded_at: datetime
    command_id: str
    digest: str
    entries: tuple[tuple[uuid.UUID, int], ...]


ERASURE_TOPIC = "recommendations:Erasure"
"""The topic of an :class:`Erasure`."""


@attrs.frozen
class Erasure:
    """That a person was erased from the store: who erased them, when and why.

    It holds the erased person's ``commitment`` (what every entry that named them now
    reads, after ``[erased]``), never their name. ``check`` lets a later erasure of the
    same name say it was done already: a scrypt hash of the name with a salt of its own,
    costly to test a guess against (see :mod:`recommendations.integrity._erase`).
    ``rows`` is how many stored entries were rewritten. Its item id is derived from the
    ``command_id`` if one was given, else random; its version is 1.
    """

    originator_id: uuid.UUID
    originator_version: int
    recorded_at: datetime
    actor: str
    reason: str
    commitment: str
    check: str
    rows: int
    command_id: str | None = None


_COMMAND_NAMESPACE = uuid.UUID("5d7c33a0-8c2e-5b6e-a0f4-3f1d2a9b7c10")


def command_item(command_id: str) -> uuid.UUID:
    """The item id of the :class:`CommandRecord` for ``command_id``."""
    return uuid.uuid5(_COMMAND_NAMESPACE, f"command:{command_id}")


_IDS = ("originator_id", "originator_version")


def topic_of(cls: type[domain.Event]) -> str:
    return _TOPIC_PREFIX + cls.__name__


def make_converter() -> cattrs.Converter:
    """A fresh converter for the stored form; never a global one."""
    converter = make_orjson_converter(forbid_extra_keys=True)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))
    converter.register_unstructure_hook(uuid.UUID, str)
    converter.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    for cls, names in _LATER_FIELDS.items():
        overrides: dict[str, Any] = {name: override(omit_if_default=True) for name in names}
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **overrides)
        )
    configure_tagged_union(domain.Amendable, converter, tag_name="_type")
    # A correction's replacement is ``Amendable | None``: tag it like the bare union.
    converter.register_unstructure_hook_func(
        _is_optional_amendable,
        lambda value: None if value is None else converter.unstructure(value, domain.Amendable),
    )
    converter.register_structure_hook_func(
        _is_optional_amendable,
        lambda value, _: None if value is None else converter.structure(value, _AMENDABLE),
    )
    return converter


_LATER_FIELDS: dict[type[Any], tuple[str, ...]] = {
    domain.Raised: ("priority", "response", "response_text", "addressed_to", "due_precision"),
    domain.DeadlineChanged: ("due_precision",),
    domain.Policy: ("priorities", "responses"),
}
"""Fields added to a type after its schema version 1, written only when they differ from
their defaults: an entry that leaves them so is stored exactly as before they existed, and
every stored form of the type reads as it did (the fields take their defaults)."""

_AMENDABLE: Any = domain.Amendable
_OPTIONAL_AMENDABLE = frozenset([*typing.get_args(domain.Amendable), type(None)])


def _is_optional_amendable(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and (
        frozenset(typing.get_args(tp)) == _OPTIONAL_AMENDABLE
    )


def _structure_datetime(value: str, _: type) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        raise ValueError(f"stored time {value!r} has no offset")
    return parsed


_CONVERTER = make_converter()


def encode_event(event: domain.Event, converter: cattrs.Converter = _CONVERTER) -> bytes:
    """The stored state of ``event``: its fields as JSON, less the two id columns."""
    data = _as_stored(converter.unstructure(event, type(event)))
    for key in _IDS:
        del data[key]
    version = SCHEMA_VERSIONS[type(event).__name__]
    if version > 1:
        data["class_version"] = version
    return orjson.dumps(data)


def decode_event(
    topic: str,
    state: bytes,
    originator_id: uuid.UUID,
    originator_version: int,
    converter: cattrs.Converter = _CONVERTER,
) -> domain.Event:
    """The event stored under ``topic`` with ``state``; :class:`UnreadableEvent` if none."""
    name = topic.removeprefix(_TOPIC_PREFIX)
    cls = EVENT_TYPES.get(name) if topic.startswith(_TOPIC_PREFIX) else None
    where = f"entry {originator_version} of {originator_id}"
    if cls is None:
        raise UnreadableEvent(f"{where} has unknown event type {topic!r}", rule="known-type")
    try:
        data = _shown(orjson.loads(state), state)
        version = data.pop("class_version", 1)
        current = SCHEMA_VERSIONS[name]
        if version > current:
            raise UnreadableEvent(
                f"{where} is a {name} at schema version {version}; this library reads up "
                f"to version {current} (upgrade it)",
                rule="known-schema",
            )
        while version < current:
            data = UPCASTERS[(name, version)](data)
            version += 1
        data["originator_id"] = str(originator_id)
        data["originator_version"] = originator_version
        event: domain.Event = converter.structure(data, cls)
        return event
    except UnreadableEvent:
        raise
    except cattrs.BaseValidationError as error:
        problems = "; ".join(cattrs.transform_error(error))
        raise UnreadableEvent(
            f"{where} ({name}) cannot be read: {problems}", rule="readable"
        ) from error
    except (ValueError, TypeError, KeyError) as error:
        raise UnreadableEvent(
            f"{where} ({name}) cannot be read: {error}", rule="readable"
        ) from error


_RECORDS: dict[str, type[CommandRecord | Erasure]] = {
    COMMAND_TOPIC: CommandRecord,
    ERASURE_TOPIC: Erasure,
}
ERASED_SHOWN = "[erased]"
"""What a person erased from the store reads as, wherever their name was."""
_ERASED_MARK = b'":"[erased] sha256:'
_PERSON_FIELDS = ("actor", "owner_name", "accepted_by")
"""The personal fields (see :mod:`recommendations.integrity._leaf`)."""


class ErasedName(str):
    """A personal field of a person erased from the store: it reads, compares and is
    shown as ``[erased]``, and keeps the value as stored (``[erased] sha256:...``, the
    person's commitment) in :attr:`stored`, which is what it is written back as: a
    correction carrying it, or a copy of the log, keeps the same erased person."""

    __slots__ = ("stored",)
    stored: str

    def __new__(cls, stored: str) -> ErasedName:
        shown = super().__new__(cls, ERASED_SHOWN)
        shown.stored = stored
        return shown

    def __str__(self) -> str:
        return self

    def __reduce__(self) -> tuple[type[ErasedName], tuple[str]]:
        return ErasedName, (self.stored,)


def _shown(data: Any, state: bytes) -> Any:
    """Stored data with each erased person's value as an :class:`ErasedName` (any depth)."""
    if _ERASED_MARK not in state:
        return data
    return _wrap(data)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key in _PERSON_FIELDS
                and isinstance(item, str)
                and item.startswith(ERASED_SHOWN + " sha256:")
            ):
                value[key] = ErasedName(item)
            elif isinstance(item, dict | list):
                _wrap(item)
    elif isinstance(value, list):
        for item in value:
            _wrap(item)
    return value


def _as_stored(data: dict[str, Any]) -> dict[str, Any]:
    """Unstructured data with each :class:`ErasedName` back as stored: where personal
    fields are (an entry's own, and a correction's replacement's)."""
    for key in _PERSON_FIELDS:
        value = data.get(key)
        if isinstance(value, ErasedName):
            data[key] = value.stored
    replacement = data.get("replacement")
    if isinstance(replacement, dict):
        _as_stored(replacement)
    return data


class CattrsMapper(Mapper[uuid.UUID]):
    """An ``eventsourcing`` mapper for the frozen, slotted attrs events of the domain.

    The library's own mapper reads and writes ``__dict__``, which slotted classes lack; this
    one goes through the converter. Compression and encryption still apply if configured.
    """

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, CommandRecord | Erasure):
            data = _as_stored(_CONVERTER.unstructure(domain_event))
            for key in _IDS:
                del data[key]
            return self._stored(
                domain_event.originator_id,
                domain_event.originator_version,
                COMMAND_TOPIC if isinstance(domain_event, CommandRecord) else ERASURE_TOPIC,
                orjson.dumps(data),
            )
        if not attrs.has(type(domain_event)) or not isinstance(domain_event, domain.Event):
            raise TypeError(f"not a recommendations event: {domain_event!r}")
        return self._stored(
            domain_event.originator_id,
            domain_event.originator_version,
            topic_of(type(domain_event)),
            encode_event(domain_event),
        )

    def _stored(self, item: uuid.UUID, version: int, topic: str, state: bytes) -> StoredEvent:
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(originator_id=item, originator_version=version, topic=topic, state=state)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """The event (or record) stored. A person erased from the store reads as
        ``[erased]`` (an :class:`ErasedName`, which is written back as stored)."""
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        originator_id = stored_event.originator_id
        if not isinstance(originator_id, uuid.UUID):
            originator_id = uuid.UUID(str(originator_id))
        if stored_event.topic in _RECORDS:
            kind = _RECORDS[stored_event.topic]
            try:
                data = _shown(orjson.loads(state), state)
                data["originator_id"] = str(originator_id)
                data["originator_version"] = stored_event.originator_version
                return _CONVERTER.structure(data, kind)
            except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as error:
                what = "command record" if kind is CommandRecord else "erasure record"
                raise UnreadableEvent(
                    f"{what} {originator_id} cannot be read: {error}", rule="readable"
                ) from error
        return decode_event(
            stored_event.topic, state, originator_id, stored_event.originator_version
        )
