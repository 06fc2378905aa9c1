"""Hypothesis strategies for every value and event of the domain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import strategies as st

from recommendations import domain

texts = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")
codes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).filter(
    lambda s: s.strip("-") != ""
)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC) | offsets
)
text_tuples = st.lists(texts, max_size=3).map(tuple)

grades = st.builds(domain.Grade, code=codes, label=texts)
scales = st.builds(
    domain.GradingScale,
    name=codes,
    grades=st.lists(grades, min_size=1, max_size=5, unique_by=lambda g: g.code),
)
kinds = st.builds(domain.ItemKind, name=codes, acceptors=st.lists(codes, min_size=1, max_size=3))
findings = st.builds(
    domain.Finding, reference=texts, kind=st.sampled_from(domain.FindingKind), text=texts
)
area_grades = st.builds(domain.AreaGrade, area=texts, grade=codes)


def _meta() -> dict[str, st.SearchStrategy[object]]:
    return {
        "originator_id": st.uuids(),
        "originator_version": st.integers(min_value=1, max_value=10_000),
        "recorded_at": aware_datetimes,
        "effective_on": dates,
        "actor": texts,
        "reason": texts,
    }


raised = st.builds(
    domain.Raised,
    **_meta(),
    reference=texts,
    text=texts,
    points=text_tuples,
    body=texts,
    report=texts,
    inspection=st.none() | texts,
    finding=st.none() | texts,
    inspectorates=text_tuples,
    kind=kinds,
    scope=st.sampled_from(domain.Scope),
    sensitive=st.booleans(),
    scale=scales,
    grade=st.none() | codes,
    owner=st.none() | texts,
    owner_name=st.none() | texts,
    due_on=st.none() | dates,
    priority=st.none() | codes,
    response=st.none() | st.sampled_from(domain.Response),
    response_text=st.none() | texts,
    addressed_to=st.none() | texts,
)
_amendable: dict[type[domain.Event], st.SearchStrategy[domain.Event]] = {
    domain.Raised: raised,
    domain.Assigned: st.builds(
        domain.Assigned, **_meta(), owner=texts, owner_name=st.none() | texts
    ),
    domain.Regraded: st.builds(domain.Regraded, **_meta(), grade=codes),
    domain.ProgressNoted: st.builds(
        domain.ProgressNoted, **_meta(), note=texts, evidence=text_tuples
    ),
    domain.DeadlineChanged: st.builds(domain.DeadlineChanged, **_meta(), due_on=st.none() | dates),
    domain.ImplementationClaimed: st.builds(
        domain.ImplementationClaimed, **_meta(), note=texts, evidence=text_tuples
    ),
    domain.Discharged: st.builds(
        domain.Discharged,
        **_meta(),
        outcome=st.sampled_from(domain.Outcome),
        accepted_by=texts,
        acceptor_role=codes,
        superseded_by=st.none() | texts,
    ),
    domain.Reopened: st.builds(domain.Reopened, **_meta()),
    domain.ClaimRejected: st.builds(domain.ClaimRejected, **_meta()),
    domain.Prioritised: st.builds(domain.Prioritised, **_meta(), priority=st.none() | codes),
    domain.ResponseRecorded: st.builds(
        domain.ResponseRecorded,
        **_meta(),
        response=st.sampled_from(domain.Response),
        response_text=st.none() | texts,
    ),
}
amendable = st.one_of(*_amendable.values())
corrected = st.builds(
    domain.Corrected,
    **_meta(),
    corrects=st.integers(min_value=1, max_value=10_000),
    what_was_wrong=texts,
    replacement=st.none() | amendable,
)
inspection_details = st.builds(
    domain.InspectionDetails,
    title=texts,
    body=texts,
    inspectorates=text_tuples,
    fieldwork_from=st.none() | dates,
    fieldwork_to=st.none() | dates,
    hot_debrief_on=st.none() | dates,
    expected_report=st.none() | texts,
    national=st.booleans(),
    sensitive=st.booleans(),
)
report_details = st.builds(
    domain.ReportDetails,
    title=texts,
    body=texts,
    inspection=st.none() | texts,
    inspectorates=text_tuples,
    published_on=dates,
    scale=scales,
    overall_grade=st.none() | codes,
    area_grades=st.lists(area_grades, max_size=4).map(tuple),
    findings=st.lists(findings, max_size=4).map(tuple),
    national=st.booleans(),
    sensitive=st.booleans(),
)
_sources: dict[type[domain.Event], st.SearchStrategy[domain.Event]] = {
    domain.InspectionRecorded: st.builds(
        domain.InspectionRecorded, **_meta(), reference=texts, details=inspection_details
    ),
    domain.InspectionRevised: st.builds(
        domain.InspectionRevised, **_meta(), details=inspection_details
    ),
    domain.ReportPublished: st.builds(
        domain.ReportPublished, **_meta(), reference=texts, details=report_details
    ),
    domain.ReportRevised: st.builds(domain.ReportRevised, **_meta(), details=report_details),
    domain.PlanStatusChanged: st.builds(domain.PlanStatusChanged, **_meta(), status=texts),
}

policies = st.builds(
    lambda scales_, kinds_, overdue, statuses, priorities: domain.Policy(
        scales=scales_,
        kinds=kinds_,
        default_scale=scales_[0].name,
        report_scale=scales_[-1].name,
        default_kind=kinds_[0].name,
        statuses=statuses,
        overdue_after_days=overdue,
        uncounted=scales_[0].codes[:1],
        priorities=priorities,
    ),
    st.lists(scales, min_size=1, max_size=3, unique_by=lambda s: s.name),
    st.lists(kinds, min_size=1, max_size=2, unique_by=lambda k: k.name),
    st.none() | st.integers(min_value=1, max_value=3650),
    st.fixed_dictionaries({status.value: texts for status in domain.Status}),
    st.dictionaries(codes, texts, max_size=3),
)
configured = st.builds(domain.Configured, **_meta(), reference=texts, policy=policies)

rungs = st.lists(
    st.builds(domain.Rung, role=texts, after_days=st.integers(min_value=1, max_value=3650)),
    max_size=3,
    unique_by=lambda r: r.after_days,
).map(lambda more: (domain.Rung("owner", 0), *sorted(more, key=lambda r: r.after_days)))
optional_days = st.none() | st.integers(min_value=1, max_value=3650)
reminder_rules = st.builds(
    domain.ReminderRules,
    due_soon_days=optional_days,
    overdue=st.booleans(),
    overdue_every_days=optional_days,
    no_progress_days=optional_days,
    claim_waiting_days=optional_days,
    claim_to=texts,
    ladder=rungs,
    quiet=st.builds(
        domain.QuietDays,
        weekdays=st.lists(st.integers(0, 6), max_size=2).map(tuple),
        periods=st.lists(dates.map(lambda d: (d, d)), max_size=2).map(tuple),
    ),
    addresses=st.lists(
        st.builds(
            domain.Address, role=texts, channel=st.sampled_from(domain.CHANNELS), target=texts
        ),
        max_size=3,
    ).map(tuple),
    channels=st.lists(
        st.builds(
            domain.Channel,
            name=codes,
            settings=st.lists(st.tuples(codes, texts), max_size=3).map(tuple),
            secret_file=st.none() | texts,
            secret_env=st.none() | texts,
        ),
        max_size=2,
    ).map(tuple),
    retry_after_minutes=st.integers(min_value=1, max_value=600),
)
_reminder = {**_meta(), "reference": texts, "key": texts}
_due = {
    **_reminder,
    "rule": st.sampled_from(domain.RULES),
    "role": texts,
    "channel": st.sampled_from(("", *domain.CHANNELS)),
    "deadline": st.none() | dates,
    "rung": st.integers(min_value=0, max_value=5),
    "message_id": texts,
}
_reminders: dict[type[domain.Event], st.SearchStrategy[domain.Event]] = {
    domain.RemindersConfigured: st.builds(
        domain.RemindersConfigured, **_meta(), reference=texts, rules=reminder_rules
    ),
    domain.ReminderDue: st.builds(domain.ReminderDue, **_due),
    domain.Escalated: st.builds(domain.Escalated, **_due),
    domain.ReminderClaimed: st.builds(
        domain.ReminderClaimed, **_reminder, attempt=st.integers(1, 100), until=aware_datetimes
    ),
    domain.ReminderSent: st.builds(
        domain.ReminderSent, **_reminder, attempt=st.integers(1, 100), channel=texts
    ),
    domain.ReminderFailed: st.builds(
        domain.ReminderFailed,
        **_reminder,
        attempt=st.integers(1, 100),
        error=texts,
        retry_at=aware_datetimes,
    ),
    domain.ReminderCancelled: st.builds(domain.ReminderCancelled, **_reminder),
}

by_type: dict[type[domain.Event], st.SearchStrategy[domain.Event]] = {
    **_reminders,
    **_amendable,
    domain.Corrected: corrected,
    **_sources,
    domain.Configured: configured,
}
"""A strategy for each event type, with any field values the type allows."""

events: st.SearchStrategy[domain.Event] = st.one_of(*by_type.values())
"""Any event of any type."""
