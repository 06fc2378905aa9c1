"""Measure erasing a person from a SQLite store, each figure next to a baseline of the same run.

::

    .venv/bin/python benchmarks/erase.py                       # 20,000 recommendations
    .venv/bin/python benchmarks/erase.py --recommendations 2000

A store of ``--recommendations`` recommendations (each raised and regraded: two entries),
owned by ``--persons`` people in turn, is made in a scratch folder. Then:

- **erase one person** (``tracker.erase_person``: the rewrite in one transaction, the
  views rebuilt, ``VACUUM`` and the WAL truncated), against its baselines measured on the
  same store in the same run: rebuilding the views alone (``tracker.tables.rebuild()``),
  and ``VACUUM`` alone;
- **the erasures token**: what every append now reads before writing its leaves (the
  token an erasure changes, so that writers forget the salts they remembered), against
  appending one entry: the share of an append it costs.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import recommendations as r
from recommendations.integrity._leaf import ERASURES_MARK
from recommendations.integrity._sql import SqlTables


def _clock() -> object:
    moment = [datetime(2017, 1, 1, tzinfo=UTC)]

    def tick() -> datetime:
        moment[0] += timedelta(milliseconds=1)
        return moment[0]

    return tick


def _fill(tracker: r.Tracker, count: int, persons: int) -> None:
    details = r.ReportDetails(
        title="PEEL 2016",
        body="West Midlands Police",
        inspection=None,
        inspectorates=("HMIC",),
        published_on=date(2017, 1, 1),
        scale=r.domain.PEEL,
        overall_grade="good",
        area_grades=(),
        findings=(),
        national=False,
        sensitive=False,
    )
    when = {"effective_on": date(2017, 1, 1), "by": "Risk manager", "reason": "committee"}
    tracker.execute(r.PublishReport(reference="PEEL-2016", details=details, **when))
    for start in range(0, count, 500):
        batch: list[r.domain.Command] = []
        for n in range(start, min(count, start + 500)):
            owner = f"Person {n % persons}"
            batch.append(
                r.Raise(
                    reference=f"R{n}",
                    report="PEEL-2016",
                    text=f"Recommendation {n}",
                    grade="amber",
                    owner="Head of Crime",
                    owner_name=owner,
                    **when,
                )
            )
            batch.append(r.Regrade(reference=f"R{n}", grade="green", **{**when, "by": owner}))
        tracker.execute_many(batch)


def _seconds(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=20_000)
    parser.add_argument("--persons", type=int, default=50)
    parser.add_argument("--appends", type=int, default=300)
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "erase.db"
        url = f"sqlite:///{path}"
        with r.Tracker(url, clock=_clock()) as tracker:  # type: ignore[arg-type]
            made = _seconds(lambda: _fill(tracker, args.recommendations, args.persons))
            entries = tracker.head()
            print(f"store: {entries:,} entries in {made:.1f} s, {path.stat().st_size:,} bytes")
            rebuild = _seconds(tracker.tables.rebuild)

            def vacuum() -> None:
                connection = sqlite3.connect(path, isolation_level=None)
                connection.execute("VACUUM")
                connection.close()

            vacuumed = _seconds(vacuum)
            done = []
            erase = _seconds(
                lambda: done.append(
                    tracker.erase_person("Person 1", reason="erasure request", by="DPO")
                )
            )
            rebuild = min(rebuild, _seconds(tracker.tables.rebuild))  # best of before and after
            vacuumed = min(vacuumed, _seconds(vacuum))
            rows = done[0].record.rows
            ratio = erase / (rebuild + vacuumed)
            print(f"erase one person ({rows:,} entries rewritten), s: {erase:9.3f}")
            print(f"  baseline: rebuild the views alone (best of 2), s: {rebuild:9.3f}")
            print(f"  baseline: VACUUM alone (best of 2), s: {vacuumed:9.3f}")
            print(f"  ratio to rebuild + VACUUM: {ratio:.2f}x")
            assert tracker.integrity.verify().ok

            recorder = tracker._app.recorder
            times = []
            for n in range(args.appends):
                times.append(
                    _seconds(
                        lambda n=n: tracker.execute(
                            r.NoteProgress(
                                reference=f"R{n}",
                                note="on track",
                                effective_on=date(2017, 1, 1),
                                by="Risk manager",
                                reason="committee",
                            )
                        )
                    )
                )
            append = sorted(times)[len(times) // 2]
            reads = []
            with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
                tables = SqlTables(cursor, "sqlite")
                for _ in range(args.appends):
                    reads.append(_seconds(lambda: tables.salts([ERASURES_MARK], create=False)))
            token = sorted(reads)[len(reads) // 2]
            print(f"read the erasures token, p50, us: {token * 1e6:.1f}")
            print(f"  baseline: execute one command, p50, us: {append * 1e6:.1f}")
            print(f"  share of an append: {token / append:.2%}")


if __name__ == "__main__":
    sys.exit(main())
