"""The ``memory://`` store: the log in this process's memory, gone when the process ends.

``memory://`` alone is a new, private store each time it is opened. ``memory://name`` is a
store this process shares by name: every tracker opened on ``memory://ledger`` sees the
same log (threads included; names are not case-sensitive), until :func:`forget` drops it.
"""

from __future__ import annotations

import threading

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from .stores import StoreAdapter, StoreURL

__all__ = ["MemoryStore", "SharedMemoryFactory", "forget"]

_NAME = "RECOMMENDATIONS_MEMORY_NAME"
_shared: dict[str, POPOApplicationRecorder] = {}
_lock = threading.Lock()


class SharedMemoryFactory(POPOFactory):
    """``eventsourcing``'s in-memory factory, whose recorder is shared by store name."""

    def application_recorder(self) -> ApplicationRecorder:
        name = self.env.get(_NAME) or ""
        with _lock:
            if not name:
                return POPOApplicationRecorder()
            if name not in _shared:
                _shared[name] = POPOApplicationRecorder()
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
