"""The README's example program runs, and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import os
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
