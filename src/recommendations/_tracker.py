"""The application service: load the log, decide, save; nothing else.

:class:`Tracker` is what a program talks to. It keeps the log in an ``eventsourcing``
application (chosen by a store URL), sets each event's recorded time itself, and turns
storage errors into this library's errors.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import sqlite3
import threading
import time
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import orjson
from attrs import frozen
from eventsourcing.application import Application
from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    PersistenceError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment, EnvType

from . import domain, views
from ._errors import (
    ConcurrencyError,
    ConfigurationError,
    LogNotIntact,
    NotFound,
    OutcomeUnknown,
    RecommendationsError,
    RuleViolation,
    StoreError,
    ViewsBehind,
    ViewsBehindWarning,
)
from ._references import ReferenceIndex
from ._serialization import _CONVERTER, CattrsMapper, CommandRecord, Erasure, command_item
from ._tracker_views import TrackerViews
from .domain._text import abridged

if TYPE_CHECKING:
    from .integrity._erase import Erased
    from .integrity._service import Integrity
from .stores import DEFAULT_STORE, LogSource, StoreURL, Views, adapter_for, redact

__all__ = ["LoggedEvent", "Recorded", "Tracker"]

_E = TypeVar("_E", bound=domain.Event)
_KNOWN_ITEMS = 20_000
"""How many items' logs a tracker keeps for deciding (a few kilobytes each)."""
_FIRST_PAUSE = 0.002
"""Seconds: the longest pause before deciding a conflicting command again the first time;
it doubles each time after, up to :data:`_LONGEST_PAUSE` (each pause a random fraction of
it, so that writers who met do not meet again)."""
_LONGEST_PAUSE = 0.25
_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
"""PostgreSQL's serialization failure, deadlock and lock-not-available (``lock_timeout``)."""


@frozen
class Recorded:
    """What :meth:`Tracker.execute` recorded: the event, and its position in the whole log."""

    event: domain.Event
    position: int


@frozen
class _Decided:
    """What a batch decided: its ``events``; whether any item's log was ``trusted`` (taken
    from what the tracker knew, not read); and the ``logs`` of the items it records, as
    they will stand once it is saved."""

    events: list[domain.Event]
    trusted: bool
    logs: dict[uuid.UUID, tuple[domain.Event, ...]]


@frozen
class LoggedEvent:
    """An event and its position in the whole log (the store's notification id)."""

    position: int
    event: domain.Event


class _Log(Application[uuid.UUID]):
    """The ``eventsourcing`` application underneath; private, so its API is not ours."""

    name = "Recommendations"

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings the store URL gave: the process environment never overrides
        them (``eventsourcing`` would otherwise let ``RECOMMENDATIONS_SQLITE_DBNAME`` and the
        like redirect the log without a word)."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=CattrsMapper
        )

    def construct_transcoder(self) -> Transcoder:
        return self.factory.transcoder()

    def __del__(self) -> None:
        # A store that failed to open leaves a half-made application: nothing to close.
        with suppress(Exception):
            super().__del__()


def _utc_now() -> datetime:
    return datetime.now(UTC)


_COMMANDS = (
    domain.Raise,
    domain.Assign,
    domain.Regrade,
    domain.NoteProgress,
    domain.ChangeDeadline,
    domain.ClaimImplementation,
    domain.RejectClaim,
    domain.Discharge,
    domain.Reopen,
    domain.Correct,
    domain.RecordInspection,
    domain.ReviseInspection,
    domain.PublishReport,
    domain.ReviseReport,
)


def _digest(commands: list[domain.Command], reference: str | None) -> str:
    """The SHA-256 of the commands' canonical form: what a command id stands for."""
    hasher = hashlib.sha256()
    for command in commands:
        hasher.update(type(command).__name__.encode())
        try:
            form = orjson.dumps(_CONVERTER.unstructure(command), option=orjson.OPT_SORT_KEYS)
        except (TypeError, ValueError, orjson.JSONEncodeError) as error:
            raise RuleViolation(
                f"{type(command).__name__} holds a value that cannot be stored ({error})",
                reference=reference,
                field="command",
                rule="type",
            ) from error
        hasher.update(form)
    return hasher.hexdigest()


@contextmanager
def _translated(store: str, reference: object = None, *, conflicts: bool = True) -> Iterator[None]:
    try:
        yield
    except RecommendationsError:
        raise
    except IntegrityError as error:
        if not conflicts:
            raise
        raise ConcurrencyError(
            "another writer recorded an entry for the same item first; nothing was "
            "recorded (load it again and retry)",
            reference=reference if isinstance(reference, str) else None,
            rule="one-writer-per-version",
        ) from error
    except (PersistenceError, sqlite3.Error, OSError) as error:
        raise StoreError(
            f"store {store!r} failed: {type(error).__name__}: {redact(str(error))}",
            rule="store-available",
        ) from error
    except Exception as error:
        # An engine's own exception (a third party's persistence module may raise its
        # driver's errors): a store error. Python's own (a TypeError, say) are bugs.
        if type(error).__module__.split(".")[0] in ("builtins", "recommendations"):
            raise
        raise StoreError(
            f"store {store!r} failed: {type(error).__name__}: {redact(str(error))}",
            rule="store-available",
        ) from error


def _contended(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the store was busy with other writers: a
    SQLite file locked, a PostgreSQL lock not granted in time, a deadlock or serialization
    failure. Nothing was written; the same attempt may succeed a moment later."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sqlite3.OperationalError):
            text = str(error).lower()
            if "locked" in text or "busy" in text:
                return True
        if getattr(error, "sqlstate", None) in _BUSY_STATES:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class Tracker(TrackerViews):
    """A recommendations tracker over one store.

    >>> tracker = Tracker("memory://")
    >>> tracker.store
    'memory://'

    ``store`` is a store URL (a SQLite file by default), ``policy`` the grading scales and
    kinds of item in force, and ``clock`` where recorded times come from (UTC now; tests give
    their own). Use it as a context manager, or call :meth:`close`.

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
        policy: domain.Policy = domain.DEFAULT_POLICY,
        clock: Callable[[], datetime] = _utc_now,
        retries: int | None = None,
        retry_for: float = 10.0,
    ) -> None:
        url = StoreURL.parse(store)
        adapter = adapter_for(url)
        settings = adapter.settings(url)
        if retries is not None and (
            not isinstance(retries, int) or isinstance(retries, bool) or retries < 0
        ):
            raise ConfigurationError(
                f"retries must be a whole number of at least 0, or None, not {retries!r}",
                field="retries",
                rule="retries",
            )
        if (
            not isinstance(retry_for, int | float)
            or isinstance(retry_for, bool)
            or math.isnan(retry_for)
            or retry_for < 0
        ):
            raise ConfigurationError(
                f"retry_for must be a number of seconds of at least 0, not {retry_for!r}",
                field="retry_for",
                rule="retry-for",
            )
        self.store = store
        self.policy = policy
        self.retries = retries
        self.retry_for = float(retry_for)
        self._label = adapter.describe(url)
        self._clock = clock
        self._staged = threading.local()
        # Item logs as this tracker last recorded or read them while deciding. A stale one
        # can only make a command collide with an entry already stored, which is then
        # decided again on fresh reads (see _decide_all): never a wrong entry.
        self._known: OrderedDict[uuid.UUID, tuple[domain.Event, ...]] = OrderedDict()
        self._known_lock = threading.Lock()
        self._seen_head = 0
        self._erasures_met = 0
        self._references = ReferenceIndex(
            lambda after, limit, stop, topics: self._app.recorder.select_notifications(
                start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
            ),
            self._decode,
        )
        self.views_behind: ViewsBehindWarning | None = None
        """Set by the last read that found the materialised views unable to catch up with
        the log (what the read warned of; ``None`` after one that found them current)."""
        with _translated(self._label):
            self._app = _Log(env=settings)
            self.views: Views = adapter.open_views(
                url, LogSource(self._app.recorder, self._decode_domain), settings
            )

    @property
    def integrity(self) -> Integrity:
        """The Merkle tree of this store's log: seal, verify, checkpoints and proofs."""
        from .integrity._service import Integrity

        return Integrity(self._app.recorder, self._label)

    def _decode(self, stored: StoredEvent) -> domain.Event | CommandRecord | Erasure:
        return cast(
            domain.Event | CommandRecord | Erasure, self._app.mapper.to_domain_event(stored)
        )

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
        event = self._decode(stored)
        return event if isinstance(event, domain.Event) else None

    # --- writing --------------------------------------------------------------------------

    def execute(self, command: domain.Command, *, command_id: str | None = None) -> Recorded:
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
    ) -> list[Recorded]:
        """Record every command in ``commands``, in order, in one transaction: all or
        nothing.

        Each command is decided against the state the previous ones leave (a report
        published and a recommendation raised from it may come in one batch). If any is
        refused, its error is raised and nothing is recorded. ``command_id`` works as for
        :meth:`execute`, for the batch as a whole.
        """
        batch = list(commands)
        for command in batch:
            if not isinstance(command, _COMMANDS):
                raise RuleViolation(
                    f"{command!r} is not a command (expected one of "
                    f"{', '.join(c.__name__ for c in _COMMANDS)})",
                    field="command",
                    rule="type",
                )
        if not batch:
            return []
        first = batch[0].reference if isinstance(batch[0].reference, str) else None
        digest = None
        if command_id is not None:
            if (
                not isinstance(command_id, str)
                or not command_id.strip()
                or len(command_id) > 200
                or not command_id.isprintable()
            ):
                shown = abridged(repr(command_id), 60)
                raise RuleViolation(
                    f"a command id must be text of 1 to 200 printable characters, not {shown}",
                    reference=first,
                    field="command_id",
                    rule="command-id",
                )
            digest = _digest(batch, first)
            done = self._carried_out(command_id, digest, first)
            if done is not None:
                return done
        attempt = 0
        began = time.monotonic()
        # Whether to read every item afresh rather than trust the logs this tracker knows:
        # always, when a conflict must be reported at once (retries=0).
        fresh = self.retries == 0
        while True:
            events: list[domain.Event] = []
            try:
                with _translated(self._label, first, conflicts=False):
                    try:
                        decided = self._decide_all(batch, fresh=fresh)
                        events = decided.events
                    except RecommendationsError as refused:
                        if _contended(refused.__cause__):
                            raise  # the store was busy while reading: tried again below
                        # Refused, perhaps because the first run of this very command id
                        # was recorded since it was looked up: then that is the answer.
                        if command_id is not None and digest is not None:
                            done = self._carried_out(command_id, digest, first)
                            if done is not None:
                                return done
                        raise
                    saved: list[Any] = list(events)
                    if command_id is not None and digest is not None:
                        saved.append(
                            CommandRecord(
                                originator_id=command_item(command_id),
                                originator_version=1,
                                recorded_at=events[-1].recorded_at,
                                command_id=command_id,
                                digest=digest,
                                entries=tuple(
                                    (e.originator_id, e.originator_version) for e in events
                                ),
                            )
                        )
                    recordings, done = self._save(saved, events, command_id, digest, first)
                    if done is not None:
                        # The store failed while saving, yet the entries are in the log.
                        self._remember(decided.logs)
                        return done
                break
            except (IntegrityError, StoreError) as error:
                busy = not isinstance(error, IntegrityError)
                if busy and not _contended(error.__cause__):
                    raise  # the store failed: not a matter of waiting for other writers
                self._forget({e.originator_id for e in events})
                if command_id is not None and digest is not None:
                    done = self._carried_out(command_id, digest, first)
                    if done is not None:
                        return done
                if not busy and decided.trusted and not fresh:
                    fresh = True  # what this tracker knew was out of date: read it all
                    continue
                pause = random.uniform(0, min(_LONGEST_PAUSE, _FIRST_PAUSE * 2**attempt))
                waited = time.monotonic() - began
                if (self.retries is not None and attempt >= self.retries) or (
                    waited + pause > self.retry_for
                ):
                    raise self._gave_up(first, attempt, waited, busy) from error
                time.sleep(pause)
                attempt += 1
                fresh = True
        self._remember(decided.logs)
        # A batch takes consecutive positions in its own order (sorted: an engine need not
        # return them in that order).
        positions = sorted(r.notification.id for r in recordings)
        self._references.recorded(positions[0], positions[-1], events)
        entries: list[tuple[int, domain.Event | None]] = list(
            zip(positions, [*events, *[None] * (len(positions) - len(events))], strict=True)
        )
        done = [Recorded(event=e, position=p) for e, p in zip(events, positions, strict=False)]
        self._catch_up_views(done, first, entries)
        return done

    def _save(
        self,
        saved: list[Any],
        events: list[domain.Event],
        command_id: str | None,
        digest: str | None,
        reference: str | None,
    ) -> tuple[Any, list[Recorded] | None]:
        """Save ``saved``; the engine's recordings, or, if the store failed while saving but
        the entries are in the log all the same (the commit went through, its answer was
        lost), what was recorded.

        A failure after which the log does not hold the entries is raised as it was
        (:class:`StoreError`: nothing recorded); one after which the store cannot be asked,
        as :class:`OutcomeUnknown`. A conflict (``IntegrityError``) is raised unchanged.
        """
        try:
            with _translated(self._label, reference, conflicts=False):
                return self._app.save(*saved), None
        except StoreError as failure:
            done = self._outcome(events, command_id, digest, reference, failure)
            if done is None:
                raise
            return None, done

    def _outcome(
        self,
        events: list[domain.Event],
        command_id: str | None,
        digest: str | None,
        reference: str | None,
        failure: StoreError,
    ) -> list[Recorded] | None:
        """After a failed save: what it recorded after all, or ``None`` if the log holds
        none of it (a batch is one transaction: its first entry says for all)."""
        try:
            if command_id is not None and digest is not None:
                return self._carried_out(command_id, digest, reference)
            first = events[0]
            with _translated(self._label, reference):
                stored = self._app.recorder.select_events(
                    first.originator_id,
                    gt=first.originator_version - 1,
                    lte=first.originator_version,
                    limit=1,
                )
            if not stored or self._decode(stored[0]) != first:
                return None
            self._catch_up_quietly()
            done = []
            with _translated(self._label, reference):
                for event in events:
                    logged = self.views.item_log(event.originator_id)
                    position = next(
                        p for p, e in logged if e.originator_version == event.originator_version
                    )
                    done.append(Recorded(event=event, position=position))
        except (ViewsBehind, RuleViolation):
            raise
        except (StoreError, StopIteration) as unknown:
            again = (
                f"execute it again with command id {command_id!r}, which records nothing if it was"
                if command_id is not None
                else "look at the log before executing it again"
            )
            raise OutcomeUnknown(
                f"the store failed while recording ({failure.detail}), and could not be asked "
                f"afterwards whether the entry is in the log ({unknown}): it may be; {again}",
                command_id=command_id,
                reference=reference,
            ) from failure
        self._catch_up_views(done, reference)
        return done

    def _gave_up(
        self, reference: str | None, attempt: int, waited: float, busy: bool
    ) -> ConcurrencyError:
        """The error that ends retrying a command that kept meeting other writers."""
        met = (
            "the store stayed busy with other writers (locked)"
            if busy
            else "another writer recorded an entry for the same item first"
        )
        if attempt:
            met += f", {attempt + 1} times in {waited:.1f} s"
        bound = (
            ""
            if self.retries == 0
            else f" (the tracker tries for {self.retry_for:g} s"
            + (f", {self.retries} times" if self.retries is not None else "")
            + ")"
        )
        return ConcurrencyError(
            f"{met}; nothing was recorded{bound}: execute the command again",
            reference=reference,
            rule="store-busy" if busy else "one-writer-per-version",
        )

    def _remember(self, logs: dict[uuid.UUID, tuple[domain.Event, ...]]) -> None:
        """Keep the logs of the items just recorded, as they now stand."""
        with self._known_lock:
            for item, log in logs.items():
                self._known[item] = log
                self._known.move_to_end(item)
            while len(self._known) > _KNOWN_ITEMS:
                self._known.popitem(last=False)

    def _forget(self, items: set[uuid.UUID]) -> None:
        with self._known_lock:
            for item in items:
                self._known.pop(item, None)

    def _catch_up_views(
        self,
        recorded: Sequence[Recorded],
        reference: str | None,
        entries: Sequence[tuple[int, domain.Event | None]] = (),
        *,
        earlier: str | None = None,
    ) -> None:
        """Bring the views up to what was just ``recorded``; if they cannot, raise
        :class:`ViewsBehind` carrying it (the entries are in the log all the same).
        ``earlier`` names the command id of an earlier run that recorded them."""
        try:
            with _translated(self._label, reference):
                self.views.catch_up(recorded=entries)
        except RecommendationsError as error:
            positions = [r.position for r in recorded]
            where = (
                "no position"
                if not positions
                else f"log position {positions[0]}"
                if len(positions) == 1
                else f"log positions {positions[0]} to {positions[-1]}"
            )
            who = (
                f"was recorded by an earlier run of command id {earlier!r}"
                if earlier is not None
                else "was recorded"
            )
            raise ViewsBehind(
                f"the entry {who}, at {where}, but the views could not catch up ({error}); "
                "they will on a later read or command, or with a rebuild: do not record it "
                "again",
                recorded=recorded,
                reference=reference,
            ) from error

    def _catch_up_quietly(self) -> StoreError | None:
        """Try to bring the views up to the log; the failure, if they could not (a log
        changed outside the library is raised: nothing may be answered from it)."""
        try:
            with _translated(self._label):
                self.views.catch_up()
        except LogNotIntact:
            raise
        except RecommendationsError as error:
            return (
                error
                if isinstance(error, StoreError)
                else StoreError(str(error), rule="views-current")
            )
        return None

    def _catch_up_for_read(self) -> None:
        """Bring the views up to the log before a read. If they cannot, the read answers
        from what they hold: :attr:`views_behind` and a :class:`ViewsBehindWarning` say
        which position that is, and why."""
        failure = self._catch_up_quietly()
        if failure is None:
            self.views_behind = None
            return
        with _translated(self._label):
            reached = self.views.position()
        behind = ViewsBehindWarning(
            f"the views could not catch up with the log ({failure}): they hold it up to "
            f"position {reached}, which is what this answer reflects",
            position=reached,
            reason=str(failure),
        )
        self.views_behind = behind
        warnings.warn(behind, stacklevel=3)

    def _carried_out(
        self, command_id: str, digest: str, reference: str | None
    ) -> list[Recorded] | None:
        """What the command with ``command_id`` recorded, if it was carried out already."""
        with _translated(self._label, reference):
            stored = self._app.recorder.select_events(command_item(command_id), limit=1)
        if not stored:
            return None
        record = self._decode(stored[0])
        if not isinstance(record, CommandRecord):
            raise StoreError(f"entry {stored[0].topic!r} is not a command record", rule="readable")
        if record.digest != digest:
            raise RuleViolation(
                f"command id {command_id!r} was used for a different command, recorded "
                f"{record.recorded_at.isoformat()}: a retry must repeat it exactly",
                reference=reference,
                field="command_id",
                rule="command-id-unique",
            )
        behind = self._catch_up_quietly()
        done = []
        with _translated(self._label, reference):
            for item, version in record.entries:
                found = [
                    (position, event)
                    for position, event in self.views.item_log(item)
                    if event.originator_version == version
                ]
                if not found:
                    raise StoreError(
                        f"command {command_id!r} recorded entry {version} of {item}, which "
                        "the views cannot find",
                        reference=reference,
                        rule="views-consistent",
                    )
                position, event = found[0]
                done.append(Recorded(event=event, position=position))
        if behind is not None:
            self._catch_up_views(done, reference, earlier=command_id)
        return done

    def _decide_all(self, commands: list[domain.Command], *, fresh: bool) -> _Decided:
        """Decide each command against the store and the entries decided before it
        (``fresh``: on item logs all read now, none taken from what this tracker knows)."""
        staged: dict[uuid.UUID, list[domain.Event]] = {}
        self._staged.items = staged
        self._staged.read = {}
        self._staged.trusted = False
        self._staged.fresh = fresh
        self._staged.last = self._last_recorded()
        self._staged.head = self._seen_head
        self._staged.created = None
        try:
            events = []
            for command in commands:
                if isinstance(
                    command,
                    domain.RecordInspection
                    | domain.ReviseInspection
                    | domain.PublishReport
                    | domain.ReviseReport,
                ):
                    event = self._decide_source(command)
                else:
                    event = self._decide_recommendation(command)
                staged.setdefault(event.originator_id, []).append(event)
                self._staged.last = event.recorded_at
                events.append(event)
            read: dict[uuid.UUID, list[domain.Event]] = self._staged.read
            return _Decided(
                events=events,
                trusted=bool(self._staged.trusted),
                logs={item: (*read[item], *log) for item, log in staged.items() if item in read},
            )
        finally:
            self._staged.items = None
            self._staged.read = None
            self._staged.last = None
            self._staged.created = None

    def _last_recorded(self) -> datetime | None:
        """When the last entry of the whole store was recorded (``None`` if empty).

        A log shorter than this tracker last saw (a store restored from an older copy)
        makes it forget every item log it knew."""
        head = self.head()
        # an erasure met since (see integrity._erase): what was remembered may name them
        erasures = getattr(getattr(self._app.recorder, "tree", None), "erasures_met", 0)
        with self._known_lock:
            if head < self._seen_head or erasures != self._erasures_met:
                self._known.clear()
            self._seen_head = head
            self._erasures_met = erasures
        if not head:
            return None
        with _translated(self._label):
            last = self._app.recorder.select_notifications(start=head, limit=1)
        return self._decode(last[0]).recorded_at if last else None

    def _recorded_at(self, history: Sequence[domain.Event]) -> datetime:
        """Now, by the tracker's clock, but never before the last entry of the item or of
        the whole store (as read when the batch began, and the batch's own entries since):
        recorded time only grows along the log as this writer sees it."""
        now = self._clock()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise ConfigurationError(
                f"the tracker's clock returned {now!r}, not a timezone-aware time",
                field="clock",
                rule="aware-time",
            )
        latest = [history[-1].recorded_at] if history else []
        last = getattr(self._staged, "last", None)
        if last is not None:
            latest.append(last)
        for moment in latest:
            if now <= moment:
                now = moment + timedelta(microseconds=1)
        return now

    def _check_case(self, subject: str, reference: object) -> None:
        """Refuse a new item whose reference differs from one taken only by case."""
        if not isinstance(reference, str):
            return  # the domain refuses it
        created: dict[str, dict[str, str]] | None = self._staged.created
        if created is None:
            with _translated(self._label, reference):
                self._references.catch_up(self._staged.head)
            created = self._staged.created = {}
        self._references.check(subject, reference, created.setdefault(subject, {}))

    def _decide_recommendation(self, command: domain.RecommendationCommand) -> domain.Event:
        reference = command.reference
        if isinstance(command, domain.Raise):
            self._check_case("recommendation", reference)
        history = self._history(
            domain.recommendation_id(str(reference)),
            domain.RecommendationEvent,
            deciding=True,
            raising=isinstance(command, domain.Raise),
        )
        report = None
        if isinstance(command, domain.Correct) and command.version == 1 and history:
            raised = history[0]
            if isinstance(raised, domain.Raised):
                report = self._find_report(raised.report)
        if isinstance(command, domain.Raise) and isinstance(command.report, str):
            # The report as it stood when the recommendation was raised; if it had not been
            # entered by then, the report as now, so the rule names the dates.
            as_then = command.effective_on if isinstance(command.effective_on, date) else None
            report = self._find_report(command.report, as_at=as_then) or self._find_report(
                command.report
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
            and not self._exists(domain.recommendation_id(successor))
        ):
            raise self._hinted(
                NotFound(
                    f"no recommendation {successor!r} to be superseded by",
                    reference=reference,
                    field="superseded_by",
                ),
                "recommendation",
                successor,
            )
        try:
            return domain.decide(
                history,
                command,
                recorded_at=self._recorded_at(history),
                policy=self.policy,
                report=report,
            )
        except NotFound as error:
            if error.field is None:
                raise self._hinted(error, "recommendation", reference) from None
            if error.field == "report" and isinstance(command, domain.Raise):
                raise self._hinted(error, "report", command.report) from None
            raise

    def _hinted(self, error: NotFound, subject: str, missing: object) -> NotFound:
        """``error``, saying which ``subject`` differs from ``missing`` only by case, if
        one does (a person typing ``cb-21`` for ``CB-21``)."""
        if not isinstance(missing, str):
            return error
        with _translated(self._label, error.reference):
            self._references.catch_up(self._staged.head)
        existing = self._references.same_but_case(subject, missing)
        if existing is None:
            return error
        return NotFound(
            f"{error.detail} ({subject} {existing!r} differs from it only by case)",
            reference=error.reference,
            field=error.field,
            rule=error.rule,
            subject=error.subject,
        )

    def _decide_source(self, command: domain.SourceCommand) -> domain.Event:
        reference = str(command.reference)
        if isinstance(command, domain.RecordInspection):
            self._check_case("inspection", command.reference)
        elif isinstance(command, domain.PublishReport):
            self._check_case("report", command.reference)
        history: Sequence[domain.InspectionEvent] | Sequence[domain.ReportEvent]
        inspection = None
        if isinstance(command, domain.RecordInspection | domain.ReviseInspection):
            history = self._history(
                domain.inspection_id(reference), domain.InspectionEvent, deciding=True
            )
        else:
            history = self._history(domain.report_id(reference), domain.ReportEvent, deciding=True)
            named = command.details.inspection if hasattr(command.details, "inspection") else None
            if isinstance(named, str):
                inspection = self._find_inspection(named, missing_ok=True)
        return domain.decide_source(
            history, command, recorded_at=self._recorded_at(history), inspection=inspection
        )

    # --- reading ----------------------------------------------------------------------------

    def _history(
        self,
        originator_id: uuid.UUID,
        kind: type[_E],
        *,
        deciding: bool = False,
        raising: bool = False,
    ) -> list[_E]:
        """An item's log. While a batch is decided, each item is read once, its log is
        taken from what this tracker knows where it may be (``deciding``), a
        recommendation being raised is taken to have none (``raising``), and the batch's
        own entries come after."""
        read: dict[uuid.UUID, list[domain.Event]] | None = getattr(self._staged, "read", None)
        events: list[domain.Event]
        if read is None:
            with _translated(self._label):
                events = cast(list[domain.Event], list(self._app.events.get(originator_id)))
        elif originator_id in read:
            events = read[originator_id]
        else:
            known = None
            if deciding and not self._staged.fresh:
                with self._known_lock:
                    known = self._known.get(originator_id)
                if known is None and raising:
                    known = ()
            if known is not None:
                events = list(known)
                self._staged.trusted = True
            else:
                with _translated(self._label):
                    events = cast(list[domain.Event], list(self._app.events.get(originator_id)))
            read[originator_id] = events
        staged = getattr(self._staged, "items", None)
        if staged:
            events = [*events, *staged.get(originator_id, [])]
        for event in events:
            if not isinstance(event, kind):
                raise StoreError(
                    f"entry {event.originator_version} of {originator_id} is a "
                    f"{type(event).__name__}, not a {kind.__name__}",
                    rule="one-kind-per-item",
                )
        return cast(list[_E], events)

    def _earlier(self, originator_id: uuid.UUID, version: int) -> list[domain.Event]:
        """An item's entries before ``version``, read from the log itself (an indexed
        read, whether or not the views are caught up)."""
        with _translated(self._label):
            return cast(
                list[domain.Event], list(self._app.events.get(originator_id, lte=version - 1))
            )

    def _exists(self, originator_id: uuid.UUID) -> bool:
        staged = getattr(self._staged, "items", None)
        if staged and originator_id in staged:
            return True
        with _translated(self._label):
            return bool(self._app.recorder.select_events(originator_id, limit=1))

    def _find_report(
        self, reference: str, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Report | None:
        report = domain.project_report(
            self._history(domain.report_id(reference), domain.ReportEvent),
            as_at=as_at,
            known_at=known_at,
        )
        if report is not None and report.details.inspection is not None:
            inspection = self._find_inspection(
                report.details.inspection, as_at=as_at, known_at=known_at, missing_ok=True
            )
            if inspection is not None and inspection.sensitive:
                report = attrs.evolve(report, inspection_sensitive=True)
        return report

    def _find_inspection(
        self,
        reference: str,
        as_at: date | None = None,
        known_at: datetime | None = None,
        *,
        missing_ok: bool = False,
    ) -> domain.Inspection | None:
        inspection = domain.project_inspection(
            self._history(domain.inspection_id(reference), domain.InspectionEvent),
            as_at=as_at,
            known_at=known_at,
        )
        if inspection is None and not missing_ok:
            raise NotFound(
                _not_yet("inspection", as_at, known_at), reference=reference, subject="inspection"
            )
        return inspection

    def _logged_item(self, originator_id: uuid.UUID) -> list[LoggedEvent]:
        """One item's entries with their positions in the whole log."""
        self._catch_up_for_read()
        with _translated(self._label):
            logged = self.views.item_log(originator_id)
        before: domain.Event | None = None
        for position, event in logged:
            views.check_follows(before, event, position)
            before = event
        return [LoggedEvent(position=position, event=event) for position, event in logged]

    def _resolved(self, reference: str, make_id: Callable[[str], uuid.UUID]) -> str:
        """The reference a lookup names: its normal form (:func:`domain.normal_reference`),
        unless only the form given was recorded (before references were normalised)."""
        if not isinstance(reference, str):  # the lookup refuses it as it would have
            return cast(str, reference)  # type: ignore[unreachable]
        normal: str = domain.normal_reference(reference)
        if normal == reference or self._exists(make_id(normal)):
            return normal
        return reference if self._exists(make_id(reference)) else normal

    def events(self, reference: str) -> list[domain.RecommendationEvent]:
        """Every entry of a recommendation's log, in the order recorded (corrections too).

        ``reference`` is taken in normal form, as commands take it: ``" ＣＢ-21 "`` finds
        ``CB-21``. References differing only by case name different items."""
        reference = self._resolved(reference, domain.recommendation_id)
        events = self._history(domain.recommendation_id(reference), domain.RecommendationEvent)
        if not events:
            raise NotFound("no recommendation has this reference", reference=reference)
        return events

    def recommendation(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Recommendation:
        """The recommendation as at ``as_at``, as known at ``known_at`` (default: now)."""
        _check_when(as_at, known_at)
        reference = self._resolved(reference, domain.recommendation_id)
        state = domain.project(self.events(reference), as_at=as_at, known_at=known_at)
        if state is None:
            raise NotFound(_not_yet("recommendation", as_at, known_at), reference=reference)
        return state

    def inspection(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Inspection:
        """The inspection as at ``as_at``, as known at ``known_at`` (default: now)."""
        _check_when(as_at, known_at)
        reference = self._resolved(reference, domain.inspection_id)
        found = self._find_inspection(reference, as_at, known_at)
        assert found is not None  # _find_inspection raises NotFound otherwise
        return found

    def report(
        self,
        reference: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> domain.Report:
        """The report as at ``as_at``, as known at ``known_at`` (default: now)."""
        _check_when(as_at, known_at)
        reference = self._resolved(reference, domain.report_id)
        found = self._find_report(reference, as_at, known_at)
        if found is None:
            raise NotFound(
                _not_yet("report", as_at, known_at), reference=reference, subject="report"
            )
        return found

    def log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[LoggedEvent]:
        """Every event in the store, in the order recorded, after position ``after``.

        Read from the start, a log changed outside this library (an entry missing from an
        item's log, or recorded before the one it follows) raises :class:`LogNotIntact`
        where it breaks."""
        intact = views.IntactLog() if after == 0 else None
        for position, event in self._records(after, page_size):
            if isinstance(event, domain.Event):  # not a command record
                if intact is not None:
                    intact(position, event)
                yield LoggedEvent(position=position, event=event)

    def _records(
        self, after: int, page_size: int
    ) -> Iterator[tuple[int, domain.Event | CommandRecord | Erasure]]:
        """Every record in the store after position ``after`` (command and erasure records
        too), with its position, read ``page_size`` at a time."""
        position = after
        while True:
            with _translated(self._label):
                page = self._app.recorder.select_notifications(
                    start=position, limit=page_size, inclusive_of_start=False
                )
            for notification in page:
                yield notification.id, self._decode(notification)
            if len(page) < page_size:
                return
            position = page[-1].id

    def head(self) -> int:
        """The position of the last entry in the log (0 when it is empty)."""
        with _translated(self._label):
            return self._app.recorder.max_notification_id() or 0

    def _items(self, kind: type[_E], position: int | None = None) -> list[list[_E]]:
        """The logs of every item of ``kind`` up to ``position``, each in version order."""
        logs: dict[uuid.UUID, list[_E]] = {}
        for logged in self.log():
            if position is not None and logged.position > position:
                break
            if isinstance(logged.event, kind):
                logs.setdefault(logged.event.originator_id, []).append(logged.event)
        return [sorted(events, key=lambda e: e.originator_version) for events in logs.values()]

    def basis(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
    ) -> views.Basis:
        """The basis of an answer: ``known_at`` defaults to now, ``as_at`` to its date and
        ``position`` to the end of the log."""
        _check_when(as_at, known_at)
        known = known_at if known_at is not None else self._clock()
        head = self.head()
        return views.Basis(
            as_at=as_at if as_at is not None else known.date(),
            known_at=known,
            position=head if position is None else min(position, head),
        )

    def recommendations(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Recommendation]:
        """Every recommendation as at ``as_at``, as known at ``known_at``, by reference.

        Both default to "everything recorded"; this folds the whole log.
        """
        _check_when(as_at, known_at)
        states = [
            domain.project(events, as_at=as_at, known_at=known_at)
            for events in self._items(domain.RecommendationEvent)
        ]
        return sorted((s for s in states if s is not None), key=lambda s: s.reference)

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

        ``where`` keeps only the rows it matches. The answer states its basis.
        """
        keep = where or views.RegisterFilter()
        self._catch_up_for_read()
        with _translated(self._label):
            asked = self.basis(as_at=as_at, known_at=known_at, position=position)
            reached, rows = self.views.register(asked, keep)
        basis = attrs.evolve(asked, position=reached)
        return views.Register(basis=basis, rows=tuple(rows))

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
        basis = self.basis(as_at=as_at, known_at=known_at, position=position)
        return views.build_register(self.log(), basis, where)

    def inspections(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Inspection]:
        """Every inspection as at ``as_at``, as known at ``known_at``, by reference."""
        states = [
            domain.project_inspection(events, as_at=as_at, known_at=known_at)
            for events in self._items(domain.InspectionEvent)
        ]
        return sorted((s for s in states if s is not None), key=lambda s: s.reference)

    def reports(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Report]:
        """Every report as at ``as_at``, as known at ``known_at``, by reference.

        A report from a sensitive inspection is marked sensitive.
        """
        sensitive = {
            i.reference for i in self.inspections(as_at=as_at, known_at=known_at) if i.sensitive
        }
        states = [
            domain.project_report(events, as_at=as_at, known_at=known_at)
            for events in self._items(domain.ReportEvent)
        ]
        return sorted(
            (
                attrs.evolve(s, inspection_sensitive=s.details.inspection in sensitive)
                for s in states
                if s is not None
            ),
            key=lambda s: s.reference,
        )

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
        return self._append(iter(entries), batch=batch, progress=progress, records=False)

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
        if not isinstance(batch, int) or batch < 1:
            raise ConfigurationError(
                f"batch must be a whole number of at least 1, not {batch!r}",
                field="batch",
                rule="batch",
            )
        with _translated(self._label):
            # the people's salts first: a copied entry commits to them in its leaf
            self.integrity.adopt_persons(source.integrity)
        held, after = self._copied_prefix(source, batch)
        rest = (record for _, record in source._records(after, batch))

        def done(count: int) -> None:
            if progress is not None:
                progress(held + count)

        return self._append(rest, batch=batch, progress=done, records=True)

    def _copied_prefix(self, source: Tracker, page_size: int) -> tuple[int, int]:
        """How many records this store holds, all the first ones of ``source``'s log in the
        same order and stored the same, and the source's position of the last of them; or
        :class:`RuleViolation` (rule ``copy-target-prefix``) if it holds anything else."""
        held = self.head()
        if not held:
            return 0, 0
        count = 0
        after = 0
        mine = self._stored(0, page_size)
        theirs = source._stored(0, page_size)
        for own in mine:
            other = next(theirs, None)
            count += 1
            if other is None:
                raise RuleViolation(
                    f"store {self._label!r} holds more records than the source "
                    f"{source._label!r} ({source.head()}): it is not a copy of part of it; "
                    "nothing was copied",
                    field="store",
                    rule="copy-target-prefix",
                )
            if not self._same_record(own, other, source):
                with _translated(self._label):
                    record = self._decode(own)
                reference = getattr(record, "reference", None)
                raise RuleViolation(
                    f"record {count} of store {self._label!r} (entry "
                    f"{own.originator_version} of item {own.originator_id}) is not the "
                    f"source's record {count}: the store holds a log other than the start "
                    f"of {source._label!r}; nothing was copied",
                    reference=reference if isinstance(reference, str) else None,
                    field="store",
                    rule="copy-target-prefix",
                    subject="inspection"
                    if isinstance(record, domain.InspectionEvent)
                    else "report"
                    if isinstance(record, domain.ReportEvent)
                    else "recommendation",
                )
            after = other.id
        return count, after

    def _stored(self, after: int, page_size: int) -> Iterator[Any]:
        """Every stored record after position ``after``, as stored (not decoded)."""
        position = after
        while True:
            with _translated(self._label):
                page = self._app.recorder.select_notifications(
                    start=position, limit=page_size, inclusive_of_start=False
                )
            yield from page
            if len(page) < page_size:
                return
            position = page[-1].id

    def _same_record(self, own: StoredEvent, other: StoredEvent, source: Tracker) -> bool:
        """Whether two stored records are the same: the same item, version, type and
        stored state (or, where a store encrypts or compresses, the same once read)."""
        if (own.originator_id, own.originator_version, own.topic) != (
            other.originator_id,
            other.originator_version,
            other.topic,
        ):
            return False
        if own.state == other.state:
            return True
        with _translated(self._label):
            return bool(self._decode(own) == source._decode(other))

    def _append(
        self,
        entries: Iterator[domain.Event | CommandRecord | Erasure],
        *,
        batch: int,
        progress: Callable[[int], None] | None,
        records: bool,
    ) -> int:
        if not isinstance(batch, int) or batch < 1:
            raise ConfigurationError(
                f"batch must be a whole number of at least 1, not {batch!r}",
                field="batch",
                rule="batch",
            )
        versions: dict[uuid.UUID, int] = {}
        times: dict[uuid.UUID, datetime] = {}
        count = 0
        while True:
            chunk = list(itertools.islice(entries, batch))
            if not chunk:
                break
            for entry in chunk:
                if not isinstance(entry, domain.Event) and not (
                    records and isinstance(entry, CommandRecord | Erasure)
                ):
                    raise RuleViolation(
                        f"{entry!r} is not an entry of a recommendations log",
                        field="entries",
                        rule="type",
                    )
                reference = getattr(entry, "reference", None)
                item, version = entry.originator_id, entry.originator_version
                if item not in versions:
                    versions[item] = 0
                    if version != 1:
                        with _translated(self._label):
                            stored = self._app.recorder.select_events(item, desc=True, limit=1)
                        if stored:
                            versions[item] = stored[0].originator_version
                            times[item] = self._decode(stored[0]).recorded_at
                if version != versions[item] + 1:
                    raise RuleViolation(
                        f"entry {version} of item {item} does not follow entry "
                        f"{versions[item]}, the last of that item in the store or before it",
                        reference=reference if isinstance(reference, str) else None,
                        field="originator_version",
                        rule="next-version",
                    )
                before = times.get(item)
                if before is not None and entry.recorded_at <= before:
                    raise RuleViolation(
                        f"entry {version} of item {item} was recorded at "
                        f"{entry.recorded_at.isoformat()}, not after the entry before it "
                        f"({before.isoformat()})",
                        reference=reference if isinstance(reference, str) else None,
                        field="recorded_at",
                        rule="recorded-in-order",
                    )
                versions[item] = version
                times[item] = entry.recorded_at
            try:
                with _translated(self._label, conflicts=False):
                    self._app.save(*chunk)
            except IntegrityError as error:
                raise RuleViolation(
                    "an entry of this batch is already in the store (the log, or part of "
                    f"it, was appended before); entries {count + 1} to {count + len(chunk)} "
                    "were not written",
                    field="originator_version",
                    rule="next-version",
                ) from error
            count += len(chunk)
            self._forget({entry.originator_id for entry in chunk})
            if progress is not None:
                progress(count)
        return count

    def close(self) -> None:
        """Release the store's connections."""
        self.views.close()
        self._app.close()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _check_when(as_at: object, known_at: object) -> None:
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


def _not_yet(subject: str, as_at: date | None, known_at: datetime | None) -> str:
    if as_at is None and known_at is None:
        return f"no {subject} has this reference"
    when = []
    if as_at is not None:
        when.append(f"as at {as_at}")
    if known_at is not None:
        when.append(f"as known at {known_at.isoformat()}")
    return f"no {subject} has this reference {' '.join(when)}"
