"""The Tracker's read side beyond the register: audit trails, the committee update, and
what each audience may see.

Each method reads the log once, hands it to the pure builders of
:mod:`recommendations.views` with the answer's :class:`~recommendations.views.Basis`, and
narrows the result with :func:`~recommendations.views.for_audience`, judging sensitivity on
everything recorded (see :meth:`TrackerReads.sensitivity`).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Protocol

from . import domain, views
from ._errors import NotFound
from .views import DEFAULT_AUDIENCE_POLICY, Audience, AudiencePolicy

__all__ = ["TRAIL_CACHE", "TrackerReads"]

TRAIL_CACHE = 100_000
"""How many earlier entries a streamed trail keeps at most, to work out what each entry
changed without reading its item's log again."""


class _Reads(Protocol):
    """What the views need of the tracker they are mixed into."""

    def _logged_item(self, originator_id: uuid.UUID) -> list[Any]: ...

    def _sources_of(self, mine: list[Any], head: int | None = None) -> list[domain.Event]: ...

    def _linked_sensitivity(self, mine: list[Any]) -> views.Sensitivity: ...

    def _history(self, originator_id: uuid.UUID, kind: type[Any]) -> list[Any]: ...

    def _source_history(
        self, originator_id: uuid.UUID, kind: type[Any], head: int
    ) -> list[Any]: ...

    def _resolved(self, reference: str, make_id: Callable[[str], uuid.UUID]) -> str: ...

    def _kept_history(
        self, reference: str, known_at: datetime | None, position: int | None
    ) -> views.Trail | None: ...

    def _catch_up_for_read(self) -> None: ...

    def _sensitivity(self) -> views.Sensitivity: ...

    def _register_stream(
        self,
        as_at: date | None,
        known_at: datetime | None,
        position: int | None,
        where: views.RegisterFilter | None,
    ) -> views.RegisterStream: ...

    def _earlier(self, originator_id: uuid.UUID, version: int) -> list[domain.Event]: ...

    def reports(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Report]: ...

    def log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[views.Positioned]: ...

    def basis(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
    ) -> views.Basis: ...

    def register(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        where: views.RegisterFilter | None = None,
    ) -> views.Register: ...

    def reading_policy(
        self, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Policy: ...


class TrackerReads:
    """Mixed into :class:`~recommendations.Tracker`; uses its ``log``, ``basis`` and
    ``register``."""

    def _sources_of(self: _Reads, mine: list[Any], head: int | None = None) -> list[domain.Event]:
        """One recommendation's entries with those of the report and inspection it came
        from: all that decides whether it is sensitive. ``head``: the log's last position,
        just read (their logs are then kept for the next recommendation while it stays)."""

        def history(originator_id: uuid.UUID, kind: type[Any]) -> list[Any]:
            if head is None:
                return self._history(originator_id, kind)
            return self._source_history(originator_id, kind, head)

        events: list[domain.Event] = [logged.event for logged in mine]
        sources: list[domain.Event] = []
        for event in events:
            raised = event.replacement if isinstance(event, domain.Corrected) else event
            if isinstance(raised, domain.Raised):
                sources += history(domain.report_id(raised.report), domain.ReportEvent)
                if raised.inspection is not None:
                    sources += history(
                        domain.inspection_id(raised.inspection), domain.InspectionEvent
                    )
        for report in [e for e in sources if isinstance(e, domain.ReportEvent)]:
            details = getattr(report, "details", None)
            if details is not None and details.inspection is not None:
                sources += history(domain.inspection_id(details.inspection), domain.InspectionEvent)
        return [*sources, *events]

    def _linked_sensitivity(self: _Reads, mine: list[Any]) -> views.Sensitivity:
        """What is sensitive among the recommendations one recommendation's entries name
        (the successors it was ever superseded by), judged as for the item itself."""
        named: set[str] = set()
        for logged in mine:
            event = logged.event
            entry = event.replacement if isinstance(event, domain.Corrected) else event
            if isinstance(entry, domain.Discharged) and entry.superseded_by is not None:
                named.add(entry.superseded_by)
        found = views.Sensitivity()
        for reference in sorted(named):
            linked = self._logged_item(domain.recommendation_id(reference))
            found = found | views.Sensitivity.of(self._sources_of(linked))
        return found

    def sensitivity(self: _Reads) -> views.Sensitivity:
        """Every recommendation, report and inspection the public must never see.

        Judged on the whole log as recorded now, whatever the basis of the view it is
        applied to: something marked sensitive today is withheld from public views of the
        past too, and something once marked sensitive stays so. A store whose views keep
        it (SQLite, PostgreSQL) answers from them when they hold the whole log; otherwise
        the log is read.
        """
        return self._sensitivity()

    def history(
        self: _Reads,
        reference: str,
        *,
        known_at: datetime | None = None,
        position: int | None = None,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
    ) -> views.Trail:
        """The audit trail of one recommendation: its entries recorded by ``known_at``
        (default: now) and at or before log ``position`` (default: the end), in log order,
        with the entries of its reminders (see :mod:`recommendations.reminders`).

        Raises :class:`~recommendations.NotFound` if nothing was ever recorded under
        ``reference``, or if ``audience`` may not see it (so that the public cannot tell a
        sensitive reference from one that does not exist). A link to an item ``audience``
        may not see (a sensitive successor) reads :data:`~recommendations.views.WITHHELD`.
        """
        if audience is not Audience.PUBLIC:  # (only the public's trail needs its sources)
            kept = self._kept_history(reference, known_at, position)
            if kept is not None:
                return views.for_audience(kept, audience, policy)
        basis = self.basis(known_at=known_at, position=position)
        reference = self._resolved(reference, domain.recommendation_id)
        mine = self._logged_item(domain.recommendation_id(reference))
        head = basis.position if position is None else None  # the log's last, just read
        sensitive = views.Sensitivity.of(self._sources_of(mine, head))
        if not mine or (audience is Audience.PUBLIC and sensitive.recommendation(reference)):
            raise NotFound("no recommendation has this reference", reference=reference)
        if audience is Audience.PUBLIC:
            sensitive = sensitive | self._linked_sensitivity(mine)
        # its reminders (kept in a log of their own) are part of its history
        reminded = self._logged_item(domain.reminders_id(reference))
        shown = sorted([*mine, *reminded], key=lambda logged: logged.position)
        return views.for_audience(
            views.build_trail(shown, basis), audience, policy, sensitive=sensitive
        )

    def trail(
        self: _Reads,
        *,
        known_at: datetime | None = None,
        position: int | None = None,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        body: str | None = None,
    ) -> views.Trail:
        """The audit trail of the whole log (recommendations, reports and inspections):
        entries recorded by ``known_at`` (default: now) and at or before ``position``;
        with ``body``, those about that body alone (:func:`~recommendations.views.of_body`).
        """
        self._catch_up_for_read()  # read from the log, but say if the views are behind it
        basis = self.basis(known_at=known_at, position=position)
        log = list(self.log())
        return views.for_audience(
            views.build_trail(log if body is None else views.of_body(log, body), basis),
            audience,
            policy,
            sensitive=views.Sensitivity.of(logged.event for logged in log),
        )

    def stream_trail(
        self: _Reads,
        *,
        known_at: datetime | None = None,
        position: int | None = None,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        cached: int = TRAIL_CACHE,
    ) -> views.TrailStream:
        """:meth:`trail`, listed as the log is read rather than held whole: the same
        entries, for a log of any length, in memory that does not grow with it.

        The log is read once now (for each item's reference, the corrections and what is
        sensitive) and once more each time the stream is iterated; each item's earlier
        entries are kept while it has more to come, at most ``cached`` entries in all
        (beyond that, an item's entries are read again from the store when needed).
        """
        basis = self.basis(known_at=known_at, position=position)
        index = views.TrailIndex(basis)
        for logged in self.log():
            index.add(logged)
        index.done()
        shown = views.TrailFilter.of(audience, policy, sensitive=index.everything)
        hidden = {
            item
            for item, subject in index.subjects.items()
            if shown.hides(subject, index.reference(item))
        }
        count = sum(n for item, n in index.counts.items() if item not in hidden)

        def entries() -> Iterator[views.TrailEntry]:
            earlier: OrderedDict[uuid.UUID, list[domain.Event]] = OrderedDict()
            kept = 0
            for logged in self.log():
                if logged.position > basis.position:
                    return
                item = logged.event.originator_id
                if item in hidden or not index.chosen(logged):
                    continue
                prior = earlier.pop(item, None)
                if prior is None and logged.event.originator_version == 1:
                    prior = []  # its first entry: nothing before it to read
                elif prior is None:  # forgotten, to keep memory bounded: read it again
                    prior = [
                        event
                        for event in self._earlier(item, logged.event.originator_version)
                        if event.recorded_at <= basis.known_at
                    ]
                    kept += len(prior)
                entry = shown.entry(index.entry(logged, prior))
                prior.append(logged.event)
                kept += 1
                if index.last[item] == logged.position:
                    kept -= len(prior)  # its last entry in this trail
                else:
                    earlier[item] = prior
                while kept > cached and earlier:
                    kept -= len(earlier.popitem(last=False)[1])
                if entry is not None:
                    yield entry

        return views.TrailStream(
            basis=basis, disclosure=shown.disclosure(len(hidden)), count=count, entries=entries
        )

    def committee_update(
        self: _Reads,
        *,
        since: date,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        body: str | None = None,
    ) -> views.CommitteeUpdate:
        """The update for a committee on ``as_at`` (default: today), the previous one
        having met on ``since``, as known at ``known_at`` (default: now), up to ``position``;
        with ``body``, of that body's part of the log alone
        (:func:`~recommendations.views.of_body`).
        """
        basis = self.basis(as_at=as_at, known_at=known_at, position=position)
        log = list(self.log())
        rules = self.reading_policy(basis.as_at, basis.known_at)
        part = log if body is None else views.of_body(log, body)
        return views.for_audience(
            views.build_committee_update(part, since=since, basis=basis, policy=rules),
            audience,
            policy,
            sensitive=views.Sensitivity.of(logged.event for logged in log),
        )

    def register_labels(
        self: _Reads, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> views.RegisterLabels:
        """What a register as at ``as_at``, as known at ``known_at``, reads as: its reports'
        titles and the labels of the policy in force then (give them to a register with
        ``attrs.evolve(register, labels=...)``; the exports write them beside the codes)."""
        return views.RegisterLabels.of(
            self.reading_policy(as_at, known_at), self.reports(as_at=as_at, known_at=known_at)
        )

    def register_for(
        self: _Reads,
        audience: Audience,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        where: views.RegisterFilter | None = None,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
    ) -> views.Register:
        """:meth:`register`, as ``audience`` may see it.

        The same as ``for_audience(tracker.register(...), audience, policy,
        sensitive=tracker.sensitivity())`` (what is sensitive is looked up only for an
        audience that may not see it).
        """
        register = self.register(as_at=as_at, known_at=known_at, position=position, where=where)
        sensitive = self._sensitivity() if audience is Audience.PUBLIC else None
        return views.for_audience(register, audience, policy, sensitive=sensitive)

    def stream_register(
        self: _Reads,
        audience: Audience = Audience.BODY,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        where: views.RegisterFilter | None = None,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
    ) -> views.RegisterStream:
        """:meth:`register_for`, listed as the store is read rather than held whole: the
        same rows, as :class:`~recommendations.views.RegisterLine` objects (their
        :meth:`~recommendations.views.RegisterLine.row` is the
        :class:`~recommendations.views.RegisterRow`), by reference, in memory that does not
        grow with the register.

        Where the store keeps views (SQLite, PostgreSQL), the rows are read a page at a
        time each time the stream is iterated, in one read transaction of the views'
        connection: use the tracker for nothing else until an iteration ends. The rows
        are read once more now to count them (and once more for an audience narrower
        than ``BODY``); every iteration gives the same rows, those of the stream's basis.
        A store without views holds the rows whole.
        """
        stream = self._register_stream(as_at, known_at, position, where)
        sensitive = self._sensitivity() if audience is Audience.PUBLIC else None
        return views.for_audience(stream, audience, policy, sensitive=sensitive)
