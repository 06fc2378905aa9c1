"""A long import that fills the disk part way records nothing.

A SQLite store on a small filesystem of its own (tmpfs, which needs root: elsewhere the
test is skipped, saying why, except in CI), with room for a few of the import's batches:
the import fails when the disk is full, after several batches were written in its
transaction, and the store is as it was (its head, its tables, its Merkle tree). Once
there is room again, the same import records all of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations.spreadsheets import ColumnMapping, import_sheet, open_sheet
from tests.conftest import Clock
from tests.integration.test_faults import _mount_small, _unmount
from tests.spreadsheets.sheets import MAPPING_TOML, Row, write_csv

ROWS = 300


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB filesystem of its own (tmpfs), unmounted afterwards."""
    folder = tmp_path / "small"
    folder.mkdir()
    _mount_small(folder, "size=6m")
    try:
        yield folder
    finally:
        _unmount(folder)


@pytest.fixture
def late_clock() -> Clock:
    return Clock(datetime(2018, 1, 8, 9, tzinfo=UTC))


def _rows(count: int, prefix: str) -> list[Row]:
    return [
        {
            "Ref": f"{prefix}{n:05d}",
            "Report": f"PEEL-{prefix}-{n % 4}",
            "Published": date(2017, 3, 2),
            "Recommendation": f"Improve the response to item {n}, as the report sets out.",
            "RAG": ("Red", "Amber", "Green")[n % 3],
            "Status": "Open",
            "Lead": "Head of Public Protection",
            "Due date": date(2017, 12, 31),
            "Progress update": "Work begun.",
        }
        for n in range(count)
    ]


def _state(tracker: r.Tracker) -> tuple[object, ...]:
    with tracker._app.recorder.tree_tables(write=False) as tree:
        size = tree.tree_size()
    return tracker.head(), size, tracker.tables.digest()  # type: ignore[attr-defined]


def _free(folder: Path) -> int:
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


def test_a_disk_full_part_way_through_a_long_import_records_nothing(
    small_disk: Path, tmp_path: Path, late_clock: Clock
) -> None:
    (tmp_path / "mapping.toml").write_text(MAPPING_TOML, encoding="utf-8")
    mapping = ColumnMapping.load(tmp_path / "mapping.toml")
    store = f"sqlite:///{small_disk / 'register.db'}"
    seed = write_csv(tmp_path / "seed-2017-03-30.csv", _rows(5, "S"))
    sheet = write_csv(tmp_path / "tracker-2017-06-29.csv", _rows(ROWS, "R"))
    with r.Tracker(store, clock=late_clock) as tracker:
        import_sheet(tracker, open_sheet(seed, mapping), by="Kath Jones")
        before = _state(tracker)
        # Room for a few batches of 50 rows, not for the whole import.
        filler = small_disk / "filler"
        filler.write_bytes(b"\0" * max(0, _free(small_disk) - 120_000))
        written: list[int] = []
        with pytest.raises(r.StoreError) as failed:
            import_sheet(
                tracker,
                open_sheet(sheet, mapping),
                by="Kath Jones",
                batch_rows=50,
                progress=lambda done, rows: written.append(done),
            )
        assert "full" in str(failed.value)
        assert len(written) >= 2, written  # several batches were written before it failed
        assert _state(tracker) == before
        filler.unlink()
        done = import_sheet(tracker, open_sheet(sheet, mapping), by="Kath Jones", batch_rows=50)
        assert done.count == 2 * ROWS + 4
    with r.Tracker(store, clock=late_clock) as again:
        assert again.head() == before[0] + done.count + done.batches
        assert len(again.register().rows) == 5 + ROWS
