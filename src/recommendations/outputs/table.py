"""A table for reading on a terminal (through ``rich``), or as plain text in a file or a
pipe (``.txt``): the main columns of a register or a trail, captioned with the basis.

Every text is given to ``rich`` as text, never as markup: a reason or an owner that holds
``[red]`` or ``[struck out by entry 3]`` shows as typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from recommendations import views

from ._common import Listing, cell_text, columns, given_columns, records
from ._records import AnyView, basis_sentence
from ._registry import Format

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = [
    "FILE_WIDTH",
    "FORMAT",
    "REGISTER_TABLE",
    "REGISTER_TABLE_LABELLED",
    "register_table",
    "rendered",
    "table_of",
    "view_table",
]

FILE_WIDTH = 160
"""The width tables and papers are laid out to when they go to a file or a pipe."""

REGISTER_TABLE = ("reference", "report", "grade", "status", "owner", "due_on", "overdue")


REGISTER_TABLE_LABELLED = (
    "reference",
    "report",
    "report_title",
    "grade_label",
    "status_label",
    "outcome_label",
    "owner",
    "due_on",
    "overdue",
)
"""The register's table when it knows its labels: report titles and the policy's labels
instead of codes."""


def register_table(view: AnyView) -> tuple[str, ...]:
    """The register table's columns for ``view``: :data:`REGISTER_TABLE` (or
    :data:`REGISTER_TABLE_LABELLED` when it knows its labels), with the priority, response
    and body addressed after the report where a row of a register held whole gives them."""
    labelled = getattr(view, "labels", None) is not None
    keys = REGISTER_TABLE_LABELLED if labelled else REGISTER_TABLE
    if isinstance(view, views.Register):
        return given_columns(keys, view.rows)
    return keys


"""The columns a register's table shows."""

_NARROW = ("reference", "position", "version", "due_on", "effective_on")


def rendered(renderable: Any) -> str:
    """``renderable`` as plain text for a file or a pipe: laid out :data:`FILE_WIDTH`
    columns wide, without colours, and without the spaces ``rich`` pads lines with."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=FILE_WIDTH, highlight=False, soft_wrap=False).print(renderable)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def view_table(view: AnyView, keys: Sequence[str], title: str) -> Any:
    """A ``rich`` table of ``view``: the columns named in ``keys``, captioned with the
    view's basis (as at, as known at, up to which log position, for whom)."""
    from rich.table import Table
    from rich.text import Text

    by_key = {column.key: column for column in columns(view)}
    shown = [by_key[key] for key in keys if key in by_key]
    table = Table(
        title=Text(title),
        caption=Text(basis_sentence(view)),
        caption_justify="left",
        show_lines=False,
    )
    for column in shown:
        table.add_column(Text(column.title), no_wrap=column.key in _NARROW, overflow="fold")
    for record in records(view, basis=False):
        table.add_row(*(Text(cell_text(record, column.key)) for column in shown))
    return table


def table_of(view: AnyView, keys: Sequence[str], title: str, *, empty: str) -> Any:
    """What to show of ``view``: its table, or when it has no rows, a line saying so
    (``empty``: what had none) and its basis."""
    from rich.text import Text

    if len(view):
        return view_table(view, keys, title)
    return Text(f"No rows: {empty}.\n{basis_sentence(view)}")


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view``'s table as plain text to ``file``."""
    from ._common import is_register, summary_columns

    if is_register(view):
        keys: Sequence[str] = register_table(view)
    else:
        keys = [c.key for c in summary_columns(view)]
    shown = table_of(view, keys, title, empty="no rows on this basis")
    file.write(rendered(shown).encode("utf-8"))


def listing_table(listing: Listing) -> Any:
    """A listing as a table for reading here: its rows as people read them, its caption
    under it."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(listing.title), caption=Text(listing.caption), caption_justify="left")
    for title in listing.columns.values():
        table.add_column(Text(title), overflow="fold")
    for row in listing.shown:
        table.add_row(*(Text(row.get(key) or "") for key in listing.columns))
    return table


def write_listing(listing: Listing, file: IO[bytes]) -> None:
    """A listing as plain text (see :func:`listing_table`)."""
    file.write(rendered(listing_table(listing)).encode("utf-8"))


FORMAT = Format(
    name="table",
    rank=0,
    description="a table for reading here",
    suffixes=(".txt",),
    write_view=write_view,
    write_listing=write_listing,
    streamed=False,
)
