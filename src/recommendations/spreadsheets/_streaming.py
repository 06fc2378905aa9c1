"""Importing a sheet of any length: checked whole, a batch of rows at a time, then recorded.

:func:`check_import` reads a :class:`~recommendations.spreadsheets.SheetStream` a batch of
rows at a time, plans each batch as :func:`plan_import` plans a row and decides it with the
tracker's :meth:`~recommendations.Tracker.decide_many` (each batch after the new reports
earlier ones enter), and writes the commands to a staging file beside nothing else: what
it holds while it goes is one batch, the problems found, the reports and the references
(the sheet's, and those it raises, by case-folded key). :func:`record_import` then records
the staged commands with :meth:`~recommendations.Tracker.execute_many`, reading them back a
batch at a time.

So a sheet with an error anywhere records nothing, whatever its length: every row is
checked before the first is recorded. And every import is recorded in one transaction,
whatever its length: a sheet of up to ``batch_entries`` entries (20,000 by default) with
one :meth:`~recommendations.Tracker.execute_many`, as :func:`apply_import` records a plan;
a longer one a batch of rows at a time (each with its own command id: the import's, and
the batch's number), all written within one transaction held open until the last is
written (see :meth:`Writer.one_transaction`), so that its memory does not grow with its
length and a failure anywhere (a row refused late, the store full, the process killed)
leaves the store as it was. Readers elsewhere see nothing of it until it commits; other
writers wait for it (other threads of the same process too), each for as long as a
command waits for another writer (the tracker's ``retry_for``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import orjson
from attrs import field, frozen

from recommendations import domain
from recommendations._errors import (
    ConfigurationError,
    NotFound,
    RecommendationsError,
    RuleViolation,
)
from recommendations._serialization import _CONVERTER
from recommendations._service._deciding import COMMANDS

from ._applying import still_current
from ._planning import _FIELD_OF, PlannedCommand, PlanSource, _Planner, _problem_order
from ._problems import ImportRefused, Problem
from ._reading import _SPLIT, SheetRow, _text
from ._streams import SheetStream

if TYPE_CHECKING:
    from recommendations._tracker import Tracker

__all__ = [
    "BATCH_ENTRIES",
    "BATCH_ROWS",
    "ONE_TRANSACTION",
    "CheckedImport",
    "ImportStopped",
    "Imported",
    "check_import",
    "import_sheet",
    "record_import",
]

BATCH_ROWS = 1000
"""The rows planned, decided (and, for a long sheet, recorded) together."""

BATCH_ENTRIES = 20_000
"""The most entries an import decides and writes at once (a longer one is decided and
written a batch of rows at a time, all in one transaction)."""

ONE_TRANSACTION = BATCH_ENTRIES
"""The former name of :data:`BATCH_ENTRIES` (every import is now one transaction)."""

_COMMANDS: dict[str, type[domain.Command]] = {kind.__name__: kind for kind in COMMANDS}
"""The commands a staged line may hold, by name (an import stages fewer kinds)."""


@frozen(kw_only=True)
class CheckedImport:
    """A sheet checked whole against a store: what importing it would record (``entries``
    commands, from ``rows`` rows, in ``batches`` batches, staged in a file until it is
    recorded or closed), and the ``errors`` that stop it and ``warnings`` worth knowing.
    ``head`` is the log position it was checked against. Close it (or use it as a context
    manager) to remove the staging file."""

    source: str
    snapshot_date: date
    by: str
    head: int
    digest: str
    columns: tuple[tuple[str, str], ...]
    entries: int
    rows: int
    batches: int
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    more_errors: int = 0
    staged: Path | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """No errors: it can be recorded."""
        return not self.errors

    @property
    def command_id(self) -> str:
        """The command id it is recorded with unless given another: the same sheet, date
        and store position give the same id (as :func:`import_command_id`)."""
        return f"import:{self.digest}:{self.snapshot_date}:{self.head}"

    def planned(self) -> Iterator[tuple[int, list[PlannedCommand]]]:
        """The staged commands, a batch at a time: ``(batch number, commands)``."""
        if self.staged is None:
            return
        with self.staged.open("rb") as file:
            for line in file:
                number, items = orjson.loads(line)
                yield (
                    number,
                    [
                        PlannedCommand(
                            row=row,
                            command=_CONVERTER.structure(data, _COMMANDS[kind]),
                            description=description,
                        )
                        for row, kind, description, data in items
                    ],
                )

    def describe(self) -> Iterator[str]:
        """One line per command, as :meth:`ImportPlan.describe` gives them."""
        for _, batch in self.planned():
            for planned in batch:
                yield str(planned)

    def close(self) -> None:
        """Remove the staging file."""
        if self.staged is not None:
            self.staged.unlink(missing_ok=True)

    def __enter__(self) -> CheckedImport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@frozen(kw_only=True)
class Imported:
    """What :func:`record_import` recorded: ``count`` entries, at log positions ``first``
    to ``last`` (``None`` if none), in ``transactions`` transactions (1, or 0 if nothing
    was to be recorded), written in ``batches`` batches, with ``command_id``."""

    source: str
    snapshot_date: date
    count: int
    first: int | None
    last: int | None
    transactions: int
    command_id: str
    batches: int = 1
    warnings: tuple[Problem, ...] = ()


class ImportStopped(ImportRefused):
    """A long import stopped part way with batches before the one refused recorded.
    Kept for callers that catch it: :func:`record_import` no longer raises it, since an
    import of any length now records all or nothing."""

    def __init__(self, source: str, problems: list[Problem], recorded: int, command_id: str):
        super().__init__(source, problems)
        self.recorded = recorded
        self.command_id = command_id
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        self.detail = (
            f"the import of {source} stopped after {recorded} "
            f"{'entry' if recorded == 1 else 'entries'}, recorded in the batches before "
            f"the one refused:\n{lines}\nput it right and import the sheet again with "
            f"command id {command_id!r}: the rows recorded already record nothing again"
        )
        self.args = (self.detail,)


def check_import(
    tracker: PlanSource,
    sheet: SheetStream,
    *,
    by: str,
    batch_rows: int = BATCH_ROWS,
    keep_errors: int = 1000,
    each_batch: Callable[[_Planner], None] | None = None,
) -> CheckedImport:
    """Check every row of ``sheet`` against ``tracker`` as :func:`plan_import` does, a
    batch of ``batch_rows`` rows at a time, and stage the commands importing it would
    record (made ``by`` the person importing it): see the module's description. Nothing is
    recorded. The first ``keep_errors`` errors are kept (``more_errors`` counts the rest);
    ``each_batch`` is called with the planner after each batch (what tests measure it by).
    """
    _check_arguments(by, batch_rows)
    head = tracker.head()
    planner = _Planner(tracker, sheet, by.strip(), inspectorates=_inspectorates(sheet))
    named: set[str] = set()
    more_errors = 0
    entries = rows = batches = 0
    handle, name = tempfile.mkstemp(prefix="recommendations-import-", suffix=".json-lines")
    staged = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:

            def plan(batch: list[SheetRow]) -> None:
                nonlocal entries, batches
                planned = planner.plan_batch(batch)
                if planned:
                    out.write(orjson.dumps([batches, [_item(p) for p in planned]]) + b"\n")
                    entries += len(planned)
                batches += 1
                if each_batch is not None:
                    each_batch(planner)

            batch: list[SheetRow] = []
            for read in sheet.rows():
                if read.reference is not None:
                    named.add(str(domain.normal_reference(read.reference)))
                if read.row is None:
                    planner.errors.extend(read.problems)
                else:
                    planner.rows_seen = True
                    rows += 1
                    batch.append(read.row)
                    if len(batch) >= batch_rows:
                        plan(batch)
                        batch = []
                if len(planner.errors) > keep_errors:
                    more_errors += len(planner.errors) - keep_errors
                    del planner.errors[keep_errors:]
            if batch:
                plan(batch)
        planner.finish(named)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    errors = sorted(planner.errors, key=_problem_order)
    if errors:
        staged.unlink(missing_ok=True)
    return CheckedImport(
        source=sheet.source,
        snapshot_date=sheet.snapshot_date,
        by=planner.by,
        head=head,
        digest=sheet.digest,
        columns=sheet.columns,
        entries=entries,
        rows=rows,
        batches=batches,
        errors=tuple(errors[:keep_errors]),
        warnings=tuple(planner.warnings),
        more_errors=more_errors + max(0, len(errors) - keep_errors),
        staged=None if errors else staged,
    )


def record_import(
    tracker: Tracker,
    checked: CheckedImport,
    *,
    command_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_entries: int = BATCH_ENTRIES,
    one_transaction: int | None = None,
) -> Imported:
    """Record what ``checked`` staged, all or nothing, in one transaction (see the
    module's description), with ``command_id`` (default: ``checked.command_id``). Up to
    ``batch_entries`` entries are decided and written at once; a longer import is decided
    and written a batch of rows at a time within that transaction, each batch with a
    command id of its own (``command_id`` followed by ``/`` and the batch's number).

    Refused as :func:`apply_import` refuses a plan: with errors (:class:`ImportRefused`),
    or if the store has changed since it was checked
    (:class:`~recommendations.ConcurrencyError`, rule ``plan-current``). A command refused
    is raised as an :class:`ImportRefused` naming its row; then, as after any failure (the
    store's, or an error raised by ``progress``), nothing is recorded. ``progress`` is
    called with ``(done, total)`` entries after each batch is written, and ``(0, total)``
    before the first; what it reports is committed only when the call returns.

    ``one_transaction`` is the former name of ``batch_entries`` (same meaning), deprecated.
    """
    if one_transaction is not None:
        warnings.warn(
            "record_import(one_transaction=...) is deprecated: it is now batch_entries=",
            DeprecationWarning,
            stacklevel=2,
        )
        batch_entries = one_transaction
    still_current(tracker, checked.source, checked.errors, checked.head, "checked", "check")
    command_id = command_id if command_id is not None else checked.command_id
    total = checked.entries
    if progress is not None:
        progress(0, total)
    first: int | None = None
    last: int | None = None
    done = batches = 0
    if total <= batch_entries:
        planned_batches: Iterator[tuple[int, list[PlannedCommand]]] = iter(
            [(0, [p for _, batch in checked.planned() for p in batch])] if total else []
        )
    else:
        planned_batches = checked.planned()
    writer = tracker._writer
    with writer.one_transaction() if total > batch_entries else contextlib.nullcontext():
        if total > batch_entries:
            # (within the transaction: no other writer records meanwhile)
            still_current(tracker, checked.source, checked.errors, checked.head, "checked", "check")
        for number, planned in planned_batches:
            batch_id = command_id if total <= batch_entries else _batch_id(command_id, number)
            try:
                recorded = writer.execute_many([p.command for p in planned], batch_id)
            except (RuleViolation, NotFound) as error:
                problem = _row_problem(checked, planned, error)
                raise ImportRefused(checked.source, [problem]) from error
            if recorded:
                first = recorded[0].position if first is None else first
                last = recorded[-1].position
            done += len(recorded)
            batches += 1
            if progress is not None:
                progress(done, total)
    return Imported(
        source=checked.source,
        snapshot_date=checked.snapshot_date,
        count=done,
        first=first,
        last=last,
        transactions=1 if batches else 0,
        batches=batches,
        command_id=command_id,
    )


def import_sheet(
    tracker: Tracker,
    sheet: SheetStream,
    *,
    by: str,
    command_id: str | None = None,
    batch_rows: int = BATCH_ROWS,
    keep_errors: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> Imported:
    """Check and record ``sheet`` in one pass, in one transaction: what
    :func:`check_import` then :func:`record_import` do, with each batch of rows decided
    once, as it is recorded (with :meth:`~recommendations.Tracker.execute_many`).

    The whole import is one transaction, held open until the last batch is written
    (other writers wait; readers elsewhere see nothing of it until it commits). If any
    row is refused, by the sheet's rules or the store's, the transaction is rolled back,
    the sheet is checked whole (as :func:`check_import` checks it, every error found) and
    :class:`ImportRefused` is raised with the errors: nothing is recorded. The command id
    (default: the sheet's digest and date and the store's position, as
    :attr:`CheckedImport.command_id`) is the import's if the sheet is one batch of rows,
    else each batch's is it followed by ``/`` and the batch's number. ``progress`` is
    called with ``(entries recorded, rows read)`` after each batch. The warnings found
    are in the answer's ``warnings``. A store whose persistence module cannot hold a
    transaction open (a third party's) is checked whole, then recorded, as
    :func:`record_import` records it."""
    _check_arguments(by, batch_rows)
    writer = tracker._writer
    if not writer.store.holds:
        # A store that cannot hold a transaction open: checked whole, then recorded.
        with check_import(
            tracker, sheet, by=by, batch_rows=batch_rows, keep_errors=keep_errors
        ) as checked:
            if checked.errors:
                raise ImportRefused(checked.source, list(checked.errors), more=checked.more_errors)
            return attrs.evolve(
                record_import(tracker, checked, command_id=command_id), warnings=checked.warnings
            )
    done = batches = 0
    first: int | None = None
    last: int | None = None
    refused: RecommendationsError | None = None
    try:
        with writer.one_transaction():
            head = tracker.head()
            own_id = (
                command_id
                if command_id is not None
                else f"import:{sheet.digest}:{sheet.snapshot_date}:{head}"
            )
            planner = _Planner(tracker, sheet, by.strip(), inspectorates=_inspectorates(sheet))
            named: set[str] = set()
            rows = 0
            number = 0
            many = False

            def record(commands: list[domain.Command]) -> None:
                nonlocal done, batches, first, last
                batch_id = _batch_id(own_id, number) if many else own_id
                recorded = writer.execute_many(commands, batch_id)
                if recorded:
                    first = recorded[0].position if first is None else first
                    last = recorded[-1].position
                done += len(recorded)
                batches += 1

            planner.record = record

            def plan(batch: list[SheetRow]) -> None:
                nonlocal number
                planner.plan_batch(batch)
                if planner.errors:
                    raise _Refused
                number += 1
                if progress is not None:
                    progress(done, rows)

            batch: list[SheetRow] = []
            for read in sheet.rows():
                if read.reference is not None:
                    named.add(str(domain.normal_reference(read.reference)))
                if read.row is None:
                    raise _Refused
                planner.rows_seen = True
                if len(batch) >= batch_rows:
                    many = True  # (another row after a whole batch: more than one)
                    plan(batch)
                    batch = []
                rows += 1
                batch.append(read.row)
            if batch:
                plan(batch)
            planner.finish(named)
            if planner.errors:
                raise _Refused
    except _Refused:
        pass
    except (RuleViolation, NotFound) as error:
        refused = error
    else:
        return Imported(
            source=sheet.source,
            snapshot_date=sheet.snapshot_date,
            count=done,
            first=first,
            last=last,
            transactions=1 if done else 0,
            command_id=own_id,
            batches=batches,
            warnings=tuple(planner.warnings),
        )
    # Refused: nothing was recorded. Every error, as a check of the whole sheet finds them.
    with check_import(
        tracker, sheet, by=by, batch_rows=batch_rows, keep_errors=keep_errors
    ) as checked:
        if checked.errors:
            raise ImportRefused(checked.source, list(checked.errors), more=checked.more_errors)
        if refused is not None:
            raise refused  # (the check found nothing: the store changed meanwhile)
        return attrs.evolve(
            record_import(tracker, checked, command_id=command_id), warnings=checked.warnings
        )


class _Refused(Exception):
    """A row refused while an import is checked and recorded in one pass."""


def _check_arguments(by: object, batch_rows: object) -> None:
    if not isinstance(by, str) or not by.strip():
        raise ConfigurationError("say who is importing (by)", field="by", rule="required")
    if not isinstance(batch_rows, int) or batch_rows < 1:
        raise ConfigurationError(
            f"batch_rows must be a whole number of at least 1, not {batch_rows!r}",
            field="batch_rows",
            rule="batch-size",
        )


def _batch_id(command_id: str, number: int) -> str:
    """A batch's command id: the import's, then ``/`` and its number (the import's hashed
    if that would be too long)."""
    suffix = f"/{number}"
    if len(command_id) + len(suffix) > 200:
        command_id = "import:" + hashlib.sha256(command_id.encode()).hexdigest()
    return command_id + suffix


def _item(planned: PlannedCommand) -> list[Any]:
    command = planned.command
    return [
        planned.row,
        type(command).__name__,
        planned.description,
        _CONVERTER.unstructure(command),
    ]


def _inspectorates(sheet: SheetStream) -> dict[str, tuple[str, ...]]:
    """The inspectorates of each report, from the first of its rows to name any (a read of
    the sheet, when it has a column for them)."""
    found: dict[str, tuple[str, ...]] = {}
    if not sheet.has("inspectorate"):
        return found
    default = sheet.mapping.report_reference
    for report_cell, inspectorate_cell in sheet.cells("report", "inspectorate"):
        report = _text(report_cell) or default
        inspectorate = _text(inspectorate_cell)
        if report is None or inspectorate is None or report in found:
            continue
        names = tuple(p for p in _SPLIT.split(inspectorate) if p)
        if names:
            found[report] = names
    return found


def _row_problem(
    checked: CheckedImport, planned: list[PlannedCommand], error: RuleViolation | NotFound
) -> Problem:
    """The refusal of one command, named by the row it came from."""
    subject = getattr(error, "subject", "recommendation")
    culprit = None
    index = getattr(error, "index", None)
    if isinstance(index, int) and 0 <= index < len(planned):
        culprit = planned[index]
    else:
        for item in planned:
            is_report = isinstance(item.command, domain.PublishReport)
            if item.command.reference == error.reference and is_report == (subject == "report"):
                culprit = item
                break
    sheet_field = _FIELD_OF.get(error.field or "")
    column = next((header for name, header in checked.columns if name == sheet_field), None)
    return Problem(
        row=culprit.row if culprit is not None else None,
        column=column,
        reference=error.reference,
        subject=subject,
        field=error.field,
        message=error.detail,
        rule=error.rule,
    )
