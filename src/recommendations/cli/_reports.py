"""The reports entered, with where each one's improvement plan stands: ``recommendations
reports``, as at a date, as known at a time."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from ._app import cli, session, store_option
from ._params import AS_AT_DEFAULT, DATE, known_at_option

__all__ = ["reports"]


@cli.command(short_help="The reports, with their improvement plans' status, as at a date.")
@click.option("--as-at", type=DATE, default=None, help=f"As at this date ({AS_AT_DEFAULT}).")
@known_at_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table to read, or JSON.",
)
@store_option
def reports(as_at: date | None, known_at: datetime | None, format_: str) -> None:
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
    if format_ == "json":
        document = {
            "as_at": day.isoformat(),
            "known_at": known_at.isoformat() if known_at is not None else None,
            "reports": [
                {
                    "reference": report.reference,
                    "title": report.details.title,
                    "published_on": report.details.published_on.isoformat(),
                    "sensitive": report.sensitive,
                    "plan_status": report.plan_status,
                    "plan_label": policy.plan_label(report.plan_status) or None,
                    "plan_since": report.plan_since.isoformat()
                    if report.plan_since is not None
                    else None,
                }
                for report in found
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    known = f", as known at {known_at.isoformat()}" if known_at is not None else ""
    click.echo(f"Reports as at {day.isoformat()}{known}: {len(found)}.")
    for report in found:
        plan = (
            f"plan {policy.plan_label(report.plan_status)} since {report.plan_since.isoformat()}"
            if report.plan_status is not None and report.plan_since is not None
            else "no plan status recorded"
        )
        click.echo(
            f"{report.reference}  {report.details.title}  "
            f"(published {report.details.published_on.isoformat()}; {plan})"
        )
