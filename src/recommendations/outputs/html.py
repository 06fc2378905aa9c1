"""HTML: any :class:`~recommendations.outputs.document.Document` as one self-contained page,
styled for screen and for print (the page the tagged PDF is made from): the committee
paper, and a register, a trail or one recommendation's history laid out by
:func:`~recommendations.outputs.document.view_document` (a table of the main columns,
captioned with the basis, with header cells), written a block and a thousand rows at a
time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from typing import IO, TYPE_CHECKING

from ._common import CHUNK
from ._records import AnyView
from ._registry import Format, Paper
from .document import (
    Bullets,
    Cell,
    Document,
    Figure,
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

__all__ = ["FORMAT", "html_chunks", "render_html", "write_html"]

_STYLE = """
@page { size: A4 portrait; margin: 16mm 15mm 18mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
    font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #263238; } }
:root { --ink: #263238; --rule: #b0bec5; --head: #eceff1; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  font-size: 10pt; line-height: 1.4; max-width: 190mm; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--rule);
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 1.1em 0 .3em; break-after: avoid; page-break-after: avoid; }
p.meta { margin: .1em 0; }
p.version { font-weight: bold; }
p.note { font-size: 9pt; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
li { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid var(--rule); padding: 3px 5px; text-align: left;
  vertical-align: top; }
th { background: var(--head); }
td.grade { white-space: nowrap; }
span.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .35em;
  vertical-align: -.05em; border-radius: 2px; print-color-adjust: exact;
  -webkit-print-color-adjust: exact; }
figure { margin: .5em 0 1em; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 9pt; font-style: italic; }
footer { margin-top: 2em; border-top: 1px solid var(--rule); font-size: 8.5pt; }
@media print { body { margin: 0; padding: 0; max-width: none; } a { color: inherit; } }
"""


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
"""The only colours a style attribute is given: ``#rrggbb``, nothing a style could run."""


def _cell(cell: Cell, tag: str = "td") -> str:
    text = "<br>".join(escape(line) for line in cell.text.splitlines())
    if cell.colour is None or not _COLOUR.fullmatch(cell.colour):
        return f"<{tag}>{text}</{tag}>"
    swatch = f'<span class="swatch" style="background:{escape(cell.colour)}"></span>'
    return f'<{tag} class="grade">{swatch}{text}</{tag}>'


def _table(table: Table) -> Iterator[str]:
    """The table's lines, each ending in a new line, a thousand rows at a time."""
    total = sum(table.widths) or 1.0
    lines = ["<table>"]
    if table.caption:
        lines.append(f"<caption>{escape(table.caption)}</caption>")
    lines.append("<colgroup>")
    lines.extend(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
    lines.append("</colgroup>")
    lines.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in table.header)
        + "</tr></thead>"
    )
    lines.append("<tbody>")
    lines = [line + "\n" for line in lines]
    for row in table.rows:
        lines.append("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>\n")
        if len(lines) >= CHUNK:
            yield "".join(lines)
            lines = []
    lines.append("</tbody>\n</table>\n")
    yield "".join(lines)


_FIGURES = "“Recommendations by grade over time”"


def _svg(chart_svg: str, caption: str) -> str:
    """The SVG document as an element to put inline: without its XML declaration and
    doctype, and labelled with ``caption`` for screen readers (``aria-label``) and for the
    tagged PDF (its ``title``, which becomes the figure's alternative text)."""
    start = chart_svg.find("<svg ")
    end = chart_svg.find(">", start)
    if start < 0 or end < 0:
        return ""
    label = f'<svg role="img" aria-label="{escape(caption)}" '
    title = f"<title>{escape(caption)}</title>"
    return label + chart_svg[start + len("<svg ") : end + 1] + title + chart_svg[end + 1 :]


def _lines(block: Simple, chart_svg: str | None) -> list[str]:
    if isinstance(block, Heading):
        return [f"<h3>{escape(block.text)}</h3>"]
    if isinstance(block, Paragraph):
        css = ' class="note"' if block.note else ""
        return [f"<p{css}>{escape(block.text)}</p>"]
    if isinstance(block, Bullets):
        return ["<ul>", *(f"<li>{escape(item)}</li>" for item in block.items), "</ul>"]
    if isinstance(block, Table):
        return ["".join(_table(block)).removesuffix("\n")]
    if chart_svg is None:
        return [f'<p class="note">{escape(block.caption)} The figures are under {_FIGURES}.</p>']
    if isinstance(block, Figure):
        return [
            '<figure class="chart">',
            _svg(chart_svg, block.caption),
            f"<figcaption>{escape(block.caption)}</figcaption>",
            "</figure>",
        ]
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover


def _w3c(at: datetime) -> str:
    """``at`` as a W3C date and time, in UTC: ``2017-03-30T09:00:00Z``."""
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def html_chunks(
    doc: Document, *, chart_svg: str | None, created: datetime | None = None
) -> Iterator[str]:
    """``doc`` as an HTML page in pieces, a block at a time (a table a thousand rows at a
    time): :func:`render_html` joined."""
    made = "" if created is None else f'<meta name="dcterms.created" content="{_w3c(created)}">'
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="recommendations">',
        *([made] if made else []),
        f"<title>{escape(doc.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(doc.title)}</h1>",
    ]
    for index, line in enumerate(doc.lines):
        css = "meta version" if index == len(doc.lines) - 1 else "meta"
        lines.append(f'<p class="{css}">{escape(line)}</p>')
    lines.append("</header>")
    lines.append("<main>")
    yield "".join(line + "\n" for line in lines)
    for section in doc.sections:
        yield f'<section id="{escape(section.key)}">\n<h2>{escape(section.heading)}</h2>\n'
        for block in section.blocks:
            for part in simple(block):
                if isinstance(part, Table):
                    yield from _table(part)
                else:
                    yield "".join(line + "\n" for line in _lines(part, chart_svg))
        yield "</section>\n"
    yield f"</main>\n<footer><p>{escape(doc.footer)}</p></footer>\n</body>\n</html>\n"


def render_html(doc: Document, *, chart_svg: str | None, created: datetime | None = None) -> str:
    """``doc`` as an HTML page with the chart ``chart_svg`` inline, or without a chart (its
    figures are in a table either way); ``created`` is the paper's date, for its
    metadata."""
    return "".join(html_chunks(doc, chart_svg=chart_svg, created=created))


def write_html(
    doc: Document,
    file: IO[bytes],
    *,
    chart_svg: str | None = None,
    created: datetime | None = None,
) -> None:
    """``doc`` as an HTML page (UTF-8) to ``file``, a block at a time, never held whole."""
    for chunk in html_chunks(doc, chart_svg=chart_svg, created=created):
        file.write(chunk.encode("utf-8"))


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as an HTML page to ``file``, laid out by
    :func:`~recommendations.outputs.document.view_document`, as its rows come; its
    creation date is the view's basis, so that the same view gives the same page."""
    write_html(view_document(view, title), file, created=view.basis.known_at)


def write_paper(paper: Paper) -> bytes:
    """The committee paper as one page (:meth:`CommitteePaper.html
    <recommendations.paper.CommitteePaper.html>`)."""
    return paper.html().encode("utf-8")


FORMAT = Format(
    name="html",
    rank=5,
    description="one HTML page",
    suffixes=(".html", ".htm"),
    write_view=write_view,
    write_paper=write_paper,
)


html_page = former_page(
    "recommendations.outputs.html.html_page",
    "render_html",
    lambda document: render_html(document, chart_svg=None),
)
