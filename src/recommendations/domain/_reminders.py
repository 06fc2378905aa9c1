"""Reminders and escalations: the rules (recorded in the log beside the policy), the
entries that record each reminder, and the pure evaluation of what is due.

The rules say when an owner is chased: a deadline is near (``due_soon_days`` before it),
it has passed (``overdue``), it is still passed (every ``overdue_every_days``), no
progress was noted for ``no_progress_days``, or a claim of implementation has waited
``claim_waiting_days`` for a decision. An item overdue long enough climbs the ``ladder``
(the owner, then the owner's manager or a named role, then the committee's secretary).
Nothing becomes due on a ``quiet`` day. The ``addresses`` say who holds a role: an email
address or a webhook URL, never a secret.

Each reminder is an entry in its recommendation's reminders log (:func:`reminders_id`):
:class:`ReminderDue` (or :class:`Escalated`) records it before it is sent, an outbox;
:class:`ReminderClaimed` takes it for one attempt at sending, on the log's next version, so
two runs cannot both send; :class:`ReminderSent` or :class:`ReminderFailed` records the
outcome; :class:`ReminderCancelled` says a reminder became pointless (the deadline moved,
the item was discharged, the claim was decided). :func:`plan_reminders` is the pure
evaluation: given an item's entries, its reminders, the rules and a day, the entries to
record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from attrs import frozen

from ._errors import ConfigurationError, RuleViolation
from ._events import (
    ConfigurationEvent,
    Event,
    ImplementationClaimed,
    ProgressNoted,
    RecommendationEvent,
)
from ._recommendation import project
from ._values import Status

__all__ = [
    "CHANNELS",
    "DEFAULT_REMINDER_RULES",
    "OWNER",
    "REMINDERS",
    "RULES",
    "Address",
    "Channel",
    "Escalated",
    "Outstanding",
    "QuietDays",
    "ReminderCancelled",
    "ReminderClaimed",
    "ReminderDue",
    "ReminderEvent",
    "ReminderFailed",
    "ReminderRules",
    "ReminderSent",
    "RemindersConfigured",
    "Rung",
    "decide_reminder_rules",
    "message_id",
    "outstanding",
    "plan_reminders",
    "reminder_rules_in_force",
    "reminders_configuration_id",
    "reminders_id",
    "retry_pause",
]

_NAMESPACE = uuid.UUID("6c1d0f3e-92a4-5e0b-8d7e-3b5f1a2c4d90")

REMINDERS = "reminders"
"""The reference of a store's reminder rules: the item whose entries set them."""

OWNER = "owner"
"""The role that stands for an item's own owner (the role it is assigned to)."""

RULES = ("due-soon", "overdue", "overdue-again", "no-progress", "claim-waiting", "escalated")
"""The rules a reminder is due under."""

CHANNELS = ("email", "webhook")
"""The channels an address may name (each a notifier, found by entry point)."""


def reminders_id(reference: str) -> uuid.UUID:
    """The stable id of the reminders log of the recommendation ``reference``."""
    return uuid.uuid5(_NAMESPACE, f"reminders:{reference}")


def reminders_configuration_id() -> uuid.UUID:
    """The stable id of a store's reminder rules."""
    return uuid.uuid5(_NAMESPACE, f"configuration:{REMINDERS}")


def message_id(reference: str, key: str) -> str:
    """The stable message id of one reminder: every attempt at sending it carries it, so a
    recipient can tell a retry from a new reminder."""
    return f"<{uuid.uuid5(_NAMESPACE, f'message:{reference}:{key}')}@recommendations>"


# --- the rules ----------------------------------------------------------------------------------


def _refuse(field_name: str, rule: str, message: str) -> ConfigurationError:
    return ConfigurationError(message, field=field_name, rule=rule)


def _days(value: int | None, name: str, *, least: int = 1) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise _refuse(name, "whole-days", f"{name} must be a whole number of at least {least}")


@frozen
class Rung:
    """One rung of the escalation ladder: ``role`` is told once the item has been overdue
    ``after_days`` days (the first rung, the owner, at 0)."""

    role: str
    after_days: int

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.role, str) or not self.role.strip():
            raise _refuse("ladder.role", "required", "a rung of the ladder names its role")
        _days(self.after_days, "ladder.after_days", least=0)


@frozen
class Address:
    """Who holds ``role``, and how they are reached: ``channel`` (``email`` or
    ``webhook``) and ``target`` (the address or the URL)."""

    role: str
    channel: str
    target: str

    def __attrs_post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise _refuse(
                "addresses.channel",
                "known-channel",
                f"channel {self.channel!r} is not one of {', '.join(CHANNELS)}",
            )
        if not self.role.strip() or not self.target.strip():
            raise _refuse("addresses", "required", "an address names its role and its target")


@frozen
class Channel:
    """How one channel sends: its ``settings`` (host, port, sender, ...) as ``(name,
    value)`` pairs, and where its secret is read from (``secret_file`` or
    ``secret_env``, a path or a variable's name: the secret itself is never recorded)."""

    name: str
    settings: tuple[tuple[str, str], ...] = ()
    secret_file: str | None = None
    secret_env: str | None = None

    def setting(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.settings:
            if key == name:
                return value
        return default


@frozen
class QuietDays:
    """Days on which nothing becomes due or is sent: ``weekdays`` (0 is Monday) and
    ``periods`` (first and last day, both included)."""

    weekdays: tuple[int, ...] = ()
    periods: tuple[tuple[date, date], ...] = ()

    def __attrs_post_init__(self) -> None:
        for day in self.weekdays:
            if not isinstance(day, int) or not 0 <= day <= 6:
                raise _refuse("quiet.weekdays", "weekday", "a quiet weekday is 0 (Monday) to 6")
        for first, last in self.periods:
            if last < first:
                raise _refuse(
                    "quiet.periods", "period-order", "a quiet period ends after it starts"
                )

    def quiet(self, day: date) -> bool:
        return day.weekday() in self.weekdays or any(a <= day <= b for a, b in self.periods)


@frozen
class ReminderRules:
    """When owners are chased, whom an overdue item climbs to, and how people are reached.

    Each ``*_days`` rule is off when ``None``. ``claim_to`` is the role told of a claim
    awaiting a decision. ``retry_after_minutes`` is the first pause after a failed send
    (doubled after each failure, to at most a day).
    """

    due_soon_days: int | None = 14
    overdue: bool = True
    overdue_every_days: int | None = 30
    no_progress_days: int | None = None
    claim_waiting_days: int | None = None
    claim_to: str = "secretary"
    ladder: tuple[Rung, ...] = (Rung(OWNER, 0),)
    quiet: QuietDays = QuietDays()
    addresses: tuple[Address, ...] = ()
    channels: tuple[Channel, ...] = ()
    retry_after_minutes: int = 5

    def __attrs_post_init__(self) -> None:
        _days(self.due_soon_days, "due_soon_days")
        _days(self.overdue_every_days, "overdue_every_days")
        _days(self.no_progress_days, "no_progress_days")
        _days(self.claim_waiting_days, "claim_waiting_days")
        _days(self.retry_after_minutes, "retry_after_minutes")
        if not self.ladder or self.ladder[0] != Rung(OWNER, 0):
            raise _refuse(
                "ladder", "ladder-starts-with-owner", "the ladder starts with the owner, at 0 days"
            )
        delays = [rung.after_days for rung in self.ladder]
        if delays != sorted(set(delays)):
            raise _refuse(
                "ladder", "ladder-order", "each rung of the ladder comes later than the one before"
            )

    def address(self, role: str) -> Address | None:
        """Who holds ``role`` (the first address naming it, or one for ``*``)."""
        for address in self.addresses:
            if address.role == role:
                return address
        for address in self.addresses:
            if address.role == "*":
                return address
        return None

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        return Channel(name)


DEFAULT_REMINDER_RULES = ReminderRules()
"""The rules of a store that records none: due soon 14 days before, overdue, then every
30 days, to the owner only."""


@frozen(kw_only=True)
class RemindersConfigured(ConfigurationEvent):
    """The store's reminder rules, in whole, from ``effective_on`` until a later entry."""

    reference: str
    rules: ReminderRules


def reminder_rules_in_force(
    events: Iterable[Event], *, as_at: date | None = None, known_at: datetime | None = None
) -> ReminderRules:
    """The rules in force on ``as_at`` as known at ``known_at`` (:data:`DEFAULT_REMINDER_RULES`
    if none was recorded)."""
    chosen = [
        event
        for event in events
        if isinstance(event, RemindersConfigured)
        and (known_at is None or event.recorded_at <= known_at)
        and (as_at is None or event.effective_on <= as_at)
    ]
    if not chosen:
        return DEFAULT_REMINDER_RULES
    return max(chosen, key=lambda e: (e.effective_on, e.originator_version)).rules


def decide_reminder_rules(
    history: Sequence[Event],
    rules: ReminderRules,
    *,
    effective_on: date,
    by: str,
    reason: str,
    recorded_at: datetime,
) -> RemindersConfigured:
    """The entry recording ``rules`` after the rules' ``history``, or the rule it breaks
    (``required``, ``not-in-future``, ``no-change``)."""

    def refuse(name: str, rule: str, message: str) -> RuleViolation:
        return RuleViolation(
            message, reference=REMINDERS, field=name, rule=rule, subject="configuration"
        )

    for name, value in (("by", by), ("reason", reason)):
        if not value.strip():
            raise refuse(name, "required", f"{name} must not be blank")
    if effective_on > recorded_at.date():
        raise refuse("effective_on", "not-in-future", "the rules cannot take effect in the future")
    if reminder_rules_in_force(history, as_at=effective_on) == rules and history:
        raise refuse("rules", "no-change", f"the rules in force on {effective_on} read so already")
    return RemindersConfigured(
        originator_id=reminders_configuration_id(),
        originator_version=len(history) + 1,
        recorded_at=recorded_at,
        effective_on=effective_on,
        actor=by,
        reason=reason,
        reference=REMINDERS,
        rules=rules,
    )


# --- the entries --------------------------------------------------------------------------------


@frozen(kw_only=True)
class ReminderEvent(Event):
    """An entry of one recommendation's reminders: ``reference`` is the recommendation's,
    ``key`` names the reminder (its rule and the deadline or day it refers to)."""

    reference: str
    key: str


@frozen(kw_only=True)
class ReminderDue(ReminderEvent):
    """A reminder became due and will be sent: under ``rule``, to ``role`` by ``channel``
    (empty when no address names the role), about ``deadline`` (the due date, the day
    progress was last noted, or the day of the claim). ``message_id`` is what every attempt
    at sending it carries."""

    rule: str
    role: str
    channel: str
    deadline: date | None
    rung: int
    message_id: str


@frozen(kw_only=True)
class Escalated(ReminderDue):
    """An overdue item climbed the ladder: ``role`` (rung ``rung``) is told."""


@frozen(kw_only=True)
class ReminderClaimed(ReminderEvent):
    """One run took the reminder for attempt ``attempt`` at sending, until ``until``."""

    attempt: int
    until: datetime


@frozen(kw_only=True)
class ReminderSent(ReminderEvent):
    """The reminder was handed over (the SMTP server or the webhook accepted it)."""

    attempt: int
    channel: str


@frozen(kw_only=True)
class ReminderFailed(ReminderEvent):
    """Attempt ``attempt`` failed with ``error``; it is tried again from ``retry_at``."""

    attempt: int
    error: str
    retry_at: datetime


@frozen(kw_only=True)
class ReminderCancelled(ReminderEvent):
    """The reminder became pointless before it was sent; ``reason`` says why."""


# --- evaluation ---------------------------------------------------------------------------------


@frozen
class _Wanted:
    key: str
    rule: str
    role: str
    deadline: date | None
    rung: int


@frozen
class Outstanding:
    """A reminder recorded and not yet sent nor cancelled: its due entry, the attempts made,
    the claim in force (its end), and when it may be tried again."""

    due: ReminderDue
    attempts: int
    claimed_until: datetime | None
    retry_at: datetime | None


def outstanding(reminders: Sequence[Event]) -> dict[str, Outstanding]:
    """The reminders of one reminders log not yet sent nor cancelled, by key."""
    found: dict[str, Outstanding] = {}
    for event in reminders:
        if not isinstance(event, ReminderEvent):
            continue
        if isinstance(event, ReminderDue):
            found[event.key] = Outstanding(event, 0, None, None)
        elif isinstance(event, ReminderSent | ReminderCancelled):
            found.pop(event.key, None)
        elif event.key in found:
            was = found[event.key]
            if isinstance(event, ReminderClaimed):
                found[event.key] = Outstanding(was.due, event.attempt, event.until, was.retry_at)
            elif isinstance(event, ReminderFailed):
                found[event.key] = Outstanding(was.due, event.attempt, None, event.retry_at)
    return found


def _wanted(
    history: Sequence[RecommendationEvent], rules: ReminderRules, day: date
) -> list[_Wanted]:
    """The reminders the rules want of one item as at ``day``."""
    state = project(history, as_at=day)
    if state is None or state.status is Status.DISCHARGED:
        return []
    wanted: list[_Wanted] = []
    owner = state.owner
    if state.status is Status.OPEN and state.due_on is not None and owner is not None:
        due = state.due_on
        late = (day - due).days
        if rules.due_soon_days is not None and -rules.due_soon_days <= late < 0:
            wanted.append(_Wanted(f"due-soon:{due}", "due-soon", owner, due, 0))
        if rules.overdue and late > 0:
            wanted.append(_Wanted(f"overdue:{due}", "overdue", owner, due, 0))
            every = rules.overdue_every_days
            if every is not None and late // every >= 1:
                turn = late // every
                wanted.append(
                    _Wanted(f"overdue-again:{due}:{turn}", "overdue-again", owner, due, 0)
                )
            for number, rung in enumerate(rules.ladder[1:], start=1):
                if late >= rung.after_days:
                    role = rung.role
                    wanted.append(
                        _Wanted(f"escalated:{due}:{number}", "escalated", role, due, number)
                    )
    if state.status is Status.OPEN and rules.no_progress_days is not None and owner is not None:
        noted = [
            e.effective_on
            for e in history
            if isinstance(e, ProgressNoted) and e.effective_on <= day
        ]
        since = max(noted, default=state.raised_on)
        if (day - since).days >= rules.no_progress_days:
            wanted.append(_Wanted(f"no-progress:{since}", "no-progress", owner, since, 0))
    if state.status is Status.CLAIMED and rules.claim_waiting_days is not None:
        claims = [
            e.effective_on
            for e in history
            if isinstance(e, ImplementationClaimed) and e.effective_on <= day
        ]
        if claims and (day - max(claims)).days >= rules.claim_waiting_days:
            claimed = max(claims)
            wanted.append(
                _Wanted(f"claim-waiting:{claimed}", "claim-waiting", rules.claim_to, claimed, 0)
            )
    return wanted


def _why(
    key: str, wanted: Sequence[_Wanted], history: Sequence[RecommendationEvent], day: date
) -> str:
    state = project(history, as_at=day)
    rule = key.split(":", 1)[0]
    if state is not None and state.status is Status.DISCHARGED:
        return "the recommendation was discharged"
    if rule == "claim-waiting":
        return "the claim of implementation was decided"
    if rule in ("due-soon", "overdue", "overdue-again", "escalated"):
        due = key.split(":")[1]
        if state is None or str(state.due_on) != due:
            return f"the deadline {due} was moved"
        if state.status is Status.CLAIMED:
            return "implementation was claimed"
        return "a later reminder replaces it"
    if rule == "no-progress":
        if state is not None and state.status is Status.CLAIMED:
            return "implementation was claimed"
        return "progress was noted"
    return "the rules no longer ask for it"  # pragma: no cover


def plan_reminders(
    history: Sequence[RecommendationEvent],
    reminders: Sequence[Event],
    rules: ReminderRules,
    *,
    day: date,
    recorded_at: datetime,
    by: str,
) -> list[ReminderEvent]:
    """The entries to record in one recommendation's reminders log as at ``day``: a
    :class:`ReminderDue` (or :class:`Escalated`) for each reminder the rules want that was
    never recorded, and a :class:`ReminderCancelled` for each one outstanding that the
    rules no longer want. Nothing becomes due on a quiet day. Pure: the caller records
    them, in order, on the versions they carry."""
    if not history:
        return []
    reference = next(
        (getattr(e, "reference", None) for e in history if hasattr(e, "reference")), None
    )
    if reference is None:
        return []
    wanted = _wanted(history, rules, day)
    wanted_keys = {w.key for w in wanted}
    recorded = {e.key for e in reminders if isinstance(e, ReminderDue)}
    version = len(reminders)
    made: list[ReminderEvent] = []
    item = reminders_id(reference)

    def meta() -> dict[str, Any]:
        # each entry recorded after the one before it in the item, by a microsecond at least
        return {
            "recorded_at": recorded_at + timedelta(microseconds=len(made)),
            "effective_on": day,
            "actor": by,
        }

    for key in sorted(outstanding(reminders)):
        if key not in wanted_keys:
            version += 1
            made.append(
                ReminderCancelled(
                    originator_id=item,
                    originator_version=version,
                    reason=_why(key, wanted, history, day),
                    reference=reference,
                    key=key,
                    **meta(),
                )
            )
    if rules.quiet.quiet(day):
        return made
    for want in wanted:
        if want.key in recorded:
            continue
        address = rules.address(want.role)
        version += 1
        kind = Escalated if want.rule == "escalated" else ReminderDue
        made.append(
            kind(
                originator_id=item,
                originator_version=version,
                reason=f"reminder rule {want.rule}",
                reference=reference,
                key=want.key,
                rule=want.rule,
                role=want.role,
                channel=address.channel if address is not None else "",
                deadline=want.deadline,
                rung=want.rung,
                message_id=message_id(reference, want.key),
                **meta(),
            )
        )
    return made


def retry_pause(rules: ReminderRules, attempt: int) -> timedelta:
    """The pause after failed attempt ``attempt``: doubling from the rules' first pause, to
    at most a day."""
    minutes = rules.retry_after_minutes * 2 ** max(attempt - 1, 0)
    return timedelta(minutes=min(minutes, 24 * 60))
