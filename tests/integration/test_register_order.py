"""The register lists its rows by reference in code point order, on every store and from
every source (the current table, the history, the lean stream), whatever the order they
were raised and changed in: what a fold of the log gives."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import recommendations as r
from tests.conftest import Clock, report_details, who

# Raised in this order: neither code point order nor any other a table keeps by itself.
_REFERENCES = ("2.9", "Zeta", "2.10", "élan", "alpha", "Ω1", "10", "Élan 2", "2.1")


def _raise(
    tracker: r.Tracker, reference: str, month: int, day: int, due_on: date = date(2017, 6, 30)
) -> None:
    """Raise ``reference`` from the report, taking effect on that day of 2017."""
    tracker.execute(
        r.Raise(
            reference=reference,
            text=f"Recommendation {reference}",
            report="PEEL-EFF-2016",
            grade="red",
            owner="Head of Public Protection",
            due_on=due_on,
            **who(month, day),  # type: ignore[arg-type]
        )
    )


def _build(tracker: r.Tracker, clock: Clock) -> None:
    tracker.execute(
        r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2))  # type: ignore[arg-type]
    )
    for reference in _REFERENCES:
        _raise(tracker, reference, 3, 2)
    # Later changes to some of them, so that their rows are written again, after the others.
    clock.jump_to(datetime(2017, 6, 1, 9, tzinfo=UTC))
    for reference in ("2.10", "alpha", "Ω1"):
        tracker.execute(
            r.Regrade(reference=reference, grade="amber", **who(5, 1))  # type: ignore[arg-type]
        )


def test_rows_are_in_code_point_order_from_every_source(store_url: str, clock: Clock) -> None:
    with r.Tracker(store_url, clock=clock) as tracker:
        _build(tracker, clock)
        late = tracker.basis().known_at + timedelta(seconds=1)
        bases: list[dict[str, object]] = [
            {},  # the current table
            {"as_at": date(2017, 4, 1), "known_at": late},  # the history, at the head
            {"as_at": date(2017, 6, 1), "position": tracker.head() - 1},  # at an earlier one
        ]
        for basis in bases:
            register = tracker.register(**basis)  # type: ignore[arg-type]
            references = [row.reference for row in register]
            assert references == sorted(_REFERENCES), basis
            folded = tracker.register_by_fold(
                as_at=register.basis.as_at,
                known_at=register.basis.known_at,
                position=register.basis.position,
            )
            assert register.rows == folded.rows, basis
            streamed = tracker.stream_register(**basis)  # type: ignore[arg-type]
            assert [line.row() for line in streamed] == list(register.rows), basis
        # Read again from the rows kept, and after a change patched into them.
        assert [row.reference for row in tracker.register()] == sorted(_REFERENCES)
        clock.jump_to(datetime(2017, 7, 1, 9, tzinfo=UTC))
        tracker.execute(r.Regrade(reference="2.9", grade="green", **who(6, 1)))  # type: ignore[arg-type]
        again = tracker.register()
        assert [row.reference for row in again] == sorted(_REFERENCES)
        assert again.rows == tracker.register_by_fold().rows


def test_a_reference_raised_after_the_rows_are_kept_takes_its_place(
    store_url: str, clock: Clock
) -> None:
    with r.Tracker(store_url, clock=clock) as tracker:
        _build(tracker, clock)
        assert [row.reference for row in tracker.register()] == sorted(_REFERENCES)
        added = ("0 first", "Zz last", "élan 3")
        for reference in added:
            _raise(tracker, reference, 6, 1)
        again = tracker.register()  # the kept rows, with the new ones patched in
        assert [row.reference for row in again] == sorted((*_REFERENCES, *added))
        assert again.rows == tracker.register_by_fold().rows


@pytest.mark.parametrize("edit", ["CAST(reference AS BLOB)", "NULL"])
def test_references_edited_by_hand_into_no_text_keep_the_tables_order(
    tmp_path: Path, clock: Clock, edit: str
) -> None:
    """A reference a hand edit made a blob or NULL in SQLite's current table: the register
    read from it lists the rows in the table's own order, as its stream does, rather than
    failing to compare them."""
    path = tmp_path / "store.db"
    with r.Tracker(f"sqlite:///{path}", clock=clock) as tracker:
        _build(tracker, clock)
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE rec_register SET reference = {edit} WHERE reference = '2.10'")
    with r.Tracker(f"sqlite:///{path}", clock=clock) as tracker:
        streamed = [line.reference for line in tracker.stream_register()]
        assert [row.reference for row in tracker.register()] == streamed
        assert None in streamed or b"2.10" in streamed
        clock.jump_to(datetime(2017, 7, 1, 9, tzinfo=UTC))
        _raise(tracker, "2.0", 6, 1, date(2017, 9, 30))
        patched = [row.reference for row in tracker.register()]
        assert patched == [line.reference for line in tracker.stream_register()]
        assert "2.0" in patched
