"""Where output goes: the terminal (through ``rich``), standard output, or a file."""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from recommendations import views

    from ._app import Refused

__all__ = [
    "FILE_WIDTH",
    "cannot_write",
    "console",
    "emit",
    "is_terminal",
    "markdown",
    "note",
    "progress",
    "refuse_binary_on_terminal",
    "rendered",
    "show",
    "view_table",
    "write_file",
]

FILE_WIDTH = 160
"""The width tables and papers are laid out to when they go to a file or a pipe."""


def is_terminal() -> bool:
    """Whether standard output is a terminal (a person reading, not a pipe or a file)."""
    return sys.stdout.isatty()


def console(*, stderr: bool = False) -> Console:
    """A ``rich`` console on standard output (or error); wide when not on a terminal, so
    that tables written to a file or a pipe are not folded to 80 columns."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(
        file=stream,
        width=None if stream.isatty() else FILE_WIDTH,
        highlight=False,
        soft_wrap=False,
    )


def rendered(renderable: Any) -> str:
    """``renderable`` as plain text for a file or a pipe: laid out :data:`FILE_WIDTH`
    columns wide, without colours, and without the spaces ``rich`` pads lines with."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=FILE_WIDTH, highlight=False, soft_wrap=False).print(renderable)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def show(renderable: Any) -> None:
    """Print ``renderable`` on standard output: through ``rich`` on a terminal, as
    :func:`rendered` text to a file or a pipe."""
    if is_terminal():
        console().print(renderable)
    else:
        click.echo(rendered(renderable), nl=False)


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def markdown(text: str) -> Any:
    """Markdown for ``rich`` to show, where ``<br>`` (a line break within a table cell, as
    the committee paper writes one) breaks the line instead of vanishing."""
    from rich.markdown import Markdown

    document = Markdown(text)
    _line_breaks(document.parsed)
    return document


def _line_breaks(tokens: Sequence[Any]) -> None:
    for token in tokens:
        if token.type == "html_inline" and _BREAK.fullmatch(token.content.strip()):
            token.type, token.content = "hardbreak", ""
        if token.children:
            _line_breaks(token.children)


def note(message: str) -> None:
    """A message for the person, on standard error (standard output stays the data)."""
    click.echo(message, err=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: str | os.PathLike[str], data: bytes, *, option: str = "--output") -> None:
    """Write ``data`` to ``path`` whole or not at all (through a temporary file beside it).

    A file that cannot be written is refused (:class:`~._app.Refused`, status 1) naming
    ``path`` as given, the option it came from and the rule ``output-writable``.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file (mkstemp: 0600)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise cannot_write(path, error, option=option) from error
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def cannot_write(path: str | os.PathLike[str], error: OSError, *, option: str) -> Refused:
    """The refusal of a file (or folder) that could not be written: its name as the person
    gave it, the option, the rule ``output-writable`` and the system's reason."""
    from ._app import Refused

    if isinstance(error, IsADirectoryError) or Path(path).is_dir():
        reason = "it is a folder"
    elif not Path(path).parent.exists() and str(Path(path).parent):
        reason = f"no folder {str(Path(path).parent)!r}"
    else:
        reason = error.strerror or str(error)
    return Refused(
        f"field {option.lstrip('-')!r}: rule 'output-writable': cannot write "
        f"{os.fspath(path)!r}: {reason}"
    )


def refuse_binary_on_terminal(what: str) -> None:
    """Refuse (bad usage, status 2) to send a binary file to a terminal, where it would
    show as noise."""
    if is_terminal():
        raise click.UsageError(
            f"{what} is a binary file: give --output FILE, or redirect standard output to a file"
        )


def emit(data: bytes, output: str | None, *, binary: bool, what: str) -> None:
    """Send ``data`` (a ``what``) to ``output``, or to standard output.

    Binary data is refused on a terminal: it would show as noise. Text goes as it is.
    """
    if output is not None and output != "-":
        write_file(output, data)
        note(f"Wrote {what} to {output}.")
        return
    if binary:
        refuse_binary_on_terminal(what)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def view_table(view: views.Register | views.Trail, keys: Sequence[str], title: str) -> Any:
    """A ``rich`` table of ``view``: the columns named in ``keys``, captioned with the
    view's basis (as at, as known at, up to which log position, for whom).

    Every text is given to ``rich`` as text, never as markup: a reason or an owner that
    holds ``[red]`` or ``[struck out by entry 3]`` shows as typed.
    """
    from rich.table import Table
    from rich.text import Text

    from recommendations import exports
    from recommendations import views as v

    if isinstance(view, v.Register):
        columns = exports.register_columns(view)
        records = exports.register_records(view)
    else:
        columns = exports.trail_columns(view)
        records = exports.trail_records(view)
    by_key = {column.key: column for column in columns}
    shown = [by_key[key] for key in keys if key in by_key]
    table = Table(
        title=Text(title),
        caption=Text(exports.basis_sentence(view)),
        caption_justify="left",
        show_lines=False,
    )
    for column in shown:
        narrow = column.key in ("reference", "position", "version", "due_on", "effective_on")
        table.add_column(Text(column.title), no_wrap=narrow, overflow="fold")
    for record in records:
        table.add_row(*(Text(exports.cell_text(record, column.key)) for column in shown))
    return table


@contextmanager
def progress(description: str, total: int | None) -> Iterator[tuple[Progress, Any]]:
    """A progress bar on standard error: yields ``(progress, task)``; advance with
    ``progress.update(task, completed=n, total=m)``. Silent when standard error is not a
    terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=False,
        disable=not sys.stderr.isatty(),
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield bar, task
