"""The register, the trail and one recommendation's history are each laid out once, as a
document, and say the same thing in Markdown, HTML and PDF: the same caption, the same
header cells, the same cells in every row, and the same count."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import ModuleType

import pypdf
import pytest
from markdown_it import MarkdownIt

import recommendations as r
from recommendations import demo, exports
from recommendations.outputs import html, markdown
from recommendations.outputs._common import records, summary_columns
from recommendations.outputs._records import AnyView, basis_sentence
from recommendations.outputs.document import Count, Document, Table, view_document

KNOWN = datetime(2030, 1, 1, tzinfo=UTC)
"""Every view here is read as known then (after the demonstration), so that two reads of
it have the same basis."""


@pytest.fixture(scope="module")
def tracker() -> Iterator[r.Tracker]:
    with r.Tracker("memory://") as tracker:
        demo.build(tracker)
        yield tracker


def _views(tracker: r.Tracker, position: int | None = None) -> dict[str, tuple[AnyView, str]]:
    """Each kind of view, whole, or (for a PDF, which takes its time) up to ``position``."""
    register = tracker.register(as_at=demo.COMMITTEE, known_at=KNOWN, position=position)
    return {
        "register": (register, "Register"),
        "trail": (tracker.trail(known_at=KNOWN, position=40), "Audit trail"),
        "history": (tracker.history("CB-21", known_at=KNOWN), "History of CB-21"),
    }


def _said(text: str) -> str:
    """``text`` as a reader takes it in: each line's words, one space apart."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


class _Tables(HTMLParser):
    """The caption, header cells and rows of each table of a page (a line break in a
    cell is a new line)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[str]]]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": [[""]], "header": [], "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag == "th":
            self.tables[-1]["header"].append([""])
        elif tag == "td":
            self.tables[-1]["rows"][-1].append("")
        elif tag == "br" and self._in == "td":
            self.tables[-1]["rows"][-1][-1] += "\n"
        if tag in ("caption", "th", "td"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.tables[-1]["caption"][0][0] += data
        elif self._in == "th":
            self.tables[-1]["header"][-1][0] += data
        elif self._in == "td":
            self.tables[-1]["rows"][-1][-1] += data


def _table(html: str) -> tuple[str, tuple[str, ...], list[tuple[str, ...]]]:
    """The caption, header cells and rows of the first table of ``html``."""
    parser = _Tables()
    parser.feed(html)
    first = parser.tables[0]
    header = tuple(_said(cell[0]) for cell in first["header"])
    rows = [tuple(_said(cell) for cell in row) for row in first["rows"] if row]
    return _said(first["caption"][0][0]), header, rows


def _laid_out(view: AnyView, title: str) -> tuple[str, tuple[str, ...], list[tuple[str, ...]]]:
    """The caption, header cells and rows of the view's document."""
    [table, count] = view_document(view, title).sections[0].blocks
    assert isinstance(table, Table) and isinstance(count, Count)
    rows = [tuple(_said(cell.text) for cell in row) for row in table.rows]
    assert count.paragraph().text == f"{len(rows)} {'row' if len(rows) == 1 else 'rows'}."
    return _said(table.caption), tuple(table.header), rows


@pytest.mark.parametrize("kind", ["register", "trail", "history"])
def test_markdown_and_html_hold_the_cells_of_the_document(tracker: r.Tracker, kind: str) -> None:
    view, title = _views(tracker)[kind]
    caption, header, rows = _laid_out(view, title)
    assert rows and caption.startswith(("As at ", "As known at "))

    page = exports._render(view, "html", title).decode()
    assert _table(page) == (caption, header, rows)
    assert f"<p>{len(rows)} rows.</p>" in page

    markdown = exports._render(view, "md", title).decode()
    shown = MarkdownIt("commonmark").enable("table").render(markdown)
    assert _table(shown)[1:] == (header, rows)
    assert f"<p>{caption}</p>" in shown.replace("&quot;", '"')  # the basis, before its table
    assert f"<p>{len(rows)} rows.</p>" in shown


@pytest.mark.parametrize("kind", ["register", "history"])
def test_the_pdf_holds_the_cells_of_the_document(tracker: r.Tracker, kind: str) -> None:
    """Every cell of the document, word for word, in the PDF's text (wherever a cell's
    lines were broken)."""
    view, title = _views(tracker, position=30)[kind]
    caption, header, rows = _laid_out(view, title)
    made = exports._render(view, "pdf", title)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(made)).pages)
    squeezed = "".join(text.split())
    for cell in (caption, *header, *(cell for row in rows for cell in row)):
        assert "".join(cell.split()) in squeezed, cell
    assert f"{len(rows)} rows." in text


@pytest.mark.parametrize(
    ("module", "page", "render"),
    [
        (markdown, "markdown_page", markdown.render_markdown),
        (html, "html_page", lambda doc: html.render_html(doc, chart_svg=None)),
    ],
)
def test_the_former_page_functions_lay_out_a_document_with_a_warning(
    tracker: r.Tracker, module: ModuleType, page: str, render: Callable[[Document], str]
) -> None:
    """``markdown_page`` and ``html_page``, with their former arguments: the page the
    writers make of the same table laid out as a document."""
    view, title = _views(tracker)["trail"]
    args = (title, basis_sentence(view), summary_columns(view), records(view, basis=False))
    with pytest.warns(DeprecationWarning, match=rf"outputs\.\w+\.{page} is deprecated"):
        written = getattr(module, page)(*args)
    assert written == render(view_document(view, title))
    count = sum(1 for _ in records(view, basis=False))
    assert count > 1 and title in written and f"{count} rows." in written
