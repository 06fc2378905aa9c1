"""Markdown (CommonMark, with pipe tables): any
:class:`~recommendations.outputs.document.Document`, with its sections: the committee
paper, and a register, a trail or one recommendation's history laid out by
:func:`~recommendations.outputs.document.view_document` (a heading, a table of the main
columns after the basis in one sentence, and how many rows it has), written a block and a
thousand rows at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from recommendations._escaping import markdown_text

from ._common import CHUNK
from ._records import AnyView
from ._registry import Format, Paper
from .document import (
    Bullets,
    Cell,
    Document,
    Heading,
    Paragraph,
    Simple,
    Table,
    former_page,
    simple,
    view_document,
)

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "escape", "render_markdown", "write_markdown"]

_FIGURES = "“Recommendations by grade over time”"


def escape(text: str) -> str:
    """``text`` with every character Markdown could read as markup escaped: HTML tags in
    it are shown, never passed through, and a line break is ``<br>``, so that it stays
    one line of source, safe in a table cell (see
    :func:`recommendations._escaping.markdown_text`, which every Markdown output uses)."""
    return markdown_text(text)


def _cell(cell: Cell) -> str:
    return escape(cell.text) or " "


def _table(table: Table) -> Iterator[str]:
    """The table's lines, each ending in a new line, a thousand rows at a time."""
    head = [escape(table.caption), ""] if table.caption else []
    head += [
        "| " + " | ".join(escape(h) for h in table.header) + " |",
        "|" + "|".join(" --- " for _ in table.header) + "|",
    ]
    lines = [line + "\n" for line in head]
    for row in table.rows:
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |\n")
        if len(lines) >= CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _lines(block: Simple, chart: str | None) -> list[str]:
    if isinstance(block, Heading):
        return [f"### {escape(block.text)}"]
    if isinstance(block, Paragraph):
        return [f"*{escape(block.text)}*" if block.note else escape(block.text)]
    if isinstance(block, Bullets):
        return [f"- {escape(item)}" for item in block.items]
    if isinstance(block, Table):
        return "".join(_table(block)).splitlines()
    if chart is None:
        return [f"*{escape(block.caption)} The figures are under {_FIGURES}.*"]
    target = chart.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return [f"![{escape(block.caption)}]({target})"]


def markdown_chunks(doc: Document, *, chart: str | None = None) -> Iterator[str]:
    """``doc`` as Markdown in pieces, a block at a time (a table a thousand rows at a
    time), linking the chart at ``chart`` if given: :func:`render_markdown` joined."""
    yield f"# {escape(doc.title)}\n\n"
    for line in doc.lines:
        yield f"{escape(line)}\n\n"
    for section in doc.sections:
        yield f"## {escape(section.heading)}\n\n"
        for block in section.blocks:
            for index, part in enumerate(simple(block)):
                if index:
                    yield "\n"  # the parts of a basis, apart
                if isinstance(part, Table):
                    yield from _table(part)
                else:
                    yield "".join(line + "\n" for line in _lines(part, chart))
            yield "\n"
    yield f"---\n\n{escape(doc.footer)}\n"


def render_markdown(doc: Document, *, chart: str | None = None) -> str:
    """``doc`` as Markdown, linking the chart at ``chart`` if given."""
    return "".join(markdown_chunks(doc, chart=chart))


def write_markdown(doc: Document, file: IO[bytes], *, chart: str | None = None) -> None:
    """``doc`` as Markdown (UTF-8) to ``file``, a block at a time, never held whole."""
    for chunk in markdown_chunks(doc, chart=chart):
        file.write(chunk.encode("utf-8"))


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as Markdown to ``file``, laid out by
    :func:`~recommendations.outputs.document.view_document`, as its rows come."""
    write_markdown(view_document(view, title), file)


def write_paper(paper: Paper) -> bytes:
    """The committee paper as Markdown (:meth:`CommitteePaper.markdown
    <recommendations.paper.CommitteePaper.markdown>`), without the chart's link."""
    return paper.markdown().encode("utf-8")


FORMAT = Format(
    name="md",
    rank=4,
    description="Markdown",
    suffixes=(".md", ".markdown"),
    write_view=write_view,
    write_paper=write_paper,
    also={"paper": (".txt",)},
)


markdown_page = former_page(
    "recommendations.outputs.markdown.markdown_page", "render_markdown", render_markdown
)
