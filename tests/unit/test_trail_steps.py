"""The audit trail works out what each entry changed by stepping one state along, folding
again only after a backdated entry or a correction: the changes are those of folding every
prefix of the item's log, as at each entry's day, before and after it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations import domain, views
from recommendations.testing import scenario
from recommendations.views._trail import _diff, _state
from tests.conftest import report_details
from tests.logs import PureLog, play

_START = date(2017, 3, 2)


def _folded(trail: views.Trail, log: PureLog) -> list[tuple[int, tuple[views.Change, ...]]]:
    """Each recommendation entry's changes, by folding its item's log before and after it."""
    found = []
    for entry in trail:
        event = next(e.event for e in log.entries if e.position == entry.position)
        if isinstance(event, domain.Corrected) or not isinstance(event, domain.RecommendationEvent):
            continue
        before = [
            e.event
            for e in log.entries
            if e.position < entry.position and e.event.originator_id == event.originator_id
        ]
        on = event.effective_on
        found.append(
            (
                entry.position,
                _diff(
                    _state(domain.project(before, as_at=on)),  # type: ignore[arg-type]
                    _state(domain.project([*before, event], as_at=on)),  # type: ignore[list-item]
                ),
            )
        )
    return found


def _listed(trail: views.Trail) -> list[tuple[int, tuple[views.Change, ...]]]:
    return [
        (entry.position, entry.changes)
        for entry in trail
        if entry.subject == "recommendation" and entry.event != "Corrected"
    ]


def _step(kind: int, reference: str, day: date, number: int) -> domain.Command:
    when: dict[str, Any] = {"effective_on": day, "by": "Kath Holder", "reason": "committee"}
    if kind == 0:
        return r.NoteProgress(reference=reference, note=f"note {number}", **when)
    if kind == 1:
        return r.Regrade(reference=reference, grade=("red", "amber", "green")[number % 3], **when)
    if kind == 2:
        return r.ChangeDeadline(
            reference=reference, due_on=day + timedelta(days=30 + number), **when
        )
    if kind == 3:
        return r.Assign(reference=reference, owner=f"Owner {number}", **when)
    if kind == 4:
        return r.Correct(
            reference=reference,
            version=2 + number % 4,
            what_was_wrong="wrong day",
            changes={"effective_on": day},
            **when,
        )
    return r.Correct(
        reference=reference, version=2 + number % 4, what_was_wrong="never", strike=True, **when
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["1.1", "1.2"]), st.integers(0, 60)),
        max_size=30,
    )
)
def test_each_change_is_the_fold_before_and_after_the_entry(
    steps: list[tuple[int, str, int]],
) -> None:
    log = PureLog()
    log.execute(r.PublishReport(reference="PEEL-2016", details=report_details(), **_who(0)))
    for reference in ("1.1", "1.2"):
        log.execute(
            r.Raise(
                reference=reference,
                text="Supervise risk assessments",
                report="PEEL-2016",
                grade="amber",
                due_on=_START + timedelta(days=90),
                **_who(0),
            )
        )
    latest = 0
    commands = []
    for number, (kind, reference, jump) in enumerate(steps):
        # Mostly forward in effective time, now and then back (a backdated entry).
        latest = max(latest, latest + jump - 20)
        offset = latest if jump >= 10 else max(0, latest - jump * 3)
        commands.append(_step(kind, reference, _START + timedelta(days=offset), number))
    play(commands, log.execute)
    trail = views.build_trail(log.entries, log.basis())
    assert _listed(trail) == _folded(trail, log)


def test_the_scenario_trail_is_the_fold_of_every_prefix() -> None:
    log = PureLog()
    play(scenario(), log.execute)
    trail = views.build_trail(log.entries, log.basis())
    assert any(entry.event == "Corrected" for entry in trail)
    assert _listed(trail) == _folded(trail, log)


def _who(days: int) -> dict[str, Any]:
    return {"effective_on": _START + timedelta(days=days), "by": "Kath Holder", "reason": "x"}


def test_an_entry_after_a_correction_steps_from_the_corrected_state() -> None:
    log = PureLog()
    log.execute(r.PublishReport(reference="PEEL-2016", details=report_details(), **_who(0)))
    log.execute(
        r.Raise(reference="1.1", text="Audit", report="PEEL-2016", grade="amber", **_who(0))
    )
    log.execute(r.NoteProgress(reference="1.1", note="one", **_who(1)))
    log.execute(r.NoteProgress(reference="1.1", note="two", **_who(2)))
    log.execute(r.Correct(reference="1.1", version=2, what_was_wrong="no", strike=True, **_who(3)))
    log.execute(r.NoteProgress(reference="1.1", note="three", **_who(4)))
    trail = views.build_trail(log.entries, log.basis())
    last = trail.entries[-1].change("progress_notes")
    assert last is not None and (last.before, last.after) == (1, 2)
    assert _listed(trail) == _folded(trail, log)
