"""The committee paper laid out as a :class:`~recommendations.outputs.document.Document`:
headings, paragraphs, lists and tables, in the order of the paper, before any format is
chosen.

:func:`document` lays out a :class:`~recommendations.paper.CommitteePaper` once; the
Markdown, HTML and PDF writers of :mod:`recommendations.outputs` each turn the same
document into their format, so that the three always say the same thing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from attrs import frozen

from recommendations.domain import Inspection, Status, shown_due
from recommendations.outputs.document import (
    Basis,
    Block,
    Bullets,
    Cell,
    Document,
    Figure,
    Heading,
    Paragraph,
    Section,
    Table,
    checkpoint_facts,
)
from recommendations.views import Audience, Movement, RegisterRow, ReportCount, kind_label

if TYPE_CHECKING:
    from recommendations.integrity._stated import LogCheckpoint
    from recommendations.views import CommitteeUpdate

    from ._series import GradeSeries

__all__ = ["Paper", "Particulars", "document", "long_date"]


@frozen(kw_only=True)
class Particulars:
    """What the register row of a recommendation leaves out and the paper shows: the
    ``points`` of its text and the ``last_note`` of progress, as at the committee."""

    reference: str
    points: tuple[str, ...] = ()
    last_note: str | None = None


class Paper(Protocol):
    """What the layout reads of a committee paper
    (:class:`~recommendations.paper.CommitteePaper` is one)."""

    @property
    def update(self) -> CommitteeUpdate: ...

    @property
    def series(self) -> GradeSeries: ...

    @property
    def title(self) -> str: ...

    @property
    def particulars(self) -> tuple[Particulars, ...]: ...

    @property
    def checkpoint(self) -> LogCheckpoint | None: ...


def long_date(on: date) -> str:
    """``30 March 2017``."""
    return f"{on.day} {on:%B %Y}"


def _short(on: date | None) -> str:
    return f"{on.day} {on:%b %Y}" if on is not None else "-"


def _first_due(row: RegisterRow) -> str:
    """A row's first due date, as :func:`_due` shows the current one."""
    if row.original_due_on is not None and row.original_due_precision == "month":
        return shown_due(row.original_due_on, "month")
    return _short(row.original_due_on)


def _due(row: RegisterRow) -> str:
    """A row's due date: ``31 Mar 2026``, or ``March 2026`` if known only to the month."""
    if row.due_on is not None and row.due_precision == "month":
        return shown_due(row.due_on, "month")
    return _short(row.due_on)


def _moment(at: datetime) -> str:
    return f"{long_date(at.date())} {at:%H:%M} {at.tzname() or ''}".rstrip()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _kind_count(count: int, label: str) -> str:
    """``3 recommendations``, ``1 area for development``, ``2 areas for development``."""
    words = label.lower().split()
    countable = words and words[0].isalpha() and not words[0].endswith("s")
    if count != 1 and countable and (len(words) == 1 or not words[1][:1].isdigit()):
        words[0] = words[0][:-1] + "ies" if words[0].endswith("y") else words[0] + "s"
    return f"{count} {' '.join(words)}"


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _phrase(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class _Layout:
    """What every part of the paper needs to know: grade labels, report titles, texts."""

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self.update = paper.update
        self.series = paper.series
        self.titles = {c.report.reference: c.report.details.title for c in self.update.counts}
        for received in self.update.reports:
            self.titles.setdefault(received.report.reference, received.report.details.title)
        self.particulars = {p.reference: p for p in paper.particulars}
        self.sizes = Counter[str]()
        for grade in self.series.grades:
            self.sizes[grade.scale] = max(self.sizes[grade.scale], grade.rank + 1)

    def colour(self, code: str | None) -> str | None:
        for grade in self.series.grades:
            if grade.code == code:
                return grade.colour
        return None

    def grade(self, row: RegisterRow) -> Cell:
        if row.status is Status.DISCHARGED:
            return Cell("Closed")
        if row.grade is None:
            return Cell("Not graded")
        return Cell(self.series.label(row.grade), self.colour(row.grade))

    def below_best(self, row: RegisterRow) -> bool:
        if row.status is Status.DISCHARGED:
            return False
        if row.grade is None:
            return True
        for grade in self.series.grades:
            if grade.code == row.grade:
                return grade.rank < self.sizes[grade.scale] - 1
        return True

    def report(self, reference: str) -> str:
        """The report's title, up to any colon: ``Core Business``."""
        return self.titles.get(reference, reference).split(":")[0]

    def owner(self, row: RegisterRow) -> str:
        if row.owner and row.owner_name:
            return f"{row.owner} ({row.owner_name})"
        return row.owner or row.owner_name or "No owner"

    def text(self, row: RegisterRow, *, note: bool = False) -> Cell:
        lines = [row.text]
        particulars = self.particulars.get(row.reference)
        if particulars is not None:
            lines.extend(f"\u2022 {point}" for point in particulars.points)
            if note and particulars.last_note:
                lines.append(f"Latest update: {particulars.last_note}")
        return Cell("\n".join(lines))

    def worst(self) -> str:
        labels = list(dict.fromkeys(g.label for g in self.series.grades if g.rank == 0))
        return " or ".join(labels) if labels else "the worst grade of their scale"

    def best(self) -> str:
        labels = list(
            dict.fromkeys(g.label for g in self.series.grades if g.rank == self.sizes[g.scale] - 1)
        )
        return " or ".join(labels) if labels else "the best grade"


# --- the sections, in the order of the paper --------------------------------------------------


def _open_by_grade(layout: _Layout, rows: Iterable[RegisterRow]) -> list[str]:
    counted = Counter(row.grade for row in rows if row.status is not Status.DISCHARGED)
    parts = [f"{counted[grade.code]} {grade.label}" for grade in layout.series.grades]
    if counted[None]:
        parts.append(f"{counted[None]} not graded")
    known = {grade.code for grade in layout.series.grades}
    parts.extend(
        f"{n} {code}" for code, n in counted.items() if code is not None and code not in known
    )
    return parts


def _summary(layout: _Layout) -> Section:
    update = layout.update
    rows = update.rows
    open_rows = [row for row in rows if row.status is not Status.DISCHARGED]
    bullets = []
    if not rows and not update.inspections and not update.announced and not update.counts:
        bullets.append(
            f"Nothing is recorded as at {long_date(update.as_at)}: no inspection, report or "
            "recommendation."
        )
    else:
        grades = _open_by_grade(layout, rows)
        graded = f" ({', '.join(grades)})" if grades and open_rows else ""
        not_implemented = sum(count.not_implemented for count in update.counts)
        apart = f" ({not_implemented} closed not implemented)" if not_implemented else ""
        bullets.append(
            f"{_plural(len(rows), 'recommendation')} on the register as at "
            f"{long_date(update.as_at)}: {len(open_rows)} open{graded} and "
            f"{len(rows) - len(open_rows)} discharged{apart}."
        )
        bullets.append(
            f"Since the previous committee: {_plural(len(update.inspections), 'inspection')} "
            f"carried out, {len(update.announced)} announced, "
            f"{_plural(len(update.reports), 'report')} received."
        )
        moved = [
            (len(update.raised), "raised"),
            (len(update.regraded), "regraded"),
            (len(update.claimed), "claimed as implemented"),
            (len(update.rejected), "had a claim rejected"),
            (len(update.discharged), "discharged"),
            (len(update.reopened), "reopened"),
        ]
        said = [f"{count} {what}" for count, what in moved if count]
        bullets.append(
            "Recommendations since the previous committee: "
            + (_phrase(said) if said else "none raised, regraded or closed")
            + "."
        )
        bullets.append(
            f"Graded {layout.worst()}: {len(update.reds)}. Overdue: {len(update.overdue)}. "
            f"Deadlines moved: {len(update.slips)}. Closures awaiting acceptance: "
            f"{len(update.awaiting)}."
        )
        if update.reminded or update.escalated:
            bullets.append(
                f"Owners chased since the previous committee: {len(update.reminded)} "
                f"{'item' if len(update.reminded) == 1 else 'items'} reminded, "
                f"{len(update.escalated)} escalated."
            )
        kinds = [_kind_count(count.total, count.label) for count in update.kinds if count.total]
        if len(kinds) > 1:
            bullets.append(f"By kind: {_phrase(kinds)}.")
    caption = _caption(layout)
    return Section("summary", "Summary", (Bullets(tuple(bullets)), Figure(caption)))


def _caption(layout: _Layout) -> str:
    """What the chart shows, in words."""
    series, since = layout.series, layout.update.since
    if series.empty:
        return f"No recommendations were recorded by {long_date(layout.update.as_at)}."
    first, last = series.dates[0], series.dates[-1]
    said = [
        f"Recommendations by grade on {len(series.dates)} dates, {_short(first)} to {_short(last)}"
    ]
    if since in series.dates:
        said.append(f"the dashed line marks the previous committee ({long_date(since)})")
    if series.ever_discharged:
        said.append("discharged ones in grey above the open ones")
    return "; ".join(said) + "."


def _inspection(inspection: Inspection) -> list[Block]:
    details = inspection.details
    facts = [f"By {_phrase(list(details.inspectorates))}" if details.inspectorates else ""]
    start, end = details.fieldwork_from, details.fieldwork_to
    if start and end and start != end:
        facts.append(f"fieldwork {long_date(start)} to {long_date(end)}")
    elif day := start or end:
        facts.append(f"fieldwork {long_date(day)}")
    else:
        facts.append("fieldwork dates not yet known")
    if details.hot_debrief_on:
        facts.append(f"hot debrief {long_date(details.hot_debrief_on)}")
    if details.national:
        facts.append("part of a national inspection")
    blocks: list[Block] = [
        Heading(details.title),
        Paragraph("; ".join(f for f in facts if f) + "."),
    ]
    if details.sensitive:
        blocks.append(
            Paragraph("Sensitive: no report or recommendations will be published.", note=True)
        )
    elif details.expected_report:
        blocks.append(Paragraph(f"Report: {details.expected_report}", note=True))
    return blocks


def _inspections(layout: _Layout) -> list[Section]:
    update = layout.update
    since: list[Block] = [b for i in update.inspections for b in _inspection(i)]
    announced: list[Block] = [b for i in update.announced for b in _inspection(i)]
    return [
        Section(
            "inspections",
            "Inspections since the previous committee",
            tuple(since)
            or (Paragraph("No inspection was carried out since the previous committee."),),
        ),
        Section(
            "announced",
            "Inspections announced",
            tuple(announced) or (Paragraph("No inspection is announced."),),
        ),
    ]


def _recommendation_table(layout: _Layout, rows: Sequence[RegisterRow]) -> Table:
    return Table(
        header=("Reference", "Recommendation", "Grade", "Owner", "Due"),
        rows=tuple(
            (
                Cell(row.reference),
                layout.text(row),
                layout.grade(row),
                Cell(layout.owner(row)),
                Cell(_due(row)),
            )
            for row in rows
        ),
        widths=(1.8, 5.0, 1.1, 1.9, 1.1),
    )


def _reports(layout: _Layout) -> Section:
    blocks: list[Block] = []
    for received in layout.update.reports:
        details = received.report.details
        scale = details.scale
        blocks.append(Heading(details.title))
        by = _phrase(list(details.inspectorates))
        facts = [f"Published {long_date(details.published_on)} by {by}."]
        grades = []
        if details.overall_grade:
            grades.append(f"overall {scale.label(details.overall_grade)}")
        grades.extend(f"{area.area} {scale.label(area.grade)}" for area in details.area_grades)
        if grades:
            facts.append(f"Graded {'; '.join(grades)}.")
        blocks.append(Paragraph(" ".join(facts)))
        if details.findings:
            blocks.append(
                Bullets(
                    tuple(
                        f"{finding.reference} ({finding.kind.value.replace('-', ' ')}): "
                        f"{finding.text}"
                        for finding in details.findings
                    )
                )
            )
        if received.recommendations:
            count = len(received.recommendations)
            blocks.append(Paragraph(f"{_plural(count, 'recommendation')} raised from it:"))
            blocks.append(_recommendation_table(layout, received.recommendations))
        else:
            blocks.append(Paragraph("No recommendations were raised from it."))
    return Section(
        "reports",
        "Inspection reports received since the previous committee",
        tuple(blocks)
        or (Paragraph("No inspection report was received since the previous committee."),),
    )


def _worst(layout: _Layout) -> Section:
    worst = layout.worst()
    reds = layout.update.reds
    blocks: list[Block]
    if reds:
        blocks = [
            Table(
                header=("Reference", "Report", "Recommendation", "Owner", "Due"),
                rows=tuple(
                    (
                        Cell(row.reference),
                        Cell(layout.report(row.report)),
                        layout.text(row, note=True),
                        Cell(layout.owner(row)),
                        Cell(_due(row)),
                    )
                    for row in reds
                ),
                widths=(1.8, 1.8, 5.0, 1.9, 1.1),
            )
        ]
    else:
        blocks = [Paragraph(f"There are currently no recommendations graded {worst}.")]
    return Section("worst", f"Outstanding recommendations graded {worst}", tuple(blocks))


def _overdue(layout: _Layout) -> Section:
    as_at = layout.update.as_at
    rows = layout.update.overdue
    if not rows:
        return Section("overdue", "Overdue recommendations", (Paragraph("None is overdue."),))
    return Section(
        "overdue",
        "Overdue recommendations",
        (
            Table(
                header=("Reference", "Report", "Grade", "Owner", "Due", "Days overdue"),
                rows=tuple(
                    (
                        Cell(row.reference),
                        Cell(layout.report(row.report)),
                        layout.grade(row),
                        Cell(layout.owner(row)),
                        Cell(_due(row)),
                        Cell(str((as_at - row.due_on).days) if row.due_on else "-"),
                    )
                    for row in rows
                ),
                widths=(1.8, 2.6, 1.1, 2.6, 1.1, 1.1),
            ),
        ),
    )


def _kinds(layout: _Layout) -> Section:
    update = layout.update
    heading = "Recommendations by kind"
    kinds = update.kinds
    if not any(count.total for count in kinds):
        return Section("kinds", heading, (Paragraph("No item is on the register."),))
    label = update.status_label
    return Section(
        "kinds",
        heading,
        (
            Paragraph(
                "Each kind of item counted apart (recommendations apart from areas for "
                "improvement or development), as at the committee's date."
            ),
            Table(
                header=(
                    "Kind",
                    "Total",
                    label(Status.OPEN),
                    label(Status.CLAIMED),
                    label(Status.DISCHARGED),
                    "Overdue",
                ),
                rows=tuple(
                    (
                        Cell(count.label),
                        Cell(str(count.total)),
                        Cell(str(count.open)),
                        Cell(str(count.claimed)),
                        Cell(str(count.discharged)),
                        Cell(str(count.overdue)),
                    )
                    for count in kinds
                ),
                widths=(3.0, 1.0, 1.2, 1.6, 1.2, 1.1),
            ),
        ),
    )


def _awaiting(layout: _Layout) -> Section:
    update = layout.update
    heading = "Closures proposed, awaiting acceptance"
    if not update.awaiting:
        return Section(
            "awaiting", heading, (Paragraph("No proposed closure is awaiting acceptance."),)
        )
    return Section(
        "awaiting",
        heading,
        (
            Paragraph(
                "Items the body has proposed to close (an implementation claimed) that the "
                "inspectorate, or whoever may accept their closure, has not yet accepted or "
                "rejected; the longest waiting first."
            ),
            Table(
                header=("Reference", "Report", "Kind", "Proposed", "Days waiting", "Owner"),
                rows=tuple(
                    (
                        Cell(a.row.reference),
                        Cell(layout.report(a.row.report)),
                        Cell(kind_label(a.row.kind)),
                        Cell(_short(a.claimed_on)),
                        Cell(str(a.days(update.as_at))),
                        Cell(layout.owner(a.row)),
                    )
                    for a in update.awaiting
                ),
                widths=(1.8, 2.4, 1.8, 1.2, 1.1, 2.2),
            ),
        ),
    )


def _aged(layout: _Layout) -> list[Section]:
    update = layout.update
    days = update.target_days
    if days is None:
        return []
    heading = "Past the age-based target"
    said = Paragraph(
        f"An open item with no due date is past its target {_plural(days, 'day')} after it "
        "was raised (the policy's overdue_after_days)."
    )
    if not update.aged:
        return [Section("aged", heading, (said, Paragraph("None is past the target.")))]
    return [
        Section(
            "aged",
            heading,
            (
                said,
                Table(
                    header=("Reference", "Report", "Kind", "Raised", "Days open", "Owner"),
                    rows=tuple(
                        (
                            Cell(row.reference),
                            Cell(layout.report(row.report)),
                            Cell(kind_label(row.kind)),
                            Cell(_short(row.raised_on)),
                            Cell(str((update.as_at - row.raised_on).days)),
                            Cell(layout.owner(row)),
                        )
                        for row in update.aged
                    ),
                    widths=(1.8, 2.4, 1.8, 1.2, 1.1, 2.2),
                ),
            ),
        )
    ]


def _plans(layout: _Layout) -> list[Section]:
    update = layout.update
    recorded = [c.report for c in update.counts if c.report.plan_status is not None]
    if not update.plan_statuses and not recorded:
        return []
    heading = "Improvement plans by report"
    if not update.counts:
        return [Section("plans", heading, (Paragraph("No report is recorded."),))]
    return [
        Section(
            "plans",
            heading,
            (
                Paragraph(
                    "Where the body's improvement plan for each report stands, newest report first."
                ),
                Table(
                    header=("Report", "Published", "Plan", "Since"),
                    rows=tuple(
                        (
                            Cell(c.report.details.title),
                            Cell(_short(c.report.details.published_on)),
                            Cell(update.plan_label(c.report.plan_status) or "Not recorded"),
                            Cell(_short(c.report.plan_since)),
                        )
                        for c in update.counts
                    ),
                    widths=(4.0, 1.5, 2.0, 1.5),
                ),
            ),
        )
    ]


def _slips(layout: _Layout) -> Section:
    rows = layout.update.slips
    if not rows:
        return Section(
            "slips", "Deadlines moved", (Paragraph("No open recommendation's deadline has moved."),)
        )
    return Section(
        "slips",
        "Deadlines moved",
        (
            Table(
                header=(
                    "Reference",
                    "Report",
                    "Grade",
                    "Owner",
                    "First due",
                    "Now due",
                    "Deferrals",
                ),
                rows=tuple(
                    (
                        Cell(row.reference),
                        Cell(layout.report(row.report)),
                        layout.grade(row),
                        Cell(layout.owner(row)),
                        Cell(_first_due(row)),
                        Cell(_due(row)),
                        Cell(str(row.deferrals)),
                    )
                    for row in rows
                ),
                widths=(1.8, 2.2, 1.1, 2.2, 1.1, 1.1, 1.1),
            ),
        ),
    )


def _made_to(count: ReportCount) -> str:
    if not count.total:
        return "-"
    if count.national == count.total:
        return "All bodies"
    if not count.national:
        return "This body"
    return f"Both ({count.national} to all)"


def _overview(layout: _Layout) -> Section:
    update = layout.update
    grades = layout.series.grades
    if not update.counts:
        return Section(
            "overview", "Overview of the reports", (Paragraph("No report is recorded."),)
        )
    ungraded = any(c.ungraded for c in update.counts)
    header = [
        "Report",
        "Published",
        "Graded",
        "Total",
        "Made to",
        *(g.label for g in grades),
    ]
    if ungraded:
        header.append("Not graded")
    header.append("Discharged")
    rows = []
    for count in update.counts:
        details = count.report.details
        by_grade = count.grades()
        cells = [
            Cell(details.title),
            Cell(_short(details.published_on)),
            Cell(details.scale.label(details.overall_grade) if details.overall_grade else "-"),
            Cell(str(count.total)),
            Cell(_made_to(count)),
        ]
        cells.extend(
            Cell(str(by_grade.get(g.code, 0)), g.colour if by_grade.get(g.code) else None)
            for g in grades
        )
        if ungraded:
            cells.append(Cell(str(count.ungraded)))
        cells.append(Cell(str(count.discharged)))
        rows.append(tuple(cells))
    blocks: list[Block] = [
        Paragraph(
            "Every report on the tracker, newest first, with its recommendations counted by "
            "grade; the grade columns count open recommendations only."
        ),
        Table(
            header=tuple(header),
            rows=tuple(rows),
            widths=(
                3.6,
                1.5,
                1.9,
                1.0,
                1.5,
                *(1.8 if h == "Discharged" else 1.2 for h in header[5:]),
            ),
        ),
    ]
    best = layout.best()
    for count in update.counts:
        below = [
            row
            for row in update.rows
            if row.report == count.report.reference and layout.below_best(row)
        ]
        if not below:
            continue
        blocks.append(Heading(f"{count.report.details.title}: open, not yet {best}"))
        blocks.append(
            Table(
                header=("Reference", "Recommendation", "Grade", "Owner", "Due"),
                rows=tuple(
                    (
                        Cell(row.reference),
                        layout.text(row, note=True),
                        layout.grade(row),
                        Cell(layout.owner(row)),
                        Cell(_due(row)),
                    )
                    for row in below
                ),
                widths=(1.8, 5.0, 1.1, 1.9, 1.1),
            )
        )
    return Section("overview", "Overview of the reports", tuple(blocks))


def _change(layout: _Layout, movement: Movement) -> Cell:
    label = layout.series.label
    if movement.event == "Raised":
        grade = label(movement.after) if movement.after else "not graded"
        return Cell(f"Raised, {grade}", layout.colour(movement.after))
    if movement.event == "Regraded":
        before = label(movement.before) if movement.before else "not graded"
        after = label(movement.after) if movement.after else "not graded"
        return Cell(f"Regraded {before} \u2192 {after}", layout.colour(movement.after))
    if movement.event == "Discharged":
        outcome = layout.update.outcome_label(movement.after) if movement.after else ""
        return Cell(f"Discharged ({outcome})" if outcome else "Discharged")
    return Cell(
        {
            "ImplementationClaimed": "Claimed as implemented",
            "ClaimRejected": "Claim of implementation rejected",
            "Reopened": "Reopened",
        }.get(movement.event, movement.event)
    )


def _movements(layout: _Layout) -> Section:
    movements = layout.update.movements
    heading = "Changes since the previous committee"
    if not movements:
        return Section(
            "movements", heading, (Paragraph("Nothing changed since the previous committee."),)
        )
    rows = {row.reference: row for row in layout.update.rows}
    return Section(
        "movements",
        heading,
        (
            Table(
                header=("Date", "Reference", "Report", "Change"),
                rows=tuple(
                    (
                        Cell(_short(m.effective_on)),
                        Cell(m.reference),
                        Cell(
                            layout.report(rows[m.reference].report) if m.reference in rows else "-"
                        ),
                        _change(layout, m),
                    )
                    for m in movements
                ),
                widths=(1.2, 1.8, 3.3, 3.0),
            ),
        ),
    )


def _series(layout: _Layout) -> Section:
    series = layout.series
    heading = "Recommendations by grade over time"
    if series.empty:
        return Section(
            "series", heading, (Paragraph("No recommendations were recorded on these dates."),)
        )
    header = ["Date", *(g.label for g in series.grades)]
    if series.ever_ungraded:
        header.append("Not graded")
    header.extend(["Discharged", "Total"])
    rows = []
    for point in series.points:
        cells = [Cell(_short(point.on)), *(Cell(str(n)) for n in point.by_grade)]
        if series.ever_ungraded:
            cells.append(Cell(str(point.ungraded)))
        cells.extend([Cell(str(point.discharged)), Cell(str(point.total))])
        rows.append(tuple(cells))
    return Section(
        "series",
        heading,
        (
            Paragraph("The figures of the chart: open recommendations by grade on each date."),
            Table(header=tuple(header), rows=tuple(rows), widths=tuple(1.0 for _ in header)),
        ),
    )


def _register(layout: _Layout) -> Section:
    update = layout.update
    heading = f"Appendix: the register as at {long_date(update.as_at)}"
    if not update.rows:
        return Section("register", heading, (Paragraph("The register is empty."),))
    return Section(
        "register",
        heading,
        (
            Table(
                header=("Reference", "Report", "Grade", "Status", "Owner", "Due", "Overdue"),
                rows=tuple(
                    (
                        Cell(row.reference),
                        Cell(layout.report(row.report)),
                        layout.grade(row),
                        Cell(update.status_label(row.status)),
                        Cell(layout.owner(row)),
                        Cell(_due(row)),
                        Cell("Yes" if row.overdue else ""),
                    )
                    for row in update.rows
                ),
                widths=(1.8, 2.4, 1.0, 1.5, 2.5, 1.4, 1.3),
            ),
        ),
    )


def _checkpoint(layout: _Layout) -> Section:
    stated = layout.paper.checkpoint
    heading = "The log this paper was built on"
    position = layout.update.basis.position
    if stated is None:
        return Section(
            "checkpoint",
            heading,
            (
                Paragraph(
                    f"This paper was built on the first {_entries(position)} of the "
                    "log, and names no checkpoint of it: the store keeps no Merkle tree over "
                    "them (an older store's tree is built by recommendations seal)."
                ),
            ),
        )
    signed = (
        f"Signed by {stated.signers()}."
        if stated.signed_by
        else "Not signed: keep a copy of it outside the store."
    )
    return Section(
        "checkpoint",
        heading,
        (
            Basis(
                f"This paper was built on the first {_entries(stated.size)} of the "
                "log, exactly those its checkpoint covers. Keep the checkpoint with the "
                "minutes: whoever holds it can prove later that the log is still the one "
                "this paper was built on (recommendations verify --checkpoint FILE).",
                checkpoint=checkpoint_facts(stated),
            ),
            Paragraph(signed),
            Paragraph(
                "The fingerprint is the first 16 hex digits of the root hash, in four groups: "
                "read it aloud to compare this paper's log with another copy.",
                note=True,
            ),
        ),
    )


_VERSIONS = {
    Audience.BODY: "Full version",
    Audience.OVERSIGHT: "Oversight version",
    Audience.PUBLIC: "Public version",
}


def document(paper: Paper) -> Document:
    """The paper laid out, in the order of the committee paper it follows."""
    layout = _Layout(paper)
    update = paper.update
    basis = update.basis
    disclosure = update.disclosure
    version = _VERSIONS[disclosure.audience]
    said = disclosure.describe().split(": ", 1)[-1]
    lines: tuple[str, ...] = (
        f"Committee of {long_date(update.as_at)}; previous committee {long_date(update.since)}.",
        f"Figures as at {long_date(basis.as_at)}, as known at {_moment(basis.known_at)}, "
        f"up to log entry {basis.position}.",
        f"{version}: {said}",
    )
    if paper.checkpoint is not None:
        lines += (
            f"Log checkpoint: {_entries(paper.checkpoint.size)}, fingerprint "
            f"{paper.checkpoint.fingerprint}.",
        )
    sections = [
        _summary(layout),
        _kinds(layout),
        *_inspections(layout),
        _reports(layout),
        _worst(layout),
        _overdue(layout),
        *_aged(layout),
        _awaiting(layout),
        _slips(layout),
        *_plans(layout),
        _overview(layout),
        _movements(layout),
        _series(layout),
        _checkpoint(layout),
        _register(layout),
    ]
    footer = f"{paper.title} \u2014 {long_date(update.as_at)}"
    if disclosure.audience is not Audience.BODY:
        footer += f" \u2014 {version}"
    return Document(
        title=paper.title, lines=lines, version=version, sections=tuple(sections), footer=footer
    )
