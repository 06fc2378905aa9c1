"""What bounds the speed targets still missed: each target's budget beside the cost of one
part of the work that the library cannot leave out, measured in the same run.

::

    .venv/bin/python benchmarks/floors.py                                   # the append workload
    .venv/bin/python benchmarks/floors.py --store sqlite:///<the 1M generated store>

Every figure is process CPU time (``time.process_time``), which the machine's load moves far
less than elapsed time, the median of ``--rounds`` rounds; the load average is printed.

On fresh SQLite stores in a temporary folder, with the workload of ``append.py``:

- **the Merkle tree on append** (target: saving with the tree at least 0.95x saving without
  it): saving the workload's events in batches of 100 through the store's recorder with
  its tree writer switched off, CPU an event; the budget that 0.95x leaves the tree
  (``save x (1/0.95 - 1)``); and against it, the leaf hashes alone of the same stored
  entries (``LeafHasher.entries``, what the writer computes inside the transaction before
  any hash of the tree above them), and SHA-256 alone of the same leaf bytes;
- **bulk commands** (target: ``execute_many`` at least 0.8x raw ``save()``): the budget
  that 0.8x leaves deciding and the views beside the raw save (``save x (1/0.8 - 1)``), and
  against it, each alone: the view tables catching up on the same events appended as a
  copied log (``append_log``, then ``tables.catch_up()``), CPU an event; inserting the view
  tables' rows as they ended (made already, one transaction, into empty tables of the same
  layout: the rows' SQL and nothing else), CPU an event; deciding the same commands in the
  domain (``domain.decide_checked``, each recommendation's log and checked timeline in
  memory: the rules and nothing else), CPU a command;
- **live apply** (target: at least 2,000 events/s, one command a transaction): the
  budget, 500 µs a command, against one durable commit alone (a one-row transaction in a
  SQLite file beside the stores, in write-ahead-log mode with ``synchronous=FULL``, as a
  store keeps its log), elapsed: the disk's flush;
- **import** (target: 5,000 rows a second; a row of the generated sheet is two entries):
  the budget, 200 µs a row, against twice deciding, saving raw and inserting the rows;
- **full rebuild** (target: at least 50,000 events/s on this machine's cores): the budget,
  CPU an event on every core (``cores / 50,000``), against decoding (``tracker.log()``)
  and inserting the rows.

With ``--store`` (a SQLite store with its views built; opened, only read):

- **full rebuild**: the same budget against decoding alone on that store: the log read
  through ``tracker.log()`` (each stored entry made the domain event that the views fold),
  CPU an entry, over ``--entries`` entries;
- **live apply** (target: at least 2,000 events/s, one command a transaction): the budget,
  500 µs a command, against reading and decoding the log of one recommendation met for
  the first time (``tracker.events(reference)`` on a fresh tracker, random references),
  CPU a read, with the entries it holds;
- **the as-at register** (target: p95 at most 150 ms): SQLite's own work for the as-at
  statement (``SELECT count(*)`` over it: the period index, the rows' lookups and the
  exact test, no row made in Python) for late (V, K) as ``register_read.py`` picks them,
  elapsed, against the 150 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
from append import _batches, _raw_app, workload
from register_read import late_bases

import recommendations as r
from recommendations import domain
from recommendations._service._lookups import find_report
from recommendations.integrity._leaf import LeafHasher
from recommendations.integrity._tree import FACT

CORES = os.cpu_count() or 1


def cpu(call: Callable[..., object], *arguments: Any) -> float:
    start = time.process_time()
    call(*arguments)
    return time.process_time() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def line(name: str, budget: float, floor: float, unit: str = "us") -> str:
    verdict = "the floor alone is over the budget" if floor > budget else "under the budget"
    return (
        f"| {name} | {budget:,.1f} {unit} | {floor:,.1f} {unit} | {floor / budget:.2f}x | "
        f"{verdict} |"
    )


def workload_floors(rounds: int, recommendations: int) -> list[str]:
    commands = workload(recommendations)
    folder = Path(tempfile.mkdtemp(prefix="floors-"))
    count = 0

    def fresh() -> str:
        nonlocal count
        count += 1
        return f"sqlite:///{folder}/s{count}.db"

    with r.Tracker(fresh()) as tracker:
        for chunk in _batches(commands, 100):
            tracker.execute_many(chunk)
        events = [logged.event for logged in tracker.log()]
    with r.Tracker(fresh()) as tracker:
        published = [c for c in commands if isinstance(c, r.PublishReport)]
        tracker.execute_many(published)
        reports = {
            command.reference: find_report(tracker._history, command.reference, None)
            for command in published
        }
    deciding = [c for c in commands if isinstance(c, domain.RecommendationCommand)]
    saves, leaves, shas, views, inserts, decodes, decided = [], [], [], [], [], [], []
    for _ in range(rounds):
        raw = _raw_app(fresh())
        try:
            saves.append(
                cpu(lambda raw=raw: [raw.save(*chunk) for chunk in _batches(events, 100)])
                / len(events)
            )
            rows = [
                (n + 1, s.originator_id, s.originator_version, s.topic, s.state)
                for n, s in enumerate(_all_stored(raw))
            ]
        finally:
            raw.close()
        hasher = LeafHasher({}, fresh=lambda name: b"\x00" * 16)
        leaves.append(cpu(_leaves, hasher, rows) / len(rows))
        # As many bytes as each leaf: 0x00, about 60 bytes of header, the state.
        leaf_sized = [b"\x00" + bytes(60) + bytes(row[4]) for row in rows]
        shas.append(cpu(_sha256, leaf_sized) / len(rows))
        url = fresh()
        with r.Tracker(url) as tracker:
            tracker.append_log(events, batch=100)
            views.append(cpu(tracker.tables.catch_up) / len(events))
            decodes.append(cpu(lambda tracker=tracker: list(tracker.log())) / len(events))
        inserts.append(_row_inserts(url, fresh()) / len(events))
        decided.append(_decided(deciding, reports) / len(deciding))
    commits = [_durable_commit(folder / "commits.db") for _ in range(rounds)]
    save = median(saves) * 1e6
    return [
        f"the append workload: {len(commands):,} commands, {len(events):,} events, "
        f"{rounds} round(s); raw save CPU {save:.1f} us an event",
        line(
            "the tree on append (0.95x): the leaf hashes alone, CPU an entry",
            save * (1 / 0.95 - 1),
            median(leaves) * 1e6,
        ),
        line(
            "the tree on append (0.95x): SHA-256 alone of the leaf bytes, CPU an entry",
            save * (1 / 0.95 - 1),
            median(shas) * 1e6,
        ),
        line(
            "bulk commands (0.8x raw save): the view tables alone, CPU an event",
            save * (1 / 0.8 - 1),
            median(views) * 1e6,
        ),
        line(
            "bulk commands (0.8x raw save): inserting the view tables' final rows alone "
            "(already made), CPU an event",
            save * (1 / 0.8 - 1),
            median(inserts) * 1e6,
        ),
        line(
            "bulk commands (0.8x raw save): deciding alone (the domain's rules, the item's "
            "log in memory), CPU a command",
            save * (1 / 0.8 - 1),
            median(decided) * 1e6,
        ),
        line(
            "import (5,000 rows/s, a row two entries): deciding, saving raw and inserting the "
            "final rows alone, CPU a row",
            1 / 5_000 * 1e6,
            2 * (median(decided) + median(saves) + median(inserts)) * 1e6,
        ),
        line(
            "live apply (2,000 a second, one command a transaction): one durable commit "
            "alone (a one-row transaction, WAL with synchronous=FULL as a store keeps it), "
            "elapsed",
            500,
            median(commits) * 1e6,
        ),
        line(
            f"full rebuild (50,000 events/s on {CORES} cores): decoding and inserting the "
            "final rows alone, CPU an event",
            CORES / 50_000 * 1e6,
            (median(decodes) + median(inserts)) * 1e6,
        ),
    ]


def _leaves(hasher: LeafHasher, rows: list[Any]) -> None:
    for chunk in _batches(rows, 100):
        hasher.entries(chunk[0][0], chunk, FACT)


def _sha256(leaves: list[bytes]) -> None:
    sha = hashlib.sha256
    for data in leaves:
        sha(data).digest()


def _decided(
    commands: list[domain.RecommendationCommand], reports: dict[str, domain.Report | None]
) -> float:
    """CPU seconds the domain takes to decide ``commands`` in order, each recommendation's
    log and the timeline it checked held in memory (what deciding cannot leave out: the
    rules, each new entry checked against the timeline it can change)."""
    logs: dict[str, list[domain.RecommendationEvent]] = {}
    checked: dict[str, Any] = {}
    recorded = datetime(2024, 1, 1, tzinfo=UTC)
    decide = domain.decide_checked
    start = time.process_time()
    for number, command in enumerate(commands):
        log = logs.setdefault(command.reference, [])
        event, checked[command.reference] = decide(
            log,
            command,
            recorded_at=recorded + timedelta(microseconds=number),
            report=reports.get(command.report) if isinstance(command, r.Raise) else None,
            checked=checked.get(command.reference),
        )
        log.append(event)
    return time.process_time() - start


def _durable_commit(path: Path, count: int = 200) -> float:
    """Seconds a commit of a one-row transaction takes, elapsed, in a SQLite database at
    ``path`` kept as a store keeps its log (write-ahead log, ``synchronous=FULL``: the
    write-ahead log is flushed to the disk at every commit)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE IF NOT EXISTS entries (value)")
        start = time.perf_counter()
        for number in range(count):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO entries VALUES (?)", (number,))
            connection.execute("COMMIT")
        return (time.perf_counter() - start) / count
    finally:
        connection.close()


VIEW_TABLES = (
    "rec_register",
    "rec_register_history",
    "rec_register_history_periods",
    "rec_audit_trail",
    "rec_sensitivity",
)


def _row_inserts(source: str, target: str) -> float:
    """CPU seconds to insert the view tables' rows of the store at ``source`` (as they
    ended: one register row a recommendation, not one a change) into empty tables of the
    same layout at ``target``, in one transaction: the rows' SQL alone, none of the work of
    making them."""
    source_db = sqlite3.connect(source.removeprefix("sqlite:///"))
    target_db = sqlite3.connect(target.removeprefix("sqlite:///"), isolation_level=None)
    try:
        marks = ", ".join("?" * len(VIEW_TABLES))
        for (sql,) in source_db.execute(
            f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
            "AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC",
            VIEW_TABLES,
        ):
            target_db.execute(sql)
        rows = {
            table: source_db.execute(f"SELECT * FROM {table}").fetchall() for table in VIEW_TABLES
        }
        statements = {
            table: f"INSERT INTO {table} VALUES ({', '.join('?' * len(found[0]))})"
            for table, found in rows.items()
            if found
        }
        start = time.process_time()
        target_db.execute("BEGIN")
        for table, statement in statements.items():
            target_db.executemany(statement, rows[table])
        target_db.execute("COMMIT")
        return time.process_time() - start
    finally:
        source_db.close()
        target_db.close()


def _all_stored(app: Any) -> list[Any]:
    found: list[Any] = []
    after = 0
    while page := app.recorder.select_notifications(after + 1, 5000):
        found.extend(page)
        after = page[-1].id
    return found


def store_floors(url: str, rounds: int, entries: int, reads: int, seed: int) -> list[str]:
    path = url.removeprefix("sqlite:///")
    out: list[str] = []
    tracker = r.Tracker(url)
    try:
        tracker.register()
        references = [row.reference for row in tracker.register().rows]
        bases = late_bases(tracker, 20, seed)
        entries, reads = min(entries, tracker.head()), min(reads, len(references))
        statement, parameters = _as_at_count(tracker, bases)
    finally:
        tracker.close()

    decodes = []
    for _ in range(rounds):
        with r.Tracker(url) as tracker:
            log = tracker.log(page_size=5000)
            decodes.append(cpu(lambda log=log: [next(log) for _ in range(entries)]) / entries)
    out.append(
        line(
            f"full rebuild (50,000 events/s on {CORES} cores): decoding alone, CPU an entry",
            CORES / 50_000 * 1e6,
            median(decodes) * 1e6,
        ),
    )

    rng = random.Random(seed)
    firsts, sizes = [], []
    for _ in range(rounds):
        with r.Tracker(url) as tracker:
            spent = []
            for reference in rng.sample(references, reads):
                start = time.process_time()
                sizes.append(len(tracker.events(reference)))
                spent.append(time.process_time() - start)
            firsts.append(median(spent))
    out.append(
        line(
            "live apply (2,000 a second): one recommendation's log read and decoded when "
            f"first met ({statistics.mean(sizes):.0f} entries on average), CPU",
            500,
            median(firsts) * 1e6,
        )
    )

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        times = []
        for values in parameters:
            start = time.perf_counter()
            connection.execute(statement, values).fetchone()
            times.append(time.perf_counter() - start)
    finally:
        connection.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    out.append(
        line(
            "as-at register (p95 150 ms): SQLite's own count over the as-at statement, p95 elapsed",
            150,
            p95 * 1e3,
            "ms",
        )
    )
    return out


def _as_at_count(tracker: r.Tracker, bases: list[Any]) -> tuple[str, list[Any]]:
    """The as-at statement of the SQLite store, counted, and its parameters for ``bases``."""
    engine = tracker.tables
    now = tracker.basis()
    statement = ""
    parameters = []
    for v, k in bases:
        basis = attrs.evolve(now, as_at=v, known_at=k)
        sql, values = engine._dialect.history(basis, "reference", indexed=True)  # type: ignore[attr-defined]
        statement = f"SELECT count(*) FROM ({sql})"
        parameters.append(values)
    return statement, parameters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="sqlite:///path of a store with its views built")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--recommendations", type=int, default=1000, help="append workload")
    parser.add_argument("--entries", type=int, default=100_000, help="entries decoded")
    parser.add_argument("--reads", type=int, default=300, help="items read when first met")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-workload", action="store_true", help="the store's figures only")
    args = parser.parse_args(argv)
    print(
        f"# floors: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{CORES} cores; load average {os.getloadavg()[0]:.1f}"
    )
    print("| target: what is measured | budget | floor | floor / budget | |")
    print("|---|---|---|---|---|")
    lines: list[str] = []
    if not args.no_workload:
        lines += workload_floors(args.rounds, args.recommendations)
    if args.store:
        lines += store_floors(args.store, args.rounds, args.entries, args.reads, args.seed)
    for text in lines:
        print(text if text.startswith("|") else f"\n{text}\n")
    print(f"\n(load average now {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
