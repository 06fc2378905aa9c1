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
    TimelineConflict,
    UnreadableEvent,
    ViewsBehind,
    ViewsBehindWarning,
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
    PublishReport,
    Raise,
    Recommendation,
    RecordInspection,
    Regrade,
    RejectClaim,
    Reopen,
    ReportDetails,
    ReviseInspection,
    ReviseReport,
    Scope,
    Status,
)

if TYPE_CHECKING:
    from ._tracker import Decided, LoggedEvent, Recorded, Tracker
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
    "LoggedEvent",
    "NotFound",
    "NoteProgress",
    "Outcome",
    "OutcomeUnknown",
    "Policy",
    "PublishReport",
    "Raise",
    "Recommendation",
    "RecommendationsError",
    "RecordInspection",
    "Recorded",
    "Regrade",
    "RejectClaim",
    "Reopen",
    "ReportDetails",
    "ReviseInspection",
    "ReviseReport",
    "RuleViolation",
    "Scope",
    "Status",
    "StoreError",
    "TimelineConflict",
    "Tracker",
    "UnreadableEvent",
    "ViewsBehind",
    "ViewsBehindWarning",
]

_LAZY = {
    "Tracker": "._tracker",
    "Recorded": "._tracker",
    "LoggedEvent": "._tracker",
    "Decided": "._tracker",
    "DEFAULT_STORE": ".stores",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
