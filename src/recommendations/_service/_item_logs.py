"""The item logs a tracker keeps for deciding: each item's log as it last recorded it.

A stale one can only make a command collide with an entry already stored, which is then
decided again on logs read afresh (see :mod:`._writing`): never a wrong entry. So only
deciding to record uses them; :meth:`Tracker.decide`, which has no such check, reads
every item afresh.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from recommendations import domain

__all__ = ["KNOWN_ITEMS", "ItemLogs"]

KNOWN_ITEMS = 20_000
"""How many items' logs a tracker keeps for deciding (a few kilobytes each)."""


class ItemLogs:
    """Item logs by item, the least recently recorded dropped past ``limit``; shared by
    the threads of one tracker."""

    def __init__(self, limit: int = KNOWN_ITEMS) -> None:
        self._limit = limit
        self._logs: OrderedDict[uuid.UUID, tuple[domain.Event, ...]] = OrderedDict()
        self._checked: dict[uuid.UUID, domain.Checked] = {}
        self._lock = threading.Lock()
        self._seen_head = 0
        self._erasures = 0
        self._rollbacks = 0

    def __len__(self) -> int:
        return len(self._logs)

    def get(self, item: uuid.UUID) -> tuple[domain.Event, ...] | None:
        """The item's log as last recorded, if it is kept."""
        with self._lock:
            return self._logs.get(item)

    def checked(self, item: uuid.UUID) -> domain.Checked | None:
        """The item's timeline as last checked, if it is kept (see
        :func:`~recommendations.domain.check_incremental`: it is used only for the log it
        was made from)."""
        with self._lock:
            return self._checked.get(item)

    def remember(
        self,
        logs: dict[uuid.UUID, tuple[domain.Event, ...]],
        checked: dict[uuid.UUID, domain.Checked] | None = None,
    ) -> None:
        """Keep the logs of the items just recorded, as they now stand, and their
        timelines as ``checked``."""
        with self._lock:
            for item, log in logs.items():
                self._logs[item] = log
                self._logs.move_to_end(item)
                done = None if checked is None else checked.get(item)
                if done is not None and done.fits(log):  # type: ignore[arg-type]
                    self._checked[item] = done
                else:
                    self._checked.pop(item, None)
            while len(self._logs) > self._limit:
                item, _ = self._logs.popitem(last=False)
                self._checked.pop(item, None)

    def forget(self, items: set[uuid.UUID]) -> None:
        """Drop these items' logs (they may be out of date)."""
        with self._lock:
            for item in items:
                self._logs.pop(item, None)
                self._checked.pop(item, None)

    def saw(self, head: int, erasures: int = 0, rollbacks: int = 0) -> int:
        """The log's head as just read; returns the head seen before. A head lower than
        before (a store restored from an older copy), a count of erasures met other than
        before (the logs kept may name an erased person), or of transactions held open
        that rolled back (the logs kept may hold what was rolled back), drops every log
        kept."""
        with self._lock:
            before = self._seen_head
            if head < before or erasures != self._erasures or rollbacks != self._rollbacks:
                self._logs.clear()
                self._checked.clear()
            self._seen_head = head
            self._erasures = erasures
            self._rollbacks = rollbacks
            return before

    def clear(self) -> None:
        """Drop every log kept."""
        with self._lock:
            self._logs.clear()
            self._checked.clear()

    @property
    def seen_head(self) -> int:
        """The head of the log as last seen."""
        return self._seen_head
