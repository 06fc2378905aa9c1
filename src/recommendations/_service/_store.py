"""The log underneath: the ``eventsourcing`` application, read and written through one
object, and the translation of whatever its engine raises into this library's errors."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ConnectionUnavailableError,
    IntegrityError,
    Mapper,
    PersistenceError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment, EnvType

from recommendations import domain
from recommendations._errors import ConcurrencyError, RecommendationsError, StoreError
from recommendations._serialization import CattrsMapper, CommandRecord, Erasure
from recommendations.stores import redact

__all__ = ["DISORDER", "EMPTY", "EmptyLog", "ItemSource", "LogStore", "contended", "translated"]

DISORDER = timedelta(minutes=1)
"""How far out of the log's order two writers' recorded times may be, at most."""

_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
"""PostgreSQL's serialization failure, deadlock and lock-not-available (``lock_timeout``)."""


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


@contextmanager
def translated(store: str, reference: object = None, *, conflicts: bool = True) -> Iterator[None]:
    """Turn what the engine raises into :class:`StoreError` (or, for a version already
    taken, :class:`ConcurrencyError`, unless ``conflicts`` is false: then it is raised as
    it is, for the caller to decide again); this library's own errors pass through."""
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


def contended(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the store was busy with other writers: a
    SQLite file locked, a PostgreSQL lock not granted in time, a deadlock or serialization
    failure, the writing connection held by another thread. Nothing was written; the same
    attempt may succeed a moment later."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sqlite3.OperationalError):
            text = str(error).lower()
            if "locked" in text or "busy" in text:
                return True
        if getattr(error, "sqlstate", None) in _BUSY_STATES:
            return True
        if isinstance(error, ConnectionUnavailableError) and "writer" in str(error):
            # Another thread of this process holds the store's one writing connection (a
            # transaction held open by an import, say): the same as another process's lock.
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class ItemSource(Protocol):
    """What deciding reads of a log: its head, when its last entry was recorded, one
    item's entries, whether an item has any, and the entries that create items."""

    label: str

    def head(self) -> int: ...

    def recorded_at(self, position: int) -> datetime | None: ...

    def item(self, originator_id: uuid.UUID) -> list[domain.Event]: ...

    def exists(self, originator_id: uuid.UUID) -> bool: ...

    def select(self, after: int, limit: int, stop: int, topics: Sequence[str]) -> Sequence[Any]: ...

    def decode(self, stored: Any) -> domain.Event | CommandRecord | Erasure: ...

    def erasures_met(self) -> int: ...

    @property
    def rollbacks(self) -> int: ...


class LogStore:
    """One store's log: every read and write the service makes of it, translated.

    ``app`` is the ``eventsourcing`` application (``Tracker._app``); ``label`` the store's
    URL as messages show it."""

    def __init__(self, settings: dict[str, str], label: str) -> None:
        self.label = label
        self.rollbacks = 0
        """How many transactions held open (:meth:`held`) have rolled back: what a reader
        keeps by the log's head must be dropped when it changes, for the head may come back
        to the same number with other entries."""
        with translated(label):
            self.app = _Log(env=settings)

    def decode(self, stored: StoredEvent) -> domain.Event | CommandRecord | Erasure:
        """A stored record as the entry (or command record) it holds."""
        return cast(domain.Event | CommandRecord | Erasure, self.app.mapper.to_domain_event(stored))

    def decode_domain(self, stored: StoredEvent) -> domain.Event | None:
        """A domain event, or ``None`` for an entry that is not one (a command record)."""
        event = self.decode(stored)
        return event if isinstance(event, domain.Event) else None

    def save(self, entries: Sequence[Any]) -> list[Any]:
        """Record ``entries`` (events and command records, never aggregates) in one
        transaction: the recordings. What ``Application.save`` does with events, without
        asking each whether it is one (a check against a runtime protocol, which costs as
        much as encoding it); this log takes no snapshots and has no aggregates to cache."""
        return self.app.events.put(entries)

    def erasures_met(self) -> int:
        """How many erasures of a person this store's tree writer has met (made through
        it, or found made by another process): what a tracker remembers of item logs may
        name an erased person when it changes (see :mod:`recommendations.integrity._erase`)."""
        return int(getattr(getattr(self.app.recorder, "tree", None), "erasures_met", 0))

    @property
    def holds(self) -> bool:
        """Whether the store's persistence module can hold a transaction open
        (:meth:`held`): this library's SQLite, PostgreSQL and memory stores can."""
        return callable(getattr(self.app.recorder, "held", None))

    @contextmanager
    def held(self) -> Iterator[None]:
        """One transaction held open in this thread until the block ends: everything
        recorded meanwhile commits then, together, or (if the block raises, or the commit
        fails) not at all. :class:`StoreError` (rule ``one-transaction``) if the store's
        persistence module cannot hold one."""
        hold = getattr(self.app.recorder, "held", None)
        if hold is None:
            raise StoreError(
                f"the store {self.label!r} cannot record many batches in one transaction "
                "(its persistence module holds no transaction open)",
                rule="one-transaction",
            )
        failure: BaseException | None = None
        try:
            with translated(self.label), hold():
                try:
                    yield
                except BaseException as error:
                    failure = error
                    raise
        except BaseException:
            self.rollbacks += 1
            if failure is not None:
                raise failure from failure.__cause__  # the block's own, untranslated
            raise

    def head(self) -> int:
        """The position of the last record in the log (0 when it is empty)."""
        with translated(self.label):
            return self.app.recorder.max_notification_id() or 0

    def recorded_at(self, position: int) -> datetime | None:
        """When the record at ``position`` was recorded (``None`` if there is none)."""
        with translated(self.label):
            found = self.app.recorder.select_notifications(start=position, limit=1)
        return self.decode(found[0]).recorded_at if found else None

    def last_recorded_by(self, known_at: datetime, upto: int) -> int:
        """The last position up to ``upto`` whose record was recorded at or before
        ``known_at`` (0 if none): the last position an answer as known at ``known_at``
        includes.

        Recorded times grow along the log as each writer sees it, so the boundary is found
        by halving; two writers recording at the same moment may leave records a little out
        of order, so the records just past it are read too, up to the first recorded more
        than :data:`DISORDER` after ``known_at``.
        """
        if upto <= 0:
            return 0
        last = self.recorded_at(upto)
        if last is None or last <= known_at:
            return upto
        low, high = 0, upto  # known: at low, by known_at (or nothing); at high, after it
        while high - low > 1:
            middle = (low + high) // 2
            found = self.recorded_at(middle)
            if found is not None and found <= known_at:
                low = middle
            else:
                high = middle
        included = low
        for position, record in self.records(low, 100):
            if position > upto or record.recorded_at > known_at + DISORDER:
                break
            if record.recorded_at <= known_at:
                included = position
        return included

    def item(self, originator_id: uuid.UUID) -> list[domain.Event]:
        """An item's entries, in version order."""
        with translated(self.label):
            return cast(list[domain.Event], list(self.app.events.get(originator_id)))

    def earlier(self, originator_id: uuid.UUID, version: int) -> list[domain.Event]:
        """An item's entries before ``version`` (an indexed read of the log itself)."""
        with translated(self.label):
            return cast(
                list[domain.Event], list(self.app.events.get(originator_id, lte=version - 1))
            )

    def exists(self, originator_id: uuid.UUID) -> bool:
        """Whether the item has any entry."""
        with translated(self.label):
            return bool(self.app.recorder.select_events(originator_id, limit=1))

    def last_stored(self, originator_id: uuid.UUID) -> StoredEvent | None:
        """The item's last record, as stored."""
        with translated(self.label):
            stored = self.app.recorder.select_events(originator_id, desc=True, limit=1)
        return stored[0] if stored else None

    def stored_version(self, originator_id: uuid.UUID, version: int) -> StoredEvent | None:
        """Entry ``version`` of an item, as stored."""
        with translated(self.label):
            stored = self.app.recorder.select_events(
                originator_id, gt=version - 1, lte=version, limit=1
            )
        return stored[0] if stored else None

    def select(self, after: int, limit: int, stop: int, topics: Sequence[str]) -> Sequence[Any]:
        """Up to ``limit`` records of ``topics`` after ``after``, to ``stop`` (untranslated:
        the callers translate)."""
        return cast(
            Sequence[Any],
            self.app.recorder.select_notifications(
                start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
            ),
        )

    def stored(self, after: int, page_size: int) -> Iterator[Any]:
        """Every stored record after position ``after``, as stored (not decoded)."""
        position = after
        while True:
            with translated(self.label):
                page = self.app.recorder.select_notifications(
                    start=position, limit=page_size, inclusive_of_start=False
                )
            yield from page
            if len(page) < page_size:
                return
            position = page[-1].id

    def records(
        self, after: int, page_size: int
    ) -> Iterator[tuple[int, domain.Event | CommandRecord | Erasure]]:
        """Every record after position ``after`` (command records too), with its position,
        read ``page_size`` at a time."""
        for stored in self.stored(after, page_size):
            yield stored.id, self.decode(stored)

    def writes_together(self) -> bool:
        """Whether the store can write many batches of entries in one transaction
        (:meth:`save_together`): its recorder has ``insert_all``, as SQLite's and
        PostgreSQL's have."""
        return callable(getattr(self.app.recorder, "insert_all", None))

    def save_together(
        self,
        batches: Iterable[Sequence[domain.Event]],
        begin: Callable[[int], None] | None = None,
    ) -> int:
        """Save every batch of ``batches`` (taken one at a time: they may be made while
        saved) in one transaction, with the Merkle tree, that holds the store's write lock
        from its start; how many entries were saved. ``begin``, if given, is called under
        that lock before the first batch is taken, with the log's head (0 if empty). An
        error raised there, or while a batch is made or saved, undoes them all (no view
        row is written with them: catching up writes those). Only where
        :meth:`writes_together`."""
        mapper = self.app.mapper
        stored = ([mapper.to_stored_event(event) for event in batch] for batch in batches)
        insert_all = self.app.recorder.insert_all  # type: ignore[attr-defined]
        with translated(self.label):
            return int(insert_all(stored, begin=begin))

    def close(self) -> None:
        self.app.close()


class EmptyLog:
    """A log that holds nothing: what a store not made yet would answer."""

    label = "an empty store"

    def head(self) -> int:
        return 0

    def recorded_at(self, position: int) -> datetime | None:
        return None

    def item(self, originator_id: uuid.UUID) -> list[domain.Event]:
        return []

    def exists(self, originator_id: uuid.UUID) -> bool:
        return False

    def erasures_met(self) -> int:
        return 0

    @property
    def rollbacks(self) -> int:
        return 0

    def select(self, after: int, limit: int, stop: int, topics: Sequence[str]) -> Sequence[Any]:
        return ()

    def decode(self, stored: Any) -> domain.Event | CommandRecord | Erasure:
        raise StoreError("an empty log holds no record to decode", rule="readable")


EMPTY = EmptyLog()
"""The one empty log (it holds no state)."""
