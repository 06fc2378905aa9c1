"""The committee update as plain text, in the order of the committee paper: the
inspections, the reports received, the register, the counts by report and grade, and what
moved (the demonstration prints it: ``recommendations demo``).

It renders :class:`~recommendations.views.CommitteeUpdate` itself, not a paper, and is
not offered by ``--format`` (it declares no ``FORMAT``): the committee paper's formats are
those of :func:`~recommendations.outputs.names_for` ``("paper")``.
"""

from __future__ import annotations

from collections.abc import Sequence

from recommendations import domain, views

__all__ = ["render_update"]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _summary(title: str, count: views.ReportCount) -> str:
    if not count.total:
        return f"{title}: no recommendations"
    if count.national == count.total:
        scope = "national"
    elif not count.national:
        scope = "this force only"
    else:
        scope = "national and this force"
    plural = "s" if count.total != 1 else ""
    parts = [f"{title}: {count.total} recommendation{plural} ({scope})"]
    # best first, as the paper counts them
    parts.extend(f"{grade.count} {grade.grade}" for grade in reversed(count.by_grade))
    if count.ungraded:
        parts.append(f"{count.ungraded} not graded")
    if count.discharged:
        parts.append(f"{count.discharged} discharged")
    return ", ".join(parts)


def _inspection_lines(inspection: domain.Inspection) -> list[str]:
    details = inspection.details
    facts = [", ".join(details.inspectorates)]
    if details.fieldwork_from and details.fieldwork_to:
        facts.append(f"fieldwork {details.fieldwork_from} to {details.fieldwork_to}")
    if details.hot_debrief_on:
        facts.append(f"hot debrief {details.hot_debrief_on}")
    lines = [f"  {details.title}", f"    {'; '.join(facts)}"]
    if details.sensitive:
        lines.append("    SENSITIVE: no report or recommendations will be published")
    elif details.expected_report:
        lines.append(f"    report: {details.expected_report}")
    return lines


def _report_lines(received: views.ReceivedReport) -> list[str]:
    details = received.report.details
    scale = details.scale
    lines = [f"  {details.title}, published {details.published_on}"]
    if details.overall_grade:
        lines.append(f"    overall: {scale.label(details.overall_grade)}")
    lines.extend(f"    {area.area}: {scale.label(area.grade)}" for area in details.area_grades)
    for finding in details.findings:
        lines.append(f"    {finding.reference}: {finding.kind.value.replace('-', ' ')}")
    if received.recommendations:
        raised = ", ".join(row.reference for row in received.recommendations)
        lines.append(f"    new recommendations: {raised}")
    return lines


def _movement(movement: views.Movement) -> str:
    what = {
        "Raised": f"raised {movement.after or 'ungraded'}",
        "Regraded": f"regraded {movement.before} to {movement.after}",
        "ImplementationClaimed": "claimed as implemented",
        "ClaimRejected": "claim of implementation rejected",
        "Discharged": f"discharged ({movement.after})",
        "Reopened": "reopened",
    }[movement.event]
    return f"  {movement.effective_on}  {movement.reference}: {what}"


def _references(rows: Sequence[views.RegisterRow]) -> str:
    return ", ".join(row.reference for row in rows) if rows else "none"


def render_update(update: views.CommitteeUpdate, *, body: str) -> str:
    """The committee update as plain text, in the order of the paper, headed with the
    name of the ``body`` it is for."""
    as_at, since = update.as_at, update.since
    titles = {c.report.reference: c.report.details.title.split(":")[0] for c in update.counts}

    lines = [f"{body}: HMIC recommendations as at {as_at} (since {since})", ""]
    lines.append("Inspections completed since the previous committee:")
    for inspection in update.inspections:
        lines.extend(_inspection_lines(inspection))
    lines.append("Inspections announced:")
    for inspection in update.announced:
        lines.extend(_inspection_lines(inspection))
    lines.append("Inspection reports published since the previous committee:")
    for received in update.reports:
        lines.extend(_report_lines(received))
    lines.append("")

    order = {reference: index for index, reference in enumerate(titles)}
    ordered = sorted(
        update.rows, key=lambda row: (order.get(row.report, len(order)), row.reference)
    )
    rows = [
        [
            row.reference,
            titles.get(row.report, row.report),
            domain.RAG.label(row.grade) if row.grade else "-",
            row.status.value,
            row.owner or "-",
            str(row.due_on) if row.due_on else "-",
        ]
        for row in ordered
    ]
    lines.append(f"Register as at {as_at}:")
    lines.extend(_table(["Reference", "Report", "Grade", "Status", "Owner", "Due"], rows))
    lines.append("")

    lines.append("Summary by report and grade:")
    for count in update.counts:
        title = titles[count.report.reference]
        details = count.report.details
        if details.overall_grade:
            title += f" (graded {details.scale.label(details.overall_grade)})"
        lines.append(f"  {_summary(title, count)}")
    lines.append(f"Recommendations graded red: {_references(update.reds)}")
    lines.append(f"Overdue: {_references(update.overdue)}")
    lines.append(f"Deadlines moved: {_references(update.slips)}")
    lines.append("")
    lines.append("Changes since the previous committee:")
    lines.extend(_movement(movement) for movement in update.movements)
    if update.disclosure.audience is not views.Audience.BODY:
        lines.append("")
        lines.append(update.disclosure.describe())
    return "\n".join(lines)
