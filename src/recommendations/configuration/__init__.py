"""A store's configuration as a file: the policy in TOML, read and written, and the presets.

``recommendations configure FILE.toml`` records a file's policy in the store's log;
``recommendations config`` writes the policy in force back in the same form, and
``recommendations init --preset NAME`` records one of :data:`PRESETS`. The file's keys are
described in ``docs/reference/configuration.md``:

>>> policy = policy_from_toml('''
... default_scale = "progress"
... report_scale = "progress"
... [[scales]]
... name = "progress"
... labels = ["Not started", "Under way", "Done"]
... [[kinds]]
... name = "recommendation"
... acceptors = ["audit-committee"]
... ''')
>>> policy.scale("progress").codes
('not-started', 'under-way', 'done')
>>> policy_from_toml(policy_to_toml(policy)) == policy
True
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

from recommendations._errors import ConfigurationError
from recommendations.domain import (
    DEFAULT_POLICY,
    Grade,
    GradingScale,
    ItemKind,
    Policy,
    Term,
)

__all__ = ["PRESETS", "policy_from_toml", "policy_to_toml", "preset", "preset_text"]

PRESETS = ("audit-office", "gao", "hmicfrs", "hmics")
"""The presets ``recommendations init --preset`` knows, by name."""

_TOP = {
    "default_scale",
    "report_scale",
    "default_kind",
    "overdue_after_days",
    "uncounted",
    "scales",
    "kinds",
    "statuses",
    "outcomes",
    "reminders",  # the reminder rules, read by recommendations.reminders
    "priorities",
    "responses",
}


def _refuse(field: str, rule: str, message: str) -> ConfigurationError:
    return ConfigurationError(message, field=field, rule=rule)


def _keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _refuse(
            f"{where}.{unknown[0]}" if where else unknown[0],
            "known-key",
            f"{', '.join(map(repr, unknown))} is not a key of "
            f"{where or 'the configuration'} (it takes {', '.join(sorted(allowed))})",
        )


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _refuse(field, "type", f"{field} must be text, not {value!r}")
    return value


def _texts(value: Any, field: str) -> list[str]:
    if not isinstance(value, list):
        raise _refuse(field, "type", f"{field} must be a list of text, not {value!r}")
    return [_text(item, f"{field}[{number}]") for number, item in enumerate(value)]


def _scale(table: Any, where: str) -> GradingScale:
    if not isinstance(table, dict):
        raise _refuse(where, "type", f"{where} must be a table")
    _keys(table, {"name", "grades", "labels"}, where)
    name = _text(table.get("name"), f"{where}.name")
    if ("grades" in table) == ("labels" in table):
        raise _refuse(where, "scale-grades", f"{where} gives its grades as grades or labels, once")
    if "labels" in table:
        return GradingScale.of(name, *_texts(table["labels"], f"{where}.labels"))
    grades = table["grades"]
    if not isinstance(grades, list):
        raise _refuse(f"{where}.grades", "type", f"{where}.grades must be a list of tables")
    made = []
    for number, grade in enumerate(grades):
        at = f"{where}.grades[{number}]"
        if not isinstance(grade, dict):
            raise _refuse(at, "type", f"{at} must be a table with code and label")
        _keys(grade, {"code", "label"}, at)
        made.append(
            Grade(_text(grade.get("code"), f"{at}.code"), _text(grade.get("label"), f"{at}.label"))
        )
    return GradingScale(name, made)


def _kind(table: Any, where: str) -> ItemKind:
    if not isinstance(table, dict):
        raise _refuse(where, "type", f"{where} must be a table")
    _keys(table, {"name", "acceptors"}, where)
    return ItemKind(
        _text(table.get("name"), f"{where}.name"),
        _texts(table.get("acceptors", []), f"{where}.acceptors"),
    )


def _terms(table: Any, where: str, defaults: tuple[Term, ...]) -> tuple[Term, ...]:
    if table is None:
        return defaults
    if not isinstance(table, dict):
        raise _refuse(where, "type", f"{where} must be a table of code = label")
    return tuple(Term(code, _text(label, f"{where}.{code}")) for code, label in table.items())


def policy_from_data(data: Mapping[str, Any]) -> Policy:
    """The policy a configuration's parsed TOML describes; :class:`ConfigurationError`
    naming the field and the rule if it does not describe one."""
    _keys(data, _TOP, "")
    scales = data.get("scales")
    kinds = data.get("kinds")
    if not isinstance(scales, list) or not scales:
        raise _refuse("scales", "required", "the configuration lists its scales ([[scales]])")
    if not isinstance(kinds, list) or not kinds:
        raise _refuse("kinds", "required", "the configuration lists its kinds of item ([[kinds]])")
    overdue = data.get("overdue_after_days")
    if overdue is not None and (not isinstance(overdue, int) or isinstance(overdue, bool)):
        raise _refuse("overdue_after_days", "type", "overdue_after_days must be a whole number")
    made = [_scale(table, f"scales[{n}]") for n, table in enumerate(scales)]
    return Policy(
        scales=made,
        kinds=[_kind(table, f"kinds[{n}]") for n, table in enumerate(kinds)],
        default_scale=_text(data.get("default_scale", made[0].name), "default_scale"),
        report_scale=_text(data.get("report_scale", made[0].name), "report_scale"),
        default_kind=_text(
            data.get("default_kind", _kind(kinds[0], "kinds[0]").name), "default_kind"
        ),
        statuses=_terms(data.get("statuses"), "statuses", DEFAULT_POLICY.statuses),
        outcomes=_terms(data.get("outcomes"), "outcomes", DEFAULT_POLICY.outcomes),
        overdue_after_days=overdue,
        uncounted=_texts(data.get("uncounted", []), "uncounted"),
        priorities=_terms(data.get("priorities"), "priorities", ()),
        responses=_terms(data.get("responses"), "responses", DEFAULT_POLICY.responses),
    )


def policy_from_toml(text: str) -> Policy:
    """The policy a configuration file's text describes (see :func:`policy_from_data`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _refuse("file", "toml-syntax", f"the file is not TOML: {error}") from None
    return policy_from_data(data)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def policy_to_toml(policy: Policy) -> str:
    """``policy`` as a configuration file: :func:`policy_from_toml` reads it back equal."""
    lines = [
        f"default_scale = {_quoted(policy.default_scale)}",
        f"report_scale = {_quoted(policy.report_scale)}",
        f"default_kind = {_quoted(policy.default_kind)}",
    ]
    if policy.overdue_after_days is not None:
        lines.append(f"overdue_after_days = {policy.overdue_after_days}")
    if policy.uncounted:
        lines.append(f"uncounted = [{', '.join(map(_quoted, policy.uncounted))}]")
    for scale in policy.scales:
        lines += ["", "[[scales]]", f"name = {_quoted(scale.name)}", "grades = ["]
        lines += [
            f"    {{ code = {_quoted(g.code)}, label = {_quoted(g.label)} }}," for g in scale.grades
        ]
        lines.append("]")
    for kind in policy.kinds:
        lines += [
            "",
            "[[kinds]]",
            f"name = {_quoted(kind.name)}",
            f"acceptors = [{', '.join(map(_quoted, kind.acceptors))}]",
        ]
    tables = [("statuses", policy.statuses), ("outcomes", policy.outcomes)]
    if policy.priorities:
        tables.append(("priorities", policy.priorities))
    if policy.responses != DEFAULT_POLICY.responses:
        tables.append(("responses", policy.responses))
    for table, terms in tables:
        lines += ["", f"[{table}]"]
        lines += [f"{_quoted(term.code)} = {_quoted(term.label)}" for term in terms]
    return "\n".join(lines) + "\n"


def preset_text(name: str) -> str:
    """The configuration file of the preset ``name`` (its policy and its reminder rules)."""
    if name not in PRESETS:
        raise _refuse(
            "preset", "known-preset", f"no preset {name!r} (there are {', '.join(PRESETS)})"
        )
    return resources.files(__name__).joinpath("presets", f"{name}.toml").read_text("utf-8")


def preset(name: str) -> Policy:
    """The policy of the preset ``name`` (one of :data:`PRESETS`)."""
    return policy_from_toml(preset_text(name))
