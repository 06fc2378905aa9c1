"""The reminder rules on their own: what the TOML table refuses, and what the pure
evaluation makes of claims, progress notes, quiet days and discharges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recommendations import ConfigurationError, domain
from recommendations.reminders import rules_from_toml
from tests.conftest import report_details

NOW = datetime(2030, 1, 1, tzinfo=UTC)
REPORT = domain.project_report(
    [
        domain.decide_source(
            [],
            domain.PublishReport(
                reference="R",
                details=report_details(),
                effective_on=date(2017, 3, 2),
                by="a",
                reason="b",
            ),
            recorded_at=datetime(2017, 3, 2, tzinfo=UTC),
        )
    ]
)


@pytest.mark.parametrize(
    ("table", "field", "rule"),
    [
        ("colour = 1", "reminders.colour", "known-key"),
        ('due_soon_days = "soon"', "reminders.due_soon_days", "type"),
        ("due_soon_days = 0", "reminders.due_soon_days", "whole-days"),
        ("quiet_weekdays = [7]", "reminders.quiet.weekdays", "weekday"),
        (
            '[[reminders.ladder]]\nrole = "chief"\nafter_days = 30',
            "reminders.ladder",
            "ladder-starts-with-owner",
        ),
        (
            '[[reminders.ladder]]\nrole = "owner"\nafter_days = 0\n[[reminders.ladder]]\n'
            'role = "chief"\nafter_days = 0',
            "reminders.ladder",
            "ladder-order",
        ),
        (
            '[[reminders.addresses]]\nrole = "x"\nemail = "a"\nwebhook = "b"',
            "reminders.addresses[0]",
            "one-channel",
        ),
        (
            '[reminders.channels.webhook]\nsecret = "k"',
            "reminders.channels.webhook.secret",
            "secret-not-recorded",
        ),
    ],
)
def test_a_table_that_breaks_a_rule_is_refused_naming_field_and_rule(
    table: str, field: str, rule: str
) -> None:
    text = table if table.startswith("[") else f"[reminders]\n{table}"
    with pytest.raises(ConfigurationError) as refused:
        rules_from_toml(text)
    assert (refused.value.field, refused.value.rule) == (field, rule)


def _log(*commands: domain.RecommendationCommand) -> list[domain.RecommendationEvent]:
    log: list[domain.RecommendationEvent] = []
    for number, command in enumerate(commands):
        log.append(
            domain.decide(log, command, recorded_at=NOW.replace(minute=number), report=REPORT)
        )
    return log


def _meta(day: date) -> dict[str, object]:
    return {"effective_on": day, "by": "a", "reason": "b"}


def _plan(
    log: list[domain.RecommendationEvent],
    reminders: list[domain.Event],
    rules: domain.ReminderRules,
    day: date,
) -> list[domain.ReminderEvent]:
    return domain.plan_reminders(log, reminders, rules, day=day, recorded_at=NOW, by="r")


def test_claims_waiting_and_no_progress_and_a_quiet_day() -> None:
    rules = domain.ReminderRules(
        due_soon_days=None,
        overdue=False,
        overdue_every_days=None,
        no_progress_days=60,
        claim_waiting_days=20,
        quiet=domain.QuietDays(weekdays=(6,)),
    )
    raise_ = domain.Raise(reference="1", text="t", report="R", owner="o", **_meta(date(2017, 3, 2)))  # type: ignore[arg-type]
    note = domain.NoteProgress(reference="1", note="n", **_meta(date(2017, 4, 1)))  # type: ignore[arg-type]
    log = _log(raise_, note)
    assert _plan(log, [], rules, date(2017, 5, 30)) == []
    made = _plan(log, [], rules, date(2017, 5, 31))
    assert [(e.key, e.role) for e in made] == [("no-progress:2017-04-01", "o")]  # type: ignore[attr-defined]
    assert _plan(log, [], rules, date(2017, 6, 4)) == []  # a Sunday: quiet
    claim = domain.ClaimImplementation(reference="1", note="c", **_meta(date(2017, 6, 1)))  # type: ignore[arg-type]
    claimed = _log(raise_, note, claim)
    later = _plan(claimed, made, rules, date(2017, 6, 21))
    assert [(type(e).__name__, e.key) for e in later] == [
        ("ReminderCancelled", "no-progress:2017-04-01"),
        ("ReminderDue", "claim-waiting:2017-06-01"),
    ]
    assert later[0].reason == "implementation was claimed"
    assert later[1].role == "secretary"  # type: ignore[attr-defined]
    assert [e.originator_version for e in later] == [2, 3]


def test_a_discharge_cancels_what_is_outstanding_and_nothing_more_is_due() -> None:
    rules = domain.ReminderRules()
    raise_ = domain.Raise(
        reference="1",
        text="t",
        report="R",
        owner="o",
        due_on=date(2017, 6, 30),
        **_meta(date(2017, 3, 2)),
    )  # type: ignore[arg-type]
    due = _plan(_log(raise_), [], rules, date(2017, 7, 3))
    assert [e.key for e in due] == ["overdue:2017-06-30"]
    discharge = domain.Discharge(
        reference="1",
        outcome=domain.Outcome.IMPLEMENTED,
        accepted_by="x",
        acceptor_role="inspectorate",
        **_meta(date(2017, 7, 4)),
    )  # type: ignore[arg-type]
    after = _plan(_log(raise_, discharge), due, rules, date(2017, 9, 1))
    assert [(type(e).__name__, e.reason) for e in after] == [
        ("ReminderCancelled", "the recommendation was discharged")
    ]
