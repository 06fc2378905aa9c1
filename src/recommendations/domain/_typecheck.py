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


def _fits(value: Any, tp: Any) -> str | None:
    """``None`` if ``value`` fits ``tp``, else a sentence saying what is wrong."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if any(_fits(value, option) is None for option in options):
            return None
        return f"expected {_describe(tp)}, got {type(value).__name__} {value!r}"
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, tuple):
            return f"expected a tuple, got {type(value).__name__} {value!r}"
        if len(args) == 2 and args[1] is Ellipsis:
            item_types = [args[0]] * len(value)
        elif len(args) != len(value):
            return f"expected {len(args)} items, got {len(value)}: {value!r}"
        else:
            item_types = list(args)
        for index, (item, item_type) in enumerate(zip(value, item_types, strict=True)):
            problem = _fits(item, item_type)
            if problem is not None:
                return f"item {index}: {problem}"
        return None
    if tp is type(None):
        return None if value is None else f"expected None, got {value!r}"
    if tp is Any:
        return None
    if tp is date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return None
        return f"expected a date, got {type(value).__name__} {value!r}"
    if tp is datetime:
        if isinstance(value, datetime) and value.utcoffset() is not None:
            return None
        return f"expected a timezone-aware datetime, got {value!r}"
    if tp is bool:
        return None if isinstance(value, bool) else f"expected True or False, got {value!r}"
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return f"expected a whole number, got {type(value).__name__} {value!r}"
    if tp in (str, uuid.UUID) or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        if isinstance(value, tp):
            return None
        return f"expected {_describe(tp)}, got {type(value).__name__} {value!r}"
    if isinstance(tp, type) and attrs.has(tp):
        if not isinstance(value, tp):
            return f"expected {_describe(tp)}, got {type(value).__name__} {value!r}"
        found = type_problem(value)
        return None if found is None else f"{found[0]}: {found[1]}"
    return None  # a type this check does not know is left to the type checker


def type_problem(value: Any) -> tuple[str, str] | None:
    """The first field of an attrs ``value`` that does not hold its annotated type.

    Returns ``(field name, what is wrong)``, or ``None`` when every field fits.
    """
    cls = type(value)
    hints = _hints(cls)
    for attribute in attrs.fields(cls):
        problem = _fits(getattr(value, attribute.name), hints[attribute.name])
        if problem is not None:
            return attribute.name, problem
    return None
