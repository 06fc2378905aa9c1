"""Imports that stream: a sheet read, checked and recorded a batch of rows at a time.

A sheet is checked whole before anything is recorded (an error in a late row records
nothing, on every store); what the planner holds does not grow with the sheet's length but
for what telling references apart needs; and importing the same sheet again, with the
same command id, records nothing new, even after an import that stopped part way.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import attrs
import pytest

import recommendations as r
from recommendations.spreadsheets import (
    ColumnMapping,
    ImportRefused,
    ImportStopped,
    PlannedCommand,
    ReadRow,
    SheetRow,
    apply_import,
    check_import,
    open_sheet,
    plan_import,
    read_sheet,
    record_import,
)
from recommendations.spreadsheets._planning import _Planner
from tests.conftest import Clock

from .sheets import Q1, Q2, QUARTERS, Row, write_csv, write_xlsx


def _rows(count: int, *, reports: int = 4, bad: int | None = None) -> list[Row]:
    """``count`` new recommendations over ``reports`` reports; row ``bad`` (0-based) due
    before its report was published (a rule only deciding finds)."""
    rows: list[Row] = []
    for n in range(count):
        rows.append(
            {
                "Ref": f"R{n:05d}",
                "Report": f"PEEL-{n % reports}",
                "Published": date(2017, 3, 2),
                "Recommendation": f"Improve the response to item {n}.",
                "RAG": ("Red", "Amber", "Green")[n % 3],
                "Status": "Open",
                "Lead": "Head of Public Protection",
                "Due date": date(2016, 1, 1) if n == bad else date(2017, 12, 31),
                "Progress update": "Work begun.",
            }
        )
    return rows


def _sheet(tmp_path: Path, rows: list[Row], name: str = "tracker-2017-06-29.csv") -> Path:
    return write_csv(tmp_path / name, rows)


def _entries(tracker: r.Tracker) -> list[tuple[str, str, int]]:
    return [
        (
            type(logged.event).__name__,
            str(logged.event.originator_id),
            logged.event.originator_version,
        )
        for logged in tracker.log()
    ]


def test_a_streamed_import_records_what_a_planned_one_records(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    paths = {
        day: write_csv(tmp_path / f"tracker-{day}.csv", rows) for day, rows in QUARTERS.items()
    }
    with (
        r.Tracker("memory://", clock=late_clock) as planned,
        r.Tracker("memory://", clock=late_clock) as streamed,
    ):
        for day in (Q1, Q2):
            plan = plan_import(planned, read_sheet(paths[day], mapping), by="Kath Jones")
            apply_import(planned, plan)
            head = streamed.head()
            with check_import(
                streamed, open_sheet(paths[day], mapping), by="Kath Jones", batch_rows=2
            ) as checked:
                assert list(checked.describe()) == plan.describe()
                assert checked.warnings == plan.warnings
                assert checked.command_id == f"import:{plan.digest}:{plan.snapshot_date}:{head}"
                record_import(streamed, checked, batch_entries=3)
        assert [
            (e.reference, e.event, e.effective_on, e.reason) for e in streamed.history("2.16")
        ] == [(e.reference, e.event, e.effective_on, e.reason) for e in planned.history("2.16")]
        assert streamed.register(as_at=Q2).rows == planned.register(as_at=Q2).rows


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sheet_read_row_by_row_reads_as_read_whole(
    tmp_path: Path, mapping: ColumnMapping, kind: str
) -> None:
    rows: list[Row] = [
        *QUARTERS[Q2],
        {**QUARTERS[Q2][0], "Due date": "31/02/2017"},
        {"Ref": "", "RAG": "x"},
    ]
    writer = write_csv if kind == "csv" else write_xlsx
    path = writer(tmp_path / f"tracker-2017-06-29.{kind}", rows)
    whole = read_sheet(path, mapping)
    stream = open_sheet(path, mapping)
    read = list(stream.rows())
    assert tuple(item.row for item in read if item.row is not None) == whole.rows
    assert tuple(p for item in read for p in item.problems) == whole.errors
    assert (stream.source, stream.columns, stream.digest, stream.warnings) == (
        whole.source,
        whole.columns,
        whole.digest,
        whole.warnings,
    )


@pytest.mark.parametrize("content", [b"", b"Ref\n2.16,\x00\n", b"Ref\n\x81\n", b'Ref\n"2.16\n'])
def test_a_file_that_is_not_a_sheet_is_refused_in_the_same_words(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "tracker-2017-06-29.csv"
    path.write_bytes(content)
    with pytest.raises(r.ConfigurationError) as whole:
        read_sheet(path)
    with pytest.raises(r.ConfigurationError) as streamed:
        list(open_sheet(path).rows())
    assert str(streamed.value) == str(whole.value)


def test_a_bad_row_late_in_a_long_sheet_records_nothing(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(300, bad=290))
    with r.Tracker(store_url, clock=late_clock) as tracker:
        checked = check_import(tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50)
        assert [str(problem) for problem in checked.errors] == [
            "row 292, column 'Due date': recommendation 'R00290': due date 2016-01-01 is "
            "before the recommendation was raised (2017-03-02) (rule 'due-not-before-raised')"
        ]
        (problem,) = checked.errors
        assert (problem.row, problem.reference, problem.field, problem.rule) == (
            292,
            "R00290",
            "due_on",
            "due-not-before-raised",
        )
        assert checked.staged is None
        with pytest.raises(ImportRefused) as refused:
            record_import(tracker, checked, batch_entries=50)
        assert refused.value.problems == checked.errors
        assert tracker.head() == 0


def test_a_store_changed_since_the_check_is_refused_before_anything_is_recorded(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(30))
    with (
        r.Tracker("memory://", clock=late_clock) as tracker,
        check_import(tracker, open_sheet(path, mapping), by="Kath Jones") as checked,
    ):
        other = plan_import(tracker, read_sheet(path, mapping), by="Someone else")
        apply_import(tracker, other)
        head = tracker.head()
        with pytest.raises(r.ConcurrencyError) as changed:
            record_import(tracker, checked)
        assert changed.value.rule == "plan-current"
        assert tracker.head() == head


def _alive(*kinds: type) -> int:
    """How many objects of ``kinds`` the process holds now."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) in kinds)


def test_what_the_planner_holds_does_not_grow_with_the_sheet(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    held: dict[int, list[dict[str, int]]] = {}
    rows_alive: dict[int, list[int]] = {}
    for count in (100, 400):
        path = _sheet(tmp_path, _rows(count), name=f"tracker-{count}-2017-06-29.csv")
        seen = held[count] = []
        alive = rows_alive[count] = []
        # Objects of these kinds that earlier tests in this process still hold are not the
        # import's: count from what is alive before it starts.
        before = _alive(SheetRow, PlannedCommand, ReadRow)

        def each(
            planner: _Planner,
            seen: list[dict[str, int]] = seen,
            alive: list[int] = alive,
            before: int = before,
        ) -> None:
            seen.append(planner.held())
            if len(seen) % 4 == 0:  # the rows and commands alive, between two batches
                alive.append(_alive(SheetRow, PlannedCommand, ReadRow) - before)

        with (
            r.Tracker("memory://", clock=late_clock) as tracker,
            check_import(
                tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=25, each_batch=each
            ) as checked,
        ):
            assert checked.entries == 2 * count + 4
            assert checked.batches == count // 25
    # At most the batch just planned (25 rows, 50 commands, and the row being read).
    assert max(rows_alive[400]) <= 25 + 50 + 2
    assert max(rows_alive[400]) == max(rows_alive[100]), rows_alive
    small, large = held[100][-1], held[400][-1]
    # Identity: the recommendations raised, by key. All else is the same for 100 rows and
    # for 400, and no command is held between batches.
    assert (small.pop("raised_keys"), large.pop("raised_keys")) == (100, 400)
    assert small == large
    assert small["commands"] == 0
    assert max(h["commands"] for h in held[400]) == 0


def test_importing_the_same_sheet_again_records_nothing_new(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(150))
    with r.Tracker(store_url, clock=late_clock) as tracker:
        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as checked:
            done = record_import(tracker, checked, command_id="q2-import", batch_entries=50)
        assert (done.count, done.transactions, done.batches) == (304, 1, 3)
        head = tracker.head()
        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as again:
            assert again.entries == 0
            assert record_import(tracker, again, command_id="q2-import").count == 0
        assert tracker.head() == head


def test_an_import_stopped_part_way_is_finished_by_the_same_import_again(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(150))
    with r.Tracker("memory://", clock=late_clock) as whole:
        with check_import(
            whole, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as checked:
            record_import(whole, checked, command_id="q2-import", batch_entries=50)
        expected = _entries(whole)
    with r.Tracker("memory://", clock=late_clock) as tracker:
        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as checked:
            # The first batch recorded, as the import would record it, and then it stopped.
            number, first = next(checked.planned())
            tracker.execute_many([p.command for p in first], command_id=f"q2-import/{number}")
        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as rest:
            assert rest.entries == 304 - len(first)
            done = record_import(tracker, rest, command_id="q2-import", batch_entries=50)
        assert done.count == 304 - len(first)
        assert _entries(tracker) == expected
        head = tracker.head()
        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
        ) as again:
            assert record_import(tracker, again, command_id="q2-import").count == 0
        assert tracker.head() == head


def test_references_differing_only_by_case_in_two_batches_are_refused(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    rows = _rows(4)
    rows[3]["Ref"] = "r00000"
    path = _sheet(tmp_path, rows)
    with r.Tracker("memory://", clock=late_clock) as tracker:
        checked = check_import(tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=2)
        assert [(p.row, p.rule) for p in checked.errors] == [(5, "reference-unique-ignoring-case")]
        assert tracker.head() == 0


def test_a_batch_refused_part_way_records_nothing_naming_its_row(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(150))
    with r.Tracker("memory://", clock=late_clock) as tracker:
        first = plan_import(tracker, read_sheet(path, mapping), by="Kath Jones").commands[:3]

        def another_writer(done: int, total: int) -> None:
            if done and tracker.head() < 200:  # after the first batch: R00060 raised elsewhere
                raised = next(p.command for p in first if isinstance(p.command, r.Raise))
                tracker.execute(attrs.evolve(raised, reference="R00060", reason="by hand"))

        with (
            check_import(
                tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50
            ) as checked,
            pytest.raises(ImportRefused) as refused,
        ):
            record_import(
                tracker, checked, command_id="q2", batch_entries=50, progress=another_writer
            )
        (problem,) = refused.value.problems
        assert (problem.row, problem.reference, problem.rule) == (62, "R00060", "raised-once")
        assert not isinstance(refused.value, ImportStopped)
        # The batches written before it, and what the same thread wrote meanwhile, were
        # in the import's one transaction: none of it is recorded.
        assert tracker.head() == 0


@pytest.mark.parametrize("name", ["tracker", 'tracker "draft" \\ final'])
def test_an_earlier_sheet_is_known_by_its_entries_as_stored(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock, name: str
) -> None:
    """The date of an earlier sheet, read from its entries' stored JSON, or (a file name
    JSON escapes) from the entries decoded: a recommendation first listed later is raised
    the day after it either way."""
    with r.Tracker(f"sqlite:///{tmp_path / 'store.db'}", clock=late_clock) as tracker:
        later = {**_rows(1)[0], "Ref": "A-4", "Report": "PEEL-EFF-2016"}
        for day, rows in ((Q1, QUARTERS[Q1]), (Q2, [*QUARTERS[Q2], later])):
            path = write_csv(tmp_path / f"{name} {day}.csv", rows)
            apply_import(tracker, plan_import(tracker, read_sheet(path, mapping), by="Kath Jones"))
        assert tracker.events("A-4")[0].effective_on == date(2017, 3, 31)


def test_the_first_errors_are_kept_and_the_rest_counted(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    rows = [{**row, "RAG": "Purple"} for row in _rows(30)]
    path = _sheet(tmp_path, rows)
    with r.Tracker("memory://", clock=late_clock) as tracker:
        checked = check_import(tracker, open_sheet(path, mapping), by="Kath Jones", keep_errors=5)
        assert [problem.row for problem in checked.errors] == [2, 3, 4, 5, 6]
        assert checked.more_errors == 25
        assert (checked.ok, checked.staged, tracker.head()) == (False, None, 0)


def test_record_import_takes_its_former_keyword_with_a_warning(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    path = _sheet(tmp_path, _rows(10))
    with r.Tracker("memory://", clock=late_clock) as tracker:
        with (
            check_import(
                tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=4
            ) as checked,
            pytest.warns(DeprecationWarning, match=r"one_transaction=.*batch_entries="),
        ):
            imported = record_import(tracker, checked, one_transaction=5)
        # The same meaning as batch_entries=5: more entries than that, so in batches.
        assert (imported.count, imported.transactions) == (checked.entries, 1)
        assert imported.batches > 1
