"""Priority, management's response, the body addressed and the outcome not implemented, in
the pure domain: the rules that refuse them, how they fold, and how they are stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest

from recommendations import ConfigurationError, RuleViolation, domain, views
from recommendations._serialization import decode_event, encode_event, topic_of

NOW = datetime(2019, 8, 1, 9, 0, tzinfo=UTC)
POLICY = attrs.evolve(
    domain.DEFAULT_POLICY,
    priorities={"1": "High", "2": "Low"},
    outcomes={"implemented": "Implemented", "not-implemented": "Not implemented"},
)
REPORT = domain.project_report(
    [
        domain.decide_source(
            [],
            domain.PublishReport(
                reference="REP",
                details=domain.ReportDetails(
                    title="Report",
                    body="Home Office",
                    inspectorates=("HMIC",),
                    published_on=date(2019, 2, 1),
                    scale=domain.PEEL,
                ),
                effective_on=date(2019, 2, 1),
                by="Clerk",
                reason="published",
            ),
            recorded_at=NOW,
        )
    ]
)
WHEN: dict[str, Any] = {"effective_on": date(2019, 2, 1), "by": "Clerk", "reason": "minutes"}


def _raise(**fields: Any) -> domain.RecommendationEvent:
    command = domain.Raise(reference="R-1", report="REP", text="Do it", **WHEN, **fields)
    return domain.decide([], command, recorded_at=NOW, policy=POLICY, report=REPORT)


def _refused(log: list[domain.RecommendationEvent], command: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as raised:
        domain.decide(log, command, recorded_at=NOW, policy=POLICY, report=REPORT)
    return raised.value


def test_a_raising_carries_the_new_fields_and_they_fold() -> None:
    raised = _raise(
        priority="1",
        response=domain.Response.PARTLY_AGREED,
        response_text="Half of it",
        addressed_to="College of Policing",
    )
    state = domain.project([raised])
    assert state is not None
    assert (state.scope, state.addressed_to, state.priority) == (
        domain.Scope.ADDRESSED,
        "College of Policing",
        "1",
    )
    assert (state.response, state.response_text) == (domain.Response.PARTLY_AGREED, "Half of it")
    row = views.RegisterRow.of(state, date(2019, 3, 1))
    assert views.register_row(views.state_values(state), date(2019, 3, 1)) == row
    line = views.register_line(views.state_values(state), date(2019, 3, 1))
    assert line.row() == row


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"priority": "3"}, "priority", "priority-configured"),
        ({"scope": domain.Scope.ADDRESSED}, "addressed_to", "addressed-body"),
        ({"scope": domain.Scope.BODY, "addressed_to": "X"}, "addressed_to", "addressed-body"),
        ({"response_text": "Agreed"}, "response", "required"),
        ({"response": domain.Response.AGREED, "response_text": " "}, "response_text", "required"),
    ],
)
def test_a_raising_that_breaks_a_rule_is_refused(fields: Any, field: str, rule: str) -> None:
    command = domain.Raise(reference="R-1", report="REP", text="Do it", **WHEN, **fields)
    refused = _refused([], command)
    assert (refused.reference, refused.field, refused.rule) == ("R-1", field, rule)


def test_priority_and_response_change_by_entries_and_corrections() -> None:
    log = [_raise()]
    later = {**WHEN, "effective_on": date(2019, 3, 1)}
    log.append(
        domain.decide(
            log,
            domain.Prioritise(reference="R-1", priority="2", **later),
            recorded_at=NOW,
            policy=POLICY,
        )
    )
    assert _refused(log, domain.Prioritise(reference="R-1", priority="2", **later)).rule == (
        "no-change"
    )
    assert _refused(log, domain.Prioritise(reference="R-1", priority="9", **later)).rule == (
        "priority-configured"
    )
    wrong = domain.Correct(
        reference="R-1", version=2, what_was_wrong="x", changes={"priority": "9"}, **later
    )
    assert _refused(log, wrong).rule == "priority-configured"
    log.append(
        domain.decide(
            log,
            domain.RecordResponse(reference="R-1", response=domain.Response.NOT_AGREED, **later),
            recorded_at=NOW,
            policy=POLICY,
        )
    )
    state = domain.project(log)
    assert state is not None and (state.priority, state.response) == (
        "2",
        domain.Response.NOT_AGREED,
    )
    assert domain.project(log, as_at=date(2019, 2, 15)).priority is None  # type: ignore[union-attr]
    for event in log:
        stored = encode_event(event)
        back = decode_event(
            topic_of(type(event)), stored, event.originator_id, event.originator_version
        )
        assert back == event


def test_not_implemented_is_discharged_where_the_policy_allows_it() -> None:
    log = [_raise()]
    discharge = domain.Discharge(
        reference="R-1",
        outcome=domain.Outcome.NOT_IMPLEMENTED,
        accepted_by="HMIC",
        acceptor_role="inspectorate",
        **{**WHEN, "effective_on": date(2019, 5, 1)},
    )
    log.append(domain.decide(log, discharge, recorded_at=NOW, policy=POLICY))
    with pytest.raises(RuleViolation) as refused:
        domain.decide(log[:1], discharge, recorded_at=NOW)  # the default policy: not listed
    assert refused.value.rule == "outcome-configured"
    state = domain.project(log)
    assert state is not None and state.outcome is domain.Outcome.NOT_IMPLEMENTED
    rolled = views.build_rollup("R-1", [state], as_at=date(2019, 6, 1))
    assert (rolled.implemented, rolled.not_implemented, rolled.open) == (0, 1, 0)


def test_a_policy_refuses_priorities_twice_and_unlabelled_responses() -> None:
    with pytest.raises(ConfigurationError) as unlabelled:
        attrs.evolve(POLICY, responses={"agreed": "Yes"})
    assert (unlabelled.value.field, unlabelled.value.rule) == ("responses", "response-configured")
    bad = [domain.Term("1", "High"), domain.Term("1", "Again")]
    with pytest.raises(ConfigurationError) as twice:
        attrs.evolve(POLICY, priorities=bad)
    assert (twice.value.field, twice.value.rule) == ("priorities", "unique-names")
