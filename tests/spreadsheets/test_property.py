"""A property: import any sequence of quarterly sheets in date order, and the register as at
each sheet's date holds exactly what a simple model of the import's stated rules says, for
every recommendation, not only those the sheet lists.

The rules modelled (those the how-to states): a changed row is recorded effective on its
sheet's date; a recommendation first listed in a sheet is raised on its report's publication
date or, if a sheet imported earlier did not list it, on the day after the latest such
sheet's date, whichever is later (a sheet that recorded nothing leaves no mark, and does not
count); unless it is due before that day, when it is raised on the publication date, with a
warning. A recommendation a sheet leaves out keeps its last state. A sheet with an error is
refused whole.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations.spreadsheets import ColumnMapping, apply_import, plan_import, read_sheet
from tests.conftest import Clock

from .sheets import Row, write_csv

DATES = [date(2017, 3, 30), date(2017, 6, 29), date(2017, 9, 28), date(2017, 12, 14)]
REPORTS = {
    "2.16": ("PEEL-EFF-2016", date(2017, 1, 5)),
    "2.18": ("PEEL-EFF-2016", date(2017, 1, 5)),
    "CB-01": ("CORE-2014", date(2014, 9, 25)),
    "4.1": ("CUSTODY-2017", date(2017, 4, 20)),  # published after the first sheet's date
}
HEADERS = ("Ref", "Report", "Published", "Recommendation", "RAG", "Status", "Lead", "Due", "Update")
STATUSES = {
    None: None,
    "Open": r.Status.OPEN,
    "Awaiting sign-off": r.Status.CLAIMED,
    "Closed": r.Status.DISCHARGED,
}
MAPPING = ColumnMapping(body="West Midlands Police", inspectorates=["HMIC"])

State = tuple[Any, ...]
"""(grade, owner, due date, status, last note): what the register shows of one row."""


def _agreeing(row: dict[str, Any]) -> dict[str, Any]:
    """ "Blue" in the RAG column means closed: the status column must agree (or be blank)."""
    if row["RAG"] == "Blue" and row["Status"] in ("Open", "Awaiting sign-off"):
        return {**row, "Status": None}
    return row


rows = st.fixed_dictionaries(
    {
        "RAG": st.sampled_from(["Red", "Amber", "Green", "R", "G", "Blue"]),
        "Status": st.sampled_from(list(STATUSES)),
        "Lead": st.sampled_from(["Head of Public Protection", "Head of Custody"]),
        "Due": st.sampled_from([None, date(2017, 5, 31), date(2017, 9, 30), date(2018, 3, 31)]),
        "Update": st.sampled_from([None, "Audit begun.", "Training under way."]),
    }
).map(_agreeing)
snapshots = st.integers(min_value=1, max_value=len(DATES)).flatmap(
    lambda n: st.tuples(
        *[
            st.dictionaries(
                st.sampled_from([ref for ref in REPORTS if REPORTS[ref][1] <= DATES[i]]),
                rows,
                max_size=len(REPORTS),
            )
            for i in range(n)
        ]
    )
)


@dataclass
class Model:
    """What the import should do, sheet by sheet, as the rules above state it."""

    timelines: dict[str, list[tuple[date, State]]] = field(default_factory=dict)
    marks: list[date] = field(default_factory=list)  # the dates of sheets that recorded

    def now(self, reference: str) -> State | None:
        timeline = self.timelines.get(reference)
        return timeline[-1][1] if timeline else None

    def as_at(self, day: date) -> dict[str, State]:
        register = {}
        for reference, timeline in self.timelines.items():
            states = [state for on, state in timeline if on <= day]
            if states:
                register[reference] = states[-1]
        return register

    def sheet(
        self, day: date, sheet: dict[str, dict[str, Any]]
    ) -> tuple[set[str], set[str], list[tuple[str, date, State]], bool]:
        """The references refused (by a due date before the raising), the references
        raised on their publication date for that reason, the entries the sheet adds, and
        whether it records anything."""
        refused: set[str] = set()
        early: set[str] = set()
        entries: list[tuple[str, date, State]] = []
        previous = max((d for d in self.marks if d < day), default=None)
        for reference, row in sheet.items():
            closing = row["RAG"] == "Blue"
            said = STATUSES[row["Status"]] or (r.Status.DISCHARGED if closing else None)
            grade = None if closing else MAPPING.grade_code(str(row["RAG"]))
            due, update = row["Due"], row["Update"]
            before = self.now(reference)
            if before is None:
                published = REPORTS[reference][1]
                raised_on = published
                if previous is not None and previous + timedelta(days=1) > published:
                    if due is not None and due < previous + timedelta(days=1):
                        early.add(reference)
                    else:
                        raised_on = previous + timedelta(days=1)
                entries.append(
                    (reference, raised_on, (grade, row["Lead"], due, r.Status.OPEN, None))
                )
                before = (grade, row["Lead"], due, r.Status.OPEN, None)
                new = True
            else:
                new = False
                if before[3] is r.Status.DISCHARGED and (said or before[3]) is r.Status.DISCHARGED:
                    continue
                raised_on = self.timelines[reference][0][0]
                if due is not None and due != before[2] and due < raised_on:
                    refused.add(reference)
                    continue
            status = said or before[3]
            claiming = status is r.Status.CLAIMED and (new or before[3] is not r.Status.CLAIMED)
            note = before[4]
            if update is not None and not claiming:
                note = update
            if claiming:
                note = update or f"marked 'Awaiting sign-off' in tracker-{day}.csv"
            after = (grade or before[0], row["Lead"], due, status, note)
            if new or after != before:
                entries.append((reference, day, after))
        return refused, early, entries, bool(entries)

    def record(self, day: date, entries: list[tuple[str, date, State]]) -> None:
        for reference, on, state in entries:
            self.timelines.setdefault(reference, []).append((on, state))
        if entries:
            self.marks.append(day)


def _table(sheet: dict[str, dict[str, Any]]) -> list[Row]:
    return [
        {
            "Ref": reference,
            "Report": REPORTS[reference][0],
            "Published": REPORTS[reference][1],
            "Recommendation": f"Recommendation {reference}.",
            **row,
        }
        for reference, row in sheet.items()
    ]


@settings(max_examples=100)
@given(sheets=snapshots)
def test_the_register_as_at_each_sheets_date_is_what_the_rules_say(
    sheets: tuple[dict[str, dict[str, Any]], ...],
) -> None:
    clock = Clock(datetime(2018, 1, 8, 9, tzinfo=UTC))
    model = Model()
    with tempfile.TemporaryDirectory() as folder, r.Tracker("memory://", clock=clock) as tracker:
        for day, sheet in zip(DATES, sheets, strict=False):
            path = write_csv(Path(folder) / f"tracker-{day}.csv", _table(sheet), HEADERS)
            plan = plan_import(tracker, read_sheet(path, MAPPING), by="Kath Jones")
            refused, early, entries, records = model.sheet(day, sheet)
            assert {(e.reference, e.rule) for e in plan.errors} == {
                (ref, "due-not-before-raised") for ref in refused
            }, [str(e) for e in plan.errors]
            if refused:
                event("a sheet refused: a due date before the raising")
                continue  # refused whole: nothing recorded, no mark
            assert bool(plan.commands) == records
            warned_early = {w.reference for w in plan.warnings if "did not have it" in w.message}
            assert warned_early == early
            unmarked = not records and bool(sheet) and all(d < day for d in model.marks)
            assert any("keeps no mark" in w.message for w in plan.warnings) == unmarked
            for reference, on, _ in entries:
                if on != day and model.marks and on > REPORTS[reference][1]:
                    event("raised the day after an earlier sheet")
            if early:
                event("raised on the publication date: due before the day after")
            if unmarked:
                event("a sheet that leaves no mark")
            apply_import(tracker, plan)
            model.record(day, entries)
            again = plan_import(tracker, read_sheet(path, MAPPING), by="Kath Jones")
            assert again.commands == ()
        for day in DATES[: len(sheets)]:
            expected = model.as_at(day)
            register = {
                state.reference: (
                    state.grade,
                    state.owner,
                    state.due_on,
                    state.status,
                    state.last_note,
                )
                for state in tracker.recommendations(as_at=day)
            }
            assert register == expected, day
