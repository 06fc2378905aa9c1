"""Planning and applying imports on every store: history rebuilt by difference, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

import recommendations as r
from recommendations.spreadsheets import (
    ColumnMapping,
    ImportPlan,
    ImportRefused,
    apply_import,
    plan_import,
    read_sheet,
)
from tests.conftest import Clock

from .sheets import HEADERS, Q1, Q2, Q3, QUARTERS, Row, write_csv, write_xlsx

BY = "Kath Jones"


def sheet(
    tmp_path: Path, day: date, rows: list[Row] | None = None, headers: tuple[str, ...] = HEADERS
) -> Path:
    return write_csv(tmp_path / f"tracker-{day}.csv", rows or QUARTERS[day], headers)


def import_file(tracker: r.Tracker, path: Path, mapping: ColumnMapping) -> ImportPlan:
    plan = plan_import(tracker, read_sheet(path, mapping), by=BY)
    assert plan.errors == (), [str(e) for e in plan.errors]
    apply_import(tracker, plan)
    return plan


# --- the first import --------------------------------------------------------------------------


def test_a_dry_run_describes_every_command_and_records_nothing(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1), mapping), by=BY)
    assert plan.errors == ()
    assert plan.describe() == [
        "row 2: report PEEL-EFF-2016 entered, published 2017-03-02",
        "row 2: 2.16 raised from PEEL-EFF-2016, amber, owner 'Head of Public Protection', "
        "due 2017-06-30, effective 2017-03-02",
        "row 2: 2.16 progress noted: 'Audit of supervision begun.', effective 2017-03-30",
        "row 3: 2.18 raised from PEEL-EFF-2016, red, owner 'Head of Public Protection', "
        "due 2017-06-30, effective 2017-03-02",
        "row 4: report CORE-2014 entered, published 2014-09-25",
        "row 4: CB-01 raised from CORE-2014, green, owner 'WMP2020 Programme Director', "
        "due 2015-03-31, effective 2014-09-25",
        "row 4: CB-01 progress noted: 'Reviewed; awaiting audit.', effective 2017-03-30",
    ]
    assert [type(p.command).__name__ for p in plan.commands][:2] == ["PublishReport", "Raise"]
    assert plan.commands[1].command.reason == (
        "imported from tracker-2017-03-30.csv, row 2 (as at 2017-03-30)"
    )
    assert tracker.head() == 0
    assert tracker.recommendations() == []


def test_the_import_records_the_sheet(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1), mapping), by=BY)
    seen: list[tuple[int, int]] = []
    result = apply_import(tracker, plan, progress=lambda done, total: seen.append((done, total)))
    assert result.count == len(plan.commands) == 7
    assert seen == [(0, 7), (7, 7)]
    assert [rec.event.originator_version for rec in result.recorded][:3] == [1, 1, 2]
    state = tracker.recommendation("2.16", as_at=Q1)
    assert (state.grade, state.owner, state.due_on, state.last_note) == (
        "amber",
        "Head of Public Protection",
        date(2017, 6, 30),
        "Audit of supervision begun.",
    )
    assert state.raised_on == date(2017, 3, 2)
    report = tracker.report("CORE-2014")
    assert (report.details.body, report.details.inspectorates) == (
        "West Midlands Police",
        ("HMIC",),
    )
    assert report.details.published_on == date(2014, 9, 25)


def test_importing_the_same_file_twice_records_nothing_the_second_time(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    path = sheet(tmp_path, Q1)
    import_file(tracker, path, mapping)
    head = tracker.head()
    again = plan_import(tracker, read_sheet(path, mapping), by=BY)
    assert (again.commands, again.errors, again.warnings) == ((), (), ())
    assert apply_import(tracker, again).count == 0
    assert tracker.head() == head


def _many_rows(count: int) -> list[Row]:
    """A new store's first sheet: ``count`` rows of one report, and CB-01 of another."""
    rows = [
        dict(QUARTERS[Q1][0], Ref=f"2.{number}", **{"Progress update": None})
        for number in range(1, count)
    ]
    return [*rows, QUARTERS[Q1][2]]


def test_a_missing_report_setting_is_one_error_naming_its_key_not_one_per_row(
    tracker: r.Tracker, tmp_path: Path
) -> None:
    path = sheet(tmp_path, Q1, _many_rows(65))
    plan = plan_import(tracker, read_sheet(path, ColumnMapping(inspectorates=["HMIC"])), by=BY)
    assert [str(e) for e in plan.errors] == [
        "mapping key 'reports.body': reports 'PEEL-EFF-2016' and 'CORE-2014' are not in the "
        "store (65 rows name them), and a report is entered with the body its "
        "recommendations were made to: give it in the mapping ([reports] body) "
        "(rule 'required')"
    ]
    (error,) = plan.errors
    assert (error.subject, error.field, error.row, error.reference) == (
        "mapping",
        "reports.body",
        None,
        None,
    )
    assert plan.commands == ()
    with pytest.raises(ImportRefused, match="1 error\n") as caught:
        apply_import(tracker, plan)
    assert caught.value.rule == "required"
    assert tracker.head() == 0


def test_each_missing_report_setting_is_named_once(tracker: r.Tracker, tmp_path: Path) -> None:
    path = sheet(tmp_path, Q1)
    plan = plan_import(tracker, read_sheet(path), by=BY)
    assert [(e.field, e.rule) for e in plan.errors] == [
        ("reports.body", "required"),
        ("reports.inspectorates", "required"),
    ]
    assert str(plan.errors[1]) == (
        "mapping key 'reports.inspectorates': reports 'PEEL-EFF-2016' and 'CORE-2014' are "
        "not in the store (3 rows name them), and a report is entered with the inspectorates "
        "that made it: give them in the mapping ([reports] inspectorates) or an "
        "'Inspectorate' column (rule 'required')"
    )
    import_file(tracker, path, ColumnMapping(body="West Midlands Police", inspectorates=["HMIC"]))
    assert [s.reference for s in tracker.recommendations()] == ["2.16", "2.18", "CB-01"]


def test_a_new_report_takes_its_inspectorates_from_the_first_of_its_rows_to_name_any(
    tracker: r.Tracker, tmp_path: Path
) -> None:
    headers = (*HEADERS, "Inspectorate")
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[1]["Inspectorate"] = "HMIC and CQC"  # row 2 (2.16) leaves it blank
    mapping = ColumnMapping(body="West Midlands Police")
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, rows, headers), mapping), by=BY)
    assert [str(e) for e in plan.errors] == [
        "mapping key 'reports.inspectorates': report 'CORE-2014' is not in the store (1 row "
        "names it), and a report is entered with the inspectorates that made it: give them in "
        "the mapping ([reports] inspectorates) or column 'Inspectorate' (rule 'required')"
    ]
    # The rows of the report that can be entered are planned, and checked, all the same.
    assert [p.row for p in plan.commands] == [2, 2, 2, 3]
    rows[2]["Inspectorate"] = "HMIC"
    import_file(tracker, sheet(tmp_path, Q1, rows, headers), mapping)
    assert tracker.report("PEEL-EFF-2016").details.inspectorates == ("HMIC", "CQC")


def test_a_report_that_cannot_be_entered_is_one_error_on_its_first_row(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    rows = [dict(row) for row in QUARTERS[Q1]]
    for row in rows[:2]:
        row["Published"] = "01/01/2099"
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, rows), mapping), by=BY)
    assert len(plan.errors) == 1
    (error,) = plan.errors
    assert (error.row, error.column, error.subject, error.reference, error.rule) == (
        2,
        "Published",
        "report",
        "PEEL-EFF-2016",
        "not-in-future",
    )
    assert str(error).startswith(
        "row 2, column 'Published': report 'PEEL-EFF-2016': effective date 2099-01-01 is after "
        "the day it is recorded ("
    )
    assert str(error).endswith("); 1 more row names it and waits on it (rule 'not-in-future')")
    assert [p.row for p in plan.commands] == [4, 4, 4]


def test_a_toml_mapping_reads_a_sheet_with_its_own_headers(
    tracker: r.Tracker, tmp_path: Path
) -> None:
    headers = ("Rec no", "Recommendation", "Rating", "Action lead", "Target", "Open/closed")
    rows: list[Row] = [
        {
            "Rec no": "CRIME-1",
            "Recommendation": "Review information sharing.",
            "Rating": "Not yet",
            "Action lead": "Head of Intelligence",
            "Target": "31.03.2018",
            "Open/closed": "live",
        },
        {
            "Rec no": "CRIME-2",
            "Recommendation": "Audit crime recording.",
            "Rating": "Fully implemented",
            "Action lead": "Force Crime Registrar",
            "Target": "30.09.2017",
            "Open/closed": "Signed off",
        },
    ]
    path = write_csv(tmp_path / "crime-2017-03-30.csv", rows, headers)
    (tmp_path / "mapping.toml").write_text(
        """\
scale = "four-point"
date_formats = ["%d.%m.%Y"]

[columns]
reference = "Rec no"
grade = "Rating"
owner = "Action lead"
due_on = "Target"
status = "Open/closed"

[grades]
"Not yet" = "not-started"

[statuses]
"Signed off" = "implemented"

[reports]
default = "CRIME-2014"
body = "West Midlands Police"
inspectorates = ["HMIC"]

[discharge]
accepted_by = "HMIC"
acceptor_role = "inspectorate"
""",
        encoding="utf-8",
    )
    mapping = ColumnMapping.load(tmp_path / "mapping.toml")
    import_file(tracker, path, mapping)
    first = tracker.recommendation("CRIME-1")
    assert (first.scale.name, first.grade, first.owner, first.due_on, first.report) == (
        "four-point",
        "not-started",
        "Head of Intelligence",
        date(2018, 3, 31),
        "CRIME-2014",
    )
    second = tracker.recommendation("CRIME-2")
    assert (second.status, second.outcome, second.accepted_by, second.acceptor_role) == (
        r.Status.DISCHARGED,
        r.Outcome.IMPLEMENTED,
        "HMIC",
        "inspectorate",
    )
    # The report is published on the snapshot date (no "Published" column), and raised then.
    assert second.raised_on == Q1 == tracker.report("CRIME-2014").details.published_on


# --- history by difference -----------------------------------------------------------------


def test_three_quarters_in_order_rebuild_the_history(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    plans = [import_file(tracker, sheet(tmp_path, day), mapping) for day in (Q1, Q2, Q3)]
    assert plans[1].describe() == [
        "row 2: 2.16 regraded amber -> green, effective 2017-06-29",
        "row 2: 2.16 progress noted: 'Audit complete; training under way.', effective 2017-06-29",
        "row 3: 2.18 assigned to 'Head of Criminal Justice' (was 'Head of Public "
        "Protection'), effective 2017-06-29",
        "row 3: 2.18 regraded red -> amber, effective 2017-06-29",
        "row 4: CB-01 discharged (implemented, accepted by Joint Audit Committee as "
        "oversight-board), effective 2017-06-29",
    ]
    assert [str(w) for w in plans[2].warnings] == [
        "recommendation 'CB-01': the store has it as at 2017-09-28 (discharged, green) but "
        "the sheet does not; nothing is recorded for it"
    ]

    def grade(reference: str, day: date) -> str | None:
        return tracker.recommendation(reference, as_at=day).grade

    # A grade that changed between two sheets changed on the later sheet's date.
    assert [grade("2.16", d) for d in (Q1, date(2017, 6, 28), Q2, Q3)] == [
        "amber",
        "amber",
        "green",
        "green",
    ]
    assert tracker.recommendation("2.18", as_at=date(2017, 5, 1)).owner == (
        "Head of Public Protection"
    )
    assert tracker.recommendation("2.18", as_at=Q2).owner == "Head of Criminal Justice"
    assert tracker.recommendation("2.18", as_at=date(2017, 9, 27)).due_on == date(2017, 6, 30)
    assert tracker.recommendation("2.18", as_at=Q3).due_on == date(2017, 12, 31)
    assert tracker.recommendation("CB-01", as_at=date(2017, 6, 28)).status is r.Status.OPEN
    assert tracker.recommendation("CB-01", as_at=Q2).status is r.Status.DISCHARGED
    with pytest.raises(r.NotFound):
        tracker.recommendation("4.1", as_at=date(2017, 8, 14))
    assert tracker.recommendation("4.1", as_at=Q3).grade == "red"

    trail = tracker.history("2.16")
    assert [(e.event, e.effective_on, e.reason) for e in trail] == [
        (
            "Raised",
            date(2017, 3, 2),
            "imported from tracker-2017-03-30.csv, row 2 (as at 2017-03-30)",
        ),
        ("ProgressNoted", Q1, "imported from tracker-2017-03-30.csv, row 2 (as at 2017-03-30)"),
        ("Regraded", Q2, "imported from tracker-2017-06-29.csv, row 2 (as at 2017-06-29)"),
        ("ProgressNoted", Q2, "imported from tracker-2017-06-29.csv, row 2 (as at 2017-06-29)"),
        ("Discharged", Q3, "imported from tracker-2017-09-28.csv, row 2 (as at 2017-09-28)"),
    ]
    assert {e.actor for e in trail} == {BY}
    regraded = trail.entries[2].change("grade")
    assert regraded is not None and (regraded.before, regraded.after) == ("amber", "green")

    # Every sheet, imported again in any order, now records nothing.
    head = tracker.head()
    for day in (Q2, Q1, Q3):
        again = plan_import(tracker, read_sheet(sheet(tmp_path, day), mapping), by=BY)
        assert (again.commands, again.errors) == ((), ())
    assert tracker.head() == head


def test_a_sheet_older_than_later_entries_is_refused_where_it_would_change_them(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    import_file(tracker, sheet(tmp_path, Q3), mapping)
    late = plan_import(tracker, read_sheet(sheet(tmp_path, Q2), mapping), by=BY)
    assert [str(e) for e in late.errors] == [
        "row 2: recommendation '2.16': field 'effective_on': it has entries effective after "
        "this sheet's date (2017-06-29), the last a Discharged effective 2017-09-28; import "
        "sheets in date order (rule 'snapshot-in-order')",
        "row 3: recommendation '2.18': field 'effective_on': it has entries effective after "
        "this sheet's date (2017-06-29), the last a DeadlineChanged effective 2017-09-28; "
        "import sheets in date order (rule 'snapshot-in-order')",
    ]
    head = tracker.head()
    with pytest.raises(ImportRefused) as caught:
        apply_import(tracker, late)
    assert [p.rule for p in caught.value.problems] == ["snapshot-in-order"] * 2
    assert tracker.head() == head


def test_a_row_for_a_recommendation_raised_after_the_sheet_is_refused(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q3), mapping)
    custody = [row for row in QUARTERS[Q3] if row["Ref"] == "4.1"]
    early = plan_import(tracker, read_sheet(sheet(tmp_path, Q2, custody), mapping), by=BY)
    assert [e.rule for e in early.errors] == ["snapshot-in-order"]
    assert "raised on 2017-08-15, after this sheet's date (2017-06-29)" in str(early.errors[0])


# --- statuses --------------------------------------------------------------------------------


def test_claims_rejections_reopenings_and_closures_by_the_inspectorate(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0]["Status"] = "Awaiting sign-off"
    rows[1]["Status"] = "Closed by HMIC"
    rows[2]["Status"] = "Closed"
    plan = import_file(tracker, sheet(tmp_path, Q2, rows), mapping)
    assert [type(p.command).__name__ for p in plan.commands] == [
        "ClaimImplementation",
        "Discharge",
        "Discharge",
    ]
    claimed = tracker.recommendation("2.16")
    assert (claimed.status, claimed.last_note) == (r.Status.CLAIMED, "Audit of supervision begun.")
    closed = tracker.recommendation("2.18")
    assert (closed.outcome, closed.acceptor_role) == (
        r.Outcome.CLOSED_BY_INSPECTORATE,
        "inspectorate",
    )
    rows[0]["Status"] = "Open"
    rows[2]["Status"] = "Reopened"
    rows[2]["RAG"] = "Amber"
    plan = import_file(tracker, sheet(tmp_path, Q3, rows), mapping)
    assert plan.describe() == [
        "row 2: 2.16 claim of implementation rejected, effective 2017-09-28",
        "row 4: CB-01 reopened, effective 2017-09-28",
        "row 4: CB-01 regraded green -> amber, effective 2017-09-28",
    ]
    assert tracker.recommendation("2.16").status is r.Status.OPEN
    reopened = tracker.recommendation("CB-01")
    assert (reopened.status, reopened.grade, reopened.times_reopened) == (
        r.Status.OPEN,
        "amber",
        1,
    )


def test_a_discharged_row_that_differs_is_a_warning_and_records_nothing(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q2), mapping)
    rows = [dict(row) for row in QUARTERS[Q2]]
    rows[2]["RAG"] = "Amber"
    rows[2]["Recommendation"] = "Reworded."
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q3, rows), mapping), by=BY)
    assert plan.commands == ()
    assert [str(w) for w in plan.warnings] == [
        "row 4, column 'Recommendation': recommendation 'CB-01': the sheet's text differs "
        "from the one it was raised with ('Chief constables should review their crime "
        "recording.'); it is not changed by an import (correct the raising to change it)",
        "row 4: recommendation 'CB-01': it stands discharged (since 2017-06-29), so the "
        "sheet's grade amber (recorded green) is not recorded; reopen it to change it",
        "nothing is recorded from this sheet, so the store keeps no mark of it: a "
        "recommendation first listed in a later sheet may be raised as early as the day after "
        "2017-06-29, the last sheet the store has entries from, and the register as at "
        "2017-09-28 will show it",
    ]


def test_blue_in_a_rag_column_closes_the_recommendation_and_keeps_its_grade(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0].update({"RAG": "Blue", "Status": None})
    rows[1].update({"RAG": "Completed", "Status": "Closed by HMIC"})
    rows[2].update({"RAG": "B", "Status": None})
    plan = import_file(tracker, sheet(tmp_path, Q2, rows), mapping)
    assert plan.describe() == [
        "row 2: 2.16 discharged (implemented, accepted by Joint Audit Committee as "
        "oversight-board), effective 2017-06-29",
        "row 3: 2.18 discharged (closed-by-inspectorate, accepted by Joint Audit Committee as "
        "inspectorate), effective 2017-06-29",
        "row 4: CB-01 discharged (implemented, accepted by Joint Audit Committee as "
        "oversight-board), effective 2017-06-29",
    ]
    closed = {s.reference: s for s in tracker.recommendations(as_at=Q2)}
    assert [(s.status, s.grade, s.outcome, s.acceptor_role) for s in closed.values()] == [
        (r.Status.DISCHARGED, "amber", r.Outcome.IMPLEMENTED, "oversight-board"),
        (r.Status.DISCHARGED, "red", r.Outcome.CLOSED_BY_INSPECTORATE, "inspectorate"),
        (r.Status.DISCHARGED, "green", r.Outcome.IMPLEMENTED, "oversight-board"),
    ]
    again = plan_import(tracker, read_sheet(sheet(tmp_path, Q2, rows), mapping), by=BY)
    assert (again.commands, again.errors) == ((), ())


def test_blue_in_a_rag_column_must_agree_with_the_status_column(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0]["RAG"] = "Blue"  # its status says "Open"
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, rows), mapping), by=BY)
    assert [str(e) for e in plan.errors] == [
        "row 2, column 'RAG': 'Blue' means closed, but column 'Status' says 'Open': make them "
        "agree (or name 'Blue' under [grades] in the mapping, to read it as a grade) "
        "(rule 'status-agrees')"
    ]


# --- raising a recommendation first listed in a later sheet ---------------------------------

A4: Row = {
    "Ref": "A-4",
    "Report": "PEEL-EFF-2016",
    "Published": date(2017, 3, 2),
    "Recommendation": "Review the handling of repeat victims.",
    "RAG": "Amber",
    "Status": "Open",
    "Lead": "Head of Public Protection",
    "Due date": date(2017, 12, 31),
}


def test_one_first_listed_in_a_later_sheet_is_raised_the_day_after_the_sheet_before(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    q1 = sheet(tmp_path, Q1)
    import_file(tracker, q1, mapping)
    plan = import_file(tracker, sheet(tmp_path, Q2, [*QUARTERS[Q2], A4]), mapping)
    assert plan.describe()[-1] == (
        "row 5: A-4 raised from PEEL-EFF-2016, amber, owner 'Head of Public Protection', due "
        "2017-12-31, effective 2017-03-31"
    )
    # As at the first sheet's date, the register holds its three rows and nothing else.
    assert [s.reference for s in tracker.recommendations(as_at=Q1)] == ["2.16", "2.18", "CB-01"]
    assert tracker.recommendation("A-4", as_at=date(2017, 3, 31)).grade == "amber"
    assert tracker.events("A-4")[0].reason == (
        "imported from tracker-2017-06-29.csv, row 5 (as at 2017-06-29); first listed then, "
        "so raised the day after the sheet as at 2017-03-30"
    )
    again = plan_import(tracker, read_sheet(q1, mapping), by=BY)
    assert (again.commands, again.errors, again.warnings) == ((), (), ())


def test_one_due_before_that_day_is_raised_on_its_publication_date_with_a_warning(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    late = dict(A4, **{"Due date": date(2017, 3, 15)})
    plan = import_file(tracker, sheet(tmp_path, Q2, [*QUARTERS[Q2], late]), mapping)
    assert [str(w) for w in plan.warnings] == [
        "row 5, column 'Due date': recommendation 'A-4': the sheet as at 2017-03-30 did not "
        "have it, but it is due on 2017-03-15, before 2017-03-31, and a recommendation is "
        "never due before it is raised: it is raised on 2017-03-02, its report's publication "
        "date, so the register as at 2017-03-30 shows it"
    ]
    assert tracker.recommendation("A-4").raised_on == date(2017, 3, 2)
    assert len(tracker.recommendations(as_at=Q1)) == 4


def test_a_sheet_that_records_nothing_leaves_no_mark_and_says_so(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    plan = import_file(tracker, sheet(tmp_path, Q2, QUARTERS[Q1]), mapping)
    assert plan.commands == ()
    assert [str(w) for w in plan.warnings] == [
        "nothing is recorded from this sheet, so the store keeps no mark of it: a "
        "recommendation first listed in a later sheet may be raised as early as the day after "
        "2017-03-30, the last sheet the store has entries from, and the register as at "
        "2017-06-29 will show it"
    ]
    import_file(tracker, sheet(tmp_path, Q3, [*QUARTERS[Q1], A4]), mapping)
    assert tracker.recommendation("A-4").raised_on == date(2017, 3, 31)
    assert len(tracker.recommendations(as_at=Q2)) == 4  # as the warning said
    # A sheet dated on or before a marked one is not warned about.
    assert plan_import(tracker, read_sheet(sheet(tmp_path, Q1), mapping), by=BY).warnings == ()


def test_a_report_published_after_the_sheet_before_raises_on_its_publication_date(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    import_file(tracker, sheet(tmp_path, Q2), mapping)
    plan = import_file(tracker, sheet(tmp_path, Q3), mapping)
    (raised,) = [p for p in plan.commands if p.command.reference == "4.1"]
    assert raised.command.effective_on == date(2017, 8, 15)
    assert raised.command.reason == "imported from tracker-2017-09-28.csv, row 4 (as at 2017-09-28)"


# --- errors and all-or-nothing ---------------------------------------------------------------


def test_every_error_of_a_sheet_is_listed_and_nothing_is_recorded(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    head = tracker.head()
    rows = [dict(row) for row in QUARTERS[Q2]]
    rows[0]["RAG"] = "Purple"
    rows[1]["Due date"] = "31/02/2017"
    rows[2]["Lead"] = None
    rows.append(
        {
            "Ref": "4.1",
            "Report": "CUSTODY-2017",
            "Published": date(2017, 6, 1),
            "Recommendation": "Record every use of force in custody.",
            "RAG": "Red",
            "Due date": date(2017, 5, 31),
        }
    )
    rows.append(
        {
            "Ref": "4.2",
            "Report": "CUSTODY-2017",
            "Status": "Awaiting sign-off",
            "Recommendation": "Train custody staff.",
        }
    )
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q2, rows), mapping), by=BY)
    assert [str(e) for e in plan.errors] == [
        "row 2, column 'RAG': recommendation '2.16': 'purple' is not on scale 'rag' (red, "
        "amber, green) (rule 'grade-on-scale')",
        "row 3, column 'Due date': '31/02/2017' is not a date (rule 'date')",
        "row 5, column 'Due date': recommendation '4.1': due date 2017-05-31 is before the "
        "recommendation was raised (2017-06-01) (rule 'due-not-before-raised')",
        "row 6, column 'Lead': recommendation '4.2': no owner has been assigned to claim it "
        "(rule 'claim-needs-owner')",
    ]
    # Row 4 (CB-01, closed, no lead: an owner left blank changes nothing) is fine.
    assert [p.row for p in plan.commands] == [4]
    with pytest.raises(ImportRefused) as caught:
        apply_import(tracker, plan)
    assert caught.value.problems == plan.errors
    assert str(caught.value).startswith(f"nothing was imported from {plan.source}: 4 errors\n")
    assert tracker.head() == head


def test_a_late_row_refused_by_the_tracker_leaves_the_store_unchanged(
    store_url: str, tmp_path: Path, mapping: ColumnMapping
) -> None:
    """Planned on 10 April, the sheet holds; by the time it is applied the tracker's
    clock says 20 March: the raising (effective 2 March) is fine, but the progress of row
    4, effective on the sheet's date of 30 March, is in the future."""
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0]["Progress update"] = None
    rows[0]["Report"] = rows[1]["Report"] = "CORE-2014"
    rows[0]["Published"] = rows[1]["Published"] = date(2014, 9, 25)
    with r.Tracker(store_url, clock=clock) as tracker:
        head = tracker.head()
        plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, rows), mapping), by=BY)
        assert plan.errors == ()
        assert [p.row for p in plan.commands] == [2, 2, 3, 4, 4]
        clock.jump_to(datetime(2017, 3, 20, 9, tzinfo=UTC))
        with pytest.raises(ImportRefused) as caught:
            apply_import(tracker, plan)
        assert [str(p) for p in caught.value.problems] == [
            "row 4: recommendation 'CB-01': field 'effective_on': effective date 2017-03-30 "
            "is after the day it is recorded (2017-03-20) (rule 'not-in-future')"
        ]
        assert isinstance(caught.value.__cause__, r.RuleViolation)
        assert tracker.head() == head
        assert tracker.recommendations() == []
        with pytest.raises(r.NotFound):
            tracker.report("CORE-2014")


def test_a_plan_shows_the_refusal_the_tracker_would_give(
    store_url: str, tmp_path: Path, mapping: ColumnMapping
) -> None:
    """Planning decides with the tracker itself, on its clock: the progress of row 4,
    effective on 30 March, is refused in the plan in the words the import would use."""
    clock = Clock(datetime(2017, 3, 20, 9, tzinfo=UTC))
    rows = [dict(row) for row in QUARTERS[Q1]]
    rows[0]["Progress update"] = None
    rows[0]["Report"] = rows[1]["Report"] = "CORE-2014"
    rows[0]["Published"] = rows[1]["Published"] = date(2014, 9, 25)
    with r.Tracker(store_url, clock=clock) as tracker:
        plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, rows), mapping), by=BY)
        assert [str(p) for p in plan.errors] == [
            "row 4: recommendation 'CB-01': field 'effective_on': effective date 2017-03-30 "
            "is after the day it is recorded (2017-03-20) (rule 'not-in-future')"
        ]
        assert tracker.head() == 0


def test_a_plan_made_before_the_store_changed_is_refused(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, sheet(tmp_path, Q1), mapping)
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q2), mapping), by=BY)
    tracker.execute(
        r.Regrade(reference="2.18", grade="green", effective_on=Q2, by=BY, reason="committee")
    )
    head = tracker.head()
    with pytest.raises(r.ConcurrencyError, match="plan it again") as caught:
        apply_import(tracker, plan)
    assert caught.value.rule == "plan-current"
    assert tracker.head() == head


def test_who_imports_must_be_said(tracker: r.Tracker, tmp_path: Path) -> None:
    with pytest.raises(r.ConfigurationError, match="who is importing"):
        plan_import(tracker, read_sheet(sheet(tmp_path, Q1)), by=" ")


def test_a_report_already_in_the_store_is_used_as_it_is(tracker: r.Tracker, tmp_path: Path) -> None:
    tracker.execute(
        r.PublishReport(
            reference="CORE-2014",
            details=r.ReportDetails(
                title="Core business",
                body="West Midlands Police",
                inspectorates=("HMIC",),
                published_on=date(2014, 9, 25),
                scale=r.domain.PEEL,
                national=True,
            ),
            effective_on=date(2014, 9, 25),
            by=BY,
            reason="published",
        )
    )
    rows = [row for row in QUARTERS[Q1] if row["Report"] == "CORE-2014"]
    import_file(tracker, sheet(tmp_path, Q1, rows), ColumnMapping())
    assert tracker.recommendation("CB-01").scope is r.Scope.NATIONAL


# --- CSV and workbook ------------------------------------------------------------------------


def test_a_workbook_and_a_csv_file_of_the_same_rows_give_the_same_plan(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    import_file(tracker, write_xlsx(tmp_path / f"tracker-{Q1}.xlsx", QUARTERS[Q1]), mapping)
    plans = [
        plan_import(
            tracker,
            read_sheet(write(tmp_path / f"tracker-{Q3}.{suffix}", QUARTERS[Q3]), mapping),
            by=BY,
        )
        for write, suffix in ((write_csv, "csv"), (write_xlsx, "xlsx"))
    ]
    assert plans[0].describe() == plans[1].describe()
    assert len(plans[0].commands) == 8

    def same(plan: ImportPlan) -> list[r.domain.Command]:
        return [attrs.evolve(p.command, reason="") for p in plan.commands]

    assert same(plans[0]) == same(plans[1])
    assert plans[1].commands[0].command.reason == (
        "imported from tracker-2017-09-28.xlsx, sheet 'Tracker', row 2 (as at 2017-09-28)"
    )


def test_a_new_report_without_a_publication_date_is_taken_to_be_published_on_the_sheets_date(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    headers = tuple(h for h in HEADERS if h != "Published")
    plan = plan_import(tracker, read_sheet(sheet(tmp_path, Q1, headers=headers), mapping), by=BY)
    assert [str(e) for e in plan.errors] == [
        "row 4, column 'Due date': recommendation 'CB-01': due date 2015-03-31 is before the "
        "recommendation was raised (2017-03-30); report 'CORE-2014' is new and its "
        "publication date is not known, so it was taken to be the sheet's date: give it (a "
        "'Published' column) for its recommendations to be raised then "
        "(rule 'due-not-before-raised')"
    ]
    assert plan.describe()[:2] == [
        "row 2: report PEEL-EFF-2016 entered, published 2017-03-30",
        "row 2: 2.16 raised from PEEL-EFF-2016, amber, owner 'Head of Public Protection', "
        "due 2017-06-30, effective 2017-03-30",
    ]


def test_one_column_may_hold_both_the_grade_and_the_status(
    tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping
) -> None:
    headers = tuple(h for h in HEADERS if h != "RAG")
    rows = [dict(row, Status=row["RAG"]) for row in QUARTERS[Q1]]
    import_file(tracker, sheet(tmp_path, Q1, rows, headers), mapping)
    rows[0]["Status"] = "Green"
    rows[2]["Status"] = "Blue"
    plan = import_file(tracker, sheet(tmp_path, Q2, rows, headers), mapping)
    assert plan.describe() == [
        "row 2: 2.16 regraded amber -> green, effective 2017-06-29",
        "row 4: CB-01 discharged (implemented, accepted by Joint Audit Committee as "
        "oversight-board), effective 2017-06-29",
    ]
    closed = tracker.recommendation("CB-01")
    assert (closed.grade, closed.status) == ("green", r.Status.DISCHARGED)
