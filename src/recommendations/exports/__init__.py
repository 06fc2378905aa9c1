"""The register and audit trails as files: CSV, spreadsheet, JSON, Markdown, HTML, PDF and
the terminal's table, in any format of :mod:`recommendations.outputs`.

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
``pdf``    the same on A4 (tagged PDF/UA-1 where WeasyPrint runs; ``[paper]`` extra)
``table``  the terminal's table of the main columns, as plain text
=========  =========================================================================

:data:`FORMATS` lists them, from the registry of :mod:`recommendations.outputs`.

>>> from datetime import UTC, date, datetime
>>> from recommendations import views
>>> basis = views.Basis(as_at=date(2017, 3, 30),
...                     known_at=datetime(2017, 4, 10, 9, tzinfo=UTC), position=0)
>>> render_register(views.Register(basis=basis, rows=()), "csv").decode("utf-8-sig")[:30]
'reference,report,grade,status,'
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeAlias

from recommendations import views
from recommendations._errors import ConfigurationError
from recommendations.outputs._common import cell_text, summary_columns
from recommendations.outputs._records import (
    AnyRegister,
    AnyTrail,
    AnyView,
    Column,
    basis_sentence,
    human,
    plain,
    register_columns,
    register_records,
    trail_columns,
    trail_records,
)
from recommendations.outputs._registry import format_named, formats_for, names_for

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

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
    "write_bundle",
    "write_register",
    "write_trail",
]

Format: TypeAlias = str
"""The name of a format (see :data:`FORMATS`)."""


def __getattr__(name: str) -> Any:
    if name == "FORMATS":
        return names_for("register")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FORMATS: tuple[str, ...]
"""The formats a register or a trail can be written in (from the registry of
:mod:`recommendations.outputs`)."""


def _write(
    view: AnyView,
    format: str,
    title: str,
    file: IO[bytes],
    checkpoint: LogCheckpoint | None = None,
) -> None:
    chosen = format_named(format, "register")
    if checkpoint is not None and not chosen.checkpoint:
        carry = " or ".join(f.name for f in formats_for("register") if f.checkpoint)
        raise ConfigurationError(
            f"only {carry} carries the log's checkpoint, not {format!r}",
            field="format",
            rule="checkpoint-json",
        )
    assert chosen.write_view is not None  # format_named gives a format that writes views
    chosen.write_view(view, file, title, checkpoint)


def _render(view: AnyView, format: str, title: str) -> bytes:
    out = io.BytesIO()
    _write(view, format, title, out)
    return out.getvalue()


def render_register(register: views.Register, format: str, *, title: str = "Register") -> bytes:
    """``register`` as a file in ``format`` (one of :data:`FORMATS`), with its basis.

    Raises :class:`~recommendations.ConfigurationError` (rule ``export-format``) for a
    format it does not know.
    """
    return _render(register, format, title)


def render_trail(trail: AnyTrail, format: str, *, title: str = "Audit trail") -> bytes:
    """``trail`` as a file in ``format`` (one of :data:`FORMATS`), with its basis."""
    return _render(trail, format, title)


def write_register(
    register: AnyRegister,
    format: str,
    file: IO[bytes],
    *,
    title: str = "Register",
    checkpoint: LogCheckpoint | None = None,
) -> None:
    """Write :func:`render_register` to the binary ``file``, piece by piece: with a
    :class:`~recommendations.views.RegisterStream`, as its rows are read, in memory that
    does not grow with the register, in every format.

    With ``checkpoint`` (the checkpoint of the log at the register's basis position, from
    :meth:`Integrity.checkpoint_at <recommendations.integrity._service.Integrity.checkpoint_at>`),
    the JSON is an object, ``{"checkpoint": {...}, "register": [...]}``, instead of the list
    of rows; other formats are refused (rule ``checkpoint-json``).
    """
    _write(register, format, title, file, checkpoint)


def write_trail(
    trail: AnyTrail,
    format: str,
    file: IO[bytes],
    *,
    title: str = "Audit trail",
    checkpoint: LogCheckpoint | None = None,
) -> None:
    """Write :func:`render_trail` to the binary ``file`` as the entries of ``trail`` come:
    with a :class:`~recommendations.views.TrailStream`, in memory that does not grow with
    the log, in every format. With ``checkpoint``, the JSON is an object,
    ``{"checkpoint": {...}, "trail": [...]}``, still written as the entries come."""
    _write(trail, format, title, file, checkpoint)


def render_bundle(
    register: AnyRegister, trail: AnyTrail | Callable[[], AnyTrail], format: str
) -> bytes:
    """The register and the trail of the whole log in one file: a workbook with sheets
    "Register", "Trail" and "Basis" (``xlsx``), or one JSON object ``{"register": [...],
    "trail": [...], "basis": {...}}`` (``json``).

    For CSV, write :func:`render_register` and :func:`render_trail` to two files.
    """
    out = io.BytesIO()
    write_bundle(register, trail, format, out)
    return out.getvalue()


def write_bundle(
    register: AnyRegister,
    trail: AnyTrail | Callable[[], AnyTrail],
    format: str,
    file: IO[bytes],
    *,
    checkpoint: LogCheckpoint | None = None,
) -> None:
    """Write :func:`render_bundle` to the binary ``file``: the register first, then the
    trail, each as its rows come.

    ``trail`` may be a function that makes it, called once the register is written: a
    :class:`~recommendations.views.TrailStream` made then does not read the log (its
    first pass) while the register is held. The JSON object lists the rows first and
    says what they are true of last, since the trail's disclosure is known only once it is
    made: ``{"register": [...], "trail": [...], "basis": {...}}``; with ``checkpoint`` (of
    the log at the basis position), ``"checkpoint": {...}`` follows the basis. A workbook
    has the sheets "Register", "Trail" and "Basis", in that order, and no checkpoint."""
    chosen = next((f for f in formats_for("bundle") if f.name == format), None)
    if chosen is None or chosen.write_bundle is None:
        raise _format_error(format)
    made: list[AnyTrail] = []

    def the_trail() -> AnyTrail:
        if not made:
            made.append(trail() if callable(trail) else trail)
        return made[0]

    chosen.write_bundle(register, the_trail, file, checkpoint)


def _format_error(format: str) -> Exception:
    files = [f.name for f in formats_for("bundle") if f.write_bundle is not None]
    folders = [f.name for f in formats_for("bundle") if f.bundle_as_folder]
    return ConfigurationError(
        f"a register and trail together are written as {' or '.join(files)}, not "
        f"{format!r} (write {', '.join(folders)} as two files)",
        field="format",
        rule="export-format",
    )
