"""What the writers of registers and trails share: the size of a streamed piece, the text
a reader's table shows for a value, and a view's kind."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from attrs import frozen

from recommendations import views
from recommendations.domain import shown_due

from ._records import (
    REGISTER_SUMMARY,
    REGISTER_SUMMARY_LABELLED,
    TRAIL_SUMMARY,
    AnyView,
    Column,
    Record,
    changes_text,
    human,
    iter_register_records,
    iter_trail_records,
    register_columns,
    summary,
    trail_columns,
)

__all__ = [
    "CHUNK",
    "Listing",
    "cell_text",
    "columns",
    "given_columns",
    "is_register",
    "records",
    "summary_columns",
]

CHUNK = 1000
"""How many rows a streamed file is written in at a time."""


def cell_text(record: Record, key: str) -> str:
    """The text a reader's table shows for ``key`` of ``record``: a due date known only to
    the month (``due_precision`` ``"month"``) as the month, ``March 2026``."""
    if key == "changes":
        return changes_text(record)
    if key == "due_on" and record.get("due_precision") == "month":
        return shown_due(record.get("due_on"), "month")
    return human(record.get(key))


def is_register(view: AnyView) -> bool:
    """Whether ``view`` is a register (held whole or streamed), not a trail."""
    return isinstance(view, (views.Register, views.RegisterStream))


def columns(view: AnyView) -> tuple[Column, ...]:
    """Every column of ``view``."""
    return register_columns(view) if is_register(view) else trail_columns(view)  # type: ignore[arg-type]


_GIVEN = ("priority", "response", "addressed_to")
"""Columns a register's table shows when a row gives them (a store that records no
priority shows no priority column)."""


def given_columns(keys: tuple[str, ...], rows: Iterable[object]) -> tuple[str, ...]:
    """``keys``, with the priority, response and body addressed after the first two (the
    reference and the report) where one of ``rows`` gives them."""
    rows = list(rows)
    given = [key for key in _GIVEN if any(getattr(row, key, None) for row in rows)]
    return (*keys[:2], *given, *keys[2:])


def summary_columns(view: AnyView) -> tuple[Column, ...]:
    """The columns a reader's table of ``view`` shows (Markdown, HTML, PDF, the terminal):
    a register that knows its labels shows them (and report titles) instead of codes, and
    one held whole shows the priority, response and body addressed where its rows give
    them."""
    if not is_register(view):
        return summary(columns(view), TRAIL_SUMMARY)
    labelled = getattr(view, "labels", None) is not None
    keys: tuple[str, ...] = REGISTER_SUMMARY_LABELLED if labelled else REGISTER_SUMMARY
    if isinstance(view, views.Register):
        keys = given_columns(keys, view.rows)
    return summary(columns(view), keys)


def records(view: AnyView, *, basis: bool) -> Iterator[Record]:
    """The records of ``view``, as its rows come; with ``basis``, each with the basis
    columns."""
    if is_register(view):
        return iter_register_records(view, basis=basis)  # type: ignore[arg-type]
    return iter_trail_records(view, basis=basis)  # type: ignore[arg-type]


@frozen(kw_only=True)
class Listing:
    """A short listing that is not a register or a trail (the roll-up of a national
    recommendation, the reports and their plans), as every format that writes one takes it:
    a ``title`` and a ``caption`` for people, ``columns`` (key to title), ``rows`` as
    machines read them (codes, ISO dates), ``shown`` the same rows as people read them
    (labels), and the whole ``document`` a JSON file holds."""

    title: str
    caption: str
    columns: Mapping[str, str]
    rows: Sequence[Mapping[str, Any]]
    shown: Sequence[Mapping[str, str]]
    document: Mapping[str, Any]
