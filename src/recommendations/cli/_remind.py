"""``recommendations remind``: record the reminders due, send them, record the outcome.

Safe to run from cron every few minutes: each reminder is recorded before it is sent, sent
only by the run that claimed it on its log's next version, and recorded as sent once.
"""

from __future__ import annotations

from datetime import date, timedelta

import click

from ._app import cli, session, store_option
from ._params import DATE

__all__ = ["remind"]


@cli.command(short_help="Record the reminders due, send them, record the outcome.")
@click.option(
    "--as-at",
    type=DATE,
    default=None,
    help="Work out what is due as at this date (default: today).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be recorded and sent; do neither.")
@click.option(
    "--lease",
    type=click.IntRange(min=0),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="How long a run's claim on a reminder keeps other runs off it; a run killed "
    "mid-send leaves it to be sent again (same message id) once this has passed.",
)
@click.option(
    "--by",
    "by",
    default="recommendations remind",
    show_default=True,
    metavar="ACTOR",
    help="Who the reminder entries are recorded by.",
)
@store_option
def remind(as_at: date | None, dry_run: bool, lease: int, by: str) -> None:
    """Work out the reminders and escalations due as at --as-at under the store's reminder
    rules (the [reminders] table of its configuration), record each before it is sent,
    send each by its channel (email, webhook, or a plugin's), and record that it was sent
    or failed; a failure is tried again by a later run, after a pause that doubles. A
    reminder a moved deadline, a discharge or a decided claim made pointless is cancelled,
    and says why. Nothing is sent twice, even by runs that overlap.

    \b
    recommendations remind --as-at 2017-07-01 --dry-run
    """
    from recommendations.reminders import Reminders

    s = session()
    tracker = s.tracker()
    done = Reminders(tracker, lease=timedelta(seconds=lease), by=by).run(as_at, dry_run=dry_run)
    would = "Would record" if dry_run else "Recorded"
    for entry in done.recorded:
        what = type(entry).__name__
        if hasattr(entry, "rule"):
            role = getattr(entry, "role", "")
            channel = getattr(entry, "channel", "") or "no channel"
            click.echo(
                f"{would} {what}: recommendation {entry.reference!r}, rule "
                f"{getattr(entry, 'rule', '')}, to {role!r} by {channel}."
            )
        else:
            click.echo(
                f"{would} {what}: recommendation {entry.reference!r}, {entry.key}: {entry.reason}."
            )
    sent = "Would send" if dry_run else "Sent"
    for due in done.sent:
        click.echo(f"{sent} {due.rule} of {due.reference!r} to {due.role!r} ({due.message_id}).")
    for due, error in done.failed:
        click.echo(f"Failed {due.rule} of {due.reference!r} to {due.role!r}: {error}")
    click.echo(
        f"{len(done.recorded)} entries {'would be ' if dry_run else ''}recorded, "
        f"{len(done.sent)} {'to send' if dry_run else 'sent'}, {len(done.failed)} failed "
        f"(tried again later), {len(done.left)} left to another run or a later time, "
        f"{len(done.unaddressed)} waiting for an address"
        + (" (nothing recorded)." if dry_run else ".")
    )
