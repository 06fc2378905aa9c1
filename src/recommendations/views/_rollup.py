"""The roll-up of one national recommendation across the bodies it was made to.

A store that keeps several bodies (an inspectorate's national view, an authority's view of
its services) raises a national recommendation once for each body it was made to: each
copy has its own reference, and is raised from the same report with the same words. The
roll-up gathers the copies of the recommendation a reference names and says, for each
body, where its copy stands; and in total how many are implemented, open, or closed not
implemented. Pure, like every view: it takes the recommendations' states.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from attrs import frozen

from recommendations._errors import NotFound
from recommendations.domain import Outcome, Recommendation, Status

__all__ = ["Rollup", "RollupLine", "build_rollup"]


@frozen(kw_only=True)
class RollupLine:
    """One body's copy of the recommendation.

    ``body`` is the body the copy was made to: the body it is addressed to if it names
    one, else its report's body.
    """

    body: str
    reference: str
    status: Status
    outcome: Outcome | None
    grade: str | None
    due_on: date | None
    overdue: bool


@frozen(kw_only=True)
class Rollup:
    """The copies of one recommendation, a line per copy, by body then reference; and
    the totals.

    ``implemented`` counts the copies discharged as implemented; ``not_implemented`` those
    closed not implemented; ``open`` those not discharged (open or claimed); ``closed_other``
    those discharged otherwise (superseded, no longer relevant, closed by the
    inspectorate). The four add up to ``total``.
    """

    reference: str
    report: str
    text: str
    as_at: date
    lines: tuple[RollupLine, ...]

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def implemented(self) -> int:
        return sum(1 for line in self.lines if line.outcome is Outcome.IMPLEMENTED)

    @property
    def not_implemented(self) -> int:
        return sum(1 for line in self.lines if line.outcome is Outcome.NOT_IMPLEMENTED)

    @property
    def open(self) -> int:
        return sum(1 for line in self.lines if line.status is not Status.DISCHARGED)

    @property
    def closed_other(self) -> int:
        return self.total - self.implemented - self.not_implemented - self.open

    def totals(self) -> dict[str, int]:
        """The totals by name: total, implemented, open, not_implemented, closed_other."""
        return {
            "total": self.total,
            "implemented": self.implemented,
            "open": self.open,
            "not_implemented": self.not_implemented,
            "closed_other": self.closed_other,
        }


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def build_rollup(reference: str, states: Iterable[Recommendation], *, as_at: date) -> Rollup:
    """The roll-up of the recommendation ``reference`` among ``states`` (every
    recommendation as at ``as_at``): the copies raised from its report with the same words
    (ignoring case and runs of spaces), itself included. :class:`NotFound` if no state has
    that reference."""
    held = list(states)
    named = next((state for state in held if state.reference == reference), None)
    if named is None:
        raise NotFound(
            f"no recommendation has this reference (as at {as_at})",
            reference=reference,
            field="reference",
        )
    words = _words(named.text)
    copies = [s for s in held if s.report == named.report and _words(s.text) == words]
    lines = sorted(
        (
            RollupLine(
                body=state.addressed_to or state.body,
                reference=state.reference,
                status=state.status,
                outcome=state.outcome,
                grade=state.grade,
                due_on=state.due_on,
                overdue=state.is_overdue(as_at),
            )
            for state in copies
        ),
        key=lambda line: (line.body, line.reference),
    )
    return Rollup(
        reference=named.reference,
        report=named.report,
        text=named.text,
        as_at=as_at,
        lines=tuple(lines),
    )
