"""Measure `recommendations serve` under concurrent clients on loopback, against the same
reads and commands made in-process in the same run.

::

    .venv/bin/python benchmarks/web.py                      # SQLite, and PostgreSQL
    .venv/bin/python benchmarks/web.py --reads 200 --commands 50 --no-postgres

For each store (a SQLite file; a PostgreSQL database on a throwaway server this script
starts, or the database ``--postgres URL`` names), it copies the demonstration register
(the West Midlands committee paper of 30 March 2017: 66 recommendations and their
history, about 170 entries) into a fresh store, starts ``recommendations serve`` on
127.0.0.1 in its own process, and measures, with ``--clients`` clients (threads, each
with one keep-alive connection) sending requests at once:

- **reads**: ``GET /api/register`` (the current register, as the public sees it, as
  JSON) until ``--reads`` requests are answered or ``--seconds`` pass: reads per second,
  p50 and p99 latency, and errors (any answer but 200). Targets: at least 500 reads/s,
  p99 under 100 ms.
- **commands**: ``POST /api/commands`` of a progress note (each client on recommendations
  of its own, with a body token) until ``--commands`` are recorded or ``--seconds``
  pass: commands per second, p50, p99, errors (any answer but 201). Targets on SQLite: at
  least 200 commands/s, p99 under 100 ms.

The baseline, measured in the same run on the same store before the server starts: the
same answer made in-process, one at a time (``Tracker.register_for`` and the rows as
JSON; ``Tracker.execute`` of the same note), so a ratio says what HTTP, the lock and the
clients cost or save. Every figure is printed with the load average: the machine is
shared, so compare the ratios of one run, not figures across runs. Every loop is bounded
in count and in time, and sends requests to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import recommendations as r
from recommendations import demo, exports, views

ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Phase:
    """What one phase measured: latencies of the answers that succeeded, errors, time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.errors = 0
        self.seconds = 0.0
        self.lock = threading.Lock()

    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, baseline: float) -> str:
        rate = self.rate()
        ratio = rate / baseline if baseline else float("nan")
        return (
            f"{self.name:<22} {len(self.latencies):>6} in {self.seconds:6.1f} s  "
            f"{rate:8.1f}/s  p50 {percentile(self.latencies, 0.5) * 1000:7.1f} ms  "
            f"p99 {percentile(self.latencies, 0.99) * 1000:7.1f} ms  errors {self.errors:>4}  "
            f"{ratio:5.2f}x in-process ({baseline:.1f}/s)  load {load()}"
        )


def drive(
    port: int,
    clients: int,
    count: int,
    seconds: float,
    request: Callable[[int, int], tuple[str, str, bytes | None, dict[str, str], int]],
    phase: Phase,
) -> None:
    """``clients`` threads sending ``request(client, n)`` until ``count`` answers are in or
    ``seconds`` pass; each answer's latency is kept when its status is the one expected."""
    issued = iter(range(count))
    taking = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with taking:
                    n = next(issued, None)
                if n is None:
                    return
                method, path, body, headers, expected = request(number, n)
                began = time.perf_counter()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                    took = time.perf_counter() - began
                    ok = answer.status == expected
                except OSError:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok, took = False, 0.0
                with phase.lock:
                    if ok:
                        phase.latencies.append(took)
                    else:
                        phase.errors += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(store: str, tokens: Path) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recommendations",
            "--store",
            store,
            "serve",
            "--quiet",
            "--port",
            str(port),
            "--tokens",
            str(tokens),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"recommendations serve stopped with status {process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/api/whoami")
                if connection.getresponse().status == 200:
                    connection.close()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("recommendations serve did not answer within 60 s") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def note(reference: str, n: int) -> dict[str, Any]:
    return {
        "type": "NoteProgress",
        "reference": reference,
        "note": f"progress note {n}",
        "effective_on": datetime.now(UTC).date().isoformat(),
        "reason": "benchmark",
    }


def in_process(
    tracker: r.Tracker, open_refs: list[str], reads: int, commands: int
) -> tuple[float, float]:
    """Reads and commands per second made in-process, one at a time: the baseline."""
    from recommendations_web._access import ROLES, Caller
    from recommendations_web._commands import read_commands

    began = time.perf_counter()
    for _ in range(reads):
        register = tracker.register_for(views.Audience.PUBLIC)
        json.dumps(exports.plain(exports.register_records(register)))
    read_rate = reads / (time.perf_counter() - began)
    caller = Caller("Benchmark", ROLES["body"])
    began = time.perf_counter()
    for n in range(commands):
        command = read_commands(note(open_refs[n % len(open_refs)], n), caller, tracker)
        tracker.execute_many(command)
    command_rate = commands / (time.perf_counter() - began)
    return read_rate, command_rate


def measure(
    name: str, store: str, source: r.Tracker, args: argparse.Namespace, folder: Path
) -> None:
    from recommendations_web import TokenFile

    with r.Tracker(store) as tracker:
        tracker.copy_from(source)
        open_refs = [row.reference for row in tracker.register() if row.status is r.Status.OPEN]
        baseline_reads, baseline_commands = in_process(
            tracker, open_refs, args.baseline_reads, args.baseline_commands
        )
    tokens = folder / f"tokens-{name}.json"
    token, _ = TokenFile(tokens).issue(actor="Benchmark", role="body")
    print(
        f"## {name}: {len(open_refs)} open recommendations; {args.clients} clients; load {load()}",
        flush=True,
    )
    with serving(store, tokens) as port:
        reads = Phase(f"{name} reads")
        drive(
            port,
            args.clients,
            args.reads,
            args.seconds,
            lambda client, n: ("GET", "/api/register", None, {}, 200),
            reads,
        )
        print(reads.line(baseline_reads), flush=True)
        commands = Phase(f"{name} commands")
        mine = [open_refs[i :: args.clients] or open_refs for i in range(args.clients)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        drive(
            port,
            args.clients,
            args.commands,
            args.seconds,
            lambda client, n: (
                "POST",
                "/api/commands",
                json.dumps(note(mine[client][n % len(mine[client])], n)).encode(),
                headers,
                201,
            ),
            commands,
        )
        print(commands.line(baseline_commands), flush=True)


@contextmanager
def postgres(named: str | None) -> Iterator[Callable[[], str]]:
    if named:
        yield lambda: named
        return
    sys.path.insert(0, str(ROOT))
    from tests.postgres import running_server

    with running_server() as server:
        made: list[str] = []

        def fresh() -> str:
            made.append(server.create_database())
            return server.url(made[-1])

        try:
            yield fresh
        finally:
            for database in made:
                server.drop_database(database)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--reads", type=int, default=5000, help="register reads, at most")
    parser.add_argument("--commands", type=int, default=2000, help="commands, at most")
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit per phase")
    parser.add_argument("--baseline-reads", type=int, default=200)
    parser.add_argument("--baseline-commands", type=int, default=200)
    parser.add_argument("--postgres", help="a postgresql:// URL of an empty database to use")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"# web benchmark: {args.clients} clients on 127.0.0.1, at most {args.reads} reads "
        f"and {args.commands} commands, {args.seconds:.0f} s per phase"
    )
    print(
        f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"load {load()}"
    )
    folder = Path(tempfile.mkdtemp(prefix="recommendations-web-bench-"))
    try:
        with r.Tracker("memory://") as source:
            demo.build(source)
            measure("SQLite", f"sqlite:///{folder / 'web.db'}", source, args, folder)
            if not args.no_postgres:
                with postgres(args.postgres) as fresh:
                    measure("PostgreSQL", fresh(), source, args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
