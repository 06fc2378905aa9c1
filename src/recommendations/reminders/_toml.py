"""The reminder rules as the ``[reminders]`` table of a configuration file, read and written.

>>> rules = rules_from_toml('''
... [reminders]
... due_soon_days = 7
... quiet_weekdays = [5, 6]
... [[reminders.ladder]]
... role = "owner"
... after_days = 0
... [[reminders.ladder]]
... role = "secretary"
... after_days = 90
... [[reminders.addresses]]
... role = "secretary"
... email = "secretary@example.org"
... ''')
>>> rules.due_soon_days, rules.ladder[1].role, rules.address("secretary").target
(7, 'secretary', 'secretary@example.org')
>>> rules_from_toml(rules_to_toml(rules)) == rules
True
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from typing import Any

from recommendations._errors import ConfigurationError
from recommendations.domain import (
    CHANNELS,
    DEFAULT_REMINDER_RULES,
    Address,
    Channel,
    QuietDays,
    ReminderRules,
    Rung,
)

__all__ = ["rules_from_data", "rules_from_toml", "rules_to_toml"]

_KEYS = {
    "due_soon_days",
    "overdue",
    "overdue_every_days",
    "no_progress_days",
    "claim_waiting_days",
    "claim_to",
    "retry_after_minutes",
    "quiet_weekdays",
    "quiet_periods",
    "ladder",
    "addresses",
    "channels",
}
_OFF = "off"


def _refuse(field: str, rule: str, message: str) -> ConfigurationError:
    return ConfigurationError(message, field=f"reminders.{field}", rule=rule)


def _keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _refuse(
            f"{where}{unknown[0]}",
            "known-key",
            f"{unknown[0]!r} is not a key of [reminders{'.' + where.rstrip('.') if where else ''}]"
            f" (it takes {', '.join(sorted(allowed))})",
        )


def _days(table: Mapping[str, Any], name: str, default: int | None) -> int | None:
    value = table.get(name, default)
    if value == _OFF or value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refuse(name, "type", f'{name} must be a whole number of days or "off"')
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _refuse(field, "type", f"{field} must be text, not {value!r}")
    return value


def _day(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value, field))
    except ValueError:
        raise _refuse(field, "type", f"{field} must be a date (YYYY-MM-DD)") from None


def rules_from_data(data: Mapping[str, Any]) -> ReminderRules | None:
    """The reminder rules of a configuration's parsed TOML (its ``[reminders]`` table), or
    ``None`` if it has none; :class:`ConfigurationError` naming the field and the rule."""
    table = data.get("reminders")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _refuse("", "type", "reminders must be a table")
    _keys(table, _KEYS, "")
    d = DEFAULT_REMINDER_RULES
    ladder = [Rung("owner", 0)]
    if "ladder" in table:
        rungs = table["ladder"]
        if not isinstance(rungs, list):
            raise _refuse(
                "ladder", "type", "ladder must be a list of tables ([[reminders.ladder]])"
            )
        ladder = []
        for number, rung in enumerate(rungs):
            if not isinstance(rung, dict):
                raise _refuse(f"ladder[{number}]", "type", "a rung is a table")
            _keys(rung, {"role", "after_days"}, f"ladder[{number}].")
            ladder.append(
                Rung(
                    _text(rung.get("role"), f"ladder[{number}].role"),
                    _days(rung, "after_days", 0) or 0,
                )
            )
    addresses = []
    for number, entry in enumerate(table.get("addresses", [])):
        where = f"addresses[{number}]"
        if not isinstance(entry, dict):
            raise _refuse(where, "type", "an address is a table")
        _keys(entry, {"role", *CHANNELS}, f"{where}.")
        given = [name for name in CHANNELS if name in entry]
        if len(given) != 1:
            raise _refuse(where, "one-channel", f"{where} gives one of {', '.join(CHANNELS)}")
        addresses.append(
            Address(
                _text(entry.get("role"), f"{where}.role"),
                given[0],
                _text(entry[given[0]], f"{where}.{given[0]}"),
            )
        )
    channels = []
    for name, settings in sorted(table.get("channels", {}).items()):
        if not isinstance(settings, dict):
            raise _refuse(f"channels.{name}", "type", "a channel is a table")
        secret_file = settings.get("secret_file")
        secret_env = settings.get("secret_env")
        for key in ("password", "secret"):
            if key in settings:
                raise _refuse(
                    f"channels.{name}.{key}",
                    "secret-not-recorded",
                    "a secret is never recorded: name it with secret_file or secret_env",
                )
        channels.append(
            Channel(
                name,
                tuple(
                    (key, str(value).lower() if isinstance(value, bool) else str(value))
                    for key, value in sorted(settings.items())
                    if key not in ("secret_file", "secret_env")
                ),
                None if secret_file is None else _text(secret_file, f"channels.{name}.secret_file"),
                None if secret_env is None else _text(secret_env, f"channels.{name}.secret_env"),
            )
        )
    weekdays = table.get("quiet_weekdays", [])
    periods = table.get("quiet_periods", [])
    if not isinstance(weekdays, list) or not isinstance(periods, list):
        raise _refuse("quiet_weekdays", "type", "quiet_weekdays and quiet_periods are lists")
    overdue = table.get("overdue", d.overdue)
    if not isinstance(overdue, bool):
        raise _refuse("overdue", "type", "overdue must be true or false")
    pairs = []
    for number, period in enumerate(periods):
        if not isinstance(period, list) or len(period) != 2:
            raise _refuse(f"quiet_periods[{number}]", "type", "a quiet period is [first, last]")
        pairs.append(
            (
                _day(period[0], f"quiet_periods[{number}]"),
                _day(period[1], f"quiet_periods[{number}]"),
            )
        )
    try:
        return ReminderRules(
            due_soon_days=_days(table, "due_soon_days", d.due_soon_days),
            overdue=overdue,
            overdue_every_days=_days(table, "overdue_every_days", d.overdue_every_days),
            no_progress_days=_days(table, "no_progress_days", d.no_progress_days),
            claim_waiting_days=_days(table, "claim_waiting_days", d.claim_waiting_days),
            claim_to=_text(table.get("claim_to", d.claim_to), "claim_to"),
            ladder=tuple(ladder),
            quiet=QuietDays(tuple(weekdays), tuple(pairs)),
            addresses=tuple(addresses),
            channels=tuple(channels),
            retry_after_minutes=_days(table, "retry_after_minutes", d.retry_after_minutes)
            or d.retry_after_minutes,
        )
    except ConfigurationError as error:
        if (error.field or "").startswith("reminders."):
            raise
        raise _refuse(error.field or "", error.rule or "valid", error.detail) from None


def rules_from_toml(text: str) -> ReminderRules | None:
    """The reminder rules of a configuration file's text (see :func:`rules_from_data`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(
            f"the file is not TOML: {error}", field="file", rule="toml-syntax"
        ) from None
    return rules_from_data(data)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _value(value: int | None) -> str:
    return f'"{_OFF}"' if value is None else str(value)


def rules_to_toml(rules: ReminderRules) -> str:
    """``rules`` as a ``[reminders]`` table: :func:`rules_from_toml` reads it back equal."""
    lines = [
        "[reminders]",
        f"due_soon_days = {_value(rules.due_soon_days)}",
        f"overdue = {'true' if rules.overdue else 'false'}",
        f"overdue_every_days = {_value(rules.overdue_every_days)}",
        f"no_progress_days = {_value(rules.no_progress_days)}",
        f"claim_waiting_days = {_value(rules.claim_waiting_days)}",
        f"claim_to = {_quoted(rules.claim_to)}",
        f"retry_after_minutes = {rules.retry_after_minutes}",
        f"quiet_weekdays = [{', '.join(map(str, rules.quiet.weekdays))}]",
        "quiet_periods = ["
        + ", ".join(f"[{a.isoformat()}, {b.isoformat()}]" for a, b in rules.quiet.periods)
        + "]",
    ]
    for rung in rules.ladder:
        lines += ["", "[[reminders.ladder]]", f"role = {_quoted(rung.role)}"]
        lines.append(f"after_days = {rung.after_days}")
    for address in rules.addresses:
        lines += ["", "[[reminders.addresses]]", f"role = {_quoted(address.role)}"]
        lines.append(f"{address.channel} = {_quoted(address.target)}")
    for channel in rules.channels:
        lines += ["", f"[reminders.channels.{channel.name}]"]
        lines += [f"{key} = {_quoted(value)}" for key, value in channel.settings]
        if channel.secret_file is not None:
            lines.append(f"secret_file = {_quoted(channel.secret_file)}")
        if channel.secret_env is not None:
            lines.append(f"secret_env = {_quoted(channel.secret_env)}")
    return "\n".join(lines) + "\n"
