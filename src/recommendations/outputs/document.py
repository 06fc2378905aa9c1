"""The document model every format that lays text out is written from: a title, lines
under it, sections of headings, paragraphs, lists, tables with header cells, figures with
alternative text and a basis block, and a footer, before any format is chosen.

The committee paper (:mod:`recommendations.paper`), the register and the audit trail are
each laid out once as a :class:`Document`; the Markdown, HTML and PDF writers
(:mod:`recommendations.outputs.markdown`, :mod:`~recommendations.outputs.html`,
:mod:`~recommendations.outputs.pdf`) each turn any document into their format, so that
they always say the same thing. Text here is plain: each writer escapes it.

>>> doc = Document(
...     title="Register",
...     lines=(),
...     version="",
...     sections=(
...         Section("rows", "Recommendations", (
...             Basis("As at 30 March 2017, as known at 10 April 2017 09:00 UTC."),
...             Table(header=("Reference", "Grade"), rows=((Cell("2.16"), Cell("Amber")),),
...                   widths=(1.0, 1.0)),
...         )),
...     ),
...     footer="Register",
... )
>>> [type(block).__name__ for block in doc.sections[0].blocks]
['Basis', 'Table']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = [
    "Basis",
    "Block",
    "Bullets",
    "Cell",
    "Document",
    "Figure",
    "Heading",
    "Paragraph",
    "Section",
    "Table",
    "checkpoint_facts",
]


@frozen
class Heading:
    """A heading within a section (the section's own is its ``heading``)."""

    text: str


@frozen
class Paragraph:
    text: str
    note: bool = False
    """A note is set smaller, as an aside."""


@frozen
class Bullets:
    """A list of items, in order."""

    items: tuple[str, ...]


@frozen
class Cell:
    """A table cell; lines are separated by ``\\n``; ``colour`` (``#rrggbb``) marks a
    grade."""

    text: str
    colour: str | None = None


@frozen
class Table:
    """A table: ``header`` is its row of header cells (each heads its column), ``rows``
    its body."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    """Relative column widths."""


@frozen
class Figure:
    """A figure (the paper's chart): where it goes, and what it shows in words, which is
    its caption and its alternative text."""

    caption: str


@frozen
class Basis:
    """What a document is true of, in words (``text``), and where a checkpoint of the log
    is stated, its facts (``checkpoint``: ``(name, value)`` pairs, shown as a table headed
    "Checkpoint", "Value")."""

    text: str
    checkpoint: tuple[tuple[str, str], ...] = ()

    def blocks(self) -> tuple[Paragraph | Table, ...]:
        """The paragraph and table a writer sets the basis as."""
        if not self.checkpoint:
            return (Paragraph(self.text),)
        table = Table(
            header=("Checkpoint", "Value"),
            rows=tuple((Cell(name), Cell(value)) for name, value in self.checkpoint),
            widths=(1.5, 6.0),
        )
        return (Paragraph(self.text), table)


def checkpoint_facts(stated: LogCheckpoint) -> tuple[tuple[str, str], ...]:
    """The facts of a checkpoint of the log a :class:`Basis` shows: its fingerprint, the
    log's origin, how many entries it covers and its root hash."""
    return (
        ("Fingerprint", stated.fingerprint),
        ("Log", stated.origin),
        ("Entries", str(stated.size)),
        ("Root hash", stated.root),
    )


Block = Heading | Paragraph | Bullets | Table | Figure | Basis


@frozen
class Section:
    key: str
    """An identifier for anchors: lower case letters and hyphens."""
    heading: str
    blocks: tuple[Block, ...]


@frozen
class Document:
    title: str
    lines: tuple[str, ...]
    """Under the title: for the paper, the meeting, the basis, whom it is for."""
    version: str
    """``Full version`` (for the body itself), ``Oversight version`` or ``Public version``."""
    sections: tuple[Section, ...]
    footer: str
