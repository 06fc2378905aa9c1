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

import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Literal, TypeAlias

from recommendations import views
from recommendations._errors import ConfigurationError

from ._formats import (
    cell_text,
    csv_chunks,
    html_chunks,
    json_array_chunks,
    json_text,
    markdown_chunks,
)
from ._records import (
    BASIS_COLUMNS,
    REGISTER_SUMMARY,
    REGISTER_SUMMARY_LABELLED,
    TRAIL_SUMMARY,
    AnyRegister,
    AnyTrail,
    AnyView,
    Column,
    Record,
    basis_facts,
    basis_sentence,
    human,
    iter_register_records,
    iter_trail_records,
    plain,
    register_columns,
    register_records,
    summary,
    trail_columns,
    trail_records,
)

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

Format: TypeAlias = Literal["csv", "html", "json", "md", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "html", "json", "md", "xlsx")
"""The formats a register or a trail can be written in."""


_REGISTERS = (views.Register, views.RegisterStream)


def summary_columns(view: AnyView) -> tuple[Column, ...]:
    """The columns a reader's table of ``view`` shows (Markdown, HTML, the terminal)."""
    if isinstance(view, _REGISTERS):
        keys = REGISTER_SUMMARY if view.labels is None else REGISTER_SUMMARY_LABELLED
        return summary(register_columns(view), keys)
    return summary(trail_columns(view), TRAIL_SUMMARY)


def _check(format: str) -> None:
    if format not in FORMATS:
        raise ConfigurationError(
            f"no export format {format!r} (formats: {', '.join(FORMATS)})",
            field="format",
            rule="export-format",
        )


def _records(view: AnyView, *, basis: bool) -> Iterable[Record]:
    if isinstance(view, _REGISTERS):
        return iter_register_records(view, basis=basis)
    return iter_trail_records(view, basis=basis)


def _columns(view: AnyView) -> tuple[Column, ...]:
    if isinstance(view, _REGISTERS):
        return register_columns(view)
    return trail_columns(view)


def _with_checkpoint(
    checkpoint: LogCheckpoint, key: str, records: Iterable[Record], file: IO[bytes]
) -> None:
    """``{"checkpoint": {...}, key: [records]}``, the records written as they come."""
    head = json_text({"checkpoint": checkpoint.as_dict()})
    file.write(head[: head.rindex("\n}")].encode("utf-8"))
    file.write(f',\n  "{key}": '.encode())
    for chunk in json_array_chunks(records, depth=1):
        file.write(chunk.encode("utf-8"))
    file.write(b"\n}\n")


def _write(
    view: AnyView,
    format: str,
    title: str,
    sheet: str,
    file: IO[bytes],
    checkpoint: LogCheckpoint | None = None,
) -> None:
    _check(format)
    columns = _columns(view)
    records = _records(view, basis=format in ("csv", "json"))
    if checkpoint is not None:
        if format != "json":
            raise ConfigurationError(
                f"only json carries the log's checkpoint, not {format!r}",
                field="format",
                rule="checkpoint-json",
            )
        _with_checkpoint(checkpoint, sheet.lower(), records, file)
        return
    if format == "xlsx":
        from ._xlsx import write_workbook

        facts = basis_facts(view, what=title)
        write_workbook(file, [(sheet, columns, records, len(view))], facts, view.basis.known_at)
        return
    if format == "csv":
        chunks = csv_chunks((*columns, *BASIS_COLUMNS), records)
        file.write(b"\xef\xbb\xbf")
    elif format == "json":
        chunks = itertools.chain(json_array_chunks(records), ["\n"])
    else:
        shown = summary_columns(view)
        page = markdown_chunks if format == "md" else html_chunks
        chunks = page(title, basis_sentence(view), shown, records)
    for chunk in chunks:
        file.write(chunk.encode("utf-8"))


def _render(view: AnyView, format: str, title: str, sheet: str) -> bytes:
    out = io.BytesIO()
    _write(view, format, title, sheet, out)
    return out.getvalue()


def render_register(register: views.Register, format: str, *, title: str = "Register") -> bytes:
    """``register`` as a file in ``format`` (one of :data:`FORMATS`), with its basis.

    Raises :class:`~recommendations.ConfigurationError` (rule ``export-format``) for a
    format it does not know.
    """
    return _render(register, format, title, "Register")


def render_trail(trail: AnyTrail, format: str, *, title: str = "Audit trail") -> bytes:
    """``trail`` as a file in ``format`` (one of :data:`FORMATS`), with its basis."""
    return _render(trail, format, title, "Trail")


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
    _write(register, format, title, "Register", file, checkpoint)


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
    _write(trail, format, title, "Trail", file, checkpoint)


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
    if format not in ("json", "xlsx"):
        raise _format_error(format)
    made: list[AnyTrail] = []

    def the_trail() -> AnyTrail:
        if not made:
            made.append(trail() if callable(trail) else trail)
        return made[0]

    if format == "json":
        parts: list[tuple[str, Callable[[], Iterable[Record]]]] = [
            ('{\n  "register": ', lambda: iter_register_records(register)),
            (',\n  "trail": ', lambda: iter_trail_records(the_trail())),
        ]
        for label, records in parts:
            file.write(label.encode("utf-8"))
            for chunk in json_array_chunks(records(), depth=1):
                file.write(chunk.encode("utf-8"))
        made_trail = the_trail()
        basis = {
            "as_at": register.basis.as_at,
            "known_at": register.basis.known_at,
            "position": register.basis.position,
            "audience": register.disclosure.audience.value,
            "register": register.disclosure.describe(),
            "trail": made_trail.disclosure.describe(),
        }
        top: dict[str, object] = {"basis": basis}
        if checkpoint is not None:
            top["checkpoint"] = checkpoint.as_dict()
        tail = json_text(top)  # '{\n  "basis": {...}\n}\n'
        file.write(b",\n" + tail[tail.index("\n") + 1 :].encode("utf-8"))
        return
    from ._xlsx import write_workbook

    def sheets() -> Iterator[tuple[str, tuple[Column, ...], Iterable[Record], int]]:
        yield (
            "Register",
            register_columns(register),
            iter_register_records(register),
            len(register),
        )
        made_trail = the_trail()
        yield ("Trail", trail_columns(made_trail), iter_trail_records(made_trail), len(made_trail))

    facts = basis_facts(register, what="Register and audit trail")
    write_workbook(file, sheets(), facts, register.basis.known_at)


def _format_error(format: str) -> Exception:
    from recommendations._errors import ConfigurationError

    return ConfigurationError(
        f"a register and trail together are written as json or xlsx, not {format!r} "
        "(write csv as two files)",
        field="format",
        rule="export-format",
    )
