"""The audit trail table's ``shown`` column: a :class:`~recommendations.views.KeptEntry` as
JSON text, every value typed as the entry holds it, so that a trail listed from the table
is the trail listed from the entries, value for value.

Each entry is a JSON array (its position, item and version are columns of their own).
Values are JSON where JSON keeps their type (``null``, booleans, integers, floats, text); a
tuple is an array; anything else is an object naming its type: ``{"d": "2017-03-02"}`` a
date, ``{"t": ...}`` an aware time in ISO form, ``{"l": [...]}`` a list, ``{"e": "Status",
"v": "open"}`` an enumeration of :mod:`recommendations.domain` by its value, ``{"a":
"Finding", "f": [...]}`` an attrs class of it by its fields in order. A value of any other
type is not kept: the entry's ``shown`` is then ``NULL``, and its trail is worked out from
the log.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

import attrs
import orjson

from recommendations import domain, views

__all__ = ["Unkept", "pack", "unpack"]


class Unkept(TypeError):
    """A value the column cannot keep with its type."""


_SCALARS = (str, int, bool, float)
_ENUMS: dict[str, type[enum.Enum]] = {}
_CLASSES: dict[str, type[Any]] = {}


def _known() -> None:
    for value in vars(domain).values():
        if isinstance(value, type) and issubclass(value, enum.Enum):
            _ENUMS[value.__name__] = value
        elif (
            isinstance(value, type)
            and attrs.has(value)
            and all(f.init and f.alias == f.name for f in attrs.fields(value))
        ):  # made again from its fields' values, by name
            _CLASSES[value.__name__] = value


_known()


def _value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is tuple:
        return [_value(item) for item in value]
    if kind is date:
        return {"d": value.isoformat()}
    if kind is datetime and value.utcoffset() is not None:
        return {"t": value.isoformat()}
    if kind is list:
        return {"l": [_value(item) for item in value]}
    if isinstance(value, enum.Enum) and _ENUMS.get(kind.__name__) is kind:
        return {"e": kind.__name__, "v": _value(value.value)}
    if _CLASSES.get(kind.__name__) is kind:
        return {
            "a": kind.__name__,
            "f": [_value(getattr(value, field.name)) for field in attrs.fields(kind)],
        }
    raise Unkept(f"a trail entry holds a {kind.__name__}")


def _read(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return tuple(_read(item) for item in value)
    if kind is not dict:
        return value
    if "d" in value:
        return date.fromisoformat(value["d"])
    if "t" in value:
        return datetime.fromisoformat(value["t"])
    if "l" in value:
        return [_read(item) for item in value["l"]]
    if "e" in value:
        return _ENUMS[value["e"]](_read(value["v"]))
    made = _CLASSES[value["a"]]
    fields = attrs.fields(made)
    return made(**{f.name: _read(item) for f, item in zip(fields, value["f"], strict=True)})


def pack(entry: views.KeptEntry) -> str:
    """``entry`` as the column keeps it (raises :class:`Unkept` for a value it cannot)."""
    try:
        return _dumps(entry)
    except orjson.JSONEncodeError as error:  # text JSON cannot hold, a too large number
        raise Unkept(str(error)) from error


def _dumps(entry: views.KeptEntry) -> str:
    return orjson.dumps(
        [
            entry.subject,
            entry.event,
            entry.effective_on.isoformat(),
            entry.recorded_at.isoformat(),
            entry.actor,
            entry.reason,
            [[c.field, _value(c.before), _value(c.after)] for c in entry.changes],
            [[d.field, _value(d.value)] for d in entry.details],
            entry.corrects,
            entry.what_was_wrong,
            entry.strikes,
            entry.name,
            entry.marks,
        ]
    ).decode()


def unpack(position: int, item: uuid.UUID, version: int, text: str | bytes) -> views.KeptEntry:
    """The entry :func:`pack` kept as ``text``, at ``position``, of ``item``, ``version``."""
    (
        subject,
        event,
        effective_on,
        recorded_at,
        actor,
        reason,
        changes,
        details,
        corrects,
        what_was_wrong,
        strikes,
        name,
        marks,
    ) = orjson.loads(text)
    change, detail, typed = views.Change, views.Detail, _TYPED
    return views.KeptEntry(
        position,
        item,
        version,
        subject,
        event,
        date.fromisoformat(effective_on),
        datetime.fromisoformat(recorded_at),
        actor,
        reason,
        tuple(
            change(
                field,
                _read(before) if type(before) in typed else before,
                _read(after) if type(after) in typed else after,
            )
            for field, before, after in changes
        ),
        tuple(
            detail(field, _read(value) if type(value) in typed else value)
            for field, value in details
        ),
        corrects,
        what_was_wrong,
        strikes,
        name,
        marks,
    )


_TYPED = frozenset((list, dict))
"""The JSON values :func:`_read` makes something else of."""
