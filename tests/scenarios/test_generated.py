"""The benchmark's generator makes its store by playing the scenario it generates with the
library's player, and writes that scenario as a file too: the store's log is the file's
commands, each recorded at its line's time, and the file plays back as the same log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import recommendations as r
from recommendations import domain, scenarios

ROOT = Path(__file__).parent.parent.parent


def test_a_generated_register_is_its_scenario_file_played(tmp_path: Path) -> None:
    store, written = tmp_path / "register.db", tmp_path / "register.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--recommendations=20",
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
    commands = scenarios.parse(lines)
    with r.Tracker(f"sqlite:///{store}") as generated:
        logged = [entry.event for entry in generated.log()]
        assert len(logged) == len(commands) > 300
        # each entry is its line's command, recorded at its line's time
        for event, line, command in zip(logged, lines, commands, strict=True):
            assert event.recorded_at.isoformat() == json.loads(line)["recorded_at"]
            assert event.originator_id == _item(command)
            assert event.effective_on == command.effective_on
        with r.Tracker("memory://") as played:
            assert scenarios.play(lines, played) == len(lines)
            assert [e.event for e in played.log()] == logged


def _item(command: domain.Command) -> object:
    """The item a command's entry goes in."""
    reference = str(command.reference)
    if isinstance(command, domain.RecordInspection | domain.ReviseInspection):
        return domain.inspection_id(reference)
    if isinstance(command, domain.SourceCommand):
        return domain.report_id(reference)
    return domain.recommendation_id(reference)
