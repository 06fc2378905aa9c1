"""The command-line reference stays true: every command ``recommendations --help`` lists has a
section in docs/reference/cli.md with each of its options, the page documents nothing the
program does not have, every example on the page runs, and every example in ``--help`` is
one of them."""

from __future__ import annotations

import inspect
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest

from recommendations.cli import cli

from .helpers import invoke, ok, run

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "cli.md"


def _sections() -> dict[str, str]:
    """The page's command sections, by command name."""
    text = PAGE.read_text()
    parts = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    sections = {}
    for part in parts:
        heading, _, body = part.partition("\n")
        named = re.fullmatch(r"`([a-z-]+)`", heading.strip())
        if named:
            sections[named.group(1)] = body
    return sections


def _listed_by_help() -> list[str]:
    text = ok(run("--help"))
    listing = text.split("Commands:", 1)[1].split("Exit status:", 1)[0]
    return [
        line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line.split()
    ]


def test_every_command_in_the_help_is_documented_and_nothing_else() -> None:
    listed = _listed_by_help()
    assert listed == list(cli.list_commands(click.Context(cli)))
    assert sorted(_sections()) == sorted(listed)


def _options(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names |= {o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")}
    return names


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_each_command_section_documents_its_options_and_no_others(name: str) -> None:
    section = _sections()[name]
    command = cli.commands[name]
    options = _options(command)
    missing = sorted(o for o in options if f"`{o}`" not in section)
    assert not missing, f"{name}: undocumented {missing}"
    tabled = set(re.findall(r"^\| `(--[a-z-]+)`", section, flags=re.MULTILINE))
    tabled |= set(re.findall(r"^\| `--[a-z-]+`, `(--[a-z-]+)`", section, flags=re.MULTILINE))
    assert tabled <= options, f"{name}: documents {sorted(tabled - options)}, which it lacks"
    usage = re.search(r"```text\nrecommendations " + re.escape(name) + r"\b", section)
    assert usage, f"{name}: no usage line"
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        assert argument.human_readable_name in section, (name, argument.human_readable_name)
    assert f"recommendations {name}" in section.split("```sh", 1)[1], f"{name}: no example"


def test_the_page_names_the_store_variable_the_default_and_the_exit_statuses() -> None:
    text = PAGE.read_text()
    assert "RECOMMENDATIONS_STORE" in text
    assert "sqlite:///recommendations.db" in text
    for status in ("| 0 |", "| 1 |", "| 2 |"):
        assert status in text
    for fmt in ("table", "json", "csv", "xlsx", "md", "html", "pdf"):
        assert f"`{fmt}`" in text


def _command_lines(text: str) -> list[list[str]]:
    """The words of each command line in ``text``: lines continued with a backslash joined,
    comments dropped, split as a POSIX shell splits them."""
    lines = []
    for line in text.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words:
            lines.append(words)
    return lines


def _page_examples() -> list[list[str]]:
    """Every command line of the page's ``sh`` blocks, in the order of the page."""
    blocks = re.findall(r"^```sh\n(.*?)^```", PAGE.read_text(), flags=re.MULTILINE | re.DOTALL)
    return [words for block in blocks for words in _command_lines(block)]


def _help_examples(command: click.Command) -> list[list[str]]:
    """The example command lines of a command's help: its lines that start with
    ``recommendations``, with their continuations."""
    text = inspect.cleandoc(command.help or "").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith("recommendations ")]


def test_the_examples_on_the_page_run_in_order_on_a_fresh_demonstration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example succeeds, run in the order of the page in an empty folder holding a
    copy of examples/ (the first builds the demonstration there)."""
    examples = _page_examples()
    assert examples[0] == ["recommendations", "demo"]
    assert len(examples) > 30
    shutil.copytree(
        ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("storage-adapter")
    )
    monkeypatch.chdir(tmp_path)
    for words in examples:
        assert words[0] == "recommendations", words
        result = invoke(*words[1:])
        assert result.exit_code == 0, (shlex.join(words), result.stdout, result.stderr)
    said = invoke("history", "CUSTODY-2017-1", "--format", "json")
    assert said.exit_code == 0, said.stderr
    assert '"struck_out": true' in said.stdout  # the page's corrections were recorded
    assert (tmp_path / "paper.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "register-2016.xlsx").exists()


def test_every_example_in_the_help_is_an_example_on_the_page() -> None:
    on_page = [shlex.join(words) for words in _page_examples()]
    for name, command in [("recommendations", cli), *sorted(cli.commands.items())]:
        examples = _help_examples(command)
        assert examples or name == "recommendations", f"{name}: no example in its help"
        for words in examples:
            assert shlex.join(words) in on_page, f"{name}: {shlex.join(words)}"


def test_the_refusal_on_the_page_is_what_the_command_says(shared_demo: str) -> None:
    shown = PAGE.read_text().split("A refusal looks like this", 1)[1].split("```text\n", 1)[1]
    command, said = shown.split("```", 1)[0].splitlines()
    words = shlex.split(command.removeprefix("$ "))
    result = run("--store", shared_demo, *words[1:])
    assert result.returncode == 1
    assert result.stderr.decode() == said + "\n"
