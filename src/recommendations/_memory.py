"""The ``memory://`` store: the log in this process's memory, gone when the process ends.

``memory://`` alone is a new, private store each time it is opened. ``memory://name`` is a
store this process shares by name: every tracker opened on ``memory://ledger`` sees the
same log (threads included; names are not case-sensitive), until :func:`forget` drops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from .integrity._erase import ErasedRows, forget_person, plan
from .integrity._recorders import MemoryTables, entries_of
from .integrity._tree import TreeWriter
from .stores import StoreAdapter, StoreURL

__all__ = ["MemoryStore", "SharedMemoryFactory", "forget"]

_NAME = "RECOMMENDATIONS_MEMORY_NAME"


class MemoryRecorder(POPOApplicationRecorder):
    """``eventsourcing``'s in-memory recorder, keeping the tree of the log beside it: each
    insert adds its entries' leaves under the same lock."""

    def __init__(self) -> None:
        super().__init__()
        self.tree = TreeWriter()
        self._tables = MemoryTables()
        self._tables.lock = self._database_lock

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._database_lock:
            positions = super()._insert_events(stored_events, **kwargs)
            self.tree.add(self._tables, entries_of(positions, stored_events))
            self.tree.committed()
            return positions

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the store until the block ends (other threads wait): if it raises, every
        entry recorded meanwhile, and its leaves, are taken out again."""
        with self._database_lock:
            size = len(self._stored_events)
            tables = self._tables
            saved = (dict(tables.tiles), dict(tables.last), dict(tables.persons))
            try:
                yield
            except BaseException:
                for stored in self._stored_events[size:]:
                    self._stored_events_index[str(stored.originator_id)].pop(
                        stored.originator_version, None
                    )
                del self._stored_events[size:]
                tables.tiles, tables.last, tables.persons = saved
                self.tree.forget()
                raise

    @contextmanager
    def tree_tables(self, *, write: bool) -> Iterator[MemoryTables]:
        with self._tables.transaction() as tables:
            yield tables

    def erase_person(self, name: str, make: Callable[[str, int], StoredEvent]) -> ErasedRows | None:
        """Erase ``name`` (see :mod:`recommendations.integrity._erase`), under the lock."""
        with self._database_lock:
            self.tree.forget()  # decided in this transaction: no erasure to meet since
            rows = [(index, stored.state) for index, stored in enumerate(self._stored_events)]
            planned = plan(self._tables, name, rows, make)
            if planned is None:
                return None
            positions = self._insert_events([planned.record])  # the only step that can fail
            for index, state in planned.changes:
                old = self._stored_events[index]
                self._stored_events[index] = StoredEvent(
                    originator_id=old.originator_id,
                    originator_version=old.originator_version,
                    topic=old.topic,
                    state=state,
                )
            mark = forget_person(self._tables, name)
        self.tree.erased(mark)
        assert positions
        return ErasedRows(planned.commitment, len(planned.changes), positions[0])

    def scrub(self) -> list[str]:
        """Nothing to scrub: the replaced states are Python objects, freed as any."""
        return []


_shared: dict[str, MemoryRecorder] = {}
_lock = threading.Lock()


class SharedMemoryFactory(POPOFactory):
    """``eventsourcing``'s in-memory factory, whose recorder is shared by store name."""

    def application_recorder(self) -> ApplicationRecorder:
        name = self.env.get(_NAME) or ""
        with _lock:
            if not name:
                return MemoryRecorder()
            if name not in _shared:
                _shared[name] = MemoryRecorder()
            return _shared[name]


def forget(name: str) -> None:
    """Drop the shared store ``memory://name`` (the next tracker on it starts empty)."""
    with _lock:
        _shared.pop(name.lower(), None)


class MemoryStore(StoreAdapter):
    """``memory://`` and ``memory://name``: for tests, trials and examples."""

    scheme = "memory"
    summary = "in this process only, gone when it ends; memory://name is shared by name"

    def settings(self, url: StoreURL) -> dict[str, str]:
        name = url.host or ""
        if url.query or url.path.strip("/") or url.port or url.username:
            raise url.refuse("a memory store takes a name at most (memory://name), no more")
        return {
            "PERSISTENCE_MODULE": f"{__name__}:{SharedMemoryFactory.__name__}",
            _NAME: name,
        }
