"""The registry of formats: every format is one module of :mod:`recommendations.outputs`,
the command line offers what the registry holds, and no other list of format names is kept
anywhere."""

from __future__ import annotations

import ast
import doctest
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import click
import pytest

from recommendations import exports, outputs, views
from recommendations.cli import cli
from recommendations.outputs import _registry

ROOT = Path(__file__).resolve().parents[2]


def test_each_format_has_its_own_name_and_endings() -> None:
    found = outputs.formats()
    assert [f.name for f in found] == ["table", "json", "csv", "xlsx", "md", "html", "pdf"]
    endings = [suffix for f in found for suffix in f.suffixes]
    assert len(endings) == len(set(endings))
    assert all(any(f.writes(what) for what in ("register", "paper", "bundle")) for f in found)
    assert outputs.names_for("register") == exports.FORMATS


def _choices(command: str) -> tuple[str, ...]:
    chosen = cli.commands[command]
    (option,) = [p for p in chosen.params if p.name == "format_"]
    assert isinstance(option.type, click.Choice)
    return tuple(option.type.choices)


def test_the_command_line_offers_what_the_registry_holds() -> None:
    for command in ("register", "trail", "history"):
        assert _choices(command) == outputs.names_for("register")
    assert _choices("committee-update") == outputs.names_for("paper")
    assert _choices("export") == outputs.names_for("bundle")


_NAMES = {f.name for f in outputs.formats()}


def _lists_of_names(path: Path) -> Iterator[tuple[int, list[str]]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        items: list[ast.expr | None] = []
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = [*node.keys, *node.values]
        texts = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
        if len(set(texts) & _NAMES) >= 2:
            yield node.lineno, texts


SNIFFED = "src/recommendations/_files.py"
"""What a file found on disk is, judged by its content, and how messages name it: a SQLite
database, a PNG image, a ZIP archive as well as the kinds of file the formats write. It
lists kinds of content, not the formats that can be written."""


def test_no_other_list_of_format_names_is_kept() -> None:
    where = [ROOT / "src" / "recommendations", *ROOT.glob("adapters/*/src"), ROOT / "benchmarks"]
    found = [
        f"{path.relative_to(ROOT)}:{line}: {texts}"
        for folder in where
        for path in sorted(folder.rglob("*.py"))
        for line, texts in _lists_of_names(path)
        if str(path.relative_to(ROOT)) != SNIFFED
    ]
    assert found == []


@pytest.fixture
def extra_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the package is also read from, as if its modules were in it."""
    outputs.__path__.append(str(tmp_path))
    _registry._found.clear()
    try:
        yield tmp_path
    finally:
        outputs.__path__.remove(str(tmp_path))
        _registry._found.clear()
        sys.modules.pop("recommendations.outputs.tsv", None)


def test_a_format_is_added_as_one_module(extra_folder: Path) -> None:
    (extra_folder / "tsv.py").write_text(
        textwrap.dedent(
            '''
            """Tab-separated values."""
            from recommendations.outputs._common import columns, records
            from recommendations.outputs._registry import Format

            def write_view(view, file, title, checkpoint=None):
                keys = [column.key for column in columns(view)]
                lines = ["\\t".join(keys)]
                for record in records(view, basis=False):
                    lines.append("\\t".join(str(record.get(key, "")) for key in keys))
                file.write(("\\n".join(lines) + "\\n").encode("utf-8"))

            FORMAT = Format(name="tsv", rank=9, description="tab-separated values",
                            suffixes=(".tsv",), write_view=write_view)
            '''
        )
    )
    assert outputs.names_for("trail")[-1] == "tsv"
    assert outputs.suffixes_for("register")[".tsv"] == "tsv"
    basis = views.Basis(
        as_at=date(2017, 3, 30), known_at=datetime(2017, 4, 10, tzinfo=UTC), position=0
    )
    written = exports.render_register(views.Register(basis=basis, rows=()), "tsv")
    assert written.decode().startswith("reference\treport\t")


def test_the_examples_in_the_modules_run() -> None:
    import recommendations.outputs._records
    import recommendations.outputs.document

    for module in (outputs, recommendations.outputs.document, recommendations.outputs._records):
        assert doctest.testmod(module).failed == 0
    assert doctest.testmod(exports).failed == 0


def test_threads_asking_at_once_find_each_format_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    _registry._found.clear()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: outputs.names_for("register"), range(16)))
    assert set(answers) == {("table", "json", "csv", "xlsx", "md", "html", "pdf")}
