"""Time the register read from a SQLite store's views, lean against validated, in one run.

::

    .venv/bin/python benchmarks/register_read.py --store sqlite:///benchmarks/.data/m.db
    .venv/bin/python benchmarks/register_read.py --store sqlite:///... --samples 10

For random (V, K) with K late in the recorded span (its last tenth) and V up to a year
before K's day, and for the current register, it times:

- **register()**: ``tracker.register(as_at=V, known_at=K)``, what the library answers
  (its rows read a page at a time, each page made
  :class:`~recommendations.views.RegisterRow` objects in one step by
  :func:`recommendations.views.register_rows`);
- **stream**: ``tracker.stream_register(as_at=V, known_at=K)`` iterated once (the rows as
  lean tuples, none held; building the stream counts them, so this reads them twice);
- **baseline**: the same statement read as ``register()`` read it before: ``fetchall()``,
  then a validated ``RegisterRow`` per row (:func:`recommendations.views.register_row`).

It prints p50 and p95 of each, the ratios to the baseline, the median CPU time of each
(``time.process_time()``: what the machine's other work disturbs least), the tracemalloc
peak of one read of each kind, and the load average (the machine is shared: compare the
ratios).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from recommendations import Tracker, views
from recommendations.sqltables import _engine


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def late_bases(tracker: Tracker, count: int, seed: int) -> list[tuple[date, datetime]]:
    head = tracker.head()
    first = next(tracker.log(page_size=1)).event.recorded_at
    last = next(tracker.log(after=head - 1, page_size=1)).event.recorded_at
    rng = random.Random(seed)
    span = (last - first).total_seconds()
    bases = []
    for _ in range(count):
        known = first + timedelta(seconds=span * rng.uniform(0.9, 1.0))
        bases.append((known.date() - timedelta(days=rng.randint(0, 365)), known))
    return bases


def validated(engine: Any, basis: views.Basis) -> list[views.RegisterRow]:
    """The register's rows as the engine read them before: every row fetched at once, then
    a validated row made of each."""
    with engine._transaction(engine._dialect.begin_read) as cursor:
        _, at, current, indexed = engine._source(cursor, basis)
        if current:
            cursor.execute(engine._sql.current)
        else:
            statement, parameters = engine._dialect.history(
                at, _engine._STATE_LIST, indexed=indexed
            )
            cursor.execute(statement, parameters)
        read = engine._read_state
        return [views.register_row(read(values), at.as_at) for values in cursor.fetchall()]


def timed(call: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def traced(call: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="sqlite:///path, views caught up")
    parser.add_argument("--samples", type=int, default=20, help="(V, K) pairs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    tracker = Tracker(args.store)
    engine = tracker.tables
    if not hasattr(engine, "register_lines"):
        print("this store keeps no SQL views", file=sys.stderr)
        return 2
    tracker.register()  # catch up, and warm the caches
    bases = late_bases(tracker, args.samples, args.seed)
    now = tracker.basis()
    kinds: dict[str, Callable[[date, datetime], object]] = {
        "register()": lambda v, k: tracker.register(as_at=v, known_at=k),
        "stream": lambda v, k: sum(1 for _ in tracker.stream_register(as_at=v, known_at=k)),
        "baseline": lambda v, k: validated(engine, attrs.evolve(now, as_at=v, known_at=k)),
    }
    print(f"store: {args.store}, log positions: {tracker.head():,}, load {os.getloadavg()}")
    results: dict[str, list[float]] = {name: [] for name in kinds}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    for v, k in bases:  # interleaved, so that each kind meets the same load
        for name, call in kinds.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            call(v, k)
            results[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    rows = len(tracker.register(as_at=bases[0][0], known_at=bases[0][1]))
    base50, base95 = (percentile(results["baseline"], f) for f in (0.5, 0.95))
    print(f"as-at register, late K, {len(bases)} samples, about {rows:,} rows each:")
    for name, times in results.items():
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(
            f"  {name:<11} p50 {p50 * 1e3:7.0f} ms  p95 {p95 * 1e3:7.0f} ms  "
            f"mean {statistics.mean(times) * 1e3:7.0f} ms  "
            f"(x{p50 / base50:.2f} / x{p95 / base95:.2f} of the baseline)"
        )
    base_cpu = statistics.median(cpu["baseline"])
    for name, times in cpu.items():
        median = statistics.median(times)
        print(
            f"  {name:<11} CPU median {median * 1e3:7.0f} ms  (x{median / base_cpu:.2f} of the "
            "baseline)"
        )
    v, k = bases[0]
    for name, call in kinds.items():
        peak = traced(lambda call=call: call(v, k))  # type: ignore[misc]
        print(f"  {name:<11} tracemalloc peak of one read: {peak:.1f} MiB")
    current = timed(lambda: tracker.stream_register(), 3)
    print(
        f"current register, stream_register() made (one counting read): "
        f"p50 {percentile(current, 0.5) * 1e3:.0f} ms; load {os.getloadavg()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
