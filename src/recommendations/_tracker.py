"""The application service's front: :class:`Tracker`, what a program talks to.

A tracker keeps the log in an ``eventsourcing`` application (chosen by a store URL), sets
each event's recorded time itself, and turns storage errors into this library's errors.
It does none of that itself: each job is a part of :mod:`recommendations._service`
(reading and writing the log, deciding, recording with retries and command ids, reading,
copying logs, catching the views up), and the tracker wires them together over one store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from . import _deprecated, _logging, domain, views
from ._errors import TablesBehindWarning
from ._references import ReferenceIndex
from ._serialization import CommandRecord, Erasure
from ._service import (
    CatchUp,
    CommandIds,
    Copier,
    Decided,
    Decider,
    ItemLogs,
    LogStore,
    Positioned,
    Reads,
    Retrying,
    Writer,
    check_batch,
)
from ._service._reads import check_when
from ._service._staging import Stager
from ._service._store import _Log, translated  # noqa: F401 (_Log: known by this name)
from ._service._store import contended as _contended  # noqa: F401 (known by this name)
from ._tracker_views import TrackerReads

if TYPE_CHECKING:
    from .integrity._erase import Erased
    from .integrity._service import Integrity
from .stores import DEFAULT_STORE, LogSource, StoreURL, Tables, adapter_for

__all__ = ["Decided", "Positioned", "Tracker"]

_E = TypeVar("_E", bound=domain.Event)


_translated = translated  # the translation of engine errors, by the name it had here


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _OldNames:
    """The tracker's deprecated attribute names (here, so that ``views`` in the tracker's
    own body still names the module :mod:`recommendations.views`)."""

    tables: Tables

    @property
    def tables_behind(self) -> TablesBehindWarning | None:
        raise NotImplementedError

    @property
    def views(self) -> Tables:
        """Deprecated: the old name of :attr:`Tracker.tables`."""
        _deprecated.warn("recommendations.Tracker", "views")
        return self.tables

    @property
    def views_behind(self) -> TablesBehindWarning | None:
        """Deprecated: the old name of :attr:`Tracker.tables_behind`."""
        _deprecated.warn("recommendations.Tracker", "views_behind")
        return self.tables_behind


class Tracker(TrackerReads, _OldNames):
    """A recommendations tracker over one store.

    >>> tracker = Tracker("memory://")
    >>> tracker.store
    'memory://'

    ``store`` is a store URL (a SQLite file by default), ``policy`` the grading scales and
    kinds of item to decide commands under (by default, the store's own, recorded in its
    log: see :meth:`configuration`), and ``clock`` where recorded times come from (UTC now;
    tests give their own). Use it as a context manager, or call :meth:`close`.

    A command that meets another writer's entry for the same item (or a store kept busy by
    other writers: a SQLite file locked, a PostgreSQL lock not granted within the store's
    ``lock_timeout``) is decided again on the new state, after a pause, until it lands or
    is refused: if the command still holds, it is recorded after the other writer's entry;
    if it no longer does, the rule it now breaks is raised. The pauses are random, each
    up to twice as long as the one before (from 2 ms up to 0.25 s), so that writers who
    met spread out. Two bounds end the retrying with :class:`ConcurrencyError` (nothing
    recorded): ``retry_for``, the seconds since the command began after which it is not
    tried again (10 by default; ``math.inf`` for none; an attempt under way is not cut
    short), and ``retries``, how many times it may be decided again (``None``, the
    default, for no limit but time). With ``retries=0`` the first conflict raises at
    once.

    Rules that involve another item (the report a recommendation is raised from, the
    successor it is superseded by) are checked against that item as read: a revision of it
    recorded by another writer at the same moment is not detected.
    """

    def __init__(
        self,
        store: str = DEFAULT_STORE,
        *,
        policy: domain.Policy | None = None,
        clock: Callable[[], datetime] = _utc_now,
        retries: int | None = None,
        retry_for: float = 10.0,
    ) -> None:
        url = StoreURL.parse(store)
        adapter = adapter_for(url)
        settings = adapter.settings(url)
        self._retrying = Retrying(retries, retry_for)
        self.store = store
        self._policy = policy
        self._label = adapter.describe(url)
        self._clock = clock
        self._log = LogStore(settings, self._label)
        self._decider = Decider(self._log, policy=policy, clock=clock, known=ItemLogs())
        self._copier = Copier(self._log, self._decider.known)
        with translated(self._label):
            self.tables: Tables = adapter.open_tables(
                url, LogSource(self._log.app.recorder, self._log.decode_domain), settings
            )
        self._catch_up = CatchUp(self.tables, self._label)
        _logging.store.info("opened the store %s", self._label)
        self._reads = Reads(self._log, self.tables, self._catch_up, clock)
        self._writer = Writer(
            self._log,
            self._decider,
            self._retrying,
            CommandIds(self._log, self.tables, self._catch_up),
            self._catch_up,
            self.tables,
        )

    @property
    def policy(self) -> domain.Policy:
        """The policy commands are decided under: the one given when the tracker was made,
        else the store's own, in force today (see :meth:`configuration`)."""
        return self._policy if self._policy is not None else self.configuration()

    def configuration(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Policy:
        """The store's own policy, as its log records it: in force on ``as_at`` (default:
        today by the tracker's clock), as known at ``known_at`` (default: everything); the
        default policy where the log records none."""
        check_when(as_at, known_at)
        events = self._history(domain.configuration_id(), domain.ConfigurationEvent)
        on = as_at if as_at is not None else self._clock().date()
        return domain.policy_in_force(events, as_at=on, known_at=known_at)

    @property
    def retries(self) -> int | None:
        """How many times a command that met another writer may be decided again."""
        return self._retrying.retries

    @property
    def retry_for(self) -> float:
        """The seconds after which a command that keeps meeting other writers gives up."""
        return self._retrying.retry_for

    @property
    def tables_behind(self) -> TablesBehindWarning | None:
        """Set by the last read that found the materialised views unable to catch up with
        the log (what the read warned of; ``None`` after one that found them current)."""
        return self._catch_up.behind

    @property
    def _app(self) -> Application[uuid.UUID]:
        """The ``eventsourcing`` application underneath (private: its API is not ours)."""
        return self._log.app

    @property
    def integrity(self) -> Integrity:
        """The Merkle tree of this store's log: seal, verify, checkpoints and proofs."""
        from .integrity._service import Integrity

        return Integrity(self._app.recorder, self._label)

    @property
    def _references(self) -> ReferenceIndex:
        """The references taken in this store, by case-folded key (kept for deciding)."""
        return self._decider.references

    def _forget(self, items: set[uuid.UUID]) -> None:
        """Stop trusting what this tracker knows of these items' logs (an entry of theirs
        was written other than by deciding): the next command about them reads them."""
        self._decider.known.forget(items)

    def _decode(self, stored: StoredEvent) -> domain.Event | CommandRecord | Erasure:
        return self._log.decode(stored)

    def erase_person(
        self, name: str, *, reason: str, by: str, command_id: str | None = None
    ) -> Erased:
        """Erase the person ``name`` from the store: every entry naming them in a personal
        field reads ``[erased]`` from now on, and every proof stays valid. The erasure is
        an entry of the log itself (see :func:`recommendations.integrity._erase.erase`)."""
        from .integrity._erase import erase

        return erase(self, name, reason=reason, by=by, command_id=command_id)

    def _decode_domain(self, stored: StoredEvent) -> domain.Event | None:
        """A domain event, or ``None`` for an entry that is not one (a command record)."""
        return self._log.decode_domain(stored)

    # --- writing --------------------------------------------------------------------------

    def execute(self, command: domain.Command, *, command_id: str | None = None) -> Positioned:
        """Record what ``command`` asks, or raise the rule it breaks; nothing partial.

        ``command_id`` makes the command idempotent: carried out again with the same id
        (after a timeout, a crash or a restart), it records nothing and returns what the
        first time recorded; with the same id but other content it is refused. If another
        writer records an entry for the same item first, the command is decided again
        against the new state, up to ``retries`` times (see :class:`Tracker`).
        """
        return self.execute_many([command], command_id=command_id)[0]

    def execute_many(
        self, commands: Sequence[domain.Command], *, command_id: str | None = None
    ) -> list[Positioned]:
        """Record every command in ``commands``, in order, in one transaction: all or
        nothing.

        Each command is decided against the state the previous ones leave (a report
        published and a recommendation raised from it may come in one batch). If any is
        refused, its error is raised and nothing is recorded. ``command_id`` works as for
        :meth:`execute`, for the batch as a whole.
        """
        return self._writer.execute_many(list(commands), command_id)

    # --- deciding without recording -------------------------------------------------------

    def decide(self, command: domain.Command) -> Decided:
        """What :meth:`execute` would record for ``command`` now, without recording it.

        The answer holds the event (its item, entry number, recorded time) and the
        position it would take if it were recorded next, with nothing else written first.
        A command :meth:`execute` would refuse raises the same error, with the same
        message. Nothing is saved, so nothing stops another writer from recording first:
        executing the command afterwards decides it again on the log as it then stands.
        """
        return self.decide_many([command])[0]

    def decide_many(self, commands: Sequence[domain.Command]) -> list[Decided]:
        """What :meth:`execute_many` would record for ``commands`` now, in order, each
        decided on the state the ones before it leave; nothing is saved.

        Every item's log is read afresh. The entries would take consecutive positions
        after the end of the log (a store may leave gaps after a failed write, PostgreSQL
        among them: then they would take later ones)."""
        return self._decider.rehearse(commands)

    # --- reading ----------------------------------------------------------------------------

    def _history(self, originator_id: uuid.UUID, kind: type[_E]) -> list[_E]:
        """An item's log, read now."""
        return self._reads.history(originator_id, kind)

    def _source_history(self, originator_id: uuid.UUID, kind: type[_E], head: int) -> list[_E]:
        """A report's or an inspection's log, kept while the log ends at ``head``."""
        return self._reads.source_history(originator_id, kind, head)

    def _earlier(self, originator_id: uuid.UUID, version: int) -> list[domain.Event]:
        """An item's entries before ``version``, read from the log itself (an indexed
        read, whether or not the views are caught up)."""
        return self._log.earlier(originator_id, version)

    def _logged_item(self, originator_id: uuid.UUID) -> list[Positioned]:
        """One item's entries with their positions in the whole log."""
        return self._reads.logged_item(originator_id)

    def _kept_history(
        self, reference: str, known_at: datetime | None, position: int | None
    ) -> views.Trail | None:
        """One recommendation's trail from what the views keep of its entries, if they do."""
        return self._reads.kept_history(reference, known_at, position)

    def _resolved(self, reference: str, make_id: Callable[[str], uuid.UUID]) -> str:
        return self._reads.resolved(reference, make_id)

    def _catch_up_for_read(self) -> None:
        self._catch_up.for_read()

    def events(self, reference: str) -> list[domain.RecommendationEvent]:
        """Every entry of a recommendation's log, in the order recorded (corrections too).

        ``reference`` is taken in normal form, as commands take it: ``" ＣＢ-21 "`` finds
        ``CB-21``. References differing only by case name different items."""
        return self._reads.events(reference)

    def recommendation(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Recommendation:
        """The recommendation as at ``as_at``, as known at ``known_at`` (default: now)."""
        return self._reads.recommendation(reference, as_at, known_at)

    def inspection(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Inspection:
        """The inspection as at ``as_at``, as known at ``known_at`` (default: now)."""
        return self._reads.inspection(reference, as_at, known_at)

    def report(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Report:
        """The report as at ``as_at``, as known at ``known_at`` (default: now)."""
        return self._reads.report(reference, as_at, known_at)

    def log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[Positioned]:
        """Every event in the store, in the order recorded, after position ``after``.

        Read from the start, a log changed outside this library (an entry missing from an
        item's log, or recorded before the one it follows) raises :class:`LogNotIntact`
        where it breaks."""
        return self._reads.log(after, page_size)

    def _records(
        self, after: int, page_size: int
    ) -> Iterator[tuple[int, domain.Event | CommandRecord | Erasure]]:
        """Every record in the store after position ``after`` (command records too), with
        its position, read ``page_size`` at a time."""
        return self._log.records(after, page_size)

    def head(self) -> int:
        """The position of the last entry in the log (0 when it is empty)."""
        return self._log.head()

    def basis(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
    ) -> views.Basis:
        """The basis of an answer: ``known_at`` defaults to now, ``as_at`` to its date and
        ``position`` to the end of the log."""
        return self._reads.basis(as_at, known_at, position)

    def recommendations(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Recommendation]:
        """Every recommendation as at ``as_at``, as known at ``known_at``, by reference.

        Both default to "everything recorded"; this folds the whole log.
        """
        return self._reads.recommendations(as_at, known_at)

    def rollup(
        self, reference: str, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> views.Rollup:
        """The roll-up of the national recommendation ``reference`` across the bodies it
        was made to (see :func:`~recommendations.views.build_rollup`), as at ``as_at``
        (default: today), as known at ``known_at`` (default: now): per body its status and
        outcome, and how many are implemented, open, or closed not implemented."""
        basis = self.basis(as_at=as_at, known_at=known_at)
        states = self.recommendations(as_at=basis.as_at, known_at=basis.known_at)
        return views.build_rollup(domain.normal_reference(reference), states, as_at=basis.as_at)

    def register(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        where: views.RegisterFilter | None = None,
    ) -> views.Register:
        """The register: one row per recommendation, as at ``as_at`` (default: today), as
        known at ``known_at`` (default: now), up to log ``position`` (default: the end).

        ``where`` keeps only the rows it matches. The answer states its basis. Whether a
        row is overdue follows the policy in force on ``as_at`` (see
        :meth:`reading_policy`).
        """
        policy = self.reading_policy(as_at, known_at)
        if policy.overdue_after_days is None:
            return self._reads.register(as_at, known_at, position, where)
        wide = attrs.evolve(where, overdue=None) if where is not None else None
        return views.judged(self._reads.register(as_at, known_at, position, wide), policy, where)

    def reading_policy(
        self, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Policy:
        """The policy answers as at ``as_at``, as known at ``known_at``, follow: the one
        the tracker was given, else the store's in force then (:meth:`configuration`)."""
        if self._policy is not None:
            return self._policy
        return self.configuration(as_at=as_at, known_at=known_at)

    def _register_stream(
        self,
        as_at: date | None,
        known_at: datetime | None,
        position: int | None,
        where: views.RegisterFilter | None,
    ) -> views.RegisterStream:
        return self._reads.register_stream(as_at, known_at, position, where)

    def _sensitivity(self) -> views.Sensitivity:
        return self._reads.sensitivity()

    def register_by_fold(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        where: views.RegisterFilter | None = None,
    ) -> views.Register:
        """The register computed by folding the log: the reference answer that the
        materialised views must always equal (and the only one for a memory store)."""
        policy = self.reading_policy(as_at, known_at)
        if policy.overdue_after_days is None:
            return self._reads.register_by_fold(as_at, known_at, position, where)
        wide = attrs.evolve(where, overdue=None) if where is not None else None
        register = self._reads.register_by_fold(as_at, known_at, position, wide)
        return views.judged(register, policy, where)

    def inspections(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Inspection]:
        """Every inspection as at ``as_at``, as known at ``known_at``, by reference."""
        return self._reads.inspections(as_at, known_at)

    def reports(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Report]:
        """Every report as at ``as_at``, as known at ``known_at``, by reference.

        A report from a sensitive inspection is marked sensitive.
        """
        return self._reads.reports(as_at, known_at)

    # --- copying whole logs -------------------------------------------------------------

    def append_log(
        self,
        entries: Iterable[domain.Event],
        *,
        batch: int = 1000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Append entries recorded elsewhere, unchanged (same items, versions and recorded
        times), ``batch`` to a transaction; how many were appended.

        For moving a log between stores (see :meth:`copy_from`) or restoring an export.
        The entries are taken as recorded, not decided again: they must come from a log
        this library wrote. Each must be the next version of its item, recorded after the
        entry before it in that item; an entry that breaks either is refused, with
        :class:`RuleViolation`, before its batch is written (batches before it stay).
        (Across items, writers recording at the same moment may leave entries whose
        recorded times are a little out of the log's order; they are kept as they are.)
        ``progress`` is called with the count appended so far after each batch.
        """
        return self._copier.append_log(entries, batch, progress)

    def _stager(self, clock: Callable[[], datetime]) -> Stager:
        """Decides commands for an empty store, one after another, each on the entries
        staged before it (under this tracker's policy, recorded at what ``clock`` says), for
        :meth:`_write_staged` (see :func:`recommendations.scenarios.play`)."""
        return Stager(self.policy, clock)

    def _write_staged(
        self,
        batches: Iterable[Sequence[domain.Event]],
        *,
        catch_up: bool = True,
        begin: Callable[[int], None] | None = None,
    ) -> int:
        """Write the entries a :meth:`_stager` decides, batch after batch, into this
        store, empty; how many were written, all in one transaction. Where the store can
        (SQLite, PostgreSQL), the transaction takes the store's write lock as it begins and
        the batches are decided while it is open: an error raised while one is decided
        writes nothing. Elsewhere, every batch is decided first, then all are written in
        one transaction. ``begin``, if given, is called with the log's head before the
        first entry is written (under the write lock, where the store can; else just
        before the write): raising there writes nothing. The views catch up after (if
        ``catch_up``; else at the first read)."""
        with translated(self._label):
            if self._log.writes_together():
                written = self._log.save_together(batches, begin)
            else:
                decided = [event for batch in batches for event in batch]
                if begin is not None:
                    begin(self._log.head())
                if decided:
                    self._log.app.save(*decided)
                written = len(decided)
        if catch_up:
            self.tables.catch_up()
        return written

    def copy_from(
        self,
        source: Tracker,
        *,
        batch: int = 1000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Copy the whole log of ``source`` (another store, say a SQLite file being moved
        to PostgreSQL) into this one, command ids included; how many records were copied
        (entries, and the records of command ids).

        Into an empty store, the copy is the same log, position for position. A copy that
        stopped part-way (killed, or the connection lost) left this store holding the
        start of the source's log, whole batches of it: copying again checks that every
        record this store holds is the source's record in the same place, stored the
        same, and copies the rest (so a finished copy, copied again, copies nothing). A
        store that holds anything else is refused with :class:`RuleViolation` (rule
        ``copy-target-prefix``), and nothing is written. ``batch`` records go in each
        transaction; ``progress`` is called after each with how many of the source's
        records this store now holds.
        """
        check_batch(batch)
        with translated(self._label):
            # the people's salts first: a copied entry commits to them in its leaf
            self.integrity.adopt_persons(source.integrity)
        return self._copier.copy_from(source._log, batch, progress)

    def close(self) -> None:
        """Release the store's connections."""
        self.tables.close()
        self._log.close()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
