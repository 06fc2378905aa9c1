"""What the views read: the log, each entry with its position, cut to an answer's basis."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol, TypeVar

from attrs import frozen

from recommendations.domain import Event

__all__ = ["Logged", "Positioned", "by_item", "upto"]

_E = TypeVar("_E", bound=Event)


class Positioned(Protocol):
    """An entry of the log and its position in it, as :meth:`Tracker.log
    <recommendations.Tracker.log>` yields them (a :class:`~recommendations.LoggedEvent`)."""

    @property
    def position(self) -> int: ...

    @property
    def event(self) -> Event: ...


@frozen
class Logged:
    """A log entry and its position, for programs that hold events without a tracker."""

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
