"""Measure ``recommendations import`` of a generated spreadsheet, against a baseline run
alongside.

::

    .venv/bin/python benchmarks/imports.py                          # 200,000 rows
    .venv/bin/python benchmarks/imports.py --rows 2000 --baseline-rows 500

It writes a CSV tracker of ``--rows`` rows (deterministic for ``--seed``: the columns the
import's how-to documents, ``Ref, Report, Published, Recommendation, RAG, Status, Lead,
Due date, Progress update, Inspectorate``; every row a new recommendation with a progress
update, so two entries a row, and a new report every 500 rows), and a mapping naming the
body reports are entered with. Then, each in a process of its own on a new SQLite store:

- **import**: ``recommendations import FILE --by ...`` of the whole file, into a store
  made empty just before (with ``--new-store``: into a store not there yet, which the
  import checks as an empty one, then makes): wall time, rows and entries per second, the
  child's CPU time, and the peak resident set (``ru_maxrss`` from ``os.wait4``);
- **dry run**: ``--dry-run`` of the same file, on the store the import wrote (so it plans
  nothing new, but reads and decides every row);
- **baseline**: ``tracker.execute_many`` of the same commands, raw, in batches of 1,000
  (what recording them costs with no sheet read, planned or checked), on ``--baseline-rows``
  rows (default: all of them): entries per second, and the import's ratio to it.

- **phases**: a sheet of ``--phases`` rows (default 2,000) imported in one process, with
  the time of each phase: reading the rows alone, checking (of which ``decide_many``), and
  recording (``execute_many``): where the time goes.

- **before**: with ``--before SRC`` (the ``src`` folder of an earlier version, say from
  ``git archive``), the import of ``--baseline-rows`` rows by this code and by that one,
  each on a new store, one after the other.

Targets at 200,000 rows: at least 5,000 rows/s, and a peak of at most 500 MB. The machine
is shared: the load average is printed beside every figure, and ratios measured in the same
run are what to compare.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = date(2024, 3, 28)
HEADER = "Ref,Report,Published,Recommendation,RAG,Status,Lead,Due date,Progress update,Inspectorate"
_LEADS = (
    "Head of Public Protection",
    "Head of Criminal Justice",
    "WMP2020 Programme Director",
    "Director of Intelligence",
    "Head of Contact",
    "Chief Superintendent, Force Operations",
)
_VERBS = ("Ensure", "Review", "Improve", "Establish", "Strengthen", "Evaluate", "Develop")
_OBJECTS = (
    "the supervision of DASH risk assessments",
    "the response to missing and absent children",
    "how crimes are recorded",
    "how repeat victims of domestic abuse are identified",
    "the quality of case files passed to the Crown Prosecution Service",
    "the use of stop and search powers",
    "the management of registered sex offenders",
)
_UPDATES = (
    "Audit of supervision begun.",
    "Training under way; completion expected next quarter.",
    "Reviewed; awaiting audit.",
    "Action plan agreed by the chief officer team.",
    "New process live in two of four local policing areas.",
)
_RAG = ("Red", "Amber", "Green", "R", "A", "G")
_STATUS = ("Open", "Open", "Open", "In progress")
REPORT_ROWS = 500


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if ("," in text or '"' in text) else text


def write_sheet(path: Path, rows: int, seed: int) -> None:
    """A tracker of ``rows`` rows, the same for the same ``rows`` and ``seed``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        for n in range(rows):
            report = n // REPORT_ROWS
            published = date(2014, 1, 6) + timedelta(days=report % 3000)
            due = SNAPSHOT + timedelta(days=rng.randrange(30, 720))
            text = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} (item {n})."
            cells = (
                f"R{n:07d}",
                f"PEEL-{report:05d}",
                published.strftime("%d/%m/%Y"),
                _quoted(text),
                rng.choice(_RAG),
                rng.choice(_STATUS),
                _quoted(rng.choice(_LEADS)),
                due.strftime("%d/%m/%Y"),
                _quoted(rng.choice(_UPDATES)),
                "HMICFRS",
            )
            out.write(",".join(cells) + "\r\n")


MAPPING = """\
[statuses]
"In progress" = "open"

[reports]
body = "West Midlands Police"
"""


_CPU: list[float] = []
"""The CPU time (user and system) of each child, in order."""

_MAKE = "import sys; from recommendations import Tracker; Tracker(sys.argv[1]).close()"


def _made(store: Path, source: Path | None = None) -> None:
    """``store`` made anew, empty (by the code in ``source``, if given)."""
    store.unlink(missing_ok=True)
    _child(_MAKE, f"sqlite:///{store}", source=source)


def _child(code: str, *args: str, source: Path | None = None) -> tuple[float, int, str]:
    """Run ``code`` in a new Python process (with the package from ``source``, a ``src``
    folder, if given): its wall time, peak resident set (KiB) and output; its CPU time is
    appended to :data:`_CPU`."""
    began = time.perf_counter()
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    _CPU.append(usage.ru_utime + usage.ru_stime)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the child failed:\n{output}")
    return wall, usage.ru_maxrss, output


_CLI = "import sys; from recommendations.cli import main; sys.argv[0] = 'recommendations'; main()"

_BASELINE = """\
import sys
from recommendations import Tracker
from recommendations.spreadsheets import ColumnMapping, read_sheet, plan_import
sheet, mapping, store = sys.argv[1:4]
with Tracker("memory://") as empty:
    plan = plan_import(empty, read_sheet(sheet, ColumnMapping.load(mapping)), by="Benchmark")
commands = [planned.command for planned in plan.commands]
del plan
import time
began = time.perf_counter()
with Tracker(store) as tracker:
    for at in range(0, len(commands), 1000):
        tracker.execute_many(commands[at : at + 1000])
print(len(commands), time.perf_counter() - began)
"""


_PHASES = """\
import sys, time
from recommendations import Tracker
from recommendations.spreadsheets import ColumnMapping, check_import, open_sheet, record_import
sheet, mapping, store = sys.argv[1:4]
stream = open_sheet(sheet, ColumnMapping.load(mapping))
began = time.perf_counter()
rows = sum(1 for _ in stream.rows())
reading = time.perf_counter() - began
with Tracker(store) as tracker:
    deciding = 0.0
    decide_many = tracker.decide_many
    def timed(commands):
        global deciding
        began = time.perf_counter()
        try:
            return decide_many(commands)
        finally:
            deciding += time.perf_counter() - began
    tracker.decide_many = timed
    began = time.perf_counter()
    with check_import(tracker, stream, by="Benchmark") as checked:
        checking = time.perf_counter() - began
        began = time.perf_counter()
        record_import(tracker, checked, batch_entries=0)
        recording = time.perf_counter() - began
print(rows, checked.entries, reading, checking, deciding, recording)
"""


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline-rows", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--no-dry-run", action="store_true")
    parser.add_argument(
        "--new-store",
        action="store_true",
        help="import into a store not there yet (else into one made empty just before)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="a src folder of the package as it was: its import of --baseline-rows rows too",
    )
    parser.add_argument(
        "--phases", type=int, default=2000, help="rows of the sheet timed phase by phase (0: none)"
    )
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="imports-"))
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / f"tracker-{SNAPSHOT.isoformat()}.csv"
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING)
    began = time.perf_counter()
    write_sheet(sheet, args.rows, args.seed)
    print(
        f"sheet: {args.rows:,} rows, {sheet.stat().st_size / 1e6:.1f} MB, written in "
        f"{time.perf_counter() - began:.1f} s ({sheet})"
    )
    store = folder / "imported.db"
    store.unlink(missing_ok=True)
    if not args.new_store:
        _made(store)
    wall, peak, _ = _child(
        _CLI,
        "--store",
        f"sqlite:///{store}",
        "import",
        str(sheet),
        "--mapping",
        str(mapping),
        "--by",
        "Benchmark",
    )
    entries = _entries(store)
    cpu = _CPU[-1]
    print(
        f"import:   {wall:8.1f} s  {args.rows / wall:8,.0f} rows/s  {entries / wall:8,.0f} "
        f"entries/s  peak {peak / 1024:7,.0f} MB  ({entries:,} entries; load {_load()})"
    )
    print(
        f"          CPU {cpu:.1f} s: {args.rows / cpu:,.0f} rows per CPU second "
        f"({'a new store' if args.new_store else 'a store made empty before'})"
    )
    print("          target: >= 5,000 rows/s, peak <= 500 MB")
    if not args.no_dry_run:
        wall_d, peak_d, _ = _child(
            _CLI,
            "--store",
            f"sqlite:///{store}",
            "import",
            str(sheet),
            "--mapping",
            str(mapping),
            "--dry-run",
        )
        print(
            f"dry run:  {wall_d:8.1f} s  {args.rows / wall_d:8,.0f} rows/s  "
            f"{'':17}peak {peak_d / 1024:7,.0f} MB  (load {_load()})"
        )
    base_rows = args.baseline_rows or args.rows
    base_sheet = sheet
    if base_rows != args.rows:
        base_sheet = folder / f"baseline-{SNAPSHOT.isoformat()}.csv"
        write_sheet(base_sheet, base_rows, args.seed)
    base_store = folder / "baseline.db"
    base_store.unlink(missing_ok=True)
    _, peak_b, out_b = _child(_BASELINE, str(base_sheet), str(mapping), f"sqlite:///{base_store}")
    count, seconds = out_b.split()
    rate = int(count) / float(seconds)
    print(
        f"baseline: execute_many of the same commands ({base_rows:,} rows, {int(count):,} "
        f"entries) in batches of 1,000: {float(seconds):.1f} s, {rate:,.0f} entries/s, peak "
        f"{peak_b / 1024:,.0f} MB  (load {_load()})"
    )
    print(f"ratio:    import {entries / wall / rate:.2f}x the baseline's entries/s")
    if args.before is not None:
        _compare(args.before, base_sheet, base_rows, mapping, folder)
    if args.phases:
        phase_sheet = folder / f"phases-{SNAPSHOT.isoformat()}.csv"
        write_sheet(phase_sheet, args.phases, args.seed)
        phase_store = folder / "phases.db"
        phase_store.unlink(missing_ok=True)
        _, _, out_p = _child(_PHASES, str(phase_sheet), str(mapping), f"sqlite:///{phase_store}")
        rows_p, entries_p, reading, checking, deciding, recording = (
            float(x) for x in out_p.split()
        )
        total = checking + recording
        print(
            f"phases:   {int(rows_p):,} rows, {int(entries_p):,} entries, in one process "
            f"(load {_load()}):"
        )
        print(
            f"          reading the rows alone {reading:.1f} s; checking {checking:.1f} s "
            f"({checking / total:.0%}), of which decide_many {deciding:.1f} s and reading, "
            f"planning and staging {checking - deciding:.1f} s; recording (execute_many, a "
            f"batch of 1,000 rows at a time, in one transaction) {recording:.1f} s "
            f"({recording / total:.0%})"
        )


def _compare(before: Path, sheet: Path, rows: int, mapping: Path, folder: Path) -> None:
    """The import of ``sheet`` by this code and by the code in ``before`` (a ``src``
    folder), one after the other, each on a new store."""
    figures = []
    for label, source in (("now", None), ("before", before)):
        store = folder / f"compare-{label}.db"
        _made(store, source)
        wall, peak, _ = _child(
            _CLI,
            "--store",
            f"sqlite:///{store}",
            "import",
            str(sheet),
            "--mapping",
            str(mapping),
            "--by",
            "Benchmark",
            source=source,
        )
        cpu = _CPU[-1]
        figures.append((wall, peak, cpu))
        print(
            f"{label + ':':9} {wall:8.1f} s  {rows / wall:8,.0f} rows/s  CPU {cpu:6.1f} s "
            f"{rows / cpu:8,.0f} rows/CPU s  peak {peak / 1024:7,.0f} MB  ({rows:,} rows, "
            f"{_entries(store):,} entries; load {_load()})"
        )
    (now, now_peak, now_cpu), (then, then_peak, then_cpu) = figures
    print(
        f"          now against before: time x{now / then:.2f}, CPU x{now_cpu / then_cpu:.2f}, "
        f"peak x{now_peak / then_peak:.2f} (each into a store made empty just before)"
    )


def _entries(store: Path) -> int:
    import sqlite3

    with sqlite3.connect(store) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM stored_events WHERE topic NOT LIKE '%CommandRecord%'"
        ).fetchone()
    return int(count)


if __name__ == "__main__":
    main()
