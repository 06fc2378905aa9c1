"""recommendations: inspection and audit recommendations, tracked in an append-only log.

Record what happens to each recommendation as events (raised, assigned, regraded, progress
noted, deadline changed, implementation claimed, discharged, reopened, corrected) with who,
why, when it took effect and when it was recorded; read back its state as at any date.

>>> import recommendations
>>> tracker = recommendations.Tracker("memory://")

The domain (:mod:`recommendations.domain`) is pure and importable on its own; the
:class:`Tracker` (which loads ``eventsourcing``) is imported only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _logging  # noqa: F401 (the package logger's NullHandler)
from ._deprecated import aliases
from ._errors import (
    AlreadyExists,
    ConcurrencyError,
    ConfigurationError,
    LogNotIntact,
    NotFound,
    OutcomeUnknown,
    RecommendationsError,
    RuleViolation,
    StoreError,
    TablesBehind,
    TablesBehindWarning,
    TimelineConflict,
    UnreadableEvent,
)
from .domain import (
    DEFAULT_POLICY,
    AreaGrade,
    Assign,
    ChangeDeadline,
    ChangePlanStatus,
    ClaimImplementation,
    Correct,
    Discharge,
    Finding,
    FindingKind,
    Grade,
    GradingScale,
    InspectionDetails,
    ItemKind,
    NoteProgress,
    Outcome,
    Policy,
    Prioritise,
    PublishReport,
    Raise,
    Recommendation,
    RecordInspection,
    RecordResponse,
    Regrade,
    RejectClaim,
    Reopen,
    ReportDetails,
    Response,
    ReviseInspection,
    ReviseReport,
    Scope,
    Status,
)

if TYPE_CHECKING:
    from ._tracker import Decided, Positioned, Tracker
    from .stores import DEFAULT_STORE

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_STORE",
    "AlreadyExists",
    "AreaGrade",
    "Assign",
    "ChangeDeadline",
    "ChangePlanStatus",
    "ClaimImplementation",
    "ConcurrencyError",
    "ConfigurationError",
    "Correct",
    "Decided",
    "Discharge",
    "Finding",
    "FindingKind",
    "Grade",
    "GradingScale",
    "InspectionDetails",
    "ItemKind",
    "LogNotIntact",
    "NotFound",
    "NoteProgress",
    "Outcome",
    "OutcomeUnknown",
    "Policy",
    "Positioned",
    "Prioritise",
    "PublishReport",
    "Raise",
    "Recommendation",
    "RecommendationsError",
    "RecordInspection",
    "RecordResponse",
    "Regrade",
    "RejectClaim",
    "Reopen",
    "ReportDetails",
    "Response",
    "ReviseInspection",
    "ReviseReport",
    "RuleViolation",
    "Scope",
    "Status",
    "StoreError",
    "TablesBehind",
    "TablesBehindWarning",
    "TimelineConflict",
    "Tracker",
    "UnreadableEvent",
]

_LAZY = {
    "Tracker": "._tracker",
    "Positioned": "._tracker",
    "Decided": "._tracker",
    "DEFAULT_STORE": ".stores",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    return _old(name)


def _new(name: str) -> Any:
    return globals()[name] if name in globals() else __getattr__(name)


_old = aliases(__name__, _new)
"""The old names of :class:`Positioned` (``Recorded``, ``LoggedEvent``) and of
:class:`TablesBehind` and :class:`TablesBehindWarning` (``ViewsBehind``,
``ViewsBehindWarning``) still read, with a warning."""


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
