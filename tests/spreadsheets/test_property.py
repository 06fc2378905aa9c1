"""A property: for any sequence of quarterly sheets imported in date order, the register as
at each sheet's date reads as that sheet does."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations.spreadsheets import ColumnMapping, apply_import, plan_import, read_sheet
from tests.conftest import Clock

from .sheets import Row, write_csv

DATES = [date(2017, 3, 30), date(2017, 6, 29), date(2017, 9, 28), date(2017, 12, 14)]
REFERENCES = ["2.16", "2.18", "CB-01", "UC-21"]
HEADERS = ("Ref", "Report", "Published", "Recommendation", "RAG", "Status", "Lead", "Due", "Update")
STATUSES = {
    "Open": r.Status.OPEN,
    "Awaiting sign-off": r.Status.CLAIMED,
    "Closed": r.Status.DISCHARGED,
}
MAPPING = ColumnMapping(body="West Midlands Police", inspectorates=["HMIC"])

rows = st.fixed_dictionaries(
    {
        "RAG": st.sampled_from(["Red", "Amber", "Green", "R", "G"]),
        "Status": st.sampled_from(list(STATUSES)),
        "Lead": st.sampled_from(["Head of Public Protection", "Head of Custody"]),
        "Due": st.sampled_from([None, date(2017, 9, 30), date(2018, 3, 31)]),
        "Update": st.sampled_from([None, "Audit begun.", "Training under way."]),
    }
)
snapshots = st.integers(min_value=1, max_value=len(DATES)).flatmap(
    lambda n: st.lists(
        st.dictionaries(st.sampled_from(REFERENCES), rows, max_size=len(REFERENCES)),
        min_size=n,
        max_size=n,
    )
)


def expected_states(sheets: list[dict[str, dict[str, Any]]]) -> list[dict[str, tuple[Any, ...]]]:
    """What the register should read as at each sheet's date: a simple model of the rules
    the import follows (a discharged row that stays discharged changes nothing; a blank
    update keeps the last note; a claim notes the update, or says where it came from)."""
    known: dict[str, tuple[Any, ...]] = {}
    result = []
    for day, sheet in zip(DATES, sheets, strict=False):
        for reference, row in sheet.items():
            status = STATUSES[str(row["Status"])]
            before = known.get(reference)
            if before is not None and before[3] is status is r.Status.DISCHARGED:
                continue
            note = row["Update"] if row["Update"] is not None else (before or (None,) * 5)[4]
            claiming = status is r.Status.CLAIMED and (before is None or before[3] is not status)
            if claiming and row["Update"] is None:
                note = f"marked 'Awaiting sign-off' in tracker-{day}.csv"
            grade = MAPPING.grade_code(str(row["RAG"]))
            known[reference] = (grade, row["Lead"], row["Due"], status, note)
        result.append({ref: known[ref] for ref in sheet})
    return result


@settings(max_examples=30)
@given(sheets=snapshots)
def test_the_register_as_at_each_sheets_date_reads_as_the_sheet(
    sheets: list[dict[str, dict[str, Any]]],
) -> None:
    clock = Clock(datetime(2018, 1, 8, 9, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder, r.Tracker("memory://", clock=clock) as tracker:
        for day, sheet in zip(DATES, sheets, strict=False):
            table: list[Row] = [
                {
                    "Ref": reference,
                    "Report": "PEEL-EFF-2016",
                    "Published": date(2017, 1, 5),
                    "Recommendation": f"Recommendation {reference}.",
                    **row,
                }
                for reference, row in sheet.items()
            ]
            path = write_csv(Path(folder) / f"tracker-{day}.csv", table, HEADERS)
            plan = plan_import(tracker, read_sheet(path, MAPPING), by="Kath Jones")
            assert plan.errors == (), [str(e) for e in plan.errors]
            apply_import(tracker, plan)
            again = plan_import(tracker, read_sheet(path, MAPPING), by="Kath Jones")
            assert again.commands == ()
        for day, expected in zip(DATES, expected_states(sheets), strict=False):
            for reference, (grade, owner, due, status, note) in expected.items():
                state = tracker.recommendation(reference, as_at=day)
                assert (state.grade, state.owner, state.due_on, state.status, state.last_note) == (
                    grade,
                    owner,
                    due,
                    status,
                    note,
                ), (day, reference)
