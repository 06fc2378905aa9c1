"""A small runtime check that an attrs value holds what its annotations say.

Commands come from people, spreadsheets and other programs, not only from type-checked code.
The core checks each field before it decides, so that a wrong value is refused with the
field's name instead of being stored.
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from datetime import date, datetime
from typing import Any

import attrs

__all__ = ["type_problem"]


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _describe(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "").replace("datetime.", "")


_Check = typing.Callable[[Any], "str | None"]
"""A compiled check of one annotation: ``None`` if a value fits it, else what is wrong."""

_CHECKS: dict[Any, _Check] = {}
_FIELDS: dict[type, tuple[tuple[str, _Check], ...]] = {}


def _check(tp: Any) -> _Check:
    """The check of ``tp``, made once: what a type asks is worked out when it is first met,
    not again for every value."""
    try:
        found = _CHECKS.get(tp)
    except TypeError:  # an annotation that cannot be a key: worked out each time
        return _compile(tp)
    if found is None:
        found = _CHECKS[tp] = _compile(tp)
    return found


def _compile(tp: Any) -> _Check:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_check(option) for option in typing.get_args(tp)]
        described = _describe(tp)

        def union(value: Any) -> str | None:
            for option in options:
                if option(value) is None:
                    return None
            return f"expected {described}, got {type(value).__name__} {value!r}"

        return union
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _check(args[0])

            def items(value: Any) -> str | None:
                if not isinstance(value, tuple):
                    return f"expected a tuple, got {type(value).__name__} {value!r}"
                for index, entry in enumerate(value):
                    problem = item(entry)
                    if problem is not None:
                        return f"item {index}: {problem}"
                return None

            return items
        checks = [_check(arg) for arg in args]

        def fixed(value: Any) -> str | None:
            if not isinstance(value, tuple):
                return f"expected a tuple, got {type(value).__name__} {value!r}"
            if len(checks) != len(value):
                return f"expected {len(checks)} items, got {len(value)}: {value!r}"
            for index, (entry, check) in enumerate(zip(value, checks, strict=True)):
                problem = check(entry)
                if problem is not None:
                    return f"item {index}: {problem}"
            return None

        return fixed
    if tp is type(None):
        return lambda value: None if value is None else f"expected None, got {value!r}"
    if tp is Any:
        return lambda value: None
    if tp is date:

        def day(value: Any) -> str | None:
            if isinstance(value, date) and not isinstance(value, datetime):
                return None
            return f"expected a date, got {type(value).__name__} {value!r}"

        return day
    if tp is datetime:

        def moment(value: Any) -> str | None:
            if isinstance(value, datetime) and value.utcoffset() is not None:
                return None
            return f"expected a timezone-aware datetime, got {value!r}"

        return moment
    if tp is bool:
        return lambda value: (
            None if isinstance(value, bool) else f"expected True or False, got {value!r}"
        )
    if tp is int:

        def whole(value: Any) -> str | None:
            if isinstance(value, int) and not isinstance(value, bool):
                return None
            return f"expected a whole number, got {type(value).__name__} {value!r}"

        return whole
    if tp in (str, uuid.UUID) or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        described = _describe(tp)

        def plain(value: Any) -> str | None:
            if isinstance(value, tp):
                return None
            return f"expected {described}, got {type(value).__name__} {value!r}"

        return plain
    if isinstance(tp, type) and attrs.has(tp):
        described = _describe(tp)

        def nested(value: Any) -> str | None:
            if not isinstance(value, tp):
                return f"expected {described}, got {type(value).__name__} {value!r}"
            found = type_problem(value)
            return None if found is None else f"{found[0]}: {found[1]}"

        return nested
    return lambda value: None  # a type this check does not know is left to the type checker


def type_problem(value: Any) -> tuple[str, str] | None:
    """The first field of an attrs ``value`` that does not hold its annotated type.

    Returns ``(field name, what is wrong)``, or ``None`` when every field fits.
    """
    cls = type(value)
    fields = _FIELDS.get(cls)
    if fields is None:
        hints = _hints(cls)
        fields = _FIELDS[cls] = tuple(
            (attribute.name, _check(hints[attribute.name])) for attribute in attrs.fields(cls)
        )
    for name, check in fields:
        problem = check(getattr(value, name))
        if problem is not None:
            return name, problem
    return None
