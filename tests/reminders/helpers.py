"""A small register to chase, and the reminder rules the tests record."""

from __future__ import annotations

from datetime import date

import recommendations as r
from recommendations import domain
from recommendations.reminders import Reminders
from tests.conftest import report_details, who

OWNER_ROLE = "Head of Public Protection"


def rules(port: int, **changes: object) -> domain.ReminderRules:
    """Rules sending email to the SMTP server on ``port``."""
    fields: dict[str, object] = {
        "due_soon_days": 14,
        "overdue_every_days": 30,
        "ladder": (domain.Rung("owner", 0), domain.Rung("secretary", 60)),
        "addresses": (
            domain.Address(OWNER_ROLE, "email", "hpp@example.org"),
            domain.Address("secretary", "email", "secretary@example.org"),
        ),
        "channels": (
            domain.Channel("email", (("host", "127.0.0.1"), ("port", str(port)), ("timeout", "3"))),
        ),
        "retry_after_minutes": 1,
    }
    fields.update(changes)
    return domain.ReminderRules(**fields)  # type: ignore[arg-type]


def record_rules(tracker: r.Tracker, chosen: domain.ReminderRules, on: date) -> None:
    history = tracker._log.item(domain.reminders_configuration_id())
    entry = domain.decide_reminder_rules(
        history,
        chosen,
        effective_on=on,
        by="Risk manager",
        reason="the committee chases owners",
        recorded_at=tracker._clock(),
    )
    tracker.append_log([entry])


def fill(tracker: r.Tracker, references: list[str], due_on: date) -> None:
    tracker.execute(
        r.PublishReport(
            reference="PEEL-EFF-2016",
            details=report_details(),
            **who(3, 2),  # type: ignore[arg-type]
        )
    )
    for reference in references:
        tracker.execute(
            r.Raise(
                reference=reference,
                text=f"Recommendation {reference}.",
                report="PEEL-EFF-2016",
                grade="amber",
                owner=OWNER_ROLE,
                due_on=due_on,
                **who(3, 2),  # type: ignore[arg-type]
            )
        )


def reminders(tracker: r.Tracker, **options: object) -> Reminders:
    return Reminders(tracker, **options)  # type: ignore[arg-type]
