"""Text and references through the tracker, on every store: refused before anything is
written, and taken in normal form wherever a reference enters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations import domain
from tests.conftest import Clock, report_details, who


def publish(tracker: r.Tracker, reference: str = "PEEL-EFF-2016") -> None:
    tracker.execute(r.PublishReport(reference=reference, details=report_details(), **who(3, 2)))


def raising(reference: str = "CB-21", **changes: object) -> r.Raise:
    fields: dict[str, object] = {
        "reference": reference,
        "text": "Ensure effective supervision",
        "report": "PEEL-EFF-2016",
        **who(3, 2),
    }
    fields.update(changes)
    return r.Raise(**fields)  # type: ignore[arg-type]


def test_bad_text_is_refused_before_anything_is_written(tracker: r.Tracker) -> None:
    publish(tracker)
    tracker.execute(raising())
    head = tracker.head()
    bad = [
        r.NoteProgress(reference="CB-21", note="NUL \x00 here", **who(3, 10)),
        r.NoteProgress(reference="CB-21", note="bell\x07", **who(3, 10)),
        r.Assign(reference="CB-21", owner="x" * 1_000_000, **who(3, 10)),
        raising("CB-22", text="lone \ud800 surrogate"),
        r.PublishReport(reference="R-2", details=report_details(title="T\x1b[31m"), **who(3, 2)),
        r.RecordInspection(
            reference="I-1",
            details=r.InspectionDetails(title="I", body="B\x00", inspectorates=("HMIC",)),
            **who(3, 2),
        ),
    ]
    fields = []
    for command in bad:
        with pytest.raises(r.RuleViolation) as caught:
            tracker.execute(command)
        fields.append((caught.value.field, caught.value.rule))
        # a batch holding it records nothing either
        with pytest.raises(r.RuleViolation):
            tracker.execute_many(
                [r.NoteProgress(reference="CB-21", note="fine", **who(3, 10)), command]
            )
    assert fields == [
        ("note", "text-characters"),
        ("note", "text-characters"),
        ("owner", "text-length"),
        ("text", "text-characters"),
        ("title", "text-characters"),
        ("body", "text-characters"),
    ]
    assert tracker.head() == head
    # every read still works
    now = datetime(2017, 5, 1, tzinfo=UTC)
    assert tracker.register(known_at=now) == tracker.register_by_fold(known_at=now)
    assert tracker.recommendation("CB-21").version == 1
    assert len(tracker.history("CB-21").entries) == 1


LOOK_ALIKES = {
    "zero-width space": ("CB-21\u200b", "reference-characters"),
    "right-to-left override": ("\u202eCB-21", "reference-characters"),
    "embedded newline": ("CB\n21", "reference-characters"),
    "10,000 characters": ("C" * 10_000, "reference-length"),
    "lower case": ("cb-21", "reference-unique-ignoring-case"),
}


def test_look_alike_references_are_refused_or_matched(tracker: r.Tracker) -> None:
    publish(tracker)
    tracker.execute(raising())
    head = tracker.head()
    for reference, rule in LOOK_ALIKES.values():
        with pytest.raises(r.RuleViolation) as caught:
            tracker.execute(raising(reference))
        assert (caught.value.field, caught.value.rule) == ("reference", rule)
        assert len(str(caught.value)) < 400 and "\n" not in str(caught.value)
    assert "recommendation 'CB-21'" in str(caught.value)
    # the fullwidth and padded forms are CB-21 itself
    with pytest.raises(r.AlreadyExists, match="rule 'raised-once'"):
        tracker.execute(raising("\uff23\uff22-21"))
    assert tracker.head() == head
    tracker.execute(r.NoteProgress(reference=" \uff23\uff22-21 ", note="begun", **who(3, 10)))
    assert tracker.recommendation("\uff23\uff22-21\u3000").last_note == "begun"
    assert [e.originator_version for e in tracker.events(" CB-21")] == [1, 2]
    assert len(tracker.history("\uff23\uff22-21").entries) == 2
    assert tracker.report(" PEEL-EFF-2016 ").reference == "PEEL-EFF-2016"
    # references that differ only by case name different items: lookups do not guess
    with pytest.raises(r.NotFound):
        tracker.recommendation("cb-21")
    assert [s.reference for s in tracker.recommendations()] == ["CB-21"]


def test_references_differing_only_by_case_are_refused_for_every_kind(
    tracker: r.Tracker,
) -> None:
    publish(tracker)
    tracker.execute(
        r.RecordInspection(
            reference="INS-1",
            details=r.InspectionDetails(title="I", body="B", inspectorates=("HMIC",)),
            **who(3, 2),
        )
    )
    head = tracker.head()
    with pytest.raises(r.AlreadyExists, match="report 'PEEL-EFF-2016'") as caught:
        publish(tracker, "peel-eff-2016")
    assert (caught.value.rule, caught.value.subject) == (
        "reference-unique-ignoring-case",
        "report",
    )
    with pytest.raises(r.AlreadyExists, match="inspection 'INS-1'"):
        tracker.execute(
            r.RecordInspection(
                reference="ins-1",
                details=r.InspectionDetails(title="I", body="B", inspectorates=("HMIC",)),
                **who(3, 2),
            )
        )
    # within one batch too, and then nothing of the batch is recorded
    with pytest.raises(r.AlreadyExists, match="recommendation 'CB-30'"):
        tracker.execute_many([raising("CB-30"), raising("cb-30")])
    assert tracker.head() == head
    # a report and a recommendation may share a reference: they are different kinds
    tracker.execute(raising("PEEL-EFF-2016"))


def test_a_new_tracker_knows_the_references_already_taken(store_url: str, clock: Clock) -> None:
    if store_url == "memory://":
        pytest.skip("a memory store lives and dies with its tracker")
    with r.Tracker(store_url, clock=clock) as first:
        publish(first)
        first.execute(raising())
        with r.Tracker(store_url, clock=clock) as second:
            with pytest.raises(r.AlreadyExists, match="recommendation 'CB-21'"):
                second.execute(raising("cb-21"))  # its index read from the log
            first.execute(raising("CB-22"))  # recorded by another writer since
            with pytest.raises(r.AlreadyExists, match="recommendation 'CB-22'"):
                second.execute(raising("Cb-22"))
            second.execute(raising("CB-23"))  # learnt from its own entry
            with pytest.raises(r.AlreadyExists, match="recommendation 'CB-23'"):
                second.execute(raising("cb-23"))
            with pytest.raises(r.AlreadyExists, match="recommendation 'CB-23'"):
                first.execute(raising("cB-23"))


def test_a_reference_recorded_before_it_was_normalised_still_reads(tracker: r.Tracker) -> None:
    """A store written before references were taken in normal form may hold one that is
    not: it is found by the form it was recorded under."""
    publish(tracker)
    fullwidth = "\uff23\uff22-9"
    event = domain.decide(
        [],
        raising("CB-9"),
        recorded_at=datetime(2017, 4, 1, tzinfo=UTC),
        report=tracker.report("PEEL-EFF-2016"),
    )
    old = attrs.evolve(
        event, reference=fullwidth, originator_id=domain.recommendation_id(fullwidth)
    )
    tracker.append_log([old])
    assert tracker.recommendation(fullwidth).reference == fullwidth
    assert len(tracker.history(fullwidth).entries) == 1
    assert tracker.events(fullwidth) == [old]


@settings(max_examples=60, deadline=None)
@given(note=st.text(max_size=50))
def test_any_note_round_trips_through_a_sqlite_store_or_is_refused(
    note: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path: Path = tmp_path_factory.getbasetemp() / "notes.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        if not tracker.head():
            publish(tracker)
            tracker.execute(raising(effective_on=date(2017, 3, 2)))
        head = tracker.head()
        try:
            recorded = tracker.execute(r.NoteProgress(reference="CB-21", note=note, **who(3, 10)))
        except r.RuleViolation as error:
            assert error.field == "note"
            assert error.rule in ("required", "text-characters")
            assert tracker.head() == head
        else:
            assert tracker.events("CB-21")[-1].note == note  # type: ignore[attr-defined]
            assert recorded.position == head + 1


def test_a_command_naming_a_reference_in_another_case_says_which_exists(
    tracker: r.Tracker,
) -> None:
    publish(tracker)
    tracker.execute(raising())
    with pytest.raises(r.NotFound) as caught:
        tracker.execute(r.NoteProgress(reference="cb-21", note="n", **who(3, 10)))
    assert str(caught.value).endswith("(recommendation 'CB-21' differs from it only by case)")
    with pytest.raises(r.NotFound, match=r"\(report 'PEEL-EFF-2016' differs from it only"):
        tracker.execute(raising("CB-22", report="peel-eff-2016"))
    with pytest.raises(r.NotFound) as unknown:
        tracker.execute(r.NoteProgress(reference="CB-99", note="n", **who(3, 10)))
    assert str(unknown.value) == (
        "recommendation 'CB-99': rule 'exists': no recommendation has this reference"
    )


@pytest.mark.parametrize("command_id", ["import\x00", "id\u200b", "x" * 100_000])
def test_a_command_id_is_printable_and_short(tracker: r.Tracker, command_id: str) -> None:
    publish(tracker)
    head = tracker.head()
    with pytest.raises(r.RuleViolation) as caught:
        tracker.execute(raising(), command_id=command_id)
    assert (caught.value.field, caught.value.rule) == ("command_id", "command-id")
    assert len(str(caught.value)) < 300
    assert tracker.head() == head
