"""Where output goes: the terminal (through ``rich``), standard output, or a file."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from recommendations.outputs.table import FILE_WIDTH, rendered, view_table

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from ._app import Refused

__all__ = [
    "FILE_WIDTH",
    "cannot_write",
    "check_output",
    "console",
    "emit",
    "is_terminal",
    "markdown",
    "note",
    "output_file",
    "output_stream",
    "progress",
    "refuse_binary_on_terminal",
    "rendered",
    "show",
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
        width=None if stream.isatty() else FILE_WIDTH,
        highlight=False,
        soft_wrap=False,
    )


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


def _force() -> bool:
    """Whether the command was given ``--force``."""
    from ._params import FORCE_KEY

    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(FORCE_KEY))


def _stores() -> list[Path]:
    """The files of the store the command opens: an output never replaces them."""
    from ._app import Session, store_file

    ctx = click.get_current_context(silent=True)
    current = ctx.find_object(Session) if ctx is not None else None
    found = store_file(current.store) if current is not None else None
    return [found] if found is not None else []


def _kind(data: bytes) -> str:
    from recommendations._files import file_kind

    kind = file_kind(data[:4096])
    if kind in ("zip", "xlsx"):
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "xlsx" if "xl/workbook.xml" in archive.namelist() else "zip"
        except zipfile.BadZipFile:
            return "zip"
    return kind


def check_output(
    output: str | os.PathLike[str] | None, kind: str, *, option: str = "--output"
) -> None:
    """Refuse at once, before anything is read, an ``output`` that :func:`output_file`
    would refuse: one of the store's files, or a file of another format without
    ``--force``. Standard output (``None``, ``-``) is always fine."""
    from recommendations import _files

    if output is None or os.fspath(output) == "-":
        return
    _files.check_output(output, kind, force=_force(), option=option, stores=_stores())


@contextmanager
def output_file(
    path: str | os.PathLike[str], kind: str, *, option: str = "--output"
) -> Iterator[IO[bytes]]:
    """A binary file to write an output of ``kind`` to (a key of
    :func:`recommendations._files.file_kind`), which becomes ``path`` only once complete.

    Never one of the store's files, even with ``--force`` (rule ``output-not-store``);
    an existing file of another format only with ``--force`` (rule ``output-overwrites``).
    A file that cannot be written is refused (:class:`~._app.Refused`, status 1) naming
    ``path`` as given, the option it came from and the rule ``output-writable``.
    """
    from recommendations import _files

    try:
        with _files.output_file(
            path, kind, force=_force(), option=option, stores=_stores()
        ) as file:
            yield file
    except OSError as error:
        raise cannot_write(path, error, option=option) from error


@contextmanager
def output_stream(
    output: str | None, kind: str, *, binary: bool, what: str, option: str = "--output"
) -> Iterator[IO[bytes]]:
    """Where to write an output streamed piece by piece: the file ``output`` (through
    :func:`output_file`), or standard output (binary data is refused on a terminal)."""
    if output is not None and output != "-":
        with output_file(output, kind, option=option) as file:
            yield file
        return
    if binary:
        refuse_binary_on_terminal(what)
    sys.stdout.flush()
    yield sys.stdout.buffer
    sys.stdout.buffer.flush()


def write_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    option: str = "--output",
    kind: str | None = None,
) -> None:
    """Write ``data`` to ``path`` whole or not at all, as :func:`output_file` does; its
    format is ``kind``, else what ``data`` itself looks like."""
    with output_file(path, kind or _kind(data), option=option) as file:
        file.write(data)


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


def emit(
    data: bytes, output: str | None, *, binary: bool, what: str, kind: str | None = None
) -> None:
    """Send ``data`` (a ``what``) to ``output``, or to standard output.

    Binary data is refused on a terminal: it would show as noise. Text goes as it is.
    """
    if output is not None and output != "-":
        write_file(output, data, kind=kind)
        note(f"Wrote {what} to {output}.")
        return
    if binary:
        refuse_binary_on_terminal(what)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


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
