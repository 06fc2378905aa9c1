"""Recording: decide a batch, save it in one transaction with a check that no other writer
has added to the same items since, and decide again after a pause if one has."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import IntegrityError

from recommendations import domain
from recommendations._errors import (
    OutcomeUnknown,
    RecommendationsError,
    RuleViolation,
    StoreError,
    TablesBehind,
)
from recommendations._logging import service as _log
from recommendations.stores import Tables, item_log

from ._catch_up import CatchUp
from ._command_ids import CommandIds, check_command_id, digest
from ._deciding import Batch, Decider, check_commands
from ._retrying import Retrying
from ._store import LogStore, contended, translated
from ._values import Positioned

__all__ = ["Writer"]

_HOLD_ATTEMPTS = 5
"""How many times a held transaction is begun again for tables left behind by another
writer that appended between their catch-up and the lock."""


class Writer:
    """Records batches of commands in ``store``: decided by ``decider``, retried as
    ``retrying`` allows, idempotent through ``command_ids``, the ``views`` caught up after."""

    def __init__(
        self,
        store: LogStore,
        decider: Decider,
        retrying: Retrying,
        command_ids: CommandIds,
        catch_up: CatchUp,
        views: Tables,
    ) -> None:
        self.store = store
        self.decider = decider
        self.retrying = retrying
        self.command_ids = command_ids
        self.catch_up = catch_up
        self.tables = views
        self._holding = threading.local()

    def execute_many(
        self, commands: list[domain.Command], command_id: str | None
    ) -> list[Positioned]:
        """Record every command, in order, in one transaction (see
        :meth:`Tracker.execute_many`)."""
        batch = check_commands(commands)
        if not batch:
            return []
        first = batch[0].reference if isinstance(batch[0].reference, str) else None
        label = self.store.label
        hashed = None
        if command_id is not None:
            check_command_id(command_id, first)
            hashed = digest(batch, first)
            done = self.command_ids.carried_out(command_id, hashed, first)
            if done is not None:
                return done
        attempt = 0
        began = time.monotonic()
        # Whether to read every item afresh rather than trust the logs this tracker knows:
        # always, when a conflict must be reported at once (retries=0).
        fresh = self.retrying.at_once
        while True:
            events: list[domain.Event] = []
            try:
                with translated(label, first, conflicts=False):
                    try:
                        decided = self.decider.decide(batch, fresh=fresh)
                        events = decided.events
                    except RecommendationsError as refused:
                        if contended(refused.__cause__):
                            raise  # the store was busy while reading: tried again below
                        # Refused, perhaps because the first run of this very command id
                        # was recorded since it was looked up: then that is the answer.
                        if command_id is not None and hashed is not None:
                            done = self.command_ids.carried_out(command_id, hashed, first)
                            if done is not None:
                                return done
                        raise
                    saved: list[Any] = list(events)
                    if command_id is not None and hashed is not None:
                        saved.append(self.command_ids.record(command_id, hashed, events))
                    with self._recording(events, decided) as recording:
                        recordings, done = self._save(saved, events, command_id, hashed, first)
                    if done is not None:
                        # The store failed while saving, yet the entries are in the log.
                        self.decider.known.remember(decided.logs, decided.checked)
                        return done
                break
            except (IntegrityError, StoreError) as error:
                busy = not isinstance(error, IntegrityError)
                if busy and not contended(error.__cause__):
                    raise  # the store failed: not a matter of waiting for other writers
                self.decider.known.forget({e.originator_id for e in events})
                if command_id is not None and hashed is not None:
                    done = self.command_ids.carried_out(command_id, hashed, first)
                    if done is not None:
                        return done
                if not busy and decided.trusted and not fresh:
                    fresh = True  # what this tracker knew was out of date: read it all
                    continue
                pause = self.retrying.pause(attempt)
                waited = time.monotonic() - began
                if self.retrying.exhausted(attempt, waited, pause):
                    raise self.retrying.gave_up(first, attempt, waited, busy) from error
                _log.info("%s met another writer: deciding it again in %.3f s", first, pause)
                time.sleep(pause)
                attempt += 1
                fresh = True
        return self._recorded(decided, recordings, first, recording)

    @contextlib.contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Hold one transaction open in this thread until the block ends: every batch
        :meth:`execute_many` records in it meanwhile (entries, command records, the tree's
        rows and the tables' rows) commits then, together, or not at all. Other writers
        wait meanwhile (SQLite's write lock, PostgreSQL's lock on the log's table, the
        memory store's lock), other threads of this process too, each for as long as a
        command waits for another writer (the tracker's ``retry_for``); readers elsewhere
        see the log as it was until the commit.

        The tables are caught up first, and found at the log's head once the lock is
        taken (another writer may append in between, without their rows: then the lock is
        let go, and they are caught up again), so that each batch writes its rows in the
        held transaction (catching up on a connection of their own would wait for it). If
        they cannot be, :class:`StoreError` (rule ``views-current``) says so, with nothing
        recorded. If the block raises, or the commit fails, what the tracker learnt
        meanwhile (item logs, references, the decider's and the tables' caches) is dropped
        with it."""
        if getattr(self._holding, "active", False):
            yield  # held already: the outer block commits
            return
        head: int | None = None
        stack = self._hold()
        self._holding.active = True
        self._holding.doomed = None
        try:
            with stack:
                head = self.store.head()
                yield
                doomed: StoreError | None = self._holding.doomed
                if doomed is not None:
                    raise doomed  # (caught inside the block: the transaction rolls back)
        except BaseException:
            self.decider.forget()
            rolled_back = getattr(self.tables, "rolled_back", None)
            if rolled_back is not None and head is not None:
                rolled_back(head)
            raise
        finally:
            self._holding.active = False
            self._holding.doomed = None

    def _hold(self) -> contextlib.ExitStack:
        """The store's transaction held open (:meth:`LogStore.held`), its lock taken, with
        the tables at the log's head: caught up before the lock is taken, and again (the
        lock let go meanwhile) if another writer appended in between."""
        for _ in range(_HOLD_ATTEMPTS):
            behind = self.catch_up.quietly()
            if behind is not None:
                raise behind  # (nothing recorded: the tables must be current to begin)
            stack = contextlib.ExitStack()
            stack.enter_context(self.store.held())
            try:
                with translated(self.store.label):
                    current = self.tables.position() >= self.store.head()
            except BaseException:
                stack.close()
                raise
            if current:
                return stack
            stack.close()  # (nothing written: let the lock go, and catch up again)
        raise StoreError(
            f"the tables of the store {self.store.label!r} could not be brought to the log's "
            "head before the transaction began (other writers kept appending entries without "
            "their rows): nothing was recorded; try again",
            rule="views-current",
        )

    def _refused_within(self, done: list[Positioned], first: str | None) -> StoreError:
        """The error for entries recorded in a held transaction whose tables' rows were
        not written with them: the transaction rolls back (a catch-up on the tables' own
        connection would wait for it)."""
        positions = [entry.position for entry in done]
        error = StoreError(
            f"the tables could not take the entries at log positions {positions[0]} to "
            f"{positions[-1]} in the transaction held open (they were not at the log's "
            "head): nothing was recorded, the whole transaction is rolled back; try again",
            reference=first,
            rule="views-current",
        )
        self._holding.doomed = error
        return error

    def _recording(self, events: list[domain.Event], decided: Batch) -> Any:
        """While the batch is saved: the views' hook that writes their rows in the same
        transaction as the entries (see :meth:`SqlTables.recording`), if they have one."""
        recording = getattr(self.tables, "recording", None)
        if recording is None:
            return contextlib.nullcontext(None)
        return recording(events, decided.logs)

    def _recorded(
        self, decided: Batch, recordings: Any, first: str | None, recording: Any = None
    ) -> list[Positioned]:
        """What a saved batch recorded, once the views have caught up with it."""
        events = decided.events
        self.decider.known.remember(decided.logs, decided.checked)
        # A batch takes consecutive positions in its own order (sorted: an engine need not
        # return them in that order).
        positions = sorted(r.notification.id for r in recordings)
        self.decider.recorded(positions[0], positions[-1], events)
        entries: list[tuple[int, domain.Event | None]] = list(
            zip(positions, [*events, *[None] * (len(positions) - len(events))], strict=True)
        )
        done = [Positioned(event=e, position=p) for e, p in zip(events, positions, strict=False)]
        if getattr(recording, "position", None) != positions[-1]:
            if recording is not None and getattr(self._holding, "active", False):
                raise self._refused_within(done, first)
            # The views were not written with the entries: catch them up now.
            self.catch_up.after_recording(done, first, entries)
        return done

    def _save(
        self,
        saved: list[Any],
        events: list[domain.Event],
        command_id: str | None,
        hashed: str | None,
        reference: str | None,
    ) -> tuple[Any, list[Positioned] | None]:
        """Save ``saved``; the engine's recordings, or, if the store failed while saving but
        the entries are in the log all the same (the commit went through, its answer was
        lost), what was recorded.

        A failure after which the log does not hold the entries is raised as it was
        (:class:`StoreError`: nothing recorded); one after which the store cannot be asked,
        as :class:`OutcomeUnknown`. A conflict (``IntegrityError``) is raised unchanged.
        """
        try:
            with translated(self.store.label, reference, conflicts=False):
                return self.store.save(saved), None
        except StoreError as failure:
            done = self._outcome(events, command_id, hashed, reference, failure)
            if done is None:
                raise
            return None, done

    def _outcome(
        self,
        events: list[domain.Event],
        command_id: str | None,
        hashed: str | None,
        reference: str | None,
        failure: StoreError,
    ) -> list[Positioned] | None:
        """After a failed save: what it recorded after all, or ``None`` if the log holds
        none of it (a batch is one transaction: its first entry says for all)."""
        try:
            if command_id is not None and hashed is not None:
                return self.command_ids.carried_out(command_id, hashed, reference)
            first = events[0]
            with translated(self.store.label, reference):
                stored = self.store.stored_version(first.originator_id, first.originator_version)
            if stored is None or self.store.decode(stored) != first:
                return None
            self.catch_up.quietly()
            done = []
            with translated(self.store.label, reference):
                for event in events:
                    logged = item_log(self.tables, event.originator_id)
                    position = next(
                        entry.position
                        for entry in logged
                        if entry.event.originator_version == event.originator_version
                    )
                    done.append(Positioned(event=event, position=position))
        except (TablesBehind, RuleViolation):
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
        if getattr(self._holding, "active", False) and hasattr(self.tables, "recording"):
            raise self._refused_within(done, reference)
        self.catch_up.after_recording(done, reference)
        return done
