"""What the views read: the log, each entry with its position, cut to an answer's basis."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from attrs import frozen

from recommendations.domain import Event

__all__ = ["Positioned", "by_item", "upto"]

_E = TypeVar("_E", bound=Event)


@frozen
class Positioned:
    """An entry of the log and its position in the whole log (the store's notification
    id): what :meth:`Tracker.log <recommendations.Tracker.log>` yields,
    :meth:`Tracker.execute <recommendations.Tracker.execute>` returns, and the views read.
    Programs that hold events without a tracker make their own."""

    position: int
    event: Event


def upto(log: Iterable[Positioned], position: int) -> list[Positioned]:
    """The entries of ``log`` at or before ``position``, in log order."""
    return sorted((e for e in log if e.position <= position), key=lambda e: e.position)


def by_item(events: Iterable[Event], kind: type[_E]) -> list[list[_E]]:
    """The events of ``kind``, grouped by item, each group in version order."""
    items: dict[uuid.UUID, list[_E]] = {}
    for event in events:
        if isinstance(event, kind):
            items.setdefault(event.originator_id, []).append(event)
    return [sorted(group, key=lambda e: e.originator_version) for group in items.values()]
