"""The benchmark's generator writes what it generates as a scenario file too, and the
player records that file as the same log the generator stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import recommendations as r
from recommendations import scenarios

ROOT = Path(__file__).parent.parent.parent


def test_a_generated_register_plays_back_from_its_scenario_file(tmp_path: Path) -> None:
    store, written = tmp_path / "register.db", tmp_path / "register.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--recommendations=30",
            "--bodies=3",
            f"--store=sqlite:///{store}",
            f"--scenario={written}",
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    lines = written.read_text(encoding="utf-8").splitlines()
    with r.Tracker(f"sqlite:///{store}") as generated, r.Tracker("memory://") as played:
        assert scenarios.play(lines, played) == len(lines) == generated.head() > 300
        assert [e.event for e in played.log()] == [e.event for e in generated.log()]
