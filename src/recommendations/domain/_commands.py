"""Commands: what a person asks the tracker to record.

A command is a request, named in the imperative; if the rules allow it, it becomes one event.
Every command says when it took effect (``effective_on``), who asks (``by``) and why
(``reason``). None of them can say when it is recorded: the library sets that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeAlias, cast

import attrs
from attrs import field, frozen

from ._events import CONFIGURATION, InspectionDetails, ReportDetails
from ._months import DuePrecision
from ._text import REFERENCE_FIELDS, normal_reference
from ._values import Finding, Outcome, Policy, Response, Scope

__all__ = [
    "Assign",
    "ChangeDeadline",
    "ChangePlanStatus",
    "ClaimImplementation",
    "Command",
    "Configure",
    "Correct",
    "Discharge",
    "NoteProgress",
    "Prioritise",
    "PublishReport",
    "Raise",
    "RecommendationCommand",
    "RecordInspection",
    "RecordResponse",
    "Regrade",
    "RejectClaim",
    "Reopen",
    "ReviseInspection",
    "ReviseReport",
    "SourceCommand",
]


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Turn a list into a tuple; leave anything else for the type check to judge."""
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _normal_details(details: Any) -> Any:
    """The details with every reference they hold in normal form (see ``normal_reference``);
    anything but details is left for the type check to judge."""
    if not isinstance(details, InspectionDetails | ReportDetails):
        return details
    changes: dict[str, Any] = {
        a.name: normal_reference(getattr(details, a.name))
        for a in attrs.fields(type(details))
        if a.name in REFERENCE_FIELDS
    }
    if isinstance(details, ReportDetails) and isinstance(details.findings, tuple):
        changes["findings"] = tuple(
            attrs.evolve(f, reference=normal_reference(f.reference))
            if isinstance(f, Finding)
            else f
            for f in details.findings
        )
    return attrs.evolve(details, **changes)


def _inspection_details(details: InspectionDetails) -> InspectionDetails:
    return cast(InspectionDetails, _normal_details(details))


def _report_details(details: ReportDetails) -> ReportDetails:
    return cast(ReportDetails, _normal_details(details))


@frozen(kw_only=True)
class _Base:
    effective_on: date
    by: str
    reason: str


# --- recommendations -------------------------------------------------------------------------


@frozen(kw_only=True)
class Raise(_Base):
    """Enter a recommendation made in ``report``.

    Left as ``None``: ``kind`` and ``scale`` take the policy's defaults, ``scope`` is national
    if the report is, and ``sensitive`` follows the report and its inspection as they stand
    on ``effective_on`` (a recommendation raised from a sensitive source is sensitive). If a
    source is found to be sensitive later, correct its recommendations' ``sensitive`` flag;
    the public view also withholds anything from a source that is sensitive as known then.

    ``priority`` is one of the policy's priorities; ``response`` (with ``response_text``)
    management's response if already known; ``addressed_to`` names the body it is
    addressed to, with ``scope`` :attr:`Scope.ADDRESSED` (the default scope when it is
    given).
    """

    reference: str = field(converter=normal_reference)
    text: str
    report: str = field(converter=normal_reference)
    points: tuple[str, ...] = field(default=(), converter=_tuple)
    finding: str | None = field(default=None, converter=normal_reference)
    kind: str | None = None
    scope: Scope | None = None
    sensitive: bool | None = None
    scale: str | None = None
    grade: str | None = None
    owner: str | None = None
    owner_name: str | None = None
    due_on: date | None = None
    priority: str | None = None
    response: Response | None = None
    response_text: str | None = None
    addressed_to: str | None = None
    due_precision: DuePrecision = "day"


@frozen(kw_only=True)
class Prioritise(_Base):
    """Give the recommendation a priority of the policy's, or none (``None``)."""

    reference: str = field(converter=normal_reference)
    priority: str | None


@frozen(kw_only=True)
class RecordResponse(_Base):
    """Record management's response to the recommendation, with what it said."""

    reference: str = field(converter=normal_reference)
    response: Response
    response_text: str | None = None


@frozen(kw_only=True)
class Assign(_Base):
    """Make the role ``owner`` accountable, held by the person ``owner_name`` if given."""

    reference: str = field(converter=normal_reference)
    owner: str
    owner_name: str | None = None


@frozen(kw_only=True)
class Regrade(_Base):
    """Give the recommendation a new grade on its scale."""

    reference: str = field(converter=normal_reference)
    grade: str


@frozen(kw_only=True)
class NoteProgress(_Base):
    """Record the owner's update, with references to evidence."""

    reference: str = field(converter=normal_reference)
    note: str
    evidence: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen(kw_only=True)
class ChangeDeadline(_Base):
    """Set, move or remove (``None``) the date the recommendation is due by; with
    ``due_precision="month"`` for a month alone (``due_on`` its last day)."""

    reference: str = field(converter=normal_reference)
    due_on: date | None
    due_precision: DuePrecision = "day"


@frozen(kw_only=True)
class ClaimImplementation(_Base):
    """The owner says it is done; someone allowed for its kind must still accept that."""

    reference: str = field(converter=normal_reference)
    note: str
    evidence: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen(kw_only=True)
class RejectClaim(_Base):
    """Turn down a claim of implementation; ``reason`` says why. It is open again."""

    reference: str = field(converter=normal_reference)


@frozen(kw_only=True)
class Discharge(_Base):
    """Close the recommendation with an outcome, accepted by someone in ``acceptor_role``."""

    reference: str = field(converter=normal_reference)
    outcome: Outcome
    accepted_by: str
    acceptor_role: str
    superseded_by: str | None = field(default=None, converter=normal_reference)


@frozen(kw_only=True)
class Reopen(_Base):
    """Open a discharged recommendation again; ``reason`` says why."""

    reference: str = field(converter=normal_reference)


def _changes(value: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Sorted ``(field, value)`` pairs; lists become tuples, as in every command."""
    return tuple(
        sorted(
            (
                k,
                normal_reference(v)
                if k in REFERENCE_FIELDS
                else tuple(v)
                if isinstance(v, list)
                else v,
            )
            for k, v in dict(value).items()
        )
    )


@frozen(kw_only=True)
class Correct(_Base):
    """Correct entry ``version`` of a recommendation's log without editing it.

    ``changes`` names the fields of that entry that were wrong and their right values (any
    field the entry has, ``effective_on``, ``actor`` and ``reason`` included, but never the
    reference). ``strike=True`` says the entry should never have been made.
    """

    reference: str = field(converter=normal_reference)
    version: int
    what_was_wrong: str
    changes: tuple[tuple[str, Any], ...] = field(factory=dict, converter=_changes)
    strike: bool = False


# --- sources ---------------------------------------------------------------------------------


@frozen(kw_only=True)
class RecordInspection(_Base):
    """Enter an inspection of the body (announced, under way or done)."""

    reference: str = field(converter=normal_reference)
    details: InspectionDetails = field(converter=_inspection_details)


@frozen(kw_only=True)
class ReviseInspection(_Base):
    """Replace what is known of an inspection with ``details``."""

    reference: str = field(converter=normal_reference)
    details: InspectionDetails = field(converter=_inspection_details)


@frozen(kw_only=True)
class PublishReport(_Base):
    """Enter a report received or published, with its grades and findings."""

    reference: str = field(converter=normal_reference)
    details: ReportDetails = field(converter=_report_details)


@frozen(kw_only=True)
class ReviseReport(_Base):
    """Replace what was entered of a report with ``details``."""

    reference: str = field(converter=normal_reference)
    details: ReportDetails = field(converter=_report_details)


@frozen(kw_only=True)
class ChangePlanStatus(_Base):
    """Move the improvement plan for report ``reference`` to ``status`` (a grade code of the
    policy's scale named :data:`~recommendations.domain.PLAN_SCALE`), from ``effective_on``."""

    reference: str = field(converter=normal_reference)
    status: str


RecommendationCommand: TypeAlias = (
    Raise
    | Assign
    | Regrade
    | NoteProgress
    | ChangeDeadline
    | ClaimImplementation
    | RejectClaim
    | Discharge
    | Reopen
    | Prioritise
    | RecordResponse
    | Correct
)
SourceCommand: TypeAlias = (
    RecordInspection | ReviseInspection | PublishReport | ReviseReport | ChangePlanStatus
)


@frozen(kw_only=True)
class Configure(_Base):
    """Record the store's policy, in force from ``effective_on``."""

    policy: Policy

    @property
    def reference(self) -> str:
        """The configuration's reference (there is one configuration per store)."""
        return CONFIGURATION


Command: TypeAlias = RecommendationCommand | SourceCommand | Configure
