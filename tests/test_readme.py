"""The README's example program runs, and prints what its comments say; the command lines
it shows after the Quick start run, in order, on the demonstration store."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_program_runs(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    program = text.split("```python\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(program, "README.md", "exec"), {})
    finally:
        os.chdir(previous)
    assert out.getvalue() == "green\namber\n"
    assert (tmp_path / "register.db").exists()


def _then_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Then", 1)[1].split("\n## ", 1)[0]
    lines = [
        line.removeprefix("$ ")
        for block in section.split("```console\n")[1:]
        for line in block.split("```", 1)[0].splitlines()
        if line.startswith("$ ")
    ]
    script = Path(sys.executable).parent / "recommendations"
    return [
        [str(script) if word == ".venv/bin/recommendations" else word for word in shlex.split(line)]
        for line in lines
    ]


def test_readme_command_lines_run_on_the_demonstration(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    script = Path(sys.executable).parent / "recommendations"
    env = {k: v for k, v in os.environ.items() if k != "RECOMMENDATIONS_STORE"}

    def run(command: list[str]) -> str:
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        return done.stdout

    assert "update on inspection recommendations" in run([str(script), "demo"])
    outputs = [run(command) for command in _then_commands()]
    assert len(outputs) == 10
    assert "As at 2016-12-31" in outputs[0]
    ambers = (tmp_path / "ambers.csv").read_text(encoding="utf-8-sig")
    assert ambers.startswith("reference,")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(ambers))}
    assert (rows["CB-21"]["report"], rows["CB-21"]["grade"]) == ("CORE-BUSINESS-2014", "amber")
    assert "CB-21" in outputs[2]
    assert "Corrected" in outputs[2]  # the mistaken regrade, struck out, still shown
    known = " ".join(outputs[3].split())
    assert "up to log position 145" in known and "PEEL-EFF-2016-1" not in known
    assert "would record 8 entries" in outputs[4]
    assert "Imported 8 entries" in outputs[5]
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "paper.pdf").pages)
    assert "PEEL-EFF-2016-1" in text
    kept = (tmp_path / "june.checkpoint").read_text()
    size = kept.splitlines()[1]
    assert f"Checkpoint june.checkpoint (size {size}" in outputs[7] and ": holds." in outputs[7]
    verified = subprocess.run(
        [sys.executable, "-I", "verify.py", "cb-21.proof.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.rstrip().endswith("All checks passed.")
    again = subprocess.run(
        _then_commands()[5], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert again.stdout.startswith("Nothing to import")
