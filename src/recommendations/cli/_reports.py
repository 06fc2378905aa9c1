"""The reports entered, with where each one's improvement plan stands: ``recommendations
reports``, as at a date, as known at a time."""

from __future__ import annotations

from datetime import date, datetime

import click

from recommendations.outputs import Listing

from ._app import cli, session, store_option
from ._output import check_output
from ._params import AS_AT_DEFAULT, DATE, chosen_format, known_at_option, output_option
from ._read import listing_format_option, write_listing

__all__ = ["reports"]


@cli.command(short_help="The reports, with their improvement plans' status, as at a date.")
@click.option("--as-at", type=DATE, default=None, help=f"As at this date ({AS_AT_DEFAULT}).")
@known_at_option
@listing_format_option
@output_option
@store_option
def reports(
    as_at: date | None, known_at: datetime | None, format_: str | None, output: str | None
) -> None:
    """Every report entered by --as-at, as known at --known-at: its reference, title,
    publication date, and its improvement plan's status (by the policy's label) and the
    date it took it.

    \b
    recommendations reports --store sqlite:///hmics.db --as-at 2023-10-15
    """
    s = session()
    day = as_at or (known_at.date() if known_at is not None else date.today())
    tracker = s.tracker()
    policy = s.policy_at(day, known_at)
    found = tracker.reports(as_at=day, known_at=known_at)
    rows = [
        {
            "reference": report.reference,
            "title": report.details.title,
            "published_on": report.details.published_on.isoformat(),
            "sensitive": report.sensitive,
            "plan_status": report.plan_status,
            "plan_label": policy.plan_label(report.plan_status) or None,
            "plan_since": report.plan_since.isoformat() if report.plan_since is not None else None,
        }
        for report in found
    ]
    shown = [
        {
            "reference": report.reference,
            "title": report.details.title,
            "published_on": report.details.published_on.isoformat(),
            "plan": (
                f"{policy.plan_label(report.plan_status)} since {report.plan_since.isoformat()}"
                if report.plan_status is not None and report.plan_since is not None
                else "no plan status recorded"
            ),
        }
        for report in found
    ]
    known = f", as known at {known_at.isoformat()}" if known_at is not None else ""
    listing = Listing(
        title="Reports",
        caption=f"Reports as at {day.isoformat()}{known}: {len(found)}.",
        columns={
            "reference": "Reference",
            "title": "Title",
            "published_on": "Published",
            "plan": "Improvement plan",
        },
        rows=[{**row, "plan": row["plan_label"]} for row in rows],
        shown=shown,
        document={
            "as_at": day.isoformat(),
            "known_at": known_at.isoformat() if known_at is not None else None,
            "reports": rows,
        },
    )
    chosen = chosen_format(format_, output, "listing", "table")
    check_output(output, chosen)
    write_listing(listing, chosen, output, what="the reports")
