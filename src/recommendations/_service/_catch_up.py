"""The views' catch-up: bringing the adapter's materialised views up to the log after a
command records something, and before a read; saying so when they cannot."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from recommendations import domain
from recommendations._errors import (
    LogNotIntact,
    RecommendationsError,
    StoreError,
    TablesBehind,
    TablesBehindWarning,
)
from recommendations.stores import Tables

from ._store import translated
from ._values import Positioned

__all__ = ["CatchUp"]


class CatchUp:
    """Catches ``views`` up with the log of the store named ``label``; ``behind`` is what
    the last read warned of (``None`` after one that found them current)."""

    def __init__(self, views: Tables, label: str) -> None:
        self.tables = views
        self.label = label
        self.behind: TablesBehindWarning | None = None

    def after_recording(
        self,
        recorded: Sequence[Positioned],
        reference: str | None,
        entries: Sequence[tuple[int, domain.Event | None]] = (),
        *,
        earlier: str | None = None,
    ) -> None:
        """Bring the views up to what was just ``recorded``; if they cannot, raise
        :class:`TablesBehind` carrying it (the entries are in the log all the same).
        ``earlier`` names the command id of an earlier run that recorded them."""
        try:
            with translated(self.label, reference):
                self.tables.catch_up(recorded=entries)
        except RecommendationsError as error:
            positions = [r.position for r in recorded]
            where = (
                "no position"
                if not positions
                else f"log position {positions[0]}"
                if len(positions) == 1
                else f"log positions {positions[0]} to {positions[-1]}"
            )
            who = (
                f"was recorded by an earlier run of command id {earlier!r}"
                if earlier is not None
                else "was recorded"
            )
            raise TablesBehind(
                f"the entry {who}, at {where}, but the views could not catch up ({error}); "
                "they will on a later read or command, or with a rebuild: do not record it "
                "again",
                recorded=recorded,
                reference=reference,
            ) from error

    def quietly(self) -> StoreError | None:
        """Try to bring the views up to the log; the failure, if they could not (a log
        changed outside the library is raised: nothing may be answered from it)."""
        try:
            with translated(self.label):
                self.tables.catch_up()
        except LogNotIntact:
            raise
        except RecommendationsError as error:
            return (
                error
                if isinstance(error, StoreError)
                else StoreError(str(error), rule="views-current")
            )
        return None

    def for_read(self, *, stacklevel: int = 4) -> None:
        """Bring the views up to the log before a read. If they cannot, the read answers
        from what they hold: :attr:`behind` and a :class:`TablesBehindWarning` say which
        position that is, and why."""
        failure = self.quietly()
        if failure is None:
            self.behind = None
            return
        with translated(self.label):
            reached = self.tables.position()
        behind = TablesBehindWarning(
            f"the views could not catch up with the log ({failure}): they hold it up to "
            f"position {reached}, which is what this answer reflects",
            position=reached,
            reason=str(failure),
        )
        self.behind = behind
        warnings.warn(behind, stacklevel=stacklevel)
