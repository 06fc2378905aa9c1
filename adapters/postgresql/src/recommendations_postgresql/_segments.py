"""The history of one recommendation as rows of a bitemporal table: pure, engine-neutral.

A view table of the register's history holds, for each recommendation, one row per *segment*:
a state that held over a run of effective dates ``[valid_from, valid_to)``. Applying an
entry of the item's log replaces some segments by others; the rows of the replaced ones are
closed in recorded time, the new ones opened. Everything here works on plain Python values
(dates, tuples, booleans); an engine turns them into its column types at its edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from recommendations import domain, views

__all__ = [
    "STATE_COLUMNS",
    "ItemHistory",
    "Segment",
    "State",
    "register_row",
    "segments",
    "state_values",
]

STATE_COLUMNS = (
    "reference",
    "text",
    "kind",
    "body",
    "inspectorates",
    "inspection",
    "report",
    "finding",
    "scope",
    "sensitive",
    "owner",
    "owner_name",
    "grade",
    "status",
    "due_on",
    "original_due_on",
    "deferrals",
    "raised_on",
    "last_changed_on",
)
"""The columns of a state: everything the register shows but ``overdue``."""

State = tuple[Any, ...]
"""The values of one state, in :data:`STATE_COLUMNS` order."""

Segment = tuple[date, date | None, State]
"""``(valid_from, valid_to, state)``: one state over ``[valid_from, valid_to)``;
``valid_to`` is ``None`` for a state that holds until further notice."""


def state_values(state: domain.Recommendation) -> State:
    """The columns of ``state`` (``inspectorates`` a tuple, dates as dates, enums by value)."""
    return (
        state.reference,
        state.text,
        state.kind.name,
        state.body,
        state.inspectorates,
        state.inspection,
        state.report,
        state.finding,
        state.scope.value,
        state.sensitive,
        state.owner,
        state.owner_name,
        state.grade,
        state.status.value,
        state.due_on,
        state.original_due_on,
        state.deferrals,
        state.raised_on,
        state.last_changed_on,
    )


_STATUSES = {status.value: status for status in domain.Status}
_SCOPES = {scope.value: scope for scope in domain.Scope}


def register_row(values: Sequence[Any], as_at: date) -> views.RegisterRow:
    """The register row of stored state columns, with ``overdue`` judged on ``as_at``
    (as :meth:`recommendations.domain.Recommendation.is_overdue` does)."""
    (
        reference,
        text,
        kind,
        body,
        inspectorates,
        inspection,
        report,
        finding,
        scope,
        sensitive,
        owner,
        owner_name,
        grade,
        status,
        due_on,
        original_due_on,
        deferrals,
        raised_on,
        last_changed_on,
    ) = values[: len(STATE_COLUMNS)]
    state_status = _STATUSES[status]
    return views.RegisterRow(
        reference=reference,
        text=text,
        kind=kind,
        body=body,
        inspectorates=tuple(inspectorates),
        inspection=inspection,
        report=report,
        finding=finding,
        scope=_SCOPES[scope],
        sensitive=bool(sensitive),
        owner=owner,
        owner_name=owner_name,
        grade=grade,
        status=state_status,
        due_on=due_on,
        original_due_on=original_due_on,
        deferrals=deferrals,
        overdue=state_status is not domain.Status.DISCHARGED
        and due_on is not None
        and due_on < as_at,
        raised_on=raised_on,
        last_changed_on=last_changed_on,
    )


def segments(log: Sequence[domain.RecommendationEvent]) -> list[Segment]:
    """The valid-time history of one recommendation as ``log`` (its entries in version
    order) tells it: one segment per run of days with the same state, from the day it was
    raised; equal neighbours merged, the last open-ended."""
    return _fold(log)[0]


def _fold(
    log: Sequence[domain.RecommendationEvent],
) -> tuple[list[Segment], domain.Recommendation | None, date | None]:
    """The segments, the state at the end of the timeline and its last effective date."""
    entries = domain.timeline(log)
    result: list[Segment] = []
    state: domain.Recommendation | None = None
    index = 0
    while index < len(entries):
        day = entries[index].effective_on
        while index < len(entries) and entries[index].effective_on == day:
            state = domain.evolve(entries[index], state)
            index += 1
        if state is None:  # pragma: no cover - the rules put the raising first
            raise TypeError("a recommendation's timeline starts before it was raised")
        values = state_values(state)
        if result and result[-1][2] == values:
            continue
        if result:
            previous = result[-1]
            result[-1] = (previous[0], day, previous[2])
        result.append((day, None, values))
    last_day = entries[-1].effective_on if entries else None
    return result, state, last_day


def _append(found: list[Segment], day: date, values: State) -> list[Segment]:
    """The segments after a new state from ``day`` on, ``day`` being their last day or
    later: what :func:`segments` gives for the log with that entry at its end."""
    if not found:
        return [(day, None, values)]
    start, _, last = found[-1]
    if start == day:
        result = [*found[:-1], (day, None, values)]
        if len(result) > 1 and result[-2][2] == values:
            result[-2:] = [(result[-2][0], None, values)]
        return result
    if last == values:
        return found
    return [*found[:-1], (start, day, last), (day, None, values)]


@attrs.define
class ItemHistory:
    """What catching up keeps of one recommendation between its entries: its log, its
    segments and the state at the end of its timeline."""

    log: list[domain.RecommendationEvent]
    segments: list[Segment]
    state: domain.Recommendation | None
    last_day: date | None

    @classmethod
    def of(cls, log: list[domain.RecommendationEvent]) -> ItemHistory:
        found, state, last_day = _fold(log)
        return cls(log=log, segments=found, state=state, last_day=last_day)

    def add(self, event: domain.RecommendationEvent) -> tuple[list[Segment], list[Segment]]:
        """Take ``event`` in (cheaply when it lands at the end of the timeline); the
        segments it ends and the segments it begins."""
        old = self.segments
        self.log.append(event)
        at_end = not isinstance(event, domain.Corrected) and (
            self.last_day is None or event.effective_on >= self.last_day
        )
        if at_end:
            self.state = domain.evolve(event, self.state)
            self.last_day = event.effective_on
            self.segments = _append(self.segments, event.effective_on, state_values(self.state))
        else:
            self.segments, self.state, self.last_day = _fold(self.log)
        kept = set(old) & set(self.segments)
        return (
            [segment for segment in old if segment not in kept],
            [segment for segment in self.segments if segment not in kept],
        )
