"""Faults of the real world, through the real command in a new process: a disk that fills
up under a SQLite store and under a PostgreSQL cluster, and a PostgreSQL server stopped
around a command. Each exit status must say truthfully whether the entry is in the log, a
retry with the command id printed must record nothing twice, and reads must go on
answering.

The small disks are size-limited tmpfs the tests mount, which needs root: elsewhere the
tests are skipped, saying why, except in CI (``CI`` set), where not being able to mount
fails.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import Result

import recommendations as r
from tests.cli.helpers import RAISE, REPORT, clean_env, entry, invoke, ok, run
from tests.conftest import report_details, who
from tests.postgres import (
    PostgresServer,
    ServerUnavailable,
    _as_owner,
    _binaries,
    _run,
    running_server,
)


def _details() -> r.ReportDetails:
    return report_details()


def _who() -> dict[str, object]:
    return who(3, 2)


TRUTHFUL = {0: "recorded", 1: "not recorded", 3: "recorded", 4: "unknown"}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the fault test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _mount_small(folder: Path, options: str) -> None:
    """Mount a filesystem of its own (tmpfs, ``options`` giving its size) on ``folder``."""
    if os.geteuid() != 0:
        _unavailable("mounting a small filesystem needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        _unavailable(f"cannot mount a small filesystem: {mounted.stderr.strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem of its own (tmpfs), unmounted afterwards."""
    folder = tmp_path / "small"
    folder.mkdir()
    _mount_small(folder, "size=2m")
    try:
        yield folder
    finally:
        _unmount(folder)


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


@contextlib.contextmanager
def _full(disk: Path) -> Iterator[Path]:
    """``disk`` full for as long as the ``with`` block lasts: the file that fills it."""
    filler = disk / "filler"
    _fill(filler)
    try:
        yield filler
    finally:
        filler.unlink()


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


# --- a PostgreSQL server stopped and started around a command -----------------------------


class _Restartable:
    """A throwaway PostgreSQL cluster of this test's own, that it may stop and start."""

    def __init__(self, server: PostgresServer) -> None:
        assert server.folder is not None
        self.server = server
        self.data = server.folder / "data"
        self.prefix, _ = _as_owner()
        self.pg_ctl = str(_binaries() / "pg_ctl")
        # The options it was started with (its port among them), to start it again alike.
        words = shlex.split((self.data / "postmaster.opts").read_text())
        self.options = " ".join(shlex.quote(w) for w in words[3:])  # after postgres -D DATA

    def stop(self) -> None:
        done = _run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        log = str(self.server.folder / "server.log") if self.server.folder else "/dev/null"
        done = _run(
            [
                *self.prefix,
                self.pg_ctl,
                "-D",
                str(self.data),
                "-l",
                log,
                "-w",
                "-o",
                self.options,
                "start",
            ]
        )
        assert done.returncode == 0, done.stderr


@pytest.fixture
def restartable() -> Iterator[_Restartable]:
    try:
        with running_server() as server:
            yield _Restartable(server)
    except ServerUnavailable as error:
        _unavailable(f"no PostgreSQL server of its own for the test: {error}")


def _notes(store: str, marker: str) -> int:
    with r.Tracker(store) as tracker:
        return sum(
            isinstance(e, r.domain.ProgressNoted) and e.note == marker
            for e in tracker.events("2.16")
        )


def test_a_postgresql_server_stopped_or_dropping_connections_gives_truthful_statuses(
    restartable: _Restartable,
) -> None:
    server = restartable.server
    store = server.url(server.create_database())
    with r.Tracker(store) as tracker:
        tracker.execute(r.PublishReport(reference="PEEL-2016", details=_details(), **_who()))
        tracker.execute(r.Raise(reference="2.16", report="PEEL-2016", text="Supervise.", **_who()))

    def note(marker: str, *more: str) -> Result:
        """The command, in this process (quicker; the last case below runs a process of its
        own, as it must run while the server stops)."""
        return invoke("--store", store, "note", "2.16", marker, *entry(on="2017-04-01"), *more)

    def again(marker: str, first: Result) -> Result:
        """The retry with the command id ``first`` printed."""
        retry = ["--command-id", _retry_id(first.stderr)]
        return invoke("--store", store, "note", "2.16", marker, *entry(on="2017-04-01"), *retry)

    # The server is down: nothing is recorded, and the status says so.
    restartable.stop()
    try:
        down = note("while-down")
    finally:
        restartable.start()
    stderr = down.stderr
    _check(down.exit_code, _notes(store, "while-down"), stderr)
    assert down.exit_code == 1
    ok(again("while-down", down))
    ok(again("while-down", down))
    assert _notes(store, "while-down") == 1

    # The connection is dropped as the views' rows are written, which is in the log's own
    # transaction: nothing is recorded (status 1), nor by the retry while it goes on; once
    # it stops, the retry records the entry once.
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION drop_me() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
        )
        connection.execute(
            "CREATE TRIGGER drop_me BEFORE INSERT ON rec_audit_trail "
            "FOR EACH ROW EXECUTE FUNCTION drop_me()"
        )
    dropped = note("views-dropped")
    stderr = dropped.stderr
    _check(dropped.exit_code, _notes(store, "views-dropped"), stderr)
    assert dropped.exit_code == 1, stderr
    retried = again("views-dropped", dropped)
    assert retried.exit_code == 1, retried.stderr
    _check(retried.exit_code, _notes(store, "views-dropped"), retried.stderr)
    assert _notes(store, "views-dropped") == 0
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute("DROP TRIGGER drop_me ON rec_audit_trail")
    ok(again("views-dropped", dropped))
    assert _notes(store, "views-dropped") == 1

    # The connection of the log itself is dropped as it commits: whatever the status says
    # is what the log holds, and the retry records it once.
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute(
            "CREATE CONSTRAINT TRIGGER drop_me AFTER INSERT ON recommendations_events "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION drop_me()"
        )
    lost = note("commit-dropped")
    stderr = lost.stderr
    _check(lost.exit_code, _notes(store, "commit-dropped"), stderr)
    assert lost.exit_code in (1, 4), stderr
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute("DROP TRIGGER drop_me ON recommendations_events")
    ok(again("commit-dropped", lost))
    ok(again("commit-dropped", lost))
    assert _notes(store, "commit-dropped") == 1
    # The server stops while the log's transaction commits, and is still down when the
    # command asks whether it was recorded: status 4, the outcome cannot be known.
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION hold_me() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_sleep(60); RETURN NEW; END $$"
        )
        connection.execute(
            "CREATE CONSTRAINT TRIGGER hold_me AFTER INSERT ON recommendations_events "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_me()"
        )
    # (waiting for the server a short while: it will not come back while the command runs)
    quick = f"{store}?connect_timeout=2"
    command = [sys.executable, "-m", "recommendations", "--store", quick, "note", "2.16"]
    with subprocess.Popen(
        [*command, "commit-held", *entry(on="2017-04-01")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    ) as held:
        with psycopg.connect(store, autocommit=True) as connection:
            for _ in range(600):  # until its commit waits in the trigger
                (waiting,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                ).fetchone() or (0,)
                if waiting:
                    break
                time.sleep(0.1)
            assert waiting, "the command never reached its commit"
        restartable.stop()
        try:
            _, said = held.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            held.kill()
            raise
        finally:
            restartable.start()
    stderr = said.decode()
    _check(held.returncode, _notes(store, "commit-held"), stderr)
    assert held.returncode == 4, stderr
    assert "whether the entry is in the log" in stderr
    with psycopg.connect(store, autocommit=True) as connection:
        connection.execute("DROP TRIGGER hold_me ON recommendations_events")
    ok(
        invoke(
            "--store",
            store,
            "note",
            "2.16",
            "commit-held",
            *entry(on="2017-04-01"),
            "--command-id",
            _retry_id(stderr),
        )
    )
    assert _notes(store, "commit-held") == 1

    shown = invoke("--store", store, "register")
    assert shown.exit_code == 0 and shown.stderr == ""
    seen = [down.exit_code, dropped.exit_code, lost.exit_code, held.returncode]
    print(f"statuses: server down, views dropped, commit dropped, commit held: {seen}")  # -s


# --- a PostgreSQL cluster whose data folder is on a small disk ------------------------------


@pytest.fixture(scope="module")
def server_on_small_disk() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster whose whole data folder (its write-ahead log and
    every database) is a 96 MB filesystem of its own, unmounted afterwards; the cluster and
    a few databases take most of it, and a file fills the rest when a test needs it full."""
    mounted: list[Path] = []

    def prepare(data: Path, owner: pwd.struct_passwd | None) -> None:
        data.mkdir()
        ids = f",uid={owner.pw_uid},gid={owner.pw_gid}" if owner else ""
        _mount_small(data, f"size=96m,mode=0700{ids}")
        mounted.append(data)

    try:
        with running_server(prepare=prepare) as server:
            yield server
    except ServerUnavailable as error:
        _unavailable(f"no PostgreSQL server of its own for the test: {error}")
    finally:
        for folder in mounted:
            _unmount(folder)
            shutil.rmtree(folder.parent, ignore_errors=True)  # the cluster's, emptied


def _small_disk_store(server: PostgresServer) -> tuple[Path, str, Path]:
    """A store on ``server`` (a cluster on a small disk) with 2.16 raised in it: the disk,
    the store's URL, and the server's log."""
    assert server.folder is not None
    store = server.url(server.create_database())
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    return server.folder / "data", store, server.folder / "server.log"


def _write_until(
    tracker: r.Tracker, stop: type[r.StoreError], marker: str, filler: Path
) -> list[str]:
    """Note progress on 2.16 through ``tracker`` until a note raises ``stop``; another
    store error (nothing recorded) frees one page (8 KB) of ``filler`` and goes on. What
    each note raised, by name ("" for none)."""
    raised = []
    for attempt in range(200):
        command = r.NoteProgress(reference="2.16", note=f"{marker}-{attempt}", **_who())
        try:
            tracker.execute(command)
        except r.StoreError as error:
            raised.append(type(error).__name__)
            recorded = 1 if isinstance(error, r.TablesBehind) else 0
            assert _notes(tracker.store, command.note) == recorded, error
            if isinstance(error, stop):
                return raised
            os.truncate(filler, filler.stat().st_size - 8192)
        else:
            raised.append("")
    raise AssertionError(f"no {stop.__name__} after 200 notes on a full disk: {raised}")


def test_a_full_disk_under_postgresql_gives_truthful_statuses_and_reads_go_on(
    server_on_small_disk: PostgresServer,
) -> None:
    server = server_on_small_disk
    disk, store, log = _small_disk_store(server)
    log_start = len(log.read_text())
    with psycopg.connect(**server.admin, autocommit=True) as connection:
        # A fresh segment of the write-ahead log (16 MB, written whole when it is made), so
        # that the entries below need no new one: PostgreSQL stops when it cannot make one.
        connection.execute("SELECT pg_switch_wal()")
        connection.execute("CHECKPOINT")
    statuses = []
    with r.Tracker(store) as tracker:
        # The log, the tree or the views need a page the disk has no room for: one
        # transaction, refused whole (the views never fall behind here, so no status 3).
        for case, stop in (("refused", r.StoreError),):
            with _full(disk) as filler:
                # Entries land while the pages the tables have hold them; write until one
                # needs a page that is not there.
                raised = _write_until(tracker, stop, f"priming-{case}", filler)
                # The real command, in a process of its own, on the disk still full.
                note = ["--store", store, "note", "2.16", case, *entry(on="2017-04-01")]
                first = run(*note)
                stderr = first.stderr.decode()
                _check(first.returncode, _notes(store, case), stderr)
                # Reads answer while the disk is full, saying if the views are behind.
                shown = invoke("--store", store, "register", "--format", "json")
                assert shown.exit_code == 0, shown.stderr
                assert '"2.16"' in shown.stdout
                behind = "warning: the views could not catch up" in shown.stderr
                expected = raised[-1] == "TablesBehind" or first.returncode == 3
                assert behind == expected, shown.stderr
                # The retry with the command id printed records nothing new.
                retry = [*note, "--command-id", _retry_id(stderr)]
                again = invoke(*retry)
                _check(again.exit_code, _notes(store, case), again.stderr)
            # Read again with room: what the statuses said still holds.
            held = _notes(store, case)
            _check(again.exit_code, held, again.stderr)
            if TRUTHFUL[again.exit_code] == "not recorded":
                _check(first.returncode, held, stderr)
            ok(invoke(*retry))  # with room: recorded once, and the views catch up
            assert _notes(store, case) == 1
            statuses += [first.returncode, again.exit_code]
        notes = [e for e in tracker.events("2.16") if isinstance(e, r.domain.ProgressNoted)]
        assert len({n.note for n in notes}) == len(notes)  # none recorded twice
        assert tracker.register().basis.position == tracker.head()  # caught up again
    print(f"statuses on a full disk: {statuses}")  # shown with -s
    assert statuses[0] == 1, statuses  # the log's own page: refused, nothing recorded
    assert 3 not in statuses, statuses  # the views never fall behind the log here
    # PostgreSQL refused the writes (an error for the statement) and went on running.
    said = log.read_text()[log_start:]
    assert "No space left on device" in said
    assert "PANIC" not in said and "terminated by signal" not in said


def test_a_full_write_ahead_log_stops_postgresql_and_statuses_say_so(
    server_on_small_disk: PostgresServer,
) -> None:
    """PostgreSQL stops when it cannot make a new segment of its write-ahead log, and does
    not start again while the disk is full: commands and reads then say, in one line, that
    the store cannot be opened, and nothing is recorded."""
    server = server_on_small_disk
    restartable = _Restartable(server)
    disk, store, log = _small_disk_store(server)
    log_start = len(log.read_text())
    with _full(disk):
        # 64 MB written to the log alone (16 MB a segment): the server stops under it.
        with (
            psycopg.connect(**server.admin, autocommit=True) as connection,
            pytest.raises(psycopg.OperationalError),
        ):
            connection.execute(
                "SELECT count(pg_logical_emit_message(false, 'filler', repeat('x', 1000000)))"
                " FROM generate_series(1, 64)"
            )
        for _ in range(600):  # until the server has given up starting again
            if not (restartable.data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        note = ["--store", store, "note", "2.16", "log-full", *entry(on="2017-04-01")]
        stopped = run(*note)
        stderr = stopped.stderr.decode()
        shown = invoke("--store", store, "register")
    restartable.start()
    said = log.read_text()[log_start:]
    assert "PANIC" in said and "No space left on device" in said
    _check(stopped.returncode, _notes(store, "log-full"), stderr)
    assert stopped.returncode == 1, stderr
    assert "cannot open the store" in stderr
    assert shown.exit_code == 1 and len(shown.stderr.strip().splitlines()) == 1, shown.stderr
    assert "cannot open the store" in shown.stderr and "Traceback" not in shown.stderr
    ok(invoke(*note, "--command-id", _retry_id(stderr)))  # started again, with room
    ok(invoke(*note, "--command-id", _retry_id(stderr)))
    assert _notes(store, "log-full") == 1
