"""Applying a plan: every planned command recorded in one transaction, or none of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from recommendations._errors import ConcurrencyError, NotFound, RuleViolation
from recommendations._logging import imports as _log
from recommendations.domain import PublishReport

from ._planning import ImportPlan, PlannedCommand, PlanSource
from ._problems import ImportRefused, Problem

if TYPE_CHECKING:
    from recommendations._tracker import Decided, Positioned, Tracker

__all__ = ["ImportResult", "apply_import", "decide_import", "import_command_id"]


@frozen(kw_only=True)
class ImportResult:
    """What an import recorded: the plan applied, and each entry with its log position."""

    plan: ImportPlan
    recorded: tuple[Positioned, ...]

    @property
    def count(self) -> int:
        """How many entries were recorded."""
        return len(self.recorded)


def import_command_id(plan: ImportPlan) -> str:
    """The command id an import of ``plan`` is recorded with unless given another: the
    same sheet, date and store position give the same id."""
    return f"import:{plan.digest}:{plan.snapshot_date}:{plan.head}"


def decide_import(tracker: PlanSource, plan: ImportPlan) -> list[Decided]:
    """What applying ``plan`` would record, decided as :func:`apply_import` records it (all
    its commands in order, each on the state the ones before it leave), with nothing
    recorded; refused the same way (:class:`ImportRefused`)."""
    if plan.errors:
        raise ImportRefused(plan.source, plan.errors)
    try:
        return tracker.decide_many([planned.command for planned in plan.commands])
    except (RuleViolation, NotFound) as error:
        raise ImportRefused(plan.source, [_row_problem(plan, error)]) from error


def still_current(
    tracker: Tracker,
    source: str,
    errors: Sequence[Problem],
    head: int,
    done: str,
    again: str,
) -> None:
    """Refuse to record an import that has errors (:class:`ImportRefused`), or one whose
    store has moved since it was ``done`` (``planned``, ``checked``) at log entry ``head``
    (:class:`~recommendations.ConcurrencyError`, rule ``plan-current``: ``again`` it)."""
    if errors:
        raise ImportRefused(source, errors)
    now = tracker.head()
    if now != head:
        raise ConcurrencyError(
            f"the store has changed since the import of {source} was {done} (its log was at "
            f"entry {head}, it is at {now} now); {again} it again",
            rule="plan-current",
        )


def apply_import(
    tracker: Tracker,
    plan: ImportPlan,
    *,
    progress: Callable[[int, int], None] | None = None,
    command_id: str | None = None,
) -> ImportResult:
    """Record every command of ``plan``, all or nothing.

    A plan with errors is refused (:class:`ImportRefused`, listing them); so is a plan made
    against another state of the store than the one it is applied to
    (:class:`~recommendations.ConcurrencyError`, rule ``plan-current``: plan again). The
    commands are recorded with :meth:`Tracker.execute_many`, each decided against the
    state the ones before it leave, in one transaction: if the tracker refuses one,
    nothing is recorded and the refusal is raised as an :class:`ImportRefused` naming its
    row. ``progress`` is called with ``(done, total)`` entries: ``(0, total)`` before the
    transaction and ``(total, total)`` once it is committed. ``command_id`` is the one it
    is recorded with (default: :func:`import_command_id`).
    """
    still_current(tracker, plan.source, plan.errors, plan.head, "planned", "plan")
    total = len(plan.commands)
    _log.info("importing %s: %d commands in one batch", plan.source, total)
    if progress is not None:
        progress(0, total)
    if not total:
        return ImportResult(plan=plan, recorded=())
    try:
        recorded = tracker.execute_many(
            [planned.command for planned in plan.commands],
            command_id=command_id if command_id is not None else import_command_id(plan),
        )
    except (RuleViolation, NotFound) as error:
        raise ImportRefused(plan.source, [_row_problem(plan, error)]) from error
    if progress is not None:
        progress(total, total)
    _log.info("imported %s: %d entries recorded", plan.source, len(recorded))
    return ImportResult(plan=plan, recorded=tuple(recorded))


def _row_problem(plan: ImportPlan, error: RuleViolation | NotFound) -> Problem:
    """The refusal of one command, named by the row it came from."""
    subject = getattr(error, "subject", "recommendation")
    culprit = _culprit(plan.commands, error, subject)
    column = plan.column_of(error.field)
    return Problem(
        row=culprit.row if culprit is not None else None,
        column=column,
        reference=error.reference,
        subject=subject,
        field=error.field,
        message=error.detail,
        rule=error.rule,
    )


def _culprit(commands: Sequence[PlannedCommand], error: Any, subject: str) -> PlannedCommand | None:
    index = getattr(error, "index", None)
    if isinstance(index, int) and 0 <= index < len(commands):
        return commands[index]
    for planned in commands:
        is_report = isinstance(planned.command, PublishReport)
        if planned.command.reference == error.reference and is_report == (subject == "report"):
            return planned
    return None
