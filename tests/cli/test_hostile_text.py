"""Hostile text through every recording command and every output format, on every engine.

Each generated value is put in one field of one command. The command either records it,
and then every output (register, history, trail and committee paper in each of their
formats, and the export) renders it cleanly, or refuses it with one line on standard error
and nothing recorded.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from pypdf import PdfReader

from .helpers import REPORT, entry, head, invoke

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

FORMULA = ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1", "\r=1"]
MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "| a | b |\n|---|---|",
    "`code` **bold** _it_ # head",
    "&lt;b&gt; &amp; &#60;script&#62;",
    "line one\nline two\n\n- item",
]
INVISIBLE = ["\u202eevil", "a\u200bb", "\ufeffbom", "\u2066isolate\u2069", "\u200f"]
CONTROL = ["nul\x00byte", "bell\x07", "esc\x1b[31mred", "\x7fdel", "a\x0cb", "\x85next"]
SURROGATE = ["\ud800", "a\udfffb"]
BIG = ["A" * 1_000_000, "é" * 70_000]

_SPECIAL = st.sampled_from(
    [*FORMULA, *MARKUP, *INVISIBLE, *CONTROL, *SURROGATE, *BIG, "", " ", "  padded  "]
)
_MIXED = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(list("<>&\"'`|[]()*_#=+-@\t\n\r\x00\x07\u202e\u200b")),
    ),
    max_size=40,
)
HOSTILE = st.one_of(_SPECIAL, _MIXED, st.tuples(_SPECIAL, _MIXED).map("".join))


def _raise(reference: str, **fields: str) -> list[str]:
    values = {
        "text": "Supervise risk assessments.",
        "owner": "Head of Public Protection",
        "owner-name": "Jo Bloggs",
        "by": "Risk manager",
        "reason": "new",
    }
    values.update(fields)
    return [
        "raise",
        reference,
        "--report",
        "PEEL-2016",
        "--grade",
        "amber",
        "--text",
        values["text"],
        "--owner",
        values["owner"],
        "--owner-name",
        values["owner-name"],
        *entry(by=values["by"], reason=values["reason"], on="2017-03-02"),
    ]


# Where a hostile value goes: (field, the commands that record it). Each command list may
# use a fresh reference; the value goes in once.
FIELDS: dict[str, Callable[[str, str], list[list[str]]]] = {
    "text": lambda ref, value: [_raise(ref, text=value)],
    "owner": lambda ref, value: [_raise(ref, owner=value)],
    "owner-name": lambda ref, value: [_raise(ref, **{"owner-name": value})],
    "by": lambda ref, value: [_raise(ref, by=value)],
    "reason": lambda ref, value: [_raise(ref, reason=value)],
    "reference": lambda ref, value: [_raise(value)],
    "note": lambda ref, value: [_raise(ref), ["note", ref, value, *entry(on="2017-03-20")]],
    "assign": lambda ref, value: [_raise(ref), ["assign", ref, value, *entry(on="2017-03-20")]],
}

OUTPUTS: list[tuple[str, list[str]]] = [
    *((f"register.{f}", ["register", "--format", f]) for f in ("table", "json", "csv", "md")),
    *((f"trail.{f}", ["trail", "--format", f]) for f in ("table", "json", "csv", "md", "html")),
    ("register.html", ["register", "--format", "html"]),
    ("paper.md", ["committee-update", "--since", "2017-01-01", "--as-at", "2017-03-30"]),
    (
        "paper.json",
        ["committee-update", "--since", "2017-01-01", "--as-at", "2017-03-30", "--format", "json"],
    ),
    (
        "paper.html",
        ["committee-update", "--since", "2017-01-01", "--as-at", "2017-03-30", "--format", "html"],
    ),
]
"""Outputs written to standard output, by name."""

FILE_OUTPUTS: list[tuple[str, list[str]]] = [
    ("register.xlsx", ["register", "--format", "xlsx"]),
    ("trail.xlsx", ["trail", "--format", "xlsx"]),
    (
        "paper.pdf",
        ["committee-update", "--since", "2017-01-01", "--as-at", "2017-03-30", "--format", "pdf"],
    ),
    ("export.json", ["export", "--format", "json"]),
    ("export.xlsx", ["export", "--format", "xlsx"]),
]
"""Outputs written to a file, by name."""


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "img", "iframe", "object", "embed"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}]")


def _active_html(document: str) -> list[str]:
    """Elements or attributes that would run script, in an HTML document."""
    parser = _Tags()
    parser.feed(document)
    return parser.found


def _check_rendered(name: str, text: str, baseline: dict[str, list[str]]) -> None:
    """What a clean rendering of ``name`` is: it parses, and holds no markup from data."""
    kind = name.rsplit(".", 1)[1]
    if kind == "json":
        json.loads(text)
    elif kind == "csv":
        list(csv.reader(io.StringIO(text)))
    elif kind == "md":
        rendered = MarkdownIt("commonmark").render(text)
        assert _active_html(rendered) == baseline.get(name, []), rendered[:2000]
    elif kind == "html":
        assert _active_html(text) == baseline.get(name, []), text[:2000]


def _outputs(store: str, tmp: Path) -> dict[str, str]:
    """Every output of the store, as text (files: a summary of what they hold)."""
    got: dict[str, str] = {}
    for name, args in OUTPUTS:
        result = invoke(*args, "--store", store)
        assert result.exit_code == 0, (name, result.stderr[-2000:])
        got[name] = result.stdout
    for name, args in FILE_OUTPUTS:
        target = tmp / f"{uuid.uuid4().hex}-{name}"
        result = invoke(*args, "-o", str(target), "--store", store)
        assert result.exit_code == 0, (name, result.stderr[-2000:])
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(target):
                pass
            load_workbook(target, read_only=True).close()
        elif name.endswith(".pdf"):
            reader = PdfReader(target)
            got[name + ".text"] = "".join(page.extract_text() or "" for page in reader.pages)
        else:
            got[name] = target.read_text(encoding="utf-8")
        target.unlink()
    return got


_BASELINES: dict[str, dict[str, list[str]]] = {}


@pytest.fixture
def new_store(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Makes a fresh store on the engine, holding one report for the generated
    recommendations to hang off: each example starts from nothing of the one before."""
    made: list[str] = []

    def make() -> str:
        if engine == "postgresql":
            server = request.getfixturevalue("postgres_server")
            name = server.create_database()
            made.append(name)
            store = str(server.url(name))
        else:
            store = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
        result = invoke(*REPORT, "--store", store)
        assert result.exit_code == 0, result.stderr
        return store

    yield make
    if made:
        server = request.getfixturevalue("postgres_server")
        for name in made:
            server.drop_database(name)


@settings(
    max_examples=12,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(sorted(FIELDS)), value=HOSTILE)
def test_hostile_text_records_and_renders_cleanly_or_is_refused_in_one_line(
    new_store: Callable[[], str], tmp_path: Path, field: str, value: str
) -> None:
    store = new_store()
    baseline = _BASELINES.get(store.split(":", 1)[0])
    if baseline is None:  # what the outputs of a store without the value hold: once
        baseline = _BASELINES[store.split(":", 1)[0]] = {
            name: (
                _active_html(MarkdownIt("commonmark").render(text))
                if name.endswith(".md")
                else _active_html(text)
            )
            for name, text in _outputs(store, tmp_path).items()
            if name.endswith((".md", ".html"))
        }
    reference = "H-1"
    for args in FIELDS[field](reference, value):
        before = head(store)
        result = invoke(*args, "--store", store)
        if result.exit_code == 0:
            assert head(store) > before
            continue
        assert result.exit_code == 1, (args[0], result.exit_code, result.stderr[-2000:])
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr[-2000:]
        assert head(store) == before, "a refused command recorded something"
        return
    for name, text in _outputs(store, tmp_path).items():
        _check_rendered(name, text, baseline)
