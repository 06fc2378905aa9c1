"""The benchmark harness still works: a tiny register generated, checked and measured.

No timing is asserted: the figures are for benchmarks/README.md, not for the suite.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from recommendations import domain
from recommendations.domain._decide import check_timeline
from tests.conftest import report_details, who

ROOT = Path(__file__).parent.parent.parent
BENCHMARKS = ROOT / "benchmarks"
SIZE = 200


def small_store(path: Path) -> str:
    """A SQLite store at ``path`` holding a report and three recommendations raised from
    it, with its views built: what the benchmarks run on in their smoke tests. Its URL."""
    url = f"sqlite:///{path}"
    with r.Tracker(url) as tracker:
        tracker.execute(
            r.PublishReport(
                reference="R",
                details=report_details(),
                effective_on=date(2017, 3, 2),
                by="clerk",
                reason="published",
            )
        )
        for number in range(3):
            tracker.execute(
                r.Raise(
                    reference=f"2.{number}", report="R", text="Do it.", grade="amber", **who(3, 2)
                )
            )
    return url


def _run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    path = tmp_path_factory.mktemp("benchmark") / "register.db"
    printed = _run("generate.py", f"--recommendations={SIZE}", f"--store=sqlite:///{path}")
    summary = json.loads(path.with_name(path.name + ".json").read_text())
    return path, summary, printed


@pytest.fixture
def logged(generated: tuple[Path, dict[str, Any], str]) -> Iterator[list[r.Positioned]]:
    with r.Tracker(f"sqlite:///{generated[0]}") as tracker:
        yield list(tracker.log())


def test_the_generator_reports_what_it_stored(
    generated: tuple[Path, dict[str, Any], str], logged: list[r.Positioned]
) -> None:
    _, summary, printed = generated
    stored = Counter(type(entry.event).__name__ for entry in logged)
    assert summary["counts"] == dict(stored)
    assert summary["events"] == len(logged) == logged[-1].position
    assert stored["Raised"] == SIZE
    assert 10 * SIZE < summary["recommendation_events"] < 30 * SIZE
    assert summary["backdated"] > 0
    assert summary["corrections_amending"] > 0
    assert summary["corrections_striking"] > 0
    for name in (*stored, "total", "backdated entries", "corrections", "generated in"):
        assert name in printed


def test_every_generated_log_passes_the_rules(logged: list[r.Positioned]) -> None:
    logs: dict[object, list[domain.RecommendationEvent]] = {}
    for before, after in itertools.pairwise(logged):
        assert before.event.recorded_at < after.event.recorded_at
    for entry in logged:
        event = entry.event
        assert event.effective_on <= event.recorded_at.date()
        if isinstance(event, domain.RecommendationEvent):
            logs.setdefault(event.originator_id, []).append(event)
    assert len(logs) == SIZE
    for events in logs.values():
        raised = events[0]
        assert isinstance(raised, domain.Raised)
        check_timeline(raised.reference, events, set(), fresh=False)


def test_a_second_run_reuses_the_store(generated: tuple[Path, dict[str, Any], str]) -> None:
    path = generated[0]
    printed = _run("generate.py", f"--recommendations={SIZE}", f"--store=sqlite:///{path}")
    assert "reused" in printed


def test_the_views_benchmark_runs_and_names_every_figure(
    generated: tuple[Path, dict[str, Any], str],
) -> None:
    path, summary, _ = generated
    printed = _run(
        "views.py",
        f"--recommendations={SIZE}",
        f"--store=sqlite:///{path}",
        "--samples=3",
        "--naive-samples=1",
        "--fold-samples=1",
        "--trail-samples=3",
        "--live=10",
        "--budget=5",
    )
    for name in (
        "naive register",
        "as-at register",
        "speed-up over naive",
        "current register",
        "audit trail",
        "full rebuild",
        "live apply",
        "peak memory",
        "rows differing from register(): 0",
    ):
        assert name in printed
    assert "MET" in printed or "MISSED" in printed
    with r.Tracker(f"sqlite:///{path}") as tracker:
        assert tracker.head() == summary["events"]  # it measured a copy


def test_the_views_benchmark_runs_on_postgresql(
    generated: tuple[Path, dict[str, Any], str], postgres_server: Any
) -> None:
    """The views benchmark, tiny, on a schema of its own in the session's server: the
    generated log copied in, and the same figures printed."""
    path, summary, _ = generated
    name = postgres_server.create_database()
    try:
        printed = _run(
            "views.py",
            f"--recommendations={SIZE}",
            f"--store={postgres_server.url(name)}",
            f"--source=sqlite:///{path}",
            "--samples=3",
            "--naive-samples=1",
            "--fold-samples=0",
            "--trail-samples=3",
            "--live=5",
            "--budget=5",
        )
    finally:
        postgres_server.drop_database(name)
    assert f"loaded {summary['events']:,} records into PostgreSQL" in printed
    for figure in ("as-at register", "first read after one new entry", "full rebuild"):
        assert figure in printed
    assert "rows differing from register(): 0" in printed


def test_the_append_benchmark_runs_on_sqlite_and_postgresql(
    postgres_server: Any,
) -> None:
    """The append benchmark, tiny, on the session's PostgreSQL server: the table it prints
    has every row, for both stores, and the workload it times records what it says."""
    name = postgres_server.create_database()
    try:
        out = _run(
            "append.py",
            "--recommendations",
            "60",
            "--single",
            "20",
            "--rounds",
            "1",
            "--postgres",
            postgres_server.url(name),
        )
    finally:
        postgres_server.drop_database(name)
    rows = [line for line in out.splitlines() if line.startswith(("| SQLite", "| PostgreSQL"))]
    figures = {(row.split("|")[1].strip(), row.split("|")[2].strip()) for row in rows}
    for store in ("SQLite", "PostgreSQL"):
        for figure in (
            "bulk append of commands (execute_many), events/s",
            "bulk append of a copied log, events/s",
            "one command at a time, commands/s",
            "command latency p99, ms",
        ):
            assert (store, figure) in figures, out
    assert "302 commands" in out  # two reports and 60 recommendations of five steps each


def test_the_text_benchmark_runs_and_names_every_figure() -> None:
    out = _run("text.py", "--recommendations", "20", "--rounds", "1")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[0] for row in rows[1:]] == [
        "| text checks of 40 commands, share of deciding them",
        "| reference index, first build over 41 entries",
        "| raising with the case check, batches of 100",
    ]


def test_the_contention_benchmark_runs_on_sqlite_and_postgresql(
    postgres_server: Any,
) -> None:
    """The contention benchmark, tiny (two processes): a row for each store, and every
    command landed."""
    name = postgres_server.create_database()
    try:
        out = _run(
            "contention.py",
            "--each",
            "3",
            "--processes",
            "2",
            "--postgres",
            postgres_server.url(name),
        )
    finally:
        postgres_server.drop_database(name)
    rows = [line for line in out.splitlines() if line.startswith(("| SQLite", "| PostgreSQL"))]
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert {(c[0], c[1]) for c in cells} == {
        ("SQLite", "2"),
        ("PostgreSQL", "2"),
    }, out
    for c in cells:
        assert c[7] == "0", out  # failed
        assert c[8] == f"{3 * int(c[1])} of {3 * int(c[1])}", out  # landed
    assert "p99 ms" in out


def test_the_imports_benchmark_runs_and_names_every_figure(tmp_path: Path) -> None:
    """The import benchmark, tiny: a sheet generated the same twice, imported whole (each
    row two entries, and a report entered every 500 rows), and every figure named."""
    out = _run(
        "imports.py",
        "--rows",
        "12",
        "--baseline-rows",
        "6",
        "--phases",
        "8",
        "--folder",
        str(tmp_path),
    )
    sheet = tmp_path / "tracker-2024-03-28.csv"
    first = sheet.read_bytes()
    assert len(first.splitlines()) == 13
    spec = importlib.util.spec_from_file_location("imports_benchmark", BENCHMARKS / "imports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_sheet(tmp_path / "again.csv", 12, 1)
    assert (tmp_path / "again.csv").read_bytes() == first
    assert "(25 entries;" in out
    for name in ("import:", "rows/s", "peak", "dry run:", "baseline:", "ratio:", "phases:", "load"):
        assert name in out, out


def test_the_register_read_benchmark_runs_and_names_every_figure(
    generated: tuple[Path, dict[str, Any], str], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(generated[0].read_bytes())
    printed = _run("register_read.py", f"--store=sqlite:///{copy}", "--samples=3")
    for name in (
        "register()",
        "stream",
        "baseline",
        "CPU median",
        "tracemalloc peak",
        "current register",
    ):
        assert name in printed
    assert "x1.00 / x1.00 of the baseline" in printed
