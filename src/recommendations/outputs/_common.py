"""What the writers of registers and trails share: the size of a streamed piece, the text
a reader's table shows for a value, and a view's kind."""

from __future__ import annotations

from collections.abc import Iterator

from recommendations import views

from ._records import (
    REGISTER_SUMMARY,
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

__all__ = ["CHUNK", "cell_text", "columns", "is_register", "records", "summary_columns"]

CHUNK = 1000
"""How many rows a streamed file is written in at a time."""


def cell_text(record: Record, key: str) -> str:
    """The text a reader's table shows for ``key`` of ``record``."""
    if key == "changes":
        return changes_text(record)
    return human(record.get(key))


def is_register(view: AnyView) -> bool:
    """Whether ``view`` is a register (held whole or streamed), not a trail."""
    return isinstance(view, (views.Register, views.RegisterStream))


def columns(view: AnyView) -> tuple[Column, ...]:
    """Every column of ``view``."""
    return register_columns(view) if is_register(view) else trail_columns(view)  # type: ignore[arg-type]


def summary_columns(view: AnyView) -> tuple[Column, ...]:
    """The columns a reader's table of ``view`` shows (Markdown, HTML, PDF, the terminal)."""
    return summary(columns(view), REGISTER_SUMMARY if is_register(view) else TRAIL_SUMMARY)


def records(view: AnyView, *, basis: bool) -> Iterator[Record]:
    """The records of ``view``, as its rows come; with ``basis``, each with the basis
    columns."""
    if is_register(view):
        return iter_register_records(view, basis=basis)  # type: ignore[arg-type]
    return iter_trail_records(view, basis=basis)  # type: ignore[arg-type]
