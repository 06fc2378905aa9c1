"""Bulk commands against raw ``save()`` of the same events, in process CPU seconds.

::

    .venv/bin/python benchmarks/bulk_cpu.py                      # SQLite files in /dev/shm
    .venv/bin/python benchmarks/bulk_cpu.py --folder /tmp --rounds 3 --profile
    .venv/bin/python benchmarks/bulk_cpu.py --with-postgres       # and a throwaway PostgreSQL

The workload of ``append.py`` (reports, then recommendations raised, assigned, noted,
regraded and given new deadlines, interleaved), through ``tracker.execute_many`` in batches,
against a bare ``eventsourcing`` application saving the very same events in the same
batches, alternately, each on a fresh SQLite store. Besides events per second of wall
clock, it prints events per second of the process's CPU time, which a loaded machine
disturbs far less (it leaves out the waits for a core and for the disk), and the ratio of
the two CPU figures, with the load average. ``--profile`` prints where the commands' time
goes (cProfile, cumulative). With ``--with-postgres`` (a throwaway server, as ``append.py``
starts one) or ``--postgres URL``, the same on PostgreSQL too: this process's CPU time only,
the server's own work left out of both figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from append import _batches, _nothing, _raw_app, postgres_server, workload

import recommendations as r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--folder", default="/dev/shm" if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--postgres", help="a postgresql:// URL of a server to use too")
    parser.add_argument("--with-postgres", action="store_true", help="a throwaway server too")
    args = parser.parse_args(argv)
    commands = workload(args.recommendations)
    folder = Path(tempfile.mkdtemp(prefix="recommendations-bulk-", dir=args.folder))
    profile = cProfile.Profile() if args.profile else None
    print(f"# {len(commands)} commands in batches of {args.batch}, SQLite in {folder}")
    postgres = args.with_postgres or args.postgres
    try:
        with postgres_server(args.postgres) if postgres else _nothing() as pg:
            numbers = iter(range(10**6))
            sqlite = (f"sqlite:///{folder / f'store-{n}.db'}" for n in numbers)
            _rounds(commands, args, "SQLite", sqlite, profile)
            if pg is not None:
                _rounds(commands, args, "PostgreSQL", (pg(n) for n in numbers), profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


def _rounds(
    commands: list[Any],
    args: argparse.Namespace,
    name: str,
    stores: Iterator[str],
    profile: cProfile.Profile | None,
) -> None:
    """``args.rounds`` rounds on fresh stores of one engine, each printed."""
    for number in range(args.rounds):
        with r.Tracker(next(stores)) as tracker:
            cpu, wall = time.process_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            for chunk in _batches(commands, args.batch):
                tracker.execute_many(chunk)
            if profile is not None:
                profile.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            events = [logged.event for logged in tracker.log()]
        raw = _raw_app(next(stores))
        try:
            raw_cpu, raw_wall = time.process_time(), time.perf_counter()
            for chunk in _batches(events, args.batch):
                raw.save(*chunk)
            raw_cpu = time.process_time() - raw_cpu
            raw_wall = time.perf_counter() - raw_wall
        finally:
            raw.close()
        count = len(events)
        print(
            f"{name} round {number + 1}: {count:,} events; execute_many "
            f"{count / cpu:,.0f} "
            f"events per CPU second ({count / wall:,.0f}/s wall), raw save "
            f"{count / raw_cpu:,.0f} ({count / raw_wall:,.0f}/s wall): "
            f"{raw_cpu / cpu:.2f}x raw in CPU time, {raw_wall / wall:.2f}x in wall time; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
