"""Planning an import: what a snapshot says that the tracker does not know yet, as commands.

Each row is compared with the recommendation as the tracker has it as at the snapshot's
date; only the differences become commands, effective on that date. So importing the same
file twice records nothing the second time, and importing quarterly snapshots in date order
rebuilds the history between them.

Every planned command is decided as it is planned, by the tracker's own
:meth:`~recommendations.Tracker.decide_many` (each row's commands after the ones before them,
and after the new reports they name), so that a dry run shows the errors an import would
meet, in the words the import would use. Nothing is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypedDict

import attrs
from attrs import frozen

from recommendations import domain
from recommendations._errors import (
    ConcurrencyError,
    ConfigurationError,
    NotFound,
    RecommendationsError,
    StoreError,
)
from recommendations._references import ReferenceIndex
from recommendations._service._store import LogStore
from recommendations.domain import (
    Assign,
    ChangeDeadline,
    ClaimImplementation,
    Command,
    Discharge,
    NoteProgress,
    Outcome,
    Prioritise,
    PublishReport,
    Raise,
    RecordResponse,
    Regrade,
    RejectClaim,
    Reopen,
    ReportDetails,
    Scope,
    Status,
    shown_due,
)

from ._mapping import ColumnMapping
from ._problems import Problem
from ._reading import SheetRow, Snapshot

if TYPE_CHECKING:
    from recommendations._tracker import Decided, Positioned
    from recommendations.views import RegisterRow

__all__ = ["ImportPlan", "PlanSource", "PlannedCommand", "plan_import"]


class PlanSource(Protocol):
    """What planning asks of a store: a :class:`~recommendations.Tracker`, or the empty
    store a new one would start as."""

    @property
    def policy(self) -> domain.Policy: ...

    def head(self) -> int: ...

    def events(self, reference: str) -> list[domain.RecommendationEvent]: ...

    def report(
        self, reference: str, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Report: ...

    def log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[Positioned]: ...

    def recommendations(
        self, *, as_at: date | None = None, known_at: datetime | None = None
    ) -> list[domain.Recommendation]: ...

    def decide(self, command: Command) -> Decided: ...

    def decide_many(self, commands: Sequence[Command]) -> list[Decided]: ...


class _Sheet(Protocol):
    """What planning reads of a sheet besides its rows (a :class:`Snapshot`, or a sheet
    read row by row)."""

    @property
    def source(self) -> str: ...

    @property
    def snapshot_date(self) -> date: ...

    @property
    def mapping(self) -> ColumnMapping: ...

    @property
    def warnings(self) -> tuple[Problem, ...]: ...

    def has(self, field: str) -> bool: ...

    def column(self, field: str) -> str | None: ...


@frozen(kw_only=True)
class PlannedCommand:
    """A command an import will record, the row it came from and what it does, in words."""

    row: int
    command: Command
    description: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.description}"


@frozen(kw_only=True)
class ImportPlan:
    """What importing a snapshot would record, and what stops it or is worth knowing.

    ``commands`` are in the order they will be recorded; ``errors`` must all be put right
    before anything can be recorded; ``warnings`` do not stop the import. ``head`` is the
    log position the plan was made against: applying it to a store that has moved on since
    is refused.
    """

    source: str
    snapshot_date: date
    by: str
    head: int
    digest: str
    columns: tuple[tuple[str, str], ...]
    commands: tuple[PlannedCommand, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """No errors: the plan can be applied."""
        return not self.errors

    def column_of(self, field: str | None) -> str | None:
        """The header of the sheet's column holding what a command's ``field`` came from."""
        sheet_field = _FIELD_OF.get(field or "")
        for name, header in self.columns:
            if name == sheet_field:
                return header
        return None

    def describe(self) -> list[str]:
        """One line per command, for a dry run:
        ``row 4: 2.16 regraded amber -> green, effective 2017-06-30``."""
        return [str(planned) for planned in self.commands]


# --- how each field of a command or event maps back to a field of the sheet --------------------

_FIELD_OF: dict[str, str] = {
    "grade": "grade",
    "scale": "grade",
    "owner": "owner",
    "owner_name": "owner_name",
    "due_on": "due_on",
    "note": "progress",
    "text": "text",
    "report": "report",
    "reference": "reference",
    "status": "status",
    "outcome": "status",
    "acceptor_role": "status",
    "accepted_by": "status",
    "kind": "kind",
    "scope": "scope",
    "published_on": "published_on",
    "title": "report_title",
    "inspectorates": "inspectorate",
}


def plan_import(tracker: PlanSource, snapshot: Snapshot, *, by: str) -> ImportPlan:
    """Compare ``snapshot`` with ``tracker`` as at the snapshot's date, and plan the
    commands that record the difference, made ``by`` the person running the import.

    For each row, the recommendation as at the snapshot date
    (``tracker.recommendation(ref, as_at=...)``) is compared with it:

    - not there: :class:`~recommendations.Raise` it with the row's grade, owner and due
      date, effective on its report's publication date (the snapshot date, if earlier or
      not known) or, if the store holds an earlier imported sheet (one dated before this
      one), on the day after the latest such sheet's date if that is later: that sheet did
      not have it, so the register as at its date does not show it. If the row's due date
      is before that day (a recommendation is never due before it is raised), it is
      raised on the publication date instead, with a warning. And
      :class:`~recommendations.PublishReport` first if the store does not have the report
      (titled by the "Report title" column, else its reference; published on the
      "Published" date, else the snapshot date; with the mapping's ``body`` and
      ``inspectorates``: if either is needed and missing, that is one error naming the
      mapping key, ``reports.body`` or ``reports.inspectorates``, not one per row);
    - a different grade, owner or due date: :class:`~recommendations.Regrade`,
      :class:`~recommendations.Assign`, :class:`~recommendations.ChangeDeadline`;
    - progress text that is not its last note: :class:`~recommendations.NoteProgress`;
    - a status of claimed: :class:`~recommendations.ClaimImplementation` (its note is the
      progress text); closed: :class:`~recommendations.Discharge` with the status's
      outcome, accepted by the mapping's ``accepted_by`` (default: ``by``) in the role
      ``acceptor_role`` (default ``oversight-board``; the inspectorate for an outcome of
      closed by the inspectorate); open again: :class:`~recommendations.Reopen` (or
      :class:`~recommendations.RejectClaim` for a claim);
    - the same: nothing.

    Changes take effect on the snapshot date. A blank grade, owner, status or progress cell
    changes nothing (none can be unset); a blank due date removes the deadline. A row that
    would change a recommendation with entries effective after the snapshot date is an
    error (rule ``snapshot-in-order``): import snapshots in date order. A recommendation
    the tracker has as at the snapshot date but the sheet leaves out is a warning, and
    nothing is recorded for it.

    An earlier imported sheet is known by the entries its import recorded (their reason
    reads ``imported from FILE, row N (as at DATE)``): a sheet whose import recorded
    nothing leaves no mark, and a plan that records nothing for a sheet dated after every
    mark says so in a warning.
    """
    if not isinstance(by, str) or not by.strip():
        raise ConfigurationError("say who is importing (by)", field="by", rule="required")
    return _Planner(tracker, snapshot, by.strip()).plan()


class _Meta(TypedDict):
    effective_on: date
    by: str
    reason: str


class _RowFailed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _RowWaits(Exception):
    """A row that cannot be planned until a report it needs can be entered: the report's
    own error says why, once for all its rows."""


_IMPORTED = re.compile(r"imported from .*? \(as at (\d{4}-\d{2}-\d{2})\)")
"""The reason of an entry an import recorded, and the date of its sheet."""


def _imported_as_at(reason: str) -> date | None:
    """The date of the sheet an entry was imported from, if an import recorded it."""
    found = _IMPORTED.match(reason)
    if found is None:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        return None


_IMPORTED_STATE = re.compile(rb'"reason":"imported from [^"\\]*? \(as at (\d{4}-\d{2}-\d{2})\)')
"""The same, in an entry's stored JSON: a reason with no escaped character in it."""
_REASON = b'"reason":"imported from '


def _stored_sheet_dates(log: LogStore) -> set[date | None]:
    """The dates of the sheets imported into a store, read from its entries as stored:
    an entry whose stored JSON holds no reason an import gives is not decoded, nor one
    whose reason's date can be read from its JSON as it stands (what decoding every
    entry of a large store would take far longer to say)."""
    dates: set[date | None] = set()
    for stored in log.stored(0, 1000):
        state = bytes(stored.state)
        if state[:1] == b"{":
            if _REASON not in state:
                continue
            found = _IMPORTED_STATE.search(state)
            if found is not None:
                try:
                    dates.add(date.fromisoformat(found.group(1).decode()))
                    continue
                except ValueError:
                    pass
        event = log.decode(stored)
        if isinstance(event, domain.Event):
            dates.add(_imported_as_at(event.reason))
    return dates


_SETTINGS = {
    "reports.body": "the body its recommendations were made to",
    "reports.inspectorates": "the inspectorates that made it",
}
"""The mapping settings a new report is entered with, and what each gives it."""


class _Planner:
    def __init__(
        self,
        tracker: PlanSource,
        snapshot: Snapshot | _Sheet,
        by: str,
        *,
        inspectorates: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.tracker = tracker
        self.snapshot = snapshot
        self.by = by
        self.on = snapshot.snapshot_date
        self.mapping = snapshot.mapping
        self.policy = tracker.policy
        self.commands: list[PlannedCommand] = []
        self.errors: list[Problem] = list(getattr(snapshot, "errors", ()))
        self.warnings: list[Problem] = list(snapshot.warnings)
        self.planned = 0  # how many commands have been planned
        self.rows_seen = False  # whether the sheet has any row read without error
        self.stored_reports: dict[str, domain.Report | None] = {}
        self.new_reports: dict[str, tuple[int, domain.Report | None]] = {}
        self.entering: dict[str, PublishReport] = {}  # the new reports' commands
        self.undated_reports: set[str] = set()
        # Reports that cannot be entered: for want of a mapping setting (by key), or because
        # of what their first row says; and the rows that wait on each.
        self.unset: dict[str, list[str]] = {}
        self.failed_reports: dict[str, Problem] = {}
        self.waiting: dict[str, list[int]] = {}
        self.inspectorates = (
            inspectorates if inspectorates is not None else self._inspectorates_by_report()
        )
        self.sheet_dates: list[date] | None = None
        # Where set, what records each batch's commands instead of deciding them (an
        # import checked and recorded in one pass: see import_sheet); a refusal is raised.
        self.record: Callable[[list[Command]], None] | None = None
        # The store's index of references, caught up at the start of each batch: a row
        # whose recommendation it does not know is new, with no read of the store.
        self.index: ReferenceIndex | None = None
        # The recommendations planned to be raised, by case-folded key: a row that raises one
        # differing only by case from one an earlier batch raises is refused (in one batch,
        # deciding it refuses it).
        self.raised_keys: dict[str, str] = {}

    def plan(self) -> ImportPlan:
        head = self.tracker.head()
        assert isinstance(self.snapshot, Snapshot)
        self.rows_seen = bool(self.snapshot.rows)
        for row in self.snapshot.rows:
            try:
                self.commands.extend(self._plan_row(row))
            except _RowFailed as failed:
                self.errors.append(failed.problem)
            except _RowWaits:
                continue
        self.planned = len(self.commands)
        self.finish(
            {
                domain.normal_reference(ref)
                for ref in [*(row.reference for row in self.snapshot.rows), *self.snapshot.unread]
            }
        )
        return ImportPlan(
            source=self.snapshot.source,
            snapshot_date=self.on,
            by=self.by,
            head=head,
            digest=self.snapshot.digest,
            columns=self.snapshot.columns,
            commands=tuple(self.commands),
            errors=tuple(sorted(self.errors, key=_problem_order)),
            warnings=tuple(self.warnings),
        )

    def plan_batch(self, rows: Sequence[SheetRow]) -> list[PlannedCommand]:
        """The commands of ``rows`` (a batch of the sheet's, after the batches before it),
        decided together by the tracker's :meth:`decide_many`, after the new reports they
        name that earlier batches enter; the rows refused are added to :attr:`errors`.
        Nothing of the batch is held once it is returned."""
        planned: list[tuple[SheetRow, list[PlannedCommand]]] = []
        index = getattr(self.tracker, "_references", None)
        if isinstance(index, ReferenceIndex):
            index.catch_up(self.tracker.head())
            self.index = index
        for row in rows:
            try:
                commands = self._plan_row(row, check=False)
                self._check_case_across(row, commands)
            except _RowFailed as failed:
                self.errors.append(failed.problem)
                continue
            except _RowWaits:
                continue
            if commands:
                planned.append((row, commands))
        planned = self._check_batch(planned)
        for _, commands in planned:
            for item in commands:
                if isinstance(item.command, Raise):
                    self.raised_keys[domain.reference_key(item.command.reference)] = (
                        item.command.reference
                    )
        batch = [item for _, commands in planned for item in commands]
        self.planned += len(batch)
        return batch

    def finish(self, named: set[str]) -> None:
        """The problems found once every row is planned: the reports that could not be
        entered, the recommendations the sheet leaves out (``named``: the references it
        gives, normal form), and a sheet that leaves no mark."""
        self.errors.extend(self._report_problems())
        self._warn_missing(named)
        self._warn_unmarked()

    def held(self) -> dict[str, int]:
        """How much this planner holds, by what: none of it grows with the number of rows
        a sheet has, but for the errors and warnings found, the reports (stored, new, and
        the rows that wait on one that cannot be entered) and the recommendations planned
        to be raised, by key (what telling references apart needs)."""
        return {
            "commands": len(self.commands),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "stored_reports": len(self.stored_reports),
            "new_reports": len(self.new_reports),
            "entering": len(self.entering),
            "waiting": sum(len(rows) for rows in self.waiting.values()),
            "raised_keys": len(self.raised_keys),
            "sheet_dates": len(self.sheet_dates or ()),
        }

    def _check_case_across(self, row: SheetRow, planned: list[PlannedCommand]) -> None:
        for item in planned:
            command = item.command
            if isinstance(command, Raise) and isinstance(command.reference, str):
                existing = self.raised_keys.get(domain.reference_key(command.reference))
                if existing is not None and existing != command.reference:
                    raise self._fail(
                        row,
                        f"it differs only by case from recommendation {existing!r}, entered "
                        "already: name that one, or choose a reference that differs by more "
                        "than case",
                        rule="reference-unique-ignoring-case",
                        field="reference",
                    )

    def _check_batch(
        self, planned: list[tuple[SheetRow, list[PlannedCommand]]]
    ) -> list[tuple[SheetRow, list[PlannedCommand]]]:
        """``planned`` without the rows the tracker refuses, decided together; if the
        batch is refused, each row is decided on its own as :meth:`_check` does (so that
        every row's error is found), then the rest together again, until they hold."""
        if self.record is not None:
            # Recorded, so decided once: the reports earlier batches enter are recorded
            # already (in the same transaction), and a refusal stops the pass.
            if planned:
                self.record([item.command for _, items in planned for item in items])
            return planned
        alone = False
        while planned:
            commands = [item.command for _, items in planned for item in items]
            if all(isinstance(command, domain.SourceCommand) for command in commands):
                return planned
            entered = {c.reference for c in commands if isinstance(c, PublishReport)}
            named = {
                c.report
                for c in commands
                if isinstance(c, Raise) and c.report in self.entering and c.report not in entered
            }
            before = [self.entering[report] for report in sorted(named)]
            try:
                self.tracker.decide_many([*before, *commands])
                return planned
            except RecommendationsError as error:
                if isinstance(error, StoreError | ConcurrencyError):
                    raise
                if not alone:
                    alone = True
                    kept = []
                    for row, items in planned:
                        try:
                            self._check(row, items)
                        except _RowFailed as failed:
                            self.errors.append(failed.problem)
                            continue
                        kept.append((row, items))
                    planned = kept
                    continue
                culprit = next(
                    (
                        index
                        for index in range(len(planned) - 1, -1, -1)
                        if any(
                            getattr(item.command, "reference", None) == error.reference
                            for item in planned[index][1]
                        )
                    ),
                    None,
                )
                if culprit is None:
                    raise
                row, items = planned.pop(culprit)
                self.errors.append(self._row_failed(row, items, error).problem)
        return planned

    # --- one row ----------------------------------------------------------------------------

    def _reason(self, row: SheetRow) -> str:
        return f"imported from {self.snapshot.source}, row {row.row} (as at {self.on})"

    def _fail(
        self,
        row: SheetRow,
        message: str,
        *,
        rule: str,
        field: str | None = None,
        subject: str = "recommendation",
        reference: str | None = None,
    ) -> _RowFailed:
        sheet_field = _FIELD_OF.get(field or "", field)
        column = self.snapshot.column(sheet_field) if sheet_field else None
        return _RowFailed(
            Problem(
                row=row.row,
                column=column,
                reference=reference or row.reference,
                subject=subject,
                field=field if column is None else sheet_field,
                message=message,
                rule=rule,
            )
        )

    def _plan_row(self, row: SheetRow, *, check: bool = True) -> list[PlannedCommand]:
        index = self.index
        events: list[domain.RecommendationEvent]
        if index is not None and not index.knows("recommendation", row.reference):
            events = []  # no such recommendation in the store: nothing to read
        else:
            try:
                events = self.tracker.events(row.reference)
            except NotFound:
                events = []
        state = domain.project(events, as_at=self.on) if events else None
        if events and state is None:
            raised = domain.timeline(events)[0].effective_on
            raise self._fail(
                row,
                f"it was raised on {raised}, after this sheet's date ({self.on}); import "
                "sheets in date order",
                rule="snapshot-in-order",
                field="reference",
            )
        if state is None:
            planned = self._new(row)
        else:
            planned = self._changes(row, state)
            later = [e for e in domain.timeline(events) if e.effective_on > self.on]
            if planned and later:
                last = later[-1]
                raise self._fail(
                    row,
                    f"it has entries effective after this sheet's date ({self.on}), the last "
                    f"a {type(last).__name__} effective {last.effective_on}; import sheets "
                    "in date order",
                    rule="snapshot-in-order",
                    field="effective_on",
                )
        if check:
            self._check(row, planned)
        return planned

    def _new(self, row: SheetRow) -> list[PlannedCommand]:
        planned: list[PlannedCommand] = []
        report = row.report or self.mapping.report_reference
        if report is None:
            where = (
                "its report cell is blank"
                if self.snapshot.has("report")
                else "the sheet has no report column and the mapping names no default report"
            )
            raise self._fail(
                row,
                f"a new recommendation names its report: {where}",
                rule="required",
                field="report",
            )
        if row.text is None:
            where = "its text is blank" if self.snapshot.has("text") else "the sheet has no text"
            raise self._fail(
                row, f"a new recommendation has a text: {where}", rule="required", field="text"
            )
        published = self._publication_date(row, report, planned)
        raise_on = min(published, self.on)
        reason = self._reason(row)
        previous = self._previous_sheet()
        if previous is not None and previous + timedelta(days=1) > raise_on:
            after = previous + timedelta(days=1)
            if row.due_on is not None and row.due_on < after:
                self._warn(
                    row,
                    row.reference,
                    f"the sheet as at {previous} did not have it, but it is due on "
                    f"{row.due_on}, before {after}, and a recommendation is never due before "
                    f"it is raised: it is raised on {raise_on}, its report's publication "
                    f"date, so the register as at {previous} shows it",
                    "due_on",
                )
            else:
                raise_on = after
                reason += f"; first listed then, so raised the day after the sheet as at {previous}"
        raised = Raise(
            reference=row.reference,
            report=report,
            text=row.text,
            kind=row.kind,
            scope=row.scope,
            scale=self.mapping.scale,
            grade=row.grade,
            owner=row.owner,
            owner_name=row.owner_name if row.owner is not None else None,
            due_on=row.due_on,
            priority=row.priority,
            response=row.response,
            due_precision=row.due_precision,
            effective_on=raise_on,
            by=self.by,
            reason=reason,
        )
        facts = [f"from {report}"]
        if row.grade is not None:
            facts.append(row.grade)
        if row.priority is not None:
            facts.append(f"priority {row.priority}")
        if row.response is not None:
            facts.append(f"response {row.response.value}")
        if row.owner is not None:
            facts.append(f"owner {row.owner!r}")
        if row.due_on is not None:
            facts.append(f"due {shown_due(row.due_on, row.due_precision)}")
        planned.append(self._planned(row, raised, f"raised {', '.join(facts)}", raise_on))
        if row.progress is not None and row.status is not Status.CLAIMED:
            planned.append(self._note(row, row.progress))
        if row.status is Status.CLAIMED:
            planned.append(self._claim(row))
        elif row.status is Status.DISCHARGED:
            planned.append(self._discharge(row))
        return planned

    def _publication_date(self, row: SheetRow, report: str, planned: list[PlannedCommand]) -> date:
        """The date the report was published, planning its entry if the store lacks it."""
        stored = self._stored_report(report)
        if stored is not None:
            return stored.details.published_on
        if report in self.new_reports:
            _, projected = self.new_reports[report]
            if projected is None:
                self.waiting.setdefault(report, []).append(row.row)
                raise _RowWaits
            return projected.details.published_on
        published = row.published_on or self.on
        if row.published_on is None:
            self.undated_reports.add(report)
        body = self.mapping.body
        inspectorates = self.inspectorates.get(report) or self.mapping.inspectorates
        if body is None or not inspectorates:
            self.new_reports[report] = (row.row, None)
            for key, value in (("reports.body", body), ("reports.inspectorates", inspectorates)):
                if not value:
                    self.unset.setdefault(key, []).append(report)
            self.waiting.setdefault(report, []).append(row.row)
            raise _RowWaits
        details = ReportDetails(
            title=row.report_title or report,
            body=body,
            inspectorates=inspectorates,
            published_on=published,
            scale=self.policy.scale(self.policy.report_scale),
        )
        command = PublishReport(
            reference=report,
            details=details,
            effective_on=published,
            by=self.by,
            reason=self._reason(row),
        )
        try:
            event = self.tracker.decide(command).event
        except RecommendationsError as error:
            if isinstance(error, StoreError | ConcurrencyError):
                raise
            self.new_reports[report] = (row.row, None)
            self.failed_reports[report] = self._fail(
                row,
                error.detail,
                rule=error.rule or "report",
                # A new report takes effect on its publication date.
                field="published_on" if error.field == "effective_on" else error.field,
                subject="report",
                reference=report,
            ).problem
            raise _RowWaits from None
        assert isinstance(event, domain.ReportPublished)  # decide_source's type for it
        self.new_reports[report] = (row.row, domain.project_report([event]))
        self.entering[report] = command
        titled = f" ({details.title!r})" if details.title != report else ""
        planned.append(
            PlannedCommand(
                row=row.row,
                command=command,
                description=f"report {report} entered{titled}, published {published}",
            )
        )
        return published

    def _inspectorates_by_report(self) -> dict[str, tuple[str, ...]]:
        """The inspectorates of each report, from the first of its rows to name any."""
        assert isinstance(self.snapshot, Snapshot)
        found: dict[str, tuple[str, ...]] = {}
        for row in self.snapshot.rows:
            report = row.report or self.mapping.report_reference
            if report is not None and row.inspectorates and report not in found:
                found[report] = row.inspectorates
        return found

    def _report_problems(self) -> list[Problem]:
        """The reports that could not be entered: one error for each mapping setting they
        lack, naming its key, and one for each other report refused, on its first row."""
        problems = []
        for key, reports in self.unset.items():
            rows = sum(len(self.waiting.get(report, ())) for report in reports)
            where = ""
            if key == "reports.inspectorates":
                column = self.snapshot.column("inspectorate")
                where = f" or column {column!r}" if column else " or an 'Inspectorate' column"
            problems.append(
                Problem(
                    subject="mapping",
                    field=key,
                    message=(
                        f"{_reports(reports)} not in the store ({_rows(rows)} "
                        f"{'names' if rows == 1 else 'name'} "
                        f"{'it' if len(reports) == 1 else 'them'}), and a report "
                        f"is entered with {_SETTINGS[key]}: give "
                        f"{'it' if key == 'reports.body' else 'them'} in the mapping "
                        f"([reports] {key.split('.')[1]}){where}"
                    ),
                    rule="required",
                )
            )
        for report, problem in self.failed_reports.items():
            others = len(self.waiting.get(report, ()))
            if others:
                problem = attrs.evolve(
                    problem,
                    message=(
                        f"{problem.message}; {others} more "
                        f"{'row names it and waits' if others == 1 else 'rows name it and wait'}"
                        " on it"
                    ),
                )
            problems.append(problem)
        return problems

    def _stored_report(self, reference: str) -> domain.Report | None:
        if reference not in self.stored_reports:
            try:
                self.stored_reports[reference] = self.tracker.report(reference)
            except NotFound:
                self.stored_reports[reference] = None
        return self.stored_reports[reference]

    def _changes(self, row: SheetRow, state: domain.Recommendation) -> list[PlannedCommand]:
        self._warn_fixed(row, state)
        status = row.status or state.status
        planned: list[PlannedCommand] = []
        if state.status is Status.DISCHARGED and status is Status.DISCHARGED:
            self._warn_discharged(row, state)
            return planned
        if state.status is Status.DISCHARGED:
            planned.append(self._simple(row, Reopen, "reopened"))
        elif state.status is Status.CLAIMED and status is Status.OPEN:
            planned.append(self._simple(row, RejectClaim, "claim of implementation rejected"))
        owner_name = row.owner_name if self.snapshot.has("owner_name") else None
        if row.owner is not None and (
            row.owner != state.owner
            or (self.snapshot.has("owner_name") and owner_name != state.owner_name)
        ):
            command = Assign(
                reference=row.reference,
                owner=row.owner,
                owner_name=owner_name,
                **self._meta(row),
            )
            was = f" (was {state.owner!r})" if state.owner is not None else ""
            planned.append(self._planned(row, command, f"assigned to {row.owner!r}{was}"))
        if row.grade is not None and row.grade != state.grade:
            command_r = Regrade(reference=row.reference, grade=row.grade, **self._meta(row))
            planned.append(
                self._planned(
                    row, command_r, f"regraded {state.grade or 'ungraded'} -> {row.grade}"
                )
            )
        if self.snapshot.has("priority") and row.priority != state.priority:
            command_p = Prioritise(
                reference=row.reference, priority=row.priority, **self._meta(row)
            )
            held = state.priority or "none"
            planned.append(
                self._planned(row, command_p, f"priority {held} -> {row.priority or 'none'}")
            )
        if row.response is not None and row.response != state.response:
            command_s = RecordResponse(
                reference=row.reference,
                response=row.response,
                response_text=state.response_text,
                **self._meta(row),
            )
            was = "none" if state.response is None else state.response.value
            planned.append(self._planned(row, command_s, f"response {was} -> {row.response.value}"))
        if self.snapshot.has("due_on") and _due_differs(row, state):
            command_d = ChangeDeadline(
                reference=row.reference,
                due_on=row.due_on,
                due_precision=row.due_precision,
                **self._meta(row),
            )
            before = state.due_shown or "none"
            after = shown_due(row.due_on, row.due_precision) or "none"
            planned.append(self._planned(row, command_d, f"due date {before} -> {after}"))
        claiming = status is Status.CLAIMED and state.status is not Status.CLAIMED
        if row.progress is not None and row.progress != state.last_note and not claiming:
            planned.append(self._note(row, row.progress))
        if claiming:
            planned.append(self._claim(row))
        elif status is Status.DISCHARGED:
            planned.append(self._discharge(row))
        return planned

    # --- commands ----------------------------------------------------------------------------

    def _meta(self, row: SheetRow) -> _Meta:
        return {"effective_on": self.on, "by": self.by, "reason": self._reason(row)}

    def _planned(
        self, row: SheetRow, command: Command, what: str, on: date | None = None
    ) -> PlannedCommand:
        return PlannedCommand(
            row=row.row,
            command=command,
            description=f"{row.reference} {what}, effective {on or self.on}",
        )

    def _simple(self, row: SheetRow, kind: type[Reopen | RejectClaim], what: str) -> PlannedCommand:
        return self._planned(row, kind(reference=row.reference, **self._meta(row)), what)

    def _note(self, row: SheetRow, note: str) -> PlannedCommand:
        command = NoteProgress(reference=row.reference, note=note, **self._meta(row))
        return self._planned(row, command, f"progress noted: {_abridged(note)}")

    def _claim(self, row: SheetRow) -> PlannedCommand:
        note = row.progress or f"marked {row.status_text!r} in {self.snapshot.source}"
        command = ClaimImplementation(reference=row.reference, note=note, **self._meta(row))
        return self._planned(row, command, f"implementation claimed: {_abridged(note)}")

    def _discharge(self, row: SheetRow) -> PlannedCommand:
        outcome = row.outcome or Outcome.IMPLEMENTED
        role = (
            "inspectorate"
            if outcome is Outcome.CLOSED_BY_INSPECTORATE
            else self.mapping.acceptor_role
        )
        accepted_by = self.mapping.accepted_by or self.by
        command = Discharge(
            reference=row.reference,
            outcome=outcome,
            accepted_by=accepted_by,
            acceptor_role=role,
            **self._meta(row),
        )
        return self._planned(
            row,
            command,
            f"discharged ({outcome.value}, accepted by {accepted_by} as {role})",
        )

    # --- checking ---------------------------------------------------------------------------

    def _check(self, row: SheetRow, planned: list[PlannedCommand]) -> None:
        """Decide the row's commands as the tracker will, after the new reports they name
        (entered by earlier rows), on the store as it stands; nothing is recorded."""
        commands = [item.command for item in planned]
        if all(isinstance(command, domain.SourceCommand) for command in commands):
            return  # a new report alone, decided when planned
        entered = {c.reference for c in commands if isinstance(c, PublishReport)}
        named = {
            c.report
            for c in commands
            if isinstance(c, Raise) and c.report in self.entering and c.report not in entered
        }
        before = [self.entering[report] for report in sorted(named)]
        try:
            self.tracker.decide_many([*before, *commands])
        except RecommendationsError as error:
            if isinstance(error, StoreError | ConcurrencyError):
                raise
            raise self._row_failed(row, planned, error) from None

    def _row_failed(
        self, row: SheetRow, planned: list[PlannedCommand], error: RecommendationsError
    ) -> _RowFailed:
        """The refusal of a row's commands, said of the row."""
        commands = [item.command for item in planned]
        message = error.detail
        command = next(
            (c for c in commands if getattr(c, "reference", None) == error.reference),
            None,
        )
        if (
            isinstance(command, Raise)
            and error.rule == "due-not-before-raised"
            and command.report in self.undated_reports
        ):
            message += (
                f"; report {command.report!r} is new and its publication date is not "
                "known, so it was taken to be the sheet's date: give it (a 'Published' "
                "column) for its recommendations to be raised then"
            )
        return self._fail(row, message, rule=error.rule or "rule", field=error.field)

    # --- warnings ---------------------------------------------------------------------------

    def _warn(self, row: SheetRow | None, reference: str, message: str, field: str | None) -> None:
        column = self.snapshot.column(field) if field else None
        self.warnings.append(
            Problem(
                row=row.row if row is not None else None,
                column=column,
                reference=reference,
                message=message,
            )
        )

    def _warn_fixed(self, row: SheetRow, state: domain.Recommendation) -> None:
        """Fields fixed when a recommendation is raised, that the sheet gives otherwise."""
        fixed = [
            ("text", row.text, state.text),
            ("report", row.report, state.report),
            ("kind", row.kind, state.kind.name),
            ("scope", row.scope, state.scope),
        ]
        for name, given, recorded in fixed:
            if given is not None and given != recorded:
                shown = recorded.value if isinstance(recorded, Scope) else recorded
                self._warn(
                    row,
                    row.reference,
                    f"the sheet's {name} differs from the one it was raised with "
                    f"({_abridged(str(shown))}); it is not changed by an import (correct "
                    "the raising to change it)",
                    name,
                )

    def _warn_discharged(self, row: SheetRow, state: domain.Recommendation) -> None:
        differs = []
        if row.grade is not None and row.grade != state.grade:
            differs.append(f"grade {row.grade} (recorded {state.grade})")
        if row.owner is not None and row.owner != state.owner:
            differs.append(f"owner {row.owner!r} (recorded {state.owner!r})")
        if self.snapshot.has("due_on") and _due_differs(row, state):
            differs.append(
                f"due date {shown_due(row.due_on, row.due_precision)} (recorded {state.due_shown})"
            )
        if row.progress is not None and row.progress != state.last_note:
            differs.append("progress text")
        if differs:
            self._warn(
                row,
                row.reference,
                f"it stands discharged (since {state.discharged_on}), so the sheet's "
                f"{', '.join(differs)} is not recorded; reopen it to change it",
                None,
            )

    def _sheet_dates(self) -> list[date]:
        """The dates of the sheets imported into the store, from the entries they recorded."""
        if self.sheet_dates is None:
            log = getattr(self.tracker, "_log", None)
            if isinstance(log, LogStore):
                dates = _stored_sheet_dates(log)
            else:
                dates = {_imported_as_at(logged.event.reason) for logged in self.tracker.log()}
            self.sheet_dates = sorted(d for d in dates if d is not None)
        return self.sheet_dates

    def _previous_sheet(self) -> date | None:
        """The date of the latest sheet imported before this one's date, if any."""
        earlier = [d for d in self._sheet_dates() if d < self.on]
        return earlier[-1] if earlier else None

    def _warn_unmarked(self) -> None:
        """A sheet that records nothing leaves no mark: say what that means for later ones."""
        if self.planned or self.errors or not self.rows_seen:
            return
        if any(d >= self.on for d in self._sheet_dates()):
            return
        previous = self._previous_sheet()
        since = (
            f"the day after {previous}, the last sheet the store has entries from"
            if previous is not None
            else "its report's publication date"
        )
        self.warnings.append(
            Problem(
                message=(
                    "nothing is recorded from this sheet, so the store keeps no mark of it: a "
                    "recommendation first listed in a later sheet may be raised as early as "
                    f"{since}, and the register as at {self.on} will show it"
                )
            )
        )

    def _warn_missing(self, named: set[str]) -> None:
        register = getattr(self.tracker, "register", None)
        # The register's rows, from the views (a store of any size), where there are views.
        states: Iterable[domain.Recommendation | RegisterRow] = (
            register(as_at=self.on).rows
            if register is not None
            else self.tracker.recommendations(as_at=self.on)
        )
        for state in states:
            if state.reference in named:
                continue
            standing = state.status.value + (f", {state.grade}" if state.grade else "")
            self._warn(
                None,
                state.reference,
                f"the store has it as at {self.on} ({standing}) but the sheet does not; "
                "nothing is recorded for it",
                None,
            )


def _reports(references: Iterable[str]) -> str:
    """``report 'A' is`` or ``reports 'A', 'B' and 3 more are``."""
    names = [repr(r) for r in references]
    if len(names) == 1:
        return f"report {names[0]} is"
    shown = names[:3]
    rest = f" and {len(names) - 3} more" if len(names) > 3 else ""
    listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if not rest else ", ".join(shown) + rest
    return f"reports {listed} are"


def _rows(count: int) -> str:
    return f"{count} {'row' if count == 1 else 'rows'}"


def _abridged(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    if len(one_line) <= limit:
        return repr(one_line)
    return repr(one_line[: limit - 1] + "…")


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.row or 0, problem.column or "")


def _due_differs(row: SheetRow, state: domain.Recommendation) -> bool:
    """Whether the sheet's due date is not the one recorded: another day, or the same day
    known to another precision (a month alone, or a day)."""
    if row.due_on != state.due_on:
        return True
    return row.due_on is not None and row.due_precision != state.due_precision
