"""The register: one row per recommendation, as at a date, as known at a time.

Every answer carries its :class:`Basis`: the effective date it is true on, the recorded time
it is known at, and the last log position it includes. Asking again with the same basis gives
the same answer, whatever has been recorded since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import NamedTuple

import attrs
from attrs import frozen

from recommendations.domain import (
    DuePrecision,
    Outcome,
    Policy,
    Recommendation,
    RecommendationEvent,
    Report,
    Response,
    Scope,
    Status,
    project,
    shown_due,
)

from ._disclosure import BODY_VIEW, Disclosure
from ._log import Positioned, by_item, upto

__all__ = [
    "Basis",
    "Register",
    "RegisterFilter",
    "RegisterLabels",
    "RegisterLine",
    "RegisterRow",
    "RegisterStream",
    "build_register",
    "judged",
]


@frozen(kw_only=True)
class Basis:
    """What an answer was computed from.

    ``as_at`` is the effective date V (what was true on that day), ``known_at`` the recorded
    time K (what the log said then) and ``position`` the last log position the answer
    includes: entries after it are left out even if recorded before ``known_at``.
    """

    as_at: date
    known_at: datetime
    position: int


@frozen(kw_only=True)
class RegisterRow:
    """One recommendation in the register.

    ``due_precision`` is ``"month"`` for a due date known only to the month (``due_on`` is
    its last day): :attr:`due_shown` shows it as the month. ``original_due_precision`` is
    that of ``original_due_on``.
    ``points`` are its lettered sub-items, in full; ``outcome`` how it was discharged (an
    :class:`~recommendations.domain.Outcome` value), ``None`` while it is not.
    """

    reference: str
    text: str
    kind: str
    body: str
    inspectorates: tuple[str, ...]
    inspection: str | None
    report: str
    finding: str | None
    scope: Scope
    sensitive: bool
    owner: str | None
    owner_name: str | None
    grade: str | None
    status: Status
    due_on: date | None
    original_due_on: date | None
    deferrals: int
    overdue: bool
    raised_on: date
    last_changed_on: date
    priority: str | None = None
    response: Response | None = None
    response_text: str | None = None
    addressed_to: str | None = None
    due_precision: DuePrecision = "day"
    original_due_precision: DuePrecision = "day"

    @property
    def due_shown(self) -> str:
        """The due date as people read it: ``2026-03-15``, ``March 2026``, or ``""``."""
        return shown_due(self.due_on, self.due_precision)

    points: tuple[str, ...] = ()
    outcome: str | None = None

    @classmethod
    def of(cls, state: Recommendation, as_at: date) -> RegisterRow:
        """The row of ``state``, with ``overdue`` judged on ``as_at``."""
        return cls(
            reference=state.reference,
            text=state.text,
            kind=state.kind.name,
            body=state.body,
            inspectorates=state.inspectorates,
            inspection=state.inspection,
            report=state.report,
            finding=state.finding,
            scope=state.scope,
            sensitive=state.sensitive,
            owner=state.owner,
            owner_name=state.owner_name,
            grade=state.grade,
            status=state.status,
            due_on=state.due_on,
            original_due_on=state.original_due_on,
            deferrals=state.deferrals,
            overdue=state.is_overdue(as_at),
            raised_on=state.raised_on,
            last_changed_on=state.last_changed_on,
            priority=state.priority,
            response=state.response,
            response_text=state.response_text,
            addressed_to=state.addressed_to,
            due_precision=state.due_precision,
            original_due_precision=state.original_due_precision,
            points=state.points,
            outcome=state.outcome.value if state.outcome is not None else None,
        )


class RegisterLine(NamedTuple):
    """One recommendation in the register, as a named tuple: the fields of
    :class:`RegisterRow`, with the same names, types and order, read straight from a
    store's view tables (what a :class:`RegisterStream` lists). :meth:`row` makes the
    :class:`RegisterRow`; ``line == tuple(attrs.astuple(line.row()))``.
    """

    reference: str
    text: str
    kind: str
    body: str
    inspectorates: tuple[str, ...]
    inspection: str | None
    report: str
    finding: str | None
    scope: Scope
    sensitive: bool
    owner: str | None
    owner_name: str | None
    grade: str | None
    status: Status
    due_on: date | None
    original_due_on: date | None
    deferrals: int
    overdue: bool
    raised_on: date
    last_changed_on: date
    priority: str | None = None
    response: Response | None = None
    response_text: str | None = None
    addressed_to: str | None = None
    due_precision: DuePrecision = "day"
    original_due_precision: DuePrecision = "day"

    @property
    def due_shown(self) -> str:
        """The due date as people read it: ``2026-03-15``, ``March 2026``, or ``""``."""
        return shown_due(self.due_on, self.due_precision)

    points: tuple[str, ...] = ()
    outcome: str | None = None

    def row(self) -> RegisterRow:
        """The :class:`RegisterRow` of this line."""
        return RegisterRow(**self._asdict())

    @classmethod
    def of(cls, row: RegisterRow) -> RegisterLine:
        """The line of ``row``."""
        return cls(*(getattr(row, name) for name in cls._fields))


@frozen(kw_only=True)
class RegisterFilter:
    """Which rows to keep; ``None`` keeps every value of that column.

    ``body`` keeps the rows of one body: those whose inspected body is ``body`` or that are
    addressed to it (``addressed_to``).
    """

    reference: str | None = None
    report: str | None = None
    grade: str | None = None
    status: Status | None = None
    owner: str | None = None
    overdue: bool | None = None
    scope: Scope | None = None
    body: str | None = None
    priority: str | None = None

    def __call__(self, row: RegisterRow | RegisterLine) -> bool:
        return (
            (self.reference is None or row.reference == self.reference)
            and (self.report is None or row.report == self.report)
            and (self.grade is None or row.grade == self.grade)
            and (self.status is None or row.status is self.status)
            and (self.owner is None or row.owner == self.owner)
            and (self.overdue is None or row.overdue is self.overdue)
            and (self.scope is None or row.scope is self.scope)
            and (self.body is None or self.body in (row.body, row.addressed_to))
            and (self.priority is None or row.priority == self.priority)
        )


def kind_label(kind: str) -> str:
    """How a kind of item is named for people: ``area-for-development`` as ``Area for
    development`` (a policy names its kinds by code only)."""
    words = kind.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@frozen(kw_only=True)
class RegisterLabels:
    """What a register's codes read as, for people: each report's title by reference, and
    the labels the policy gives statuses, outcomes, grades (by code, over all its scales,
    the first scale's label where two share a code) and kinds of item. The exports add a
    column of labels beside each column of codes (see :meth:`of_row`)."""

    report_titles: Mapping[str, str] = attrs.field(factory=dict)
    statuses: Mapping[str, str] = attrs.field(factory=dict)
    outcomes: Mapping[str, str] = attrs.field(factory=dict)
    grades: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def of(cls, policy: Policy, reports: Iterable[Report] = ()) -> RegisterLabels:
        """The labels of ``policy``, with the titles of ``reports``."""
        grades: dict[str, str] = {}
        for scale in policy.scales:
            for grade in scale.grades:
                grades.setdefault(grade.code, grade.label)
        return cls(
            report_titles={report.reference: report.details.title for report in reports},
            statuses={term.code: term.label for term in policy.statuses},
            outcomes={o.value: policy.outcome_label(o) for o in Outcome},
            grades=grades,
        )

    def of_row(self, row: RegisterRow | RegisterLine) -> dict[str, str | None]:
        """The label columns of ``row``: ``report_title``, ``grade_label``,
        ``status_label``, ``outcome_label`` and ``kind_label`` (a code's own text where no
        label is configured; ``None`` where the code is)."""
        grade, outcome = row.grade, row.outcome
        return {
            "report_title": self.report_titles.get(row.report),
            "grade_label": self.grades.get(grade, grade) if grade is not None else None,
            "status_label": self.statuses.get(row.status.value, row.status.value),
            "outcome_label": self.outcomes.get(outcome, outcome) if outcome is not None else None,
            "kind_label": kind_label(row.kind),
        }


@frozen(kw_only=True)
class Register:
    """The rows of the register, by reference, and the basis they were computed on.

    ``disclosure`` says whom the rows are for and what was left out of them (see
    :func:`~recommendations.views.for_audience`); by default, nothing.
    """

    basis: Basis
    rows: tuple[RegisterRow, ...]
    disclosure: Disclosure = BODY_VIEW
    labels: RegisterLabels | None = None
    """What its codes read as (report titles, the policy's labels), if known: the exports
    then write them beside the codes."""

    def __iter__(self) -> Iterator[RegisterRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, reference: str) -> RegisterRow | None:
        for row in self.rows:
            if row.reference == reference:
                return row
        return None


@frozen(kw_only=True)
class RegisterStream:
    """A register listed as its rows are read from the store, a page at a time, rather
    than held whole: iterate it (as often as needed) for its :class:`RegisterLine` objects,
    by reference, the same rows as the :class:`Register` on the same basis, for the same
    audience. Made by :meth:`Tracker.stream_register
    <recommendations.Tracker.stream_register>`.

    ``count`` is the number of rows it lists (``len``); ``disclosure`` says what it leaves
    out.
    """

    basis: Basis
    disclosure: Disclosure = BODY_VIEW
    count: int
    lines: Callable[[], Iterator[RegisterLine]]
    labels: RegisterLabels | None = None

    def __iter__(self) -> Iterator[RegisterLine]:
        return self.lines()

    def __len__(self) -> int:
        return self.count


def build_register(
    log: Iterable[Positioned], basis: Basis, where: RegisterFilter | None = None
) -> Register:
    """The register of ``log`` on ``basis``: what :meth:`Tracker.register
    <recommendations.Tracker.register>` answers, from a log held in memory."""
    keep = where or RegisterFilter()
    events = [logged.event for logged in upto(log, basis.position)]
    rows = []
    for item in by_item(events, RecommendationEvent):
        state = project(item, as_at=basis.as_at, known_at=basis.known_at)
        if state is not None:
            row = RegisterRow.of(state, basis.as_at)
            if keep(row):
                rows.append(row)
    rows.sort(key=lambda row: row.reference)
    return Register(basis=basis, rows=tuple(rows))


def judged(register: Register, policy: Policy, where: RegisterFilter | None = None) -> Register:
    """``register`` with each row's ``overdue`` judged by ``policy`` on the basis's date
    (an item with no due date is overdue ``policy.overdue_after_days`` after it was
    raised), then kept if ``where`` matches it."""
    keep = where or RegisterFilter()
    on = register.basis.as_at
    rows = []
    for row in register.rows:
        overdue = policy.is_overdue(
            status=row.status, due_on=row.due_on, raised_on=row.raised_on, on=on
        )
        if overdue is not row.overdue:
            row = attrs.evolve(row, overdue=overdue)
        if keep(row):
            rows.append(row)
    return attrs.evolve(register, rows=tuple(rows))
