"""Staging: commands decided one after another on the entries decided before them, kept in
memory item by item, for a log that is written all at once (a scenario played into an
empty store, see :func:`recommendations.scenarios.play`).

A :class:`Stager` decides through the service's own :class:`~._deciding.Decider`, over a
:class:`StagedLog`: a log that holds only what was staged so far. What it keeps is each
item's log (the entries themselves, shared with what is written) and the references
taken; nothing of the commands or their lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from recommendations import domain

from ._deciding import Decider
from ._store import EmptyLog

__all__ = ["StagedLog", "Stager"]


class StagedLog(EmptyLog):
    """The log an empty store would hold once the entries staged so far are written: what
    deciding reads (see :class:`~._store.ItemSource`), from memory. (Nothing is read by
    position: the references are learnt as the entries are staged, see :class:`Stager`.)"""

    label = "the entries staged"

    def __init__(self) -> None:
        self.logs: dict[uuid.UUID, list[domain.Event]] = {}
        self.count = 0
        self.last: datetime | None = None

    def add(self, event: domain.Event) -> None:
        self.logs.setdefault(event.originator_id, []).append(event)
        self.count += 1
        self.last = event.recorded_at

    def head(self) -> int:
        return self.count

    def recorded_at(self, position: int) -> datetime | None:
        # (deciding asks only for the last entry's)
        return self.last if position == self.count else None

    def item(self, originator_id: uuid.UUID) -> list[domain.Event]:
        return list(self.logs.get(originator_id, ()))

    def exists(self, originator_id: uuid.UUID) -> bool:
        return originator_id in self.logs


class Stager:
    """Decides commands one at a time, under ``policy``, each recorded at what ``clock``
    says then (never before the entry staged before it), on the entries staged before it;
    keeps what it decides in :attr:`log`."""

    def __init__(self, policy: domain.Policy, clock: Callable[[], datetime]) -> None:
        self.log = StagedLog()
        self._decider = Decider(self.log, policy=policy, clock=clock)

    def decide(self, command: domain.Command) -> domain.Event:
        """The entry ``command`` records, staged; or the rule it breaks, raised (nothing
        staged)."""
        decided = self._decider.decide([command], fresh=True)
        (event,) = decided.events
        self.log.add(event)
        position = self.log.count
        self._decider.recorded(position, position, decided.events)
        # the timeline as checked, kept to check the item's next entry from
        self._decider.known.remember(decided.logs, decided.checked)
        return event
