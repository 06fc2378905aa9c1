"""Measure ``verify`` and inclusion proofs on the generated register (about 1M entries).

::

    .venv/bin/python benchmarks/generate.py      # once: the store (about 3 minutes)
    .venv/bin/python benchmarks/verify.py        # seal it if needed, then measure
    .venv/bin/python benchmarks/verify.py --store sqlite:///other.db --samples 200

It prints, each beside a baseline measured in the same run:

- **seal** (only when the store has no tree yet): building the tree of the whole log; a
  tree kept in its earlier form (a row per leaf) is first brought to tiles (timed);
- **read the log**: every entry read through the store's recorder, in pages of 5,000, and
  (SQLite) as the plain rows verify reads, in pages of 4,096: the floor of any check that
  reads every entry, seconds;
- **verify**: ``tracker.integrity.verify()``: every leaf recomputed from the stored rows
  and compared with the stored tree's tiles and the checkpoints (target for 1M
  entries: at most 5 s), and its ratio to reading the log; verify and the readings
  alternate ``--rounds`` times (the best of each is compared), with the load average and the
  process's peak resident memory printed each round, and the CPU seconds each took
  (verify's worker processes included): on a machine shared with other work the CPU
  seconds move less than the elapsed ones; ``--one-process`` times verify without workers
  too;
- **one inclusion proof**: ``inclusion_proof`` from the stored tree for ``--samples``
  random entries, p50 and p99 (target: at most 1 ms), beside reading that one entry.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recommendations as r
from recommendations.integrity import inclusion_proof
from recommendations.integrity._tree import StoredNodes


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _read_log(recorder: Any) -> float:
    """Seconds to read every entry through the recorder, in pages of 5,000."""
    t0 = time.perf_counter()
    position = 0
    while True:
        page = recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False)
        if len(page) < 5000:
            break
        position = page[-1].id
    return time.perf_counter() - t0


def _read_rows(recorder: Any, head: int) -> float:
    """Seconds to read every entry as the plain rows verify reads, in pages of 4,096."""
    t0 = time.perf_counter()
    position = 0
    while position < head:
        rows = recorder.tree_rows(position, head, 4096)
        if not rows:
            break
        position = rows[-1][0]
    return time.perf_counter() - t0


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (verify's
    workers)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a sqlite:/// URL (default: the generated register)")
    parser.add_argument("--samples", type=int, default=1000, help="inclusion proofs to time")
    parser.add_argument("--rounds", type=int, default=2, help="verify and read, alternately")
    parser.add_argument("--workers", type=int, help="verify's worker processes (default: its own)")
    parser.add_argument(
        "--one-process", action="store_true", help="also time verify with workers=1"
    )
    args = parser.parse_args(argv)
    url = args.store or generate.store_url(generate.default_path(generate.Params()))
    print(f"# verify benchmark on {url}")
    print(f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    with r.Tracker(url) as tracker:
        integrity = tracker.integrity
        recorder = tracker._app.recorder
        head = tracker.head()
        t0 = time.perf_counter()
        moved = integrity.bring_to_tiles()
        if moved:
            print(
                f"brought the tree of {moved:,} entries from its earlier form (a row per leaf) "
                f"to tiles in {time.perf_counter() - t0:.1f} s"
            )
        size, _ = integrity.root()
        if size < head:
            t0 = time.perf_counter()
            integrity.seal(batch=20000)
            print(f"sealed {head - size:,} entries in {time.perf_counter() - t0:.1f} s")

        readings, rows, verifyings, singles, peaks = [], [], [], [], []
        cpu: dict[str, list[float]] = {"read": [], "rows": [], "verify": [], "single": []}
        for round_ in range(args.rounds):
            c0 = _cpu()
            readings.append(_read_log(recorder))
            cpu["read"].append(_cpu() - c0)
            if hasattr(recorder, "tree_rows"):
                c0 = _cpu()
                rows.append(_read_rows(recorder, head))
                cpu["rows"].append(_cpu() - c0)
            before = _peak_mb()
            c0, t0 = _cpu(), time.perf_counter()
            found = integrity.verify(workers=args.workers)
            verifyings.append(time.perf_counter() - t0)
            cpu["verify"].append(_cpu() - c0)
            peaks.append(_peak_mb())
            assert found.ok, found.problems
            if args.one_process:
                c0, t0 = _cpu(), time.perf_counter()
                assert integrity.verify(workers=1).ok
                singles.append(time.perf_counter() - t0)
                cpu["single"].append(_cpu() - c0)
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"# round {round_ + 1}: read the log {readings[-1]:.2f} s"
                + (f", its rows {rows[-1]:.2f} s" if rows else "")
                + f", verify {verifyings[-1]:.2f} s"
                + (f", verify in one process {singles[-1]:.2f} s" if singles else "")
                + f"; CPU s: {', '.join(f'{k} {v[-1]:.2f}' for k, v in cpu.items() if v)}"
                + f"; peak RSS {before:.0f} MB before verify, {peaks[-1]:.0f} MB after; "
                f"load average {load}",
                flush=True,
            )
        reading, verifying = min(readings), min(verifyings)

        rng = random.Random(1)
        proofs: list[float] = []
        reads: list[float] = []
        with recorder.tree_tables(write=False) as tables:
            nodes = StoredNodes(tables)
            for _ in range(args.samples):
                index = rng.randrange(head)
                t0 = time.perf_counter()
                inclusion_proof(nodes, index, head)
                proofs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                recorder.select_notifications(start=index + 1, limit=1)
                reads.append(time.perf_counter() - t0)

    print()
    print(f"(best of {args.rounds}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print("| figure | with the tree | baseline | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    print(
        f"| verify {head:,} entries, s (baseline: read the log) | {verifying:.2f} | "
        f"{reading:.2f} | {verifying / reading:.2f}x | <= 5 s | "
        f"{'yes' if verifying <= 5 else 'no'} |"
    )
    if rows:
        print(
            f"| verify {head:,} entries, s (baseline: read its plain rows) | {verifying:.2f} | "
            f"{min(rows):.2f} | {verifying / min(rows):.2f}x | | |"
        )
    if singles:
        print(
            f"| verify in one process (workers=1), s | {min(singles):.2f} | {verifying:.2f} "
            f"| {min(singles) / verifying:.2f}x | | |"
        )
    print(
        f"| verify, CPU seconds (its workers included; baseline: read the log) | "
        f"{min(cpu['verify']):.2f} | {min(cpu['read']):.2f} | "
        f"{min(cpu['verify']) / min(cpu['read']):.2f}x | | |"
    )
    if cpu["rows"]:
        print(
            f"| verify, CPU seconds (baseline: read its plain rows) | {min(cpu['verify']):.2f} "
            f"| {min(cpu['rows']):.2f} | {min(cpu['verify']) / min(cpu['rows']):.2f}x | | |"
        )
    print(f"| peak RSS of the process after verify, MB | {max(peaks):.0f} | | | bounded | |")
    p50, p99 = _percentile(proofs, 0.5) * 1000, _percentile(proofs, 0.99) * 1000
    r50 = statistics.median(reads) * 1000
    print(
        f"| one inclusion proof p50, ms (baseline: read one entry) | {p50:.3f} | {r50:.3f} "
        f"| {p50 / r50:.1f}x | <= 1 ms | {'yes' if p50 <= 1 else 'no'} |"
    )
    print(
        f"| one inclusion proof p99, ms | {p99:.3f} | | | <= 1 ms | {'yes' if p99 <= 1 else 'no'} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
