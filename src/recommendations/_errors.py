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
    │   ├── ViewsBehind                     recorded, but the views could not catch up
    │   ├── OutcomeUnknown                  the store failed while recording: whether
    │   │                                       the entry is in the log cannot be known
    │   └── LogNotIntact                    the log was changed outside this library
    └── ConfigurationError (ValueError)     a bad store URL, scale or policy

Every error names what it is about: the recommendation (or source) reference, the field and
the rule, so that a committee officer reading a one-line message knows what to fix. The
same facts are attributes (``reference``, ``field``, ``rule``) for programs.

This module is pure: the domain raises these errors without importing any I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

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
    "TimelineConflict",
    "UnreadableEvent",
    "ViewsBehind",
    "ViewsBehindWarning",
]


class RecommendationsError(Exception):
    """The root of every error raised by this library.

    ``reference`` names the recommendation (or inspection or report) concerned, ``field`` the
    field at fault and ``rule`` the rule it breaks; any of them may be ``None`` where it does
    not apply (a store that cannot be reached names no recommendation).
    """

    def __init__(
        self,
        message: str,
        *,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.reference = reference
        self.field = field
        self.rule = rule
        self.detail = message
        super().__init__(self._compose(message))

    def _compose(self, message: str) -> str:
        parts: list[str] = []
        if self.reference is not None:
            parts.append(f"{self._subject()} {self.reference!r}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.rule is not None:
            parts.append(f"rule {self.rule!r}")
        return ": ".join([*parts, message]) if parts else message

    def _subject(self) -> str:
        return "recommendation"


class RuleViolation(RecommendationsError, ValueError):
    """A command breaks a rule of the lifecycle; nothing was recorded.

    ``subject`` is what the reference names: ``"recommendation"`` (the default),
    ``"inspection"`` or ``"report"``.
    """

    def __init__(
        self,
        message: str,
        *,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        subject: str = "recommendation",
    ) -> None:
        self.subject = subject
        super().__init__(message, reference=reference, field=field, rule=rule)

    def _subject(self) -> str:
        return self.subject


class TimelineConflict(RuleViolation):
    """A (usually backdated) entry breaks a rule once placed among the existing events.

    ``conflicts_with`` is the version of the event already recorded that it conflicts with,
    and ``conflicting_event`` that event's type name.
    """

    def __init__(
        self,
        message: str,
        *,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        conflicts_with: int,
        conflicting_event: str,
    ) -> None:
        self.conflicts_with = conflicts_with
        self.conflicting_event = conflicting_event
        super().__init__(message, reference=reference, field=field, rule=rule)


class NotFound(RecommendationsError, LookupError):
    """No recommendation, inspection, report or event by that reference (rule ``exists``)."""

    def __init__(
        self,
        message: str,
        *,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = "exists",
        subject: str = "recommendation",
    ) -> None:
        self.subject = subject
        super().__init__(message, reference=reference, field=field, rule=rule)

    def _subject(self) -> str:
        return self.subject

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class AlreadyExists(RuleViolation):
    """The reference is already taken by an earlier record."""


class ConcurrencyError(RecommendationsError, RuntimeError):
    """Another writer recorded an event for the same item first; nothing was recorded.

    Load the item again and decide again: the command may no longer hold.
    """


class StoreError(RecommendationsError, RuntimeError):
    """The storage engine failed, or could not be opened; nothing partial was recorded."""


class UnreadableEvent(StoreError):
    """A stored event cannot be decoded into a known event type and schema version."""


class Recorded(Protocol):
    """What a command recorded, as :class:`~recommendations.Recorded` holds it (named
    here by its shape, so that the errors import nothing of the tracker)."""

    @property
    def event(self) -> Any: ...

    @property
    def position(self) -> int: ...


class ViewsBehind(StoreError):
    """The command **was recorded**, but the materialised views could not catch up with it.

    ``recorded`` holds what was recorded (as :meth:`~recommendations.Tracker.execute_many`
    returns it, one :class:`~recommendations.Recorded` per entry); the views catch up on a
    later read or command, or with a rebuild. Do not execute the command again unless with
    the same command id (which then records nothing). Rule ``views-current``.
    """

    def __init__(
        self,
        message: str,
        *,
        recorded: Sequence[Recorded],
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = "views-current",
    ) -> None:
        self.recorded: tuple[Recorded, ...] = tuple(recorded)
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


class ViewsBehindWarning(UserWarning):
    """A read answered from materialised views that could not catch up with the log: the
    answer reflects ``position`` (which its basis states), not the end of the log;
    ``reason`` says why they could not."""

    def __init__(self, message: str, *, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(message)


class ConfigurationError(RecommendationsError, ValueError):
    """A store URL, grading scale or policy is not valid."""
