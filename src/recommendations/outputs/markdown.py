"""Markdown (CommonMark, with pipe tables): a register or a trail as a heading, the basis
in one sentence and a table of the main columns; the committee paper, or any
:class:`~recommendations.outputs.document.Document`, with its sections."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING

from recommendations._escaping import markdown_text

from ._common import CHUNK, cell_text, records, summary_columns
from ._records import AnyView, Column, Record, basis_sentence
from ._registry import Format, Paper
from .document import Basis, Block, Bullets, Cell, Document, Heading, Paragraph, Table

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "escape", "markdown_chunks", "markdown_page", "render_markdown"]

_FIGURES = "“Recommendations by grade over time”"


def escape(text: str) -> str:
    """``text`` with every character Markdown could read as markup escaped: HTML tags in
    it are shown, never passed through (see :func:`recommendations._escaping.markdown_text`,
    which every Markdown output uses)."""
    return markdown_text(text)


def _cell(cell: Cell) -> str:
    return escape(cell.text) or " "


def _table(table: Table) -> list[str]:
    lines = [
        "| " + " | ".join(escape(h) for h in table.header) + " |",
        "|" + "|".join(" --- " for _ in table.header) + "|",
    ]
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table.rows)
    return lines


def _block(block: Block, chart: str | None) -> list[str]:
    if isinstance(block, Basis):
        parts = [_block(part, chart) for part in block.blocks()]
        return [line for i, part in enumerate(parts) for line in ([""] if i else []) + part]
    if isinstance(block, Heading):
        return [f"### {escape(block.text)}"]
    if isinstance(block, Paragraph):
        return [f"*{escape(block.text)}*" if block.note else escape(block.text)]
    if isinstance(block, Bullets):
        return [f"- {escape(item)}" for item in block.items]
    if isinstance(block, Table):
        return _table(block)
    if chart is None:
        return [f"*{escape(block.caption)} The figures are under {_FIGURES}.*"]
    target = chart.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return [f"![{escape(block.caption)}]({target})"]


def render_markdown(doc: Document, *, chart: str | None = None) -> str:
    """``doc`` as Markdown, linking the chart at ``chart`` if given."""
    lines = [f"# {escape(doc.title)}", ""]
    for line in doc.lines:
        lines.extend([escape(line), ""])
    for section in doc.sections:
        lines.extend([f"## {escape(section.heading)}", ""])
        for block in section.blocks:
            lines.extend([*_block(block, chart), ""])
    lines.extend(["---", "", escape(doc.footer), ""])
    return "\n".join(lines)


def _md(text: str) -> str:
    """``text`` safe anywhere in Markdown, a table cell included: markup escaped, one line
    of source (a line break is ``<br>``)."""
    return markdown_text(text)


def markdown_page(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> str:
    """A heading, the basis sentence and a table, in GitHub-flavoured Markdown."""
    return "".join(markdown_chunks(title, sentence, columns, records))


def markdown_chunks(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> Iterator[str]:
    """:func:`markdown_page` in pieces, as ``records`` come."""
    lines = [f"# {_md(title)}", "", _md(sentence), ""]
    lines.append("| " + " | ".join(_md(c.title) for c in columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in columns) + "|")
    count = 0
    for count, record in enumerate(records, start=1):  # noqa: B007 - the count is used below
        lines.append("| " + " | ".join(_md(cell_text(record, c.key)) for c in columns) + " |")
        if len(lines) >= CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    lines += ["", f"{count} {'row' if count == 1 else 'rows'}.", ""]
    yield "\n".join(lines)


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as Markdown to ``file``: a heading, its basis, a table of its main
    columns and how many rows it has, as its rows come."""
    chunks = markdown_chunks(
        title, basis_sentence(view), summary_columns(view), records(view, basis=False)
    )
    for chunk in chunks:
        file.write(chunk.encode("utf-8"))


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
