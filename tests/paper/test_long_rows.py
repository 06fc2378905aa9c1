"""A row of the paper's tables taller than a page (a recommendation whose text runs over
several pages) is split across pages, and the PDF, read back, holds every word of it in
order, with the rows around it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from recommendations.outputs._fpdf import render_pdf
from recommendations.outputs.document import Cell, Document, Section, Table

WORDS = [f"w{number:04d}" for number in range(1, 801)]
"""4,800 characters: three pages of a narrow text column."""


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 1), "white").save(out, format="PNG")
    return out.getvalue()


def _long_row() -> Document:
    """A paper of one table whose second row is three pages of text."""
    text = "\n".join(" ".join(WORDS[i : i + 30]) for i in range(0, len(WORDS), 30))
    table = Table(
        header=("Reference", "Recommendation", "Grade", "Owner"),
        rows=(
            (Cell("before"), Cell("A short one."), Cell("Amber", "#ffbf00"), Cell("Head")),
            (Cell("L-1"), Cell(text), Cell("Red", "#d32f2f"), Cell("Head of Crime")),
            (Cell("after"), Cell("Another short one."), Cell("Green"), Cell("Head")),
        ),
        widths=(1.0, 2.0, 1.0, 1.5),
    )
    return Document(
        title="A long recommendation",
        lines=("As at 30 March 2017",),
        version="Full version",
        sections=(Section(key="register", heading="The register", blocks=(table,)),),
        footer="A long recommendation",
    )


def test_a_row_taller_than_a_page_is_split_across_pages(tmp_path: Path) -> None:
    doc = _long_row()
    path = tmp_path / "paper.pdf"
    path.write_bytes(render_pdf(doc, chart_png=_png(), created=datetime(2017, 3, 30, tzinfo=UTC)))
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert len(pages) >= 3
    assert re.findall(r"w\d{4}", "\n".join(pages)) == WORDS
    assert "L-1 (continued)" in pages[-1]
    assert "before" in pages[0]
    assert "Another short one." in pages[-1]


def test_the_tagged_pdf_carries_a_row_taller_than_a_page_over_the_next_pages(
    tmp_path: Path,
) -> None:
    from recommendations.outputs._tagged import render_tagged_pdf
    from recommendations.outputs.html import render_html

    doc = _long_row()
    path = tmp_path / "paper.pdf"
    path.write_bytes(render_tagged_pdf(render_html(doc, chart_svg=None)))
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert len(pages) >= 2
    assert re.findall(r"w\d{4}", "\n".join(pages)) == WORDS
    assert "before" in pages[0]
    assert "Another short one." in pages[-1]
