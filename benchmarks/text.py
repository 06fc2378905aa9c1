"""Measure what the text and reference rules cost, against what they sit beside.

::

    .venv/bin/python benchmarks/text.py
    .venv/bin/python benchmarks/text.py --recommendations 200 --rounds 1

Three figures, each next to a baseline measured in the same run:

- **text checks**: checking every string of the workload's commands
  (``text_problem``), against deciding the same commands (``domain.decide``, which includes
  the checks): the share of deciding they take;
- **reference index, first build**: a new tracker reading the references taken from a
  SQLite log of ``--recommendations`` raisings (each with a few more entries), against
  reading the whole log once (``tracker.log()``): the index reads only the entries that
  create items;
- **case check per raising**: raising recommendations one batch at a time through
  ``execute_many`` on a tracker whose index is built, against the same batches of
  ``NoteProgress`` (which never consult the index): the cost of a raising over a note, in
  microseconds per command.

The figures are medians over ``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import recommendations as r
from recommendations import domain
from recommendations.domain._text import text_problem

META = {"by": "Risk manager", "reason": "committee"}


def _report() -> r.PublishReport:
    return r.PublishReport(
        reference="PEEL-EFF-2016",
        details=r.ReportDetails(
            title="PEEL: Police effectiveness 2016",
            body="West Midlands Police",
            inspectorates=("HMIC",),
            published_on=date(2017, 3, 2),
            scale=domain.PEEL,
        ),
        effective_on=date(2017, 3, 2),
        **META,
    )


def _raise(n: int) -> r.Raise:
    return r.Raise(
        reference=f"REC-{n:06d}",
        report="PEEL-EFF-2016",
        text="Ensure effective supervision of the initial risk assessment process. " * 3,
        owner="Head of Public Protection",
        effective_on=date(2017, 3, 2),
        **META,
    )


def _note(n: int) -> r.NoteProgress:
    return r.NoteProgress(
        reference=f"REC-{n:06d}",
        note="Audit of a sample of cases begun; results to the next committee.",
        evidence=("audit-plan.pdf",),
        effective_on=date(2017, 3, 20),
        **META,
    )


def _clock() -> object:
    now = [datetime(2017, 4, 1, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(microseconds=10)
        return now[0]

    return tick


def _tracker(path: Path) -> r.Tracker:
    return r.Tracker(f"sqlite:///{path}", clock=_clock())  # type: ignore[arg-type]


def measure(n: int, folder: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    commands = [*(_raise(i) for i in range(n)), *(_note(i) for i in range(n))]
    started = time.perf_counter()
    for command in commands:
        text_problem(command)
    figures["text checks, s"] = time.perf_counter() - started
    report = domain.project_report(
        [domain.decide_source([], _report(), recorded_at=datetime(2017, 4, 1, tzinfo=UTC))]  # type: ignore[list-item]
    )
    started = time.perf_counter()
    for i in range(n):
        raised = domain.decide(
            [], _raise(i), recorded_at=datetime(2017, 4, 1, tzinfo=UTC), report=report
        )
        domain.decide([raised], _note(i), recorded_at=datetime(2017, 4, 2, tzinfo=UTC))
    figures["deciding, s"] = time.perf_counter() - started

    path = folder / f"log-{time.monotonic_ns()}.db"
    with _tracker(path) as writer:
        writer.execute(_report())
        for start in range(0, n, 500):
            writer.execute_many([_raise(i) for i in range(start, min(n, start + 500))])
            writer.execute_many([_note(i) for i in range(start, min(n, start + 500))])
    with _tracker(path) as reader:
        started = time.perf_counter()
        reader._references.catch_up(reader.head())
        figures["index build, s"] = time.perf_counter() - started
        started = time.perf_counter()
        for _ in reader.log():
            pass
        figures["whole log read, s"] = time.perf_counter() - started

        size = 100
        batches = max(2, min(20, n // size))
        base = n + 1
        started = time.perf_counter()
        for b in range(batches):
            reader.execute_many([_raise(base + b * size + i) for i in range(size)])
        figures["raising, s"] = time.perf_counter() - started
        started = time.perf_counter()
        for b in range(batches):
            reader.execute_many([_note(base + b * size + i) for i in range(size)])
        figures["noting, s"] = time.perf_counter() - started
        figures["commands timed"] = batches * size
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    n = args.recommendations
    print(f"# text benchmark: {n} recommendations, {args.rounds} round(s)")
    print(f"# {platform.python_version()} on {platform.machine()}")
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(args.rounds):
            rounds.append(measure(n, Path(folder)))
            print(f"# round {index + 1} done", file=sys.stderr)
    fig = {key: statistics.median(r_[key] for r_ in rounds) for key in rounds[0]}
    timed = fig["commands timed"]
    print()
    print("| figure | measured | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| text checks of {2 * n:,} commands, share of deciding them | "
        f"{fig['text checks, s'] * 1e6 / (2 * n):.1f} us/command | "
        f"{fig['deciding, s'] * 1e6 / (2 * n):.1f} us/command (decide) | "
        f"{fig['text checks, s'] / fig['deciding, s']:.2f}x |"
    )
    print(
        f"| reference index, first build over {2 * n + 1:,} entries | "
        f"{fig['index build, s'] * 1000:.0f} ms | "
        f"{fig['whole log read, s'] * 1000:.0f} ms (tracker.log()) | "
        f"{fig['index build, s'] / fig['whole log read, s']:.2f}x |"
    )
    print(
        f"| raising with the case check, batches of 100 | "
        f"{fig['raising, s'] * 1e6 / timed:.0f} us/command | "
        f"{fig['noting, s'] * 1e6 / timed:.0f} us/command (notes) | "
        f"{fig['raising, s'] / fig['noting, s']:.2f}x |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
