"""The committee update: what an oversight committee is told between two of its meetings.

:class:`CommitteeUpdate` is data, not text: the inspections since the previous committee
(and those still to come), the reports received since, with their grades and the
recommendations raised from them, counts by report and grade, the items graded on the worst
grade of their scale, the overdue ones, what moved (raised, regraded, claimed, discharged,
reopened) between the two committees, and the deadlines that slipped. A renderer turns it
into the paper; ``examples/west_midlands_2017.py`` prints it as plain text.

Everything is as at this committee's date (``basis.as_at``) and as known at
``basis.known_at``, up to log position ``basis.position``: a decision entered after the
committee it was taken at is in the update only as known after it was entered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import attrs
from attrs import frozen

from recommendations._errors import RuleViolation
from recommendations.domain import (
    DEFAULT_POLICY,
    PLAN_SCALE,
    ClaimRejected,
    Discharged,
    Escalated,
    ImplementationClaimed,
    Inspection,
    InspectionEvent,
    Outcome,
    Policy,
    Raised,
    Recommendation,
    RecommendationEvent,
    Regraded,
    ReminderEvent,
    ReminderSent,
    Reopened,
    Report,
    ReportEvent,
    Scope,
    Status,
    Term,
    evolve,
    project,
    project_inspection,
    project_report,
    timeline,
)

from ._disclosure import BODY_VIEW, Disclosure
from ._log import Positioned, by_item, upto
from ._register import Basis, RegisterRow, kind_label

__all__ = [
    "Awaiting",
    "CommitteeUpdate",
    "GradeCount",
    "KindCount",
    "Movement",
    "ReceivedReport",
    "ReportCount",
    "build_committee_update",
    "kind_label",
]


@frozen(kw_only=True)
class ReceivedReport:
    """A report received since the previous committee, and what was raised from it.

    ``report`` has the grades (``report.details.overall_grade`` and ``area_grades``, on
    ``report.details.scale``) and the findings; ``recommendations`` are the rows raised from
    it by the committee's date, by reference.
    """

    report: Report
    recommendations: tuple[RegisterRow, ...]


@frozen(kw_only=True)
class GradeCount:
    """How many open items of a report stand at one grade."""

    grade: str
    label: str
    count: int


@frozen(kw_only=True)
class ReportCount:
    """One report's recommendations as at the committee's date.

    ``total`` counts them all; ``by_grade`` counts the open ones (not discharged) by grade,
    worst first, leaving out grades nobody stands at; ``ungraded`` the open ones with no
    grade, ``discharged`` the rest. ``national`` is how many were made to every body.
    ``not_implemented`` is how many of the discharged were closed not implemented
    (:attr:`~recommendations.Outcome.NOT_IMPLEMENTED`): never counted as implemented.
    """

    report: Report
    total: int
    national: int
    by_grade: tuple[GradeCount, ...]
    ungraded: int
    discharged: int
    not_implemented: int = 0

    def grades(self) -> dict[str, int]:
        """Open items by grade code: ``{"green": 33, "amber": 6}``."""
        return {count.grade: count.count for count in self.by_grade}


@frozen(kw_only=True)
class KindCount:
    """The items of one kind (recommendations apart from areas for improvement) as at the
    committee's date: ``total``, then how many stand ``open``, ``claimed`` (closure
    proposed, awaiting acceptance) and ``discharged``, and how many are ``overdue``. Items
    at a grade the policy leaves uncounted are not in it."""

    kind: str
    label: str
    total: int
    open: int
    claimed: int
    discharged: int
    overdue: int


@frozen(kw_only=True)
class Awaiting:
    """An item whose closure the body proposed (an implementation claimed) and that is
    not yet accepted or rejected: its row, and the date of the claim."""

    row: RegisterRow
    claimed_on: date

    def days(self, on: date) -> int:
        """How many days it has waited by ``on``."""
        return (on - self.claimed_on).days


@frozen(kw_only=True)
class Movement:
    """Something that happened to a recommendation between the two committees.

    Only an entry that changed something is a movement: a regrading to the grade the item
    already had (a regrading corrected back) is not one.

    ``event`` is the entry's type: ``Raised`` (``after`` is its first grade),
    ``Regraded`` (``before`` and ``after`` are grades), ``ImplementationClaimed``,
    ``ClaimRejected`` and ``Reopened`` (statuses), or ``Discharged`` (``before`` the status,
    ``after`` the outcome).
    """

    reference: str
    version: int
    event: str
    effective_on: date
    recorded_at: datetime
    before: str | None
    after: str | None


@frozen(kw_only=True)
class CommitteeUpdate:
    """What a committee meeting on ``basis.as_at`` is told, since the one on ``since``.

    - ``inspections``: fieldwork in the period (started on or before this committee, and
      not over by the previous one), by start;
    - ``announced``: inspections entered whose fieldwork has not begun by this committee
      (or has no date yet) and that no report has come from;
    - ``reports``: reports published in the period, by publication date;
    - ``counts``: every report entered by this committee, newest first, with its
      recommendations counted by grade;
    - ``reds``: open rows graded on the worst grade of their scale; ``overdue``: open rows
      past their due date; ``slips``: open rows whose due date moved from the first one set;
    - ``movements``: what was raised, regraded, claimed (or had its claim rejected),
      discharged or reopened with an effective date in the period, by date;
    - ``rows``: the whole register as at this committee, by reference;
    - ``kinds``: the items counted by kind (the policy's kinds first, in its order);
    - ``awaiting``: items whose closure is proposed and awaits acceptance, oldest claim
      first;
    - ``aged``: open items with no due date past the policy's age-based target
      (``target_days`` after they were raised; none when the policy sets no target).

    Each report in ``counts`` carries its improvement plan's status
    (``report.plan_status``), labelled by ``plan_statuses``.

    ``disclosure`` says whom it is for and what was withheld (see
    :func:`~recommendations.views.for_audience`).
    """

    since: date
    basis: Basis
    inspections: tuple[Inspection, ...]
    announced: tuple[Inspection, ...]
    reports: tuple[ReceivedReport, ...]
    counts: tuple[ReportCount, ...]
    reds: tuple[RegisterRow, ...]
    overdue: tuple[RegisterRow, ...]
    slips: tuple[RegisterRow, ...]
    movements: tuple[Movement, ...]
    rows: tuple[RegisterRow, ...]
    disclosure: Disclosure = BODY_VIEW
    reminded: tuple[str, ...] = ()
    """The items whose owners (or those above them) were sent a reminder in the period
    (a :class:`~recommendations.domain.ReminderSent` effective in it), by reference."""
    escalated: tuple[str, ...] = ()
    """The items escalated in the period (an :class:`~recommendations.domain.Escalated`
    effective in it), by reference."""
    statuses: tuple[Term, ...] = DEFAULT_POLICY.statuses
    """The labels of the statuses, and ``outcomes`` those of the outcomes, in the policy in
    force on the committee's date."""
    outcomes: tuple[Term, ...] = DEFAULT_POLICY.outcomes
    kinds: tuple[KindCount, ...] = ()
    awaiting: tuple[Awaiting, ...] = ()
    aged: tuple[RegisterRow, ...] = ()
    target_days: int | None = None
    plan_statuses: tuple[Term, ...] = ()
    """The statuses of a report's improvement plan, with their labels (the grades of the
    policy's ``improvement-plan`` scale)."""
    uncounted: tuple[str, ...] = ()
    """The grades the policy leaves out of the counts."""

    def plan_label(self, code: str | None) -> str:
        """The label of an improvement plan's status (empty for none recorded)."""
        if code is None:
            return ""
        return next((t.label for t in self.plan_statuses if t.code == code), code)

    def status_label(self, status: Status) -> str:
        """The label of ``status`` in the policy in force then."""
        return next((t.label for t in self.statuses if t.code == status.value), status.value)

    def outcome_label(self, code: str) -> str:
        """The label of the outcome ``code`` in the policy in force then."""
        return next((t.label for t in self.outcomes if t.code == code), code.replace("-", " "))

    @property
    def as_at(self) -> date:
        """This committee's date."""
        return self.basis.as_at

    def count(self, report: str) -> ReportCount | None:
        """The counts of the report with this reference, if it is in the update."""
        for count in self.counts:
            if count.report.reference == report:
                return count
        return None

    def _moved(self, event: str) -> tuple[Movement, ...]:
        return tuple(m for m in self.movements if m.event == event)

    @property
    def raised(self) -> tuple[Movement, ...]:
        return self._moved("Raised")

    @property
    def regraded(self) -> tuple[Movement, ...]:
        return self._moved("Regraded")

    @property
    def claimed(self) -> tuple[Movement, ...]:
        return self._moved("ImplementationClaimed")

    @property
    def discharged(self) -> tuple[Movement, ...]:
        return self._moved("Discharged")

    @property
    def rejected(self) -> tuple[Movement, ...]:
        """Claims of implementation turned down."""
        return self._moved("ClaimRejected")

    @property
    def reopened(self) -> tuple[Movement, ...]:
        return self._moved("Reopened")


# --- building -------------------------------------------------------------------------------


def _fieldwork(inspection: Inspection) -> tuple[date | None, date | None]:
    details = inspection.details
    start = details.fieldwork_from or details.fieldwork_to
    end = details.fieldwork_to or details.fieldwork_from
    return start, end


def _not_begun(inspection: Inspection, as_at: date) -> bool:
    start = _fieldwork(inspection)[0]
    return start is None or start > as_at


def _movements(item: list[RecommendationEvent], since: date, as_at: date) -> Iterator[Movement]:
    state: Recommendation | None = None
    for entry in timeline(item, as_at=as_at):
        before = state
        state = evolve(entry, state)
        if entry.effective_on <= since:
            continue
        moved: tuple[str | None, str | None] | None = None
        if isinstance(entry, Raised):
            moved = (None, entry.grade)
        elif isinstance(entry, Regraded) and before is not None:
            if before.grade != entry.grade:  # a corrected regrading may change nothing
                moved = (before.grade, entry.grade)
        elif isinstance(entry, ImplementationClaimed | ClaimRejected | Reopened) and (
            before is not None
        ):
            if before.status is not state.status:
                moved = (before.status.value, state.status.value)
        elif isinstance(entry, Discharged) and before is not None:
            moved = (before.status.value, entry.outcome.value)
        if moved is not None:
            yield Movement(
                reference=state.reference,
                version=entry.originator_version,
                event=type(entry).__name__,
                effective_on=entry.effective_on,
                recorded_at=entry.recorded_at,
                before=moved[0],
                after=moved[1],
            )


def _count(report: Report, states: list[Recommendation]) -> ReportCount:
    still_open = [s for s in states if s.is_open]
    graded = Counter((s.scale, s.grade) for s in still_open if s.grade is not None)
    scales = list(dict.fromkeys(s.scale for s in still_open))
    by_grade = tuple(
        GradeCount(grade=code, label=scale.label(code), count=graded[scale, code])
        for scale in scales
        for code in scale.codes
        if graded[scale, code]
    )
    return ReportCount(
        report=report,
        total=len(states),
        national=sum(1 for s in states if s.scope is Scope.NATIONAL),
        by_grade=_merged(by_grade),
        ungraded=sum(1 for s in still_open if s.grade is None),
        discharged=len(states) - len(still_open),
        not_implemented=sum(1 for s in states if s.outcome is Outcome.NOT_IMPLEMENTED),
    )


def count_kinds(
    rows: Iterable[RegisterRow], kinds: Iterable[str], uncounted: Iterable[str] = ()
) -> tuple[KindCount, ...]:
    """The rows counted by kind: one count for each of ``kinds`` (in that order, even if
    none stands at it), then for any other kind the rows have; rows at an ``uncounted``
    grade are left out."""
    left_out = set(uncounted)
    counted = [row for row in rows if row.grade not in left_out]
    names = list(dict.fromkeys([*kinds, *(row.kind for row in counted)]))
    made = []
    for name in names:
        mine = [row for row in counted if row.kind == name]
        made.append(
            KindCount(
                kind=name,
                label=kind_label(name),
                total=len(mine),
                open=sum(1 for row in mine if row.status is Status.OPEN),
                claimed=sum(1 for row in mine if row.status is Status.CLAIMED),
                discharged=sum(1 for row in mine if row.status is Status.DISCHARGED),
                overdue=sum(1 for row in mine if row.overdue),
            )
        )
    return tuple(made)


def _merged(counts: Iterable[GradeCount]) -> tuple[GradeCount, ...]:
    """One count per grade code, in first-seen order (items on two scales may share codes)."""
    merged: dict[str, GradeCount] = {}
    for count in counts:
        if count.grade in merged:
            count = attrs.evolve(count, count=merged[count.grade].count + count.count)
        merged[count.grade] = count
    return tuple(merged.values())


def build_committee_update(
    log: Iterable[Positioned], *, since: date, basis: Basis, policy: Policy = DEFAULT_POLICY
) -> CommitteeUpdate:
    """The update for a committee on ``basis.as_at``, the previous one having met on
    ``since``, from ``log`` as known at ``basis.known_at`` up to ``basis.position``.

    ``policy`` is the policy in force then: it says when an item with no due date is
    overdue, and which grades mean an item is not the body's to act on (such items are
    left out of the counts by report and grade, and of the reds)."""
    as_at = basis.as_at
    if not isinstance(since, date) or isinstance(since, datetime):
        raise RuleViolation(
            f"since must be a date, not {type(since).__name__} {since!r}",
            field="since",
            rule="type",
        )
    if since >= as_at:
        raise RuleViolation(
            f"the previous committee ({since}) must come before this one ({as_at})",
            field="since",
            rule="committees-in-order",
        )
    events = [
        logged.event
        for logged in upto(log, basis.position)
        if logged.event.recorded_at <= basis.known_at
    ]
    projected = (project_inspection(item, as_at=as_at) for item in by_item(events, InspectionEvent))
    inspections = sorted(
        (i for i in projected if i is not None),
        key=lambda i: (_fieldwork(i)[0] or i.entered_on, i.reference),
    )
    sensitive = {i.reference for i in inspections if i.sensitive}
    reports = [
        attrs.evolve(r, inspection_sensitive=r.details.inspection in sensitive)
        for r in (project_report(item, as_at=as_at) for item in by_item(events, ReportEvent))
        if r is not None
    ]
    items = by_item(events, RecommendationEvent)
    states = sorted(
        (s for s in (project(item, as_at=as_at) for item in items) if s is not None),
        key=lambda s: s.reference,
    )
    rows = tuple(
        attrs.evolve(
            row,
            overdue=policy.is_overdue(
                status=row.status, due_on=row.due_on, raised_on=row.raised_on, on=as_at
            ),
        )
        for row in (RegisterRow.of(state, as_at) for state in states)
    )
    counted = [s for s in states if policy.counted(s.grade)]

    during = []
    for inspection in inspections:
        start, end = _fieldwork(inspection)
        if start is not None and end is not None and start <= as_at and end > since:
            during.append(inspection)
    reported = {r.details.inspection for r in reports if r.details.inspection is not None}
    announced = [
        i
        for i in inspections
        if i not in during and _not_begun(i, as_at) and i.reference not in reported
    ]
    received = [r for r in reports if since < r.details.published_on <= as_at]
    received.sort(key=lambda r: (r.details.published_on, r.reference))
    newest_first = sorted(reports, key=lambda r: (r.details.published_on, r.reference))[::-1]
    movements = sorted(
        (m for item in items for m in _movements(item, since, as_at)),
        key=lambda m: (m.effective_on, m.reference, m.version),
    )
    by_state = list(zip(states, rows, strict=True))
    reminders = [
        e for e in events if isinstance(e, ReminderEvent) and since < e.effective_on <= as_at
    ]
    return CommitteeUpdate(
        reminded=tuple(sorted({e.reference for e in reminders if isinstance(e, ReminderSent)})),
        escalated=tuple(sorted({e.reference for e in reminders if isinstance(e, Escalated)})),
        since=since,
        basis=basis,
        inspections=tuple(during),
        announced=tuple(announced),
        reports=tuple(
            ReceivedReport(
                report=report,
                recommendations=tuple(row for row in rows if row.report == report.reference),
            )
            for report in received
        ),
        counts=tuple(
            _count(report, [s for s in counted if s.report == report.reference])
            for report in newest_first
        ),
        reds=tuple(
            row
            for state, row in by_state
            if state.is_open and state.grade == state.scale.codes[0] and policy.counted(state.grade)
        ),
        overdue=tuple(row for row in rows if row.overdue),
        slips=tuple(
            row
            for row in rows
            if row.status is not Status.DISCHARGED and row.due_on != row.original_due_on
        ),
        movements=tuple(movements),
        rows=rows,
        statuses=policy.statuses,
        outcomes=policy.outcomes,
        kinds=count_kinds(rows, (kind.name for kind in policy.kinds), policy.uncounted),
        awaiting=tuple(
            sorted(
                (
                    Awaiting(row=row, claimed_on=state.claimed_on)
                    for state, row in by_state
                    if state.status is Status.CLAIMED and state.claimed_on is not None
                ),
                key=lambda a: (a.claimed_on, a.row.reference),
            )
        ),
        aged=tuple(row for row in rows if row.overdue and row.due_on is None),
        target_days=policy.overdue_after_days,
        plan_statuses=_plan_statuses(policy),
        uncounted=policy.uncounted,
    )


def _plan_statuses(policy: Policy) -> tuple[Term, ...]:
    for scale in policy.scales:
        if scale.name == PLAN_SCALE:
            return tuple(Term(grade.code, grade.label) for grade in scale.grades)
    return ()
