"""The West Midlands example: the figures of the March 2017 committee paper, from the tracker.

Every figure is computed from what the tracker returns (the register as at 30 March 2017,
grouped by report and grade), never read from the example's own constants.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

import recommendations as r
from recommendations import domain, views
from tests.conftest import BACKENDS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "west_midlands_2017.py"
COMMITTEE = date(2017, 3, 30)
TEXT_2_47 = (
    "Chief constables and the heads of law enforcement agencies should enforce a consistent "
    "and fair reintegration strategy to enable undercover officers to return to other "
    "policing or agency duties."
)
RESPONSE_2_48 = (
    "The response from the WMP Lead is that a confirmed tenure policy has been ratified by "
    "the National Undercover Working Group."
)
MICROSECOND = timedelta(microseconds=1)


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("west_midlands_2017", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


west_midlands = _load_example()


@pytest.fixture(scope="module", params=BACKENDS)
def tracker(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[r.Tracker]:
    database = None
    if request.param == "memory":
        store = "memory://"
    elif request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        database = server.create_database()
        store = server.url(database)
    else:
        store = f"sqlite:///{tmp_path_factory.mktemp('west-midlands') / 'register.db'}"
    with r.Tracker(store) as built:
        west_midlands.build(built)
        yield built
    if database is not None:
        server.drop_database(database)


# --- helpers: find things the way a reader of the store would ---------------------------------


def _published(tracker: r.Tracker) -> dict[str, str]:
    """Report title -> reference, for every report in the store."""
    return {
        logged.event.details.title: logged.event.reference
        for logged in tracker.log()
        if isinstance(logged.event, domain.ReportPublished)
    }


def _report(tracker: r.Tracker, title: str) -> domain.Report:
    [reference] = [ref for name, ref in _published(tracker).items() if name.startswith(title)]
    return tracker.report(reference, as_at=COMMITTEE)


def _inspection(tracker: r.Tracker, title: str) -> domain.Inspection:
    [reference] = [
        logged.event.reference
        for logged in tracker.log()
        if isinstance(logged.event, domain.InspectionRecorded)
        and logged.event.details.title.startswith(title)
    ]
    return tracker.inspection(reference, as_at=COMMITTEE)


def _by_report(tracker: r.Tracker, as_at: date = COMMITTEE) -> dict[str, list[r.Recommendation]]:
    """The register as at ``as_at``, grouped by the title of the report."""
    titles = {ref: title.split(":")[0] for title, ref in _published(tracker).items()}
    grouped: dict[str, list[r.Recommendation]] = {}
    for state in tracker.recommendations(as_at=as_at):
        grouped.setdefault(titles[state.report], []).append(state)
    return grouped


def _grades(states: list[r.Recommendation]) -> Counter[str | None]:
    return Counter(state.grade for state in states)


def _references(tracker: r.Tracker) -> dict[object, str]:
    return {
        logged.event.originator_id: logged.event.reference
        for logged in tracker.log()
        if isinstance(logged.event, domain.Raised)
    }


# --- the figures of the paper ------------------------------------------------------------------


def test_core_business_39_national_33_green_6_amber_all_owned(tracker: r.Tracker) -> None:
    states = _by_report(tracker)["Core Business"]
    assert len(states) == 39
    assert {state.scope for state in states} == {r.Scope.NATIONAL}
    assert _grades(states) == {"green": 33, "amber": 6}
    assert all(state.owner for state in states)
    assert all(state.is_open for state in states)
    assert _report(tracker, "Core Business").details.national


def test_undercover_policing_22_green_1_amber_which_is_2_47(tracker: r.Tracker) -> None:
    states = _by_report(tracker)["Undercover Policing"]
    assert len(states) == 23
    assert {state.scope for state in states} == {r.Scope.NATIONAL}
    assert _grades(states) == {"green": 22, "amber": 1}
    [amber] = [state for state in states if state.grade == "amber"]
    assert amber.text == TEXT_2_47
    assert amber.owner
    assert amber.last_note is not None
    assert amber.last_note.startswith(RESPONSE_2_48)


def test_no_recommendation_graded_red(tracker: r.Tracker) -> None:
    states = tracker.recommendations(as_at=COMMITTEE)
    assert states
    assert [state.reference for state in states if state.grade == "red"] == []


def test_peel_effectiveness_2016_grades_and_two_recommendations(tracker: r.Tracker) -> None:
    report = _report(tracker, "PEEL Effectiveness 2016")
    details = report.details
    assert details.scale == domain.PEEL
    assert details.overall_grade == "good"
    areas = {area.area: area.grade for area in details.area_grades}
    assert areas.pop("vulnerability") == "requires-improvement"
    assert len(areas) == 3
    assert set(areas.values()) == {"good"}
    assert {f.reference: f.kind for f in details.findings} == {
        "2.15": r.FindingKind.CAUSE_OF_CONCERN,
        "2.17": r.FindingKind.CAUSE_OF_CONCERN,
    }

    states = sorted(_by_report(tracker)["PEEL Effectiveness 2016"], key=lambda s: s.finding or "")
    assert [(state.finding, len(state.points)) for state in states] == [("2.15", 1), ("2.17", 3)]
    assert {state.scope for state in states} == {r.Scope.BODY}
    assert all("immediately" in state.text for state in states)
    # "immediately": due on the day the report was published
    assert {state.due_on for state in states} == {details.published_on}
    assert all(state.is_open and state.owner for state in states)


def test_peel_efficiency_2016_outstanding_without_recommendations(tracker: r.Tracker) -> None:
    report = _report(tracker, "PEEL Efficiency 2016")
    assert report.details.overall_grade == "outstanding"
    assert report.details.published_on.strftime("%Y-%m") == "2016-11"
    assert "PEEL Efficiency 2016" not in _by_report(tracker)


def test_crime_peel_two_recommendations_both_discharged(tracker: r.Tracker) -> None:
    report = _report(tracker, "Crime (PEEL)")
    assert report.details.published_on == date(2014, 11, 27)
    states = _by_report(tracker)["Crime (PEEL)"]
    assert len(states) == 2
    assert {state.status for state in states} == {r.Status.DISCHARGED}
    assert {state.acceptor_role for state in states} == {"inspectorate"}
    assert all(state.outcome is not None for state in states)
    assert {state.due_on for state in states} == {date(2015, 3, 31)}
    assert {state.accepted_by for state in states} == {"HMIC"}
    texts = sorted(state.text for state in states)
    assert texts[0].startswith("West Midlands Police should review the provision of information")
    assert texts[1].startswith("West Midlands Police should review the resourcing and process")


def test_counter_terrorism_inspection_is_sensitive_and_publishes_nothing(
    tracker: r.Tracker,
) -> None:
    inspection = _inspection(tracker, "Counter Terrorism")
    assert inspection.sensitive
    assert (inspection.details.fieldwork_from, inspection.details.fieldwork_to) == (
        date(2016, 12, 13),
        date(2016, 12, 15),
    )
    reports = [
        logged.event.reference
        for logged in tracker.log()
        if isinstance(logged.event, domain.ReportPublished)
        and logged.event.details.inspection == inspection.reference
    ]
    assert reports == []
    assert [s for s in tracker.recommendations() if s.report in reports or s.sensitive] == []


def test_custody_is_a_joint_inspection_of_three_bodies(tracker: r.Tracker) -> None:
    custody = _inspection(tracker, "Custody")
    assert custody.details.inspectorates == (
        "HM Inspectorate of Prisons",  # the lead
        "HMIC",
        "Care Quality Commission",
    )
    assert custody.details.fieldwork_from == date(2017, 2, 6)
    assert custody.details.fieldwork_to == date(2017, 2, 9)
    assert custody.details.hot_debrief_on == date(2017, 2, 10)
    # unannounced: on the first day of fieldwork nothing was known of the debrief yet
    first_day = tracker.inspection(custody.reference, as_at=date(2017, 2, 6))
    assert first_day.details.hot_debrief_on is None


def test_disclosure_is_joint_with_the_cps_inspectorate(tracker: r.Tracker) -> None:
    disclosure = _inspection(tracker, "Disclosure")
    assert len(disclosure.details.inspectorates) == 2
    assert "HMIC" in disclosure.details.inspectorates
    assert (disclosure.details.fieldwork_from, disclosure.details.fieldwork_to) == (
        date(2017, 2, 20),
        date(2017, 2, 23),
    )


# --- the committee update of 30 March 2017, since the committee of 8 December 2016 -----------

PREVIOUS_COMMITTEE = date(2016, 12, 8)


@pytest.fixture(scope="module")
def update(tracker: r.Tracker) -> views.CommitteeUpdate:
    return tracker.committee_update(since=PREVIOUS_COMMITTEE, as_at=COMMITTEE)


def _count(update: views.CommitteeUpdate, title: str) -> views.ReportCount:
    [count] = [c for c in update.counts if c.report.details.title.startswith(title)]
    return count


def test_update_counts_core_business_39_33_green_6_amber(update: views.CommitteeUpdate) -> None:
    count = _count(update, "Core Business")
    assert (count.total, count.national, count.grades()) == (39, 39, {"green": 33, "amber": 6})
    assert (count.ungraded, count.discharged) == (0, 0)


def test_update_counts_undercover_policing_23_22_green_1_amber(
    update: views.CommitteeUpdate,
) -> None:
    count = _count(update, "Undercover Policing")
    assert (count.total, count.national, count.grades()) == (23, 23, {"green": 22, "amber": 1})


def test_update_has_no_reds(update: views.CommitteeUpdate) -> None:
    assert update.reds == ()
    assert all(count.grades().get("red", 0) == 0 for count in update.counts)


def test_update_received_peel_effectiveness_with_grades_and_two_new_recommendations(
    update: views.CommitteeUpdate,
) -> None:
    [received] = update.reports
    details = received.report.details
    assert details.title == "PEEL Effectiveness 2016"
    assert PREVIOUS_COMMITTEE < details.published_on <= COMMITTEE
    assert details.overall_grade == "good"
    assert {area.area: area.grade for area in details.area_grades}["vulnerability"] == (
        "requires-improvement"
    )
    assert [(row.finding, row.grade) for row in received.recommendations] == [
        ("2.15", "amber"),
        ("2.17", "amber"),
    ]
    assert [m.reference for m in update.raised] == [
        row.reference for row in received.recommendations
    ]
    # raised "immediately", so overdue by the committee
    assert update.overdue == received.recommendations


def test_update_lists_the_four_inspections_since(update: views.CommitteeUpdate) -> None:
    titles = [inspection.details.title for inspection in update.inspections]
    assert [title.split(" (")[0] for title in titles] == [
        "Counter Terrorism Command & Control",
        "Custody",
        "Disclosure in criminal cases",
        "Modern Slavery & Human Trafficking",
    ]
    assert [i.sensitive for i in update.inspections] == [True, False, False, False]
    assert [i.details.title.split(" ")[0] for i in update.announced] == ["Crime", "PEEL"]


def test_update_moves_between_the_committees(update: views.CommitteeUpdate) -> None:
    assert {m.event for m in update.movements} == {"Raised", "Regraded", "Discharged"}
    assert len(update.regraded) == 4  # three Core Business greens and one Undercover
    assert {m.after for m in update.regraded} == {"green"}
    assert [m.after for m in update.discharged] == ["closed-by-inspectorate", "implemented"]
    assert all(PREVIOUS_COMMITTEE < m.effective_on <= COMMITTEE for m in update.movements)
    assert update.slips == ()


def test_the_public_update_leaves_out_counter_terrorism(tracker: r.Tracker) -> None:
    public = tracker.committee_update(
        since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, audience=views.Audience.PUBLIC
    )
    assert len(public.inspections) == 3
    assert all(not i.sensitive for i in public.inspections)
    assert public.disclosure.withheld == 1
    assert _count(public, "Core Business").grades() == {"green": 33, "amber": 6}


# --- history ------------------------------------------------------------------------------


def test_everything_took_effect_by_the_committee(tracker: r.Tracker) -> None:
    assert max(logged.event.effective_on for logged in tracker.log()) <= COMMITTEE


def test_earlier_committees_saw_more_ambers(tracker: r.Tracker) -> None:
    now = _by_report(tracker)
    end_of_2016 = _by_report(tracker, as_at=date(2016, 12, 31))
    for title in ("Core Business", "Undercover Policing"):
        assert _grades(end_of_2016[title])["amber"] > _grades(now[title])["amber"]
        assert len(end_of_2016[title]) == len(now[title])
    # in the first months some were red; none is now
    first_months = tracker.recommendations(as_at=date(2014, 11, 30))
    assert any(state.grade == "red" for state in first_months)


def test_backdated_entries_are_invisible_before_they_were_recorded(tracker: r.Tracker) -> None:
    references = _references(tracker)
    latest = date.min
    backdated: list[domain.Regraded] = []
    for logged in tracker.log():
        event = logged.event
        if isinstance(event, domain.Regraded) and event.effective_on < latest:
            backdated.append(event)
        latest = max(latest, event.effective_on)
    assert backdated, "the example has entries made days after the date they took effect"
    for event in backdated:
        reference = references[event.originator_id]
        before = tracker.recommendation(
            reference, as_at=event.effective_on, known_at=event.recorded_at - MICROSECOND
        )
        after = tracker.recommendation(
            reference, as_at=event.effective_on, known_at=event.recorded_at
        )
        assert before.grade != event.grade
        assert after.grade == event.grade


def test_a_mistaken_entry_is_struck_out_not_erased(tracker: r.Tracker) -> None:
    references = _references(tracker)
    corrections = [
        logged.event for logged in tracker.log() if isinstance(logged.event, domain.Corrected)
    ]
    strikes = [c for c in corrections if c.replacement is None]
    assert strikes
    assert any(c.replacement is not None for c in corrections)
    for strike in strikes:
        reference = references[strike.originator_id]
        log = tracker.events(reference)
        struck = log[strike.corrects - 1]
        assert isinstance(struck, domain.Regraded)  # still in the log
        as_known_before = tracker.recommendation(
            reference, as_at=struck.effective_on, known_at=strike.recorded_at - MICROSECOND
        )
        as_known_now = tracker.recommendation(reference, as_at=struck.effective_on)
        assert as_known_before.grade == struck.grade
        assert as_known_now.grade != struck.grade


# --- the script ---------------------------------------------------------------------------


def _run(store: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), "--store", store],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_interrupted_build_is_not_shown_as_the_scenario(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'part.db'}"
    with r.Tracker(store) as tracker:
        west_midlands.diary().play(tracker, limit=60)
    rerun = _run(store)
    assert rerun.returncode == 1
    assert "holds 60 entries, not the scenario's" in rerun.stderr
    assert rerun.stdout == ""


def test_script_prints_the_register_and_records_nothing_twice(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'x.db'}"
    first = _run(store)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Register as at 2017-03-30" in out
    assert "Core Business: 39 recommendations (national), 33 green, 6 amber" in out
    assert "Undercover Policing: 23 recommendations (national), 22 green, 1 amber" in out
    assert "PEEL Effectiveness 2016 (graded Good): 2 recommendations" in out
    assert "Crime (PEEL): 2 recommendations (this force only), 2 discharged" in out
    assert "Recommendations graded red: none" in out
    assert "new recommendations: PEEL-EFF-2016-1, PEEL-EFF-2016-2" in out
    assert "Overdue: PEEL-EFF-2016-1, PEEL-EFF-2016-2" in out
    assert "SENSITIVE" in out
    for column in ("Reference", "Report", "Grade", "Status", "Owner", "Due"):
        assert column in out

    second = _run(store)
    assert second.returncode == 0, second.stderr
    assert "already holds the West Midlands 2017 scenario" in second.stderr
    assert "nothing was recorded again" in second.stderr
    assert second.stdout == first.stdout


def test_script_prints_the_public_update() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--store", "memory://", "--audience", "public"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Counter Terrorism" not in out
    assert "Core Business: 39 recommendations (national), 33 green, 6 amber" in out
    assert "Public view: 1 sensitive item withheld; owners shown by role only." in out
