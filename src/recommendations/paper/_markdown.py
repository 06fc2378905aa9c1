"""The committee paper as Markdown (CommonMark, with pipe tables)."""

from __future__ import annotations

from recommendations._escaping import markdown_text

from ._document import Block, Bullets, Cell, Document, Heading, Paragraph, Table

__all__ = ["escape", "render_markdown"]

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
