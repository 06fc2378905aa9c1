"""The committee paper as a tagged PDF (PDF/UA-1), made with WeasyPrint from the paper's own
accessible HTML page.

The HTML page already says what every part of the paper is: its language and title, one
``h1``, a ``h2`` to each section and ``h3`` within, lists, tables whose header cells are
``th scope="col"``, and the chart as a figure with its caption as its text alternative.
WeasyPrint lays that page out on A4 and writes its structure as the PDF's tags, in reading
order, with every font embedded, decoration (rules, cell borders) marked as artifacts and
the PDF/UA identification in its XMP metadata. This module adds what the HTML cannot say to
WeasyPrint: the scope of each header cell (``/Scope /Column``), and the fonts matplotlib
ships, so that the paper prints the same on a machine without DejaVu Sans installed.

WeasyPrint needs the Pango library (``libpango-1.0-0``, ``libpangoft2-1.0-0``,
``libharfbuzz-subset0`` on Debian). Where it or they are missing, :func:`missing` says why,
and the paper falls back to the fpdf2 renderer (:mod:`._fpdf`), which is pure Python but tags
only the document and its figure.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from typing import TYPE_CHECKING, Any

from recommendations._logging import paper as _log

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["missing", "render_tagged_pdf"]


@functools.cache
def missing() -> str | None:
    """Why WeasyPrint cannot render the paper here (not installed, or its system libraries
    not found), or ``None`` if it can."""
    try:
        with warnings.catch_warnings():
            # Without the optional HarfBuzz-Subset library, WeasyPrint warns on import
            # that a later release will need it; it subsets fonts with fontTools instead.
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint  # noqa: F401
    except ImportError:
        return "WeasyPrint is not installed"
    except OSError as error:  # cffi could not open Pango or one of its libraries
        return f"WeasyPrint cannot load its system libraries ({error})"
    return None


_OUTLINE = "h1 { bookmark-level: none } h2 { bookmark-level: 1 } h3 { bookmark-level: 2 }"
"""The PDF's outline (bookmarks): the sections, and the headings within them."""


def _print_style() -> str:
    """The style the PDF adds to the page's: its outline, and ``@font-face`` rules for
    DejaVu Sans from matplotlib's data, if it is there."""
    from ._fpdf import font_files

    files = font_files() or {}
    styles = {"": ("normal", "normal"), "B": ("normal", "bold"), "I": ("italic", "normal")}
    faces = [
        f'@font-face {{ font-family: "DejaVu Sans"; src: url("{path.as_uri()}"); '
        f"font-style: {styles[style][0]}; font-weight: {styles[style][1]}; }}"
        for style, path in files.items()
    ]
    return "\n".join([*faces, _OUTLINE])


def _scope_headers(objects: Iterable[Any]) -> None:
    """Give every table header cell ``/Scope /Column``: the paper's tables have one row of
    column headings (``th scope="col"``), which WeasyPrint ties to their cells by ``/ID``
    and ``/Headers`` only."""
    import pydyf

    for item in objects:
        if isinstance(item, pydyf.Dictionary) and item.get("S") == "/TH":
            attributes = item.get("A")
            if not isinstance(attributes, pydyf.Dictionary):
                attributes = item["A"] = pydyf.Dictionary({"O": "/Table"})
            attributes["Scope"] = "/Column"


def _number(reference: Any) -> int | None:
    """The object number of a pydyf reference (``b"12 0 R"``), else ``None``."""
    if isinstance(reference, bytes | str):
        head = (reference.decode("ascii") if isinstance(reference, bytes) else reference).split()
        if len(head) == 3 and head[2] == "R" and head[0].isdigit():
            return int(head[0])
    return None


def _reachable(objects: list[Any], start: int) -> set[int]:
    """The objects of the structure tree from ``start``, through each element's ``K``."""
    import pydyf

    seen: set[int] = set()
    todo = [start]
    while todo:
        number = todo.pop()
        if number in seen:
            continue
        seen.add(number)
        kids = objects[number].get("K") if isinstance(objects[number], pydyf.Dictionary) else None
        if isinstance(kids, pydyf.Array):
            todo.extend(n for n in map(_number, kids) if n is not None)
        elif (n := _number(kids)) is not None:
            todo.append(n)
    return seen


def _pagination_as_artifacts(pdf: Any) -> None:
    """Mark the page numbers (CSS margin boxes) as pagination artifacts.

    WeasyPrint tags the text of margin boxes as content, but leaves its elements out of the
    structure tree (in PDF/UA-1, whose PDF 1.7 has no artifact elements): content that no
    element of the tree holds. Here it becomes an ``/Artifact`` of type ``/Pagination``, as
    PDF/UA-1 wants page numbers, and leaves the structure tree's parent tree."""
    import pydyf

    objects = pdf.objects
    tree = _number(pdf.catalog.get("StructTreeRoot"))
    if tree is None:
        return
    reachable = _reachable(objects, tree)
    parents = objects[_number(objects[tree]["ParentTree"])]["Nums"]
    for index, page_reference in enumerate(pdf.page_references):
        mapping = parents[2 * index + 1]
        orphans = {
            mcid for mcid, element in enumerate(mapping) if _number(element) not in reachable
        }
        if not orphans:
            continue
        page = objects[_number(page_reference)]
        stream = objects[_number(page["Contents"])].stream
        for position, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans:
                stream[position - 1] = "/Artifact"
                stream[position] = pydyf.Dictionary({"Type": "/Pagination"})
        for mcid in orphans:
            mapping[mcid] = b"null"
        _log.debug("page %d: %d page number texts marked as artifacts", index + 1, len(orphans))


def _finish(pdf: Any) -> None:
    _scope_headers(pdf.objects)
    _pagination_as_artifacts(pdf)


def render_tagged_pdf(html: str) -> bytes:
    """``html`` (the paper's page, from :func:`._html.render_html`) as a tagged PDF/UA-1
    file on A4. The same page gives the same bytes: its creation date is the page's
    ``dcterms.created`` and its identifier is taken from the page."""
    from weasyprint import CSS, HTML

    _log.debug("rendering the tagged PDF with WeasyPrint")
    document = HTML(string=html).render(stylesheets=[CSS(string=_print_style())])
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    data = document.write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=identifier,
        finisher=lambda _document, pdf: _finish(pdf),
    )
    return bytes(data)  # with no target, WeasyPrint returns the file's bytes
