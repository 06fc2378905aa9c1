"""A document (the committee paper, a register, a trail) as a PDF, with fpdf2: A4
portrait, real text, page numbers, tables that carry their headings over page breaks, and
the chart as a PNG image.

Text is set in DejaVu Sans, the Unicode font matplotlib ships, so that any character in
the log (typographic quotes, dashes, accents, other scripts it covers) prints. Where that
font cannot be found, it falls back to the PDF core font Helvetica and prints each character
that font lacks as its nearest plain equivalent, or ``?``.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from fpdf import FPDF, FPDF_VERSION
from fpdf.fonts import FontFace
from fpdf.table import Row

from .document import Bullets, Cell, Document, Figure, Heading, Paragraph, Simple, Table, simple

__all__ = ["font_files", "render_pdf"]

_FAMILY = "DejaVu"
_CORE = "Helvetica"
_INK = (38, 50, 56)
_HEAD = (236, 239, 241)
_RULE = (176, 190, 197)
_MARGIN = 15.0
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u2192": "->",
        "\u00a0": " ",
    }
)


def font_files() -> dict[str, Path] | None:
    """DejaVu Sans regular, bold and oblique, from matplotlib's data, if all are there."""
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {
        "": folder / "DejaVuSans.ttf",
        "B": folder / "DejaVuSans-Bold.ttf",
        "I": folder / "DejaVuSans-Oblique.ttf",
    }
    return files if all(path.is_file() for path in files.values()) else None


class _Paper(FPDF):
    """A4 portrait, with the paper's footer and page numbers on every page."""

    def __init__(self, footer: str, fonts: dict[str, Path] | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.paper_unicode = fonts is not None
        self.paper_family = _FAMILY if fonts is not None else _CORE
        for style, path in (fonts or {}).items():
            self.add_font(_FAMILY, style, str(path))
        self.footer_text = self.plain(footer)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*_INK)
        self.set_draw_color(*_RULE)

    def plain(self, text: str) -> str:
        """``text`` as the font in use can print it."""
        if self.paper_unicode:
            return text
        return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")

    def use(self, size: float, style: str = "") -> None:
        self.set_font(self.paper_family, style, size)

    def footer(self) -> None:
        self.set_y(-13)
        self.use(7.5)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm is left on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def paragraph(self, text: str, *, size: float = 9.5, style: str = "", gap: float = 1.5) -> None:
        self.use(size, style)
        self.multi_cell(0, size * 0.5, self.plain(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def _heading(pdf: _Paper, text: str, *, level: int) -> None:
    pdf.room(32 if level == 0 else 34)
    if level == 0:
        pdf.ln(3)
        pdf.start_section(pdf.plain(text), level=0)
        pdf.paragraph(text, size=13, style="B", gap=0.5)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2.5)
    else:
        pdf.ln(1)
        pdf.start_section(pdf.plain(text), level=1)
        pdf.paragraph(text, size=10.5, style="B", gap=1)


def _tint(colour: str) -> tuple[int, int, int]:
    """A light version of ``colour`` to fill a cell behind dark text."""
    rgb = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    r, g, b = (round(255 - (255 - channel) * 0.4) for channel in rgb)
    return r, g, b


_LINE = 3.9
"""The height of a line of a table, in mm."""
_PADDING = (1.0, 1.2, 1.0, 1.2)


def _table(pdf: _Paper, table: Table) -> None:
    if table.caption:
        pdf.paragraph(table.caption)
    pdf.room(16)
    widths = [pdf.epw * width / sum(table.widths) for width in table.widths]
    pdf.use(8, "B")
    heading_lines = max(
        len(_lines(pdf, text, width)) for text, width in zip(table.header, widths, strict=True)
    )
    pdf.use(8)
    # The lines a row may hold: a page's, less the headings repeated on it, and a margin.
    room = pdf.page_break_trigger - pdf.t_margin - (heading_lines + 2) * _LINE - 4 * _PADDING[0]
    most = max(int(room / _LINE) - 2, 1)
    heading = FontFace(emphasis="BOLD", fill_color=_HEAD)
    with pdf.table(
        col_widths=table.widths,
        width=pdf.epw,
        text_align="LEFT",
        v_align="TOP",
        line_height=_LINE,
        padding=_PADDING,
        headings_style=heading,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as layout:
        top = layout.row()
        for text in table.header:
            top.cell(pdf.plain(text))
        for cells in table.rows:
            for piece in _pieces(pdf, cells, widths, most):
                row = layout.row()
                for cell in piece:
                    _cell(pdf, row, cell)
    pdf.ln(3)


def _lines(pdf: _Paper, text: str, width: float) -> list[str]:
    """``text`` as the lines it takes in a table cell ``width`` mm wide, in the font in use."""
    inner = width - _PADDING[1] - _PADDING[3]
    lines = pdf.multi_cell(inner, _LINE, pdf.plain(text), dry_run=True, output="LINES", padding=0)
    return [str(line) for line in lines] if isinstance(lines, list) else [pdf.plain(text)]


def _surely_fits(pdf: _Paper, text: str, width: float, most: int) -> bool:
    """Whether ``text`` takes at most ``most`` lines, by a quick upper bound: breaking text
    into lines costs far more than measuring its width (each line wastes at most a word)."""
    inner = width - _PADDING[1] - _PADDING[3]
    longest = max((len(word) for word in text.split()), default=0)
    waste = pdf.get_string_width("W" * min(longest, 40))
    bound = text.count("\n") + 1 + pdf.get_string_width(pdf.plain(text)) / max(inner - waste, 1)
    return bound <= most


def _pieces(
    pdf: _Paper, cells: tuple[Cell, ...], widths: list[float], most: int
) -> list[tuple[Cell, ...]]:
    """A row as the rows it is printed as: itself if it fits on a page, else one piece per
    ``most`` lines of its tallest cell, each cell's text carried on from piece to piece (a
    table row cannot be broken across pages, so a row taller than a page is split)."""
    if all(
        _surely_fits(pdf, cell.text, width, most) for cell, width in zip(cells, widths, strict=True)
    ):
        return [cells]
    lines = [_lines(pdf, cell.text, width) for cell, width in zip(cells, widths, strict=True)]
    tallest = max((len(each) for each in lines), default=0)
    if tallest <= most:
        return [cells]
    pieces = []
    for start in range(0, tallest, most):
        piece = [
            Cell("\n".join(each[start : start + most]), cell.colour)
            for cell, each in zip(cells, lines, strict=True)
        ]
        if start and not piece[0].text:
            piece[0] = Cell(f"{lines[0][0] if lines[0] else ''} (continued)", cells[0].colour)
        pieces.append(tuple(piece))
    return pieces


def _cell(pdf: _Paper, row: Row, cell: Cell) -> None:
    if cell.colour is None:
        row.cell(pdf.plain(cell.text))
    else:
        row.cell(pdf.plain(cell.text), style=FontFace(fill_color=_tint(cell.colour)))


def _block(pdf: _Paper, block: Simple, chart_png: bytes) -> None:
    if isinstance(block, Heading):
        _heading(pdf, block.text, level=1)
    elif isinstance(block, Paragraph):
        if block.note:
            pdf.paragraph(block.text, size=8.5, style="I")
        else:
            pdf.paragraph(block.text)
    elif isinstance(block, Bullets):
        for item in block.items:
            pdf.use(9.5)
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, 4.75, "-" if not pdf.paper_unicode else "\u2022")
            pdf.multi_cell(0, 4.75, pdf.plain(item), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
        pdf.ln(1.5)
    elif isinstance(block, Table):
        _table(pdf, block)
    elif isinstance(block, Figure):
        width = pdf.epw
        height = width / 2  # the chart is drawn twice as wide as it is high
        pdf.room(height + 12)
        pdf.image(io.BytesIO(chart_png), w=width, h=height, alt_text=pdf.plain(block.caption))
        pdf.paragraph(block.caption, size=8, style="I", gap=3)


def render_pdf(
    doc: Document,
    *,
    chart_png: bytes,
    created: datetime,
    unicode_font: bool = True,
) -> bytes:
    """``doc`` as PDF bytes, with the chart ``chart_png``; ``created`` is its creation date
    (the paper's basis, so that the same paper gives the same file). With ``unicode_font``
    it sets text in DejaVu Sans if matplotlib's copy is found, else in the core font."""
    files = font_files() if unicode_font else None
    pdf = _Paper(doc.footer, files)
    pdf.set_title(pdf.plain(doc.title))
    pdf.set_subject(pdf.plain(doc.lines[0]) if doc.lines else "")
    pdf.set_creator("recommendations")
    pdf.set_producer(f"fpdf2 {FPDF_VERSION}")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(created)
    pdf.add_page()

    pdf.paragraph(doc.title, size=17, style="B", gap=2)
    for index, line in enumerate(doc.lines):
        last = index == len(doc.lines) - 1
        pdf.paragraph(line, size=9.5, style="B" if last else "", gap=0.8)
    pdf.ln(2)
    for section in doc.sections:
        _heading(pdf, section.heading, level=0)
        for block in section.blocks:
            for part in simple(block):
                _block(pdf, part, chart_png)
    return bytes(pdf.output())
