"""A long import is all or nothing: its batches commit together, in one transaction.

An import longer than ``batch_entries`` is decided and written a batch at a time, within
one transaction held open until the last batch is written. A failure after several batches
(an error raised part way, a row refused late, the disk full) leaves the store exactly as
it was: the same head, the same tables, the same Merkle tree; the same import then records
all of it. A reader in another process sees the store as it was until the import commits.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import recommendations as r
from recommendations.spreadsheets import (
    ColumnMapping,
    ImportRefused,
    check_import,
    import_sheet,
    open_sheet,
    plan_import,
    read_sheet,
    record_import,
)
from tests.conftest import Clock

from .sheets import Row, write_csv

ROWS = 450
"""Rows of the long sheet: 904 entries (two a row, and four reports)."""
BATCH_ROWS = 50
BATCH_ENTRIES = 100
"""Small batches, for many batches from a short sheet."""


def _rows(count: int, *, prefix: str = "R") -> list[Row]:
    return [
        {
            "Ref": f"{prefix}{n:05d}",
            "Report": f"PEEL-{prefix}-{n % 4}",
            "Published": date(2017, 3, 2),
            "Recommendation": f"Improve the response to item {n}.",
            "RAG": ("Red", "Amber", "Green")[n % 3],
            "Status": "Open",
            "Lead": "Head of Public Protection",
            "Due date": date(2017, 12, 31),
            "Progress update": "Work begun.",
        }
        for n in range(count)
    ]


def _state(tracker: r.Tracker) -> tuple[Any, ...]:
    """What the store holds: its head, its tree's size, and its tables (their digest, or,
    for tables kept in memory, the register and every entry with its position)."""
    with tracker._app.recorder.tree_tables(write=False) as tree:
        size = tree.tree_size()
    digest = getattr(tracker.tables, "digest", None)
    tables = (
        digest()
        if digest is not None
        else (tracker.register().rows, [(e.position, e.event) for e in tracker.log()])
    )
    return tracker.head(), size, tables


def _seeded(tracker: r.Tracker, tmp_path: Path, mapping: ColumnMapping) -> None:
    """A store that holds entries already (a short import)."""
    path = write_csv(tmp_path / "seed-2017-03-30.csv", _rows(6, prefix="S"))
    with check_import(tracker, open_sheet(path, mapping), by="Kath Jones") as checked:
        record_import(tracker, checked)


def _long(tmp_path: Path, rows: list[Row] | None = None) -> Path:
    return write_csv(tmp_path / "tracker-2017-06-29.csv", rows or _rows(ROWS))


class Stop(Exception):
    """The failure injected part way."""


def test_a_failure_after_several_batches_leaves_the_store_as_it_was(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    path = _long(tmp_path)
    with r.Tracker(store_url, clock=late_clock) as tracker:
        _seeded(tracker, tmp_path, mapping)
        before = _state(tracker)
        reported: list[int] = []

        def stop_after_five(done: int, total: int) -> None:
            reported.append(done)
            if len(reported) == 6:  # (0, total) first, then five batches written
                raise Stop

        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=BATCH_ROWS
        ) as checked:
            assert checked.batches == 9
            with pytest.raises(Stop):
                record_import(
                    tracker, checked, batch_entries=BATCH_ENTRIES, progress=stop_after_five
                )
            assert reported[-1] > 400  # five batches were written before it stopped
            assert _state(tracker) == before
            # The same import again records all of it.
            done = record_import(tracker, checked, batch_entries=BATCH_ENTRIES)
        assert (done.count, done.transactions, done.batches) == (904, 1, 9)
        # 904 entries and a command record for each of the nine batches
        assert tracker.head() == before[0] + 904 + 9
        assert len(tracker.register().rows) == 6 + ROWS
        after = _state(tracker)
    if store_url != "memory://":
        with r.Tracker(store_url, clock=late_clock) as again:  # as another process opens it
            assert _state(again) == after


def test_a_row_refused_late_records_nothing_and_names_its_row(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    """A row the rules refuse only when it is recorded (its reference taken in the same
    transaction, after the check): the import records nothing, naming the row."""
    path = _long(tmp_path)
    with r.Tracker(store_url, clock=late_clock) as tracker:
        _seeded(tracker, tmp_path, mapping)
        before = _state(tracker)
        raised = next(
            p.command
            for p in plan_import(tracker, read_sheet(path, mapping), by="Kath Jones").commands
            if isinstance(p.command, r.Raise)
        )

        def take_a_late_reference(done: int, total: int) -> None:
            if done and done < 200:  # after the first batch: R00420 raised first
                tracker.execute(attrs.evolve(raised, reference="R00420", reason="by hand"))

        with (
            check_import(
                tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=BATCH_ROWS
            ) as checked,
            pytest.raises(ImportRefused) as refused,
        ):
            record_import(
                tracker, checked, batch_entries=BATCH_ENTRIES, progress=take_a_late_reference
            )
        (problem,) = refused.value.problems
        assert (problem.row, problem.reference, problem.rule) == (422, "R00420", "raised-once")
        assert _state(tracker) == before


_READER = """
import sqlite3, sys
url = sys.argv[1]
if url.startswith("sqlite:///"):
    connection = sqlite3.connect(url[len("sqlite:///"):], timeout=1)
else:
    import psycopg
    connection = psycopg.connect(url.split("?")[0], autocommit=True)
counts = [
    connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    for table in (sys.argv[2], "rec_register", "rec_audit_trail")
]
print(" ".join(map(str, counts)))
"""


def _seen(tracker: r.Tracker, store_url: str) -> list[int]:
    """The log's entries, register rows and trail rows a reader in another process sees."""
    read = subprocess.run(
        [sys.executable, "-c", _READER, store_url, tracker._app.recorder.events_table_name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert read.returncode == 0, read.stderr
    return [int(count) for count in read.stdout.split()]


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        yield str(request.getfixturevalue("postgres_store_url"))
    else:
        yield f"sqlite:///{tmp_path / 'register.db'}"


def test_a_reader_in_another_process_sees_nothing_of_an_import_until_it_commits(
    tmp_path: Path, mapping: ColumnMapping, sql_store_url: str, late_clock: Clock
) -> None:
    path = _long(tmp_path)
    with r.Tracker(sql_store_url, clock=late_clock) as tracker:
        _seeded(tracker, tmp_path, mapping)
        before = _seen(tracker, sql_store_url)
        seen: list[list[int]] = []

        def read_meanwhile(done: int, total: int) -> None:
            if done and len(seen) < 2:
                seen.append(_seen(tracker, sql_store_url))

        with check_import(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=BATCH_ROWS
        ) as checked:
            record_import(tracker, checked, batch_entries=BATCH_ENTRIES, progress=read_meanwhile)
        assert seen == [before, before]
        after = _seen(tracker, sql_store_url)
        assert after == [before[0] + 904 + 9, before[1] + ROWS, after[2]]
        assert after[2] > before[2]


def test_an_import_in_one_pass_records_what_a_checked_one_records_deciding_once(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    path = _long(tmp_path)
    with r.Tracker("memory://", clock=late_clock) as checked_first:
        _seeded(checked_first, tmp_path, mapping)
        with check_import(
            checked_first, open_sheet(path, mapping), by="Kath Jones", batch_rows=BATCH_ROWS
        ) as checked:
            record_import(checked_first, checked, batch_entries=BATCH_ENTRIES)
        expected = [
            (type(e.event).__name__, str(e.event.originator_id), e.event.originator_version)
            for e in checked_first.log()
        ]
    with r.Tracker(store_url, clock=late_clock) as tracker:
        _seeded(tracker, tmp_path, mapping)
        decided: list[int] = []
        decide = tracker._decider.decide

        def counted(commands: list[r.Command], *, fresh: bool = True) -> Any:
            decided.append(len(commands))
            return decide(commands, fresh=fresh)

        tracker._decider.decide = counted  # type: ignore[method-assign]
        done = import_sheet(
            tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=BATCH_ROWS
        )
        assert (done.count, done.transactions, done.batches) == (904, 1, 9)
        # Each command decided once, as it was recorded (and each of the four new reports
        # once more, alone, when the first row naming it is planned).
        assert decided[:4] == [1, 1, 1, 1]
        assert sum(decided[4:]) == 904
        assert [
            (type(e.event).__name__, str(e.event.originator_id), e.event.originator_version)
            for e in tracker.log()
        ] == expected
        assert import_sheet(tracker, open_sheet(path, mapping), by="Kath Jones").count == 0


def test_an_import_in_one_pass_with_an_error_anywhere_records_nothing_listing_every_error(
    tmp_path: Path, mapping: ColumnMapping, store_url: str, late_clock: Clock
) -> None:
    rows = _rows(ROWS)
    rows[120]["Due date"] = date(2016, 1, 1)  # due before the report was published
    rows[440]["Due date"] = date(2016, 1, 2)
    path = _long(tmp_path, rows)
    with r.Tracker(store_url, clock=late_clock) as tracker:
        _seeded(tracker, tmp_path, mapping)
        before = _state(tracker)
        with pytest.raises(ImportRefused) as refused:
            import_sheet(tracker, open_sheet(path, mapping), by="Kath Jones", batch_rows=50)
        assert [(p.row, p.rule) for p in refused.value.problems] == [
            (122, "due-not-before-raised"),
            (442, "due-not-before-raised"),
        ]
        assert _state(tracker) == before


def test_a_store_that_cannot_hold_a_transaction_open_is_checked_then_recorded(
    tmp_path: Path, mapping: ColumnMapping, late_clock: Clock
) -> None:
    """A third party's store (``jsonl://``, whose every transaction is one line): a sheet
    of one batch is checked whole, then recorded in one transaction; a longer one that
    would need a transaction held open is refused, naming the rule, with nothing
    recorded."""
    pytest.importorskip("recommendations_jsonl")
    store = f"jsonl:///{tmp_path}/log.jsonl"
    with r.Tracker(store, clock=late_clock) as tracker:
        short = write_csv(tmp_path / "seed-2017-03-30.csv", _rows(6, prefix="S"))
        assert import_sheet(tracker, open_sheet(short, mapping), by="Kath Jones").count == 16
        head = tracker.head()
        with (
            check_import(
                tracker, open_sheet(_long(tmp_path), mapping), by="Kath Jones", batch_rows=50
            ) as checked,
            pytest.raises(r.StoreError) as refused,
        ):
            record_import(tracker, checked, batch_entries=BATCH_ENTRIES)
        assert refused.value.rule == "one-transaction"
        assert tracker.head() == head
