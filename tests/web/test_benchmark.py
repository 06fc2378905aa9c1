"""benchmarks/web.py still runs: a tiny load on SQLite, every answer as expected. No timing
is asserted: the figures are for benchmarks/README.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_benchmark_runs_and_counts_no_errors() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "web.py"),
            "--no-postgres",
            "--clients",
            "4",
            "--reads",
            "24",
            "--commands",
            "8",
            "--seconds",
            "60",
            "--baseline-reads",
            "3",
            "--baseline-commands",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reads = re.search(r"SQLite reads +(\d+) in .* errors +(\d+)", result.stdout)
    commands = re.search(r"SQLite commands +(\d+) in .* errors +(\d+)", result.stdout)
    assert reads is not None and commands is not None, result.stdout
    assert (reads.group(1), reads.group(2)) == ("24", "0")
    assert (commands.group(1), commands.group(2)) == ("8", "0")
