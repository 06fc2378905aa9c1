"""Where recommendations come from: inspections and the reports they lead to.

An inspection is fieldwork at a date range, a hot debrief, then a report expected; a report
is published on a date, may grade the body overall and by area, and lists the causes of
concern and areas for improvement that recommendations hang off. Either may be sensitive
(nothing of it is ever published) or national (made to every body of its kind).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
from attrs import frozen

from ._commands import (
    ChangePlanStatus,
    PublishReport,
    RecordInspection,
    ReviseInspection,
    SourceCommand,
)
from ._errors import AlreadyExists, NotFound, RuleViolation
from ._events import (
    InspectionDetails,
    InspectionEvent,
    InspectionRecorded,
    InspectionRevised,
    PlanStatusChanged,
    ReportDetails,
    ReportEvent,
    ReportPublished,
    ReportRevised,
    inspection_id,
    report_id,
)
from ._rules import Broken, check_not_in_future, is_blank
from ._text import abridged, text_problem
from ._typecheck import type_problem
from ._values import PLAN_SCALE, Policy

__all__ = [
    "Inspection",
    "Report",
    "decide_source",
    "project_inspection",
    "project_report",
]


@frozen(kw_only=True)
class Inspection:
    """An inspection as it stands: a fold of its log.

    ``entered_on`` is the effective date of its first entry (when it was announced or began).
    """

    id: uuid.UUID
    version: int
    reference: str
    entered_on: date
    details: InspectionDetails

    @property
    def sensitive(self) -> bool:
        """Nothing of a sensitive inspection is ever published."""
        return self.details.sensitive


@frozen(kw_only=True)
class Report:
    """A report as it stands: a fold of its log.

    ``entered_on`` is the effective date of its first entry (when it was received).

    ``inspection_sensitive`` is whether the inspection it came from is sensitive, filled in by
    the caller that looked the inspection up; a report is sensitive if either is.

    ``plan_status`` is where the body's improvement plan for it stands (a grade code of the
    policy's :data:`~recommendations.domain.PLAN_SCALE` scale), ``None`` before any is
    recorded; ``plan_since`` the date it took that status.
    """

    id: uuid.UUID
    version: int
    reference: str
    entered_on: date
    details: ReportDetails
    inspection_sensitive: bool = False
    plan_status: str | None = None
    plan_since: date | None = None

    @property
    def sensitive(self) -> bool:
        """A report is sensitive if it, or the inspection it came from, is."""
        return self.details.sensitive or self.inspection_sensitive


_E = TypeVar("_E", InspectionEvent, ReportEvent)


def _known(events: Iterable[_E], as_at: date | None, known_at: datetime | None) -> list[_E]:
    chosen = [e for e in events if known_at is None or e.recorded_at <= known_at]
    return [e for e in chosen if as_at is None or e.effective_on <= as_at]


_S = TypeVar("_S", Inspection, Report)


def _project(
    events: Sequence[Any],
    make: type[_S],
    as_at: date | None,
    known_at: datetime | None,
) -> _S | None:
    """The source as at ``as_at``, as known at ``known_at``: its first entry, then each
    revision in effective-date order replacing the details."""
    state: _S | None = None
    chosen = _known(events, as_at, known_at)
    for event in sorted(chosen, key=lambda e: (e.effective_on, e.originator_version)):
        if isinstance(event, InspectionRecorded | ReportPublished):
            state = make(
                id=event.originator_id,
                version=0,
                reference=event.reference,
                entered_on=event.effective_on,
                details=event.details,  # type: ignore[arg-type]  # matched by the caller
            )
        elif isinstance(event, PlanStatusChanged):
            if isinstance(state, Report):
                state = attrs.evolve(state, plan_status=event.status, plan_since=event.effective_on)
        elif state is not None:
            state = attrs.evolve(state, details=event.details)
    if state is None:
        return None
    return attrs.evolve(state, version=len(_known(events, None, known_at)))


def project_inspection(
    events: Sequence[InspectionEvent],
    *,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> Inspection | None:
    """The inspection as at ``as_at`` and as known at ``known_at`` (``None``: not yet)."""
    return _project(events, Inspection, as_at, known_at)


def project_report(
    events: Sequence[ReportEvent],
    *,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> Report | None:
    """The report as at ``as_at`` and as known at ``known_at`` (``None``: not yet)."""
    return _project(events, Report, as_at, known_at)


def _check_inspection(details: InspectionDetails) -> None:
    for name in ("title", "body"):
        if is_blank(getattr(details, name)):
            raise Broken(name, "required", f"{name} must not be blank")
    if not details.inspectorates or any(is_blank(i) for i in details.inspectorates):
        raise Broken("inspectorates", "required", "name at least one inspectorate")
    if (
        details.fieldwork_from is not None
        and details.fieldwork_to is not None
        and details.fieldwork_to < details.fieldwork_from
    ):
        raise Broken(
            "fieldwork_to",
            "fieldwork-in-order",
            f"fieldwork ends ({details.fieldwork_to}) before it starts ({details.fieldwork_from})",
        )


def _check_report(details: ReportDetails) -> None:
    for name in ("title", "body"):
        if is_blank(getattr(details, name)):
            raise Broken(name, "required", f"{name} must not be blank")
    if not details.inspectorates or any(is_blank(i) for i in details.inspectorates):
        raise Broken("inspectorates", "required", "name at least one inspectorate")
    scale = details.scale
    grades = [("overall_grade", details.overall_grade)] + [
        (f"area_grades[{a.area}]", a.grade) for a in details.area_grades
    ]
    for name, grade in grades:
        if grade is not None and grade not in scale:
            raise Broken(
                name,
                "grade-on-scale",
                f"{grade!r} is not on scale {scale.name!r} ({', '.join(scale.codes)})",
            )
    references = [f.reference for f in details.findings]
    if len(set(references)) != len(references):
        raise Broken("findings", "finding-unique", f"finding references repeat: {references}")
    for finding in details.findings:
        if is_blank(finding.reference) or is_blank(finding.text):
            raise Broken("findings", "required", "a finding has a reference and a text")


def decide_source(
    history: Sequence[InspectionEvent] | Sequence[ReportEvent],
    command: SourceCommand,
    *,
    recorded_at: datetime,
    inspection: Inspection | None = None,
    policy: Policy | None = None,
) -> InspectionEvent | ReportEvent:
    """The event a source command records after ``history``, or the rule it breaks.

    ``inspection`` is the inspection a report names, looked up by the caller; ``policy``
    the policy in force on the command's effective date (a plan's status must be on its
    :data:`~recommendations.domain.PLAN_SCALE` scale).
    """
    subject = (
        "inspection" if isinstance(command, RecordInspection | ReviseInspection) else ("report")
    )
    reference = command.reference

    def refuse(broken: Broken) -> RuleViolation:
        return RuleViolation(
            broken.message,
            reference=reference,
            field=broken.field,
            rule=broken.rule,
            subject=subject,
        )

    problem = type_problem(command)
    if problem is not None:
        raise RuleViolation(
            problem[1], reference=str(reference), field=problem[0], rule="type", subject=subject
        )
    text = text_problem(command)
    if text is not None:
        raise RuleViolation(
            text.message,
            reference=abridged(reference),
            field=text.field,
            rule=text.rule,
            subject=subject,
        )
    for name in ("reference", "by", "reason"):
        if is_blank(getattr(command, name)):
            raise refuse(Broken(name, "required", f"{name} must not be blank"))
    creating = isinstance(command, RecordInspection | PublishReport)
    if creating and history:
        raise AlreadyExists(
            f"it was entered already (on {history[0].effective_on})",
            reference=reference,
            field="reference",
            rule="entered-once",
            subject=subject,
        )
    if not creating and not history:
        raise NotFound(f"no {subject} has this reference", reference=reference, subject=subject)
    meta: dict[str, Any] = {
        "originator_id": inspection_id(reference)
        if subject == "inspection"
        else report_id(reference),
        "originator_version": len(history) + 1,
        "recorded_at": recorded_at,
        "effective_on": command.effective_on,
        "actor": command.by,
        "reason": command.reason,
    }
    try:
        check_not_in_future(command.effective_on, recorded_at.date())
        if history and command.effective_on < history[0].effective_on:
            raise Broken(
                "effective_on",
                "not-before-entered",
                f"takes effect on {command.effective_on}, before the {subject} was entered "
                f"({history[0].effective_on})",
            )
        if isinstance(command, RecordInspection | ReviseInspection):
            _check_inspection(command.details)
        elif isinstance(command, ChangePlanStatus):
            _check_plan(history, command, policy)  # type: ignore[arg-type]  # a report's
        else:
            _check_report(command.details)
            try:
                check_not_in_future(command.details.published_on, recorded_at.date())
            except Broken as broken:
                raise Broken("published_on", broken.rule, broken.message) from None
            named = command.details.inspection
            if named is not None and (inspection is None or inspection.reference != named):
                raise NotFound(
                    f"no inspection {named!r} has been entered",
                    reference=reference,
                    field="inspection",
                    subject="report",
                )
        if not creating and not isinstance(command, ChangePlanStatus):
            current = next(
                event
                for event in reversed(history)
                if isinstance(
                    event, InspectionRecorded | InspectionRevised | ReportPublished | ReportRevised
                )
            )
            if current.details == command.details:
                raise Broken("details", "no-change", "the record already reads so")
    except Broken as broken:
        raise refuse(broken) from None
    if isinstance(command, RecordInspection):
        return InspectionRecorded(**meta, reference=reference, details=command.details)
    if isinstance(command, ReviseInspection):
        return InspectionRevised(**meta, details=command.details)
    if isinstance(command, PublishReport):
        return ReportPublished(**meta, reference=reference, details=command.details)
    if isinstance(command, ChangePlanStatus):
        return PlanStatusChanged(**meta, status=command.status)
    return ReportRevised(**meta, details=command.details)


def _check_plan(
    history: Sequence[ReportEvent], command: ChangePlanStatus, policy: Policy | None
) -> None:
    """A plan's status is on the policy's plan scale, and not the one it has then."""
    if is_blank(command.status):
        raise Broken("status", "required", "status must not be blank")
    if policy is None or PLAN_SCALE not in {scale.name for scale in policy.scales}:
        raise Broken(
            "status",
            "plan-scale-configured",
            f"the policy in force on {command.effective_on} has no {PLAN_SCALE!r} scale of "
            f"plan statuses (add one to the configuration)",
        )
    scale = policy.scale(PLAN_SCALE)
    if command.status not in scale:
        raise Broken(
            "status",
            "plan-status-configured",
            f"{command.status!r} is not a plan status ({', '.join(scale.codes)})",
        )
    then = project_report(history, as_at=command.effective_on)
    if then is not None and then.plan_status == command.status:
        raise Broken(
            "status",
            "no-change",
            f"the plan is {scale.label(command.status)!r} on {command.effective_on} already",
        )
