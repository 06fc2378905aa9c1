"""Audit trails, the committee update and audience views through the Tracker, on every store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

import recommendations as r
from recommendations import domain, views
from recommendations.views import Audience, AudiencePolicy, Change, Sensitivity, for_audience
from tests.conftest import Clock, report_details, who
from tests.logs import LINKED_SECRETS, NAME, SECRET, linked_commands, play, secret_scenarios

MARCH_2 = datetime(2017, 3, 2, 10, tzinfo=UTC)
APRIL_10 = datetime(2017, 4, 10, 9, tzinfo=UTC)
JUST_BEFORE = timedelta(microseconds=1)
PREVIOUS = date(2017, 3, 1)


def start(tracker: r.Tracker, clock: Clock) -> None:
    """On 2 March: the report, and 2.16 (amber, owned) and 2.18 (red) raised from it."""
    clock.jump_to(MARCH_2)
    tracker.execute(
        r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2))
    )
    for reference, grade in (("2.16", "amber"), ("2.18", "red")):
        tracker.execute(
            r.Raise(
                reference=reference,
                text=f"Recommendation {reference}",
                report="PEEL-EFF-2016",
                grade=grade,
                owner="Head of Public Protection",
                owner_name="Jo Bloggs",
                due_on=date(2017, 3, 2),
                **who(3, 2),
            )
        )


def test_a_backdated_update_on_both_axes(tracker: r.Tracker, clock: Clock) -> None:
    start(tracker, clock)
    clock.jump_to(APRIL_10)
    recorded = tracker.execute(r.Regrade(reference="2.18", grade="amber", **who(3, 30)))
    known = recorded.event.recorded_at
    assert known.date() == date(2017, 4, 10)

    # the trail: absent as known before 10 April, present after
    assert [e.version for e in tracker.history("2.18", known_at=known - JUST_BEFORE)] == [1]
    history = tracker.history("2.18", known_at=known)
    assert [e.version for e in history] == [1, 2]
    assert history.entries[1].changes == (Change("grade", "red", "amber"),)
    assert history.entries[1].position == recorded.position
    assert history.basis.known_at == known

    # the committee of 30 March: sees it as at 30 March only as known from 10 April
    def update(as_at: date, known_at: datetime) -> views.CommitteeUpdate:
        return tracker.committee_update(since=PREVIOUS, as_at=as_at, known_at=known_at)

    assert [m.reference for m in update(date(2017, 3, 30), known).regraded] == ["2.18"]
    assert update(date(2017, 3, 30), known).reds == ()
    assert update(date(2017, 3, 30), known - JUST_BEFORE).regraded == ()
    assert [row.reference for row in update(date(2017, 3, 30), known - JUST_BEFORE).reds] == [
        "2.18"
    ]
    assert update(date(2017, 3, 29), known).regraded == ()
    assert [row.reference for row in update(date(2017, 3, 29), known).reds] == ["2.18"]
    # and the whole register, as at 30 March, as known before and after
    before = tracker.register(as_at=date(2017, 3, 30), known_at=known - JUST_BEFORE)
    after = tracker.register(as_at=date(2017, 3, 30), known_at=known)
    assert (before.row("2.18"), after.row("2.18")) != (None, None)
    assert [before.row("2.18").grade, after.row("2.18").grade] == ["red", "amber"]  # type: ignore[union-attr]


def test_a_correction_changes_the_past_only_as_known_after_it(
    tracker: r.Tracker, clock: Clock
) -> None:
    start(tracker, clock)
    tracker.execute(r.Regrade(reference="2.16", grade="red", **who(3, 2)))
    clock.jump_to(APRIL_10)
    fix = tracker.execute(
        r.Correct(
            reference="2.16",
            version=2,
            what_was_wrong="the committee graded it green",
            changes={"grade": "green"},
            **who(4, 10),
        )
    )
    then = fix.event.recorded_at - JUST_BEFORE
    before = tracker.history("2.16", known_at=then)
    now = tracker.history("2.16")
    assert [(e.version, e.corrected_by) for e in before] == [(1, ()), (2, ())]
    assert [(e.version, e.corrected_by) for e in now] == [(1, ()), (2, (3,)), (3, ())]
    assert now.entries[2].corrects == 2
    assert now.entries[2].changes == (Change("grade", "red", "green"),)
    as_then = tracker.committee_update(since=PREVIOUS, as_at=date(2017, 3, 30), known_at=then)
    as_now = tracker.committee_update(since=PREVIOUS, as_at=date(2017, 3, 30))
    assert [row.reference for row in as_then.reds] == ["2.16", "2.18"]
    assert [row.reference for row in as_now.reds] == ["2.18"]
    assert as_now.counts[0].grades() == {"red": 1, "green": 1}


def test_the_whole_trail_up_to_a_position(tracker: r.Tracker, clock: Clock) -> None:
    start(tracker, clock)
    whole = tracker.trail()
    assert [(e.subject, e.reference) for e in whole] == [
        ("report", "PEEL-EFF-2016"),
        ("recommendation", "2.16"),
        ("recommendation", "2.18"),
    ]
    assert [e.position for e in whole] == [e.position for e in tracker.log()]
    cut = tracker.trail(position=whole.entries[1].position)
    assert len(cut) == 2
    assert cut.basis.position == whole.entries[1].position


def test_the_pure_register_is_the_trackers(tracker: r.Tracker, clock: Clock) -> None:
    start(tracker, clock)
    clock.jump_to(APRIL_10)
    tracker.execute(r.Regrade(reference="2.18", grade="amber", **who(3, 30)))
    tracker.execute(r.ChangeDeadline(reference="2.16", due_on=date(2017, 6, 1), **who(4, 1)))
    log = list(tracker.log())
    for as_at in (date(2017, 3, 2), date(2017, 3, 30), date(2017, 4, 10)):
        for known_at in (MARCH_2 + timedelta(hours=1), None):
            for position in (2, None):
                basis = tracker.basis(as_at=as_at, known_at=known_at, position=position)
                expected = tracker.register(as_at=as_at, known_at=basis.known_at, position=position)
                assert views.build_register(log, basis) == expected


def test_what_each_audience_sees(tracker: r.Tracker, clock: Clock) -> None:
    start(tracker, clock)
    tracker.execute(
        r.Raise(
            reference="2.99",
            text="the covert unit",
            report="PEEL-EFF-2016",
            sensitive=True,
            owner="Head of Covert Operations",
            owner_name="Ann Other",
            **who(3, 2),
        )
    )
    public = tracker.register_for(Audience.PUBLIC)
    assert [row.reference for row in public] == ["2.16", "2.18"]
    assert {row.owner_name for row in public} == {None}
    assert public.disclosure.withheld == 1
    by_hand = for_audience(tracker.register(), Audience.PUBLIC, sensitive=tracker.sensitivity())
    assert (by_hand.rows, by_hand.disclosure) == (public.rows, public.disclosure)
    uncounted = tracker.register_for(Audience.PUBLIC, policy=AudiencePolicy(count_withheld=False))
    assert uncounted.disclosure.withheld is None
    oversight = tracker.register_for(Audience.OVERSIGHT)
    assert [row.reference for row in oversight] == ["2.16", "2.18", "2.99"]
    assert {row.owner_name for row in oversight} == {None}
    assert tracker.register_for(Audience.BODY).rows == tracker.register().rows

    # the public cannot tell a sensitive reference from one that does not exist
    messages = []
    for reference in ("2.99", "2.404"):
        with pytest.raises(r.NotFound, match="no recommendation has this reference") as caught:
            tracker.history(reference, audience=Audience.PUBLIC)
        messages.append(str(caught.value).replace(reference, "X"))
    assert messages[0] == messages[1]
    assert len(tracker.history("2.99", audience=Audience.OVERSIGHT)) == 1
    public_trail = tracker.trail(audience=Audience.PUBLIC)
    assert "2.99" not in {e.reference for e in public_trail}
    assert {e.actor for e in public_trail} == {None}
    update = tracker.committee_update(
        since=PREVIOUS, as_at=date(2017, 3, 30), audience=Audience.PUBLIC
    )
    assert [row.reference for row in update.rows] == ["2.16", "2.18"]
    assert update.counts[0].total == 2
    assert "covert" not in repr((public, public_trail, update))
    assert "Ann Other" not in repr((public, public_trail, update, oversight))


def test_a_source_marked_sensitive_later_is_withheld_from_every_public_view(
    tracker: r.Tracker, clock: Clock
) -> None:
    clock.jump_to(MARCH_2)
    details = r.InspectionDetails(title="Custody", body="Force", inspectorates=("HMIC",))
    tracker.execute(r.RecordInspection(reference="I", details=details, **who(3, 1)))
    tracker.execute(
        r.PublishReport(reference="R", details=report_details(inspection="I"), **who(3, 2))
    )
    tracker.execute(r.Raise(reference="X", text="t", report="R", **who(3, 2)))
    before = tracker.head()
    assert tracker.sensitivity() == Sensitivity()
    tracker.execute(
        r.ReviseInspection(
            reference="I",
            details=r.InspectionDetails(
                title="Custody", body="Force", inspectorates=("HMIC",), sensitive=True
            ),
            **who(3, 2),
        )
    )
    assert tracker.sensitivity().recommendation("X")
    assert len(tracker.register(position=before)) == 1
    assert len(tracker.register_for(Audience.PUBLIC, position=before)) == 0
    assert len(tracker.trail(position=before, audience=Audience.PUBLIC)) == 0
    update = tracker.committee_update(
        since=PREVIOUS, as_at=date(2017, 3, 2), position=before, audience=Audience.PUBLIC
    )
    assert (update.rows, update.counts, update.reports) == ((), (), ())


def test_no_link_names_a_sensitive_item_to_the_public(tracker: r.Tracker) -> None:
    for command in linked_commands():
        tracker.execute(command)
    history = tracker.history("2.16", audience=Audience.PUBLIC)
    discharged = history.entry("2.16", 2)
    assert discharged is not None
    assert discharged.detail("superseded_by") == views.WITHHELD
    assert (
        tracker.history("2.18", audience=Audience.PUBLIC)
        .entry("2.18", 2)
        .detail(  # type: ignore[union-attr]
            "superseded_by"
        )
        == "2.16"
    )
    outputs: list[object] = [
        history,
        tracker.history("2.18", audience=Audience.PUBLIC),
        tracker.trail(audience=Audience.PUBLIC),
        tracker.register_for(Audience.PUBLIC),
        tracker.committee_update(since=PREVIOUS, as_at=date(2017, 4, 1), audience=Audience.PUBLIC),
    ]
    for secret in LINKED_SECRETS:
        assert secret not in repr(outputs)
    oversight = tracker.history("2.16", audience=Audience.OVERSIGHT)
    assert oversight.entry("2.16", 2).detail("superseded_by") == "2.99"  # type: ignore[union-attr]


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=secret_scenarios())
def test_no_secret_or_name_reaches_the_public_through_the_tracker(
    commands: list[domain.Command],
) -> None:
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    with r.Tracker("memory://", clock=clock) as tracker:
        play(commands, tracker.execute)
        middle = datetime(2017, 4, 10, 9, tzinfo=UTC) + (clock.now - APRIL_10) / 2
        outputs: list[object] = []
        for known_at in (None, middle):
            outputs.append(tracker.register_for(Audience.PUBLIC, known_at=known_at))
            outputs.append(tracker.trail(known_at=known_at, audience=Audience.PUBLIC))
            for as_at in (date(2016, 6, 30), date(2017, 4, 1)):
                outputs.append(
                    tracker.committee_update(
                        since=date(2016, 1, 1),
                        as_at=as_at,
                        known_at=known_at,
                        audience=Audience.PUBLIC,
                    )
                )
        for row in tracker.register():
            if SECRET not in row.reference:
                outputs.append(tracker.history(row.reference, audience=Audience.PUBLIC))
            else:
                with pytest.raises(r.NotFound):
                    tracker.history(row.reference, audience=Audience.PUBLIC)
        text = repr(outputs)
        assert SECRET not in text
        assert NAME not in text
