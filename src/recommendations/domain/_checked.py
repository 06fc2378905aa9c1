"""Checking a new entry against the part of its timeline it can change.

:func:`~recommendations.domain.check_timeline` checks every entry of a recommendation's
effective-date timeline, from the raising on: the reference. An entry added to a log that
passed that check leaves the timeline before its own place as it was, so only the entries
from that place on need checking again. A :class:`Checked` keeps what that needs: the
timeline's entries in order (corrections applied) and the state at its end.

- An entry at the end of the timeline (the usual case) is checked against the end state
  alone.
- A backdated entry is checked, with every entry after it, against the state its place
  leaves (the entries before it are folded, not checked again).
- A correction is checked from the earlier of the corrected entry's old and new places.

:func:`check_incremental` answers exactly as the full check does on a log that passed it
(the same acceptance, the same error, the same rule); without a :class:`Checked` of the
log as it stood, it runs the full check.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date

import attrs

from ._events import (
    Amendable,
    ClaimRejected,
    Corrected,
    Discharged,
    ImplementationClaimed,
    Raised,
    RecommendationEvent,
    Reopened,
)
from ._recommendation import Recommendation, amended, evolve
from ._rules import Broken, check_entry

__all__ = ["Checked", "check_incremental", "checked_timeline"]

_SETS_STATUS = (Raised, ImplementationClaimed, ClaimRejected, Discharged, Reopened)


@attrs.frozen
class Checked:
    """A recommendation's timeline as checked: the log's length and last entry it was
    made from, its ``entries`` in timeline order (effective date, then version; corrections
    applied), and the ``state`` at its end with the version that set its status."""

    length: int
    last: RecommendationEvent | None
    entries: tuple[Amendable, ...]
    state: Recommendation | None
    status_set_by: int | None

    def fits(self, history: Sequence[RecommendationEvent]) -> bool:
        """Whether this was made from ``history`` (its length and last entry)."""
        if self.length != len(history):
            return False
        if not history:
            return self.last is None
        return self.last is history[-1] or self.last == history[-1]


def _key(entry: Amendable) -> tuple[date, int]:
    return entry.effective_on, entry.originator_version


def checked_timeline(
    reference: str,
    log: Sequence[RecommendationEvent],
    new_versions: set[int],
    *,
    fresh: bool = True,
) -> Checked:
    """The full check of ``log`` (as :func:`check_timeline`), and what it leaves."""
    entries = sorted(amended(log), key=_key)
    state, status_set_by = _check_from(reference, log, entries, 0, None, None, new_versions, fresh)
    return Checked(len(log), log[-1] if log else None, tuple(entries), state, status_set_by)


def check_incremental(
    reference: str,
    log: Sequence[RecommendationEvent],
    checked: Checked | None,
    *,
    fresh: bool = True,
) -> Checked:
    """Check ``log``'s last entry (new; a correction: the entry it amends) on the part of
    the timeline it can change, given ``checked``, the check of the log before it. Without
    one that fits, the full check. Raises as the full check does; returns the new
    :class:`Checked`."""
    new = log[-1]
    target = new.corrects if isinstance(new, Corrected) else new.originator_version
    if checked is None or not checked.fits(log[:-1]):
        return checked_timeline(reference, log, {target}, fresh=fresh)
    entries = list(checked.entries)
    keys = [_key(entry) for entry in entries]
    if isinstance(new, Corrected):
        start = len(entries)
        old = next((i for i, e in enumerate(entries) if e.originator_version == target), None)
        if old is not None:
            del entries[old], keys[old]
            start = old
        if new.replacement is not None:
            place = bisect.bisect_right(keys, _key(new.replacement))
            entries.insert(place, new.replacement)
            keys.insert(place, _key(new.replacement))
            start = min(start, place)
    else:
        entry: Amendable = new  # type: ignore[assignment]  # every other entry amends
        start = bisect.bisect_right(keys, _key(entry))
        entries.insert(start, entry)
    if start == len(checked.entries) and not isinstance(new, Corrected):
        state, status_set_by = checked.state, checked.status_set_by  # at the end
    else:
        state, status_set_by = _fold(entries[:start])
    state, status_set_by = _check_from(
        reference, log, entries, start, state, status_set_by, {target}, fresh
    )
    return Checked(len(log), new, tuple(entries), state, status_set_by)


def _fold(entries: Sequence[Amendable]) -> tuple[Recommendation | None, int | None]:
    """The state ``entries`` leave (already checked), and the version that set its status."""
    state: Recommendation | None = None
    status_set_by: int | None = None
    for entry in entries:
        state = evolve(entry, state)
        if isinstance(entry, _SETS_STATUS):
            status_set_by = entry.originator_version
    return state, status_set_by


def _check_from(
    reference: str,
    log: Sequence[RecommendationEvent],
    entries: Sequence[Amendable],
    start: int,
    state: Recommendation | None,
    status_set_by: int | None,
    new_versions: set[int],
    fresh: bool,
) -> tuple[Recommendation | None, int | None]:
    """Check ``entries`` from ``start`` on, the ones before having left ``state``."""
    from ._decide import _error  # the errors are worded in one place

    for entry in entries[start:]:
        is_new = entry.originator_version in new_versions
        try:
            check_entry(state, entry, status_set_by=status_set_by, is_new=is_new and fresh)
        except Broken as broken:
            raise _error(reference, broken, new=is_new, entry=entry, log=log) from None
        state = evolve(entry, state)
        if isinstance(entry, _SETS_STATUS):
            status_set_by = entry.originator_version
    return state, status_set_by
