"""The lifecycle rules, decided and folded with no storage at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from recommendations import (
    AlreadyExists,
    ConfigurationError,
    NotFound,
    RuleViolation,
    TimelineConflict,
    domain,
)
from recommendations.domain import (
    Assign,
    ChangeDeadline,
    ClaimImplementation,
    Correct,
    Discharge,
    NoteProgress,
    Outcome,
    Raise,
    Regrade,
    Reopen,
    Status,
)

REPORT_ON = date(2017, 3, 2)


def report(*, sensitive: bool = False, national: bool = False) -> domain.Report:
    return domain.Report(
        id=domain.report_id("R"),
        version=1,
        reference="R",
        entered_on=REPORT_ON,
        details=domain.ReportDetails(
            title="PEEL Effectiveness 2016",
            body="West Midlands Police",
            inspection=None,
            inspectorates=("HMIC",),
            published_on=REPORT_ON,
            scale=domain.PEEL,
            overall_grade="good",
            area_grades=(),
            findings=(domain.Finding("2.15", domain.FindingKind.CAUSE_OF_CONCERN, "DASH"),),
            national=national,
            sensitive=sensitive,
        ),
    )


class Log:
    """A recommendation's log kept in a list, with a clock one hour per entry."""

    def __init__(self, policy: domain.Policy = domain.DEFAULT_POLICY) -> None:
        self.events: list[domain.RecommendationEvent] = []
        self.clock = datetime(2017, 6, 1, 9, tzinfo=UTC)
        self.policy = policy

    def do(self, command: Any, **kw: Any) -> domain.RecommendationEvent:
        self.clock += timedelta(hours=1)
        event = domain.decide(
            self.events, command, recorded_at=self.clock, policy=self.policy, report=report(**kw)
        )
        self.events.append(event)
        return event

    @property
    def state(self) -> domain.Recommendation:
        state = domain.project(self.events)
        assert state is not None
        return state


def on(month: int, day: int) -> dict[str, Any]:
    return {"effective_on": date(2017, month, day), "by": "Kath Holder", "reason": "committee"}


def raised(**changes: Any) -> Log:
    log = Log(changes.pop("policy", domain.DEFAULT_POLICY))
    fields: dict[str, Any] = {
        "reference": "2.16",
        "text": "Supervise DASH risk assessments",
        "report": "R",
        "grade": "amber",
        **on(3, 2),
    }
    fields.update(changes)
    log.do(Raise(**fields))
    return log


# --- raising ---------------------------------------------------------------------------------


def test_raise_takes_its_source_and_policy() -> None:
    state = raised(finding="2.15", owner="ACC", due_on=REPORT_ON).state
    assert (state.reference, state.report, state.body) == ("2.16", "R", "West Midlands Police")
    assert state.inspectorates == ("HMIC",)
    assert state.scale == domain.RAG
    assert state.kind.name == "recommendation"
    assert state.scope is domain.Scope.BODY
    assert state.status is Status.OPEN
    assert (state.due_on, state.original_due_on, state.version) == (REPORT_ON, REPORT_ON, 1)


def test_a_reference_is_raised_once() -> None:
    log = raised()
    with pytest.raises(AlreadyExists, match="rule 'raised-once'"):
        log.do(Raise(reference="2.16", text="again", report="R", **on(3, 3)))


def test_raise_needs_the_report_entered() -> None:
    with pytest.raises(NotFound, match="no report 'Other'"):
        domain.decide(
            [],
            Raise(reference="x", text="t", report="Other", **on(3, 3)),
            recorded_at=datetime(2017, 4, 1, tzinfo=UTC),
            report=None,
        )


def test_raise_not_before_its_report() -> None:
    with pytest.raises(RuleViolation, match="rule 'not-before-report'"):
        raised(effective_on=date(2017, 3, 1))


def test_a_finding_must_be_in_the_report() -> None:
    with pytest.raises(RuleViolation, match="field 'finding': rule 'finding-in-report'"):
        raised(finding="9.99")


def test_a_national_report_makes_national_recommendations() -> None:
    log = Log()
    log.do(Raise(reference="CB/1", text="t", report="R", **on(3, 2)), national=True)
    assert log.state.scope is domain.Scope.NATIONAL


def test_a_sensitive_source_makes_sensitive_recommendations() -> None:
    log = Log()
    log.do(Raise(reference="CT/1", text="t", report="R", **on(3, 2)), sensitive=True)
    assert log.state.sensitive
    with pytest.raises(RuleViolation, match="rule 'sensitive-source'"):
        Log().do(
            Raise(reference="CT/2", text="t", report="R", sensitive=False, **on(3, 2)),
            sensitive=True,
        )


def test_an_unknown_scale_or_kind_is_refused_naming_the_recommendation() -> None:
    with pytest.raises(RuleViolation, match="recommendation '2.16': field 'scale'"):
        raised(scale="stars")
    with pytest.raises(RuleViolation, match="recommendation '2.16': field 'kind'"):
        raised(kind="wish")


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"grade": "purple"}, "grade", "grade-on-scale"),
        ({"text": "  "}, "text", "required"),
        ({"points": ("ok", " ")}, "points", "required"),
        ({"owner": ""}, "owner", "required"),
        ({"by": ""}, "by", "required"),
        ({"reason": ""}, "reason", "required"),
        ({"due_on": date(2017, 3, 1)}, "due_on", "due-not-before-raised"),
        ({"reference": " "}, "reference", "required"),
        ({"reference": "2.16\u200b"}, "reference", "reference-characters"),
        ({"effective_on": date(2027, 1, 1)}, "effective_on", "not-in-future"),
    ],
)
def test_raise_refuses_bad_input(changes: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        raised(**changes)
    assert (caught.value.field, caught.value.rule) == (field, rule)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"effective_on": "2017-03-02"}, "effective_on"),
        ({"effective_on": datetime(2017, 3, 2, tzinfo=UTC)}, "effective_on"),
        ({"grade": 3}, "grade"),
        ({"points": ("a", 2)}, "points"),
        ({"scope": "national"}, "scope"),
        ({"sensitive": "no"}, "sensitive"),
    ],
)
def test_wrong_types_are_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        raised(**changes)
    assert (caught.value.reference, caught.value.field, caught.value.rule) == (
        "2.16",
        field,
        "type",
    )


# --- the lifecycle ---------------------------------------------------------------------------


def test_a_whole_life() -> None:
    log = raised(due_on=date(2017, 6, 30))
    log.do(Assign(reference="2.16", owner="Head of Public Protection", **on(3, 10)))
    log.do(NoteProgress(reference="2.16", note="audit started", evidence=["a.pdf"], **on(3, 20)))
    log.do(ChangeDeadline(reference="2.16", due_on=date(2017, 9, 30), **on(3, 30)))
    log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    log.do(ClaimImplementation(reference="2.16", note="done", **on(4, 1)))
    state = log.state
    assert (state.status, state.claimed_on, state.progress_notes) == (
        Status.CLAIMED,
        date(2017, 4, 1),
        2,
    )
    assert (state.due_on, state.original_due_on, state.deferrals) == (
        date(2017, 9, 30),
        date(2017, 6, 30),
        1,
    )
    assert state.is_overdue(date(2017, 10, 1)) and not state.is_overdue(date(2017, 9, 30))
    log.do(
        Discharge(
            reference="2.16",
            outcome=Outcome.IMPLEMENTED,
            accepted_by="HMIC",
            acceptor_role="inspectorate",
            **on(4, 2),
        )
    )
    state = log.state
    assert (state.status, state.outcome, state.discharged_on) == (
        Status.DISCHARGED,
        Outcome.IMPLEMENTED,
        date(2017, 4, 2),
    )
    assert not state.is_overdue(date(2018, 1, 1))
    log.do(Reopen(reference="2.16", **on(5, 1)))
    state = log.state
    assert (state.status, state.times_reopened, state.outcome) == (Status.OPEN, 1, None)
    assert state.version == len(log.events) == 8
    assert state.last_changed_on == date(2017, 5, 1)


def discharge(**changes: Any) -> Discharge:
    fields: dict[str, Any] = {
        "reference": "2.16",
        "outcome": Outcome.IMPLEMENTED,
        "accepted_by": "HMIC",
        "acceptor_role": "inspectorate",
        **on(3, 25),
    }
    fields.update(changes)
    return Discharge(**fields)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"outcome": Outcome.SUPERSEDED}, "superseded_by", "discharge-names-outcome"),
        (
            {"outcome": Outcome.SUPERSEDED, "superseded_by": "2.16"},
            "superseded_by",
            "discharge-names-outcome",
        ),
        ({"superseded_by": "2.18"}, "superseded_by", "discharge-names-outcome"),
        ({"acceptor_role": "body"}, "acceptor_role", "acceptor-allowed"),
        ({"accepted_by": " "}, "accepted_by", "required"),
        ({"outcome": None}, "outcome", "type"),
        ({"outcome": "implemented"}, "outcome", "type"),
    ],
)
def test_a_discharge_names_its_outcome_and_an_allowed_acceptor(
    changes: dict[str, Any], field: str, rule: str
) -> None:
    log = raised()
    with pytest.raises(RuleViolation) as caught:
        log.do(discharge(**changes))
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert len(log.events) == 1


def test_who_may_accept_is_data() -> None:
    log = raised(kind="area-for-improvement")
    log.do(discharge(acceptor_role="body"))
    assert log.state.acceptor_role == "body"


def test_superseded_names_the_successor() -> None:
    log = raised()
    log.do(discharge(outcome=Outcome.SUPERSEDED, superseded_by="2.18"))
    assert log.state.superseded_by == "2.18"


def test_nothing_changes_a_discharged_recommendation() -> None:
    log = raised()
    log.do(discharge())
    for command in (
        Regrade(reference="2.16", grade="green", **on(3, 26)),
        Assign(reference="2.16", owner="x", **on(3, 26)),
        NoteProgress(reference="2.16", note="x", **on(3, 26)),
        ChangeDeadline(reference="2.16", due_on=date(2018, 1, 1), **on(3, 26)),
        ClaimImplementation(reference="2.16", note="x", **on(3, 26)),
        discharge(effective_on=date(2017, 3, 26)),
    ):
        with pytest.raises(TimelineConflict) as caught:
            log.do(command)
        error = caught.value
        assert (error.rule, error.conflicts_with, error.conflicting_event) == (
            "not-after-discharge",
            2,
            "Discharged",
        )
        assert "recommendation '2.16'" in str(error) and "Discharged (entry 2" in str(error)
    assert len(log.events) == 2


def test_a_backdated_entry_goes_in_its_place() -> None:
    log = raised()
    log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    log.do(Assign(reference="2.16", owner="ACC", **on(3, 10)))  # entered late
    assert log.state.owner == "ACC"
    as_at = domain.project(log.events, as_at=date(2017, 3, 15))
    assert as_at is not None
    assert (as_at.owner, as_at.grade, as_at.version) == ("ACC", "amber", 3)


def test_a_backdated_regrade_before_a_discharge_is_fine_but_not_after() -> None:
    log = raised()
    log.do(discharge())
    log.do(Regrade(reference="2.16", grade="green", **on(3, 20)))
    assert log.state.grade == "green"
    with pytest.raises(TimelineConflict, match="conflicts with Discharged"):
        log.do(Regrade(reference="2.16", grade="red", **on(3, 27)))


def test_a_backdated_discharge_before_later_entries_is_refused_naming_them() -> None:
    log = raised()
    log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    with pytest.raises(TimelineConflict) as caught:
        log.do(discharge(effective_on=date(2017, 3, 20)))
    assert (caught.value.conflicts_with, caught.value.conflicting_event) == (2, "Regraded")
    assert "Regraded (entry 2, effective 2017-03-30" in str(caught.value)


def test_nothing_takes_effect_before_raising() -> None:
    log = raised()
    with pytest.raises(TimelineConflict) as caught:
        log.do(Regrade(reference="2.16", grade="green", **on(3, 1)))
    assert (caught.value.rule, caught.value.conflicts_with) == ("not-before-raised", 1)


def test_reopen_only_when_discharged() -> None:
    with pytest.raises(RuleViolation, match="rule 'reopen-only-discharged'"):
        raised().do(Reopen(reference="2.16", **on(3, 3)))


def test_a_claim_needs_an_owner_and_is_made_once() -> None:
    log = raised()
    with pytest.raises(RuleViolation, match="rule 'claim-needs-owner'"):
        log.do(ClaimImplementation(reference="2.16", note="done", **on(3, 3)))
    log.do(Assign(reference="2.16", owner="ACC", **on(3, 3)))
    log.do(ClaimImplementation(reference="2.16", note="done", **on(3, 4)))
    with pytest.raises(TimelineConflict, match="rule 'claim-only-open'"):
        log.do(ClaimImplementation(reference="2.16", note="again", **on(3, 5)))


@pytest.mark.parametrize(
    "command",
    [
        Regrade(reference="2.16", grade="amber", **on(3, 3)),
        Assign(reference="2.16", owner="ACC", **on(3, 3)),
        ChangeDeadline(reference="2.16", due_on=None, **on(3, 3)),
    ],
)
def test_a_command_that_changes_nothing_is_refused(command: Any) -> None:
    log = raised(owner="ACC")
    with pytest.raises(RuleViolation, match="rule 'no-change'"):
        log.do(command)


def test_commands_for_an_unknown_reference() -> None:
    with pytest.raises(NotFound, match="recommendation 'nope'"):
        domain.decide(
            [],
            Regrade(reference="nope", grade="red", **on(3, 3)),
            recorded_at=datetime(2017, 4, 1, tzinfo=UTC),
        )


def test_recorded_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        domain.decide(
            [],
            Raise(reference="x", text="t", report="R", **on(3, 3)),
            recorded_at=datetime(2017, 4, 1),
            report=report(),
        )


def test_a_rejected_claim_opens_the_recommendation_again() -> None:
    log = raised(owner="ACC")
    with pytest.raises(RuleViolation, match="rule 'reject-only-claimed'"):
        log.do(domain.RejectClaim(reference="2.16", **on(3, 3)))
    log.do(ClaimImplementation(reference="2.16", note="done", **on(3, 4)))
    log.do(domain.RejectClaim(reference="2.16", **on(3, 5)))
    assert (log.state.status, log.state.claimed_on) == (Status.OPEN, None)
    log.do(ClaimImplementation(reference="2.16", note="done now", **on(3, 6)))
    assert log.state.status is Status.CLAIMED


def test_only_the_inspectorate_closes_as_closed_by_the_inspectorate() -> None:
    log = raised()
    with pytest.raises(RuleViolation, match="rule 'acceptor-allowed'"):
        log.do(discharge(outcome=Outcome.CLOSED_BY_INSPECTORATE, acceptor_role="oversight-board"))
    log.do(discharge(outcome=Outcome.CLOSED_BY_INSPECTORATE))
    assert log.state.outcome is Outcome.CLOSED_BY_INSPECTORATE


# --- corrections -----------------------------------------------------------------------------


def correct(version: int, **changes: Any) -> Correct:
    strike = changes.pop("strike", False)
    return Correct(
        reference="2.16",
        version=version,
        what_was_wrong="entered wrongly",
        changes=changes,
        strike=strike,
        **on(4, 5),
    )


def test_a_correction_replaces_an_entry_without_editing_it() -> None:
    log = raised()
    regrade = log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    before = list(log.events)
    log.do(correct(2, grade="red", effective_on=date(2017, 3, 20)))
    assert log.events[:2] == before  # nothing edited
    assert log.state.grade == "red"
    assert log.state.version == 3
    as_at = domain.project(log.events, as_at=date(2017, 3, 25))
    assert as_at is not None and as_at.grade == "red"
    known_before = domain.project(log.events, known_at=regrade.recorded_at)
    assert known_before is not None and known_before.grade == "green"


def test_the_later_correction_wins() -> None:
    log = raised()
    log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    log.do(correct(2, grade="red"))
    log.do(correct(2, grade="green", effective_on=date(2017, 3, 29)))
    assert log.state.grade == "green"


def test_a_correction_can_strike_an_entry() -> None:
    log = raised()
    log.do(Assign(reference="2.16", owner="Wrong Person", **on(3, 3)))
    log.do(correct(2, strike=True))
    assert log.state.owner is None
    with pytest.raises(RuleViolation, match="was struck out"):
        log.do(correct(2, owner="Right Person"))


@pytest.mark.parametrize(
    ("command", "field", "rule"),
    [
        (correct(1, strike=True), "strike", "correction-target"),
        (correct(1, reference="2.17"), "reference", "correction-target"),
        (
            correct(1, recorded_at=datetime(2017, 1, 1, tzinfo=UTC)),
            "recorded_at",
            "correction-target",
        ),
        (correct(1, colour="blue"), "colour", "correction-target"),
        (correct(1, grade="amber"), "changes", "no-change"),
        (correct(1), "changes", "no-change"),
        (correct(1, grade=7), "grade", "type"),
        (correct(1, grade="purple"), "grade", "grade-on-scale"),
        (correct(1, strike=True, grade="red"), "changes", "correction-target"),
        (correct(2, grade="red"), "version", "correction-target"),
    ],
)
def test_corrections_are_checked(command: Correct, field: str, rule: str) -> None:
    log = raised()
    log.do(correct(1, text="Supervise DASH risk assessments properly"))
    with pytest.raises(RuleViolation) as caught:
        log.do(command)
    assert (caught.value.field, caught.value.rule) == (field, rule)


@pytest.mark.parametrize(
    "field", ["kind", "scale", "report", "inspection", "body", "inspectorates", "finding"]
)
def test_what_a_raising_copied_cannot_be_corrected(field: str) -> None:
    log = raised()
    value = {
        "kind": domain.ItemKind("recommendation", ("anyone",)),
        "scale": domain.GAO,
        "inspectorates": ("X",),
    }.get(field, "X")
    with pytest.raises(RuleViolation) as caught:
        log.do(correct(1, **{field: value}))
    assert (caught.value.field, caught.value.rule) == (field, "correction-target")


def test_a_raising_cannot_be_corrected_round_its_report() -> None:
    log = raised(effective_on=date(2017, 3, 5))
    with pytest.raises(RuleViolation, match="rule 'not-before-report'"):
        log.do(correct(1, effective_on=date(2017, 3, 1)))
    log.do(correct(1, effective_on=date(2017, 3, 3)))
    assert log.state.raised_on == date(2017, 3, 3)
    sensitive = Log()
    sensitive.do(Raise(reference="CT/1", text="t", report="R", **on(3, 2)), sensitive=True)
    with pytest.raises(RuleViolation, match="rule 'sensitive-source'"):
        sensitive.do(
            Correct(
                reference="CT/1",
                version=1,
                what_was_wrong="x",
                changes={"sensitive": False},
                **on(4, 5),
            ),
            sensitive=True,
        )


def test_a_correction_turns_lists_into_tuples() -> None:
    log = raised()
    log.do(correct(1, points=["first", "second"]))
    assert log.state.points == ("first", "second")


def test_a_correction_of_an_unknown_entry() -> None:
    with pytest.raises(NotFound, match="no entry 5"):
        raised().do(correct(5, grade="red"))


def test_a_correction_that_breaks_the_timeline_is_refused() -> None:
    log = raised()
    log.do(Regrade(reference="2.16", grade="green", **on(3, 10)))
    log.do(discharge(effective_on=date(2017, 3, 20)))
    with pytest.raises(TimelineConflict) as caught:
        log.do(correct(2, effective_on=date(2017, 3, 21)))
    assert caught.value.conflicts_with == 3
    with pytest.raises(TimelineConflict, match="not-before-raised"):
        log.do(correct(1, effective_on=date(2017, 3, 15)))


# --- time ------------------------------------------------------------------------------------


def test_known_at_and_as_at_are_independent_axes() -> None:
    """An update recorded on 10 April, effective 30 March, shows for V >= 30 March only
    when K >= 10 April."""
    log = Log()
    log.clock = datetime(2017, 3, 2, 12, tzinfo=UTC)
    log.do(Raise(reference="2.16", text="t", report="R", grade="amber", **on(3, 2)))
    log.clock = datetime(2017, 4, 10, 8, tzinfo=UTC)
    update = log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    k_before = update.recorded_at - timedelta(seconds=1)

    def grade(as_at: date | None, known_at: datetime | None) -> str | None:
        state = domain.project(log.events, as_at=as_at, known_at=known_at)
        assert state is not None
        return state.grade

    assert grade(date(2017, 3, 30), None) == "green"
    assert grade(date(2017, 3, 29), None) == "amber"
    assert grade(date(2017, 3, 30), k_before) == "amber"
    assert grade(None, update.recorded_at) == "green"
    assert domain.project(log.events, as_at=date(2017, 3, 1)) is None
    assert domain.project(log.events, known_at=datetime(2017, 1, 1, tzinfo=UTC)) is None


def test_timeline_orders_by_effective_date_then_log_position() -> None:
    log = raised()
    log.do(Regrade(reference="2.16", grade="green", **on(3, 30)))
    log.do(Regrade(reference="2.16", grade="red", **on(3, 10)))
    log.do(NoteProgress(reference="2.16", note="n", **on(3, 30)))
    order = [e.originator_version for e in domain.timeline(log.events)]
    assert order == [1, 3, 2, 4]


# --- configuration as data -------------------------------------------------------------------


def test_a_tracker_can_use_another_scale_without_code() -> None:
    policy = attrs.evolve(domain.DEFAULT_POLICY, default_scale="gao")
    log = raised(policy=policy, grade="open")
    log.do(Regrade(reference="2.16", grade="closed-implemented", **on(3, 3)))
    assert log.state.scale == domain.GAO
    with pytest.raises(RuleViolation, match="'amber' is not on scale 'gao'"):
        log.do(Regrade(reference="2.16", grade="amber", **on(3, 4)))


def test_a_scale_of_its_own() -> None:
    stars = domain.GradingScale.of("stars", "One star", "Two stars", "Three stars")
    policy = domain.Policy(
        scales=(domain.RAG, domain.PEEL, stars),
        kinds=domain.DEFAULT_POLICY.kinds,
        default_scale="stars",
    )
    assert raised(policy=policy, grade="two-stars").state.scale.label("two-stars") == "Two stars"


@pytest.mark.parametrize(
    "build",
    [
        lambda: domain.GradingScale("empty", []),
        lambda: domain.GradingScale.of("twice", "Red", "Red"),
        lambda: domain.GradingScale.of(" ", "Red"),
        lambda: domain.ItemKind("nobody", ()),
        lambda: domain.Policy(scales=(domain.RAG,), kinds=domain.DEFAULT_POLICY.kinds),
        lambda: domain.Policy(
            scales=(domain.RAG, domain.RAG, domain.PEEL), kinds=domain.DEFAULT_POLICY.kinds
        ),
        lambda: domain.RAG.label("purple"),
    ],
)
def test_bad_configuration_is_refused(build: Any) -> None:
    with pytest.raises(ConfigurationError):
        build()
