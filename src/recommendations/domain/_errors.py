"""The errors the domain raises, and the root of every error of this library.

The domain's part of the tree (the service and the stores add theirs, in
``recommendations._errors``)::

    RecommendationsError                    the root: catch this to catch them all
    ├── RuleViolation (ValueError)          a command breaks a lifecycle rule
    │   ├── TimelineConflict                ... only once placed on the effective-date
    │   │                                       timeline, next to an event already there
    │   └── AlreadyExists                   that reference is taken
    ├── NotFound (LookupError)              no recommendation, source or event by that name
    └── ConfigurationError (ValueError)     a bad grading scale, policy or store URL

Every error names what it is about: the recommendation (or source) reference, the field and
the rule, so that a committee officer reading a one-line message knows what to fix. The
same facts are attributes (``reference``, ``field``, ``rule``) for programs.

This module is pure, like the rest of the domain: it imports nothing but the standard
library. The public names are importable from ``recommendations`` and from
``recommendations.domain``.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExists",
    "ConfigurationError",
    "NotFound",
    "RecommendationsError",
    "RuleViolation",
    "TimelineConflict",
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


class ConfigurationError(RecommendationsError, ValueError):
    """A store URL, grading scale or policy is not valid."""
