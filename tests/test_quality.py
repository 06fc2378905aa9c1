"""Lint, formatting and strict types are part of the suite, so one command checks it all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CHECKED = ["src", "adapters", "tests", "examples", "docs", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", *CHECKED),
        ("ruff", "format", "--check", *CHECKED),
        ("mypy",),  # strict, on src/ and adapters/ (see [tool.mypy] in pyproject.toml)
        ("mypy", "--strict", "examples/west_midlands_2017.py"),
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict-src", "mypy-strict-example"],
)
def test_clean(command: tuple[str, ...]) -> None:
    result = _run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()[1:]
        if line.strip() and not line.strip().startswith("#")
    ]


def test_readme_quick_start_holds_two_commands_and_ci_runs_the_second() -> None:
    commands = _quick_start()
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/recommendations demo")  # on the SQLite default
    # the core distribution alone: SQLite, the default store, ships in it
    assert ".venv/bin/pip install -q -e . &&" in commands[0]
    assert "adapters/" not in commands[0]
    assert "pytest" in commands[1]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
