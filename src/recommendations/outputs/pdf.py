"""PDF: the committee paper, a register or a trail on A4, with real text, page numbers and
tables that carry their header cells over page breaks.

Where WeasyPrint and its system libraries are installed, the PDF is made from the page
:mod:`~recommendations.outputs.html` writes and tagged for PDF/UA-1 (headings, lists,
tables with header cells, figures with alternative text, the document's language and
title, in reading order, fonts embedded); elsewhere fpdf2, pure Python, makes it untagged
but for the document and its figures (:func:`pdf_renderer` says which). Both need the
``[paper]`` extra.

A register or a trail is laid out as the same
:class:`~recommendations.outputs.document.Document` the Markdown and HTML files are written
from (:func:`~recommendations.outputs.document.view_document`: its title, its basis, with
the log's checkpoint if asked, and a table of the main columns). A PDF is laid out whole,
so it is held in memory with its rows: for a register of many thousands of rows, write
csv, json, xlsx, md or html, which are written as the rows come.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from recommendations._errors import ConfigurationError
from recommendations._logging import paper as _log

from ._records import AnyView
from ._registry import Format, Paper, PdfRenderer
from .document import Document, view_document

if TYPE_CHECKING:
    from datetime import datetime

    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "PdfRenderer", "pdf_renderer", "render_document", "view_document"]


def pdf_renderer() -> PdfRenderer:
    """The renderer used by default here: ``"weasyprint"`` (a tagged PDF/UA-1 file) where
    WeasyPrint and its system libraries are installed, else ``"fpdf2"`` (pure Python; tags
    only the document and its figures)."""
    from ._tagged import missing

    reason = missing()
    if reason is None:
        return "weasyprint"
    _log.info("the PDF falls back to fpdf2, which is not PDF/UA: %s", reason)
    return "fpdf2"


def render_document(
    doc: Document,
    *,
    created: datetime,
    renderer: PdfRenderer | None = None,
    chart_svg: str | None = None,
    chart_png: bytes = b"",
) -> bytes:
    """``doc`` as PDF bytes, by ``renderer`` (default: :func:`pdf_renderer`), with its
    figure drawn from ``chart_svg`` (WeasyPrint) or ``chart_png`` (fpdf2); ``created``
    is its creation date, so that the same document gives the same file.

    Raises :class:`~recommendations.ConfigurationError`: rule ``paper-extra`` without
    the extra (or, for ``"weasyprint"``, without WeasyPrint), ``known-renderer`` for
    another renderer."""
    from ._extra import INSTALL, require

    require("the PDF", field="format", chart=False, pdf=True)
    chosen = renderer if renderer is not None else pdf_renderer()
    if chosen == "weasyprint":
        from ._tagged import missing, render_tagged_pdf
        from .html import render_html

        reason = missing()
        if reason is not None:
            raise ConfigurationError(
                f"the tagged PDF needs WeasyPrint: {reason}; {INSTALL}",
                field="renderer",
                rule="paper-extra",
            )
        return render_tagged_pdf(render_html(doc, chart_svg=chart_svg, created=created))
    if chosen != "fpdf2":
        raise ConfigurationError(
            f"{chosen!r} is not a PDF renderer (choose weasyprint or fpdf2)",
            field="renderer",
            rule="known-renderer",
        )
    from ._fpdf import render_pdf

    return render_pdf(doc, chart_png=chart_png, created=created)


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as a PDF to ``file``, with the facts of the log's ``checkpoint`` under
    its basis if given."""
    laid_out = view_document(view, title, checkpoint)
    file.write(render_document(laid_out, created=view.basis.known_at))


def write_paper(paper: Paper) -> bytes:
    """The committee paper as a PDF (:meth:`CommitteePaper.pdf
    <recommendations.paper.CommitteePaper.pdf>`)."""
    return paper.pdf()


FORMAT = Format(
    name="pdf",
    rank=6,
    description="a PDF on A4",
    suffixes=(".pdf",),
    binary=True,
    write_view=write_view,
    streamed=False,
    write_paper=write_paper,
    checkpoint=True,
)
