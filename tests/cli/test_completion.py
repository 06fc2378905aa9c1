"""Shell completion: click writes the completion script of the installed console script
when ``_RECOMMENDATIONS_COMPLETE`` names a shell (see docs/reference/cli.md)."""

from __future__ import annotations

import subprocess

import pytest

from tests.cli.helpers import CONSOLE_SCRIPT, clean_env


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F _recommendations_completion recommendations"),
     ("zsh", "compdef _recommendations_completion recommendations"),
     ("fish", "complete --no-files --command recommendations --arguments")],
)  # fmt: skip
def test_the_completion_script_is_produced(shell: str, marker: str) -> None:
    done = subprocess.run(
        [str(CONSOLE_SCRIPT)],
        env=clean_env(_RECOMMENDATIONS_COMPLETE=f"{shell}_source"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout


def test_completion_offers_the_commands() -> None:
    done = subprocess.run(
        [str(CONSOLE_SCRIPT)],
        env=clean_env(
            _RECOMMENDATIONS_COMPLETE="bash_complete",
            COMP_WORDS="recommendations reg",
            COMP_CWORD="1",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "plain,register" in done.stdout.splitlines()
