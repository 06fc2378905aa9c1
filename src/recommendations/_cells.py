"""Text in a spreadsheet cell, written so that reading it back gives exactly the same text.

One rule serves the exports (the writer) and the spreadsheet import (the reader):

- **Reading.** A cell is trimmed: each line loses its trailing spaces, the whole its leading
  and trailing blank lines and spaces, and a carriage return before a line feed goes. But
  a cell that starts with an apostrophe (``'``) is read as exactly what follows it,
  trimmed of nothing.
- **Writing.** A text is written as it is, unless trimming would change it, or it starts
  with an apostrophe, or (in a CSV file) it starts like a spreadsheet formula (``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return): then it is written after an
  apostrophe. In a CSV file, the apostrophe is also what stops a spreadsheet running the
  cell as a formula.

In a workbook (``.xlsx``), a character that XML cannot hold (a control character, a
carriage return, U+FFFE, U+FFFF) is written as the Office Open XML escape ``_xHHHH_``, its
code in four hexadecimal digits, and a text that holds ``_xHHHH_`` itself has its
underscore written ``_x005F_``; Excel reads these escapes back as the characters, and so
does the import.

>>> written("=SUM(A1)", formulas=True), read("'=SUM(A1)")
("'=SUM(A1)", '=SUM(A1)')
>>> written(" Head of Crime ", formulas=False), read(" Head of Crime "), read("' Head of Crime ")
("' Head of Crime ", 'Head of Crime', ' Head of Crime ')
>>> escaped("bell\\x07 and _x0041_"), unescaped("bell_x0007_ and _x005F_x0041_")
('bell_x0007_ and _x005F_x0041_', 'bell\\x07 and _x0041_')
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MAX_SHEET_ROWS",
    "QUOTE",
    "continued_sheet",
    "escaped",
    "read",
    "trimmed",
    "unescaped",
    "written",
]

QUOTE: Final = "'"
"""The mark that starts a cell read as written."""

MAX_SHEET_ROWS: Final = 1_048_575
"""The most records one worksheet holds below its header row: a worksheet has 1,048,576
rows (Excel's limit, which LibreOffice shares). An export with more continues them on
sheets named by :func:`continued_sheet`, and the import reads those on."""


def continued_sheet(name: str, part: int) -> str:
    """The name of the ``part``-th worksheet of the records of sheet ``name`` (the first is
    ``name`` itself).

    >>> continued_sheet("Trail", 1), continued_sheet("Trail", 2)
    ('Trail', 'Trail (2)')
    """
    return name if part == 1 else f"{name} ({part})"


_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")

# What XML 1.0 cannot hold (and a carriage return, which XML reads as a line feed), and a
# text that already looks like an escape; surrogates cannot be written as UTF-8 at all.
_UNWRITABLE: Final = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPE: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")


def trimmed(text: str) -> str:
    """``text`` as a cell is read unless it starts with an apostrophe: each line without
    its trailing spaces, the whole without leading and trailing blanks, CR LF read as LF."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def written(text: str, *, formulas: bool) -> str:
    """``text`` as written in a cell: after an apostrophe where :func:`read` needs one to
    give it back exactly (or, with ``formulas``, where it starts like a formula)."""
    if text.startswith(QUOTE) or trimmed(text) != text or (formulas and text.startswith(_FORMULA)):
        return QUOTE + text
    return text


def read(cell: str) -> str:
    """The text a cell's ``cell`` stands for: after an apostrophe, exactly what follows it;
    otherwise the cell trimmed (see :func:`trimmed`)."""
    if cell.startswith(QUOTE):
        return cell[len(QUOTE) :]
    return trimmed(cell)


def escaped(text: str) -> str:
    """``text`` with what a workbook cannot hold written as ``_xHHHH_``."""
    return _UNWRITABLE.sub(lambda found: f"_x{ord(found.group()):04X}_", text)


def unescaped(text: str) -> str:
    """A workbook cell's text with each ``_xHHHH_`` read as its character."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(_character, text)


def _character(found: re.Match[str]) -> str:
    code = int(found.group(1), 16)
    return found.group() if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogate
