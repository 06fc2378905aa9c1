"""A due date known only to the month, on every store: kept as a month in the register and
its views (folded or materialised), overdue only once the month is over, on both time
axes."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import recommendations as r
from recommendations import domain
from recommendations.sqltables import SCHEMA_VERSION
from tests.conftest import Clock, report_details, who


def _due(tracker: r.Tracker, **basis: object) -> tuple[str, bool, str]:
    register = tracker.register(**basis)  # type: ignore[arg-type]
    assert list(register) == list(tracker.register_by_fold(**basis))  # type: ignore[arg-type]
    (row,) = register
    assert row.original_due_precision == "month"  # first due by the end of March
    return row.due_shown, row.overdue, row.due_precision


def test_a_month_alone_is_kept_and_overdue_once_the_month_is_over(
    store_url: str, clock: Clock
) -> None:
    with r.Tracker(store_url, clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2))
        )  # type: ignore[arg-type]
        march = domain.month_due(2017, 3)
        tracker.execute(
            r.Raise(
                reference="2.16",
                text="Supervise DASH risk assessments",
                report="PEEL-2016",
                due_on=march.on,
                due_precision=march.precision,
                **who(3, 2),  # type: ignore[arg-type]
            )
        )
        before_the_move = clock.now + timedelta(seconds=1)
        clock.jump_to(before_the_move + timedelta(minutes=1))
        june = domain.due_date_of("2017-06")
        tracker.execute(
            r.ChangeDeadline(
                reference="2.16",
                due_on=june.on,
                due_precision=june.precision,
                **who(4, 1),  # type: ignore[arg-type]
            )
        )
        # Valid time: due by the end of March until 1 April, then by the end of June.
        assert _due(tracker, as_at=date(2017, 3, 31)) == ("March 2017", False, "month")
        assert _due(tracker, as_at=date(2017, 6, 30)) == ("June 2017", False, "month")
        assert _due(tracker, as_at=date(2017, 7, 1)) == ("June 2017", True, "month")
        # Recorded time: as known before the move, it was due by the end of March.
        known = {"known_at": before_the_move}
        assert _due(tracker, as_at=date(2017, 3, 31), **known) == ("March 2017", False, "month")
        assert _due(tracker, as_at=date(2017, 4, 1), **known) == ("March 2017", True, "month")
        assert _due(tracker, as_at=date(2017, 4, 1)) == ("June 2017", False, "month")
        # A day known to the day is a day again.
        tracker.execute(
            r.ChangeDeadline(reference="2.16", due_on=date(2017, 6, 30), **who(4, 2))  # type: ignore[arg-type]
        )
        assert _due(tracker, as_at=date(2017, 4, 2)) == ("2017-06-30", False, "day")
        # The audit trail shows the months as given.
        changes = [
            (change.before, change.after)
            for entry in tracker.history("2.16")
            for change in entry.changes
            if change.field == "due_on"
        ]
        assert changes == [
            (None, "March 2017"),
            ("March 2017", "June 2017"),
            ("June 2017", date(2017, 6, 30)),
        ]


def test_view_tables_made_before_precisions_were_kept_are_made_again(
    tmp_path: Path, clock: Clock
) -> None:
    url = f"sqlite:///{tmp_path / 'months.db'}"
    with r.Tracker(url, clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2))  # type: ignore[arg-type]
        )
        march = domain.month_due(2017, 3)
        tracker.execute(
            r.Raise(
                reference="2.16",
                text="Supervise",
                report="PEEL-2016",
                due_on=march.on,
                due_precision=march.precision,
                **who(3, 2),  # type: ignore[arg-type]
            )
        )
    # The tables as the layout before this one made them: no due_precision column.
    with sqlite3.connect(tmp_path / "months.db") as connection:
        connection.execute("UPDATE rec_tracking SET position = 4 WHERE view = 'schema'")
        for table in ("rec_register", "rec_register_history"):
            for column in ("due_precision", "original_due_precision"):
                connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    connection.close()
    with r.Tracker(url, clock=clock) as tracker:
        assert _due(tracker, as_at=date(2017, 3, 31)) == ("March 2017", False, "month")
    with sqlite3.connect(tmp_path / "months.db") as connection:
        version = connection.execute(
            "SELECT position FROM rec_tracking WHERE view = 'schema'"
        ).fetchone()
    connection.close()
    assert version == (SCHEMA_VERSION,)
