"""Faults of the real world, through the real command in a new process: a disk that fills
up under a SQLite store, and a PostgreSQL server stopped around a command. Each exit status
must say truthfully whether the entry is in the log, a retry with the command id printed
must record nothing twice, and reads must go on answering.

The small disk is a size-limited tmpfs the test mounts, which needs root: elsewhere the
test is skipped, saying why, except in CI (``CI`` set), where not being able to mount fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import recommendations as r
from tests.cli.helpers import RAISE, REPORT, entry, invoke, ok, run

TRUTHFUL = {0: "recorded", 1: "not recorded", 3: "recorded", 4: "unknown"}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the fault test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem of its own (tmpfs), unmounted afterwards."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        _unavailable("mounting a small filesystem needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        _unavailable(f"cannot mount a small filesystem: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def _fill(path: Path) -> None:
    """Write ``path`` until the disk is full (no byte more fits)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)


def _held(database: Path, marker: str) -> int:
    """How many entries of the log hold ``marker`` (read directly, as another program
    would)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM stored_events WHERE CAST(state AS TEXT) LIKE ?",
            (f"%{marker}%",),
        ).fetchone()
    return int(count)


def _retry_id(stderr: str) -> str:
    found = re.search(r"--command-id ([0-9a-f-]{36})", stderr)
    assert found, stderr
    return found.group(1)


def _check(status: int, held: int, stderr: str) -> None:
    """The exit status says truthfully whether the entry is in the log."""
    assert status in TRUTHFUL, stderr
    assert "Traceback" not in stderr
    assert held <= 1, "recorded twice"
    if TRUTHFUL[status] == "recorded":
        assert held == 1, f"status {status} but the log does not hold it: {stderr}"
    elif TRUTHFUL[status] == "not recorded":
        assert held == 0, f"status 1 but the log holds it: {stderr}"
    if status:
        assert len(stderr.strip().splitlines()) == 1, stderr


def test_a_full_disk_gives_truthful_statuses_and_reads_go_on(small_disk: Path) -> None:
    database = small_disk / "register.db"
    store = f"sqlite:///{database}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    # Another program holds the store open (as a long-running one would), so that its
    # write-ahead log and shared memory stay: SQLite cannot open a store whose last
    # connection closed on a disk with no byte free, not even to read it.
    holder = sqlite3.connect(database)
    holder.execute("SELECT count(*) FROM stored_events").fetchone()
    filler = small_disk / "filler"
    _fill(filler)
    seen = []
    for attempt in range(6):
        marker = f"attempt-{attempt}"
        note = ["--store", store, "note", "2.16", marker, *entry(on="2017-04-01")]
        first = run(*note)  # the real command, in a process of its own
        stderr = first.stderr.decode()
        _check(first.returncode, _held(database, marker), stderr)
        seen.append(first.returncode)
        if first.returncode == 0:
            if any(seen):
                break
            continue
        again = invoke(*note, "--command-id", _retry_id(stderr))
        _check(again.exit_code, _held(database, marker), again.stderr)
        # Reads answer while the disk is full, saying if the views are behind.
        shown = invoke("--store", store, "register", "--format", "json")
        assert shown.exit_code == 0, shown.stderr
        assert '"2.16"' in shown.stdout
        if 3 in (first.returncode, again.exit_code):
            assert "warning: the views could not catch up" in shown.stderr
        # Free a little more room each time: a write may get part of the way.
        size = filler.stat().st_size
        os.truncate(filler, max(0, size - 8192 * 2**attempt))
    assert seen[0] != 0, f"the disk was not full: statuses {seen}"
    filler.unlink()
    holder.close()
    with r.Tracker(store) as tracker:
        notes = [e for e in tracker.events("2.16") if isinstance(e, r.domain.ProgressNoted)]
        assert len({n.note for n in notes}) == len(notes)  # none recorded twice
        assert tracker.register().basis.position == tracker.head()  # caught up again
    print(f"statuses on a full disk: {seen}")  # shown with -s
