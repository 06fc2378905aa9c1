"""Recommendations by grade over time: the figures behind the committee paper's chart.

Pure like the views: :func:`grade_series` takes the log and a list of dates and returns
frozen data, the same numbers :func:`~recommendations.views.build_register` gives for each
date, counted by grade. It folds each recommendation's timeline once and reads its state at
every date on the way, instead of folding the log again for each date.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from attrs import frozen

from recommendations._errors import RuleViolation
from recommendations.domain import (
    GradingScale,
    Recommendation,
    RecommendationEvent,
    Status,
    evolve,
    timeline,
)
from recommendations.views import Positioned, Sensitivity

__all__ = [
    "DISCHARGED_COLOUR",
    "UNGRADED_COLOUR",
    "GradePoint",
    "GradeSeries",
    "SeriesGrade",
    "grade_colour",
    "grade_series",
]

_NAMED_COLOURS = {
    "red": "#c62828",
    "amber": "#f9a825",
    "yellow": "#fbc02d",
    "green": "#2e7d32",
    "blue": "#1565c0",
    "grey": "#757575",
    "gray": "#757575",
}
"""Grades whose code or label names a colour are drawn in it (red/amber/green)."""

_RAMP = ("#c62828", "#f9a825", "#2e7d32")
"""Worst to best, for scales whose grades name no colour."""

UNGRADED_COLOUR = "#9e9e9e"
"""Open recommendations with no grade."""

DISCHARGED_COLOUR = "#cfd8dc"
"""Discharged recommendations."""


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def grade_colour(code: str, label: str, rank: int, size: int) -> str:
    """The colour a grade is drawn in, as ``#rrggbb``.

    A grade whose code or label is a colour's name (``red``, ``amber``, ``green``, ...) is
    drawn in that colour; any other takes its place on a red-amber-green ramp from the worst
    grade of its scale (``rank`` 0) to the best (``rank`` ``size - 1``).

    >>> grade_colour("amber", "Amber", 1, 3)
    '#f9a825'
    >>> grade_colour("partially-implemented", "Partially implemented", 1, 4)
    '#e87d26'
    """
    for name in (code.lower(), label.lower()):
        if name in _NAMED_COLOURS:
            return _NAMED_COLOURS[name]
    where = rank / (size - 1) if size > 1 else 0.5
    segment = min(int(where * (len(_RAMP) - 1)), len(_RAMP) - 2)
    share = where * (len(_RAMP) - 1) - segment
    start, end = _rgb(_RAMP[segment]), _rgb(_RAMP[segment + 1])
    mixed = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


@frozen(kw_only=True)
class SeriesGrade:
    """One grade a series counts: its ``code`` and ``label``, the ``scale`` it is on, its
    ``rank`` on that scale (0 is the worst) and the ``colour`` it is drawn in."""

    code: str
    label: str
    scale: str
    rank: int
    colour: str


@frozen(kw_only=True)
class GradePoint:
    """The recommendations as at one date.

    ``by_grade`` counts the open ones (not discharged) at each grade of the series, in the
    order of :attr:`GradeSeries.grades`; ``ungraded`` the open ones with no grade and
    ``discharged`` the discharged ones.
    """

    on: date
    by_grade: tuple[int, ...]
    ungraded: int
    discharged: int

    @property
    def open(self) -> int:
        """Open recommendations, graded or not."""
        return sum(self.by_grade) + self.ungraded

    @property
    def total(self) -> int:
        """Every recommendation raised by this date."""
        return self.open + self.discharged


@frozen(kw_only=True)
class GradeSeries:
    """Recommendations by grade over time, as known at ``known_at`` up to log ``position``.

    ``grades`` are those of every scale the recommendations are graded on, worst first
    within each scale (a code two scales share is counted once, where it is first seen);
    ``points`` are by date, oldest first.
    """

    grades: tuple[SeriesGrade, ...]
    points: tuple[GradePoint, ...]
    known_at: datetime
    position: int

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(point.on for point in self.points)

    def at(self, on: date) -> GradePoint | None:
        """The point for ``on``, if the series has one."""
        for point in self.points:
            if point.on == on:
                return point
        return None

    def counts(self, code: str) -> tuple[int, ...]:
        """How many open recommendations stood at grade ``code`` on each date."""
        for index, grade in enumerate(self.grades):
            if grade.code == code:
                return tuple(point.by_grade[index] for point in self.points)
        return tuple(0 for _ in self.points)

    def label(self, code: str) -> str:
        """The label of grade ``code`` (the code itself if no scale of the series has it)."""
        for grade in self.grades:
            if grade.code == code:
                return grade.label
        return code

    @property
    def ever_ungraded(self) -> bool:
        return any(point.ungraded for point in self.points)

    @property
    def ever_discharged(self) -> bool:
        return any(point.discharged for point in self.points)

    @property
    def empty(self) -> bool:
        """Whether no recommendation is counted on any date."""
        return not any(point.total for point in self.points)


def _by_item(events: Iterable[object]) -> list[list[RecommendationEvent]]:
    items: dict[uuid.UUID, list[RecommendationEvent]] = {}
    for event in events:
        if isinstance(event, RecommendationEvent):
            items.setdefault(event.originator_id, []).append(event)
    return [sorted(item, key=lambda e: e.originator_version) for item in items.values()]


def _states(
    item: list[RecommendationEvent], dates: Sequence[date], known_at: datetime
) -> Iterator[Recommendation | None]:
    """The item's state on each of ``dates`` (ascending), as known at ``known_at``: one walk
    along its effective-date timeline, the same states as ``project`` on each date."""
    entries = timeline(item, known_at=known_at)
    state: Recommendation | None = None
    index = 0
    for on in dates:
        while index < len(entries) and entries[index].effective_on <= on:
            state = evolve(entries[index], state)
            index += 1
        yield state


def _grades(scales: Iterable[GradingScale]) -> tuple[SeriesGrade, ...]:
    grades: dict[str, SeriesGrade] = {}
    for scale in scales:
        for rank, grade in enumerate(scale.grades):
            if grade.code not in grades:
                grades[grade.code] = SeriesGrade(
                    code=grade.code,
                    label=grade.label,
                    scale=scale.name,
                    rank=rank,
                    colour=grade_colour(grade.code, grade.label, rank, len(scale.grades)),
                )
    return tuple(grades.values())


def grade_series(
    log: Iterable[Positioned],
    *,
    dates: Sequence[date],
    known_at: datetime,
    withhold: Sensitivity | None = None,
) -> GradeSeries:
    """Recommendations by grade on each of ``dates``, from ``log`` as known at ``known_at``.

    Each point counts what :func:`~recommendations.views.build_register` gives for that
    date, known at ``known_at`` and up to the last position in ``log``: open rows by grade,
    open rows with no grade, and discharged rows.

    ``withhold`` is for a view the public sees: recommendations it names (and any whose own
    state is sensitive) are left out of every count, and their scales out of the grades.
    Pass :meth:`Tracker.sensitivity() <recommendations.Tracker.sensitivity>`.

    Raises :class:`~recommendations.RuleViolation` if ``known_at`` has no time zone or a
    date is not a date.
    """
    if not isinstance(known_at, datetime) or known_at.utcoffset() is None:
        raise RuleViolation(
            f"known_at must be a time with a time zone, not {known_at!r}",
            field="known_at",
            rule="aware-time",
        )
    for on in dates:
        if not isinstance(on, date) or isinstance(on, datetime):
            raise RuleViolation(
                f"dates must be dates, not {type(on).__name__} {on!r}",
                field="dates",
                rule="type",
            )
    ordered = sorted(set(dates))
    entries = list(log)
    position = max((entry.position for entry in entries), default=0)
    items = _by_item(entry.event for entry in sorted(entries, key=lambda e: e.position))

    counted: list[list[Recommendation | None]] = []
    scales: dict[str, tuple[date, str, GradingScale]] = {}
    for item in items:
        states = list(_states(item, ordered, known_at))
        final = _final(item, known_at)
        if final is None or _withheld(final, states, withhold):
            continue
        counted.append(states)
        for known in (s for s in states if s is not None):
            key = known.scale.name
            first = (known.raised_on, known.reference, known.scale)
            if key not in scales or first[:2] < scales[key][:2]:
                scales[key] = first
    grades = _grades(scale for _, _, scale in sorted(scales.values(), key=lambda s: s[:2]))
    index = {grade.code: column for column, grade in enumerate(grades)}

    points = []
    for column, on in enumerate(ordered):
        by_grade = [0] * len(grades)
        ungraded = discharged = 0
        for states in counted:
            at = states[column]
            if at is None:
                continue
            if at.status is Status.DISCHARGED:
                discharged += 1
            elif at.grade is None:
                ungraded += 1
            else:
                by_grade[index[at.grade]] += 1
        points.append(
            GradePoint(on=on, by_grade=tuple(by_grade), ungraded=ungraded, discharged=discharged)
        )
    return GradeSeries(grades=grades, points=tuple(points), known_at=known_at, position=position)


def _final(item: list[RecommendationEvent], known_at: datetime) -> Recommendation | None:
    state: Recommendation | None = None
    for entry in timeline(item, known_at=known_at):
        state = evolve(entry, state)
    return state


def _withheld(
    final: Recommendation,
    states: Iterable[Recommendation | None],
    withhold: Sensitivity | None,
) -> bool:
    if withhold is None:
        return False
    return any(
        state.sensitive or withhold.recommendation(state.reference, state.report, state.inspection)
        for state in (final, *(s for s in states if s is not None))
    )
