"""Reads: an item's log and its state as at a date and as known at a time, the whole log in
order, and the register, from the log or the views."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TypeVar, cast

import attrs

from recommendations import domain, views
from recommendations._errors import NotFound, RuleViolation
from recommendations._serialization import CommandRecord, Erasure
from recommendations.stores import Tables, item_log

from ._catch_up import CatchUp
from ._lookups import find_inspection, find_report, not_yet, of_kind
from ._store import LogStore, translated
from ._values import Positioned

__all__ = ["Reads", "check_when"]

_E = TypeVar("_E", bound=domain.Event)
_CACHED_SOURCES = 4096
"""How many reports' and inspections' logs :meth:`Reads.source_history` keeps."""


def check_when(as_at: object, known_at: object) -> None:
    """Refuse an ``as_at`` that is not a date or a ``known_at`` that is not an aware time."""
    if as_at is not None and (not isinstance(as_at, date) or isinstance(as_at, datetime)):
        raise RuleViolation(
            f"as_at must be a date, not {type(as_at).__name__} {as_at!r}",
            field="as_at",
            rule="type",
        )
    if known_at is not None and (
        not isinstance(known_at, datetime) or known_at.utcoffset() is None
    ):
        raise RuleViolation(
            f"known_at must be a timezone-aware datetime, not {known_at!r}",
            field="known_at",
            rule="type",
        )


class Reads:
    """What a tracker answers from ``store`` (the log) and ``views`` (caught up by
    ``catch_up`` first), with ``clock`` for "now"."""

    def __init__(
        self, store: LogStore, views: Tables, catch_up: CatchUp, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.tables = views
        self.catch_up = catch_up
        self.clock = clock
        self._sources: dict[tuple[uuid.UUID, type[domain.Event]], list[domain.Event]] = {}
        self._sources_head = (-1, 0)
        self._recorded: tuple[tuple[int, int], datetime | None] = ((0, 0), None)

    # --- one item ---------------------------------------------------------------------------

    def history(self, originator_id: uuid.UUID, kind: type[_E], /) -> list[_E]:
        """An item's log, read now, checked to be all of ``kind``."""
        return of_kind(self.store.item(originator_id), originator_id, kind)

    def source_history(self, originator_id: uuid.UUID, kind: type[_E], head: int, /) -> list[_E]:
        """:meth:`history` of a report or an inspection, kept while the log's last position
        is ``head`` (read just before): every recommendation from a report reads its log,
        and nothing can have been added to it while no position was (nor while no
        transaction held open rolled back: the head may come back to the same number with
        other entries)."""
        basis = (head, self.store.rollbacks)
        if basis != self._sources_head:
            self._sources.clear()
            self._sources_head = basis
        key = (originator_id, kind)
        found = self._sources.get(key)
        if found is None:
            if len(self._sources) >= _CACHED_SOURCES:
                self._sources.clear()
            found = self._sources[key] = list(self.history(originator_id, kind))
        return cast(list[_E], list(found))

    def resolved(self, reference: str, make_id: Callable[[str], uuid.UUID]) -> str:
        """The reference a lookup names: its normal form (:func:`domain.normal_reference`),
        unless only the form given was recorded (before references were normalised)."""
        if not isinstance(reference, str):  # the lookup refuses it as it would have
            return cast(str, reference)  # type: ignore[unreachable]
        normal: str = domain.normal_reference(reference)
        if normal == reference or self.store.exists(make_id(normal)):
            return normal
        return reference if self.store.exists(make_id(reference)) else normal

    def events(self, reference: str) -> list[domain.RecommendationEvent]:
        reference = self.resolved(reference, domain.recommendation_id)
        events = self.history(domain.recommendation_id(reference), domain.RecommendationEvent)
        if not events:
            raise NotFound("no recommendation has this reference", reference=reference)
        return events

    def recommendation(
        self, reference: str, as_at: date | None, known_at: datetime | None
    ) -> domain.Recommendation:
        check_when(as_at, known_at)
        reference = self.resolved(reference, domain.recommendation_id)
        state = domain.project(self.events(reference), as_at=as_at, known_at=known_at)
        if state is None:
            raise NotFound(not_yet("recommendation", as_at, known_at), reference=reference)
        return state

    def inspection(
        self, reference: str, as_at: date | None, known_at: datetime | None
    ) -> domain.Inspection:
        check_when(as_at, known_at)
        reference = self.resolved(reference, domain.inspection_id)
        found = find_inspection(self.history, reference, as_at, known_at)
        assert found is not None  # find_inspection raises NotFound otherwise
        return found

    def report(
        self, reference: str, as_at: date | None, known_at: datetime | None
    ) -> domain.Report:
        check_when(as_at, known_at)
        reference = self.resolved(reference, domain.report_id)
        found = find_report(self.history, reference, as_at, known_at)
        if found is None:
            raise NotFound(
                not_yet("report", as_at, known_at), reference=reference, subject="report"
            )
        return found

    def logged_item(self, originator_id: uuid.UUID) -> list[Positioned]:
        """One item's entries with their positions in the whole log."""
        self.catch_up.for_read()
        with translated(self.store.label):
            logged = item_log(self.tables, originator_id)
        before: domain.Event | None = None
        for entry in logged:
            views.check_follows(before, entry.event, entry.position)
            before = entry.event
        return logged

    def kept_history(
        self, reference: str, known_at: datetime | None, position: int | None
    ) -> views.Trail | None:
        """The audit trail of one recommendation and its reminders on the basis ``known_at``
        and ``position`` give, listed from what the views keep of each entry (one indexed
        read, which also tells whether the views hold the whole log); ``None`` where the
        views keep no such thing, cannot catch up, or hold an entry they could not keep: the
        trail is then worked out from the log."""
        read = getattr(self.tables, "kept_trail", None)
        if read is None:
            return None
        check_when(None, known_at)
        known = known_at if known_at is not None else self.clock()
        reference = self.resolved(reference, domain.recommendation_id)
        item, reminders = domain.recommendation_id(reference), domain.reminders_id(reference)
        with translated(self.store.label):
            reached, head, kept = read(item, reminders)
        if reached < head:  # entries the views have not applied yet
            if self.catch_up.quietly() is not None:
                return None  # the log's own answer says why, with a warning
            with translated(self.store.label):
                reached, head, kept = read(item, reminders)
            if reached < head:
                return None
        if kept is None:
            return None
        if not any(entry.item == item for entry in kept):
            raise NotFound("no recommendation has this reference", reference=reference)
        self.catch_up.behind = None  # the views hold the whole log
        upto = head if position is None else min(position, head)
        basis = views.Basis(
            as_at=known.date(), known_at=known, position=self._recorded_by(known, upto)
        )
        return views.build_kept_trail(kept, basis)

    def _recorded_by(self, known_at: datetime, upto: int) -> int:
        """:meth:`LogStore.last_recorded_by`, the time the record at ``upto`` was recorded
        kept while ``upto`` stays the same (a committed record never changes; a position
        may come back with another record only after a held transaction rolled back, which
        the key counts): at most one read, by position, when the log has grown since."""
        if upto <= 0:
            return 0
        key = (upto, self.store.rollbacks)
        if self._recorded[0] != key:
            self._recorded = (key, self.store.recorded_at(upto))
        last = self._recorded[1]
        if last is None or last <= known_at:
            return upto
        with translated(self.store.label):
            return self.store.last_recorded_by(known_at, upto)

    # --- the whole log ----------------------------------------------------------------------

    def log(self, after: int, page_size: int) -> Iterator[Positioned]:
        intact = views.IntactLog() if after == 0 else None
        for position, event in self.store.records(after, page_size):
            if isinstance(event, domain.Event):  # not a command record
                if intact is not None:
                    intact(position, event)
                yield Positioned(position=position, event=event)

    def records(
        self, after: int, page_size: int
    ) -> Iterator[tuple[int, domain.Event | CommandRecord | Erasure]]:
        return self.store.records(after, page_size)

    def items(self, kind: type[_E]) -> list[list[_E]]:
        """The logs of every item of ``kind``, each in version order."""
        logs: dict[uuid.UUID, list[_E]] = {}
        for logged in self.log(0, 1000):
            if isinstance(logged.event, kind):
                logs.setdefault(logged.event.originator_id, []).append(logged.event)
        return [sorted(events, key=lambda e: e.originator_version) for events in logs.values()]

    def basis(
        self, as_at: date | None, known_at: datetime | None, position: int | None
    ) -> views.Basis:
        check_when(as_at, known_at)
        known = known_at if known_at is not None else self.clock()
        head = self.store.head()
        upto = head if position is None else min(position, head)
        with translated(self.store.label):
            included = self.store.last_recorded_by(known, upto)
        return views.Basis(
            as_at=as_at if as_at is not None else known.date(),
            known_at=known,
            position=included,
        )

    def recommendations(
        self, as_at: date | None, known_at: datetime | None
    ) -> list[domain.Recommendation]:
        check_when(as_at, known_at)
        states = [
            domain.project(events, as_at=as_at, known_at=known_at)
            for events in self.items(domain.RecommendationEvent)
        ]
        return sorted((s for s in states if s is not None), key=lambda s: s.reference)

    def register(
        self,
        as_at: date | None,
        known_at: datetime | None,
        position: int | None,
        where: views.RegisterFilter | None,
    ) -> views.Register:
        keep = where or views.RegisterFilter()
        self.catch_up.for_read()
        with translated(self.store.label):
            asked = self.basis(as_at, known_at, position)
            reached, rows = self.tables.register(asked, keep)
            if reached < asked.position:  # the views had not caught up that far
                reached = self.store.last_recorded_by(asked.known_at, reached)
        basis = attrs.evolve(asked, position=reached)
        return views.Register(basis=basis, rows=tuple(rows))

    def register_stream(
        self,
        as_at: date | None,
        known_at: datetime | None,
        position: int | None,
        where: views.RegisterFilter | None,
    ) -> views.RegisterStream:
        """:meth:`register`, its rows read a page at a time each time it is iterated (once
        now, to count them), where the views can list them so; else held whole."""
        keep = where or views.RegisterFilter()
        lines_of = getattr(self.tables, "register_lines", None)
        if lines_of is None:
            register = self.register(as_at, known_at, position, where)
            held = tuple(views.RegisterLine.of(row) for row in register.rows)
            return views.RegisterStream(
                basis=register.basis, count=len(held), lines=lambda: iter(held)
            )
        self.catch_up.for_read()
        with translated(self.store.label):
            asked = self.basis(as_at, known_at, position)
            with lines_of(asked) as (reached, lines):
                count = sum(1 for line in lines if keep(line))
        basis = attrs.evolve(asked, position=reached)

        def listed() -> Iterator[views.RegisterLine]:
            with translated(self.store.label), lines_of(basis) as (_, lines):
                for line in lines:
                    if keep(line):
                        yield line

        return views.RegisterStream(basis=basis, count=count, lines=listed)

    def sensitivity(self) -> views.Sensitivity:
        """:meth:`views.Sensitivity.of` the whole log: from the views where they keep it
        and hold the whole log, else from reading it."""
        kept = getattr(self.tables, "sensitivity", None)
        if kept is not None:
            self.catch_up.for_read()
            with translated(self.store.label):
                reached, found = kept()
                if reached >= self.store.head():
                    return cast(views.Sensitivity, found)
        return views.Sensitivity.of(logged.event for logged in self.log(0, 1000))

    def register_by_fold(
        self,
        as_at: date | None,
        known_at: datetime | None,
        position: int | None,
        where: views.RegisterFilter | None,
    ) -> views.Register:
        basis = self.basis(as_at, known_at, position)
        return views.build_register(self.log(0, 1000), basis, where)

    def inspections(self, as_at: date | None, known_at: datetime | None) -> list[domain.Inspection]:
        states = [
            domain.project_inspection(events, as_at=as_at, known_at=known_at)
            for events in self.items(domain.InspectionEvent)
        ]
        return sorted((s for s in states if s is not None), key=lambda s: s.reference)

    def reports(self, as_at: date | None, known_at: datetime | None) -> list[domain.Report]:
        sensitive = {i.reference for i in self.inspections(as_at, known_at) if i.sensitive}
        states = [
            domain.project_report(events, as_at=as_at, known_at=known_at)
            for events in self.items(domain.ReportEvent)
        ]
        return sorted(
            (
                attrs.evolve(s, inspection_sensitive=s.details.inspection in sensitive)
                for s in states
                if s is not None
            ),
            key=lambda s: s.reference,
        )
