"""The command-line reference stays true: every command ``recommendations --help`` lists has a
section in docs/reference/cli.md with each of its options, and the page documents nothing
the program does not have."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from recommendations.cli import cli

from .helpers import ok, run

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


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
    listing = text.split("Commands:", 1)[1]
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
