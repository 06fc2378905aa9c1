"""Audit trails: every entry of the log, with who, when, why and what it changed.

A :class:`Trail` lists entries in log order, each a :class:`TrailEntry` with its position,
the item it is about, its two times, who made it and why, and what it changed:

- an ordinary entry's ``changes`` are the difference it made to the item's state *as at its
  effective date*, as known just before it was recorded and just after (so a backdated
  entry shows what it changed on the day it took effect); its ``details`` are what it
  carried (the note, the evidence, the new owner, ...);
- a correction names the entry it ``corrects`` and its ``changes`` are that entry's fields
  as they read before the correction and as the correction has them (or it ``strikes`` the
  entry out); the corrected entry is listed too, unchanged, and marked ``corrected_by`` the
  correction, but only in a trail known at or after the correction was recorded.

An entry's own ``changes`` never depend on when the trail is asked for: they are facts about
the moment it was recorded. What does depend on it is which entries are listed (those
recorded by ``known_at`` and at or before ``position``) and which corrections mark them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, NamedTuple, TypeAlias

import attrs
from attrs import frozen

from recommendations.domain import (
    Amendable,
    ConfigurationEvent,
    Configured,
    Corrected,
    Event,
    GradingScale,
    Inspection,
    InspectionDetails,
    InspectionEvent,
    InspectionRecorded,
    InspectionRevised,
    ItemKind,
    Raised,
    Recommendation,
    RecommendationEvent,
    ReminderEvent,
    RemindersConfigured,
    Report,
    ReportDetails,
    ReportEvent,
    ReportPublished,
    ReportRevised,
    evolve,
    project,
    project_inspection,
    project_report,
    shown_due,
    timeline,
)

from ._disclosure import BODY_VIEW, Disclosure, Sensitivity
from ._log import Positioned, upto
from ._register import Basis

__all__ = [
    "Change",
    "Detail",
    "KeptEntry",
    "Subject",
    "Trail",
    "TrailEntry",
    "TrailIndex",
    "TrailStream",
    "build_kept_trail",
    "build_trail",
    "entry_changes",
    "kept_entry",
    "marks_sensitivity",
]

Subject: TypeAlias = Literal["recommendation", "report", "inspection", "configuration"]
"""What an entry is about."""


@frozen
class Change:
    """One field an entry changed: its value ``before`` and ``after`` (``None``: none).

    Values are plain: strings, numbers, dates, enums, tuples of them, or a report's
    :class:`~recommendations.AreaGrade` and :class:`~recommendations.Finding`; a kind of
    item or a grading scale is given by its name.
    """

    field: str
    before: object
    after: object


@frozen
class Detail:
    """One field an entry carried, and its value (plain, as for :class:`Change`)."""

    field: str
    value: object


@frozen(kw_only=True)
class TrailEntry:
    """One entry of the log, as the audit trail shows it.

    ``actor`` is ``None`` in a view made for the public (see
    :func:`~recommendations.views.for_audience`). For a correction, ``corrects`` is the
    version of the entry corrected, ``what_was_wrong`` says why, and either ``strikes`` is
    true or ``changes`` gives the corrected fields. For an entry that was corrected,
    ``corrected_by`` lists the versions of the corrections (as known at the trail's
    ``known_at``), and ``struck_out`` says the last of them strikes it out.
    """

    position: int
    subject: Subject
    reference: str
    version: int
    event: str
    effective_on: date
    recorded_at: datetime
    actor: str | None
    reason: str
    changes: tuple[Change, ...] = ()
    details: tuple[Detail, ...] = ()
    corrects: int | None = None
    what_was_wrong: str | None = None
    strikes: bool = False
    corrected_by: tuple[int, ...] = ()
    struck_out: bool = False
    sensitive: bool = False

    def change(self, field: str) -> Change | None:
        """The change to ``field``, if this entry made one."""
        for change in self.changes:
            if change.field == field:
                return change
        return None

    def detail(self, field: str) -> object:
        """The value of ``field`` this entry carried (``None`` if it carried none)."""
        for detail in self.details:
            if detail.field == field:
                return detail.value
        return None


@frozen(kw_only=True)
class Trail:
    """Entries of the log in log order, and the basis they were read on.

    ``basis.known_at`` and ``basis.position`` choose the entries; a trail lists entries
    whatever their effective date, so ``basis.as_at`` chooses nothing (the tracker sets it
    to the date of ``known_at``).
    """

    basis: Basis
    entries: tuple[TrailEntry, ...]
    disclosure: Disclosure = BODY_VIEW

    def __iter__(self) -> Iterator[TrailEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def of(self, reference: str, subject: Subject = "recommendation") -> tuple[TrailEntry, ...]:
        """The entries about one item."""
        return tuple(e for e in self.entries if e.reference == reference and e.subject == subject)

    def entry(
        self, reference: str, version: int, subject: Subject = "recommendation"
    ) -> TrailEntry | None:
        """Entry ``version`` of one item, if the trail lists it."""
        for entry in self.of(reference, subject):
            if entry.version == version:
                return entry
        return None


# --- building ---------------------------------------------------------------------------------

_META = frozenset(a.name for a in attrs.fields(Event))
_FIXED = frozenset({"originator_id", "originator_version", "recorded_at"})
_STATE = (
    "reference",
    "text",
    "points",
    "body",
    "report",
    "inspection",
    "finding",
    "inspectorates",
    "kind",
    "scope",
    "sensitive",
    "scale",
    "grade",
    "owner",
    "owner_name",
    "due_on",
    "deferrals",
    "status",
    "outcome",
    "accepted_by",
    "acceptor_role",
    "superseded_by",
    "times_reopened",
    "progress_notes",
    "last_note",
    "priority",
    "response",
    "response_text",
    "addressed_to",
)
"""The fields of a recommendation's state a trail reports changes to (dates it derives from
the entries' own effective dates are left out)."""


def _plain(value: object) -> object:
    if isinstance(value, ItemKind | GradingScale):
        return value.name
    return value


def _fields(value: object, names: Iterable[str]) -> dict[str, object]:
    return {name: _plain(getattr(value, name)) for name in names}


def _state(state: Recommendation | Inspection | Report | None) -> dict[str, object]:
    if state is None:
        return {}
    if isinstance(state, Recommendation):
        fields = _fields(state, _STATE)
        fields["due_on"] = _due(state)
        return fields
    return {"reference": state.reference, **_details(state.details)}


def _due(state: Recommendation) -> object:
    """The due date as a trail shows it: a date, or a month alone as ``March 2026``."""
    return state.due_shown if state.due_precision == "month" else state.due_on


def _details(details: InspectionDetails | ReportDetails) -> dict[str, object]:
    return _fields(details, (a.name for a in attrs.fields(type(details))))


def _payload(event: Event) -> dict[str, object]:
    out: dict[str, object] = {}
    for field in (a.name for a in attrs.fields(type(event)) if a.name not in _META):
        value = getattr(event, field)
        if isinstance(value, InspectionDetails | ReportDetails):
            out.update(_details(value))
        elif field != "due_precision":
            out[field] = _plain(value)
    if getattr(event, "due_precision", "day") == "month":
        out["due_on"] = shown_due(getattr(event, "due_on", None), "month")
    return out


def _empty(value: object) -> bool:
    """Nothing to report on a new item: no value, an empty tuple, a zero count."""
    return value is None or value == () or (type(value) is int and value == 0)


def _diff(before: Mapping[str, object], after: Mapping[str, object]) -> tuple[Change, ...]:
    new = not before
    changes = []
    for field, value in after.items():
        old = before.get(field)
        if old == value or (new and _empty(value)):
            continue
        changes.append(Change(field, old, value))
    return tuple(changes)


def _step(before: Recommendation | None, after: Recommendation) -> tuple[Change, ...]:
    """What changed from ``before`` to ``after``: :func:`_diff` of their :func:`_state`,
    comparing field by field without building either."""
    if before is None:
        return _diff({}, _state(after))
    changes = []
    for field in _STATE:
        if field == "due_on":
            old, new = _due(before), _due(after)
        else:
            old, new = getattr(before, field), getattr(after, field)
        if old is new:
            continue
        old, new = _plain(old), _plain(new)
        if old != new:
            changes.append(Change(field, old, new))
    return tuple(changes)


def _as_read(prior: Sequence[Event], version: int) -> Amendable | None:
    """Entry ``version`` as it read after the corrections among ``prior``."""
    current: Amendable | None = None
    for event in prior:
        if isinstance(event, Corrected):
            if event.corrects == version:
                current = event.replacement
        elif event.originator_version == version:
            current = event  # type: ignore[assignment]
    return current


class _End:
    """The state at the end of one recommendation's timeline and its last effective date,
    kept entry by entry as its trail is listed: an entry that lands at the end of the
    timeline changes that state and nothing before it, so what it changed is the step from
    this state to the next, without folding the entries before it again."""

    __slots__ = ("last_day", "stale", "state")

    def __init__(self) -> None:
        self.state: Recommendation | None = None
        self.last_day: date | None = None
        self.stale = False

    def step(
        self, event: RecommendationEvent, history: Callable[[], list[RecommendationEvent]]
    ) -> tuple[Recommendation | None, Recommendation] | None:
        """The states before and after ``event`` as at its effective date, if it lands at
        the end of the timeline of ``history()`` (the entries before it): one step from
        the state kept, or, for a backdated entry, one fold. A correction is not given
        here: the caller marks the state :attr:`stale`, worked out again when next needed."""
        if self.stale:
            log = history()
            entries = timeline(log)
            self.state = project(log)
            self.last_day = entries[-1].effective_on if entries else None
            self.stale = False
        if self.last_day is not None and event.effective_on < self.last_day:
            return self._backdated(event, history())
        before = self.state
        self.state = evolve(event, before)
        self.last_day = event.effective_on
        return before, self.state

    def _backdated(
        self, event: RecommendationEvent, history: list[RecommendationEvent]
    ) -> tuple[Recommendation | None, Recommendation] | None:
        """One fold of the timeline with ``event`` in it: the newest entry comes last on its
        day and the later days follow, so the states either side of it are the states as at
        its day before and after it, and the fold goes on to the new end."""
        state: Recommendation | None = None
        stepped = None
        for entry in timeline([*history, event]):
            before = state
            state = evolve(entry, state)
            if entry.originator_version == event.originator_version:
                stepped = before, state
        self.state = state  # the last day is unchanged: the entry came before it
        return stepped


def _changes(event: Event, prior: Sequence[Event], end: _End | None = None) -> tuple[Change, ...]:
    on = event.effective_on
    if isinstance(event, Corrected):
        if end is not None:
            end.stale = True  # it changes entries before the end of the timeline
        if event.replacement is None:
            return ()
        was = _as_read(prior, event.corrects)
        names = [a.name for a in attrs.fields(type(event.replacement)) if a.name not in _FIXED]
        return _diff(
            _fields(was, names) if was is not None else {}, _fields(event.replacement, names)
        )
    if isinstance(event, RecommendationEvent):

        def earlier() -> list[RecommendationEvent]:
            return [e for e in prior if isinstance(e, RecommendationEvent)]

        stepped = None if end is None else end.step(event, earlier)
        if stepped is not None:
            return _step(*stepped)
        history = earlier()
        before = project(history, as_at=on)
        if before is None:  # pragma: no cover - the rules raise an item first
            return _diff({}, _state(project([*history, event], as_at=on)))
        # The newest entry comes last on its day, and later days are left out as at it:
        # the state after it as at its day is the state before it with it applied.
        return _step(before, evolve(event, before))
    if isinstance(event, InspectionEvent):
        inspections = [e for e in prior if isinstance(e, InspectionEvent)]
        return _diff(
            _state(project_inspection(inspections, as_at=on)),
            _state(project_inspection([*inspections, event], as_at=on)),
        )
    if isinstance(event, ReportEvent):
        reports = [e for e in prior if isinstance(e, ReportEvent)]
        return _diff(
            _state(project_report(reports, as_at=on)),
            _state(project_report([*reports, event], as_at=on)),
        )
    return ()  # a reminder changes nothing of its recommendation


def _subject(event: Event) -> Subject:
    if isinstance(event, ConfigurationEvent):
        return "configuration"
    if isinstance(event, InspectionEvent):
        return "inspection"
    if isinstance(event, ReportEvent):
        return "report"
    return "recommendation"


def _sensitive(subject: Subject, reference: str, sensitivity: Sensitivity) -> bool:
    if subject == "inspection":
        return sensitivity.inspection(reference)
    if subject == "report":
        return sensitivity.report(reference)
    if subject == "configuration":
        return False
    return sensitivity.recommendation(reference)


def _names_of(event: Event) -> str | None:
    """The reference an item's first entry gives it."""
    if isinstance(event, Raised | InspectionRecorded | ReportPublished | Configured):
        return event.reference
    if isinstance(event, ReminderEvent | RemindersConfigured):  # a recommendation's reminders
        return event.reference  # are named after it; the rules are "reminders"
    return None


def _listed(
    logged: Positioned,
    prior: Sequence[Event],
    names: Mapping[uuid.UUID, str],
    corrections: Mapping[tuple[uuid.UUID, int], list[Corrected]],
    sensitivity: Sensitivity,
    end: _End | None = None,
) -> TrailEntry:
    """The entry ``logged`` as a trail lists it, after the entries ``prior`` of its item
    (``end``: the state at the end of their timeline, kept by the caller)."""
    event = logged.event
    subject = _subject(event)
    named = names.get(event.originator_id)
    reference = str(event.originator_id) if named is None else named
    correcting = corrections.get((event.originator_id, event.originator_version), [])
    details = () if isinstance(event, Corrected) else _payload(event).items()
    return TrailEntry(
        position=logged.position,
        subject=subject,
        reference=reference,
        version=event.originator_version,
        event=type(event).__name__,
        effective_on=event.effective_on,
        recorded_at=event.recorded_at,
        actor=event.actor,
        reason=event.reason,
        changes=_changes(event, prior, end),
        details=tuple(Detail(field, value) for field, value in details),
        corrects=event.corrects if isinstance(event, Corrected) else None,
        what_was_wrong=event.what_was_wrong if isinstance(event, Corrected) else None,
        strikes=isinstance(event, Corrected) and event.replacement is None,
        corrected_by=tuple(c.originator_version for c in correcting),
        struck_out=bool(correcting) and correcting[-1].replacement is None,
        sensitive=_sensitive(subject, reference, sensitivity),
    )


def build_trail(log: Iterable[Positioned], basis: Basis) -> Trail:
    """The audit trail of ``log`` on ``basis``: entries recorded by ``basis.known_at`` and
    at or before ``basis.position``, in log order.

    ``log`` may be the whole log (the trail of everything) or one item's entries (its
    history); either way each entry's changes are worked out from the entries of its own
    item that come before it.
    """
    chosen = [
        logged for logged in upto(log, basis.position) if logged.event.recorded_at <= basis.known_at
    ]
    events = [logged.event for logged in chosen]
    sensitivity = Sensitivity.of(events)
    names: dict[uuid.UUID, str] = {}
    corrections: dict[tuple[uuid.UUID, int], list[Corrected]] = {}
    for event in events:
        name = _names_of(event)
        if name is not None:
            names.setdefault(event.originator_id, name)
        if isinstance(event, Corrected):
            corrections.setdefault((event.originator_id, event.corrects), []).append(event)

    histories: dict[uuid.UUID, list[Event]] = {}
    ends: dict[uuid.UUID, _End] = {}
    entries = []
    for logged in chosen:
        item = logged.event.originator_id
        prior = histories.setdefault(item, [])
        end = ends.get(item)
        if end is None:
            end = ends[item] = _End()
        entries.append(_listed(logged, prior, names, corrections, sensitivity, end))
        prior.append(logged.event)
    return Trail(basis=basis, entries=tuple(entries))


# --- kept entries: what a store keeps of each entry, to list a trail without folding --------


class KeptEntry(NamedTuple):
    """What an entry of a recommendation (or of its reminders) is in any trail that lists
    it, whatever the trail's basis: what :func:`build_trail` lists for it, less what
    depends on the basis (its item's reference, the corrections of it the trail knows, and
    whether it is sensitive), with what works those out: the ``name`` its item's first
    entry gives it, and ``marks``, the reference a raising (or a correction of one) marks
    sensitive. A store keeps one for each entry as it applies it (:func:`kept_entry`), and
    lists an item's trail from them (:func:`build_kept_trail`). A named tuple: one is
    made for every entry a trail lists."""

    position: int
    item: uuid.UUID
    version: int
    subject: Subject
    event: str
    effective_on: date
    recorded_at: datetime
    actor: str
    reason: str
    changes: tuple[Change, ...]
    details: tuple[Detail, ...]
    corrects: int | None
    what_was_wrong: str | None
    strikes: bool
    name: str | None
    marks: str | None


def entry_changes(
    event: RecommendationEvent,
    prior: Sequence[RecommendationEvent],
    before: Recommendation | None,
    last_day: date | None,
    after: Recommendation | None,
    *,
    stepped: tuple[Recommendation | None, Recommendation] | None = None,
) -> tuple[Change, ...]:
    """What ``event`` changed, as :func:`build_trail` lists it after every entry of its
    item before it (``prior``), given the state at the end of their timeline and its last
    effective date (``before``, ``last_day``) and the state at the end of the timeline
    once ``event`` is in it (``after``), as :class:`~recommendations.views.ItemHistory`
    keeps them: one step for an entry that lands at the end of the timeline, one fold for a
    backdated one, the corrected entry's fields for a correction. ``stepped``: the states
    as at the entry's day before and after it, where the caller has them (as
    :attr:`~recommendations.views.ItemHistory.stepped`): one step, even for a backdated
    entry."""
    if stepped is not None and not isinstance(event, Corrected):
        return _step(*stepped)
    if (
        isinstance(event, Corrected)
        or after is None
        or (last_day is not None and event.effective_on < last_day)
    ):
        end = _End()
        end.state, end.last_day = before, last_day
        return _changes(event, prior, end)
    return _step(before, after)


def kept_entry(position: int, event: Event, changes: tuple[Change, ...] = ()) -> KeptEntry:
    """What a store keeps of ``event`` at ``position``, having worked out ``changes`` (with
    :func:`entry_changes`; a reminder changes nothing)."""
    corrected = event if isinstance(event, Corrected) else None
    raised = corrected.replacement if corrected is not None else event
    return KeptEntry(
        position=position,
        item=event.originator_id,
        version=event.originator_version,
        subject=_subject(event),
        event=type(event).__name__,
        effective_on=event.effective_on,
        recorded_at=event.recorded_at,
        actor=event.actor,
        reason=event.reason,
        changes=changes,
        details=()
        if corrected is not None
        else tuple(Detail(field, value) for field, value in _payload(event).items()),
        corrects=None if corrected is None else corrected.corrects,
        what_was_wrong=None if corrected is None else corrected.what_was_wrong,
        strikes=corrected is not None and corrected.replacement is None,
        name=_names_of(event),
        marks=raised.reference if isinstance(raised, Raised) and raised.sensitive else None,
    )


def build_kept_trail(kept: Iterable[KeptEntry], basis: Basis) -> Trail:
    """:func:`build_trail` of the entries ``kept`` of one recommendation and of its
    reminders (in log order) on ``basis``: the same trail as from the entries
    themselves, without reading, decoding or folding them."""
    chosen = [
        entry
        for entry in kept
        if entry.position <= basis.position and entry.recorded_at <= basis.known_at
    ]
    names: dict[uuid.UUID, str] = {}
    corrections: dict[tuple[uuid.UUID, int], list[KeptEntry]] = {}
    marked: set[str] = set()
    for entry in chosen:
        if entry.name is not None:
            names.setdefault(entry.item, entry.name)
        if entry.corrects is not None:
            corrections.setdefault((entry.item, entry.corrects), []).append(entry)
        if entry.marks is not None:
            marked.add(entry.marks)
    entries = []
    for entry in chosen:
        named = names.get(entry.item)
        reference = str(entry.item) if named is None else named
        correcting = corrections.get((entry.item, entry.version), [])
        entries.append(
            TrailEntry(
                position=entry.position,
                subject=entry.subject,
                reference=reference,
                version=entry.version,
                event=entry.event,
                effective_on=entry.effective_on,
                recorded_at=entry.recorded_at,
                actor=entry.actor,
                reason=entry.reason,
                changes=entry.changes,
                details=entry.details,
                corrects=entry.corrects,
                what_was_wrong=entry.what_was_wrong,
                strikes=entry.strikes,
                corrected_by=tuple(c.version for c in correcting),
                struck_out=bool(correcting) and correcting[-1].strikes,
                sensitive=entry.subject == "recommendation" and reference in marked,
            )
        )
    return Trail(basis=basis, entries=tuple(entries))


_MARKING = (
    Raised,
    Corrected,
    InspectionRecorded,
    InspectionRevised,
    ReportPublished,
    ReportRevised,
)


def marks_sensitivity(event: Event) -> bool:
    """Whether ``event`` is one :meth:`Sensitivity.of` reads (the first entries of items,
    revisions of inspections and reports, corrections): the others may be left out."""
    return isinstance(
        event,
        Raised
        | Corrected
        | InspectionRecorded
        | InspectionRevised
        | ReportPublished
        | ReportRevised,
    )


class TrailIndex:
    """What listing a trail entry by entry, as the log is read, must know of the whole log
    first: each item's reference, the corrections of each entry, how many entries of each
    item the trail lists and where the last one is, and what the log marks sensitive.

    Give it every entry of the log in log order (:meth:`add`), then list each chosen entry
    (:meth:`chosen`) with :meth:`entry`, after the chosen entries of its item before it.
    What it keeps grows with the number of items and corrections, not with the log.
    """

    def __init__(self, basis: Basis) -> None:
        self.basis = basis
        self.names: dict[uuid.UUID, str] = {}
        self.corrections: dict[tuple[uuid.UUID, int], list[Corrected]] = {}
        self.subjects: dict[uuid.UUID, Subject] = {}
        self.counts: dict[uuid.UUID, int] = {}
        self.last: dict[uuid.UUID, int] = {}
        self._marking: list[Event] = []
        self._marking_chosen: list[Event] = []
        self._sensitivity: Sensitivity | None = None
        self._shared: dict[Any, Any] = {}
        self.everything = Sensitivity()
        """What the whole log marks sensitive (once :meth:`done`)."""

    def chosen(self, logged: Positioned) -> bool:
        """Whether the trail lists ``logged`` (recorded by ``known_at``, at or before
        ``position``)."""
        return (
            logged.position <= self.basis.position
            and logged.event.recorded_at <= self.basis.known_at
        )

    def add(self, logged: Positioned) -> None:
        """Learn from ``logged``, the next entry of the whole log."""
        event = logged.event
        item = event.originator_id
        name = _names_of(event)
        if name is not None:
            self.names.setdefault(item, name)
        chosen = self.chosen(logged)
        if marks_sensitivity(event):
            kept = self._light(event)
            self._marking.append(kept)
            if chosen:
                self._marking_chosen.append(kept)
        if not chosen:
            return
        self.subjects[item] = _subject(event)
        self.counts[item] = self.counts.get(item, 0) + 1
        self.last[item] = logged.position
        if isinstance(event, Corrected):
            self.corrections.setdefault((item, event.corrects), []).append(event)

    def _light(self, event: Event) -> Event:
        """``event`` as :meth:`Sensitivity.of` needs it: a raising without its text, its
        kind of item and grading scale shared with every other raising that has the same."""
        if not isinstance(event, Raised):
            return event
        return attrs.evolve(
            event,
            text="",
            points=(),
            kind=self._shared.setdefault(event.kind, event.kind),
            scale=self._shared.setdefault(event.scale, event.scale),
        )

    def done(self) -> None:
        """Say the whole log was added: judge what it marks sensitive."""
        self.everything = Sensitivity.of(self._marking)
        self._sensitivity = Sensitivity.of(self._marking_chosen)
        self._marking, self._marking_chosen = [], []

    def reference(self, item: uuid.UUID) -> str:
        """The reference of ``item``, as the trail names it."""
        named = self.names.get(item)
        return str(item) if named is None else named

    def entry(self, logged: Positioned, prior: Sequence[Event]) -> TrailEntry:
        """The chosen entry ``logged`` as :func:`build_trail` lists it, ``prior`` being the
        chosen entries of its item before it, in log order."""
        sensitivity = self._sensitivity if self._sensitivity is not None else Sensitivity()
        return _listed(logged, prior, self.names, self.corrections, sensitivity)


@frozen(kw_only=True)
class TrailStream:
    """An audit trail listed as the log is read, entry by entry, rather than held whole:
    iterate it (as often as needed) for its :class:`TrailEntry` objects, in log order,
    the same entries as the :class:`Trail` on the same basis, for the same audience.

    ``count`` is the number of entries it lists (``len``); ``disclosure`` says what it
    leaves out. Made by :meth:`Tracker.stream_trail <recommendations.Tracker.stream_trail>`.
    """

    basis: Basis
    disclosure: Disclosure = BODY_VIEW
    count: int
    entries: Callable[[], Iterator[TrailEntry]]

    def __iter__(self) -> Iterator[TrailEntry]:
        return self.entries()

    def __len__(self) -> int:
        return self.count
