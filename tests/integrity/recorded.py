"""The small log of :func:`tests.integrity.test_store_tree.record_log` in a SQLite file,
made once per test module and copied for each test that changes it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import recommendations as r
from tests.conftest import Clock

RECORDED_AT = datetime(2017, 4, 10, 9, tzinfo=UTC)


def recorded_store(folder: Path) -> Path:
    """A SQLite store in ``folder`` holding the small log."""
    from tests.integrity.test_store_tree import record_log

    path = folder / "source.db"
    with r.Tracker(f"sqlite:///{path}", clock=Clock(RECORDED_AT)) as tracker:
        record_log(tracker)
    return path


def copied_store(built: Path, folder: Path) -> str:
    """The URL of a copy of the store ``built``, in ``folder``."""
    path = folder / "register.db"
    shutil.copy(built, path)
    return f"sqlite:///{path}"
