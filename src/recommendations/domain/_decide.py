"""Deciding: from a recommendation's log and a command, the one event to record, or an error.

:func:`decide` is pure. It builds the new entry, places it on the effective-date timeline
among the entries already recorded (a backdated entry goes where its date puts it) and checks
every entry of that timeline against the rules. The error names the recommendation, the
field and the rule; if the entry only breaks a rule because of another entry already in
the log, it is a :class:`~recommendations.TimelineConflict` naming that entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from functools import singledispatch
from typing import Any

import attrs

from ._checked import Checked, check_incremental
from ._commands import (
    Assign,
    ChangeDeadline,
    ClaimImplementation,
    Correct,
    Discharge,
    NoteProgress,
    Prioritise,
    Raise,
    RecommendationCommand,
    RecordResponse,
    Regrade,
    RejectClaim,
    Reopen,
)
from ._errors import (
    AlreadyExists,
    ConfigurationError,
    NotFound,
    RuleViolation,
    TimelineConflict,
)
from ._events import (
    Amendable,
    Assigned,
    ClaimRejected,
    Corrected,
    DeadlineChanged,
    Discharged,
    ImplementationClaimed,
    Prioritised,
    ProgressNoted,
    Raised,
    RecommendationEvent,
    Regraded,
    Reopened,
    ResponseRecorded,
    recommendation_id,
)
from ._recommendation import Recommendation, amended, evolve
from ._rules import Broken, check_entry, check_not_in_future, is_blank
from ._sources import Report
from ._text import abridged, text_problem
from ._typecheck import type_problem
from ._values import DEFAULT_POLICY, Outcome, Policy, Response, Scope

__all__ = ["check_timeline", "decide", "decide_checked"]

_FIXED_FIELDS = frozenset({"originator_id", "originator_version", "recorded_at", "reference"})
_FIXED_AT_RAISING = frozenset(
    {"body", "report", "inspection", "finding", "inspectorates", "kind", "scale"}
)
"""What a raising copied from its source and the policy: raise it again to change these."""


@attrs.frozen
class _Context:
    reference: str
    id: uuid.UUID
    version: int
    recorded_at: datetime
    policy: Policy
    report: Report | None


def decide(
    history: Sequence[RecommendationEvent],
    command: RecommendationCommand,
    *,
    recorded_at: datetime,
    policy: Policy = DEFAULT_POLICY,
    report: Report | None = None,
) -> RecommendationEvent:
    """The event ``command`` records after ``history``, or the rule it breaks.

    ``history`` is the recommendation's whole log (empty before it is raised),
    ``recorded_at`` the time the library will record the event at, ``policy`` the scales and
    kinds in force and ``report`` the report a :class:`Raise` names (looked up by the caller).
    Every entry of the timeline is checked (:func:`check_timeline`).
    """
    event, _ = _decide(history, command, recorded_at, policy, report, incremental=False)
    return event


def decide_checked(
    history: Sequence[RecommendationEvent],
    command: RecommendationCommand,
    *,
    recorded_at: datetime,
    policy: Policy = DEFAULT_POLICY,
    report: Report | None = None,
    checked: Checked | None = None,
) -> tuple[RecommendationEvent, Checked]:
    """As :func:`decide`, checking the new entry against the part of the timeline it can
    change, given ``checked``, the :class:`Checked` of ``history`` (see
    :func:`check_incremental`; without one that fits, every entry is checked); and the
    :class:`Checked` of the log with the new entry, for the next command."""
    event, done = _decide(
        history, command, recorded_at, policy, report, incremental=True, checked=checked
    )
    assert done is not None
    return event, done


def _decide(
    history: Sequence[RecommendationEvent],
    command: RecommendationCommand,
    recorded_at: datetime,
    policy: Policy,
    report: Report | None,
    *,
    incremental: bool,
    checked: Checked | None = None,
) -> tuple[RecommendationEvent, Checked | None]:
    """``incremental``: checked from ``checked`` on (:func:`check_incremental`); else by
    the full :func:`check_timeline` alone."""
    reference = command.reference
    problem = type_problem(command)
    if problem is not None:
        raise RuleViolation(problem[1], reference=str(reference), field=problem[0], rule="type")
    text = text_problem(command)
    if text is not None:
        raise RuleViolation(
            text.message, reference=abridged(reference), field=text.field, rule=text.rule
        )
    for name in ("reference", "by", "reason"):
        if is_blank(getattr(command, name)):
            raise RuleViolation(
                f"{name} must not be blank", reference=reference, field=name, rule="required"
            )
    if reference != reference.strip():
        raise RuleViolation(
            "a reference has no leading or trailing spaces",
            reference=reference,
            field="reference",
            rule="required",
        )
    if not isinstance(command, Raise) and not history:
        raise NotFound("no recommendation has this reference", reference=reference)
    if isinstance(command, Raise) and history:
        raise AlreadyExists(
            f"it was raised already (on {history[0].effective_on})",
            reference=reference,
            field="reference",
            rule="raised-once",
        )
    if recorded_at.utcoffset() is None:
        raise ValueError("recorded_at must be timezone-aware")  # a programming error
    ctx = _Context(
        reference=reference,
        id=recommendation_id(reference),
        version=len(history) + 1,
        recorded_at=recorded_at,
        policy=policy,
        report=report,
    )
    try:
        check_not_in_future(command.effective_on, recorded_at.date())
        raised_on = _raised_on(history)
        if raised_on is not None and command.effective_on < raised_on:
            raise Broken(
                "effective_on",
                "not-before-raised",
                f"takes effect on {command.effective_on}, before the recommendation was "
                f"raised ({raised_on})",
                because=1,
            )
        event = _build(command, ctx, history)
    except Broken as broken:
        raise _error(reference, broken, new=True, entry=None, log=history) from None
    fresh = not isinstance(event, Corrected)
    if incremental:
        return event, check_incremental(reference, [*history, event], checked, fresh=fresh)
    new_versions = {event.originator_version}
    if isinstance(event, Corrected):
        new_versions = {event.corrects}
    check_timeline(reference, [*history, event], new_versions, fresh=fresh)
    return event, None


def check_timeline(
    reference: str,
    log: Sequence[RecommendationEvent],
    new_versions: set[int],
    *,
    fresh: bool = True,
) -> None:
    """Check every entry of ``log``'s effective-date timeline against the rules.

    ``new_versions`` are the entries being added (or amended); a rule they break is a
    :class:`RuleViolation`, or a :class:`TimelineConflict` naming the older entry it runs
    into; a rule an older entry breaks once they are in place is a conflict naming it.
    ``fresh`` adds the checks only a new command must pass.
    """
    entries = sorted(amended(log), key=lambda e: (e.effective_on, e.originator_version))
    state: Recommendation | None = None
    status_set_by: int | None = None
    for entry in entries:
        is_new = entry.originator_version in new_versions
        try:
            check_entry(state, entry, status_set_by=status_set_by, is_new=is_new and fresh)
        except Broken as broken:
            raise _error(reference, broken, new=is_new, entry=entry, log=log) from None
        state = evolve(entry, state)
        if isinstance(
            entry, Raised | ImplementationClaimed | ClaimRejected | Discharged | Reopened
        ):
            status_set_by = entry.originator_version


def _raised_on(history: Sequence[RecommendationEvent]) -> date | None:
    """When the recommendation was raised, as corrected (``None`` before it is)."""
    for entry in amended(history):
        if isinstance(entry, Raised):
            return entry.effective_on
    return None


def _describe(log: Sequence[RecommendationEvent], version: int) -> str:
    """An entry as the log now reads it (corrections applied)."""
    for event in [*amended(log), *log]:
        if event.originator_version == version:
            return (
                f"{type(event).__name__} (entry {version}, effective {event.effective_on}, "
                f"recorded {event.recorded_at:%Y-%m-%d %H:%M:%S})"
            )
    return f"entry {version}"  # pragma: no cover


def _error(
    reference: str,
    broken: Broken,
    *,
    new: bool,
    entry: Amendable | None,
    log: Sequence[RecommendationEvent] = (),
) -> RuleViolation:
    if new and broken.because is None:
        return RuleViolation(
            broken.message, reference=reference, field=broken.field, rule=broken.rule
        )
    if new and broken.because is not None:
        return TimelineConflict(
            f"{broken.message}; conflicts with {_describe(log, broken.because)}"
            if log
            else f"{broken.message}; conflicts with entry {broken.because}",
            reference=reference,
            field=broken.field,
            rule=broken.rule,
            conflicts_with=broken.because,
            conflicting_event=_type_name(log, broken.because),
        )
    version = entry.originator_version if entry is not None else 0
    return TimelineConflict(
        f"the entry would put {_describe(log, version)} out of order: {broken.message}",
        reference=reference,
        field=broken.field,
        rule=broken.rule,
        conflicts_with=version,
        conflicting_event=type(entry).__name__,
    )


def _type_name(log: Sequence[RecommendationEvent], version: int) -> str:
    for event in log:
        if event.originator_version == version:
            return type(event).__name__
    return "Raised"


def _meta(command: RecommendationCommand, ctx: _Context) -> dict[str, Any]:
    return {
        "originator_id": ctx.id,
        "originator_version": ctx.version,
        "recorded_at": ctx.recorded_at,
        "effective_on": command.effective_on,
        "actor": command.by,
        "reason": command.reason,
    }


@singledispatch
def _build(
    command: RecommendationCommand, ctx: _Context, history: Sequence[RecommendationEvent]
) -> RecommendationEvent:
    raise TypeError(f"not a recommendation command: {command!r}")  # pragma: no cover


@_build.register
def _(command: Raise, ctx: _Context, history: Sequence[RecommendationEvent]) -> Raised:
    report = ctx.report
    if report is None or report.reference != command.report:
        raise NotFound(
            f"no report {command.report!r} has been entered",
            reference=ctx.reference,
            field="report",
        )
    try:
        kind = ctx.policy.kind(command.kind or ctx.policy.default_kind)
        scale = ctx.policy.scale(command.scale or ctx.policy.default_scale)
    except ConfigurationError as error:
        raise Broken(error.field or "kind", error.rule or "policy", error.detail) from None
    if command.finding is not None and command.finding not in {
        f.reference for f in report.details.findings
    }:
        raise Broken(
            "finding",
            "finding-in-report",
            f"report {report.reference!r} has no finding {command.finding!r}",
        )
    if command.effective_on < report.details.published_on:
        raise Broken(
            "effective_on",
            "not-before-report",
            f"raised on {command.effective_on}, before report {report.reference!r} was "
            f"published ({report.details.published_on})",
        )
    source_sensitive = report.sensitive
    if command.sensitive is False and source_sensitive:
        raise Broken(
            "sensitive",
            "sensitive-source",
            f"report {report.reference!r} is sensitive, so its recommendations are too",
        )
    _check_priority(ctx.policy, command.priority)
    _check_response(ctx.policy, command.response)
    scope = command.scope
    if scope is None and command.addressed_to is not None:
        scope = Scope.ADDRESSED
    if scope is None:
        scope = Scope.NATIONAL if report.details.national else Scope.BODY
    return Raised(
        **_meta(command, ctx),
        reference=command.reference,
        text=command.text,
        points=command.points,
        body=report.details.body,
        report=report.reference,
        inspection=report.details.inspection,
        finding=command.finding,
        inspectorates=report.details.inspectorates,
        kind=kind,
        scope=scope,
        sensitive=source_sensitive or bool(command.sensitive),
        scale=scale,
        grade=command.grade,
        owner=command.owner,
        owner_name=command.owner_name,
        due_on=command.due_on,
        priority=command.priority,
        response=command.response,
        response_text=command.response_text,
        addressed_to=command.addressed_to,
        due_precision=command.due_precision,
    )


def _check_priority(policy: Policy, priority: str | None) -> None:
    """Rule ``priority-configured``: a priority is one the policy in force lists."""
    allowed = [term.code for term in policy.priorities]
    if priority is not None and priority not in allowed:
        raise Broken(
            "priority",
            "priority-configured",
            f"priority {priority!r} is not one this store's policy gives "
            f"({', '.join(allowed) or 'it gives none'})",
        )


def _check_response(policy: Policy, response: Response | None) -> None:
    """Rule ``response-configured``: a response is one the policy in force labels."""
    allowed = [term.code for term in policy.responses]
    if isinstance(response, Response) and response.value not in allowed:
        raise Broken(  # pragma: no cover - a policy labels every response
            "response",
            "response-configured",
            f"response {response.value!r} is not one this store's policy labels",
        )


@_build.register
def _(command: Prioritise, ctx: _Context, history: Sequence[RecommendationEvent]) -> Prioritised:
    _check_priority(ctx.policy, command.priority)
    return Prioritised(**_meta(command, ctx), priority=command.priority)


@_build.register
def _(
    command: RecordResponse, ctx: _Context, history: Sequence[RecommendationEvent]
) -> ResponseRecorded:
    _check_response(ctx.policy, command.response)
    return ResponseRecorded(
        **_meta(command, ctx), response=command.response, response_text=command.response_text
    )


@_build.register
def _(command: Assign, ctx: _Context, history: Sequence[RecommendationEvent]) -> Assigned:
    return Assigned(**_meta(command, ctx), owner=command.owner, owner_name=command.owner_name)


@_build.register
def _(command: Regrade, ctx: _Context, history: Sequence[RecommendationEvent]) -> Regraded:
    return Regraded(**_meta(command, ctx), grade=command.grade)


@_build.register
def _(
    command: NoteProgress, ctx: _Context, history: Sequence[RecommendationEvent]
) -> ProgressNoted:
    return ProgressNoted(**_meta(command, ctx), note=command.note, evidence=command.evidence)


@_build.register
def _(
    command: ChangeDeadline, ctx: _Context, history: Sequence[RecommendationEvent]
) -> DeadlineChanged:
    return DeadlineChanged(
        **_meta(command, ctx), due_on=command.due_on, due_precision=command.due_precision
    )


@_build.register
def _(
    command: ClaimImplementation, ctx: _Context, history: Sequence[RecommendationEvent]
) -> ImplementationClaimed:
    return ImplementationClaimed(
        **_meta(command, ctx), note=command.note, evidence=command.evidence
    )


@_build.register
def _(command: Discharge, ctx: _Context, history: Sequence[RecommendationEvent]) -> Discharged:
    allowed = [term.code for term in ctx.policy.outcomes]
    if isinstance(command.outcome, Outcome) and command.outcome.value not in allowed:
        raise Broken(
            "outcome",
            "outcome-configured",
            f"outcome {command.outcome.value!r} is not one this store's policy allows "
            f"({', '.join(allowed)})",
        )
    return Discharged(
        **_meta(command, ctx),
        outcome=command.outcome,
        accepted_by=command.accepted_by,
        acceptor_role=command.acceptor_role,
        superseded_by=command.superseded_by,
    )


@_build.register
def _(command: RejectClaim, ctx: _Context, history: Sequence[RecommendationEvent]) -> ClaimRejected:
    return ClaimRejected(**_meta(command, ctx))


@_build.register
def _(command: Reopen, ctx: _Context, history: Sequence[RecommendationEvent]) -> Reopened:
    return Reopened(**_meta(command, ctx))


@_build.register
def _(command: Correct, ctx: _Context, history: Sequence[RecommendationEvent]) -> Corrected:
    if is_blank(command.what_was_wrong):
        raise Broken("what_was_wrong", "required", "a correction says what was wrong")
    current = _current_entry(history, command.version, ctx.reference)
    if command.strike:
        if command.changes:
            raise Broken(
                "changes",
                "correction-target",
                "a correction either strikes an entry out or changes it, not both",
            )
        if isinstance(current, Raised):
            raise Broken(
                "strike",
                "correction-target",
                "the raising cannot be struck out; correct its fields instead",
            )
        replacement: Amendable | None = None
    else:
        if not command.changes:
            raise Broken("changes", "no-change", "a correction names at least one change")
        fields = {a.name for a in attrs.fields(type(current))}
        fixed = _FIXED_FIELDS | (_FIXED_AT_RAISING if isinstance(current, Raised) else set())
        for name, _value in command.changes:
            if name not in fields or name in fixed:
                correctable = sorted(fields - fixed)
                raise Broken(
                    name,
                    "correction-target",
                    f"{name!r} cannot be corrected on a {type(current).__name__} entry "
                    f"(correctable: {', '.join(correctable)})",
                )
        replacement = attrs.evolve(current, **dict(command.changes))
        problem = type_problem(replacement)
        if problem is not None:
            raise Broken(problem[0], "type", problem[1])
        if isinstance(current, Raised) and isinstance(replacement, Raised):
            _check_raising_correction(current, replacement, ctx.report)
        if isinstance(replacement, Raised | Prioritised) and (
            replacement.priority != getattr(current, "priority", None)
        ):
            _check_priority(ctx.policy, replacement.priority)
        if replacement == current:
            raise Broken("changes", "no-change", "the entry already reads so")
        check_not_in_future(replacement.effective_on, current.recorded_at.date())
    return Corrected(
        **_meta(command, ctx),
        corrects=command.version,
        what_was_wrong=command.what_was_wrong,
        replacement=replacement,
    )


def _check_raising_correction(current: Raised, replacement: Raised, report: Report | None) -> None:
    """The rules a raising met that a correction of it could otherwise get round."""
    needs_report = (
        replacement.effective_on != current.effective_on
        or replacement.sensitive != current.sensitive
    )
    if not needs_report:
        return
    if report is None or report.reference != current.report:
        raise NotFound(
            f"report {current.report!r} is needed to check this correction",
            reference=current.reference,
            field="report",
        )
    if replacement.effective_on < report.details.published_on:
        raise Broken(
            "effective_on",
            "not-before-report",
            f"raised on {replacement.effective_on}, before report {report.reference!r} was "
            f"published ({report.details.published_on})",
        )
    if not replacement.sensitive and report.sensitive:
        raise Broken(
            "sensitive",
            "sensitive-source",
            f"report {report.reference!r} is sensitive, so its recommendations are too",
        )


def _current_entry(
    history: Sequence[RecommendationEvent], version: int, reference: str
) -> Amendable:
    if not 1 <= version <= len(history):
        raise NotFound(
            f"it has no entry {version} (it has entries 1 to {len(history)})",
            reference=reference,
            field="version",
        )
    target = history[version - 1]
    if isinstance(target, Corrected):
        raise Broken(
            "version",
            "correction-target",
            f"entry {version} is itself a correction (of entry {target.corrects}); "
            f"correct entry {target.corrects} again instead",
        )
    for entry in amended(history):
        if entry.originator_version == version:
            return entry
    raise Broken(
        "version",
        "correction-target",
        f"entry {version} was struck out; it can no longer be corrected",
    )
