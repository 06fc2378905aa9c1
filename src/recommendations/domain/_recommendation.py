"""A recommendation's state, how events change it, and the bitemporal timeline.

The state is never stored: it is a fold of the log. Which events are folded, and in which
order, is the time model:

1. take the entries *recorded* at or before ``known_at`` (the whole log by default);
2. replace each entry that a correction (also recorded by then) amends, or drop it if the
   correction strikes it out; the later of two corrections of one entry wins;
3. order them by ``(effective_on, originator_version)``, the effective-date timeline;
4. keep those *effective* on or before ``as_at`` (all of them by default);
5. fold them with :func:`evolve`.

Every entry in the log was checked against the rules with the whole timeline in place when it
was recorded, so any prefix of any timeline the log has ever held folds without error.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import singledispatch

import attrs
from attrs import frozen

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
)
from ._months import DuePrecision, shown_due
from ._values import GradingScale, ItemKind, Outcome, Response, Scope, Status

__all__ = ["Recommendation", "evolve", "project", "timeline"]


@frozen(kw_only=True)
class Recommendation:
    """A recommendation as it stands: a fold of its log, never stored.

    ``version`` is the number of log entries this state was computed from (the entries known
    at the time asked about, whether or not already effective), so that the same question
    asked later with the same basis gives the same answer.

    ``due_precision`` and ``original_due_precision`` say how precisely ``due_on`` and
    ``original_due_on`` are known: ``"month"`` for a month alone (the date is its last day).
    """

    id: uuid.UUID
    version: int
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
    original_due_on: date | None
    deferrals: int
    status: Status
    outcome: Outcome | None
    accepted_by: str | None
    acceptor_role: str | None
    superseded_by: str | None
    raised_on: date
    last_changed_on: date
    claimed_on: date | None
    discharged_on: date | None
    times_reopened: int
    progress_notes: int
    last_note: str | None
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

    @property
    def is_open(self) -> bool:
        """Not discharged (open, or claimed and awaiting acceptance)."""
        return self.status is not Status.DISCHARGED

    def is_overdue(self, on: date) -> bool:
        """Open, and ``on`` is after the date this state says it was due by.

        Ask it of the state as at ``on`` (``project(log, as_at=on)``): a state as at another
        day may have another due date.
        """
        return self.is_open and self.due_on is not None and self.due_on < on


@singledispatch
def evolve(event: RecommendationEvent, state: Recommendation | None) -> Recommendation:
    """The state after ``event``; pure, and assumes the rules were checked."""
    raise TypeError(f"no evolve rule for {type(event).__name__}")  # pragma: no cover


_FIELDS = tuple(a.name for a in attrs.fields(Recommendation))
_VALUES = operator.attrgetter(*_FIELDS)
_INDEX = {name: index for index, name in enumerate(_FIELDS)}
_LAST_CHANGED = _INDEX["last_changed_on"]
_SLOTS = tuple(getattr(Recommendation, name).__set__ for name in _FIELDS)
"""The slots' own setters, field by field (a frozen class's ``__setattr__`` refuses)."""


def _raised(state: Recommendation | None, event: RecommendationEvent) -> Recommendation:
    if state is None:  # pragma: no cover - the rules put Raised first
        raise TypeError(f"{type(event).__name__} before Raised")
    return state


def _then(
    state: Recommendation | None, event: RecommendationEvent, **changes: object
) -> Recommendation:
    """``state`` with ``changes``, last changed on the event's date if that is later.

    A plain copy of the slots: the fold runs once per entry and ``attrs.evolve`` is several
    times slower. The values come from a valid state and typed events, as ``evolve`` would.
    """
    state = _raised(state, event)
    values = list(_VALUES(state))
    for name, value in changes.items():
        values[_INDEX[name]] = value
    if event.effective_on > state.last_changed_on:
        values[_LAST_CHANGED] = event.effective_on
    new = object.__new__(Recommendation)
    for put, value in zip(_SLOTS, values, strict=True):
        put(new, value)
    return new


@evolve.register
def _(event: Raised, state: Recommendation | None) -> Recommendation:
    return Recommendation(
        id=event.originator_id,
        version=0,
        reference=event.reference,
        text=event.text,
        points=event.points,
        body=event.body,
        report=event.report,
        inspection=event.inspection,
        finding=event.finding,
        inspectorates=event.inspectorates,
        kind=event.kind,
        scope=event.scope,
        sensitive=event.sensitive,
        scale=event.scale,
        grade=event.grade,
        owner=event.owner,
        owner_name=event.owner_name,
        due_on=event.due_on,
        original_due_on=event.due_on,
        due_precision=event.due_precision,
        original_due_precision=event.due_precision,
        deferrals=0,
        status=Status.OPEN,
        outcome=None,
        accepted_by=None,
        acceptor_role=None,
        superseded_by=None,
        raised_on=event.effective_on,
        last_changed_on=event.effective_on,
        claimed_on=None,
        discharged_on=None,
        times_reopened=0,
        progress_notes=0,
        last_note=None,
        priority=event.priority,
        response=event.response,
        response_text=event.response_text,
        addressed_to=event.addressed_to,
    )


@evolve.register
def _(event: Prioritised, state: Recommendation | None) -> Recommendation:
    return _then(state, event, priority=event.priority)


@evolve.register
def _(event: ResponseRecorded, state: Recommendation | None) -> Recommendation:
    return _then(state, event, response=event.response, response_text=event.response_text)


@evolve.register
def _(event: Assigned, state: Recommendation | None) -> Recommendation:
    return _then(state, event, owner=event.owner, owner_name=event.owner_name)


@evolve.register
def _(event: Regraded, state: Recommendation | None) -> Recommendation:
    return _then(state, event, grade=event.grade)


@evolve.register
def _(event: ProgressNoted, state: Recommendation | None) -> Recommendation:
    state = _raised(state, event)
    return _then(state, event, progress_notes=state.progress_notes + 1, last_note=event.note)


@evolve.register
def _(event: DeadlineChanged, state: Recommendation | None) -> Recommendation:
    state = _raised(state, event)
    later = event.due_on is not None and state.due_on is not None and event.due_on > state.due_on
    return _then(
        state,
        event,
        due_on=event.due_on,
        original_due_on=state.original_due_on if state.original_due_on else event.due_on,
        due_precision=event.due_precision,
        original_due_precision=(
            state.original_due_precision if state.original_due_on else event.due_precision
        ),
        deferrals=state.deferrals + (1 if later else 0),
    )


@evolve.register
def _(event: ImplementationClaimed, state: Recommendation | None) -> Recommendation:
    state = _raised(state, event)
    return _then(
        state,
        event,
        status=Status.CLAIMED,
        claimed_on=event.effective_on,
        progress_notes=state.progress_notes + 1,
        last_note=event.note,
    )


@evolve.register
def _(event: ClaimRejected, state: Recommendation | None) -> Recommendation:
    return _then(state, event, status=Status.OPEN, claimed_on=None)


@evolve.register
def _(event: Discharged, state: Recommendation | None) -> Recommendation:
    return _then(
        state,
        event,
        status=Status.DISCHARGED,
        outcome=event.outcome,
        accepted_by=event.accepted_by,
        acceptor_role=event.acceptor_role,
        superseded_by=event.superseded_by,
        discharged_on=event.effective_on,
    )


@evolve.register
def _(event: Reopened, state: Recommendation | None) -> Recommendation:
    state = _raised(state, event)
    return _then(
        state,
        event,
        status=Status.OPEN,
        outcome=None,
        accepted_by=None,
        acceptor_role=None,
        superseded_by=None,
        claimed_on=None,
        discharged_on=None,
        times_reopened=state.times_reopened + 1,
    )


def amended(events: Iterable[RecommendationEvent]) -> list[Amendable]:
    """The entries of a log with its corrections applied, in log order."""
    entries: dict[int, Amendable | None] = {}
    for event in events:
        if isinstance(event, Corrected):
            if event.corrects in entries:
                entries[event.corrects] = event.replacement
        else:
            entries[event.originator_version] = event  # type: ignore[assignment]
    return [entry for entry in entries.values() if entry is not None]


def _order(entry: Amendable) -> tuple[date, int]:
    return entry.effective_on, entry.originator_version


def known(
    events: Iterable[RecommendationEvent], known_at: datetime | None
) -> list[RecommendationEvent]:
    """The entries recorded at or before ``known_at`` (all of them for ``None``)."""
    if known_at is None:
        return list(events)
    return [event for event in events if event.recorded_at <= known_at]


def timeline(
    events: Iterable[RecommendationEvent],
    *,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> list[Amendable]:
    """The effective-date timeline: what was true on ``as_at``, as known at ``known_at``."""
    entries = sorted(amended(known(events, known_at)), key=_order)
    if as_at is None:
        return entries
    return [entry for entry in entries if entry.effective_on <= as_at]


def project(
    events: Sequence[RecommendationEvent],
    *,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> Recommendation | None:
    """The recommendation as at ``as_at`` and as known at ``known_at``.

    ``None`` when it had not been raised by ``as_at`` or was not yet recorded at
    ``known_at``. Both default to "everything", the current state.
    """
    recorded = known(events, known_at)
    state: Recommendation | None = None
    for entry in timeline(recorded, as_at=as_at):
        state = evolve(entry, state)
    if state is None:
        return None
    return attrs.evolve(state, version=len(recorded))
