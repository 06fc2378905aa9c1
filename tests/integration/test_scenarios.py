"""The same scenarios, run against every store by configuration (memory and SQLite)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import recommendations as r
from recommendations import domain
from tests.conftest import Clock, report_details, who


def publish(tracker: r.Tracker, reference: str = "PEEL-EFF-2016", **changes: object) -> None:
    tracker.execute(
        r.PublishReport(reference=reference, details=report_details(**changes), **who(3, 2))
    )


def raise_one(tracker: r.Tracker, reference: str = "2.16", **changes: object) -> r.Positioned:
    fields: dict[str, object] = {
        "reference": reference,
        "text": "Ensure effective supervision of DASH risk assessment",
        "report": "PEEL-EFF-2016",
        "finding": "2.15",
        "grade": "amber",
        "due_on": date(2017, 3, 2),
        **who(3, 2),
    }
    fields.update(changes)
    return tracker.execute(r.Raise(**fields))  # type: ignore[arg-type]


def test_a_whole_life_through_the_tracker(tracker: r.Tracker, clock: Clock) -> None:
    publish(tracker)
    first = raise_one(tracker)
    tracker.execute(r.Assign(reference="2.16", owner="Head of Public Protection", **who(3, 10)))
    tracker.execute(r.NoteProgress(reference="2.16", note="audit begun", **who(3, 20)))
    tracker.execute(r.ChangeDeadline(reference="2.16", due_on=date(2017, 6, 30), **who(3, 30)))
    tracker.execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))
    tracker.execute(
        r.ClaimImplementation(reference="2.16", note="done", evidence=["audit.pdf"], **who(4, 3))
    )
    last = tracker.execute(
        r.Discharge(
            reference="2.16",
            outcome=r.Outcome.IMPLEMENTED,
            accepted_by="HMIC",
            acceptor_role="inspectorate",
            **who(4, 5),
        )
    )
    state = tracker.recommendation("2.16")
    assert (state.status, state.grade, state.owner, state.version) == (
        r.Status.DISCHARGED,
        "green",
        "Head of Public Protection",
        7,
    )
    assert (state.original_due_on, state.due_on, state.deferrals) == (
        date(2017, 3, 2),
        date(2017, 6, 30),
        1,
    )
    events = tracker.events("2.16")
    assert [e.originator_version for e in events] == list(range(1, 8))
    assert [type(e).__name__ for e in events] == [
        "Raised",
        "Assigned",
        "ProgressNoted",
        "DeadlineChanged",
        "Regraded",
        "ImplementationClaimed",
        "Discharged",
    ]
    recorded = [e.recorded_at for e in events]
    assert recorded == sorted(recorded) and len(set(recorded)) == 7
    assert recorded[0] > datetime(2017, 4, 10, 9, tzinfo=UTC)  # from the tracker's clock
    assert last.position > first.position
    before_discharge = tracker.recommendation("2.16", as_at=date(2017, 4, 4))
    assert before_discharge.status is r.Status.CLAIMED


def test_a_refused_command_records_nothing(tracker: r.Tracker) -> None:
    publish(tracker)
    raise_one(tracker)
    before = list(tracker.log())
    with pytest.raises(r.RuleViolation) as caught:
        tracker.execute(r.Regrade(reference="2.16", grade="purple", **who(3, 3)))
    assert str(caught.value) == (
        "recommendation '2.16': field 'grade': rule 'grade-on-scale': "
        "'purple' is not on scale 'rag' (red, amber, green)"
    )
    with pytest.raises(r.NotFound, match="recommendation '2.99'"):
        tracker.execute(r.Regrade(reference="2.99", grade="green", **who(3, 3)))
    with pytest.raises(r.NotFound, match="no recommendation '2.17' to be superseded by"):
        tracker.execute(
            r.Discharge(
                reference="2.16",
                outcome=r.Outcome.SUPERSEDED,
                superseded_by="2.17",
                accepted_by="HMIC",
                acceptor_role="inspectorate",
                **who(3, 3),
            )
        )
    assert list(tracker.log()) == before


def test_sources_are_recorded_and_revised(tracker: r.Tracker) -> None:
    details = r.InspectionDetails(
        title="Custody",
        body="West Midlands Police",
        inspectorates=("HM Inspectorate of Prisons", "HMIC", "Care Quality Commission"),
        fieldwork_from=date(2017, 2, 6),
        fieldwork_to=date(2017, 2, 9),
        hot_debrief_on=date(2017, 2, 10),
        expected_report="draft in April",
        national=False,
        sensitive=False,
    )
    tracker.execute(r.RecordInspection(reference="CUSTODY-2017", details=details, **who(2, 10)))
    revised = r.InspectionDetails(**{**details.__getstate__(), "expected_report": "summer"})  # type: ignore[arg-type]
    tracker.execute(r.ReviseInspection(reference="CUSTODY-2017", details=revised, **who(3, 30)))
    assert tracker.inspection("CUSTODY-2017").details.expected_report == "summer"
    assert tracker.inspection("CUSTODY-2017", as_at=date(2017, 3, 1)).details == details
    with pytest.raises(r.RuleViolation, match="inspection 'CUSTODY-2017'.*no-change"):
        tracker.execute(r.ReviseInspection(reference="CUSTODY-2017", details=revised, **who(4, 1)))
    with pytest.raises(r.AlreadyExists, match="inspection 'CUSTODY-2017'"):
        tracker.execute(r.RecordInspection(reference="CUSTODY-2017", details=details, **who(4, 1)))
    with pytest.raises(r.NotFound, match="no inspection 'NOPE'"):
        publish(tracker, inspection="NOPE")
    publish(tracker, inspection="CUSTODY-2017")
    assert tracker.report("PEEL-EFF-2016").details.inspection == "CUSTODY-2017"
    with pytest.raises(r.RuleViolation, match="report 'X': field 'overall_grade'.*grade-on-scale"):
        publish(tracker, "X", overall_grade="brilliant")
    with pytest.raises(r.NotFound, match="report 'X'"):
        tracker.report("X")


def test_a_sensitive_inspection_makes_its_recommendations_sensitive(tracker: r.Tracker) -> None:
    details = r.InspectionDetails(
        title="Counter Terrorism Command & Control",
        body="West Midlands Police",
        inspectorates=("HMIC",),
        fieldwork_from=date(2016, 12, 13),
        fieldwork_to=date(2016, 12, 15),
        hot_debrief_on=date(2016, 12, 15),
        expected_report=None,
        national=False,
        sensitive=True,
    )
    tracker.execute(r.RecordInspection(reference="CT-2016", details=details, **who(12, 15, 2016)))
    publish(tracker, "CT-2016-R", inspection="CT-2016")
    raise_one(tracker, "CT/1", report="CT-2016-R", finding=None)
    assert tracker.recommendation("CT/1").sensitive
    assert tracker.report("CT-2016-R").sensitive


def test_the_register_as_at_and_as_known_at(tracker: r.Tracker, clock: Clock) -> None:
    publish(tracker)
    raise_one(tracker, "2.16")
    raise_one(tracker, "2.18", grade="red")
    clock.jump_to(datetime(2017, 4, 10, 12, tzinfo=UTC))
    update = tracker.execute(r.Regrade(reference="2.18", grade="amber", **who(3, 30)))
    assert update.event.recorded_at > datetime(2017, 4, 10, 12, tzinfo=UTC)

    def grades(**when: object) -> dict[str, str | None]:
        return {s.reference: s.grade for s in tracker.recommendations(**when)}  # type: ignore[arg-type]

    assert grades() == {"2.16": "amber", "2.18": "amber"}
    assert grades(as_at=date(2017, 3, 29)) == {"2.16": "amber", "2.18": "red"}
    known_before = update.event.recorded_at - timedelta(microseconds=1)
    assert grades(as_at=date(2017, 3, 30), known_at=known_before) == {
        "2.16": "amber",
        "2.18": "red",
    }
    assert grades(as_at=date(2017, 3, 1)) == {}
    with pytest.raises(r.NotFound, match="as at 2017-03-01"):
        tracker.recommendation("2.16", as_at=date(2017, 3, 1))


def test_the_log_reads_in_pages(tracker: r.Tracker) -> None:
    publish(tracker)
    for number in range(25):
        raise_one(tracker, f"N/{number}")
    logged = list(tracker.log(page_size=7))
    assert len(logged) == 26
    assert [x.position for x in logged] == sorted(x.position for x in logged)
    assert len({x.position for x in logged}) == 26
    assert [x.event for x in tracker.log(after=logged[20].position)] == [
        x.event for x in logged[21:]
    ]


def test_recorded_time_never_goes_backwards(store_url: str) -> None:
    stuck = datetime(2017, 4, 10, 9, tzinfo=UTC)
    with r.Tracker(store_url, clock=lambda: stuck) as tracker:
        publish(tracker)
        raise_one(tracker)
        tracker.execute(r.Regrade(reference="2.16", grade="green", **who(3, 3)))
        first, second = tracker.events("2.16")
        assert second.recorded_at > first.recorded_at


def test_a_naive_clock_is_refused(store_url: str) -> None:
    with (
        r.Tracker(store_url, clock=lambda: datetime(2017, 4, 10)) as tracker,
        pytest.raises(ValueError, match="timezone-aware"),
    ):
        publish(tracker)


# --- SQLite: a file others can open ----------------------------------------------------------


def test_sqlite_keeps_the_log_across_trackers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    with r.Tracker(url) as tracker:
        publish(tracker)
        raise_one(tracker)
        tracker.execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))
        live = tracker.recommendation("2.16")
        events = tracker.events("2.16")
    with r.Tracker(url) as reopened:
        assert reopened.recommendation("2.16") == live
        assert reopened.events("2.16") == events


def _interleaving(first: r.Tracker) -> Callable[[], datetime]:
    """A clock that, the first time it is read (after the second writer has read the log
    and before it saves), has the first writer record an entry for the same recommendation."""
    calls = []

    def clock() -> datetime:
        if not calls:
            calls.append(1)
            first.execute(r.Assign(reference="2.16", owner="ACC", **who(3, 5)))
        return datetime.now(UTC)

    return clock


def test_two_writers_on_one_file_do_not_overwrite_each_other(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with r.Tracker(url) as first:
        publish(first)
        raise_one(first)
        with r.Tracker(url, clock=_interleaving(first), retries=0) as second:
            with pytest.raises(r.ConcurrencyError, match="another writer recorded") as caught:
                second.execute(r.Regrade(reference="2.16", grade="green", **who(3, 6)))
            assert caught.value.reference == "2.16"
            assert [type(e).__name__ for e in first.events("2.16")] == ["Raised", "Assigned"]


def test_a_conflicting_write_is_decided_again_on_the_new_state(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with r.Tracker(url) as first:
        publish(first)
        raise_one(first)
        with r.Tracker(url, clock=_interleaving(first)) as second:
            recorded = second.execute(r.Regrade(reference="2.16", grade="green", **who(3, 6)))
        assert recorded.event.originator_version == 3
        assert [type(e).__name__ for e in first.events("2.16")] == [
            "Raised",
            "Assigned",
            "Regraded",
        ]
        assert first.recommendation("2.16").owner == "ACC"


def test_an_unreadable_entry_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        publish(tracker)
        raise_one(tracker)
        originator_id = domain.recommendation_id("2.16").hex
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO stored_events VALUES (?, 2, 'recommendations.domain:Promoted', '{}')",
            (originator_id,),
        )
    connection.close()
    with (
        r.Tracker(f"sqlite:///{path}") as tracker,
        pytest.raises(r.UnreadableEvent, match="entry 2 of .* unknown event type"),
    ):
        tracker.events("2.16")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 50)
    with pytest.raises(r.StoreError, match="file is not a database"):
        r.Tracker(f"sqlite:///{path}")


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("register.db", "store-url"),
        ("sqlite://", "store-url"),
        ("sqlite:///no/such/folder/x.db", "store-url"),
        ("oracle://scott@tiger/db", "store-scheme"),
    ],
)
def test_bad_store_urls(url: str, rule: str) -> None:
    with pytest.raises(r.ConfigurationError) as caught:
        r.Tracker(url)
    assert caught.value.rule == rule


def test_in_memory_sqlite_is_shared_between_threads() -> None:
    import threading

    with r.Tracker("sqlite:///:memory:") as tracker:
        publish(tracker)
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                raise_one(tracker, f"T/{n}")
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert [s.reference for s in tracker.recommendations()] == ["T/0", "T/1", "T/2", "T/3"]


# --- what a caller cannot get wrong ------------------------------------------------------------


def test_the_environment_never_redirects_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv("RECOMMENDATIONS_SQLITE_DBNAME", str(elsewhere))
    monkeypatch.setenv("RECOMMENDATIONS_PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("SQLITE_DBNAME", str(elsewhere))
    asked = tmp_path / "asked.db"
    with r.Tracker(f"sqlite:///{asked}") as tracker:
        publish(tracker)
    assert asked.exists()
    assert not elsewhere.exists()


def test_what_is_not_a_command_is_refused(tracker: r.Tracker) -> None:
    with pytest.raises(r.RuleViolation, match="field 'command': rule 'type'"):
        tracker.execute({"reference": "2.16"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"known_at": datetime(2017, 4, 1)}, "known_at"),
        ({"known_at": "2017-04-01"}, "known_at"),
        ({"as_at": datetime(2017, 4, 1, tzinfo=UTC)}, "as_at"),
        ({"as_at": "2017-04-01"}, "as_at"),
    ],
)
def test_bad_times_to_ask_about_are_refused(
    tracker: r.Tracker, when: dict[str, object], field: str
) -> None:
    publish(tracker)
    raise_one(tracker)
    for ask in (
        lambda: tracker.recommendation("2.16", **when),  # type: ignore[arg-type]
        lambda: tracker.register(**when),  # type: ignore[arg-type]
        lambda: tracker.report("PEEL-EFF-2016", **when),  # type: ignore[arg-type]
    ):
        with pytest.raises(r.RuleViolation) as caught:
            ask()
        assert (caught.value.field, caught.value.rule) == (field, "type")


def test_recorded_time_grows_along_the_whole_log(store_url: str) -> None:
    times = iter(
        [datetime(2017, 4, 10, 9, tzinfo=UTC), datetime(2017, 4, 10, 10, tzinfo=UTC)]
        + [datetime(2017, 4, 1, tzinfo=UTC)] * 10  # then the clock is set back
    )
    with r.Tracker(store_url, clock=lambda: next(times)) as tracker:
        publish(tracker)
        raise_one(tracker, "A")
        raise_one(tracker, "B")
        recorded = [logged.event.recorded_at for logged in tracker.log()]
    assert recorded == sorted(recorded)
    assert len(set(recorded)) == len(recorded)


def test_one_recommendation_with_the_basis_of_the_answer(tracker: r.Tracker) -> None:
    publish(tracker)
    raise_one(tracker, "2.16")
    raise_one(tracker, "2.18")
    one = tracker.register(as_at=date(2017, 3, 2), where=r.views.RegisterFilter(reference="2.16"))
    assert [row.reference for row in one] == ["2.16"]
    assert one.basis.as_at == date(2017, 3, 2)
    assert one.basis.position == tracker.head()
