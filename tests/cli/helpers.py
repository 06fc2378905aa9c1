"""Running the command line in tests: in a new process (the real thing) or in this one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner, Result

from recommendations.cli import cli

ENGINES = ["sqlite", "postgresql"]

CONSOLE_SCRIPT = Path(sys.executable).parent / "recommendations"
"""The console script the project's install puts beside the interpreter."""


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without a store chosen, wide enough not to fold tables."""
    env = {k: v for k, v in os.environ.items() if k != "RECOMMENDATIONS_STORE"}
    env.update({"COLUMNS": "160", "PYTHONIOENCODING": "utf-8"}, **extra)
    return env


def run(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    script: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a new process: ``python -m recommendations ARGS``, or the
    installed console script with ``script=True``. Output is kept as bytes."""
    command = [str(CONSOLE_SCRIPT)] if script else [sys.executable, "-m", "recommendations"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the same command group in this process (for breadth: no interpreter start-up).
    Exceptions other than the command's own exits propagate, so a bug shows."""
    runner = CliRunner()
    return runner.invoke(
        cli, list(args), env=env or {"RECOMMENDATIONS_STORE": None}, catch_exceptions=False
    )


def ok(result: subprocess.CompletedProcess[bytes] | Result) -> str:
    """The standard output of a command that must have succeeded."""
    if isinstance(result, Result):
        assert result.exit_code == 0, (result.output, result.stderr)
        return result.stdout
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def entry(by: str = "Risk manager", reason: str = "committee", on: str = "2017-03-30") -> list[str]:
    """The options every entry carries."""
    return ["--by", by, "--reason", reason, "--effective", on]


def copy_database(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    original.close()
    copy.close()
    return target


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def has_all(text: str, needles: Sequence[str]) -> list[str]:
    """The needles missing from ``text``."""
    return [needle for needle in needles if needle not in text]
