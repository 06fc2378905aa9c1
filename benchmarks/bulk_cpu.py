"""Bulk commands against raw ``save()`` of the same events, in process CPU seconds.

::

    .venv/bin/python benchmarks/bulk_cpu.py                      # SQLite files in /dev/shm
    .venv/bin/python benchmarks/bulk_cpu.py --folder /tmp --rounds 3 --profile

The workload of ``append.py`` (reports, then recommendations raised, assigned, noted,
regraded and given new deadlines, interleaved), through ``tracker.execute_many`` in batches,
against a bare ``eventsourcing`` application saving the very same events in the same
batches, alternately, each on a fresh SQLite store. Besides events per second of wall
clock, it prints events per second of the process's CPU time, which a loaded machine
disturbs far less (it leaves out the waits for a core and for the disk), and the ratio of
the two CPU figures, with the load average. ``--profile`` prints where the commands' time
goes (cProfile, cumulative).
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
from pathlib import Path

from append import _batches, _raw_app, workload

import recommendations as r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--folder", default="/dev/shm" if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    commands = workload(args.recommendations)
    folder = Path(tempfile.mkdtemp(prefix="recommendations-bulk-", dir=args.folder))
    profile = cProfile.Profile() if args.profile else None
    stores = (f"sqlite:///{folder / f'store-{n}.db'}" for n in range(10**6))
    print(f"# {len(commands)} commands in batches of {args.batch}, SQLite in {folder}")
    try:
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
                f"round {number + 1}: {count:,} events; execute_many {count / cpu:,.0f} "
                f"events per CPU second ({count / wall:,.0f}/s wall), raw save "
                f"{count / raw_cpu:,.0f} ({count / raw_wall:,.0f}/s wall): "
                f"{raw_cpu / cpu:.2f}x raw in CPU time, {raw_wall / wall:.2f}x in wall time; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
