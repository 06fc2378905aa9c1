"""A store that holds nothing yet: what it answers, and what commands would record in it.

Deciding against it needs no store at all, so a command line can find out whether a
command would be accepted by a store before making the store (a SQLite file) for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime

from recommendations import domain
from recommendations._errors import NotFound

from ._deciding import Decider
from ._lookups import not_yet
from ._reads import check_when
from ._store import EMPTY
from ._values import Decided, Positioned

__all__ = ["EmptyStore"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _normal(reference: str) -> str:
    return str(domain.normal_reference(reference)) if isinstance(reference, str) else reference


class EmptyStore:
    """The reads a planner makes of a store, answered for one that holds nothing, and
    :meth:`decide` and :meth:`decide_many` as a tracker over it would answer them."""

    def __init__(
        self,
        *,
        policy: domain.Policy | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.policy = policy if policy is not None else domain.DEFAULT_POLICY
        self._decider = Decider(EMPTY, policy=policy, clock=clock)

    def head(self) -> int:
        """0: the position of the last entry of an empty log."""
        return 0

    def events(self, reference: str) -> list[domain.RecommendationEvent]:
        """:class:`NotFound`, as for every reference."""
        raise NotFound("no recommendation has this reference", reference=_normal(reference))

    def report(
        self, reference: str, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Report:
        """:class:`NotFound`, as for every reference."""
        check_when(as_at, known_at)
        raise NotFound(
            not_yet("report", as_at, known_at), reference=_normal(reference), subject="report"
        )

    def log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[Positioned]:
        """No entries."""
        return iter(())

    def recommendations(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Recommendation]:
        """None."""
        check_when(as_at, known_at)
        return []

    def decide(self, command: domain.Command) -> Decided:
        """What ``command`` would record in an empty store (see :meth:`Tracker.decide`)."""
        return self.decide_many([command])[0]

    def decide_many(self, commands: Sequence[domain.Command]) -> list[Decided]:
        """What ``commands`` would record in an empty store, in order (see
        :meth:`Tracker.decide_many`)."""
        return self._decider.rehearse(commands)
