"""Every error this library raises, under one root.

The tree::

    RecommendationsError                    the root: catch this to catch them all
    ├── RuleViolation (ValueError)          a command breaks a lifecycle rule
    │   ├── TimelineConflict                ... only once placed on the effective-date
    │   │                                       timeline, next to an event already there
    │   └── AlreadyExists                   that reference is taken
    ├── NotFound (LookupError)              no recommendation, source or event by that name
    ├── ConcurrencyError (RuntimeError)     someone else recorded first; load and try again
    ├── StoreError (RuntimeError)           the storage engine failed or is misconfigured
    │   ├── UnreadableEvent                 a stored event cannot be read back
    │   ├── TablesBehind                    recorded, but the views could not catch up
    │   ├── OutcomeUnknown                  the store failed while recording: whether
    │   │                                       the entry is in the log cannot be known
    │   └── LogNotIntact                    the log was changed outside this library
    └── ConfigurationError (ValueError)     a bad store URL, scale or policy

Every error names what it is about: the recommendation (or source) reference, the field and
the rule, so that a committee officer reading a one-line message knows what to fix. The
same facts are attributes (``reference``, ``field``, ``rule``) for programs.

The root and the errors the domain raises (``RuleViolation``, ``TimelineConflict``,
``AlreadyExists``, ``NotFound``, ``ConfigurationError``) live in the pure domain,
:mod:`recommendations.domain` (its ``_errors`` module); this module adds those of the
service and the stores, and names them all. It imports no I/O either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .domain._errors import (
    AlreadyExists,
    ConfigurationError,
    NotFound,
    RecommendationsError,
    RuleViolation,
    TimelineConflict,
)

__all__ = [
    "AlreadyExists",
    "ConcurrencyError",
    "ConfigurationError",
    "LogNotIntact",
    "NotFound",
    "OutcomeUnknown",
    "RecommendationsError",
    "RuleViolation",
    "StoreError",
    "TablesBehind",
    "TablesBehindWarning",
    "TimelineConflict",
    "UnreadableEvent",
]


class ConcurrencyError(RecommendationsError, RuntimeError):
    """Another writer recorded an event for the same item first; nothing was recorded.

    Load the item again and decide again: the command may no longer hold.
    """


class StoreError(RecommendationsError, RuntimeError):
    """The storage engine failed, or could not be opened; nothing partial was recorded."""


class UnreadableEvent(StoreError):
    """A stored event cannot be decoded into a known event type and schema version."""


class Positioned(Protocol):
    """What a command recorded, as :class:`~recommendations.Positioned` holds it (named
    here by its shape, so that the errors import nothing of the tracker)."""

    @property
    def event(self) -> Any: ...

    @property
    def position(self) -> int: ...


class TablesBehind(StoreError):
    """The command **was recorded**, but the materialised views could not catch up with it.

    ``recorded`` holds what was recorded (as :meth:`~recommendations.Tracker.execute_many`
    returns it, one :class:`~recommendations.Positioned` per entry); the views catch up on a
    later read or command, or with a rebuild. Do not execute the command again unless with
    the same command id (which then records nothing). Rule ``views-current``.
    """

    def __init__(
        self,
        message: str,
        *,
        recorded: Sequence[Positioned],
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = "views-current",
    ) -> None:
        self.recorded: tuple[Positioned, ...] = tuple(recorded)
        super().__init__(message, reference=reference, field=field, rule=rule)


class OutcomeUnknown(StoreError):
    """The store failed while the command was being recorded, and could not be asked
    afterwards whether the entry is in the log: it may be, or not.

    Execute the command again with the same ``command_id`` (a retry then records nothing
    if the first attempt was recorded). Rule ``outcome-known``.
    """

    def __init__(
        self,
        message: str,
        *,
        command_id: str | None = None,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = "outcome-known",
    ) -> None:
        self.command_id = command_id
        super().__init__(message, reference=reference, field=field, rule=rule)


class LogNotIntact(StoreError):
    """The log holds what this library never writes: an entry missing from an item's log,
    or recorded before the entry it follows (the store was edited by hand, or restored in
    part). ``position`` is where the log breaks and ``item`` the item's id; rule
    ``log-intact``. Nothing can be answered from such a log until it is repaired.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int,
        item: Any,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = "log-intact",
    ) -> None:
        self.position = position
        self.item = item
        super().__init__(message, reference=reference, field=field, rule=rule)


class TablesBehindWarning(UserWarning):
    """A read answered from materialised views that could not catch up with the log: the
    answer reflects ``position`` (which its basis states), not the end of the log;
    ``reason`` says why they could not."""

    def __init__(self, message: str, *, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(message)
