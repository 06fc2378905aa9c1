"""A rebuild folds each item once, in this process or in worker processes that each take a
range of item ids, and writes the rows catching up entry by entry would have written: on a
generated log (backdated entries and corrections included), on SQLite and PostgreSQL, the
view rows are the same whichever way they were made."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from recommendations.sqltables import TABLES

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated register of 40 recommendations (about 900 entries), the log alone."""
    path = tmp_path_factory.mktemp("generated") / "register.db"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--recommendations=40",
            f"--store=sqlite:///{path}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path


def _tables(views: object) -> dict[str, list[tuple[object, ...]]]:
    rows = getattr(views, "rows")  # noqa: B009 - the SQL engines' own
    return {table: rows(table) for table in TABLES}


def _every_way(url: str) -> None:
    with r.Tracker(url) as tracker:
        views = tracker.tables
        assert views.position() == 0
        assert views.catch_up(page_size=97) == tracker.head()  # entry by entry, in pages
        applied = _tables(views)
        digest = views.digest()
        assert views.rebuild(workers=1) == tracker.head()
        assert _tables(views) == applied
        assert views.rebuild(workers=3) == tracker.head()
        assert _tables(views) == applied
        assert views.digest() == digest
        assert tracker.register().rows == tracker.register_by_fold().rows
        # The workers folded every entry themselves (no fallback to one process).
        engine: Any = views
        with engine._write() as cursor:
            cursor.fetchone()
            for statement in engine._sql.delete:
                cursor.execute(statement)
            assert engine._rebuild_in_parts(cursor, tracker.head(), 100, 2) == tracker.head()
            cursor.execute(engine._sql.track, ("views", tracker.head()))
        assert views.digest() == digest


def test_a_rebuild_on_sqlite_writes_what_catching_up_writes(
    generated: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(generated, copy)
    _every_way(f"sqlite:///{copy}")


def test_a_rebuild_on_postgresql_writes_what_catching_up_writes(
    generated: Path, postgres_store_url: str
) -> None:
    with r.Tracker(f"sqlite:///{generated}") as source, r.Tracker(postgres_store_url) as target:
        target.copy_from(source)
    _every_way(postgres_store_url)


def test_a_log_a_worker_cannot_read_is_reported_as_in_one_process(
    generated: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(generated, copy)
    url = f"sqlite:///{copy}"
    with r.Tracker(url) as tracker:
        tracker.tables.catch_up()
        before = tracker.tables.digest()
    with sqlite3.connect(copy) as connection:  # damaged outside the library
        connection.execute("UPDATE stored_events SET state = x'7b6e6f' WHERE rowid = 300")
    failures = []
    for workers in (1, 3):
        with r.Tracker(url) as tracker:
            with pytest.raises(r.RecommendationsError) as raised:
                tracker.tables.rebuild(workers=workers)
            failures.append((type(raised.value), str(raised.value)))
            assert tracker.tables.digest() == before  # left as they were
    assert failures[0] == failures[1]
    assert "cannot be read" in failures[0][1]
