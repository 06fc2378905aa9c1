"""The register and audit trails as files: CSV, spreadsheet, JSON, Markdown and HTML.

Each function takes a view built by the tracker (a :class:`~recommendations.views.Register`
or a :class:`~recommendations.views.Trail`, already narrowed to its audience) and returns
the file's bytes; nothing here reads a store or writes a file. Every format says what the
rows are true of, the view's basis (as at, as known at, up to which log position) and
whom it is for:

=========  =========================================================================
format     what it holds
=========  =========================================================================
``csv``    a header row of column names, then one row per item; the basis in four
           more columns on every row (``basis_as_at``, ``basis_known_at``,
           ``basis_position``, ``audience``); UTF-8 with a byte-order mark, so that
           a spreadsheet opens it right
``json``   a list of objects, one per row, with the same keys as the CSV columns
``xlsx``   a workbook: one sheet of the rows (header row, dates as dates), and a
           sheet "Basis"
``md``     a heading, the basis in one sentence, and a table of the main columns
``html``   a page with a table of the main columns, captioned with the basis
=========  =========================================================================

>>> from datetime import UTC, date, datetime
>>> from recommendations import views
>>> basis = views.Basis(as_at=date(2017, 3, 30),
...                     known_at=datetime(2017, 4, 10, 9, tzinfo=UTC), position=0)
>>> render_register(views.Register(basis=basis, rows=()), "csv").decode("utf-8-sig")[:30]
'reference,report,grade,status,'
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from recommendations import views

from ._formats import cell_text, csv_text, html_page, json_text, markdown_page
from ._records import (
    BASIS_COLUMNS,
    REGISTER_SUMMARY,
    TRAIL_SUMMARY,
    Column,
    basis_facts,
    basis_sentence,
    human,
    plain,
    register_columns,
    register_records,
    summary,
    trail_columns,
    trail_records,
)

__all__ = [
    "FORMATS",
    "Column",
    "Format",
    "basis_sentence",
    "cell_text",
    "human",
    "plain",
    "register_columns",
    "register_records",
    "render_bundle",
    "render_register",
    "render_trail",
    "summary_columns",
    "trail_columns",
    "trail_records",
]

Format: TypeAlias = Literal["csv", "html", "json", "md", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "html", "json", "md", "xlsx")
"""The formats a register or a trail can be written in."""


def summary_columns(view: views.Register | views.Trail) -> tuple[Column, ...]:
    """The columns a reader's table of ``view`` shows (Markdown, HTML, the terminal)."""
    if isinstance(view, views.Register):
        return summary(register_columns(view), REGISTER_SUMMARY)
    return summary(trail_columns(view), TRAIL_SUMMARY)


def _check(format: str) -> None:
    if format not in FORMATS:
        from recommendations._errors import ConfigurationError

        raise ConfigurationError(
            f"no export format {format!r} (formats: {', '.join(FORMATS)})",
            field="format",
            rule="export-format",
        )


def _render(view: views.Register | views.Trail, format: str, title: str, sheet: str) -> bytes:
    _check(format)
    if isinstance(view, views.Register):
        columns = register_columns(view)
        records = register_records(view, basis=format in ("csv", "json"))
    else:
        columns = trail_columns(view)
        records = trail_records(view, basis=format in ("csv", "json"))
    if format == "csv":
        return csv_text((*columns, *BASIS_COLUMNS), records).encode("utf-8-sig")
    if format == "json":
        return json_text(records).encode("utf-8")
    if format == "xlsx":
        from ._xlsx import workbook

        facts = basis_facts(view, what=title)
        return workbook([(sheet, columns, records)], facts, view.basis.known_at)
    shown = summary_columns(view)
    page = markdown_page if format == "md" else html_page
    return page(title, basis_sentence(view), shown, records).encode("utf-8")


def render_register(register: views.Register, format: str, *, title: str = "Register") -> bytes:
    """``register`` as a file in ``format`` (one of :data:`FORMATS`), with its basis.

    Raises :class:`~recommendations.ConfigurationError` (rule ``export-format``) for a
    format it does not know.
    """
    return _render(register, format, title, "Register")


def render_trail(trail: views.Trail, format: str, *, title: str = "Audit trail") -> bytes:
    """``trail`` as a file in ``format`` (one of :data:`FORMATS`), with its basis."""
    return _render(trail, format, title, "Trail")


def render_bundle(register: views.Register, trail: views.Trail, format: str) -> bytes:
    """The register and the trail of the whole log in one file: a workbook with sheets
    "Register", "Trail" and "Basis" (``xlsx``), or one JSON object ``{"basis": ...,
    "register": [...], "trail": [...]}`` (``json``).

    For CSV, write :func:`render_register` and :func:`render_trail` to two files.
    """
    if format == "json":
        document = {
            "basis": {
                "as_at": register.basis.as_at,
                "known_at": register.basis.known_at,
                "position": register.basis.position,
                "audience": register.disclosure.audience.value,
                "register": register.disclosure.describe(),
                "trail": trail.disclosure.describe(),
            },
            "register": register_records(register),
            "trail": trail_records(trail),
        }
        return json_text(document).encode("utf-8")
    if format == "xlsx":
        from ._xlsx import workbook

        facts = basis_facts(register, what="Register and audit trail")
        return workbook(
            [
                ("Register", register_columns(register), register_records(register)),
                ("Trail", trail_columns(trail), trail_records(trail)),
            ],
            facts,
            register.basis.known_at,
        )
    raise _format_error(format)


def _format_error(format: str) -> Exception:
    from recommendations._errors import ConfigurationError

    return ConfigurationError(
        f"a register and trail together are written as json or xlsx, not {format!r} "
        "(write csv as two files)",
        field="format",
        rule="export-format",
    )
