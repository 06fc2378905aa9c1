"""The store's configuration in the pure domain: the policy in force on a date, as known at
a time; the rules a configuration entry and a policy keep; the overdue rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recommendations import ConfigurationError, RuleViolation, domain

NOW = datetime(2019, 8, 1, 9, 0, tzinfo=UTC)
WHITE = domain.Policy(
    scales=(domain.GradingScale.of("rag", "Red", "Amber", "Green", "White"), domain.PEEL),
    kinds=domain.DEFAULT_POLICY.kinds,
)


def _configure(
    history: list[domain.ConfigurationEvent],
    policy: domain.Policy,
    on: date,
    at: datetime = NOW,
) -> domain.Configured:
    return domain.decide_configuration(
        history,
        domain.Configure(policy=policy, effective_on=on, by="Clerk", reason="committee"),
        recorded_at=at,
    )


def test_a_log_with_no_configuration_reads_as_the_default_policy() -> None:
    assert domain.policy_in_force([]) == domain.DEFAULT_POLICY


def test_the_policy_in_force_follows_both_time_axes() -> None:
    first = _configure([], WHITE, date(2019, 6, 1), datetime(2019, 7, 1, tzinfo=UTC))
    assert first.reference == "configuration"
    assert first.originator_id == domain.configuration_id()
    log = [first]
    assert domain.policy_in_force(log, as_at=date(2019, 5, 31)) == domain.DEFAULT_POLICY
    assert domain.policy_in_force(log, as_at=date(2019, 6, 1)) == WHITE
    before = datetime(2019, 6, 30, tzinfo=UTC)
    assert domain.policy_in_force(log, as_at=date(2019, 6, 1), known_at=before) == (
        domain.DEFAULT_POLICY
    )
    # Back to the default from September; recorded later, it changes nothing before it.
    second = _configure(
        log, domain.DEFAULT_POLICY, date(2019, 9, 1), datetime(2019, 9, 2, tzinfo=UTC)
    )
    log.append(second)
    assert domain.policy_in_force(log, as_at=date(2019, 8, 31)) == WHITE
    assert domain.policy_in_force(log, as_at=date(2019, 9, 1)) == domain.DEFAULT_POLICY


def test_an_entry_on_the_same_day_replaces_the_earlier_one_from_when_it_is_known() -> None:
    first = _configure([], WHITE, date(2019, 6, 1), datetime(2019, 6, 1, tzinfo=UTC))
    other = domain.Policy(
        scales=(domain.GAO, domain.PEEL), kinds=domain.DEFAULT_POLICY.kinds, default_scale="gao"
    )
    second = _configure([first], other, date(2019, 6, 1), datetime(2019, 7, 1, tzinfo=UTC))
    assert second.originator_version == 2
    log = [first, second]
    assert domain.policy_in_force(log, as_at=date(2019, 6, 1)) == other
    assert domain.policy_in_force(
        log, as_at=date(2019, 6, 1), known_at=datetime(2019, 6, 15, tzinfo=UTC)
    ) == (WHITE)


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"by": " "}, "by", "required"),
        ({"reason": ""}, "reason", "required"),
        ({"effective_on": date(2019, 8, 3)}, "effective_on", "not-in-future"),
        ({"policy": domain.DEFAULT_POLICY}, "policy", "no-change"),
        ({"policy": "white"}, "policy", "type"),
    ],
)
def test_a_configuration_entry_keeps_the_rules(
    change: dict[str, object], field: str, rule: str
) -> None:
    values: dict[str, object] = {
        "policy": WHITE,
        "effective_on": date(2019, 6, 1),
        "by": "Clerk",
        "reason": "committee",
        **change,
    }
    with pytest.raises(RuleViolation) as refused:
        domain.decide_configuration(
            [],
            domain.Configure(**values),  # type: ignore[arg-type]
            recorded_at=NOW,
        )
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert refused.value.reference == "configuration"


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"statuses": {"open": "Open"}}, "statuses", "statuses-labelled"),
        ({"outcomes": {"finished": "Finished"}}, "outcomes", "outcome-known"),
        ({"outcomes": {}}, "outcomes", "outcome-known"),
        ({"overdue_after_days": 0}, "overdue_after_days", "overdue-days"),
        ({"uncounted": ("purple",)}, "uncounted", "grade-on-scale"),
    ],
)
def test_a_policy_keeps_its_own_rules(change: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        domain.Policy(scales=(domain.RAG, domain.PEEL), kinds=domain.DEFAULT_POLICY.kinds, **change)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_the_overdue_rule_measures_from_raising_where_no_due_date_is_set() -> None:
    policy = domain.Policy(
        scales=(domain.RAG, domain.PEEL),
        kinds=domain.DEFAULT_POLICY.kinds,
        overdue_after_days=30,
    )
    raised = date(2019, 1, 1)

    def overdue(status: domain.Status, due: date | None, on: date) -> bool:
        return policy.is_overdue(status=status, due_on=due, raised_on=raised, on=on)

    assert not overdue(domain.Status.OPEN, None, date(2019, 1, 31))
    assert overdue(domain.Status.OPEN, None, date(2019, 2, 1))
    assert overdue(domain.Status.CLAIMED, None, date(2019, 2, 1))
    assert not overdue(domain.Status.DISCHARGED, None, date(2019, 2, 1))
    assert not overdue(domain.Status.OPEN, date(2019, 3, 1), date(2019, 2, 1))
    assert overdue(domain.Status.OPEN, date(2019, 1, 15), date(2019, 1, 16))
    assert not domain.DEFAULT_POLICY.is_overdue(
        status=domain.Status.OPEN, due_on=None, raised_on=raised, on=date(2029, 1, 1)
    )


def test_a_discharge_names_an_outcome_the_policy_allows() -> None:
    policy = domain.Policy(
        scales=(domain.RAG, domain.PEEL),
        kinds=domain.DEFAULT_POLICY.kinds,
        outcomes={"implemented": "Implemented"},
    )
    report = domain.project_report(
        [
            domain.decide_source(
                [],
                domain.PublishReport(
                    reference="R",
                    details=domain.ReportDetails(
                        title="R",
                        body="Force",
                        inspection=None,
                        inspectorates=("HMIC",),
                        published_on=date(2019, 1, 1),
                        scale=domain.PEEL,
                        overall_grade=None,
                        area_grades=(),
                        findings=(),
                        national=False,
                        sensitive=False,
                    ),
                    effective_on=date(2019, 1, 1),
                    by="Clerk",
                    reason="published",
                ),
                recorded_at=NOW,
            )
        ]
    )
    raised = domain.decide(
        [],
        domain.Raise(
            reference="A",
            report="R",
            text="Do it",
            effective_on=date(2019, 1, 1),
            by="Clerk",
            reason="made",
        ),
        recorded_at=NOW,
        report=report,
        policy=policy,
    )
    discharge = domain.Discharge(
        reference="A",
        outcome=domain.Outcome.NO_LONGER_RELEVANT,
        accepted_by="HMIC",
        acceptor_role="inspectorate",
        effective_on=date(2019, 2, 1),
        by="Clerk",
        reason="closed",
    )
    with pytest.raises(RuleViolation) as refused:
        domain.decide([raised], discharge, recorded_at=NOW, policy=policy)
    assert (refused.value.field, refused.value.rule) == ("outcome", "outcome-configured")
    assert domain.decide([raised], discharge, recorded_at=NOW).outcome is (
        domain.Outcome.NO_LONGER_RELEVANT
    )
