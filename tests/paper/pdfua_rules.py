"""A check of a PDF against the machine-checkable rules of PDF/UA-1 (ISO 14289-1) that the
committee paper must meet, read with pikepdf.

The ``pdfua`` package checks a subset (16 of veraPDF's 106 rules); this adds the rules it
leaves out that a paper of headings, lists, tables and a chart can break: every piece of
content is tagged or an artifact and its tag is in the structure tree, the tree is read in
the order of the pages, headings do not skip a level, tables have header cells with a scope,
lists have items with bodies, figures have alternative text, and every font is embedded.
Each finding names its rule (the clause of ISO 14289-1, or of ISO 32000-1 it refers to).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf

_TEXT = {"Tj", "TJ", "'", '"'}
_PAINT = _TEXT | {"Do", "sh", "BI"}


def _name(value: Any) -> str:
    return str(value) if value is not None else ""


def _kids(element: pikepdf.Dictionary) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_elem(item: Any) -> bool:
    return isinstance(item, pikepdf.Dictionary) and "/S" in item


def _walk(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    """The structure elements under ``element``, in the order of the tree."""
    for kid in _kids(element):
        if _is_elem(kid):
            yield kid
            yield from _walk(kid)


def _marked(root: pikepdf.Dictionary, pages: dict[Any, int]) -> Iterator[tuple[int, int]]:
    """The (page, MCID) of each piece of marked content the tree holds, in tree order."""

    def visit(element: pikepdf.Dictionary, page: int | None) -> Iterator[tuple[int, int]]:
        here = element.get("/Pg")
        if here is not None:
            page = pages.get(here.objgen, page)
        for kid in _kids(element):
            if isinstance(kid, int):
                if page is not None:
                    yield page, int(kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                at = kid.get("/Pg")
                yield (pages.get(at.objgen, page) if at is not None else page or 0), int(kid.MCID)
            elif _is_elem(kid):
                yield from visit(kid, page)

    yield from visit(root, None)


def _content(pdf: pikepdf.Pdf, findings: list[str]) -> dict[int, set[int]]:
    """Each page's MCIDs; a finding for each page that paints outside marked content."""
    used: dict[int, set[int]] = {}
    for number, page in enumerate(pdf.pages):
        stack: list[tuple[str, int | None]] = []
        loose = 0
        mcids: set[int] = set()
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BMC", "BDC"):
                tag = str(operands[0])
                mcid = None
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    found = operands[1].get("/MCID")
                    mcid = int(found) if found is not None else None
                if mcid is not None:
                    mcids.add(mcid)
                stack.append((tag, mcid))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in _PAINT:
                covered = any(tag == "/Artifact" or mcid is not None for tag, mcid in stack)
                loose += not covered
        if loose:
            findings.append(
                f"7.1-3 page {number + 1}: {loose} painting operators are neither tagged "
                "content nor an artifact"
            )
        used[number] = mcids
    return used


def _fonts(pdf: pikepdf.Pdf, findings: list[str]) -> None:
    seen: set[tuple[int, int]] = set()

    def check(font: pikepdf.Dictionary) -> None:
        if font.objgen in seen and font.objgen != (0, 0):
            return
        seen.add(font.objgen)
        subtype = _name(font.get("/Subtype"))
        if subtype == "/Type0":
            for descendant in font.get("/DescendantFonts", []):
                check(descendant)
            return
        if subtype == "/Type3":
            return
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            findings.append(f"7.21.4.1: font {_name(font.get('/BaseFont'))} is not embedded")

    for page in pdf.pages:
        resources = page.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        for key in fonts.keys() if fonts is not None else ():
            check(fonts[key])


def check(path: Path) -> list[str]:
    """The rules ``path`` breaks, one finding each (empty if it breaks none)."""
    findings: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        info = pdf.docinfo
        mark = root.get("/MarkInfo")
        if mark is None or not bool(mark.get("/Marked", False)):
            findings.append("6.2-1: the catalog's /MarkInfo does not say /Marked true")
        if not str(root.get("/Lang", "")).strip():
            findings.append("7.2-33: the document declares no natural language (/Lang)")
        if not str(info.get("/Title", "")).strip():
            findings.append("7.1-9: the document has no title")
        viewer = root.get("/ViewerPreferences")
        if viewer is None or not bool(viewer.get("/DisplayDocTitle", False)):
            findings.append("7.1-10: /ViewerPreferences does not ask to display the title")
        with pdf.open_metadata() as meta:
            if str(meta.get("pdfuaid:part", "")) != "1":
                findings.append("5-1: the XMP metadata does not identify the file as PDF/UA-1")
        _fonts(pdf, findings)
        used = _content(pdf, findings)
        tree = root.get("/StructTreeRoot")
        if tree is None:
            findings.append("7.1-11: the document has no structure tree")
            return findings
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        order = list(_marked(tree, pages))
        for number, mcids in used.items():
            missing = mcids - {mcid for page, mcid in order if page == number}
            if missing:
                findings.append(
                    f"7.1-3 page {number + 1}: {len(missing)} marked contents belong to no "
                    "structure element of the tree"
                )
        if [page for page, _ in order] != sorted(page for page, _ in order):
            findings.append("7.1-2: the structure tree is not read in the order of the pages")
        elements = list(_walk(tree))
        kinds = [_name(element.get("/S")) for element in elements]
        levels = [int(kind[2]) for kind in kinds if len(kind) == 3 and kind[:2] == "/H"]
        if not levels or levels[0] != 1:
            findings.append("7.4.2-1: the first heading is not H1")
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                findings.append(f"7.4.2-1: heading H{before} is followed by H{after}")
        for element in elements:
            kind = _name(element.get("/S"))
            if kind in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6") and not _kids(element):
                findings.append(f"7.4.2-1: an empty heading ({kind[1:]})")
            if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
                findings.append("7.3-1: a Figure has no alternative text (/Alt)")
            elif kind == "/Table":
                _table(element, findings)
            elif kind == "/L":
                items = [_name(kid.get("/S")) for kid in _kids(element) if _is_elem(kid)]
                if not items or any(item not in ("/LI", "/Caption", "/L") for item in items):
                    findings.append("7.6-1: a list (L) holds other than list items (LI)")
            elif kind == "/LI":
                parts = [_name(kid.get("/S")) for kid in _kids(element) if _is_elem(kid)]
                if "/LBody" not in parts:
                    findings.append("7.6-1: a list item (LI) has no body (LBody)")
        if "/H1" not in kinds:
            findings.append("7.4.2-1: no H1 heading")
        if "/Table" not in kinds:
            findings.append("7.5-1: no table is tagged as a Table")
    return findings


def _table(table: pikepdf.Dictionary, findings: list[str]) -> None:
    rows = []
    for kid in _kids(table):
        if not _is_elem(kid):
            continue
        kind = _name(kid.get("/S"))
        if kind == "/TR":
            rows.append(kid)
        elif kind in ("/THead", "/TBody", "/TFoot"):
            rows.extend(row for row in _kids(kid) if _is_elem(row))
    if not rows or any(_name(row.get("/S")) != "/TR" for row in rows):
        findings.append("7.5-1: a Table's rows are not TR elements")
        return
    cells = [cell for row in rows for cell in _kids(row) if _is_elem(cell)]
    headers = [cell for cell in cells if _name(cell.get("/S")) == "/TH"]
    if not headers:
        findings.append("7.5-1: a Table has no header cell (TH)")
    for cell in cells:
        kind = _name(cell.get("/S"))
        if kind not in ("/TH", "/TD"):
            findings.append(f"7.5-1: a table row holds a {kind[1:]}, not TH or TD")
        elif kind == "/TH":
            attributes = cell.get("/A")
            scope = attributes.get("/Scope") if isinstance(attributes, pikepdf.Dictionary) else None
            if _name(scope) not in ("/Row", "/Column", "/Both"):
                findings.append("7.5-2: a header cell (TH) has no /Scope")
