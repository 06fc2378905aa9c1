"""The commands about the store's own configuration: ``init``, ``configure`` and ``config``.

A store's policy (its grading scales, kinds of item and who may accept their discharge,
outcomes, the labels of statuses, the overdue rule) is recorded in its log like any other
entry, with the date it takes effect, who recorded it and why; ``config`` shows the policy
in force on any date, as known at any time.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from recommendations import domain

from ._app import cli, session, store_option
from ._params import AS_AT_DEFAULT, DATE, known_at_option
from ._record import entry_options, new_command_id, record

__all__ = ["config", "configure", "init"]


def _when(effective: date | None) -> date:
    return effective if effective is not None else date.today()


def _record_policy(
    policy: domain.Policy,
    effective: date | None,
    by: str,
    reason: str,
    command_id: str | None,
    *,
    dry_run: bool = False,
) -> None:
    command = domain.Configure(policy=policy, effective_on=_when(effective), by=by, reason=reason)
    if dry_run:
        s = session()
        if s.missing() is not None:
            from recommendations._service import EmptyStore

            decided = EmptyStore().decide(command)
        else:
            decided = s.tracker().decide(command)
        click.echo(
            f"Would record Configured: configuration, entry {decided.event.originator_version}, "
            f"effective {decided.event.effective_on.isoformat()}, at log position "
            f"{decided.position} (nothing recorded)."
        )
        return
    record(command, starts=True, command_id=new_command_id(command_id))


def _record_rules(
    rules: domain.ReminderRules | None,
    effective: date | None,
    by: str,
    reason: str,
    *,
    dry_run: bool = False,
    quiet_if_same: bool = True,
) -> None:
    """Record the reminder rules of a configuration file (if it has a ``[reminders]``
    table); rules that read so already are left as they are, unless nothing else was."""
    if rules is None:
        return
    from recommendations import reminders

    s = session()
    on = _when(effective)
    if s.missing() is None:
        tracker = s.tracker()
        history = tracker._log.item(domain.reminders_configuration_id())
        same = bool(history) and domain.reminder_rules_in_force(history, as_at=on) == rules
        if same and quiet_if_same:
            return
    if dry_run:
        click.echo("Would record RemindersConfigured: the reminder rules (nothing recorded).")
        return
    entry = reminders.record_rules(
        s.tracker(create=True), rules, effective_on=on, by=by, reason=reason
    )
    click.echo(
        f"Recorded RemindersConfigured: configuration {domain.REMINDERS!r}, entry "
        f"{entry.originator_version}, effective {entry.effective_on.isoformat()}."
    )


def _unchanged(policy: domain.Policy, effective: date | None) -> bool:
    s = session()
    return s.missing() is None and s.policy_at(_when(effective)) == policy


@cli.command(short_help="Start a store with a preset configuration.")
@click.option(
    "--preset",
    required=True,
    metavar="NAME",
    help="hmicfrs, hmics, gao or audit-office (see the how-to of each).",
)
@entry_options
def init(
    preset: str,
    effective: date | None,
    by: str,
    reason: str,
    command_id: str | None,
) -> None:
    """Record a preset's configuration in the store (made if it is not there).

    \b
    recommendations init --preset hmics --store sqlite:///hmics.db --effective 2019-01-01 \\
        --by "Risk manager" --reason "the tracker follows HMICS practice"
    """
    from recommendations import configuration, reminders

    _record_policy(configuration.preset(preset), effective, by, reason, command_id)
    _record_rules(
        reminders.rules_from_toml(configuration.preset_text(preset)), effective, by, reason
    )


@cli.command(short_help="Record the store's configuration from a TOML file.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be recorded.")
@entry_options
def configure(
    file: Path,
    dry_run: bool,
    effective: date | None,
    by: str,
    reason: str,
    command_id: str | None,
) -> None:
    """Record the policy FILE describes (docs/reference/configuration.md), in force from
    --effective. A file that does not describe a policy is refused, naming the field and
    the rule; so is one that changes nothing (rule no-change).

    \b
    recommendations configure examples/white-grade.toml --effective 2017-06-01 \\
        --by "Risk manager" --reason "the committee added a white grade" --dry-run
    """
    from recommendations import configuration, reminders

    text = file.read_text(encoding="utf-8")
    policy = configuration.policy_from_toml(text)
    rules = reminders.rules_from_toml(text)
    if rules is not None and _unchanged(policy, effective):
        # only the reminder rules change: they are recorded, or refused if they do not
        _record_rules(rules, effective, by, reason, dry_run=dry_run, quiet_if_same=False)
        return
    _record_policy(policy, effective, by, reason, command_id, dry_run=dry_run)
    _record_rules(rules, effective, by, reason, dry_run=dry_run)


@cli.command(short_help="The store's configuration, as at a date, as known at a time.")
@click.option(
    "--as-at", type=DATE, default=None, help=f"The policy in force on this date ({AS_AT_DEFAULT})."
)
@known_at_option
@store_option
def config(as_at: date | None, known_at: datetime | None) -> None:
    """The store's policy in force on --as-at, as known at --known-at, as a configuration
    file (`recommendations configure` takes it back).

    \b
    recommendations config --as-at 2017-03-30
    """
    from recommendations import configuration

    s = session()
    day = as_at or (known_at.date() if known_at is not None else date.today())
    policy = s.policy_at(day, known_at)
    on = day.isoformat()
    known = f", as known at {known_at.isoformat()}" if known_at is not None else ""
    click.echo(f"# The policy in force on {on}{known}.")
    click.echo(configuration.policy_to_toml(policy), nl=False)
    if s.missing() is None:
        from recommendations import reminders

        history = s.tracker()._log.item(domain.reminders_configuration_id())
        if known_at is not None:
            history = [e for e in history if e.recorded_at <= known_at]
        if any(e.effective_on <= day for e in history):
            rules = domain.reminder_rules_in_force(history, as_at=day)
            click.echo("")
            click.echo(reminders.rules_to_toml(rules), nl=False)
