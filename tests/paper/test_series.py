"""Recommendations by grade over time: the same numbers as the register, date by date."""

from __future__ import annotations

import doctest
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from types import ModuleType

import pytest
from hypothesis import given, settings

import recommendations as r
import recommendations.paper
from recommendations import domain, views
from recommendations.paper import (
    CommitteePaper,
    GradePoint,
    GradeSeries,
    _paper,
    _series,
    default_dates,
    grade_series,
)
from tests.logs import PureLog, play, secret_scenarios

from .scenario import COMMITTEE, PREVIOUS_COMMITTEE

MICROSECOND = timedelta(microseconds=1)


def _counted(register: Iterable[views.RegisterRow], series: GradeSeries) -> GradePoint:
    """A point counted the plain way, from register rows."""
    rows = list(register)
    open_grades = Counter(row.grade for row in rows if row.status is not r.Status.DISCHARGED)
    return GradePoint(
        on=date.min,
        by_grade=tuple(open_grades[grade.code] for grade in series.grades),
        ungraded=open_grades[None],
        discharged=sum(1 for row in rows if row.status is r.Status.DISCHARGED),
    )


def _same(point: GradePoint, expected: GradePoint) -> bool:
    return (point.by_grade, point.ungraded, point.discharged) == (
        expected.by_grade,
        expected.ungraded,
        expected.discharged,
    )


# --- against the tracker's register ------------------------------------------------------------


def test_series_matches_the_register_of_the_tracker_on_several_dates(
    scenario: r.Tracker,
) -> None:
    dates = [date(2014, 10, 31), date(2015, 6, 30), date(2016, 12, 8), COMMITTEE]
    known_at = scenario.basis().known_at
    series = grade_series(scenario.log(), dates=dates, known_at=known_at)
    assert series.dates == tuple(dates)
    for point in series.points:
        register = scenario.register(as_at=point.on, known_at=known_at)
        assert _same(point, _counted(register, series)), point.on
    # what the committee paper says: 33 + 22 green, 6 + 1 + 2 amber, no red, 2 discharged
    last = series.points[-1]
    assert dict(zip([g.code for g in series.grades], last.by_grade, strict=True)) == {
        "red": 0,
        "amber": 9,
        "green": 55,
    }
    assert (last.ungraded, last.discharged, last.total) == (0, 2, 66)
    # in the first months some were red
    assert series.counts("red")[0] > 0


def test_the_fold_agrees_with_build_register_on_every_date_of_the_paper(
    paper: CommitteePaper, scenario: r.Tracker
) -> None:
    log = list(scenario.log())
    basis = paper.update.basis
    assert len(paper.series.points) > 20
    for point in paper.series.points:
        on_date = views.Basis(as_at=point.on, known_at=basis.known_at, position=basis.position)
        register = views.build_register(log, on_date)
        assert _same(point, _counted(register, paper.series)), point.on
    assert paper.series.at(COMMITTEE) == paper.series.points[-1]


def test_series_as_known_before_a_backdated_entry_does_not_count_it(scenario: r.Tracker) -> None:
    log = list(scenario.log())
    latest = date.min
    backdated = None
    for logged in log:
        event = logged.event
        if isinstance(event, domain.Regraded) and event.effective_on < latest:
            backdated = event
            break
        latest = max(latest, event.effective_on)
    assert backdated is not None
    on = backdated.effective_on
    before = grade_series(log, dates=[on], known_at=backdated.recorded_at - MICROSECOND)
    after = grade_series(log, dates=[on], known_at=backdated.recorded_at)
    assert before.points[0] != after.points[0]
    for series, known in ((before, backdated.recorded_at - MICROSECOND), (after, None)):
        known_at = known or backdated.recorded_at
        register = scenario.register(as_at=on, known_at=known_at)
        assert _same(series.points[0], _counted(register, series))


def test_series_up_to_a_position_counts_only_entries_at_or_before_it(
    scenario: r.Tracker,
) -> None:
    log = list(scenario.log())
    cut = [logged for logged in log if logged.position <= 40]
    known_at = scenario.basis().known_at
    series = grade_series(cut, dates=[COMMITTEE], known_at=known_at)
    assert series.position == 40
    register = scenario.register(as_at=COMMITTEE, known_at=known_at, position=40)
    assert _same(series.points[0], _counted(register, series))
    assert series.points[0].total < 66


# --- generated logs, with corrections, backdating and secrets -----------------------------------


@settings(max_examples=60)
@given(secret_scenarios())
def test_series_equals_build_register_for_any_log(commands: list[domain.Command]) -> None:
    log = PureLog(datetime(2017, 4, 10, 9, tzinfo=UTC))
    play(commands, log.execute)
    dates = [date(2016, 1, 31), date(2016, 3, 1), date(2016, 6, 30), date(2017, 1, 1)]
    known = [log.now, log.now - timedelta(minutes=5)]
    sensitive = views.Sensitivity.of(e.event for e in log.entries)
    for known_at in known:
        series = grade_series(log.entries, dates=dates, known_at=known_at)
        public = grade_series(log.entries, dates=dates, known_at=known_at, withhold=sensitive)
        for point, shown in zip(series.points, public.points, strict=True):
            basis = log.basis(as_at=point.on, known_at=known_at)
            register = views.build_register(log.entries, basis)
            assert _same(point, _counted(register, series))
            seen = views.for_audience(register, views.Audience.PUBLIC, sensitive=sensitive)
            assert _same(shown, _counted(seen, public))


@settings(max_examples=40)
@given(secret_scenarios())
def test_no_secret_reaches_a_public_paper(commands: list[domain.Command]) -> None:
    from tests.logs import NAME, SECRET

    log = PureLog(datetime(2017, 4, 10, 9, tzinfo=UTC))
    play(commands, log.execute)
    paper = CommitteePaper.from_log(
        log.entries,
        since=date(2016, 2, 1),
        basis=log.basis(as_at=date(2017, 4, 1)),
        audience=views.Audience.PUBLIC,
    )
    text = paper.markdown() + paper.json()
    assert SECRET not in text
    assert NAME not in text
    assert "Public version" in paper.markdown()
    body = CommitteePaper.from_log(
        log.entries, since=date(2016, 2, 1), basis=log.basis(as_at=date(2017, 4, 1))
    )
    assert NAME in body.markdown()  # every log raises one recommendation at least, with an owner


# --- grades and their colours ------------------------------------------------------------------


def test_rag_grades_come_worst_first_in_their_own_colours(paper: CommitteePaper) -> None:
    grades = paper.series.grades
    assert [(g.code, g.label, g.rank) for g in grades] == [
        ("red", "Red", 0),
        ("amber", "Amber", 1),
        ("green", "Green", 2),
    ]
    colours = {g.code: g.colour for g in grades}
    assert colours == {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32"}


def test_other_scales_get_distinct_colours_from_worst_to_best() -> None:
    policy = domain.Policy(
        scales=[domain.RAG, domain.FOUR_POINT, domain.PEEL],
        kinds=[domain.ItemKind("recommendation", ("inspectorate",))],
        default_scale="four-point",
    )
    with r.Tracker("memory://", policy=policy) as tracker:
        tracker.execute(
            r.PublishReport(
                reference="AUDIT-1",
                details=r.ReportDetails(
                    title="Internal audit",
                    body="A council",
                    inspectorates=("Internal audit",),
                    published_on=date(2020, 1, 6),
                    scale=domain.PEEL,
                ),
                effective_on=date(2020, 1, 6),
                by="Audit manager",
                reason="report issued",
            )
        )
        for number, grade in enumerate(("not-started", "fully-implemented", None), start=1):
            tracker.execute(
                r.Raise(
                    reference=f"A-{number}",
                    report="AUDIT-1",
                    text=f"Action {number}.",
                    grade=grade,
                    effective_on=date(2020, 1, 6),
                    by="Audit manager",
                    reason="agreed action",
                )
            )
        series = grade_series(
            tracker.log(), dates=[date(2020, 1, 31)], known_at=tracker.basis().known_at
        )
    assert [g.code for g in series.grades] == list(domain.FOUR_POINT.codes)
    colours = [g.colour for g in series.grades]
    assert len(set(colours)) == 4
    assert colours[0] == "#c62828"  # the worst grade is red
    assert colours[-1] == "#2e7d32"  # the best green
    point = series.points[0]
    assert (point.by_grade, point.ungraded) == ((1, 0, 0, 1), 1)
    assert series.ever_ungraded


# --- dates -------------------------------------------------------------------------------------


def test_default_dates_are_month_ends_with_both_committees() -> None:
    first = date(2014, 9, 25)
    dates = default_dates(first, PREVIOUS_COMMITTEE, COMMITTEE)
    assert dates[0] == date(2014, 9, 30)
    assert dates[-1] == COMMITTEE
    assert PREVIOUS_COMMITTEE in dates
    assert list(dates) == sorted(set(dates))
    ends = [d for d in dates if d not in (PREVIOUS_COMMITTEE, COMMITTEE)]
    assert all((d + timedelta(days=1)).day == 1 for d in ends)
    assert len(ends) == 30  # September 2014 to February 2017


def test_default_dates_are_thinned_to_the_limit_keeping_the_latest() -> None:
    dates = default_dates(date(2000, 1, 15), date(2016, 12, 8), date(2017, 3, 30))
    ends = [d for d in dates if d not in (date(2016, 12, 8), date(2017, 3, 30))]
    assert len(ends) <= _paper.MAX_POINTS
    assert ends[-1] == date(2017, 2, 28)
    assert dates[-1] == date(2017, 3, 30)


def test_default_dates_without_recommendations_are_the_two_committees() -> None:
    assert default_dates(None, PREVIOUS_COMMITTEE, COMMITTEE) == (PREVIOUS_COMMITTEE, COMMITTEE)


def test_bad_arguments_are_refused_with_the_field_named(scenario: r.Tracker) -> None:
    with pytest.raises(r.RuleViolation) as naive:
        grade_series(scenario.log(), dates=[COMMITTEE], known_at=datetime(2017, 4, 1))
    assert naive.value.field == "known_at"
    with pytest.raises(r.RuleViolation) as wrong:
        grade_series(
            scenario.log(),
            dates=[datetime(2017, 3, 30, tzinfo=UTC)],
            known_at=datetime(2017, 4, 1, tzinfo=UTC),
        )
    assert (wrong.value.field, wrong.value.rule) == ("dates", "type")


def test_an_empty_log_gives_an_empty_series() -> None:
    series = grade_series([], dates=[COMMITTEE], known_at=datetime(2017, 4, 1, tzinfo=UTC))
    assert series.empty
    assert series.grades == ()
    assert series.points[0].total == 0


@pytest.mark.parametrize(
    "module", [recommendations.paper, _series, _paper], ids=["package", "series", "paper"]
)
def test_the_examples_in_the_docstrings_hold(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0
