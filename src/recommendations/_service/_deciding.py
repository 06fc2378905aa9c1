"""Deciding: what a batch of commands would record, on the logs of the items it is about,
with nothing saved.

A :class:`Decider` reads what each command needs (the item's log, the report a
recommendation is raised from, the successor it is superseded by, the references already
taken), sets the recorded time, and calls the pure :func:`~recommendations.domain.decide`
or :func:`~recommendations.domain.decide_source`. Each command is decided on the state the
ones before it leave. The writer saves what it decides; :meth:`Tracker.decide` returns it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

import attrs
from attrs import frozen

from recommendations import domain
from recommendations._errors import ConfigurationError, NotFound, RuleViolation
from recommendations._references import ReferenceIndex

from ._item_logs import ItemLogs
from ._lookups import find_inspection, find_report, of_kind
from ._store import ItemSource, translated
from ._values import Decided

__all__ = ["COMMANDS", "Batch", "Decider", "check_commands"]

_E = TypeVar("_E", bound=domain.Event)

COMMANDS = (
    domain.Raise,
    domain.Assign,
    domain.Regrade,
    domain.NoteProgress,
    domain.ChangeDeadline,
    domain.ClaimImplementation,
    domain.RejectClaim,
    domain.Discharge,
    domain.Reopen,
    domain.Prioritise,
    domain.RecordResponse,
    domain.Correct,
    domain.RecordInspection,
    domain.ReviseInspection,
    domain.PublishReport,
    domain.ReviseReport,
    domain.ChangePlanStatus,
    domain.Configure,
)


def check_commands(commands: Sequence[object]) -> list[domain.Command]:
    """``commands`` as a list, each one a command; else :class:`RuleViolation`."""
    batch = list(commands)
    for command in batch:
        if not isinstance(command, COMMANDS):
            raise RuleViolation(
                f"{command!r} is not a command (expected one of "
                f"{', '.join(c.__name__ for c in COMMANDS)})",
                field="command",
                rule="type",
            )
    return batch  # type: ignore[return-value]


@frozen
class Batch:
    """What a batch decided: its ``events``; the log's ``head`` it was decided on; whether
    any item's log was ``trusted`` (taken from what the tracker knew, not read); and the
    ``logs`` of the items it records, as they will stand once it is saved, and the
    recommendations' timelines as ``checked`` with them."""

    events: list[domain.Event]
    head: int
    trusted: bool
    logs: dict[uuid.UUID, tuple[domain.Event, ...]]
    checked: dict[uuid.UUID, domain.Checked] = attrs.field(factory=dict)


class _Deciding:
    """One batch being decided: the logs read for it, its own entries so far, and the
    references it enters. Each call to :meth:`Decider.decide` has its own."""

    def __init__(self, fresh: bool, last: datetime | None, head: int) -> None:
        self.fresh = fresh
        self.last = last
        self.head = head
        self.staged: dict[uuid.UUID, list[domain.Event]] = {}
        self.read: dict[uuid.UUID, list[domain.Event]] = {}
        self.trusted = False
        self.created: dict[str, dict[str, str]] | None = None
        self.checked: dict[uuid.UUID, domain.Checked] = {}
        # Reports as found, by reference and date, until the batch stages an entry of a
        # report or an inspection (which may change what is found).
        self.reports: dict[tuple[str, date | None], domain.Report | None] = {}


class Decider:
    """Decides commands on the logs ``source`` holds, with the ``policy`` and ``clock``
    given; ``known`` are the item logs it may trust when not asked to read afresh, and
    ``references`` the index of references taken (both kept for the source's life).

    With ``policy`` ``None``, a command is decided under the store's own policy: the one
    its configuration (read afresh for each batch) has in force on the command's effective
    date."""

    def __init__(
        self,
        source: ItemSource,
        *,
        policy: domain.Policy | None,
        clock: Callable[[], datetime],
        known: ItemLogs | None = None,
    ) -> None:
        self.source = source
        self.policy = policy
        self.clock = clock
        self.known = known if known is not None else ItemLogs()
        self.references = ReferenceIndex(source.select, source.decode)
        # What this decider recorded last, kept so that the next batch need not read it
        # back: the log's head then and its recorded time; and the configuration's log with
        # the head up to which it is known whole (extended by each batch recorded right
        # after it without a configuration entry). Both hold only while the log's head is
        # the one they name, and are dropped if the head goes back, an erasure is met, or a
        # transaction held open rolls back (the head may come back to the same number with
        # other entries): ``_basis`` is the head, the erasures met and the rollbacks seen.
        self._lock = threading.Lock()
        self._head_time: tuple[int, datetime] | None = None
        self._configuration: tuple[int, list[domain.Event]] | None = None
        self._basis = (0, 0, 0)

    def decide(self, commands: list[domain.Command], *, fresh: bool = True) -> Batch:
        """Decide each command on the log and the entries decided before it (``fresh``: on
        item logs all read now, none taken from what is known)."""
        # (the rollbacks first: one that ends after the head is read is seen next time)
        rollbacks = self.source.rollbacks
        head = self.source.head()
        erasures = self.source.erasures_met()
        self.known.saw(head, erasures, rollbacks)
        with self._lock:
            basis = self._basis
            if head < basis[0] or erasures != basis[1] or rollbacks != basis[2]:
                self._head_time = self._configuration = None
            self._basis = (head, erasures, rollbacks)
            known_time = self._head_time
        if known_time is not None and known_time[0] == head:
            last: datetime | None = known_time[1]
        else:
            last = self.source.recorded_at(head) if head else None
        batch = _Deciding(fresh, last, head)
        events = []
        for command in commands:
            if isinstance(
                command,
                domain.RecordInspection
                | domain.ReviseInspection
                | domain.PublishReport
                | domain.ReviseReport
                | domain.ChangePlanStatus,
            ):
                event = self._decide_source(batch, command)
            elif isinstance(command, domain.Configure):
                event = self._decide_configuration(batch, command)
            else:
                event = self._decide_recommendation(batch, command)
            batch.staged.setdefault(event.originator_id, []).append(event)
            batch.last = event.recorded_at
            if batch.reports and isinstance(event, domain.ReportEvent | domain.InspectionEvent):
                batch.reports.clear()
            events.append(event)
        return Batch(
            events=events,
            head=head,
            trusted=batch.trusted,
            logs={
                item: (*batch.read[item], *log)
                for item, log in batch.staged.items()
                if item in batch.read
            },
            checked=batch.checked,
        )

    def rehearse(self, commands: Sequence[domain.Command]) -> list[Decided]:
        """What ``commands`` would record, each decided on the state the ones before it
        leave, on item logs all read now; nothing is saved. The positions are those the
        entries would take if recorded next, with nothing else written first."""
        batch = check_commands(commands)
        if not batch:
            return []
        first = batch[0].reference if isinstance(batch[0].reference, str) else None
        with translated(self.source.label, first):
            decided = self.decide(batch, fresh=True)
        return [
            Decided(event=event, position=decided.head + number)
            for number, event in enumerate(decided.events, start=1)
        ]

    def forget(self) -> None:
        """Drop everything kept of what was recorded and read (after a transaction it was
        recorded in rolled back): the next batch reads what it needs afresh."""
        self.known.clear()
        self.references.forget()
        with self._lock:
            self._head_time = self._configuration = None
            self._basis = (0, 0, -1)  # (no rollback count matches: nothing is trusted)

    def recorded(self, first: int, last: int, events: Sequence[domain.Event]) -> None:
        """``events`` were recorded at positions ``first`` to ``last`` (the last of them, or
        a command record after them, recorded at the time of the last event)."""
        self.references.recorded(first, last, events)
        if not events:
            return
        configuration = domain.configuration_id()
        with self._lock:
            self._head_time = (last, events[-1].recorded_at)
            known = self._configuration
            if known is not None:
                whole = known[0] == first - 1 and all(
                    event.originator_id != configuration for event in events
                )
                self._configuration = (last, known[1]) if whole else None

    # --- what a command needs -----------------------------------------------------------

    def _history(
        self,
        batch: _Deciding,
        originator_id: uuid.UUID,
        kind: type[_E],
        *,
        deciding: bool = False,
        raising: bool = False,
    ) -> list[_E]:
        """An item's log, read once for the batch, with the batch's own entries after it;
        taken from what is known where it may be (``deciding``); a recommendation being
        raised is taken to have none (``raising``) unless it is known."""
        if originator_id in batch.read:
            events = batch.read[originator_id]
        else:
            known = None
            if deciding and not batch.fresh:
                known = self.known.get(originator_id)
                if known is None and raising:
                    known = ()
            if known is not None:
                events = list(known)
                batch.trusted = True
            elif originator_id == domain.configuration_id():
                events = self._configuration_log(batch)
            else:
                events = self.source.item(originator_id)
            batch.read[originator_id] = events
        staged = batch.staged.get(originator_id)
        if staged:
            events = [*events, *staged]
        return of_kind(events, originator_id, kind)

    def _configuration_log(self, batch: _Deciding) -> list[domain.Event]:
        """The configuration's log: as kept, if it is known whole at the batch's head and
        the batch may trust what is known (not ``fresh``); else read, and kept."""
        with self._lock:
            known = self._configuration
        if not batch.fresh and known is not None and known[0] == batch.head:
            return list(known[1])
        events = self.source.item(domain.configuration_id())
        with self._lock:
            # Whole at the batch's head at least (read after it): kept for that head.
            self._configuration = (batch.head, list(events))
        return events

    def _exists(self, batch: _Deciding, originator_id: uuid.UUID) -> bool:
        if originator_id in batch.staged:
            return True
        return self.source.exists(originator_id)

    def _report(
        self, batch: _Deciding, reference: str, as_at: date | None = None
    ) -> domain.Report | None:
        key = (reference, as_at)
        if key in batch.reports:
            return batch.reports[key]

        def history(originator_id: uuid.UUID, kind: type[_E], /) -> list[_E]:
            return self._history(batch, originator_id, kind)

        found = batch.reports[key] = find_report(history, reference, as_at)
        return found

    def _recorded_at(self, batch: _Deciding, history: Sequence[domain.Event]) -> datetime:
        """Now, by the clock, but never before the last entry of the item or of the whole
        store (as read when the batch began, and the batch's own entries since): recorded
        time only grows along the log as this writer sees it."""
        now = self.clock()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise ConfigurationError(
                f"the tracker's clock returned {now!r}, not a timezone-aware time",
                field="clock",
                rule="aware-time",
            )
        latest = [history[-1].recorded_at] if history else []
        if batch.last is not None:
            latest.append(batch.last)
        for moment in latest:
            if now <= moment:
                now = moment + timedelta(microseconds=1)
        return now

    def _check_case(self, batch: _Deciding, subject: str, reference: object) -> None:
        """Refuse a new item whose reference differs from one taken only by case."""
        if not isinstance(reference, str):
            return  # the domain refuses it
        created = batch.created
        if created is None:
            with translated(self.source.label, reference):
                self.references.catch_up(batch.head)
            created = batch.created = {}
        self.references.check(subject, reference, created.setdefault(subject, {}))

    def _hinted(self, batch: _Deciding, error: NotFound, subject: str, missing: object) -> NotFound:
        """``error``, saying which ``subject`` differs from ``missing`` only by case, if
        one does (a person typing ``cb-21`` for ``CB-21``)."""
        if not isinstance(missing, str):
            return error
        with translated(self.source.label, error.reference):
            self.references.catch_up(batch.head)
        existing = self.references.same_but_case(subject, missing)
        if existing is None:
            return error
        return NotFound(
            f"{error.detail} ({subject} {existing!r} differs from it only by case)",
            reference=error.reference,
            field=error.field,
            rule=error.rule,
            subject=error.subject,
        )

    # --- deciding -----------------------------------------------------------------------

    def _decide_recommendation(
        self, batch: _Deciding, command: domain.RecommendationCommand
    ) -> domain.Event:
        reference = command.reference
        if isinstance(command, domain.Raise):
            self._check_case(batch, "recommendation", reference)
        item = domain.recommendation_id(str(reference))
        history = self._history(
            batch,
            item,
            domain.RecommendationEvent,
            deciding=True,
            raising=isinstance(command, domain.Raise),
        )
        report = None
        if isinstance(command, domain.Correct) and command.version == 1 and history:
            raised = history[0]
            if isinstance(raised, domain.Raised):
                report = self._report(batch, raised.report)
        if isinstance(command, domain.Raise) and isinstance(command.report, str):
            # The report as it stood when the recommendation was raised; if it had not been
            # entered by then, the report as now, so the rule names the dates.
            as_then = command.effective_on if isinstance(command.effective_on, date) else None
            report = self._report(batch, command.report, as_then) or self._report(
                batch, command.report
            )
        successor = (
            command.superseded_by
            if isinstance(command, domain.Discharge)
            else dict(command.changes).get("superseded_by")
            if isinstance(command, domain.Correct)
            else None
        )
        if (
            isinstance(successor, str)
            and successor != reference
            and not self._exists(batch, domain.recommendation_id(successor))
        ):
            raise self._hinted(
                batch,
                NotFound(
                    f"no recommendation {successor!r} to be superseded by",
                    reference=reference,
                    field="superseded_by",
                ),
                "recommendation",
                successor,
            )
        try:
            # Checked against the part of the timeline the entry can change, from the
            # timeline as last checked (kept with the item's log; unused if it is not of
            # this very log).
            event, batch.checked[item] = domain.decide_checked(
                history,
                command,
                recorded_at=self._recorded_at(batch, history),
                policy=self._policy(batch, command.effective_on),
                report=report,
                checked=batch.checked.get(item) or self.known.checked(item),
            )
            return event
        except NotFound as error:
            if error.field is None:
                raise self._hinted(batch, error, "recommendation", reference) from None
            if error.field == "report" and isinstance(command, domain.Raise):
                raise self._hinted(batch, error, "report", command.report) from None
            raise

    def _policy(self, batch: _Deciding, effective_on: object) -> domain.Policy:
        """The policy given, else the store's in force on ``effective_on``."""
        if self.policy is not None:
            return self.policy
        history = self._history(batch, domain.configuration_id(), domain.ConfigurationEvent)
        on = effective_on if isinstance(effective_on, date) else None
        return domain.policy_in_force(history, as_at=on)

    def _decide_configuration(self, batch: _Deciding, command: domain.Configure) -> domain.Event:
        history = self._history(
            batch, domain.configuration_id(), domain.ConfigurationEvent, deciding=True
        )
        return domain.decide_configuration(
            history, command, recorded_at=self._recorded_at(batch, history)
        )

    def _decide_source(self, batch: _Deciding, command: domain.SourceCommand) -> domain.Event:
        reference = str(command.reference)
        if isinstance(command, domain.RecordInspection):
            self._check_case(batch, "inspection", command.reference)
        elif isinstance(command, domain.PublishReport):
            self._check_case(batch, "report", command.reference)
        history: Sequence[domain.InspectionEvent] | Sequence[domain.ReportEvent]
        inspection = None
        policy = None
        if isinstance(command, domain.RecordInspection | domain.ReviseInspection):
            history = self._history(
                batch, domain.inspection_id(reference), domain.InspectionEvent, deciding=True
            )
        else:
            history = self._history(
                batch, domain.report_id(reference), domain.ReportEvent, deciding=True
            )
            details = getattr(command, "details", None)
            named = getattr(details, "inspection", None)
            if isinstance(command, domain.ChangePlanStatus):
                policy = self._policy(batch, command.effective_on)
            if isinstance(named, str):

                def read(originator_id: uuid.UUID, kind: type[_E], /) -> list[_E]:
                    return self._history(batch, originator_id, kind)

                inspection = find_inspection(read, named, missing_ok=True)
        return domain.decide_source(
            history,
            command,
            recorded_at=self._recorded_at(batch, history),
            inspection=inspection,
            policy=policy,
        )
