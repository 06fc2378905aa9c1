"""Audience views: the same register, trail or committee update, seen by someone else.

:func:`for_audience` takes a view made for the body and returns what an :class:`Audience`
may see of it:

=============  ====================  ==========================  ==========================
audience       sensitive items       owners                      actors, who accepted
=============  ====================  ==========================  ==========================
``BODY``       shown                 by role and by name         shown
``OVERSIGHT``  shown                 by role (names: a policy)   shown
``PUBLIC``     withheld, counted or  by role only                withheld
               not (a policy)
=============  ====================  ==========================  ==========================

A sensitive item is withheld whole: its row, its entries, its movements, and any count of
it by report; a sensitive report or inspection is withheld with everything raised from it.
A link from an item the public sees to one it does not (``superseded_by``, ``report``,
``inspection``, and an inspection's ``expected_report`` when it is a report's reference)
reads :data:`WITHHELD` instead of the reference, wherever the view shows it: in what an
entry carried, in what it changed (before and after), in a correction, in an inspection.
What was withheld is said in the view's :class:`Disclosure`. Free text (reasons, notes,
what was wrong) of items that are *not* sensitive is shown as entered: keep personal names
and sensitive matters out of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import singledispatch
from typing import Any, TypeVar

import attrs

from recommendations.domain import Inspection, Report, Scope, Status

from ._committee import CommitteeUpdate, ReportCount, count_kinds
from ._disclosure import (
    BODY_VIEW,
    WITHHELD,
    Audience,
    AudiencePolicy,
    Disclosure,
    Sensitivity,
    narrower,
)
from ._register import Register, RegisterLine, RegisterRow, RegisterStream
from ._trail import Change, Detail, Trail, TrailEntry

__all__ = ["DEFAULT_AUDIENCE_POLICY", "TrailFilter", "for_audience"]

DEFAULT_AUDIENCE_POLICY = AudiencePolicy()
"""Withheld items are counted; oversight sees owners by role, not by name."""

_V = TypeVar("_V", Register, RegisterStream, Trail, CommitteeUpdate)


@attrs.frozen
class _Seen:
    """What one audience may see, under one policy."""

    audience: Audience
    withhold: bool
    names: bool
    actors: bool
    hidden_fields: frozenset[str]
    known: Sensitivity
    policy: AudiencePolicy

    def disclosure(self, withheld: int) -> Disclosure:
        counted = self.policy.count_withheld or not self.withhold
        return Disclosure(
            audience=self.audience,
            withheld=withheld if counted else None,
            counted=counted,
            owner_names=self.names,
        )

    def row(self, row: RegisterRow) -> RegisterRow | None:
        if self.withhold and (
            row.sensitive or self.known.recommendation(row.reference, row.report, row.inspection)
        ):
            return None
        return row if self.names else attrs.evolve(row, owner_name=None)

    def line(self, line: RegisterLine) -> RegisterLine | None:
        """:meth:`row`, of a :class:`RegisterLine`."""
        if self.withhold and (
            line.sensitive
            or self.known.recommendation(line.reference, line.report, line.inspection)
        ):
            return None
        return line if self.names else line._replace(owner_name=None)

    def report(self, report: Report) -> bool:
        return not self.withhold or not (
            report.sensitive or self.known.report(report.reference, report.details.inspection)
        )

    def inspection(self, inspection: Inspection) -> bool:
        return not self.withhold or not (
            inspection.sensitive or self.known.inspection(inspection.reference)
        )

    def link(self, field: str, value: object) -> object:
        """``value`` of ``field``, or :data:`WITHHELD` if it names an item withheld here."""
        return WITHHELD if self.withhold and self.known.names(field, value) else value

    def inspection_details(self, inspection: Inspection) -> Inspection:
        """``inspection`` with its links to withheld items withheld."""
        expected = inspection.details.expected_report
        if not self.withhold or not self.known.names("expected_report", expected):
            return inspection
        details = attrs.evolve(inspection.details, expected_report=WITHHELD)
        return attrs.evolve(inspection, details=details)


def for_audience(
    view: _V,
    audience: Audience,
    policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
    *,
    sensitive: Sensitivity | None = None,
) -> _V:
    """What ``audience`` may see of ``view`` (a :class:`Register`, :class:`Trail` or
    :class:`CommitteeUpdate`, or a :class:`RegisterStream`: read once more here, to count
    what it lists), under ``policy``.

    ``sensitive`` adds to what the view itself says is sensitive: pass
    :meth:`Tracker.sensitivity() <recommendations.Tracker.sensitivity>` so that an item
    whose report or inspection was marked sensitive *after* the view's basis is withheld
    too::

        public = for_audience(tracker.register(), Audience.PUBLIC,
                              sensitive=tracker.sensitivity())

    A link from a shown item to a withheld one (a sensitive successor, the sensitive report
    an inspection is expected to produce) reads :data:`WITHHELD`. A view knows only the
    items it holds: the history of one recommendation needs ``sensitive`` to know that its
    successor is sensitive.

    A view is only ever narrowed: one already made for an audience that sees no more than
    ``audience`` is returned as it is.
    """
    if not isinstance(view, Register | RegisterStream | Trail | CommitteeUpdate):
        raise TypeError(f"not a view: {type(view).__name__}")
    if not narrower(audience, view.disclosure.audience):
        return view
    seen = _seen(audience, policy, (sensitive or Sensitivity()) | _own(view))
    narrowed: _V = _narrow(view, seen)
    return narrowed


def _seen(audience: Audience, policy: AudiencePolicy, known: Sensitivity) -> _Seen:
    withhold = audience is Audience.PUBLIC
    names = audience is Audience.OVERSIGHT and policy.oversight_sees_owner_names
    hidden = {"owner_name"} if not names else set()
    if withhold:
        hidden |= {"accepted_by", "actor"}  # "actor": a correction may change who made an entry
    return _Seen(
        audience=audience,
        withhold=withhold,
        names=names,
        actors=not withhold,
        hidden_fields=frozenset(hidden),
        known=known,
        policy=policy,
    )


@attrs.frozen
class TrailFilter:
    """What one audience may see of a trail, entry by entry: :func:`for_audience` for a
    trail listed as the log is read (a :class:`~recommendations.views.TrailStream`).

    ``sensitive`` must be what the whole log marks sensitive: an item is withheld whole,
    so it is judged before its entries are listed.
    """

    _seen: _Seen | None

    @classmethod
    def of(
        cls,
        audience: Audience,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        *,
        sensitive: Sensitivity,
    ) -> TrailFilter:
        if not narrower(audience, Audience.BODY):
            return cls(None)
        return cls(_seen(audience, policy, sensitive))

    def hides(self, subject: str, reference: str) -> bool:
        """Whether the audience sees nothing of the item ``reference`` (a ``subject``)."""
        seen = self._seen
        if seen is None or not seen.withhold:
            return False
        if subject == "inspection":
            return seen.known.inspection(reference)
        if subject == "report":
            return seen.known.report(reference)
        return seen.known.recommendation(reference)

    def entry(self, entry: TrailEntry) -> TrailEntry | None:
        """``entry`` as the audience sees it, or ``None`` if it is withheld."""
        if self._seen is None:
            return entry
        if _hidden(entry, self._seen):
            return None
        return _entry(entry, self._seen)

    def disclosure(self, withheld: int) -> Disclosure:
        """What a trail that withheld ``withheld`` items says of itself."""
        return BODY_VIEW if self._seen is None else self._seen.disclosure(withheld)


# --- what a view says of itself ----------------------------------------------------------------


@singledispatch
def _own(view: Any) -> Sensitivity:
    raise TypeError(f"not a view: {type(view).__name__}")  # pragma: no cover


@_own.register
def _(view: Register) -> Sensitivity:
    return Sensitivity(recommendations=frozenset(r.reference for r in view.rows if r.sensitive))


@_own.register
def _(view: RegisterStream) -> Sensitivity:
    return Sensitivity()  # each line's own flag is judged as it is read: see _Seen.line


@_own.register
def _(view: Trail) -> Sensitivity:
    chosen = {subject: set[str]() for subject in ("recommendation", "report", "inspection")}
    for entry in view.entries:
        if entry.sensitive:
            chosen[entry.subject].add(entry.reference)
    known = Sensitivity(
        recommendations=frozenset(chosen["recommendation"]),
        reports=frozenset(chosen["report"]),
        inspections=frozenset(chosen["inspection"]),
    )
    # A recommendation whose report or inspection is known to be sensitive is too.
    late = set()
    for entry in view.entries:
        if entry.subject == "recommendation" and entry.event in ("Raised", "Corrected"):
            sources = [entry.detail("report"), entry.detail("inspection")]
            sources += [c.after for c in entry.changes if c.field in ("report", "inspection")]
            if any(s in known.reports or s in known.inspections for s in sources):
                late.add(entry.reference)
    return known | Sensitivity(recommendations=frozenset(late))


@_own.register
def _(view: CommitteeUpdate) -> Sensitivity:
    inspections = view.inspections + view.announced
    reports = [r.report for r in view.reports] + [c.report for c in view.counts]
    return Sensitivity(
        recommendations=frozenset(r.reference for r in view.rows if r.sensitive),
        reports=frozenset(r.reference for r in reports if r.sensitive),
        inspections=frozenset(i.reference for i in inspections if i.sensitive),
    )


# --- narrowing -------------------------------------------------------------------------------


@singledispatch
def _narrow(view: Any, seen: _Seen) -> Any:
    raise TypeError(f"not a view: {type(view).__name__}")  # pragma: no cover


def _rows(rows: tuple[RegisterRow, ...], seen: _Seen) -> tuple[RegisterRow, ...]:
    return tuple(shown for shown in (seen.row(row) for row in rows) if shown is not None)


@_narrow.register
def _(view: Register, seen: _Seen) -> Register:
    rows = _rows(view.rows, seen)
    return Register(
        basis=view.basis,
        rows=rows,
        disclosure=seen.disclosure(len(view.rows) - len(rows)),
        labels=view.labels,
    )


@_narrow.register
def _(view: RegisterStream, seen: _Seen) -> RegisterStream:
    listed = view.lines

    def lines() -> Iterator[RegisterLine]:
        for line in listed():
            shown = seen.line(line)
            if shown is not None:
                yield shown

    count = sum(1 for _ in lines())
    return RegisterStream(
        basis=view.basis,
        count=count,
        lines=lines,
        disclosure=seen.disclosure(view.count - count),
        labels=view.labels,
    )


def _entry(entry: TrailEntry, seen: _Seen) -> TrailEntry:
    link = seen.link
    return attrs.evolve(
        entry,
        actor=entry.actor if seen.actors else None,
        changes=tuple(
            Change(c.field, link(c.field, c.before), link(c.field, c.after))
            for c in entry.changes
            if c.field not in seen.hidden_fields
        ),
        details=tuple(
            Detail(d.field, link(d.field, d.value))
            for d in entry.details
            if d.field not in seen.hidden_fields
        ),
    )


def _hidden(entry: TrailEntry, seen: _Seen) -> bool:
    if not seen.withhold:
        return False
    if entry.sensitive:
        return True
    if entry.subject == "inspection":
        return seen.known.inspection(entry.reference)
    if entry.subject == "report":
        return seen.known.report(entry.reference)
    return seen.known.recommendation(entry.reference)


@_narrow.register
def _(view: Trail, seen: _Seen) -> Trail:
    kept = []
    withheld = set()
    for entry in view.entries:
        if _hidden(entry, seen):
            withheld.add((entry.subject, entry.reference))
        else:
            kept.append(_entry(entry, seen))
    return Trail(basis=view.basis, entries=tuple(kept), disclosure=seen.disclosure(len(withheld)))


def _less(count: ReportCount, gone: list[RegisterRow]) -> ReportCount:
    """``count`` without the rows in ``gone``."""
    by_grade = Counter(r.grade for r in gone if r.status is not Status.DISCHARGED)
    return attrs.evolve(
        count,
        total=count.total - len(gone),
        national=count.national - sum(1 for r in gone if r.scope is Scope.NATIONAL),
        by_grade=tuple(
            attrs.evolve(g, count=g.count - by_grade[g.grade])
            for g in count.by_grade
            if g.count > by_grade[g.grade]
        ),
        ungraded=count.ungraded - by_grade[None],
        discharged=count.discharged - sum(1 for r in gone if r.status is Status.DISCHARGED),
    )


@_narrow.register
def _(view: CommitteeUpdate, seen: _Seen) -> CommitteeUpdate:
    rows = _rows(view.rows, seen)
    shown = {row.reference for row in rows}
    gone = [row for row in view.rows if row.reference not in shown]
    inspections = tuple(seen.inspection_details(i) for i in view.inspections if seen.inspection(i))
    announced = tuple(seen.inspection_details(i) for i in view.announced if seen.inspection(i))
    reports = tuple(
        attrs.evolve(r, recommendations=_rows(r.recommendations, seen))
        for r in view.reports
        if seen.report(r.report)
    )
    counts = tuple(
        _less(c, [row for row in gone if row.report == c.report.reference])
        for c in view.counts
        if seen.report(c.report)
    )
    withheld = {("recommendation", row.reference) for row in gone}
    hidden = {row.reference for row in gone}
    withheld |= {
        ("inspection", i.reference)
        for i in view.inspections + view.announced
        if not seen.inspection(i)
    }
    withheld |= {
        ("report", r.reference)
        for r in [r.report for r in view.reports] + [c.report for c in view.counts]
        if not seen.report(r)
    }
    return attrs.evolve(
        view,
        inspections=inspections,
        announced=announced,
        reports=reports,
        counts=counts,
        reds=_rows(view.reds, seen),
        reminded=tuple(r for r in view.reminded if r not in hidden),
        escalated=tuple(r for r in view.escalated if r not in hidden),
        overdue=_rows(view.overdue, seen),
        slips=_rows(view.slips, seen),
        movements=tuple(m for m in view.movements if m.reference in shown),
        rows=rows,
        disclosure=seen.disclosure(len(withheld)),
        kinds=count_kinds(rows, (k.kind for k in view.kinds), view.uncounted),
        awaiting=tuple(
            attrs.evolve(a, row=row)
            for a in view.awaiting
            if (row := seen.row(a.row)) is not None and row.reference in shown
        ),
        aged=_rows(view.aged, seen),
    )
