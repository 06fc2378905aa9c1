"""One run of the reminders: what is due as at a moment, recorded before it is sent (an
outbox), sent, and the outcome recorded; never sent twice.

Each step is an entry appended on its reminders log's next version, so two runs that
overlap collide on the version and only one goes on: the planned reminders are recorded
by one run; a reminder is sent only by the run whose :class:`~recommendations.domain.
ReminderClaimed` entry landed, and only while no other claim is in force (``lease``). A
run killed after its claim leaves the reminder claimed: once the claim has run out, a
later run claims it again and sends it again with the same message id, and the first
:class:`~recommendations.domain.ReminderSent` recorded is the only one.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from attrs import define, field

from recommendations import domain
from recommendations._errors import RecommendationsError, RuleViolation

from ._notifiers import Notice, Notifier, NotifierError, notifier_for

__all__ = ["KILL_AT", "Reminders", "RunReport", "kill_point", "notice", "record_rules"]

KILL_AT = "RECOMMENDATIONS_REMIND_KILL_AT"
"""An environment variable the fault tests set to stop a run dead (``kill -9`` of itself)
at a named point: ``before-record``, ``after-record``, ``mid-send`` or ``after-send``,
optionally ``:N`` for the N-th time the point is reached."""

_reached: Counter[str] = Counter()

_LABELS = {
    "due-soon": "Due soon",
    "overdue": "Overdue",
    "overdue-again": "Still overdue",
    "no-progress": "No progress noted",
    "claim-waiting": "Claim awaiting a decision",
    "escalated": "Escalated: overdue",
}


def kill_point(point: str) -> None:
    """Stop this process with SIGKILL if :data:`KILL_AT` names ``point`` (and its count)."""
    wanted = os.environ.get(KILL_AT)
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


@define
class RunReport:
    """What a run did: the entries it recorded (or would, in a dry run), the reminders it
    sent, those that failed, those it left to another run or a later time, and those
    waiting for an address."""

    recorded: list[domain.ReminderEvent] = field(factory=list)
    sent: list[domain.ReminderDue] = field(factory=list)
    failed: list[tuple[domain.ReminderDue, str]] = field(factory=list)
    left: list[domain.ReminderDue] = field(factory=list)
    unaddressed: list[domain.ReminderDue] = field(factory=list)
    """Reminders to a role no address names: they wait, unsent, until one does."""


class Reminders:
    """The reminders of one store (``tracker``): :meth:`run` records and sends what is due.

    ``notifier`` makes the notifier of a channel (by default, the one its entry point
    names); ``clock`` is the time claims and retries are judged by; ``lease`` how long a
    claim keeps other runs off a reminder.
    """

    def __init__(
        self,
        tracker: object,
        *,
        notifier: Callable[[domain.Channel], Notifier] = notifier_for,
        clock: Callable[[], datetime] | None = None,
        lease: timedelta = timedelta(minutes=10),
        by: str = "recommendations remind",
    ) -> None:
        from recommendations import Tracker

        assert isinstance(tracker, Tracker)
        self.tracker = tracker
        self.notifier = notifier
        self.clock = clock if clock is not None else tracker._clock
        self.lease = lease
        self.by = by
        self._notifiers: dict[str, Notifier] = {}

    # --- reading ------------------------------------------------------------------------------

    def _item(self, item: uuid.UUID) -> list[domain.Event]:
        return self.tracker._log.item(item)

    def rules(self, day: date) -> domain.ReminderRules:
        """The reminder rules in force on ``day``."""
        return domain.reminder_rules_in_force(
            self._item(domain.reminders_configuration_id()), as_at=day
        )

    def _histories(self) -> dict[str, list[domain.RecommendationEvent]]:
        """Every recommendation's entries, by reference, from one read of the log."""
        logs: dict[uuid.UUID, list[domain.RecommendationEvent]] = {}
        names: dict[uuid.UUID, str] = {}
        for logged in self.tracker.log():
            event = logged.event
            if isinstance(event, domain.RecommendationEvent):
                logs.setdefault(event.originator_id, []).append(event)
                if isinstance(event, domain.Raised):
                    names.setdefault(event.originator_id, event.reference)
        return {names[item]: log for item, log in logs.items() if item in names}

    def _stamp(self, log: Sequence[domain.Event]) -> datetime:
        now = self.clock()
        if log and log[-1].recorded_at >= now:
            return log[-1].recorded_at + timedelta(microseconds=1)
        return now

    def _append(self, events: Sequence[domain.Event]) -> bool:
        """Append ``events``; false if another run took one of their versions first."""
        try:
            self.tracker.append_log(events)
        except RuleViolation as error:
            if error.rule == "next-version":
                return False
            raise
        return True

    # --- a run --------------------------------------------------------------------------------

    def run(self, as_at: date | None = None, *, dry_run: bool = False) -> RunReport:
        """Record what is due as at ``as_at`` (default: today), then send every reminder
        recorded and not yet sent whose time has come; in a dry run, record and send
        nothing and say what would be."""
        day = as_at if as_at is not None else self.clock().date()
        rules = self.rules(day)
        report = RunReport()
        histories = self._histories()
        for reference in sorted(histories):
            history = histories[reference]
            self._plan(reference, history, rules, day, report, dry_run)
            if not rules.quiet.quiet(day):
                self._send(reference, history, rules, report, dry_run)
        return report

    def _plan(
        self,
        reference: str,
        history: list[domain.RecommendationEvent],
        rules: domain.ReminderRules,
        day: date,
        report: RunReport,
        dry_run: bool,
    ) -> None:
        for _ in range(5):
            reminders = self._item(domain.reminders_id(reference))
            planned = domain.plan_reminders(
                history, reminders, rules, day=day, recorded_at=self._stamp(reminders), by=self.by
            )
            if not planned:
                return
            if dry_run:
                report.recorded += planned
                return
            kill_point("before-record")
            if self._append(planned):
                report.recorded += planned
                kill_point("after-record")
                return

    def _send(
        self,
        reference: str,
        history: list[domain.RecommendationEvent],
        rules: domain.ReminderRules,
        report: RunReport,
        dry_run: bool,
    ) -> None:
        reminders = self._item(domain.reminders_id(reference))
        waiting = domain.outstanding(reminders)
        if dry_run:
            planned = [e for e in report.recorded if e.reference == reference]
            waiting = domain.outstanding([*reminders, *planned])
        now = self.clock()
        for key in sorted(waiting):
            out = waiting[key]
            if not dry_run:
                # read again: the claim goes on the version after what this read shows, so
                # that whatever another run recorded since makes it collide
                reminders = self._item(domain.reminders_id(reference))
                fresh = domain.outstanding(reminders).get(key)
                if fresh is None:
                    continue  # sent or cancelled by another run meanwhile
                out = fresh
            if rules.address(out.due.role) is None:
                report.unaddressed.append(out.due)  # no failure recorded: nobody to try
                continue
            if (out.claimed_until is not None and out.claimed_until > now) or (
                out.retry_at is not None and out.retry_at > now
            ):
                report.left.append(out.due)
                continue
            if dry_run:
                report.sent.append(out.due)
                continue
            attempt = out.attempts + 1
            claim = domain.ReminderClaimed(
                originator_id=domain.reminders_id(reference),
                originator_version=len(reminders) + 1,
                recorded_at=self._stamp(reminders),
                effective_on=out.due.effective_on,
                actor=self.by,
                reason=f"attempt {attempt} at sending",
                reference=reference,
                key=key,
                attempt=attempt,
                until=now + self.lease,
            )
            if not self._append([claim]):
                report.left.append(out.due)  # another run claimed it (or recorded first)
                return
            try:
                self._deliver(out.due, history, rules, attempt)
            except NotifierError as error:
                self._outcome(out.due, attempt, rules, str(error))
                report.failed.append((out.due, str(error)))
            else:
                kill_point("after-send")
                self._outcome(out.due, attempt, rules, None)
                report.sent.append(out.due)

    def _deliver(
        self,
        due: domain.ReminderDue,
        history: list[domain.RecommendationEvent],
        rules: domain.ReminderRules,
        attempt: int,
    ) -> None:
        address = rules.address(due.role)
        if address is None:
            raise NotifierError(
                f"no address in the reminder rules names the role {due.role!r}",
                reference=due.reference,
                field="addresses",
                rule="address-known",
            )
        notifier = self._notifiers.get(address.channel)
        if notifier is None:
            notifier = self._notifiers[address.channel] = self.notifier(
                rules.channel(address.channel)
            )
        notifier.send(notice(due, history, address.target, attempt))

    def _outcome(
        self, due: domain.ReminderDue, attempt: int, rules: domain.ReminderRules, error: str | None
    ) -> None:
        """Record the outcome of an attempt, on the next version (again, if another run
        recorded in between); a reminder already recorded as sent is not recorded again."""
        item = domain.reminders_id(due.reference)
        for _ in range(20):
            reminders = self._item(item)
            if any(isinstance(e, domain.ReminderSent) and e.key == due.key for e in reminders):
                return
            stamp = self._stamp(reminders)
            meta: dict[str, Any] = {
                "originator_id": item,
                "originator_version": len(reminders) + 1,
                "recorded_at": stamp,
                "effective_on": due.effective_on,
                "actor": self.by,
                "reference": due.reference,
                "key": due.key,
                "attempt": attempt,
            }
            entry: domain.ReminderEvent
            if error is None:
                entry = domain.ReminderSent(
                    **meta, reason=f"sent to {due.role}", channel=due.channel
                )
            else:
                entry = domain.ReminderFailed(
                    **meta,
                    reason=f"attempt {attempt} failed",
                    error=error,
                    retry_at=self.clock() + domain.retry_pause(rules, attempt),
                )
            if self._append([entry]):
                return
        raise RecommendationsError(  # pragma: no cover - twenty writers in a row
            "the outcome of a reminder could not be recorded", reference=due.reference
        )


def notice(
    due: domain.ReminderDue,
    history: Sequence[domain.RecommendationEvent],
    target: str,
    attempt: int,
) -> Notice:
    """The notice of reminder ``due`` to ``target``, attempt ``attempt``."""
    state = domain.project(history)
    label = _LABELS.get(due.rule, due.rule)
    subject = f"{label}: recommendation {due.reference}"
    lines = [f"{label}: recommendation {due.reference}."]
    if state is not None:
        lines.append(state.text)
        if state.owner is not None:
            lines.append(f"Owner: {state.owner}.")
    if due.deadline is not None:
        what = {"no-progress": "Progress last noted", "claim-waiting": "Claimed on"}
        lines.append(f"{what.get(due.rule, 'Due on')}: {due.deadline.isoformat()}.")
    if due.rung:
        lines.append(f"Sent to you as {due.role} (escalation step {due.rung}).")
    return Notice(
        message_id=due.message_id,
        reference=due.reference,
        rule=due.rule,
        role=due.role,
        target=target,
        deadline=due.deadline.isoformat() if due.deadline is not None else None,
        attempt=attempt,
        subject=subject,
        text="\n\n".join(lines),
    )


def record_rules(
    tracker: object, rules: domain.ReminderRules, *, effective_on: date, by: str, reason: str
) -> domain.RemindersConfigured:
    """Record ``rules`` as the store's reminder rules from ``effective_on``: the entry
    recorded, or the rule refused (``no-change``: they read so already)."""
    from recommendations import Tracker

    assert isinstance(tracker, Tracker)
    for _ in range(20):
        history = tracker._log.item(domain.reminders_configuration_id())
        stamp = tracker._clock()
        if history and history[-1].recorded_at >= stamp:
            stamp = history[-1].recorded_at + timedelta(microseconds=1)
        entry = domain.decide_reminder_rules(
            history, rules, effective_on=effective_on, by=by, reason=reason, recorded_at=stamp
        )
        try:
            tracker.append_log([entry])
        except RuleViolation as error:
            if error.rule != "next-version":
                raise
            continue
        return entry
    raise RecommendationsError(  # pragma: no cover - twenty writers in a row
        "the reminder rules could not be recorded", reference=domain.REMINDERS
    )
