"""Where output goes: the terminal (through ``rich``), standard output, or a file."""

from __future__ import annotations

import os
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

__all__ = [
    "console",
    "emit",
    "is_terminal",
    "note",
    "progress",
    "refuse_binary_on_terminal",
    "view_table",
    "write_file",
]


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
        width=None if stream.isatty() else 160,
        highlight=False,
        soft_wrap=False,
    )


def note(message: str) -> None:
    """A message for the person, on standard error (standard output stays the data)."""
    click.echo(message, err=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (through a temporary file beside it)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file (mkstemp: 0600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
    view's basis (as at, as known at, up to which log position, for whom)."""
    from rich.table import Table

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
        title=title,
        caption=exports.basis_sentence(view),
        caption_justify="left",
        show_lines=False,
    )
    for column in shown:
        narrow = column.key in ("reference", "position", "version", "due_on", "effective_on")
        table.add_column(column.title, no_wrap=narrow, overflow="fold")
    for record in records:
        table.add_row(*(exports.cell_text(record, column.key) for column in shown))
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
