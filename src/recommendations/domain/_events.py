"""The events: everything that can happen to a recommendation or to where it came from.

Events are facts, named in the past tense, frozen, and never edited. Each one carries:

- ``originator_id`` and ``originator_version``: which item, and its place in that item's log;
- ``recorded_at``: when the log got it (system time; set by the library, never by a caller);
- ``effective_on``: when it took effect in the world (the committee or report date);
- ``actor`` and ``reason``: who recorded it and why.

A mistaken entry is never changed: a :class:`Corrected` event points at it, says what was
wrong, and carries the entry as it should have read (or strikes it out).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date, datetime
from typing import TypeAlias

from attrs import frozen

from ._months import DuePrecision
from ._values import (
    AreaGrade,
    Finding,
    GradingScale,
    ItemKind,
    Outcome,
    Policy,
    Response,
    Scope,
)

__all__ = [
    "Amendable",
    "Assigned",
    "ClaimRejected",
    "ConfigurationEvent",
    "Configured",
    "Corrected",
    "DeadlineChanged",
    "Discharged",
    "Event",
    "ImplementationClaimed",
    "InspectionDetails",
    "InspectionEvent",
    "InspectionRecorded",
    "InspectionRevised",
    "PlanStatusChanged",
    "Prioritised",
    "ProgressNoted",
    "Raised",
    "RecommendationEvent",
    "Regraded",
    "Reopened",
    "ReportDetails",
    "ReportEvent",
    "ReportPublished",
    "ReportRevised",
    "ResponseRecorded",
    "configuration_id",
    "inspection_id",
    "recommendation_id",
    "report_id",
]

_NAMESPACE = uuid.UUID("1b0e4a52-1f2b-5f55-9c51-5a0bf6a4c7d1")


@functools.lru_cache(maxsize=1 << 16)
def _named(name: str) -> uuid.UUID:
    """The id of ``name`` in the library's namespace (remembered: a batch of commands asks
    for the same ids again and again, and each costs a SHA-1)."""
    return uuid.uuid5(_NAMESPACE, name)


def recommendation_id(reference: str) -> uuid.UUID:
    """The stable id of the recommendation with this reference."""
    return _named(f"recommendation:{reference}")


def inspection_id(reference: str) -> uuid.UUID:
    """The stable id of the inspection with this reference."""
    return _named(f"inspection:{reference}")


def report_id(reference: str) -> uuid.UUID:
    """The stable id of the report with this reference."""
    return _named(f"report:{reference}")


CONFIGURATION = "configuration"
"""The reference of a store's configuration: the one item whose entries set its policy."""


def configuration_id() -> uuid.UUID:
    """The stable id of a store's configuration."""
    return _named(f"configuration:{CONFIGURATION}")


@frozen(kw_only=True)
class Event:
    """What every event carries."""

    originator_id: uuid.UUID
    originator_version: int
    recorded_at: datetime
    effective_on: date
    actor: str
    reason: str


# --- recommendations -------------------------------------------------------------------------


@frozen(kw_only=True)
class RecommendationEvent(Event):
    """An event in the life of one recommendation (or area for improvement)."""


@frozen(kw_only=True)
class Raised(RecommendationEvent):
    """A recommendation was made and entered on the tracker.

    ``body``, ``inspectorates`` and ``inspection`` are copied from the report as it stood.
    ``owner`` is the accountable role and ``owner_name`` the person, if any.

    ``kind`` and ``scale`` are copied in whole from the policy in force, so the log alone says
    which grades were allowed and who could accept a discharge.

    ``priority`` is a priority code of the policy in force; ``response`` and
    ``response_text`` are management's response, if already given; ``addressed_to`` is
    the body the recommendation is addressed to when ``scope`` is
    :attr:`Scope.ADDRESSED`. These four are stored only when set, so a raising without
    them reads and is stored as before they existed.
    """

    reference: str
    text: str
    points: tuple[str, ...]
    body: str
    report: str
    inspection: str | None
    finding: str | None
    inspectorates: tuple[str, ...]
    kind: ItemKind
    scope: Scope
    sensitive: bool
    scale: GradingScale
    grade: str | None
    owner: str | None
    owner_name: str | None
    due_on: date | None
    priority: str | None = None
    response: Response | None = None
    response_text: str | None = None
    addressed_to: str | None = None
    due_precision: DuePrecision = "day"


@frozen(kw_only=True)
class Prioritised(RecommendationEvent):
    """The recommendation's priority was set, changed, or removed (``None``)."""

    priority: str | None


@frozen(kw_only=True)
class ResponseRecorded(RecommendationEvent):
    """Management responded to the recommendation (agreed, partly agreed, not agreed),
    with what it said, if recorded; a later response replaces it."""

    response: Response
    response_text: str | None = None


@frozen(kw_only=True)
class Assigned(RecommendationEvent):
    """An owner was made accountable, in place of any earlier one.

    ``owner`` is the accountable role (what the public sees); ``owner_name`` the person
    holding it, if recorded (never shown outside the body and its oversight).
    """

    owner: str
    owner_name: str | None


@frozen(kw_only=True)
class Regraded(RecommendationEvent):
    """The tracker's progress grade changed."""

    grade: str


@frozen(kw_only=True)
class ProgressNoted(RecommendationEvent):
    """The owner reported progress, with references to evidence where there is any."""

    note: str
    evidence: tuple[str, ...]


@frozen(kw_only=True)
class DeadlineChanged(RecommendationEvent):
    """The date it is due by was set, moved, or removed (``None``).

    ``due_precision`` is ``"month"`` for a due date known only to the month (``due_on`` is
    then the month's last day); ``"day"``, the default, otherwise.
    """

    due_on: date | None
    due_precision: DuePrecision = "day"


@frozen(kw_only=True)
class ImplementationClaimed(RecommendationEvent):
    """The owner says the recommendation is implemented; a discharge must still be accepted."""

    note: str
    evidence: tuple[str, ...]


@frozen(kw_only=True)
class ClaimRejected(RecommendationEvent):
    """A claim of implementation was not accepted; the recommendation is open again.

    ``reason`` says why (the evidence fell short, the concern persists).
    """


@frozen(kw_only=True)
class Discharged(RecommendationEvent):
    """The recommendation was closed, with its outcome and who accepted the closure."""

    outcome: Outcome
    accepted_by: str
    acceptor_role: str
    superseded_by: str | None


@frozen(kw_only=True)
class Reopened(RecommendationEvent):
    """A discharged recommendation is open again (say, a revisit found the concern persists)."""


Amendable: TypeAlias = (
    Raised
    | Assigned
    | Regraded
    | ProgressNoted
    | DeadlineChanged
    | ImplementationClaimed
    | ClaimRejected
    | Discharged
    | Reopened
    | Prioritised
    | ResponseRecorded
)
"""The events a correction may amend: all recommendation events but corrections."""


@frozen(kw_only=True)
class Corrected(RecommendationEvent):
    """An earlier entry was wrong. It stays in the log; this says how it should have read.

    ``corrects`` is the version of the entry corrected, ``what_was_wrong`` says what was
    wrong, and ``replacement`` is the whole entry as it should have read (same version,
    recorded time and type), or ``None`` when the entry should never have been made. When an
    entry is corrected twice, the later correction wins.
    """

    corrects: int
    what_was_wrong: str
    replacement: Amendable | None


# --- where recommendations come from ----------------------------------------------------------


@frozen(kw_only=True)
class InspectionDetails:
    """What is known of an inspection; revised as a whole."""

    title: str
    body: str
    inspectorates: tuple[str, ...]
    fieldwork_from: date | None = None
    fieldwork_to: date | None = None
    hot_debrief_on: date | None = None
    expected_report: str | None = None
    national: bool = False
    sensitive: bool = False


@frozen(kw_only=True)
class InspectionEvent(Event):
    """An event in the record of one inspection."""


@frozen(kw_only=True)
class InspectionRecorded(InspectionEvent):
    """An inspection was announced or carried out and entered on the tracker."""

    reference: str
    details: InspectionDetails


@frozen(kw_only=True)
class InspectionRevised(InspectionEvent):
    """What is known of an inspection changed (dates, the expected report)."""

    details: InspectionDetails


@frozen(kw_only=True)
class ReportDetails:
    """What a report says of the body; revised as a whole.

    ``scale`` is the grading scale of ``overall_grade`` and ``area_grades``, copied in whole.
    """

    title: str
    body: str
    inspectorates: tuple[str, ...]
    published_on: date
    scale: GradingScale
    inspection: str | None = None
    overall_grade: str | None = None
    area_grades: tuple[AreaGrade, ...] = ()
    findings: tuple[Finding, ...] = ()
    national: bool = False
    sensitive: bool = False


@frozen(kw_only=True)
class ReportEvent(Event):
    """An event in the record of one report."""


@frozen(kw_only=True)
class ReportPublished(ReportEvent):
    """A report was published (or, if sensitive, given to the body) and entered."""

    reference: str
    details: ReportDetails


@frozen(kw_only=True)
class ReportRevised(ReportEvent):
    """What was entered of a report changed (a grade or a finding entered wrongly)."""

    details: ReportDetails


@frozen(kw_only=True)
class PlanStatusChanged(ReportEvent):
    """The body's improvement plan for the report moved to ``status``: a grade code of the
    policy's scale named :data:`~recommendations.domain.PLAN_SCALE` (in draft, submitted,
    agreed with the inspectorate, in the ``hmics`` preset)."""

    status: str


# --- the store's configuration ---------------------------------------------------------------


@frozen(kw_only=True)
class ConfigurationEvent(Event):
    """An entry of the store's configuration (the item :func:`configuration_id` names)."""


@frozen(kw_only=True)
class Configured(ConfigurationEvent):
    """The store's policy, in whole, from ``effective_on`` until a later entry takes effect.

    ``reference`` is always :data:`CONFIGURATION`. An entry that takes effect on the same
    day as an earlier one replaces it (as known from its recorded time on).
    """

    reference: str
    policy: Policy
