"""The committee paper's PDF is accessible: tagged for PDF/UA-1 (ISO 14289-1), as UK public
bodies must publish their committee papers.

Each PDF is checked twice: by the ``pdfua`` package (a subset of the machine-checkable
rules, on pikepdf) and by :mod:`.pdfua_rules`, which adds the rules a paper of headings,
lists, tables and a chart can break that ``pdfua`` leaves out. The fallback renderer (fpdf2,
today's PDF before WeasyPrint) fails both: that is what the checks are for.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfua
import pikepdf
import pytest

from recommendations.outputs.document import Basis, Bullets, Figure, Heading, Table
from recommendations.paper import CommitteePaper, pdf_renderer
from recommendations.paper._layout import document

from .pdfua_rules import check


@pytest.fixture(scope="module")
def fallback_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fallback") / "committee-paper.pdf"
    path.write_bytes(paper.pdf(renderer="fpdf2"))
    return path


def test_weasyprint_renders_the_pdf_here() -> None:
    assert pdf_renderer() == "weasyprint"


def test_the_pdf_meets_the_machine_checkable_rules_of_pdfua(pdf_file: Path) -> None:
    assert check(pdf_file) == []
    report = pdfua.validate(str(pdf_file))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert report.exit_code == 0


def test_the_fallback_pdf_breaks_them(fallback_file: Path) -> None:
    found = check(fallback_file)
    assert "7.4.2-1: no H1 heading" in found
    assert "7.5-1: no table is tagged as a Table" in found
    assert any(f.startswith("7.1-3 page 1: ") and "neither tagged" in f for f in found)
    report = pdfua.validate(str(fallback_file))
    assert {"UA-01-003", "UA-07-002", "UA-28-004"} <= {f.rule_id for f in report.findings}
    assert report.exit_code == 3  # errors


def _elements(element: Any) -> Iterator[Any]:
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def test_the_tags_hold_the_papers_headings_lists_tables_and_chart(
    pdf_file: Path, paper: CommitteePaper
) -> None:
    laid_out = document(paper)
    blocks = [
        part
        for section in laid_out.sections
        for block in section.blocks
        for part in (block.blocks() if isinstance(block, Basis) else (block,))
    ]
    with pikepdf.open(pdf_file) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == laid_out.title
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as meta:
            assert meta["pdfuaid:part"] == "1"
        elements = list(_elements(pdf.Root.StructTreeRoot))
        kinds = Counter(str(element.S) for element in elements)
        tables = [element for element in elements if element.S == "/Table"]
        headers = [sum(1 for cell in _elements(table) if cell.S == "/TH") for table in tables]
        scopes = {
            str(cell.A.Scope) for table in tables for cell in _elements(table) if cell.S == "/TH"
        }
    assert kinds["/H1"] == 1
    assert kinds["/H2"] == len(laid_out.sections)
    assert kinds["/H3"] == sum(isinstance(block, Heading) for block in blocks)
    assert kinds["/L"] == sum(isinstance(block, Bullets) for block in blocks)
    assert kinds["/LI"] == sum(len(b.items) for b in blocks if isinstance(b, Bullets))
    assert kinds["/Figure"] == sum(isinstance(block, Figure) for block in blocks) == 1
    # WeasyPrint tags a table that runs over pages as one Table a page, each with its
    # header row: so at least one Table to each of the paper's, each with a full header.
    widths = [len(block.header) for block in blocks if isinstance(block, Table)]
    assert len(headers) >= len(widths)
    assert set(headers) == set(widths)
    assert scopes == {"/Column"}


class _MarkedText:
    """Collects the text of each piece of marked content of a page, by (page, MCID), as
    pypdf's text extraction meets it."""

    def __init__(self, texts: dict[tuple[int, int], str], page: int) -> None:
        self.texts, self.page = texts, page
        self.stack: list[int | None] = []

    def before(self, op: bytes, args: Any, _cm: Any, _tm: Any) -> None:
        if op == b"BDC":
            found = args[1].get("/MCID") if hasattr(args[1], "get") else None
            self.stack.append(None if found is None else int(found))
        elif op == b"BMC":
            self.stack.append(None)
        elif op == b"EMC" and self.stack:
            self.stack.pop()

    def text(self, piece: str, *_: Any) -> None:
        mcid = next((m for m in reversed(self.stack) if m is not None), None)
        if mcid is not None:
            key = (self.page, mcid)
            self.texts[key] = self.texts.get(key, "") + piece


def _marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """The text of each piece of marked content, by (page, MCID)."""
    from pypdf import PdfReader

    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(PdfReader(path).pages):
        reader = _MarkedText(texts, number)
        page.extract_text(visitor_operand_before=reader.before, visitor_text=reader.text)
    return texts


def _text_of(element: Any, page: int, pages: dict[Any, int], texts: dict[Any, str]) -> str:
    """The text an element holds, in the order of the tree."""
    here = element.get("/Pg")
    if here is not None:
        page = pages[here.objgen]
    kids = element.get("/K")
    said = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            said.append(texts.get((page, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            said.append(_text_of(kid, page, pages, texts))
    return " ".join(" ".join(said).split())


def test_the_tags_read_the_headings_and_header_cells_in_the_order_of_the_paper(
    pdf_file: Path, paper: CommitteePaper
) -> None:
    laid_out = document(paper)
    texts = _marked_texts(pdf_file)
    with pikepdf.open(pdf_file) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        elements = list(_elements(pdf.Root.StructTreeRoot))
        read = {
            kind: [_text_of(e, 0, pages, texts) for e in elements if kind == e.S]
            for kind in ("/H1", "/H2", "/H3")
        }
        tables = [
            [_text_of(cell, 0, pages, texts) for cell in _elements(table) if cell.S == "/TH"]
            for table in elements
            if table.S == "/Table"
        ]
    blocks = [
        part
        for section in laid_out.sections
        for block in section.blocks
        for part in (block.blocks() if isinstance(block, Basis) else (block,))
    ]
    assert read["/H1"] == [laid_out.title]
    assert read["/H2"] == [section.heading for section in laid_out.sections]
    assert read["/H3"] == [block.text for block in blocks if isinstance(block, Heading)]
    headers = [list(block.header) for block in blocks if isinstance(block, Table)]
    # one Table a page: each page's part of a table repeats its header cells
    assert [header for header, _ in itertools.groupby(tables)] == [
        header for header, _ in itertools.groupby(headers)
    ]
