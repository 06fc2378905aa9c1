"""Measure the read side on a generated register, against a naive baseline run alongside.

::

    .venv/bin/python benchmarks/views.py                          # 50,000 recommendations
    .venv/bin/python benchmarks/views.py --recommendations 2000 --naive-samples 1

It opens the store ``generate.py`` made for the same parameters (and runs the generator
first, in its own process, if there is none or it was made under other domain rules),
measures a copy so the cached store never changes, and prints one table: each figure, the
baseline or detail, the target, and whether it is met. In the order they are measured:

- **full rebuild** of the materialised views, ``tracker.tables.rebuild()``, where the tracker
  has them (this also brings them up to date for what follows);
- **as-at register**: ``tracker.register(as_at=V, known_at=K)`` at random (V, K), p50 and
  p95;
- **current register**: ``tracker.register()``;
- **audit trail**: ``tracker.history(reference)`` where the tracker has it, and, as a
  stand-in, ``tracker.events(reference)`` folded with ``domain.project``;
- **live apply**: new entries one command at a time through ``tracker.execute`` (one
  commit each), each followed by ``tracker.tables.catch_up()`` where there are views;
- **naive register**: the register at the first few (V, K), rebuilt by replaying every
  recommendation through the ``eventsourcing`` repository and folding its events with
  :func:`recommendations.domain.project`; its rows are compared with ``register()``'s, and
  the as-at register's speed-up is the ratio of the two p50s;
- **register by folding the whole log**, ``tracker.register_by_fold`` where it exists: the
  implementation ``register()`` had before the views;
- **peak memory**: the peak resident set size of each phase (Linux lets a process reset its
  high-water mark between phases); the figure judged is the highest over the tracker's own
  phases, the baselines being reported apart. tracemalloc's peak for one as-at register
  call is added when that call is cheap enough to trace.

Sampling stops early once ``--budget`` seconds have gone on one figure (after at least three
samples); the table says how many samples each figure took.

``--live-only STORE.db`` measures the live apply alone, on that SQLite file as it is (its
views already built: use a copy, which it writes to), with the load average before and
after; ``--rounds`` repeats it::

    .venv/bin/python benchmarks/views.py --live-only /tmp/copy.db --live 2000 --rounds 3

``--trail-only STORE.db`` measures the audit trail alone (``history()`` and its stand-in,
``--trail-samples`` each), on that SQLite file as it is, its views built::

    .venv/bin/python benchmarks/views.py --trail-only /tmp/copy.db --trail-samples 500 --rounds 3
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
from generate import (
    Params,
    default_path,
    load_summary,
    sidecar_path,
    store_path,
    store_url,
    strip_to_log,
)

from recommendations import NoteProgress, RecommendationsError, Status, Tracker, domain, views
from recommendations._serialization import topic_of
from recommendations.stores import StoreURL, adapter_for

HERE = Path(__file__).resolve().parent
MB = 2**20

TARGETS = {
    "as_at_p95_ms": 150.0,
    "as_at_speedup": 100.0,
    "current_p95_ms": 100.0,
    "after_write_p95_ms": 50.0,
    "trail_p95_ms": 1.0,
    "rebuild_s": 20.0,
    "rebuild_eps": 50_000.0,
    "live_eps": 2_000.0,
    "rss_mb": 500.0,
}


def load_average() -> str:
    """The machine's load average over the last minute, printed beside each figure."""
    return f"{os.getloadavg()[0]:.1f}"


@attrs.frozen
class Figure:
    name: str
    measured: str
    baseline: str
    target: str
    verdict: str
    load: str = attrs.field(factory=load_average)
    """The load average when the figure was taken."""


class Clock:
    """Recorded time for the benchmark's own entries: after everything in the log."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@attrs.frozen
class _Folded:
    """What the projector gives the repository: never ``None``, which it would refuse."""

    state: domain.Recommendation | None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (with few samples, p95 is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds * 1e3:.2f} ms"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "n/a"
    return "MET" if ok else "MISSED"


def timed(
    call: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], budget: float, minimum: int = 3
) -> list[float]:
    """Run ``call`` on each argument tuple until done or ``budget`` is spent (answers are
    dropped as they come, so they do not pile up in memory)."""
    times: list[float] = []
    began = time.perf_counter()
    for args in arguments:
        start = time.perf_counter()
        call(*args)
        times.append(time.perf_counter() - start)
        if len(times) >= minimum and time.perf_counter() - began > budget:
            break
    return times


# --- the naive baseline ----------------------------------------------------------------------


def recommendation_ids(tracker: Tracker) -> list[uuid.UUID]:
    """Every recommendation's id, from the raisings in the log."""
    recorder = tracker._app.recorder
    topic = topic_of(domain.Raised)
    ids: list[uuid.UUID] = []
    position = 0
    while True:
        page = recorder.select_notifications(
            start=position, limit=10_000, topics=[topic], inclusive_of_start=False
        )
        ids.extend(uuid.UUID(str(n.originator_id)) for n in page)
        if len(page) < 10_000:
            return ids
        position = page[-1].id


def naive_register(tracker: Tracker, as_at: date, known_at: datetime) -> list[views.RegisterRow]:
    """The register at (``as_at``, ``known_at``), replaying each item through the repository."""

    def fold(_initial: Any, events: Iterable[Any]) -> _Folded:
        return _Folded(domain.project(list(events), as_at=as_at, known_at=known_at))

    repository = tracker._app.repository
    rows = []
    for item in recommendation_ids(tracker):
        state = repository.get(item, projector_func=fold).state
        if state is not None:
            rows.append(views.RegisterRow.of(state, as_at))
    rows.sort(key=lambda row: row.reference)
    return rows


# --- the run ---------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, params: Params) -> Path:
    """The generated store for ``params``, generated in a separate process if need be."""
    path = store_path(args.store) if args.store else default_path(params)
    if load_summary(path, params) is None:
        if args.store and path.exists() and not sidecar_path(path).exists():
            return path  # a store made elsewhere: measure it as it is
        print(f"no generated store for these parameters at {path}: generating it", flush=True)
        command = [
            sys.executable,
            str(HERE / "generate.py"),
            f"--recommendations={params.recommendations}",
            f"--bodies={params.bodies}",
            f"--seed={params.seed}",
            f"--store={store_url(path)}",
        ]
        subprocess.run(command, check=True)
    return path


def working_copy(path: Path) -> Path:
    """A copy of the store holding its log alone: views start from nothing."""
    copy = path.with_name(f"{path.stem}.measuring-{os.getpid()}.db")
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    dropped = strip_to_log(copy)
    if dropped:
        print(f"dropped from the copy, to start from the log alone: {', '.join(dropped)}")
    return copy


def remove(copy: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        copy.with_name(copy.name + suffix).unlink(missing_ok=True)


def code_version() -> str:
    """The commit measured, and whether the library's sources differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' + uncommitted changes in src/' if changed else ''}"


def first_and_last(tracker: Tracker) -> tuple[datetime, datetime]:
    head = tracker.head()
    first = next(tracker.log(page_size=1)).event.recorded_at
    last = next(tracker.log(after=head - 1, page_size=1)).event.recorded_at
    return first, last


def random_bases(
    rng: random.Random, first: datetime, last: datetime, count: int
) -> list[tuple[date, datetime]]:
    """Random (V, K): K anywhere in the recorded span, V on or before K's date."""
    bases = []
    span = (last - first).total_seconds()
    for _ in range(count):
        known = first + timedelta(seconds=rng.uniform(0, span))
        days = (known.date() - first.date()).days
        as_at = known.date() - timedelta(days=rng.randint(0, days) if rng.random() < 0.8 else 0)
        bases.append((as_at, known))
    return bases


class Memory:
    """Peak resident memory per phase: Linux lets a process reset its high-water mark."""

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self.starts: dict[str, float] = {}
        self._start = 0.0

    @staticmethod
    def _status(field: str) -> float | None:
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def start(self) -> None:
        self._start = self._status("VmRSS") or 0.0
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
        except OSError:
            pass

    def stop(self, phase: str) -> float:
        peak = self._status("VmHWM")
        self.starts[phase] = self._start
        self.peaks[phase] = rss_mb() if peak is None else peak
        return self.peaks[phase]

    def summary(self) -> str:
        return ", ".join(
            f"{phase} {self.starts[phase]:.0f} -> {peak:.0f} MB"
            for phase, peak in self.peaks.items()
        )


def run(args: argparse.Namespace) -> list[Figure]:
    params = Params(recommendations=args.recommendations, bodies=args.bodies, seed=args.seed)
    if args.store and args.store.startswith("postgresql"):
        source = prepare(argparse.Namespace(**{**vars(args), "store": args.source}), params)
        with postgres_store(args.store) as url:
            load_into(url, source)
            return measure(args, url, "PostgreSQL (the generated log copied into it)")
    path = prepare(args, params)
    copy = working_copy(path)
    try:
        return measure(args, store_url(copy), f"{copy.name} (a copy)")
    finally:
        remove(copy)


@contextlib.contextmanager
def postgres_store(named: str) -> Iterator[str]:
    """A fresh PostgreSQL store: a database of its own on a throwaway server started as the
    test suite starts its own (``--store postgresql``), or a schema of its own in the
    database a ``postgresql://`` URL names; dropped afterwards."""
    sys.path.insert(0, str(HERE.parent))
    from tests.postgres import running_server

    if named == "postgresql":
        with running_server() as server:
            database = server.create_database()
            try:
                yield server.url(database)
            finally:
                server.drop_database(database)
        return
    import psycopg

    schema = f"views_benchmark_{os.getpid()}"
    separator = "&" if "?" in named else "?"
    try:
        yield f"{named}{separator}schema={schema}"
    finally:
        settings = adapter_for(StoreURL.parse(named)).settings(StoreURL.parse(named))
        with psycopg.connect(
            host=settings["POSTGRES_HOST"],
            port=int(settings["POSTGRES_PORT"]),
            user=settings["POSTGRES_USER"],
            password=settings["POSTGRES_PASSWORD"],
            dbname=settings["POSTGRES_DBNAME"],
            autocommit=True,
        ) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def load_into(url: str, source: Path) -> None:
    """Copy the generated log at ``source`` (a copy of it: opening a store makes its view
    tables) into the empty store ``url``, position for position."""
    copy = working_copy(source)
    began = time.perf_counter()
    try:
        with Tracker(store_url(copy)) as read, Tracker(url) as write:
            copied = write.copy_from(read, batch=5000)
    finally:
        remove(copy)
    print(
        f"loaded {copied:,} records into PostgreSQL in {ms(time.perf_counter() - began)} "
        f"(load {load_average()})",
        flush=True,
    )


def measure(args: argparse.Namespace, url: str, named: str) -> list[Figure]:
    rng = random.Random(args.seed + 7)
    began = time.perf_counter()
    probe = Tracker(url)
    first, last = first_and_last(probe)
    probe.close()
    tracker = Tracker(url, clock=Clock(last + timedelta(hours=1)))
    has_views = getattr(tracker, "tables", None) is not None
    print(
        f"store: {named}, {tracker.head():,} events, recorded {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    )
    print(
        "register(): "
        + (
            "from the materialised views (tracker.tables)"
            if has_views
            else "folds the whole log on every call (no tracker.tables)"
        )
    )
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"code {code_version()}; RSS after opening: {rss_mb():.0f} MB",
        flush=True,
    )
    memory = Memory()
    bases = random_bases(rng, first, last, args.samples)

    memory.start()
    rebuild = rebuild_figure(args, tracker)
    memory.stop("rebuild")
    memory.start()
    as_at_times = timed_register(args, tracker, bases)
    memory.stop("as-at register")
    traced = traced_register(args, tracker, bases[0], percentile(as_at_times, 0.5))
    memory.start()
    current_figure, current = current_register(args, tracker)
    memory.stop("current register")
    memory.start()
    trails = trail_figures(args, tracker, rng, [row.reference for row in current.rows])
    memory.stop("audit trail")
    open_references = [row.reference for row in current.rows if row.status is not Status.DISCHARGED]
    del current
    memory.start()
    after_write = current_after_write(args, tracker, rng, open_references)
    memory.stop("register after a write")
    memory.start()
    live = live_figure(args, tracker, rng, open_references)
    memory.stop("live apply")
    views_peak = max(memory.peaks.values())
    memory.start()
    naive_times, mismatches = naive_baseline(args, tracker, bases)
    memory.stop("naive baseline")
    memory.start()
    fold = fold_figure(args, tracker, bases)
    memory.stop("register_by_fold")
    tracker.close()

    figures = [*baseline_figures(naive_times, mismatches, as_at_times), *fold]
    figures += [current_figure, after_write, *trails, *rebuild, live]
    figures.append(
        Figure(
            "peak memory (RSS) of the tracker's own phases",
            f"{views_peak:.0f} MB",
            f"whole process incl. baselines {max(memory.peaks.values()):.0f} MB; {traced}",
            f"<= {TARGETS['rss_mb']:.0f} MB",
            verdict(views_peak <= TARGETS["rss_mb"]),
        )
    )
    print(f"RSS by phase (at its start -> its peak): {memory.summary()}")
    print(f"measured in {time.perf_counter() - began:.0f} s", flush=True)
    return figures


def timed_register(
    args: argparse.Namespace, tracker: Tracker, bases: Sequence[tuple[date, datetime]]
) -> list[float]:
    """``tracker.register(as_at=V, known_at=K)`` at each random (V, K)."""
    times = timed(lambda v, k: tracker.register(as_at=v, known_at=k), bases, args.budget)
    print(
        f"as-at register: {len(times)} samples, p50 {ms(percentile(times, 0.5))}, "
        f"p95 {ms(percentile(times, 0.95))}",
        flush=True,
    )
    return times


def naive_baseline(
    args: argparse.Namespace, tracker: Tracker, bases: Sequence[tuple[date, datetime]]
) -> tuple[list[float], int]:
    """The naive register on the first few bases, each compared with ``register()``."""
    times: list[float] = []
    mismatches = 0
    for as_at, known in bases[: args.naive_samples]:
        start = time.perf_counter()
        rows = naive_register(tracker, as_at, known)
        times.append(time.perf_counter() - start)
        if tuple(rows) != tracker.register(as_at=as_at, known_at=known).rows:
            mismatches += 1
        print(f"naive register: {len(rows):,} rows in {ms(times[-1])}", flush=True)
    return times, mismatches


def baseline_figures(
    naive_times: Sequence[float], mismatches: int, as_at_times: Sequence[float]
) -> list[Figure]:
    p50, p95 = percentile(as_at_times, 0.5), percentile(as_at_times, 0.95)
    naive = percentile(naive_times, 0.5) if naive_times else None
    if naive is None:
        baseline = Figure("naive register at (V, K)", "skipped (--naive-samples 0)", "-", "-", "-")
    else:
        baseline = Figure(
            f"naive register at (V, K) [{len(naive_times)} samples]",
            f"p50 {ms(naive)}",
            f"rows differing from register(): {mismatches}",
            "(the baseline)",
            "-",
        )
    return [
        baseline,
        Figure(
            f"as-at register (V, K) [{len(as_at_times)} samples]",
            f"p50 {ms(p50)}, p95 {ms(p95)}",
            f"{naive / p50:,.1f}x faster than naive (p50)" if naive else "-",
            f"p95 <= {TARGETS['as_at_p95_ms']:.0f} ms",
            verdict(p95 * 1e3 <= TARGETS["as_at_p95_ms"]),
        ),
        Figure(
            "as-at register speed-up over naive",
            f"{naive / p50:,.1f}x" if naive else "no baseline",
            "-",
            f">= {TARGETS['as_at_speedup']:.0f}x",
            verdict(naive / p50 >= TARGETS["as_at_speedup"] if naive else None),
        ),
    ]


def fold_figure(
    args: argparse.Namespace, tracker: Tracker, bases: Sequence[tuple[date, datetime]]
) -> list[Figure]:
    """The register by folding the whole log: what ``register()`` did before the views."""
    fold = getattr(tracker, "register_by_fold", None)
    if fold is None or not args.fold_samples:
        return []
    times = timed(lambda v, k: fold(as_at=v, known_at=k), bases[: args.fold_samples], args.budget)
    print(f"register_by_fold: {len(times)} samples, p50 {ms(percentile(times, 0.5))}", flush=True)
    return [
        Figure(
            f"as-at register by folding the whole log [{len(times)} samples]",
            f"p50 {ms(percentile(times, 0.5))}, p95 {ms(percentile(times, 0.95))}",
            "register_by_fold(): the fold-the-whole-log implementation",
            "-",
            "-",
        )
    ]


def current_register(args: argparse.Namespace, tracker: Tracker) -> tuple[Figure, views.Register]:
    times: list[float] = []
    current = None
    began = time.perf_counter()
    for _ in range(args.samples):
        start = time.perf_counter()
        current = tracker.register()
        times.append(time.perf_counter() - start)
        if len(times) >= 3 and time.perf_counter() - began > args.budget:
            break
    assert current is not None
    c50, c95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"current register: {len(current):,} rows, p50 {ms(c50)}", flush=True)
    figure = Figure(
        f"current register [{len(times)} samples]",
        f"p50 {ms(c50)}, p95 {ms(c95)}",
        f"{len(current):,} rows",
        f"p95 <= {TARGETS['current_p95_ms']:.0f} ms",
        verdict(c95 * 1e3 <= TARGETS["current_p95_ms"]),
    )
    return figure, current


def current_after_write(
    args: argparse.Namespace, tracker: Tracker, rng: random.Random, references: Sequence[str]
) -> Figure:
    """The current register read again after each new entry (one command, which brings the
    views up to it): the first read after a write, by a tracker that has read it before."""
    name = "current register, first read after one new entry"
    target = f"p95 <= {TARGETS['after_write_p95_ms']:.0f} ms"
    if not references:
        return Figure(name, "skipped", "-", target, "n/a")
    tracker.register()
    times: list[float] = []
    began = time.perf_counter()
    for number in range(args.samples):
        try:
            tracker.execute(
                NoteProgress(
                    reference=rng.choice(references),
                    note=f"benchmark read-after-write {number}",
                    effective_on=tracker._clock().date(),
                    by="Benchmark",
                    reason="register after a write",
                )
            )
        except RecommendationsError:
            continue
        start = time.perf_counter()
        tracker.register()
        times.append(time.perf_counter() - start)
        if len(times) >= 3 and time.perf_counter() - began > args.budget:
            break
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"current register after one entry: p50 {ms(p50)}, p95 {ms(p95)}", flush=True)
    return Figure(
        f"{name} [{len(times)} samples]",
        f"p50 {ms(p50)}, p95 {ms(p95)}",
        "the entry recorded by this tracker, one command each",
        target,
        verdict(p95 * 1e3 <= TARGETS["after_write_p95_ms"]),
    )


def trail_figures(
    args: argparse.Namespace, tracker: Tracker, rng: random.Random, references: Sequence[str]
) -> list[Figure]:
    """One recommendation's audit trail, and the stand-in: its events, folded."""
    picked = [(rng.choice(references),) for _ in range(args.trail_samples)]
    target = f"p95 <= {TARGETS['trail_p95_ms']:.0f} ms"
    figures = []
    history = getattr(tracker, "history", None)
    if history is not None:
        cpu = time.process_time()
        times = timed(history, picked, args.budget)
        cpu = (time.process_time() - cpu) / len(times)
        h95 = percentile(times, 0.95)
        print(
            f"history(): {len(times)} samples, p50 {ms(percentile(times, 0.5))}, "
            f"p95 {ms(h95)}, CPU {ms(cpu)} a call",
            flush=True,
        )
        figures.append(
            Figure(
                f"audit trail: history() [{len(times)} samples]",
                f"p50 {ms(percentile(times, 0.5))}, p95 {ms(h95)}",
                f"CPU {ms(cpu)} a call",
                target,
                verdict(h95 * 1e3 <= TARGETS["trail_p95_ms"]),
            )
        )
    else:
        figures.append(Figure("audit trail: history()", "not available", "-", target, "n/a"))
    times = timed(lambda reference: domain.project(tracker.events(reference)), picked, args.budget)
    t95 = percentile(times, 0.95)
    figures.append(
        Figure(
            f"audit trail stand-in: events()+project() [{len(times)} samples]",
            f"p50 {ms(percentile(times, 0.5))}, p95 {ms(t95)}",
            "-",
            target,
            verdict(t95 * 1e3 <= TARGETS["trail_p95_ms"]),
        )
    )
    return figures


def traced_register(
    args: argparse.Namespace, tracker: Tracker, basis: tuple[date, datetime], p50: float
) -> str:
    """tracemalloc's peak for one as-at register call, when tracing is cheap enough."""
    if not (args.tracemalloc == "on" or (args.tracemalloc == "auto" and p50 < 0.5)):
        text = f"one register() not traced (takes {ms(p50)}; --tracemalloc on)"
    else:
        tracemalloc.start()
        tracker.register(as_at=basis[0], known_at=basis[1])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        text = f"tracemalloc peak of one as-at register(): {peak / MB:.0f} MB"
    print(text, flush=True)
    return text


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (a rebuild's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rebuild_figure(args: argparse.Namespace, tracker: Tracker) -> list[Figure]:
    """A full rebuild in one process, then with worker processes (``--workers``, by default
    one per core): wall time, and CPU time (this process and its workers), which the
    machine's load leaves about the same."""
    name = "full rebuild of every view"
    target = f"<= {TARGETS['rebuild_s']:.0f} s, >= {TARGETS['rebuild_eps']:,.0f} events/s"
    view_set = getattr(tracker, "tables", None)
    if view_set is None:
        return [Figure(name, "not available", "-", target, "n/a")]
    workers = args.workers or os.cpu_count() or 1
    figures = []
    walls = []
    for count in (1, workers):
        start, cpu = time.perf_counter(), cpu_seconds()
        try:
            applied = view_set.rebuild(workers=count)
        except TypeError:  # an engine without worker processes
            applied = view_set.rebuild()
        rebuild, used = time.perf_counter() - start, cpu_seconds() - cpu
        walls.append(rebuild)
        digest = view_set.digest()
        rate = applied / rebuild if rebuild else float("inf")
        print(
            f"rebuild, {count} process(es): {applied:,} events in {ms(rebuild)}, CPU {used:.1f} s "
            f"({applied / used:,.0f} events per CPU second); digest {digest[:16]}; "
            f"load {load_average()}",
            flush=True,
        )
        figures.append(
            Figure(
                f"{name}, {'in one process' if count == 1 else f'{count} worker processes'}",
                f"{ms(rebuild)}, {rate:,.0f} events/s",
                f"{applied:,} events; CPU {used:.1f} s, {applied / used:,.0f} events per CPU s"
                + (f"; {walls[0] / rebuild:.2f}x one process" if count > 1 else ""),
                target,
                verdict(rebuild <= TARGETS["rebuild_s"] and rate >= TARGETS["rebuild_eps"]),
            )
        )
        if workers == 1:
            break
    return figures


def live_figure(
    args: argparse.Namespace, tracker: Tracker, rng: random.Random, references: Sequence[str]
) -> Figure:
    """New entries one command (one commit) at a time, each followed by a catch-up."""
    name = f"live apply, one commit per event [{args.live:,} events]"
    target = f">= {TARGETS['live_eps']:,.0f} events/s"
    if not references or not args.live:
        return Figure(name, "skipped", "-", target, "n/a")
    view_set = getattr(tracker, "tables", None)
    if view_set is not None:
        view_set.catch_up()
    executing = catching_up = 0.0
    refused = 0
    for number in range(args.live):
        command = NoteProgress(
            reference=rng.choice(references),
            note=f"benchmark update {number}",
            effective_on=tracker._clock().date(),
            by="Benchmark",
            reason="live apply benchmark",
        )
        start = time.perf_counter()
        try:
            tracker.execute(command)
        except RecommendationsError:
            refused += 1
        middle = time.perf_counter()
        if view_set is not None:
            view_set.catch_up()
        executing += middle - start
        catching_up += time.perf_counter() - middle
    rate = args.live / (executing + catching_up)
    split = f"execute() alone {args.live / executing:,.0f} events/s"
    if refused:
        split += f" ({refused} refused by the rules)"
    if view_set is None:
        return Figure(name, f"{rate:,.0f} events/s (append only: no views)", split, target, "n/a")
    split += f", catch_up() alone {args.live / catching_up:,.0f} events/s"
    print(f"live apply: {rate:,.0f} events/s ({split})", flush=True)
    met = verdict(rate >= TARGETS["live_eps"])
    return Figure(name, f"{rate:,.0f} events/s", split, target, met)


def live_only(args: argparse.Namespace) -> int:
    """The live apply alone, on the store at ``args.live_only`` as it is, ``args.rounds``
    times, each with the load average before and after."""
    rng = random.Random(args.seed + 7)
    probe = Tracker(store_url(args.live_only))
    _, last = first_and_last(probe)
    probe.close()
    tracker = Tracker(store_url(args.live_only), clock=Clock(last + timedelta(hours=1)))
    try:
        print(
            f"store: {args.live_only} as it is, {tracker.head():,} events, views at "
            f"{tracker.tables.position():,}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, code {code_version()}",
            flush=True,
        )
        current = tracker.register()
        references = [row.reference for row in current.rows if row.status is not Status.DISCHARGED]
        del current
        for number in range(args.rounds):
            before = os.getloadavg()
            cpu = time.process_time()
            figure = live_figure(args, tracker, rng, references)
            cpu = time.process_time() - cpu
            after = os.getloadavg()
            # The process's CPU time depends far less on the machine's load than the wall
            # clock does (it leaves out the waits: for a core, and for the disk's syncs).
            print(
                f"round {number + 1}: {figure.measured} ({figure.baseline}); "
                f"{args.live / cpu:,.0f} events per CPU second; load average "
                f"{before[0]:.1f} before, {after[0]:.1f} after",
                flush=True,
            )
    finally:
        tracker.close()
    return 0


def trail_only(args: argparse.Namespace) -> int:
    """The audit trail alone, on the store at ``args.trail_only`` as it is (its views built;
    opened, not written to unless they are behind its log), ``args.rounds`` times, each
    with the load average before and after."""
    rng = random.Random(args.seed + 11)
    tracker = Tracker(store_url(args.trail_only))
    try:
        print(
            f"store: {args.trail_only} as it is, {tracker.head():,} events, views at "
            f"{tracker.tables.position():,}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, code {code_version()}",
            flush=True,
        )
        references = [row.reference for row in tracker.register().rows]
        for number in range(args.rounds):
            before = os.getloadavg()
            figures = trail_figures(args, tracker, rng, references)
            after = os.getloadavg()
            for figure in figures:
                print(
                    f"round {number + 1}: {figure.name}: {figure.measured} "
                    f"({figure.baseline}); load average {before[0]:.1f} before, "
                    f"{after[0]:.1f} after",
                    flush=True,
                )
    finally:
        tracker.close()
    return 0


def table(figures: Sequence[Figure]) -> str:
    headers = ("figure", "measured", "baseline / ratio / detail", "target", "verdict", "load")
    rows = [
        headers,
        *((f.name, f.measured, f.baseline, f.target, f.verdict, f.load) for f in figures),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    defaults = Params()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=defaults.recommendations)
    parser.add_argument("--bodies", type=int, default=defaults.bodies)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--store",
        help="sqlite:///path (default: the generator's); postgresql: a throwaway server, "
        "or postgresql://... a server's database (a schema of its own), the log copied in",
    )
    parser.add_argument(
        "--source", help="with a PostgreSQL --store: the sqlite:///path of the log to copy in"
    )
    parser.add_argument("--samples", type=int, default=30, help="(V, K) pairs and reads")
    parser.add_argument(
        "--naive-samples", type=int, default=3, help="naive registers (0 skips the baseline)"
    )
    parser.add_argument(
        "--fold-samples", type=int, default=3, help="registers by folding the log (0 skips)"
    )
    parser.add_argument("--trail-samples", type=int, default=200)
    parser.add_argument(
        "--workers", type=int, help="the rebuild's worker processes (default: one per core)"
    )
    parser.add_argument("--live", type=int, default=2000, help="events appended one by one")
    parser.add_argument(
        "--budget", type=float, default=120.0, help="seconds per figure before sampling stops"
    )
    parser.add_argument("--tracemalloc", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--live-only", type=Path, help="a copy of a store with its views built")
    parser.add_argument(
        "--trail-only", type=Path, help="a store with its views built: history() alone"
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds (--live-only, --trail-only)")
    args = parser.parse_args(argv)
    if args.live_only is not None:
        return live_only(args)
    if args.trail_only is not None:
        return trail_only(args)
    figures = run(args)
    print()
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
