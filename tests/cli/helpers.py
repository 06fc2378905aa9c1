"""Running the command line in tests: in a new process (the real thing) or in this one."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

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


def run_together(
    *commands: Sequence[str], cwd: Path | None = None, at_once: int = 4
) -> list[subprocess.CompletedProcess[bytes]]:
    """Run each of ``commands`` as :func:`run` does, up to ``at_once`` of them at a time
    (for commands that only read, whose order does not matter); their results in order."""
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(lambda args: run(*args, cwd=cwd), commands))


def on_a_terminal(
    *args: str, stream: Literal["stdout", "stderr"] = "stdout", **env: str
) -> tuple[int, str]:
    """Run the real command with its standard output (or, with ``stream="stderr"``, its
    standard error) on a pseudo-terminal, reading the terminal as it goes, and the other
    stream discarded; the exit status and what the terminal showed. ``env`` adds to
    :func:`clean_env`."""
    leader, follower = pty.openpty()
    on_stdout = stream == "stdout"
    process = subprocess.Popen(
        [sys.executable, "-m", "recommendations", *args],
        stdout=follower if on_stdout else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if on_stdout else follower,
        env=clean_env(TERM="xterm", **env),
    )
    os.close(follower)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once the process has ended
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait(timeout=120)
    reader.join(timeout=30)
    os.close(leader)
    return code, b"".join(chunks).decode(errors="replace")


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


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the table ``rich`` drew in ``text``: each cell's text, the lines
    of a cell that wrapped joined again by spaces. A row starts where its first column (a
    reference or a position, never wrapped) has text."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [
                " ".join(part for part in pair if part)
                for pair in zip(rows[-1], cells, strict=True)
            ]
    return rows


def head(store: str) -> int:
    """The last position of the store's log."""
    import recommendations as r

    with r.Tracker(store) as tracker:
        return tracker.head()


REPORT = [
    "publish-report",
    "PEEL-2016",
    "--title",
    "PEEL: effectiveness 2016",
    "--body",
    "West Midlands Police",
    "--inspectorate",
    "HMIC",
    "--overall-grade",
    "good",
    "--area-grade",
    "vulnerability",
    "requires-improvement",
    "--finding",
    "2.15",
    "cause-of-concern",
    "Domestic abuse risk assessment",
    *entry(reason="report published", on="2017-03-02"),
]
"""A report, entered as its publication day."""

RAISE = [
    "raise",
    "2.16",
    "--report",
    "PEEL-2016",
    "--finding",
    "2.15",
    "--text",
    "Supervise DASH risk assessments.",
    "--point",
    "effective supervision of the initial risk assessment",
    "--grade",
    "amber",
    "--owner",
    "Head of Public Protection",
    "--owner-name",
    "Jo Bloggs",
    "--due",
    "2017-03-02",
    *entry(reason="new", on="2017-03-02"),
]
"""A recommendation of :data:`REPORT`."""
