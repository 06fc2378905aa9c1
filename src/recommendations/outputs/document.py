"""The document model every format that lays text out is written from: a title, lines
under it, sections of headings, paragraphs, lists, tables with header cells, figures with
alternative text and a basis block, and a footer, before any format is chosen.

The committee paper (:mod:`recommendations.paper`), the register, the audit trail and one
recommendation's history are each laid out once as a :class:`Document` (the paper by
:meth:`CommitteePaper.document <recommendations.paper.CommitteePaper.document>`, the others
by :func:`view_document`); the Markdown, HTML and PDF writers
(:mod:`recommendations.outputs.markdown`, :mod:`~recommendations.outputs.html`,
:mod:`~recommendations.outputs.pdf`) each turn any document into their format, so that
they always say the same thing. Text here is plain: each writer escapes it.

A table's rows may be :class:`Rows`, read once as they are written: a register or a trail
of a million rows is laid out as a document without holding its rows, and the Markdown and
HTML writers write it a block (and a thousand rows) at a time, so that the memory they take
does not grow with it. A :class:`Count` after such a table says how many rows it had.

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

import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from attrs import frozen

from recommendations._errors import ConfigurationError

from ._common import cell_text, is_register, records, summary_columns
from ._records import AnyView, Column, Record, basis_sentence

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = [
    "Basis",
    "Block",
    "Bullets",
    "Cell",
    "Count",
    "Document",
    "Figure",
    "Heading",
    "Paragraph",
    "Rows",
    "Section",
    "Simple",
    "Table",
    "checkpoint_facts",
    "simple",
    "view_document",
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


class Rows:
    """The rows of a table read once, as they are written, and counted as they go: a
    table of as many rows as a log holds is written without holding them.

    >>> rows = Rows((Cell(str(n)),) for n in range(3))
    >>> [row[0].text for row in rows], rows.count
    (['0', '1', '2'], 3)
    >>> list(rows)
    Traceback (most recent call last):
    ...
    recommendations.domain._errors.ConfigurationError: field 'rows': rule 'rows-read-once': a table's rows are read once, as they are written; these were read already
    """  # noqa: E501

    def __init__(self, rows: Iterable[tuple[Cell, ...]]) -> None:
        self._rows = iter(rows)
        self._read = False
        self.count = 0
        """How many rows have been read so far (all of them, once the table is written)."""

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        if self._read:
            raise ConfigurationError(
                "a table's rows are read once, as they are written; these were read already",
                field="rows",
                rule="rows-read-once",
            )
        self._read = True
        return self._counted()

    def _counted(self) -> Iterator[tuple[Cell, ...]]:
        for row in self._rows:
            self.count += 1
            yield row


@frozen
class Table:
    """A table: ``header`` is its row of header cells (each heads its column), ``rows``
    its body (held, or :class:`Rows` read once as the table is written), ``caption`` what
    it shows, in words (a writer sets it with the table: HTML as its ``caption``)."""

    header: tuple[str, ...]
    rows: Iterable[tuple[Cell, ...]]
    widths: tuple[float, ...]
    """Relative column widths."""
    caption: str = ""


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


@frozen
class Count:
    """How many rows the table of ``rows`` had, as a paragraph after it (``66 rows.``): its
    rows are counted as they are written, so it is known only once the table is."""

    rows: Rows
    one: str = "row"
    many: str = "rows"

    def paragraph(self) -> Paragraph:
        """The paragraph a writer sets the count as, once the table is written."""
        count = self.rows.count
        return Paragraph(f"{count} {self.one if count == 1 else self.many}.")


Simple = Heading | Paragraph | Bullets | Table | Figure
"""The blocks a writer sets: every other block is set as some of these (:func:`simple`)."""

Block = Heading | Paragraph | Bullets | Table | Figure | Basis | Count


def simple(block: Block) -> Iterator[Simple]:
    """``block`` as the simple blocks a writer sets, in order, each made when it is
    reached (a :class:`Count` after its table is written): a :class:`Basis` as its
    paragraph and checkpoint table, a :class:`Count` as its paragraph, any other block as
    itself.

    >>> [type(part).__name__ for part in simple(Basis("As at today.", (("Log", "x"),)))]
    ['Paragraph', 'Table']
    """
    if isinstance(block, Basis):
        yield from block.blocks()
    elif isinstance(block, Count):
        yield block.paragraph()
    else:
        yield block


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


_WIDE = {"text": 5.0, "details": 4.0, "reason": 3.0, "changes": 3.0, "report": 2.0}
"""Relative widths of the columns that hold the most text; the others are 1.2."""


def view_document(view: AnyView, title: str, checkpoint: LogCheckpoint | None = None) -> Document:
    """A register or a trail (the whole log's, or one recommendation's history) laid out
    as a document: the title, a table of the columns a reader's table shows, captioned
    with the basis, and how many rows it has. With ``checkpoint`` (the log's checkpoint at
    the view's basis position), and for a view with no rows (which shows no table), the
    basis comes before, as a :class:`Basis`, with the checkpoint's facts.

    The table's rows are :class:`Rows`, made as the view's rows come: the document is
    written once, and a streamed view is never held whole.

    >>> from datetime import UTC, date, datetime
    >>> from recommendations import views
    >>> basis = views.Basis(as_at=date(2017, 3, 30),
    ...                     known_at=datetime(2017, 4, 10, 9, tzinfo=UTC), position=0)
    >>> doc = view_document(views.Register(basis=basis, rows=()), "Register")
    >>> [type(block).__name__ for block in doc.sections[0].blocks]
    ['Basis', 'Count']
    >>> doc.sections[0].blocks[0].text[:22]
    'As at 2017-03-30, as k'
    """
    facts = () if checkpoint is None else checkpoint_facts(checkpoint)
    return table_document(
        title,
        basis_sentence(view),
        summary_columns(view),
        records(view, basis=False),
        noun="Recommendations" if is_register(view) else "Entries",
        facts=facts,
    )


def table_document(
    title: str,
    sentence: str,
    columns: Sequence[Column],
    listed: Iterable[Record],
    *,
    noun: str = "Entries",
    facts: tuple[tuple[str, str], ...] = (),
) -> Document:
    """A table of ``columns`` of the records ``listed`` laid out as :func:`view_document`
    lays out a view: ``title``, the table captioned with the basis ``sentence`` (or the
    basis before it, as a :class:`Basis` with the checkpoint's ``facts``, if given, or if
    there is no record) in a section headed ``noun``, and how many rows it has."""
    listed = iter(listed)
    first = next(listed, None)  # whether it has any row: an empty view shows no table
    rows = Rows(
        tuple(Cell(cell_text(record, column.key)) for column in columns)
        for record in itertools.chain(() if first is None else (first,), listed)
    )
    captioned = first is not None and not facts
    table = Table(
        header=tuple(column.title for column in columns),
        rows=rows,
        widths=tuple(_WIDE.get(column.key, 1.2) for column in columns),
        caption=sentence if captioned else "",
    )
    lead = () if captioned else (Basis(sentence, checkpoint=facts),)
    shows = () if first is None else (table,)
    return Document(
        title=title,
        lines=(),
        version="",
        sections=(Section("rows", noun, (*lead, *shows, Count(rows))),),
        footer=title,
    )


def former_page(
    name: str, instead: str, render: Callable[[Document], str]
) -> Callable[[str, str, Sequence[Column], Iterable[Record]], str]:
    """A deprecated page function ``name`` (``module.function``) with its former arguments
    ``(title, sentence, columns, records)``: the table laid out by :func:`table_document`
    and written by ``render``, with a :class:`DeprecationWarning` naming ``instead``."""

    def page(
        title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
    ) -> str:
        warnings.warn(
            f"{name} is deprecated: lay the page out as a Document "
            f"(recommendations.outputs.document.view_document) and write it with {instead}",
            DeprecationWarning,
            stacklevel=2,
        )
        return render(table_document(title, sentence, columns, records))

    page.__name__ = name.rpartition(".")[2]
    page.__doc__ = (
        f"Deprecated: a table of ``columns`` of ``records`` under ``title``, captioned with "
        f"the basis ``sentence``, laid out as a document and written by :func:`{instead}`, "
        "which is what to call instead."
    )
    return page
