"""A store's configuration, recorded in its own log: which policy was in force when.

The policy (grading scales, kinds of item and who may accept their discharge, outcomes,
the labels of statuses, the overdue rule) is an item of the log like any other: each
:class:`Configured` entry carries the whole policy, from its effective date, with who
recorded it, when and why. :func:`policy_in_force` reads it as at a date and as known at a
time; a store whose log holds no configuration reads as :data:`DEFAULT_POLICY`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from ._commands import Configure
from ._errors import RuleViolation
from ._events import CONFIGURATION, ConfigurationEvent, Configured, configuration_id
from ._rules import Broken, check_not_in_future, is_blank
from ._text import text_problem
from ._typecheck import type_problem
from ._values import DEFAULT_POLICY, Policy

__all__ = ["decide_configuration", "policy_in_force"]


def policy_in_force(
    events: Iterable[ConfigurationEvent],
    *,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> Policy:
    """The policy in force on ``as_at`` as known at ``known_at`` (both default to
    everything): the entry with the latest effective date on or before ``as_at`` among
    those recorded by ``known_at`` (on one day, the later entry); :data:`DEFAULT_POLICY` if
    there is none."""
    chosen = [
        event
        for event in events
        if isinstance(event, Configured)
        and (known_at is None or event.recorded_at <= known_at)
        and (as_at is None or event.effective_on <= as_at)
    ]
    if not chosen:
        return DEFAULT_POLICY
    return max(chosen, key=lambda e: (e.effective_on, e.originator_version)).policy


def decide_configuration(
    history: Sequence[ConfigurationEvent], command: Configure, *, recorded_at: datetime
) -> Configured:
    """The entry ``command`` records after the configuration's ``history``, or the rule it
    breaks: ``type``, ``required``, the text rules, ``not-in-future``, and ``no-change``
    (the policy in force on that date, as known now, is already this one)."""

    def refuse(field: str, rule: str, message: str) -> RuleViolation:
        return RuleViolation(
            message, reference=CONFIGURATION, field=field, rule=rule, subject="configuration"
        )

    problem = type_problem(command)
    if problem is not None:
        raise refuse(problem[0], "type", problem[1])
    text = text_problem(command)
    if text is not None:
        raise refuse(text.field, text.rule, text.message)
    if not isinstance(command.policy, Policy):
        raise refuse("policy", "type", f"policy must be a Policy, not {command.policy!r}")
    for name in ("by", "reason"):
        if is_blank(getattr(command, name)):
            raise refuse(name, "required", f"{name} must not be blank")
    try:
        check_not_in_future(command.effective_on, recorded_at.date())
    except Broken as broken:
        raise refuse(broken.field, broken.rule, broken.message) from None
    if policy_in_force(history, as_at=command.effective_on) == command.policy:
        raise refuse(
            "policy", "no-change", f"the policy in force on {command.effective_on} reads so already"
        )
    return Configured(
        originator_id=configuration_id(),
        originator_version=len(history) + 1,
        recorded_at=recorded_at,
        effective_on=command.effective_on,
        actor=command.by,
        reason=command.reason,
        reference=CONFIGURATION,
        policy=command.policy,
    )
