"""Whether a log is one this library wrote: each item's entries numbered 1, 2, 3... with
none missing, each recorded after the one before it.

Every writer of this library keeps both (versions are checked when saving; recorded times
only grow along an item's log; :meth:`~recommendations.Tracker.append_log` refuses
entries that break either). A log that breaks one was changed outside the library (an
entry deleted, or its recorded time moved, by hand): folds, views and trails refuse it with
:class:`~recommendations.LogNotIntact`, naming the position, rather than answer wrongly.
"""

from __future__ import annotations

import uuid

from recommendations import domain
from recommendations._errors import LogNotIntact

__all__ = ["IntactLog", "check_follows"]


def check_follows(
    before: domain.Event | None,
    event: domain.Event,
    position: int,
    reference: str | None = None,
) -> None:
    """Raise :class:`~recommendations.LogNotIntact` unless ``event``, at log ``position``,
    is the entry that follows ``before`` in its item's log (``None``: the item's first).
    ``reference``: the item's, if known from an earlier entry."""
    version = event.originator_version
    expected = 1 if before is None else before.originator_version + 1
    if version == expected and (before is None or event.recorded_at > before.recorded_at):
        return  # (checked first: it is called for every entry applied)
    for known in (reference, getattr(event, "reference", None), getattr(before, "reference", None)):
        if isinstance(known, str):
            reference = known
            break
    where = f"entry {version} of item {event.originator_id} at log position {position}"
    if version != expected:
        after = "no entry" if before is None else f"entry {before.originator_version}"
        gap = (
            f"entry {expected} is missing"
            if version == expected + 1
            else f"entries {expected} to {version - 1} are missing"
            if version > expected
            else "an entry is repeated"
        )
        raise LogNotIntact(
            f"the log was changed outside this library: {where} follows {after} of that "
            f"item ({gap}); restore the store from a copy",
            position=position,
            item=event.originator_id,
            reference=reference,
            field="originator_version",
        )
    if before is not None and event.recorded_at <= before.recorded_at:
        raise LogNotIntact(
            f"the log was changed outside this library: {where} was recorded at "
            f"{event.recorded_at.isoformat()}, not after the entry before it "
            f"({before.recorded_at.isoformat()}); restore the store from a copy",
            position=position,
            item=event.originator_id,
            reference=reference,
            field="recorded_at",
        )


class IntactLog:
    """Checks a whole log, from its start, one entry at a time (see :func:`check_follows`)."""

    def __init__(self) -> None:
        self._last: dict[uuid.UUID, domain.Event] = {}
        self._references: dict[uuid.UUID, str] = {}

    def __call__(self, position: int, event: domain.Event) -> None:
        item = event.originator_id
        check_follows(self._last.get(item), event, position, self._references.get(item))
        self._last[item] = event
        reference = getattr(event, "reference", None)
        if isinstance(reference, str) and item not in self._references:
            self._references[item] = reference
