"""A recommendation's history as the rows of a bitemporal table, from logs held in memory.

The segments of a log must tell the same story as :func:`recommendations.domain.project`
asked about each day, and the incremental path a view's catching up takes must end where a
fold of the whole log does.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations import domain
from recommendations.views import (
    HISTORY_COLUMNS,
    PERIOD_COLUMNS,
    STATE_COLUMNS,
    TRAIL_COLUMNS,
    ItemHistory,
    RegisterRow,
    entry_changes,
    register_row,
    segments,
    state_values,
    trail_details,
)
from recommendations.views._segments import KEPT_STATES, _append
from tests.conftest import report_details, who
from tests.logs import PureLog, play, secret_scenarios

DAY = timedelta(days=1)
MARCH_2 = datetime(2017, 3, 2, 10, tzinfo=UTC)
JUNE_1 = datetime(2017, 6, 1, 9, tzinfo=UTC)


def recommendation_logs(log: PureLog) -> dict[uuid.UUID, list[domain.RecommendationEvent]]:
    """Each recommendation's entries, in version order, by item."""
    found: dict[uuid.UUID, list[domain.RecommendationEvent]] = {}
    for logged in log.entries:
        event = logged.event
        if isinstance(event, domain.RecommendationEvent):
            found.setdefault(event.originator_id, []).append(event)
    return found


def entries_of(log: PureLog, reference: str) -> list[domain.RecommendationEvent]:
    return recommendation_logs(log)[domain.recommendation_id(reference)]


def peel() -> PureLog:
    """A report of 2 March 2017 and recommendation 2.18 from it, graded red, due 30 June;
    what follows is recorded from 1 June on."""
    log = PureLog(MARCH_2)
    log.execute(r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2)))  # type: ignore[arg-type]
    log.execute(
        r.Raise(
            reference="2.18",
            text="Review the handling of domestic abuse cases",
            report="PEEL-EFF-2016",
            grade="red",
            owner="Head of Public Protection",
            due_on=date(2017, 6, 30),
            **who(3, 2),  # type: ignore[arg-type]
        )
    )
    return log.at(JUNE_1)


def state_on(log: list[domain.RecommendationEvent], day: date) -> domain.Recommendation:
    state = domain.project(log, as_at=day)
    assert state is not None
    return state


# --- the columns ---------------------------------------------------------------------------------


def test_the_state_columns_are_the_register_row_but_overdue() -> None:
    shown = [field.name for field in attrs.fields(RegisterRow) if field.name != "overdue"]
    assert list(STATE_COLUMNS) == shown


def test_the_history_columns_are_the_key_the_periods_and_the_state() -> None:
    assert HISTORY_COLUMNS[0] == "reference"
    assert HISTORY_COLUMNS[1 : 1 + len(PERIOD_COLUMNS)] == PERIOD_COLUMNS
    assert HISTORY_COLUMNS[1 + len(PERIOD_COLUMNS) :] == STATE_COLUMNS[1:]


# --- segments, by example ------------------------------------------------------------------------


def test_each_change_of_state_starts_a_segment_and_the_last_stays_open() -> None:
    log = peel()
    log.execute(r.Regrade(reference="2.18", grade="amber", **who(5, 1)))  # type: ignore[arg-type]
    log.execute(r.Assign(reference="2.18", owner="ACC Crime", **who(4, 15)))  # type: ignore[arg-type]
    entries = entries_of(log, "2.18")

    found = segments(entries)

    assert [(start, end) for start, end, _ in found] == [
        (date(2017, 3, 2), date(2017, 4, 15)),
        (date(2017, 4, 15), date(2017, 5, 1)),
        (date(2017, 5, 1), None),
    ]
    grade, owner = STATE_COLUMNS.index("grade"), STATE_COLUMNS.index("owner")
    assert [(values[grade], values[owner]) for _, _, values in found] == [
        ("red", "Head of Public Protection"),
        ("red", "ACC Crime"),
        ("amber", "ACC Crime"),
    ]


def test_entries_on_one_day_make_one_segment() -> None:
    log = peel()
    log.execute(r.Regrade(reference="2.18", grade="amber", **who(5, 1)))  # type: ignore[arg-type]
    log.execute(r.Regrade(reference="2.18", grade="green", **who(5, 1)))  # type: ignore[arg-type]
    entries = entries_of(log, "2.18")

    found = segments(entries)

    assert [(start, end) for start, end, _ in found] == [
        (date(2017, 3, 2), date(2017, 5, 1)),
        (date(2017, 5, 1), None),
    ]
    assert found[-1][2] == state_values(state_on(entries, date(2017, 5, 1)))


def test_an_empty_log_has_no_segments() -> None:
    assert segments([]) == []
    history = ItemHistory.of([])
    assert (history.segments, history.state, history.last_day) == ([], None, None)


def test_adding_entries_says_which_segments_end_and_which_begin() -> None:
    log = peel()
    log.execute(r.Regrade(reference="2.18", grade="amber", **who(5, 1)))  # type: ignore[arg-type]
    log.execute(r.Assign(reference="2.18", owner="ACC Crime", **who(4, 15)))  # type: ignore[arg-type]
    raised, regraded, assigned = entries_of(log, "2.18")
    history = ItemHistory.of([])

    as_raised = state_values(state_on([raised], date(2017, 3, 2)))
    assert history.add(raised) == ([], [(date(2017, 3, 2), None, as_raised)])
    ended, begun = history.add(regraded)
    assert ended == [(date(2017, 3, 2), None, as_raised)]
    assert begun == [
        (date(2017, 3, 2), date(2017, 5, 1), as_raised),
        (date(2017, 5, 1), None, state_values(state_on([raised, regraded], date(2017, 5, 1)))),
    ]
    before = list(history.segments)
    ended, begun = history.add(assigned)  # backdated: the whole log is folded again
    assert ended == before  # the assignment changed the owner on both
    assert begun == history.segments == segments([raised, regraded, assigned])
    assert history.state == attrs.evolve(
        state_on([raised, regraded, assigned], date(2017, 5, 1)), version=0
    )
    assert history.last_day == date(2017, 5, 1)


def test_an_entry_that_changes_no_column_keeps_the_segments() -> None:
    log = peel()
    log.execute(r.Regrade(reference="2.18", grade="amber", **who(5, 1)))  # type: ignore[arg-type]
    raised, regraded = entries_of(log, "2.18")
    history = ItemHistory.of([raised, regraded])
    before = list(history.segments)
    # A progress note on the day the last segment starts changes no column: the register
    # does not show the notes, and the day the recommendation last changed is that day.
    log.execute(r.NoteProgress(reference="2.18", note="begun", evidence=[], **who(5, 1)))  # type: ignore[arg-type]
    noted = entries_of(log, "2.18")[-1]

    assert history.add(noted) == ([], [])
    assert history.segments == before
    assert history.log == [raised, regraded, noted]


def test_appending_a_state_merges_equal_neighbours() -> None:
    # An entry on a later day moves ``last_changed_on``, so no log of today's domain makes
    # equal neighbours; the merging keeps ``add`` equal to a fold whatever the columns are.
    march, april, may = date(2017, 3, 2), date(2017, 4, 1), date(2017, 5, 1)
    red, amber = ("red",), ("amber",)
    assert _append([], march, red) == [(march, None, red)]
    assert _append([(march, None, red)], april, red) == [(march, None, red)]
    assert _append([(march, None, red)], april, amber) == [
        (march, april, red),
        (april, None, amber),
    ]
    # A second state on the day the last segment starts replaces it, and merges with the
    # segment before if it equals that one.
    two = [(march, april, red), (april, None, amber)]
    assert _append(two, april, ("green",)) == [(march, april, red), (april, None, ("green",))]
    assert _append(two, april, red) == [(march, None, red)]
    assert _append(two, may, amber) == two


# --- register rows -------------------------------------------------------------------------------


def test_a_register_row_reads_back_what_the_engine_stored() -> None:
    entries = entries_of(peel(), "2.18")
    state = state_on(entries, date(2017, 3, 2))
    values = state_values(state)
    sensitive = STATE_COLUMNS.index("sensitive")
    inspectorates = STATE_COLUMNS.index("inspectorates")
    # An engine may give arrays back as lists and booleans as integers.
    stored = list(values)
    stored[inspectorates] = list(values[inspectorates])
    stored[sensitive] = int(values[sensitive])

    for day in (date(2017, 6, 30), date(2017, 7, 1)):  # due on 30 June: overdue from 1 July
        assert register_row(stored, day) == RegisterRow.of(state, day)
    assert not register_row(stored, date(2017, 6, 30)).overdue
    assert register_row(stored, date(2017, 7, 1)).overdue


# --- the audit trail -----------------------------------------------------------------------------


def test_trail_details_are_what_an_entry_carried_beyond_the_trail_columns() -> None:
    log = peel()
    log.execute(
        r.NoteProgress(reference="2.18", note="audit begun", evidence=["audit.pdf"], **who(3, 30))  # type: ignore[arg-type]
    )
    log.execute(
        r.Correct(
            reference="2.18",
            version=2,
            what_was_wrong="the wrong file",
            changes={"evidence": ("audit-v2.pdf",)},
            **who(3, 31),  # type: ignore[arg-type]
        )
    )
    noted, correction = entries_of(log, "2.18")[1:]

    assert trail_details(noted) == {"note": "audit begun", "evidence": ("audit.pdf",)}
    details = trail_details(correction)
    assert list(details) == ["what_was_wrong", "replacement"]
    assert details["replacement"].evidence == ("audit-v2.pdf",)
    assert "corrects" in TRAIL_COLUMNS  # a column of its own, not a detail


# --- properties ----------------------------------------------------------------------------------

START = date(2017, 3, 2)


@st.composite
def busy_histories(draw: st.DrawFn) -> list[domain.Command]:
    """The commands of one report and one recommendation with many entries, most of them
    backdated or on a day another entry takes effect, some correcting earlier entries (their
    effective dates too)."""
    offsets = st.integers(0, 120)

    def meta() -> dict[str, Any]:
        return {
            "reference": "2.18",
            "effective_on": START + timedelta(days=draw(offsets)),
            "by": "Kath Holder",
            "reason": "committee",
        }

    commands: list[domain.Command] = [
        r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2)),  # type: ignore[arg-type]
        r.Raise(
            reference="2.18",
            text="Review the handling of domestic abuse cases",
            report="PEEL-EFF-2016",
            grade=draw(st.sampled_from(["red", "amber"])),
            owner="Head of Public Protection",
            due_on=draw(st.none() | offsets.map(lambda n: START + timedelta(days=n))),
            **who(3, 2),  # type: ignore[arg-type]
        ),
    ]
    kinds = st.sampled_from(
        [
            *("assign", "regrade", "note", "deadline") * 2,
            *("claim", "reject", "discharge", "reopen"),
            *("correct-day", "correct-grade", "strike"),
        ]
    )
    for kind in draw(st.lists(kinds, min_size=2, max_size=20)):
        command: domain.Command
        if kind == "assign":
            command = r.Assign(owner=draw(st.sampled_from(["ACC Crime", "DCC"])), **meta())
        elif kind == "regrade":
            command = r.Regrade(grade=draw(st.sampled_from(["red", "amber", "green"])), **meta())
        elif kind == "note":
            command = r.NoteProgress(note="progress", evidence=(), **meta())
        elif kind == "deadline":
            command = r.ChangeDeadline(
                due_on=START + timedelta(days=draw(st.integers(30, 300))), **meta()
            )
        elif kind == "claim":
            command = r.ClaimImplementation(note="done", **meta())
        elif kind == "reject":
            command = r.RejectClaim(**meta())
        elif kind == "discharge":
            command = r.Discharge(
                outcome=r.Outcome.IMPLEMENTED,
                accepted_by="HMIC",
                acceptor_role="inspectorate",
                **meta(),
            )
        elif kind == "reopen":
            command = r.Reopen(**meta())
        else:
            version = draw(st.integers(2, 5))
            fixed: dict[str, object] = {}
            if kind == "correct-day":
                fixed = {"effective_on": START + timedelta(days=draw(offsets))}
            elif kind == "correct-grade":
                fixed = {"grade": draw(st.sampled_from(["red", "green"]))}
            command = r.Correct(
                version=version,
                what_was_wrong="wrong",
                changes=fixed,
                strike=kind == "strike",
                **meta(),
            )
        commands.append(command)
    return commands


histories = st.one_of(busy_histories(), secret_scenarios())


def _days_to_check(start: date, end: date | None) -> list[date]:
    """The first and last day of a segment and one between (a year on, for the open one)."""
    last = start + timedelta(days=365) if end is None else end - DAY
    return sorted({start, start + timedelta(days=(last - start).days // 2), last})


@settings(max_examples=100)
@given(histories)
def test_segments_partition_the_timeline_into_the_states_a_fold_gives(
    commands: list[domain.Command],
) -> None:
    log = PureLog(JUNE_1 + timedelta(days=120))
    play(commands, log.execute)
    for entries in recommendation_logs(log).values():
        found = segments(entries)
        first_day = domain.timeline(entries)[0].effective_on
        # From the first day of the timeline on, without a gap or an overlap, the last open.
        assert found[0][0] == first_day
        assert domain.project(entries, as_at=first_day - DAY) is None
        for (start, end, values), (following, _, next_values) in itertools.pairwise(found):
            assert end == following
            assert start < following
            assert values != next_values  # equal neighbours are merged
        assert found[-1][1] is None
        # Every day inside a segment has the segment's state.
        for start, end, values in found:
            for day in _days_to_check(start, end):
                state = state_on(entries, day)
                assert state_values(state) == values
                assert register_row(values, day) == RegisterRow.of(state, day)


@settings(max_examples=100)
@given(histories)
def test_adding_entries_one_by_one_ends_where_folding_the_log_does(
    commands: list[domain.Command],
) -> None:
    log = PureLog(JUNE_1 + timedelta(days=120))
    play(commands, log.execute)
    for entries in recommendation_logs(log).values():
        history = ItemHistory.of([])
        for known, entry in enumerate(entries, start=1):
            before = list(history.segments)
            ended, begun = history.add(entry)
            assert history.segments == segments(entries[:known])
            assert history.log == entries[:known]
            assert history.state is not None
            assert attrs.evolve(history.state, version=known) == domain.project(entries[:known])
            # What ended was there before and is gone; what began is new; the rest stays.
            assert ended == [s for s in before if s not in history.segments]
            assert begun == [s for s in history.segments if s not in before]
            # The timeline and the states after its last entries are a whole fold's,
            # however little was folded again.
            folded = ItemHistory.of(list(entries[:known]))
            assert history.timeline == folded.timeline == domain.timeline(entries[:known])
            # (the last few of them: a timeline that lost an entry keeps one fewer)
            assert 0 < len(history.states) <= min(KEPT_STATES, len(history.timeline))
            assert history.states == folded.states[len(folded.states) - len(history.states) :]
            assert (history.state, history.last_day) == (folded.state, folded.last_day)
            # The states either side of an entry, as at its day.
            if isinstance(entry, domain.Corrected):
                assert history.stepped is None
            else:
                day = entry.effective_on
                assert history.stepped is not None
                was, now = history.stepped
                as_at_before = domain.project(entries[: known - 1], as_at=day)
                as_at_after = domain.project(entries[:known], as_at=day)
                assert as_at_after is not None
                assert was == (
                    None if as_at_before is None else attrs.evolve(as_at_before, version=0)
                )
                assert now == attrs.evolve(as_at_after, version=0)
        assert ItemHistory.of(list(entries)).segments == history.segments


def as_text(state: domain.Recommendation) -> tuple[str, ...]:
    """An engine's stored form of a state, of another type than :func:`state_values`'."""
    return tuple(map(repr, state_values(state)))


@settings(max_examples=50)
@given(histories)
def test_segments_may_carry_an_engines_own_form_of_each_state(
    commands: list[domain.Command],
) -> None:
    log = PureLog(JUNE_1 + timedelta(days=120))
    play(commands, log.execute)
    for entries in recommendation_logs(log).values():
        expected = [
            (start, end, as_text(state_on(entries, start))) for start, end, _ in segments(entries)
        ]
        assert segments(entries, as_text) == expected
        history = ItemHistory.of([], as_text)
        for entry in entries:
            history.add(entry)
        assert history.segments == expected


@settings(max_examples=60)
@given(histories)
def test_the_states_either_side_of_an_entry_give_the_changes_a_fold_does(
    commands: list[domain.Command],
) -> None:
    """Stepping from the states kept either side of an entry lists the changes that
    folding the entries before it again does, backdated entries and corrections too."""
    log = PureLog(JUNE_1 + timedelta(days=120))
    play(commands, log.execute)
    for entries in recommendation_logs(log).values():
        history = ItemHistory.of([])
        for known, entry in enumerate(entries, start=1):
            before, last_day = history.state, history.last_day
            history.add(entry)
            prior = entries[: known - 1]
            folded = entry_changes(entry, prior, before, last_day, history.state)
            stepped = entry_changes(
                entry, prior, before, last_day, history.state, stepped=history.stepped
            )
            assert stepped == folded
