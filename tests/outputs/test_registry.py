"""The registry of formats: every format is one module of :mod:`recommendations.outputs`,
the command line offers what the registry holds, and no other list of format names is kept
anywhere."""

from __future__ import annotations

import ast
import doctest
import re
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
        sys.modules.pop("recommendations.outputs.adoc", None)


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


ADOC = r'''
"""AsciiDoc: any document, a table row to a line."""
from recommendations.outputs._registry import Format
from recommendations.outputs.document import Bullets, Figure, Heading, Table, simple


def _text(text):
    return " ".join(text.split()).replace("|", "\\|")


def write_document(doc, file):
    def put(text):
        file.write(text.encode("utf-8"))

    put(f"= {_text(doc.title)}\n\n")
    for line in doc.lines:
        put(f"{_text(line)}\n\n")
    for section in doc.sections:
        put(f"== {_text(section.heading)}\n\n")
        for block in section.blocks:
            for part in simple(block):
                if isinstance(part, Table):
                    put(f".{_text(part.caption)}\n" if part.caption else "")
                    put('[options="header"]\n|===\n')
                    put("".join(f"|{_text(cell)}" for cell in part.header) + "\n")
                    for row in part.rows:
                        put("".join(f"|{_text(cell.text)}" for cell in row) + "\n")
                    put("|===\n\n")
                elif isinstance(part, Heading):
                    put(f"=== {_text(part.text)}\n\n")
                elif isinstance(part, Bullets):
                    put("".join(f"* {_text(item)}\n" for item in part.items) + "\n")
                elif isinstance(part, Figure):
                    put(f"_{_text(part.caption)}_\n\n")
                else:
                    put(f"{_text(part.text)}\n\n")
    put(f"\'\'\'\n\n{_text(doc.footer)}\n")


FORMAT = Format.of_documents(
    name="adoc", rank=10, description="AsciiDoc", suffixes=(".adoc",),
    write_document=write_document,
)
'''
"""A format of documents, as a module of its own would add it: the AsciiDoc writer of
any document, and its ``FORMAT``."""


def _adoc_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """The caption and rows (the header row first) of each table of an AsciiDoc file."""
    tables = []
    for caption, body in re.findall(
        r"(?:^\.(.*)\n)?\[options=\"header\"\]\n\|===\n(.*?)^\|===$",
        text,
        flags=re.MULTILINE | re.DOTALL,
    ):
        rows = [
            [cell.replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:]]
            for line in body.splitlines()
        ]
        tables.append((caption, rows))
    return tables


def test_a_format_of_documents_is_added_as_one_module(extra_folder: Path) -> None:
    """One module, written in a test alone, writes the register, the trail, a history and
    the committee paper, cell for cell what the HTML page shows."""
    from recommendations import Tracker, demo
    from recommendations.paper import CommitteePaper
    from tests.outputs.test_document_model import _said, _table

    (extra_folder / "adoc.py").write_text(ADOC)
    assert outputs.names_for("register")[-1] == outputs.names_for("paper")[-1] == "adoc"
    assert outputs.suffixes_for("paper")[".adoc"] == "adoc"
    with Tracker("memory://") as tracker:
        demo.build(tracker)
        known = datetime(2030, 1, 1, tzinfo=UTC)
        views_ = {
            "Register": tracker.register(as_at=demo.COMMITTEE, known_at=known),
            "Audit trail": tracker.stream_trail(known_at=known),
            "History of CB-21": tracker.history("CB-21", known_at=known),
        }
        for title, view in views_.items():
            text = exports._render(view, "adoc", title).decode()
            [(caption, [header, *rows])] = _adoc_tables(text)
            html = _table(exports._render(view, "html", title).decode())
            assert (caption, tuple(header)) == html[:2]
            assert rows == [[" ".join(cell.split()) for cell in row] for row in html[2]]
            assert text.startswith(f"= {title}\n") and f"\n{len(rows)} rows.\n" in text
        paper = CommitteePaper.of(tracker, since=date(2016, 12, 8), as_at=demo.COMMITTEE)
        written = paper.render("adoc").decode()  # type: ignore[arg-type]
    laid_out = paper.document()
    headings = re.findall(r"^== (.*)$", written, flags=re.MULTILINE)
    assert headings == [_said(section.heading) for section in laid_out.sections]
    assert written.startswith(f"= {laid_out.title}\n")
    assert len(_adoc_tables(written)) == written.count("|===") // 2 > 5


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
