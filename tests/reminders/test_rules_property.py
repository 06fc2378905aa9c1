"""The reminders recorded over two years of runs (the ``--as-at`` moment as a fake clock)
on a generated register of a few hundred items are those a plain model of the rules says.

The model is written out plainly here, item by item and day by day, from the rules as the
reference describes them: it shares nothing with :func:`domain.plan_reminders` but the
entries it reads."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import RuleViolation, domain
from recommendations.domain import ReminderRules, Rung
from tests.conftest import report_details

START = date(2017, 1, 2)
RUN_DAYS = [START + timedelta(days=n) for n in range(0, 730, 13)]  # every 13 days, 2 years
NOW = datetime(2021, 1, 1, tzinfo=UTC)
REPORT = domain.project_report(
    [
        domain.decide_source(
            [],
            domain.PublishReport(
                reference="R",
                details=report_details(published_on=date(2016, 12, 1)),
                effective_on=date(2016, 12, 1),
                by="a",
                reason="b",
            ),
            recorded_at=datetime(2016, 12, 1, tzinfo=UTC),
        )
    ]
)

RULES = ReminderRules(
    due_soon_days=14,
    overdue=True,
    overdue_every_days=45,
    no_progress_days=120,
    claim_waiting_days=30,
    claim_to="secretary",
    ladder=(Rung("owner", 0), Rung("chief", 60), Rung("secretary", 150)),
    quiet=domain.QuietDays(weekdays=(6,), periods=((date(2017, 12, 20), date(2018, 1, 3)),)),
)


def item(chance: random.Random, number: int) -> list[domain.RecommendationEvent]:
    """One item's log: raised, a deadline (or none), perhaps moved, notes, a claim that is
    rejected or accepted."""
    reference = f"{number}"
    raised = START + timedelta(days=chance.randint(0, 300))
    due = chance.choice([None, raised + timedelta(days=chance.randint(20, 400))])
    owner = chance.choice([None, "owner-a", "owner-b"])
    log: list[domain.RecommendationEvent] = []

    def do(command: domain.RecommendationCommand) -> None:
        stamp = NOW + timedelta(minutes=len(log))
        with suppress(RuleViolation):  # a step the lifecycle refuses is left out
            log.append(domain.decide(log, command, recorded_at=stamp, report=REPORT))

    meta = {"by": "a", "reason": "b"}
    do(
        domain.Raise(
            reference=reference,
            text="t",
            report="R",
            owner=owner,
            due_on=due,
            effective_on=raised,
            **meta,
        )
    )
    day = raised
    for _ in range(chance.randint(0, 3)):
        step = chance.choice(["move", "note", "claim"] if owner else ["move", "note"])
        day += timedelta(days=chance.randint(1, 200))
        if step == "move":
            moved = day + timedelta(days=chance.randint(-30, 200))
            do(domain.ChangeDeadline(reference=reference, due_on=moved, effective_on=day, **meta))
        elif step == "note":
            do(domain.NoteProgress(reference=reference, note="n", effective_on=day, **meta))
        else:
            do(domain.ClaimImplementation(reference=reference, note="c", effective_on=day, **meta))
            day += timedelta(days=chance.randint(1, 200))
            if chance.random() < 0.5:
                do(domain.RejectClaim(reference=reference, effective_on=day, **meta))
            else:
                do(
                    domain.Discharge(
                        reference=reference,
                        outcome=domain.Outcome.IMPLEMENTED,
                        accepted_by="x",
                        acceptor_role="inspectorate",
                        effective_on=day,
                        **meta,
                    )
                )
                break
    return log


def _model_wanted(log: list[domain.RecommendationEvent], day: date) -> set[tuple[str, str]]:
    """What the rules want as at ``day``, worked out plainly: (key, role)."""
    seen = [e for e in log if e.effective_on <= day]
    status, due, owner, since, claimed = "open", None, None, None, None
    for e in sorted(seen, key=lambda e: (e.effective_on, e.originator_version)):
        if isinstance(e, domain.Raised):
            due, owner, since = e.due_on, e.owner, e.effective_on
        elif isinstance(e, domain.DeadlineChanged):
            due = e.due_on
        elif isinstance(e, domain.ProgressNoted):
            since = e.effective_on
        elif isinstance(e, domain.ImplementationClaimed):
            status, claimed = "claimed", e.effective_on
        elif isinstance(e, domain.ClaimRejected):
            status = "open"
        elif isinstance(e, domain.Discharged):
            status = "discharged"
    wanted: set[tuple[str, str]] = set()
    if not seen or status == "discharged":
        return wanted
    if status == "open" and owner is not None and due is not None:
        late = (day - due).days
        if -14 <= late < 0:
            wanted.add((f"due-soon:{due}", owner))
        if late > 0:
            wanted.add((f"overdue:{due}", owner))
            if late >= 45:
                wanted.add((f"overdue-again:{due}:{late // 45}", owner))
            if late >= 60:
                wanted.add((f"escalated:{due}:1", "chief"))
            if late >= 150:
                wanted.add((f"escalated:{due}:2", "secretary"))
    if status == "open" and owner is not None and since is not None and (day - since).days >= 120:
        wanted.add((f"no-progress:{since}", owner))
    if status == "claimed" and claimed is not None and (day - claimed).days >= 30:
        wanted.add((f"claim-waiting:{claimed}", "secretary"))
    return wanted


def _quiet(day: date) -> bool:
    return day.weekday() == 6 or date(2017, 12, 20) <= day <= date(2018, 1, 3)


@settings(max_examples=2)
@given(seed=st.integers(0, 2**32), size=st.integers(200, 240))
def test_reminders_recorded_are_what_a_plain_model_says(seed: int, size: int) -> None:
    chance = random.Random(seed)
    for number in range(size):
        log = item(chance, number)
        reminders: list[domain.Event] = []
        due_keys: set[tuple[str, str]] = set()
        cancelled: set[str] = set()
        sent: set[str] = set()
        for day in RUN_DAYS:
            stamp = NOW + timedelta(days=(day - START).days)
            made = domain.plan_reminders(log, reminders, RULES, day=day, recorded_at=stamp, by="r")
            reminders += made
            # every run sends what is outstanding, unless the day is quiet
            if not RULES.quiet.quiet(day):
                for key, out in sorted(domain.outstanding(reminders).items()):
                    reminders.append(
                        domain.ReminderSent(
                            originator_id=out.due.originator_id,
                            originator_version=len(reminders) + 1,
                            recorded_at=stamp + timedelta(seconds=len(reminders)),
                            effective_on=day,
                            actor="r",
                            reason="sent",
                            reference=out.due.reference,
                            key=key,
                            attempt=1,
                            channel="",
                        )
                    )
            # the model
            wanted = _model_wanted(log, day)
            keys = {key for key, _ in wanted}
            waiting = {key for key, _ in due_keys} - sent - cancelled
            cancelled |= waiting - keys
            if not _quiet(day):
                due_keys |= {w for w in wanted if w[0] not in {k for k, _ in due_keys}}
                sent |= {key for key, _ in due_keys} - cancelled
        recorded = {(e.key, e.role) for e in reminders if isinstance(e, domain.ReminderDue)}
        assert recorded == due_keys, log[0].reference
        assert {e.key for e in reminders if isinstance(e, domain.ReminderCancelled)} == cancelled
        versions = [e.originator_version for e in reminders]
        assert versions == list(range(1, len(reminders) + 1))
