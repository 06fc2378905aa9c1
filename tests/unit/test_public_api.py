"""The public surface is explicit, sorted and locked: changing it is a deliberate act."""

from __future__ import annotations

import recommendations
import recommendations.domain
import recommendations.views

PUBLIC = [
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


def test_public_names_are_locked() -> None:
    assert recommendations.__all__ == PUBLIC


def test_all_is_sorted_and_resolves() -> None:
    import recommendations.paper
    import recommendations.spreadsheets
    import recommendations.stores
    import recommendations.testing

    for module in (
        recommendations,
        recommendations.domain,
        recommendations.views,
        recommendations.stores,
        recommendations.testing,
        recommendations.paper,
        recommendations.spreadsheets,
    ):
        names = list(module.__all__)
        assert names == sorted(names, key=lambda n: (not n.isupper(), n))
        for name in names:
            assert getattr(module, name) is not None


def test_every_error_derives_from_the_root() -> None:
    errors = [
        getattr(recommendations, name)
        for name in PUBLIC
        if isinstance(getattr(recommendations, name), type)
        and issubclass(getattr(recommendations, name), BaseException)
        and not issubclass(getattr(recommendations, name), Warning)
    ]
    assert len(errors) == 12
    for error in errors:
        assert issubclass(error, recommendations.RecommendationsError)
    assert issubclass(recommendations.RuleViolation, ValueError)
    assert issubclass(recommendations.NotFound, LookupError)
    # Callers that catch StoreError keep catching the finer failures of a store.
    for finer in ("TablesBehind", "OutcomeUnknown", "LogNotIntact", "UnreadableEvent"):
        assert issubclass(getattr(recommendations, finer), recommendations.StoreError)
    assert issubclass(recommendations.TablesBehindWarning, UserWarning)
