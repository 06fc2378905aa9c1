"""Audit trails, the committee update and audience views, from logs held in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings

import recommendations as r
from recommendations import domain, views
from recommendations.views import (
    Audience,
    AudiencePolicy,
    Change,
    Detail,
    Disclosure,
    Sensitivity,
    build_committee_update,
    build_register,
    build_trail,
    for_audience,
)
from tests.conftest import report_details, who
from tests.logs import (
    LINKED_SECRETS,
    NAME,
    SECRET,
    PureLog,
    linked_commands,
    play,
    secret_scenarios,
)

MARCH_2 = datetime(2017, 3, 2, 10, tzinfo=UTC)
MARCH_31 = datetime(2017, 3, 31, 9, tzinfo=UTC)
APRIL_10 = datetime(2017, 4, 10, 14, tzinfo=UTC)
PUBLIC = Audience.PUBLIC
OVERSIGHT = Audience.OVERSIGHT


def raise_one(log: PureLog, reference: str, **changes: object) -> views.Positioned:
    fields: dict[str, object] = {
        "reference": reference,
        "text": f"Recommendation {reference}",
        "report": "PEEL-EFF-2016",
        "grade": "amber",
        "owner": "Head of Public Protection",
        "owner_name": "Jo Bloggs",
        "due_on": date(2017, 3, 2),
        **who(3, 2),
    }
    fields.update(changes)
    return log.execute(r.Raise(**fields))  # type: ignore[arg-type]


def peel(log: PureLog | None = None) -> PureLog:
    """A report of 2 March 2017 and two recommendations from it, entered that day."""
    log = log or PureLog(MARCH_2)
    log.execute(r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2)))
    raise_one(log, "2.16")
    raise_one(log, "2.18", grade="red", due_on=None)
    return log


def trail(log: PureLog, **basis: object) -> views.Trail:
    return build_trail(log.entries, log.basis(**basis))  # type: ignore[arg-type]


# --- audit trails --------------------------------------------------------------------------------


def test_an_entry_shows_what_it_changed_and_what_it_carried() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.18", grade="amber", **who(3, 30)))
    log.execute(
        r.NoteProgress(reference="2.18", note="audit begun", evidence=["audit.pdf"], **who(3, 30))
    )
    entries = trail(log).of("2.18")
    assert [(e.version, e.event) for e in entries] == [
        (1, "Raised"),
        (2, "Regraded"),
        (3, "ProgressNoted"),
    ]
    raised, regraded, noted = entries
    assert raised.change("grade") == Change("grade", None, "red")
    assert raised.change("owner_name") == Change("owner_name", None, "Jo Bloggs")
    assert raised.change("due_on") is None  # nothing to say of what a new item lacks
    assert raised.detail("text") == "Recommendation 2.18"
    assert regraded.changes == (Change("grade", "red", "amber"),)
    assert regraded.details == (Detail("grade", "amber"),)
    assert (regraded.actor, regraded.reason) == ("Kath Holder", "committee")
    assert regraded.effective_on == date(2017, 3, 30)
    assert regraded.recorded_at > MARCH_31
    assert noted.details == (Detail("note", "audit begun"), Detail("evidence", ("audit.pdf",)))
    assert noted.changes == (
        Change("progress_notes", 0, 1),
        Change("last_note", None, "audit begun"),
    )
    assert [e.position for e in trail(log)] == list(range(1, 6))


def test_a_backdated_entry_shows_the_change_on_the_day_it_took_effect() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))
    late = log.at(APRIL_10).execute(r.Regrade(reference="2.16", grade="red", **who(3, 15)))
    entry = trail(log).entry("2.16", late.event.originator_version)
    assert entry is not None
    # On 15 March, before the regrade of 30 March, it stood amber.
    assert entry.changes == (Change("grade", "amber", "red"),)


def test_the_trail_as_known_at_a_time_and_up_to_a_position() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))
    late = log.at(APRIL_10).execute(r.Regrade(reference="2.16", grade="red", **who(3, 15)))
    recorded = late.event.recorded_at
    before = trail(log, known_at=recorded - timedelta(microseconds=1))
    assert [e.version for e in before.of("2.16")] == [1, 2]
    assert [e.version for e in trail(log, known_at=recorded).of("2.16")] == [1, 2, 3]
    assert [e.position for e in trail(log, position=late.position - 1)] == [1, 2, 3, 4]
    assert trail(log, known_at=MARCH_2).entries == ()
    assert trail(log, position=2).basis.position == 2


def test_a_correction_and_the_entry_it_corrects_on_both_axes() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.16", grade="red", **who(3, 30)))
    log.execute(r.NoteProgress(reference="2.16", note="twice", **who(3, 30)))
    log.at(APRIL_10)
    fix = log.execute(
        r.Correct(
            reference="2.16",
            version=2,
            what_was_wrong="the committee graded it green",
            changes={"grade": "green", "effective_on": date(2017, 3, 29)},
            **who(4, 10),
        )
    )
    strike = log.execute(
        r.Correct(
            reference="2.16", version=3, what_was_wrong="entered twice", strike=True, **who(4, 10)
        )
    )
    now = trail(log).of("2.16")
    regrade, note, correction, striking = now[1:]
    assert (correction.corrects, correction.what_was_wrong) == (2, "the committee graded it green")
    assert correction.changes == (
        Change("effective_on", date(2017, 3, 30), date(2017, 3, 29)),
        Change("grade", "red", "green"),
    )
    assert not correction.strikes
    assert (striking.corrects, striking.strikes, striking.changes) == (3, True, ())
    # The corrected entries are listed as first made, and marked.
    assert regrade.changes == (Change("grade", "amber", "red"),)
    assert (regrade.corrected_by, regrade.struck_out) == ((4,), False)
    assert (note.corrected_by, note.struck_out) == ((5,), True)

    # As known before the correction was recorded, nothing marks them.
    before = trail(log, known_at=fix.event.recorded_at - timedelta(microseconds=1)).of("2.16")
    assert [e.version for e in before] == [1, 2, 3]
    assert all(e.corrected_by == () for e in before)
    between = trail(log, position=strike.position - 1).of("2.16")
    assert [(e.version, e.corrected_by) for e in between] == [(1, ()), (2, (4,)), (3, ()), (4, ())]


def test_a_second_correction_starts_from_the_entry_as_already_corrected() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.16", grade="red", **who(3, 30)))
    for grade in ("green", "amber"):
        log.execute(
            r.Correct(
                reference="2.16",
                version=2,
                what_was_wrong="wrong grade",
                changes={"grade": grade},
                **who(3, 31),
            )
        )
    entries = trail(log).of("2.16")
    assert entries[1].corrected_by == (3, 4)
    assert entries[3].changes == (Change("grade", "green", "amber"),)


def test_the_whole_trail_has_inspections_and_reports() -> None:
    log = PureLog(MARCH_2)
    custody = r.InspectionDetails(
        title="Custody",
        body="West Midlands Police",
        inspectorates=("HM Inspectorate of Prisons", "HMIC"),
        fieldwork_from=date(2017, 2, 6),
        fieldwork_to=date(2017, 2, 9),
    )
    log.execute(r.RecordInspection(reference="CUSTODY", details=custody, **who(2, 6)))
    revised = attrs.evolve(custody, hot_debrief_on=date(2017, 2, 10))
    log.execute(r.ReviseInspection(reference="CUSTODY", details=revised, **who(2, 10)))
    peel(log)
    whole = trail(log)
    assert [(e.subject, e.reference, e.version) for e in whole][:3] == [
        ("inspection", "CUSTODY", 1),
        ("inspection", "CUSTODY", 2),
        ("report", "PEEL-EFF-2016", 1),
    ]
    assert whole.entries[1].changes == (Change("hot_debrief_on", None, date(2017, 2, 10)),)
    assert whole.entries[2].detail("overall_grade") == "good"
    assert whole.entries[2].change("scale") == Change("scale", None, "peel")
    assert whole.of("CUSTODY", "inspection") == whole.entries[:2]


# --- the committee update ------------------------------------------------------------------------


def committee(
    log: PureLog, since: date = date(2017, 3, 1), **basis: object
) -> views.CommitteeUpdate:
    return build_committee_update(log.entries, since=since, basis=log.basis(**basis))  # type: ignore[arg-type]


def test_the_committee_update_counts_reds_overdue_and_slips() -> None:
    log = peel()
    raise_one(log, "2.20", grade=None, due_on=date(2017, 6, 30))
    log.at(MARCH_31)
    log.execute(r.ChangeDeadline(reference="2.20", due_on=date(2017, 9, 30), **who(3, 30)))
    update = committee(log, as_at=date(2017, 3, 30))
    [count] = update.counts
    assert (count.total, count.grades(), count.ungraded, count.discharged) == (
        3,
        {"red": 1, "amber": 1},
        1,
        0,
    )
    assert [(g.grade, g.label) for g in count.by_grade] == [("red", "Red"), ("amber", "Amber")]
    assert [row.reference for row in update.reds] == ["2.18"]
    assert [row.reference for row in update.overdue] == ["2.16"]  # due 2 March, still open
    [slip] = update.slips
    assert (slip.reference, slip.original_due_on, slip.due_on, slip.deferrals) == (
        "2.20",
        date(2017, 6, 30),
        date(2017, 9, 30),
        1,
    )
    assert [row.reference for row in update.rows] == ["2.16", "2.18", "2.20"]
    [received] = update.reports
    assert received.report.details.overall_grade == "good"
    assert [row.reference for row in received.recommendations] == ["2.16", "2.18", "2.20"]
    assert [(m.reference, m.event, m.after) for m in update.raised] == [
        ("2.16", "Raised", "amber"),
        ("2.18", "Raised", "red"),
        ("2.20", "Raised", None),
    ]
    # the deadline was moved on 30 March: before that committee, nothing had slipped
    assert committee(log, as_at=date(2017, 3, 29)).slips == ()


def test_what_moved_between_two_committees() -> None:
    log = peel()
    log.at(MARCH_31)
    log.execute(r.Regrade(reference="2.16", grade="green", **who(3, 20)))
    log.execute(r.ClaimImplementation(reference="2.16", note="done", **who(3, 21)))
    log.execute(r.ClaimImplementation(reference="2.18", note="done?", **who(3, 21)))
    log.execute(r.RejectClaim(reference="2.18", **who(3, 22)))
    log.execute(
        r.Discharge(
            reference="2.16",
            outcome=r.Outcome.IMPLEMENTED,
            accepted_by="HMIC",
            acceptor_role="inspectorate",
            **who(3, 22),
        )
    )
    log.execute(r.Reopen(reference="2.16", **who(3, 29)))
    update = committee(log, since=date(2017, 3, 10), as_at=date(2017, 3, 30))
    assert [(m.reference, m.event, m.before, m.after) for m in update.movements] == [
        ("2.16", "Regraded", "amber", "green"),
        ("2.16", "ImplementationClaimed", "open", "claimed"),
        ("2.18", "ImplementationClaimed", "open", "claimed"),
        ("2.16", "Discharged", "claimed", "implemented"),
        ("2.18", "ClaimRejected", "claimed", "open"),
        ("2.16", "Reopened", "discharged", "open"),
    ]
    assert [len(x) for x in (update.regraded, update.claimed, update.discharged)] == [1, 2, 1]
    assert [m.reference for m in update.rejected] == ["2.18"]
    assert update.reopened[0].effective_on == date(2017, 3, 29)
    assert update.reports == ()  # published before the previous committee
    assert update.raised == ()
    earlier = committee(log, since=date(2017, 3, 10), as_at=date(2017, 3, 25))
    assert [m.event for m in earlier.movements] == [
        "Regraded",
        "ImplementationClaimed",
        "ImplementationClaimed",
        "Discharged",
        "ClaimRejected",
    ]
    [count] = earlier.counts
    assert (count.discharged, count.grades()) == (1, {"red": 1})


def test_a_backdated_update_reaches_the_committee_only_once_recorded() -> None:
    log = peel()
    update = log.at(APRIL_10).execute(r.Regrade(reference="2.18", grade="amber", **who(3, 30)))
    recorded = update.event.recorded_at
    before = recorded - timedelta(microseconds=1)

    def reds(as_at: date, known_at: datetime) -> list[str]:
        seen = committee(log, as_at=as_at, known_at=known_at)
        return [row.reference for row in seen.reds]

    def moved(as_at: date, known_at: datetime) -> list[str]:
        return [m.event for m in committee(log, as_at=as_at, known_at=known_at).regraded]

    assert reds(date(2017, 3, 30), before) == ["2.18"]
    assert reds(date(2017, 3, 30), recorded) == []
    assert reds(date(2017, 3, 29), recorded) == ["2.18"]  # not yet effective
    assert moved(date(2017, 3, 30), before) == []
    assert moved(date(2017, 3, 30), recorded) == ["Regraded"]
    assert moved(date(2017, 3, 29), recorded) == []


def test_a_correction_changes_the_committee_only_as_known_after_it() -> None:
    log = peel()
    log.at(MARCH_31).execute(r.Regrade(reference="2.16", grade="red", **who(3, 30)))
    fix = log.at(APRIL_10).execute(
        r.Correct(
            reference="2.16",
            version=2,
            what_was_wrong="the committee graded it green",
            changes={"grade": "green"},
            **who(4, 10),
        )
    )
    then = fix.event.recorded_at - timedelta(microseconds=1)
    as_then = committee(log, as_at=date(2017, 3, 30), known_at=then)
    as_now = committee(log, as_at=date(2017, 3, 30))
    assert as_then.counts[0].grades() == {"red": 2}
    assert as_now.counts[0].grades() == {"red": 1, "green": 1}
    assert [(m.before, m.after) for m in as_now.regraded] == [("amber", "green")]
    assert [(m.before, m.after) for m in as_then.regraded] == [("amber", "red")]


def test_inspections_since_and_to_come() -> None:
    log = PureLog(MARCH_2)

    def inspect(reference: str, start: date | None, end: date | None, on: date) -> None:
        details = r.InspectionDetails(
            title=reference,
            body="Force",
            inspectorates=("HMIC",),
            fieldwork_from=start,
            fieldwork_to=end,
        )
        log.execute(
            r.RecordInspection(
                reference=reference, details=details, effective_on=on, by="K", reason="x"
            )
        )

    inspect("OLD", date(2016, 11, 1), date(2016, 11, 3), date(2016, 11, 1))
    inspect("SPANS", date(2016, 11, 29), date(2016, 12, 2), date(2016, 11, 29))
    inspect("DONE", date(2017, 2, 6), date(2017, 2, 9), date(2017, 2, 6))
    inspect("NO-DATES", None, None, date(2017, 2, 20))
    inspect("REPORTED", None, None, date(2016, 10, 3))
    inspect("SPRING", date(2017, 5, 22), date(2017, 5, 25), date(2017, 3, 1))
    log.execute(
        r.PublishReport(
            reference="R",
            details=report_details(inspection="REPORTED", published_on=date(2017, 2, 1)),
            **who(2, 1),
        )
    )
    update = committee(log, since=date(2016, 12, 1), as_at=date(2017, 3, 2))
    assert [i.reference for i in update.inspections] == ["SPANS", "DONE"]
    assert [i.reference for i in update.announced] == ["NO-DATES", "SPRING"]
    assert [r.report.reference for r in update.reports] == ["R"]
    # as at a date before it was entered, the spring inspection is not there at all
    earlier = committee(log, since=date(2016, 12, 1), as_at=date(2017, 2, 28))
    assert [i.reference for i in earlier.announced] == ["NO-DATES"]


def test_the_previous_committee_comes_first() -> None:
    log = peel()
    with pytest.raises(r.RuleViolation, match="must come before") as caught:
        committee(log, since=date(2017, 3, 30), as_at=date(2017, 3, 30))
    assert (caught.value.field, caught.value.rule) == ("since", "committees-in-order")
    with pytest.raises(r.RuleViolation, match="since must be a date") as caught:
        committee(log, since=datetime(2017, 3, 1, tzinfo=UTC), as_at=date(2017, 3, 30))  # type: ignore[arg-type]
    assert caught.value.rule == "type"


# --- audiences ----------------------------------------------------------------------------------


def sensitive_scenario() -> PureLog:
    """One public report (with one sensitive recommendation) and a sensitive inspection's."""
    log = peel()
    raise_one(log, "2.99", sensitive=True, text="the covert unit", owner_name="Ann Other")
    details = r.InspectionDetails(
        title="Counter Terrorism",
        body="West Midlands Police",
        inspectorates=("HMIC",),
        fieldwork_from=date(2017, 3, 1),
        fieldwork_to=date(2017, 3, 2),
        sensitive=True,
    )
    log.execute(r.RecordInspection(reference="CT", details=details, **who(3, 1)))
    log.execute(
        r.PublishReport(
            reference="CT-R", details=report_details(title="CT", inspection="CT"), **who(3, 2)
        )
    )
    raise_one(log, "CT/1", report="CT-R", text="secret")
    return log


def test_the_public_register_withholds_sensitive_items_and_names() -> None:
    log = sensitive_scenario()
    body = build_register(log.entries, log.basis())
    assert [row.reference for row in body] == ["2.16", "2.18", "2.99", "CT/1"]
    assert body.disclosure == Disclosure()

    public = for_audience(body, PUBLIC)
    assert [row.reference for row in public] == ["2.16", "2.18"]
    assert {row.owner for row in public} == {"Head of Public Protection"}
    assert {row.owner_name for row in public} == {None}
    assert public.disclosure == Disclosure(
        audience=PUBLIC, withheld=2, counted=True, owner_names=False
    )
    assert public.basis == body.basis

    uncounted = for_audience(body, PUBLIC, AudiencePolicy(count_withheld=False))
    assert (uncounted.disclosure.withheld, uncounted.disclosure.counted) == (None, False)
    assert "not counted" in uncounted.disclosure.describe()


def test_oversight_sees_sensitive_items_but_owners_by_role() -> None:
    log = sensitive_scenario()
    body = build_register(log.entries, log.basis())
    oversight = for_audience(body, OVERSIGHT)
    assert len(oversight) == 4
    assert {row.owner_name for row in oversight} == {None}
    assert oversight.disclosure == Disclosure(
        audience=OVERSIGHT, withheld=0, counted=True, owner_names=False
    )
    named = for_audience(body, OVERSIGHT, AudiencePolicy(oversight_sees_owner_names=True))
    assert named.rows == body.rows
    assert named.disclosure.owner_names


def test_a_view_is_only_ever_narrowed() -> None:
    log = sensitive_scenario()
    public = for_audience(build_register(log.entries, log.basis()), PUBLIC)
    assert for_audience(public, Audience.BODY) is public
    assert for_audience(public, OVERSIGHT) is public
    assert for_audience(public, PUBLIC) is public
    oversight = for_audience(build_register(log.entries, log.basis()), OVERSIGHT)
    assert [row.reference for row in for_audience(oversight, PUBLIC)] == ["2.16", "2.18"]


def test_the_public_trail_has_no_sensitive_item_actor_or_name() -> None:
    log = sensitive_scenario()
    log.at(MARCH_31)
    log.execute(r.Assign(reference="2.16", owner="ACC", owner_name="Sam Smith", **who(3, 30)))
    log.execute(
        r.Discharge(
            reference="2.18",
            outcome=r.Outcome.CLOSED_BY_INSPECTORATE,
            accepted_by="Jane Inspector",
            acceptor_role="inspectorate",
            **who(3, 30),
        )
    )
    log.execute(
        r.Correct(
            reference="2.16",
            version=2,
            what_was_wrong="entered under the wrong name",
            changes={"actor": "Kim Clerk"},
            **who(3, 31),
        )
    )
    body = trail(log)
    public = for_audience(body, PUBLIC)
    assert public.entry("2.16", 3) is not None
    assert public.entry("2.16", 3).changes == ()  # type: ignore[union-attr]
    assert {(e.subject, e.reference) for e in public} == {
        ("report", "PEEL-EFF-2016"),
        ("recommendation", "2.16"),
        ("recommendation", "2.18"),
    }
    assert public.disclosure.withheld == 4  # 2.99, CT, CT-R, CT/1
    assert {e.actor for e in public} == {None}
    assigned = public.entry("2.16", 2)
    assert assigned is not None
    assert assigned.details == (Detail("owner", "ACC"),)
    assert assigned.changes == (Change("owner", "Head of Public Protection", "ACC"),)
    discharged = public.entry("2.18", 2)
    assert discharged is not None
    assert discharged.detail("accepted_by") is None
    assert discharged.detail("acceptor_role") == "inspectorate"
    text = repr(public)
    secrets = ("Jo Bloggs", "Sam Smith", "Jane Inspector", "Kath Holder", "Kim Clerk", "covert")
    for secret in (*secrets, "'CT"):
        assert secret not in text

    oversight = for_audience(body, OVERSIGHT)
    assert len(oversight) == len(body)
    assert "Jane Inspector" in repr(oversight)  # who accepted a discharge: accountable
    assert "Sam Smith" not in repr(oversight)


def test_the_public_committee_update_counts_only_what_it_shows() -> None:
    log = sensitive_scenario()
    body = committee(log, since=date(2017, 2, 1), as_at=date(2017, 3, 3))
    assert [i.reference for i in body.inspections] == ["CT"]
    assert [c.report.reference for c in body.counts] == ["PEEL-EFF-2016", "CT-R"]
    assert body.counts[0].total == 3
    public = for_audience(body, PUBLIC)
    assert public.inspections == ()
    assert [c.report.reference for c in public.counts] == ["PEEL-EFF-2016"]
    assert (public.counts[0].total, public.counts[0].grades()) == (2, {"red": 1, "amber": 1})
    assert [row.reference for row in public.overdue] == ["2.16"]
    assert [received.report.reference for received in public.reports] == ["PEEL-EFF-2016"]
    assert [row.reference for row in public.reports[0].recommendations] == ["2.16", "2.18"]
    assert [m.reference for m in public.movements] == ["2.16", "2.18"]
    assert public.disclosure.withheld == 4
    assert "covert" not in repr(public)
    assert "Jo Bloggs" not in repr(public)


def test_sensitivity_follows_sources_and_never_lapses() -> None:
    log = PureLog(MARCH_2)
    details = r.InspectionDetails(title="T", body="B", inspectorates=("HMIC",))
    log.execute(r.RecordInspection(reference="I", details=details, **who(3, 1)))
    log.execute(r.PublishReport(reference="R", details=report_details(inspection="I"), **who(3, 2)))
    raise_one(log, "X", report="R")
    events = [e.event for e in log.entries]
    assert Sensitivity.of(events) == Sensitivity()
    secret = attrs.evolve(details, sensitive=True)
    log.execute(r.ReviseInspection(reference="I", details=secret, **who(3, 2)))
    log.execute(r.ReviseInspection(reference="I", details=details, **who(3, 2)))
    found = Sensitivity.of(e.event for e in log.entries)
    assert found == Sensitivity(
        recommendations=frozenset({"X"}), reports=frozenset({"R"}), inspections=frozenset({"I"})
    )
    assert found.recommendation("Y", report="R")
    assert not found.report("S")
    # The register as known before the inspection was marked still shows X to the body ...
    register = build_register(log.entries, log.basis(position=3))
    assert [row.reference for row in register] == ["X"]
    # ... and to the public only if told nothing of what came later.
    assert len(for_audience(register, PUBLIC)) == 1
    assert len(for_audience(register, PUBLIC, sensitive=found)) == 0


def test_a_link_to_an_item_the_audience_may_not_see_is_withheld() -> None:
    log = PureLog(APRIL_10)
    assert play(linked_commands(), log.execute) == len(linked_commands())
    body = trail(log)
    public = for_audience(body, PUBLIC)
    discharged, reopened = public.entry("2.16", 2), public.entry("2.16", 3)
    assert discharged is not None and reopened is not None
    assert discharged.detail("superseded_by") == views.WITHHELD
    assert discharged.change("superseded_by") == Change("superseded_by", None, views.WITHHELD)
    assert reopened.change("superseded_by") == Change("superseded_by", views.WITHHELD, None)
    visible, corrected = public.entry("2.18", 2), public.entry("2.18", 3)
    assert visible is not None and corrected is not None
    assert visible.detail("superseded_by") == "2.16"  # a link to a public item is shown
    assert corrected.change("superseded_by") == Change("superseded_by", "2.16", views.WITHHELD)
    custody = public.of("CUSTODY", "inspection")[0]
    assert custody.detail("expected_report") == views.WITHHELD
    assert custody.change("expected_report") == Change("expected_report", None, views.WITHHELD)
    for secret in LINKED_SECRETS:
        assert secret not in repr(public)
    oversight = for_audience(body, OVERSIGHT)  # sees every item, so every link
    assert oversight.entry("2.16", 2).detail("superseded_by") == "2.99"  # type: ignore[union-attr]
    assert oversight.entry("2.18", 3).change("superseded_by").after == "CT/1"  # type: ignore[union-attr]

    update = committee(log, since=date(2017, 2, 1), as_at=date(2017, 4, 1))
    assert [i.details.expected_report for i in update.announced] == ["CT-R"]
    public_update = for_audience(update, PUBLIC)
    assert [i.details.expected_report for i in public_update.announced] == [views.WITHHELD]
    for secret in LINKED_SECRETS:
        assert secret not in repr(public_update)


def test_disclosure_describes_itself() -> None:
    assert Disclosure().describe() == "Body view: nothing withheld; owners shown by name and role."
    one = Disclosure(audience=PUBLIC, withheld=1, owner_names=False)
    assert one.describe() == "Public view: 1 sensitive item withheld; owners shown by role only."


def test_views_refuse_what_is_not_a_view() -> None:
    with pytest.raises(TypeError, match="not a view"):
        for_audience(object(), PUBLIC)  # type: ignore[type-var]


# --- no secret ever reaches the public --------------------------------------------------------


def _outputs(log: PureLog, audience: Audience) -> list[object]:
    sensitive = Sensitivity.of(e.event for e in log.entries)
    head = len(log.entries)
    outputs: list[object] = []
    moments = [None, MARCH_2 + (log.now - MARCH_2) / 2]
    for known_at in moments:
        for position in (None, head // 2):
            basis = log.basis(known_at=known_at, position=position)  # type: ignore[arg-type]
            for as_at in (date(2016, 3, 1), date(2016, 12, 31), date(2017, 4, 1)):
                basis = attrs.evolve(basis, as_at=as_at)
                views_ = [
                    build_register(log.entries, basis),
                    build_trail(log.entries, basis),
                    build_committee_update(log.entries, since=date(2016, 1, 1), basis=basis),
                ]
                outputs += [for_audience(v, audience, sensitive=sensitive) for v in views_]
                outputs += [
                    for_audience(v, audience, AudiencePolicy(count_withheld=False))
                    for v in views_
                    if audience is not PUBLIC
                ]
    return outputs


@settings(max_examples=150)
@given(secret_scenarios())
def test_no_secret_or_name_reaches_a_public_view(commands: list[domain.Command]) -> None:
    log = PureLog(datetime(2017, 4, 10, 9, tzinfo=UTC))
    play(commands, log.execute)
    public = repr(_outputs(log, PUBLIC))
    assert SECRET not in public
    assert NAME not in public
    oversight = repr(_outputs(log, OVERSIGHT))
    assert f"{NAME}OWNER" not in oversight
    assert f"{NAME}CORRECTED" not in oversight
    body = repr(_outputs(log, Audience.BODY))
    assert f"{NAME}OWNER" in body  # every log raises one recommendation at least
    if any(SECRET in repr(e.event) for e in log.entries):
        assert SECRET in oversight
