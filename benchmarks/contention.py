"""Measure writers in several processes recording on one recommendation at once.

::

    .venv/bin/python benchmarks/contention.py                       # SQLite, and PostgreSQL
    .venv/bin/python benchmarks/contention.py --each 20 --no-postgres

For each store (a SQLite file; a PostgreSQL database on a throwaway server this script
starts, as benchmarks/append.py does, or in the database ``--postgres URL`` names), and for
1, 4 and 8 processes (``--processes``), each process opens a tracker, waits for the others,
then records ``--each`` notes of progress on the one recommendation they share, one command
at a time. It prints:

- **commands/s**: every command recorded, over the time from the first start to the last
  end, and its ratio to one process alone (the baseline, measured in the same run);
- **p50** and **p99** latency of one command, in milliseconds, retries included;
- **retries**: saves that met another writer's entry (or a busy store) and were decided
  again, in all; and **failed**: commands that raised (0 is the goal: every note stays
  valid on the state the others leave, so every one must land).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from append import _nothing, _percentile, postgres_server

import recommendations as r
from recommendations import domain

WHEN = {"effective_on": date(2020, 2, 1), "by": "Risk manager", "reason": "committee"}


def _fill(url: str) -> None:
    with r.Tracker(url) as tracker:
        tracker.execute_many(
            [
                r.PublishReport(
                    reference="REP-1",
                    details=r.ReportDetails(
                        title="Inspection report",
                        body="West Midlands Police",
                        inspectorates=("HMICFRS",),
                        published_on=date(2020, 1, 6),
                        scale=domain.PEEL,
                        overall_grade="good",
                    ),
                    effective_on=date(2020, 1, 6),
                    by="Risk manager",
                    reason="report published",
                ),
                r.Raise(
                    reference="1.1",
                    report="REP-1",
                    text="Improve the supervision of risk assessments.",
                    grade="amber",
                    effective_on=date(2020, 1, 6),
                    by="Risk manager",
                    reason="made in the report",
                ),
            ]
        )


def _writer(url: str, n: int, each: int, gate: Any, results: Any) -> None:
    """One process: ``each`` notes on 1.1, timed one by one, its saves counted."""
    latencies: list[float] = []
    failed = 0
    errors: list[str] = []
    with r.Tracker(url) as tracker:
        saves = 0
        save = tracker._app.save

        def counted(*items: Any, **kwargs: Any) -> Any:
            nonlocal saves
            saves += 1
            return save(*items, **kwargs)

        tracker._app.save = counted  # type: ignore[method-assign]
        tracker.head()  # the store is open before the race
        gate.wait(timeout=120)
        began = time.perf_counter()
        for i in range(each):
            t0 = time.perf_counter()
            try:
                tracker.execute(r.NoteProgress(reference="1.1", note=f"w{n}-{i}", **WHEN))
            except r.RecommendationsError as error:
                failed += 1
                errors.append(f"{type(error).__name__}: {error}")
            latencies.append(time.perf_counter() - t0)
        ended = time.perf_counter()
    results.put(
        {
            "latencies": latencies,
            "retries": saves - each,
            "failed": failed,
            "errors": errors,
            "began": began,
            "ended": ended,
        }
    )


def measure(url: str, processes: int, each: int) -> dict[str, float]:
    _fill(url)
    context = multiprocessing.get_context("spawn")
    gate = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_writer, args=(url, n, each, gate, results))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    done = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = [x for d in done for x in d["latencies"]]
    elapsed = max(d["ended"] for d in done) - min(d["began"] for d in done)
    for error in sorted({e for d in done for e in d["errors"]}):
        print(f"# {processes} processes: {error}", flush=True)
    with r.Tracker(url) as tracker:
        notes = sum(isinstance(e, domain.ProgressNoted) for e in tracker.events("1.1"))
    return {
        "commands": len(latencies) / elapsed,
        "p50": _percentile(latencies, 0.5) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
        "retries": sum(d["retries"] for d in done),
        "failed": sum(d["failed"] for d in done),
        "landed": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--each", type=int, default=60, help="commands per process")
    parser.add_argument("--processes", default="1,4,8", help="process counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", help="a postgresql:// URL of a server to use")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.processes.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="recommendations-contention-"))
    print(
        f"# contention benchmark: {args.each} commands per process on one recommendation, "
        f"{', '.join(map(str, counts))} processes, {args.rounds} round(s)"
    )
    print(f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    made = iter(range(1, 10_000))
    try:
        stores: list[tuple[str, Callable[[int], str]]] = [
            ("SQLite", lambda n: f"sqlite:///{folder / f'contention-{n}.db'}")
        ]
        with _nothing() if args.no_postgres else postgres_server(args.postgres) as pg:
            if pg is not None:
                stores.append(("PostgreSQL", pg))
            for round_ in range(args.rounds):
                for name, fresh in stores:
                    for processes in counts:
                        url = fresh(next(made))
                        results.setdefault((name, processes), []).append(
                            measure(url, processes, args.each)
                        )
                print(f"# round {round_ + 1} done", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print(
        "| store | processes | commands/s | vs 1 process | p50 ms | p99 ms | retries "
        "| failed | landed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (name, processes), rounds in results.items():
        m = {key: statistics.median(x[key] for x in rounds) for key in rounds[0]}
        alone = statistics.median(x["commands"] for x in results[(name, counts[0])])
        print(
            f"| {name} | {processes} | {m['commands']:,.0f} | {m['commands'] / alone:.2f}x "
            f"| {m['p50']:.1f} | {m['p99']:.1f} | {m['retries']:.0f} | {m['failed']:.0f} "
            f"| {m['landed']:.0f} of {processes * args.each} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
