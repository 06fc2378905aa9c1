"""A copy of a whole log that is killed part-way is finished by copying again.

A copy process is killed (SIGKILL) at random points, several times over on the same
target, on SQLite and PostgreSQL; copying again always finishes with the source's log,
position for position, and views equal to a rebuild. A target that holds any other log
is refused in one line, and left as it was.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from tests import writers
from tests.conftest import Clock, report_details, who

RECOMMENDATIONS = 150
BATCH = 60
TARGETS = 3
KILLS = 10


def _record(url: str, clock: Clock) -> None:
    """A log of a report and ``RECOMMENDATIONS`` recommendations of four entries each,
    some recorded with command ids (whose records are copied too)."""
    with r.Tracker(url, clock=clock) as tracker:
        tracker.execute(
            r.PublishReport(
                reference="PEEL-2016",
                details=report_details(),
                effective_on=date(2017, 3, 2),
                by="Kath Holder",
                reason="published",
            )
        )
        lives = []
        for n in range(RECOMMENDATIONS):
            ref = f"2.{n}"
            lives.append(
                [
                    r.Raise(reference=ref, report="PEEL-2016", text=f"Do {n}.", **who(3, 2)),
                    r.Assign(reference=ref, owner=f"Owner {n % 7}", **who(3, 9)),
                    r.NoteProgress(reference=ref, note="begun", **who(3, 20)),
                    r.Regrade(reference=ref, grade="green", **who(3, 30)),
                ]
            )
        for step in range(4):
            commands = [life[step] for life in lives]
            for start in range(0, len(commands), 50):
                tracker.execute_many(
                    commands[start : start + 50], command_id=f"step-{step}-{start}"
                )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('source') / 'source.db'}"
    _record(url, Clock(datetime(2017, 4, 10, 9, tzinfo=UTC)))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def make_target(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    made: list[str] = []

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'target-{uuid.uuid4().hex}.db'}"
        server = request.getfixturevalue("postgres_server")
        made.append(server.create_database())
        return str(server.url(made[-1]))

    yield make
    if made:
        server = request.getfixturevalue("postgres_server")
        for name in made:
            server.drop_database(name)


def _killed_copy(source: str, target: str, total: int, rng: random.Random) -> bool:
    """Start a copy of ``source``'s ``total`` records and kill it at a random point: after a
    random number of the batches left, a random part of the way into the next. Whether it
    was killed before it finished."""
    context = writers.context()
    reports = context.Queue()
    process = context.Process(target=writers.copy_log, args=(source, target, BATCH, reports))
    process.start()
    try:
        held = reports.get(timeout=60)  # opened, about to copy
        began = time.monotonic()
        left = -(-(total - held) // BATCH)
        if not left:
            return False
        wanted, seen = rng.randrange(left), 0
        while seen < wanted:
            report = reports.get(timeout=60)
            if report == "done":
                return False
            seen += 1
        each = (time.monotonic() - began) / max(seen, 1)
        time.sleep(rng.uniform(0, each))
        os.kill(process.pid, signal.SIGKILL)
        finished = False
        with_pending = True
        while with_pending:
            try:
                finished = finished or reports.get(timeout=0.5) == "done"
            except queue.Empty:
                with_pending = False
        return not finished
    finally:
        process.join(timeout=30)
        reports.close()


def _same_as_source(source: str, target: str) -> None:
    with r.Tracker(source) as origin, r.Tracker(target) as copy:
        assert list(copy._records(0, 500)) == list(origin._records(0, 500))
        assert copy.head() == origin.head()
        known_at = origin.basis().known_at + timedelta(days=1)
        basis = {"as_at": date(2017, 4, 30), "known_at": known_at}
        caught_up = copy.register(**basis).rows
        copy.tables.rebuild()
        assert copy.register(**basis).rows == caught_up
        assert caught_up == copy.register_by_fold(**basis).rows
        assert caught_up == origin.register_by_fold(**basis).rows
        assert len(caught_up) == RECOMMENDATIONS


def test_a_copy_killed_at_random_points_is_finished_by_copying_again(
    source: str, make_target: Any
) -> None:
    rng = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "") + str(time.time_ns()))
    kills = 0
    with r.Tracker(source) as origin:
        total = origin.head()
    for n in range(TARGETS):
        target = make_target()
        # Kill copies until this target's share of them was killed part-way: a copy that
        # finished before its kill landed (the random point fell after its last batch) is
        # checked whole, and the kills go on into a new target, up to three times as many
        # attempts as kills wanted.
        share, attempts, part_way = KILLS // TARGETS + (n < KILLS % TARGETS), 0, 0
        while part_way < share and attempts < 3 * share:
            attempts += 1
            if _killed_copy(source, target, total, rng):
                part_way += 1
            else:
                _same_as_source(source, target)
                target = make_target()
        kills += part_way
        if n == 0:  # the command line finishes the first
            command = ["copy", "--from", source]
            done = subprocess.run(
                [sys.executable, "-m", "recommendations", "--store", target, *command],
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            # (killed after its last batch, a copy has nothing left to copy)
            assert done.stdout.startswith(("Copied ", "Nothing to copy: ")), done.stdout
        else:
            with r.Tracker(source) as origin, r.Tracker(target) as copy:
                copy.copy_from(origin, batch=BATCH)
        _same_as_source(source, target)
    assert kills >= KILLS // 2  # most were killed part-way, not after they finished


def test_a_finished_copy_copied_again_copies_nothing(source: str, make_target: Any) -> None:
    target = make_target()
    with r.Tracker(source) as origin, r.Tracker(target) as copy:
        assert copy.copy_from(origin, batch=500) == origin.head()
        seen: list[int] = []
        assert copy.copy_from(origin, batch=500, progress=seen.append) == 0
        assert seen == []
    _same_as_source(source, target)


def test_a_target_holding_another_log_is_refused_and_left_unchanged(
    source: str, make_target: Any, tmp_path: Path
) -> None:
    # the same commands, recorded at other times: the same items and versions, other content
    target = make_target()
    _record(target, Clock(datetime(2017, 4, 11, 9, tzinfo=UTC)))
    with r.Tracker(target) as copy:
        before = list(copy._records(0, 1000))
    refused = subprocess.run(
        [sys.executable, "-m", "recommendations", "--store", target, "copy", "--from", source],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "rule 'copy-target-prefix'" in lines[0]
    assert "record 1 " in lines[0]
    with r.Tracker(target) as copy:
        assert list(copy._records(0, 1000)) == before

    # a target longer than the source: its start is the source, but it goes on
    longer = make_target()
    with r.Tracker(source) as origin, r.Tracker(longer) as copy:
        copy.copy_from(origin)
        copy.execute(r.NoteProgress(reference="2.1", note="after the move", **who(4, 20)))
        head = copy.head()
        with pytest.raises(r.RuleViolation) as caught:
            copy.copy_from(origin)
        assert (caught.value.field, caught.value.rule) == ("store", "copy-target-prefix")
        assert copy.head() == head
