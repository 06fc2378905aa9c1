"""Due dates known only to the month: due by the month's last day, and kept as a month."""

from __future__ import annotations

import doctest
import uuid
from datetime import UTC, date, datetime

import orjson
import pytest

import recommendations as r
from recommendations import RuleViolation, domain
from recommendations._serialization import decode_event, encode_event, topic_of
from tests.conftest import report_details, who


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("2026-03", date(2026, 3, 31), "month"),
        ("2026-04", date(2026, 4, 30), "month"),
        ("2028-02", date(2028, 2, 29), "month"),
        ("2100-02", date(2100, 2, 28), "month"),
        (" 2026-12 ", date(2026, 12, 31), "month"),
        ("2026-03-15", date(2026, 3, 15), "day"),
        ("2026-03-31", date(2026, 3, 31), "day"),
    ],
)
def test_a_due_date_is_a_day_or_a_month_due_by_its_last_day(
    text: str, due: date, precision: str
) -> None:
    assert domain.due_date_of(text) == domain.DueDate(due, precision)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "March 2026", "2026-02-30", ""])
def test_anything_else_is_refused_naming_the_field_and_the_rule(text: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        domain.due_date_of(text)
    assert (caught.value.field, caught.value.rule) == ("due_on", "due-month")


def test_a_month_due_is_overdue_only_once_the_month_is_over() -> None:
    due = domain.month_due(2026, 3).on
    assert not due < date(2026, 3, 31)  # not overdue on its last day
    assert due < date(2026, 4, 1)


def test_a_due_date_is_shown_as_it_was_given() -> None:
    assert str(domain.month_due(2026, 3)) == "March 2026"
    assert str(domain.due_date_of("2026-03-31")) == "2026-03-31"
    assert domain.shown_due(date(2026, 3, 31), "month") == "March 2026"
    assert domain.shown_due(None) == ""
    assert domain.due_month(date(2026, 3, 31), "month") == "2026-03"
    assert domain.due_month(date(2026, 3, 31), "day") == ""


_META = {
    "originator_id": uuid.UUID("6f1c2b7e-3a51-5d7e-9f0c-2d4c8b1e0a93"),
    "originator_version": 4,
    "recorded_at": datetime(2017, 4, 10, 9, 30, tzinfo=UTC),
    "effective_on": date(2017, 3, 30),
    "actor": "Kath Holder",
    "reason": "committee",
}


def test_an_entry_stored_before_precisions_were_kept_reads_as_known_to_the_day() -> None:
    state = (
        b'{"recorded_at":"2017-04-10T09:30:00+00:00","effective_on":"2017-03-30",'
        b'"actor":"Kath Holder","reason":"committee","due_on":"2017-09-30"}'
    )
    event = decode_event(topic_of(domain.DeadlineChanged), state, _META["originator_id"], 4)  # type: ignore[arg-type]
    assert isinstance(event, domain.DeadlineChanged)
    assert (event.due_on, event.due_precision) == (date(2017, 9, 30), "day")
    # ... and a due date known to the day is still stored exactly so.
    assert encode_event(event) == state


def test_a_month_is_stored_with_its_precision_and_reads_back() -> None:
    event = domain.DeadlineChanged(**_META, due_on=date(2017, 9, 30), due_precision="month")  # type: ignore[arg-type]
    stored = encode_event(event)
    assert orjson.loads(stored)["due_precision"] == "month"
    assert decode_event(topic_of(domain.DeadlineChanged), stored, event.originator_id, 4) == event


def _raise(due: domain.DueDate | None) -> list[domain.Command]:
    return [
        r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2)),  # type: ignore[arg-type]
        r.Raise(
            reference="2.16",
            text="Supervise DASH risk assessments",
            report="PEEL-2016",
            due_on=due.on if due else None,
            due_precision=due.precision if due else "day",
            **who(3, 2),  # type: ignore[arg-type]
        ),
    ]


def test_the_state_keeps_the_precision_through_deadline_changes() -> None:
    with r.Tracker("memory://") as tracker:
        for command in _raise(domain.month_due(2017, 9)):
            tracker.execute(command)
        (state,) = tracker.recommendations()
        assert (state.due_on, state.due_precision, state.due_shown) == (
            date(2017, 9, 30),
            "month",
            "September 2017",
        )
        # The same last day, now known to the day, is a change.
        tracker.execute(r.ChangeDeadline(reference="2.16", due_on=date(2017, 9, 30), **who(4, 1)))  # type: ignore[arg-type]
        tracker.execute(
            r.ChangeDeadline(
                reference="2.16",
                due_on=date(2017, 12, 31),
                due_precision="month",
                **who(4, 2),  # type: ignore[arg-type]
            )
        )
        (state,) = tracker.recommendations()
        assert (state.due_shown, state.original_due_precision, state.deferrals) == (
            "December 2017",
            "month",
            1,
        )
        with pytest.raises(RuleViolation) as caught:
            tracker.execute(
                r.ChangeDeadline(
                    reference="2.16",
                    due_on=date(2017, 12, 31),
                    due_precision="month",
                    **who(4, 3),  # type: ignore[arg-type]
                )
            )
        assert caught.value.rule == "no-change"


@pytest.mark.parametrize("due", [date(2017, 9, 29), None])
def test_a_month_precision_needs_the_months_last_day(due: date | None) -> None:
    with r.Tracker("memory://") as tracker:
        tracker.execute(_raise(None)[0])
        with pytest.raises(RuleViolation) as caught:
            tracker.execute(
                r.Raise(
                    reference="2.16",
                    text="Supervise",
                    report="PEEL-2016",
                    due_on=due,
                    due_precision="month",
                    **who(3, 2),  # type: ignore[arg-type]
                )
            )
        assert (caught.value.field, caught.value.rule) == ("due_precision", "due-month")
        assert tracker.recommendations() == []


@pytest.mark.parametrize("precision", ["day", "month"])
def test_a_correction_carries_the_precision_of_the_entry_it_replaces(precision: str) -> None:
    replaced = domain.DeadlineChanged(**_META, due_on=date(2017, 9, 30), due_precision=precision)  # type: ignore[arg-type]
    corrected = domain.Corrected(
        **{**_META, "originator_version": 5},  # type: ignore[arg-type]
        corrects=4,
        what_was_wrong="the month was given, not the day",
        replacement=replaced,
    )
    stored = encode_event(corrected)
    assert ("due_precision" in orjson.loads(stored)["replacement"]) is (precision == "month")
    assert decode_event(topic_of(domain.Corrected), stored, corrected.originator_id, 5) == corrected


def test_the_examples_of_the_module_hold() -> None:
    from recommendations.domain import _months

    assert doctest.testmod(_months).failed == 0
