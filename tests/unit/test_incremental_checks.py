"""The incremental rule check answers as the full one does.

``decide_checked`` checks a new entry against the part of the timeline it can change, given
what the check of the log before it left; ``decide`` checks every entry of the timeline
(``check_timeline``, the reference). On generated logs with backdated entries and
corrections, each command is decided both ways: the same event, or the same refusal (error
type, field, rule and message).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from recommendations import RecommendationsError, domain
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
    RejectClaim,
    Reopen,
)

from .test_domain import report

BASE = date(2017, 3, 2)
GRADES = ("red", "amber", "green", "good", "purple")
OWNERS = ("Ann", "Bob")

days = st.integers(min_value=-3, max_value=60)


def _on(offset: int) -> dict[str, Any]:
    return {"effective_on": BASE + timedelta(days=offset), "by": "clerk", "reason": "why"}


@st.composite
def commands(draw: st.DrawFn, versions: int = 12) -> Any:
    """One command about recommendation "A", perhaps backdated, perhaps a correction of
    one of its first ``versions`` entries."""
    kind = draw(
        st.sampled_from(
            (
                "assign",
                "regrade",
                "note",
                "deadline",
                "claim",
                "reject",
                "discharge",
                "reopen",
                "correct",
                "correct",
            )
        )
    )
    common = {"reference": "A", **_on(draw(days))}
    if kind == "assign":
        return Assign(owner=draw(st.sampled_from(OWNERS)), **common)
    if kind == "regrade":
        return Regrade(grade=draw(st.sampled_from(GRADES)), **common)
    if kind == "note":
        return NoteProgress(note="progress", **common)
    if kind == "deadline":
        due = draw(st.none() | days.map(lambda d: BASE + timedelta(days=d)))
        return ChangeDeadline(due_on=due, **common)
    if kind == "claim":
        return ClaimImplementation(note="done", **common)
    if kind == "reject":
        return RejectClaim(**common)
    if kind == "discharge":
        return Discharge(
            outcome=Outcome.IMPLEMENTED,
            accepted_by="Inspector",
            acceptor_role=draw(st.sampled_from(("inspectorate", "body"))),
            **common,
        )
    if kind == "reopen":
        return Reopen(**common)
    choice = draw(st.sampled_from(("strike", "effective_on", "grade", "owner", "due_on")))
    changes: dict[str, Any] = {}
    if choice == "effective_on":
        changes = {"effective_on": BASE + timedelta(days=draw(days))}
    elif choice == "grade":
        changes = {"grade": draw(st.sampled_from(GRADES))}
    elif choice == "owner":
        changes = {"owner": draw(st.sampled_from(OWNERS))}
    elif choice == "due_on":
        changes = {"due_on": BASE + timedelta(days=draw(days))}
    return Correct(
        version=draw(st.integers(min_value=1, max_value=max(1, versions))),
        what_was_wrong="typo",
        changes=changes,
        strike=choice == "strike",
        **common,
    )


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "recorded", call()
    except RecommendationsError as error:
        return "refused", (type(error).__name__, error.field, error.rule, str(error))


def _both(
    history: list[domain.RecommendationEvent],
    command: Any,
    checked: domain.Checked | None,
    at: datetime,
) -> tuple[tuple[str, Any], tuple[str, Any]]:
    given_report = report()
    full = _outcome(lambda: domain.decide(history, command, recorded_at=at, report=given_report))
    incremental = _outcome(
        lambda: domain.decide_checked(
            history, command, recorded_at=at, report=given_report, checked=checked
        )
    )
    return full, incremental


@settings(max_examples=100, deadline=None)
@given(
    raised_on=st.integers(min_value=0, max_value=10),
    owner=st.none() | st.sampled_from(OWNERS),
    steps=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_the_incremental_check_agrees_with_the_full_check(
    raised_on: int, owner: str | None, steps: int, data: st.DataObject
) -> None:
    at = datetime(2017, 6, 1, 9, tzinfo=UTC)
    history: list[domain.RecommendationEvent] = []
    checked: domain.Checked | None = None
    raise_ = Raise(
        report="R",
        text="do A",
        grade="amber",
        owner=owner,
        **{
            "reference": "A",
            **_on(raised_on),
        },
    )
    for step in range(steps + 1):
        command = data.draw(commands(len(history))) if step else raise_
        at += timedelta(hours=1)
        full, incremental = _both(history, command, checked, at)
        if full[0] == "refused":
            assert incremental == full, command
            continue
        assert incremental[0] == "recorded", (command, incremental)
        decided, checked = incremental[1]
        assert decided == full[1]
        history.append(decided)
        assert checked.fits(history)
    event(f"entries recorded: {min(len(history) // 5 * 5, 20)}+")
    corrections = sum(isinstance(e, domain.Corrected) for e in history)
    event(f"corrections recorded: {min(corrections, 3)}+")


def test_a_checked_timeline_of_another_log_is_not_used() -> None:
    at = datetime(2017, 6, 1, 9, tzinfo=UTC)
    raise_ = Raise(report="R", text="do A", grade="amber", reference="A", **_on(0))
    raised, checked = domain.decide_checked([], raise_, recorded_at=at, report=report())
    other, _ = domain.decide_checked(
        [],
        Raise(report="R", text="do B", grade="amber", reference="A", **_on(1)),
        recorded_at=at,
        report=report(),
    )
    # A claim needs an owner: the state the checked timeline of the other log holds is
    # not taken for this one's (it does not fit it), so the refusal is the full check's.
    claim = ClaimImplementation(note="done", reference="A", **_on(2))
    with pytest.raises(RecommendationsError) as refused:
        domain.decide_checked([other], claim, recorded_at=at + timedelta(hours=1), checked=checked)
    assert refused.value.rule == "claim-needs-owner"
    assert not checked.fits([other]) and checked.fits([raised])
