"""Measure appending to the log, against raw ``eventsourcing`` ``save()`` run alongside.

::

    .venv/bin/python benchmarks/append.py                           # SQLite, and PostgreSQL
    .venv/bin/python benchmarks/append.py --recommendations 200 --rounds 1 --no-postgres

For each store (a SQLite file; PostgreSQL databases on a throwaway server this script
starts, or schemas in the database ``--postgres URL`` names), it measures:

- **bulk**: the workload's commands through ``tracker.execute_many`` in batches of
  ``--batch`` commands (decided, saved in one transaction each, views caught up), against
  the very same events saved by a bare ``eventsourcing`` application with the same mapper
  (``app.save(*events)``, same batches, no deciding, no views): events per second, and the
  ratio;
- **bulk append of a copied log**: the same events through ``tracker.append_log`` (what
  moving a log to a new store does: checked for versions and recorded order, not decided
  again), same batches, against the same baseline (target: at least 0.8x), and then the
  views catching up on them, apart;
- **the tree's cost**: the same events saved through the store's own recorder with its
  Merkle tree written in the same transaction (what every store does), against the same
  recorder with the tree switched off, same batches, and one at a time (target: at least
  0.95x); the raw ``eventsourcing`` baselines above are the tree-less ones. Measured twice:
  each store's run after the other's (best of two), and **interleaved**: both stores open,
  batch by batch (event by event) alternately, so that both see the same moments of the
  machine;
- **one command at a time**: ``tracker.execute(command)`` for each of ``--single``
  commands (each its own transaction, views caught up), against ``app.save(event)`` of the
  same events one by one: p50 and p99 latency (target on SQLite: p99 at most 5 ms), and
  the throughput ratio.

Each round runs the baseline and the tracker on fresh stores, alternately, so both see the
same machine; the figures are the medians over ``--rounds`` rounds. The workload: reports,
each with recommendations raised, assigned, noted, regraded and given a new deadline, in
the order a busy office would record them.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import recommendations as r
from recommendations import domain
from recommendations._tracker import _Log
from recommendations.stores import StoreURL, adapter_for

ROOT = Path(__file__).resolve().parent.parent


def workload(recommendations: int) -> list[domain.Command]:
    """Reports of 50 recommendations each, every recommendation living five steps."""
    commands: list[domain.Command] = []
    reports = max(1, -(-recommendations // 50))
    for n in range(reports):
        commands.append(
            r.PublishReport(
                reference=f"REP-{n}",
                details=r.ReportDetails(
                    title=f"Inspection report {n}",
                    body="West Midlands Police",
                    inspectorates=("HMICFRS",),
                    published_on=date(2020, 1, 6) + timedelta(days=n),
                    scale=domain.PEEL,
                    overall_grade="good",
                ),
                effective_on=date(2020, 1, 6) + timedelta(days=n),
                by="Risk manager",
                reason="report published",
            )
        )
    grades = ("red", "amber", "green")
    lives: list[list[domain.Command]] = []
    for i in range(recommendations):
        ref, day = f"{i // 50}.{i % 50}", date(2020, 1, 6) + timedelta(days=i // 50)
        when = {"by": "Risk manager", "reason": "committee"}
        lives.append(
            [
                r.Raise(
                    reference=ref,
                    report=f"REP-{i // 50}",
                    text=f"Recommendation {ref}: improve the supervision of risk assessments.",
                    grade=grades[i % 3],
                    due_on=day + timedelta(days=180),
                    effective_on=day,
                    **when,
                ),
                r.Assign(
                    reference=ref,
                    owner=f"Owner {i % 17}",
                    effective_on=day + timedelta(days=7),
                    **when,
                ),
                r.NoteProgress(
                    reference=ref, note="work begun", effective_on=day + timedelta(days=30), **when
                ),
                r.Regrade(
                    reference=ref,
                    grade=grades[(i + 1) % 3],
                    effective_on=day + timedelta(days=60),
                    **when,
                ),
                r.ChangeDeadline(
                    reference=ref,
                    due_on=day + timedelta(days=270),
                    effective_on=day + timedelta(days=90),
                    **when,
                ),
            ]
        )
    # A busy office: the steps of many recommendations interleaved.
    for step in range(5):
        commands.extend(life[step] for life in lives)
    return commands


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Store:
    """Fresh stores of one engine, one per measurement."""

    def __init__(self, name: str, make: Callable[[int], str]) -> None:
        self.name = name
        self._make = make
        self._count = 0

    def fresh(self) -> str:
        self._count += 1
        return self._make(self._count)


class _NoTree:
    """A tree writer that writes nothing: the recorder as it was before the tree."""

    def add(self, tables: object, entries: object) -> bool:
        return True

    def committed(self) -> None:
        pass


def _raw_app(url: str, *, tree: bool = False) -> _Log:
    parsed = StoreURL.parse(url)
    app = _Log(env=adapter_for(parsed).settings(parsed))
    if not tree:
        app.recorder.tree = _NoTree()  # type: ignore[attr-defined]
    return app


def _save_all(url: str, events: list[Any], batch: int, *, tree: bool) -> float:
    """Seconds to save ``events`` in batches of ``batch`` into the store at ``url``."""
    app = _raw_app(url, tree=tree)
    try:
        t0 = time.perf_counter()
        for chunk in _batches(events, batch):
            app.save(*chunk)
        return time.perf_counter() - t0
    finally:
        app.close()


def _save_singly(url: str, events: list[Any], *, tree: bool) -> float:
    """Seconds to save ``events`` one by one (a transaction each) into the store at ``url``."""
    app = _raw_app(url, tree=tree)
    try:
        t0 = time.perf_counter()
        for event in events:
            app.save(event)
        return time.perf_counter() - t0
    finally:
        app.close()


def _interleaved(
    first: Callable[[list[Any]], object],
    second: Callable[[list[Any]], object],
    events: list[Any],
    batch: int,
) -> tuple[float, float]:
    """Seconds ``first`` and ``second`` spent taking ``events`` in batches of ``batch``,
    batch by batch alternately (which goes first swapped every batch): both see the same
    moments of a machine whose load moves, and their ratio does not follow the load."""
    spent = [0.0, 0.0]
    for n, chunk in enumerate(_batches(events, batch)):
        for k in (0, 1) if n % 2 == 0 else (1, 0):
            take = first if k == 0 else second
            t0 = time.perf_counter()
            take(chunk)
            spent[k] += time.perf_counter() - t0
    return spent[0], spent[1]


def _tree_cost(store: Store, events: list[Any], batch: int) -> tuple[float, float]:
    """Seconds to save ``events`` with the tree and without, interleaved batch by batch,
    on two fresh stores."""
    with_tree, without = _raw_app(store.fresh(), tree=True), _raw_app(store.fresh())
    try:
        return _interleaved(
            lambda chunk: with_tree.save(*chunk), lambda chunk: without.save(*chunk), events, batch
        )
    finally:
        with_tree.close()
        without.close()


def measure(
    store: Store, commands: list[domain.Command], batch: int, single: int
) -> dict[str, float]:
    # The events the commands record, decided once on a store of the same engine.
    url = store.fresh()
    with r.Tracker(url) as tracker:
        t0 = time.perf_counter()
        for chunk in _batches(commands, batch):
            tracker.execute_many(chunk)
        tracker_bulk = time.perf_counter() - t0
        events = [logged.event for logged in tracker.log()]
    raw = _raw_app(store.fresh())
    try:
        t0 = time.perf_counter()
        for chunk in _batches(events, batch):
            raw.save(*chunk)
        raw_bulk = time.perf_counter() - t0
    finally:
        raw.close()

    # The tree's own cost: the same saves with and without it, alternately.
    with_tree, without_tree, singly_with, singly_without = [], [], [], []
    for _ in range(2):
        without_tree.append(_save_all(store.fresh(), events, batch, tree=False))
        with_tree.append(_save_all(store.fresh(), events, batch, tree=True))
        singly_without.append(_save_singly(store.fresh(), events[:single], tree=False))
        singly_with.append(_save_singly(store.fresh(), events[:single], tree=True))

    # The same, interleaved batch by batch (and event by event) on open stores: the ratio
    # no longer moves with the machine's load between one store's run and the other's.
    mixed_with, mixed_without = _tree_cost(store, events, batch)
    mixed_single_with, mixed_single_without = _tree_cost(store, events[:single], 1)

    # The same events appended as a log copied from another store (moving to a new store).
    with r.Tracker(store.fresh()) as tracker:
        t0 = time.perf_counter()
        tracker.append_log(events, batch=batch)
        copy = time.perf_counter() - t0
        t0 = time.perf_counter()
        tracker.tables.catch_up()
        catch_up = time.perf_counter() - t0

    # One at a time: the first `single` commands' worth, after the reports.
    head = [c for c in commands if isinstance(c, r.PublishReport)]
    rest = [c for c in commands if not isinstance(c, r.PublishReport)][:single]
    latencies: list[float] = []
    with r.Tracker(store.fresh()) as tracker:
        tracker.execute_many(head)
        for command in rest:
            t0 = time.perf_counter()
            tracker.execute(command)
            latencies.append(time.perf_counter() - t0)
        singles = [logged.event for logged in tracker.log()][len(head) :]
    raw_latencies: list[float] = []
    raw = _raw_app(store.fresh())
    try:
        raw.save(*events[: len(head)])
        for event in singles:
            t0 = time.perf_counter()
            raw.save(event)
            raw_latencies.append(time.perf_counter() - t0)
    finally:
        raw.close()
    return {
        "events": len(events),
        "bulk_tracker": len(events) / tracker_bulk,
        "bulk_raw": len(events) / raw_bulk,
        "copy": len(events) / copy,
        "copy_views": len(events) / catch_up,
        "single_p50": _percentile(latencies, 0.5) * 1000,
        "single_p99": _percentile(latencies, 0.99) * 1000,
        "single_raw_p50": _percentile(raw_latencies, 0.5) * 1000,
        "single_raw_p99": _percentile(raw_latencies, 0.99) * 1000,
        "single_tracker": len(latencies) / sum(latencies),
        "single_raw": len(raw_latencies) / sum(raw_latencies),
        "tree_bulk": len(events) / min(with_tree),
        "no_tree_bulk": len(events) / min(without_tree),
        "tree_single": min(single, len(events)) / min(singly_with),
        "no_tree_single": min(single, len(events)) / min(singly_without),
        "tree_bulk_mixed": len(events) / mixed_with,
        "no_tree_bulk_mixed": len(events) / mixed_without,
        "tree_single_mixed": min(single, len(events)) / mixed_single_with,
        "no_tree_single_mixed": min(single, len(events)) / mixed_single_without,
    }


@contextmanager
def postgres_server(named: str | None) -> Iterator[Callable[[int], str]]:
    """Fresh PostgreSQL stores: schemas of their own in the database ``named`` names (its
    user needs no more than to create schemas there), or databases on a throwaway server
    started as the test suite starts its own (as the ``postgres`` user when run as root)."""
    if named:
        import psycopg

        made: list[str] = []
        separator = "&" if "?" in named else "?"

        def in_schema(n: int) -> str:
            made.append(f"append_benchmark_{os.getpid()}_{n}")
            return f"{named}{separator}schema={made[-1]}"

        try:
            yield in_schema
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
                for schema in made:
                    connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        return
    sys.path.insert(0, str(ROOT))
    from tests.postgres import running_server

    with running_server() as server:
        databases: list[str] = []

        def fresh(_: int) -> str:
            databases.append(server.create_database())
            return server.url(databases[-1])

        try:
            yield fresh
        finally:
            for name in databases:
                server.drop_database(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100, help="commands per execute_many")
    parser.add_argument("--single", type=int, default=500, help="commands timed one by one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="a postgresql:// URL of a server to use")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)

    commands = workload(args.recommendations)
    folder = Path(tempfile.mkdtemp(prefix="recommendations-append-"))
    print(
        f"# append benchmark: {len(commands)} commands, batches of {args.batch}, "
        f"{args.single} timed singly, {args.rounds} round(s)"
    )
    print(f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    results: dict[str, list[dict[str, float]]] = {}
    try:
        stores = [Store("SQLite", lambda n: f"sqlite:///{folder / f'append-{n}.db'}")]
        with _nothing() if args.no_postgres else postgres_server(args.postgres) as pg:
            if pg is not None:
                stores.append(Store("PostgreSQL", pg))
            for round_ in range(args.rounds):
                for store in stores:
                    results.setdefault(store.name, []).append(
                        measure(store, commands, args.batch, args.single)
                    )
                load = " ".join(f"{x:.1f}" for x in os.getloadavg())
                print(f"# round {round_ + 1} done; load average {load}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print(f"(medians of {args.rounds} rounds; load average now {os.getloadavg()[0]:.1f})")
    print("| store | figure | recommendations | raw eventsourcing save | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for name, rounds in results.items():
        m = {key: statistics.median(x[key] for x in rounds) for key in rounds[0]}
        bulk_ratio = m["bulk_tracker"] / m["bulk_raw"]
        print(
            f"| {name} | bulk append of commands (execute_many), events/s | "
            f"{m['bulk_tracker']:,.0f} | {m['bulk_raw']:,.0f} "
            f"| {bulk_ratio:.2f}x | >= 0.8x | {'yes' if bulk_ratio >= 0.8 else 'no'} |"
        )
        copy_ratio = m["copy"] / m["bulk_raw"]
        print(
            f"| {name} | bulk append of a copied log, events/s | {m['copy']:,.0f} | "
            f"{m['bulk_raw']:,.0f} | {copy_ratio:.2f}x | >= 0.8x | "
            f"{'yes' if copy_ratio >= 0.8 else 'no'} |"
        )
        print(
            f"| {name} | views catching up on the copied log, events/s | "
            f"{m['copy_views']:,.0f} | | | | |"
        )
        single_ratio = m["single_tracker"] / m["single_raw"]
        print(
            f"| {name} | one command at a time, commands/s | {m['single_tracker']:,.0f} "
            f"| {m['single_raw']:,.0f} | {single_ratio:.2f}x | | |"
        )
        for key, what in (("bulk", "saved in batches"), ("single", "saved one at a time")):
            ratio = m[f"tree_{key}"] / m[f"no_tree_{key}"]
            print(
                f"| {name} | events {what} with the Merkle tree (baseline: without), "
                f"events/s | {m[f'tree_{key}']:,.0f} | {m[f'no_tree_{key}']:,.0f} "
                f"| {ratio:.2f}x | >= 0.95x | {'yes' if ratio >= 0.95 else 'no'} |"
            )
        for key, what in (
            ("bulk", "saved in batches"),
            ("single", "saved one at a time"),
        ):
            ratio = m[f"tree_{key}_mixed"] / m[f"no_tree_{key}_mixed"]
            print(
                f"| {name} | events {what} with the Merkle tree, interleaved batch by batch "
                f"with saving them without it, events/s | {m[f'tree_{key}_mixed']:,.0f} | "
                f"{m[f'no_tree_{key}_mixed']:,.0f} | {ratio:.2f}x | >= 0.95x | "
                f"{'yes' if ratio >= 0.95 else 'no'} |"
            )
        p50, raw50 = m["single_p50"], m["single_raw_p50"]
        print(
            f"| {name} | command latency p50, ms | {p50:.2f} | {raw50:.2f} "
            f"| {p50 / raw50:.1f}x | | |"
        )
        target = "<= 5 ms" if name == "SQLite" else ""
        met = ("yes" if m["single_p99"] <= 5 else "no") if name == "SQLite" else ""
        p99, raw99 = m["single_p99"], m["single_raw_p99"]
        print(
            f"| {name} | command latency p99, ms | {p99:.2f} | {raw99:.2f} "
            f"| {p99 / raw99:.1f}x | {target} | {met} |"
        )
    return 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
