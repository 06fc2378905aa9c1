"""Files this library writes: private by default, whole or not at all, and never a store.

Every output (a register, a trail, an export, the committee paper, its chart) is written
through :func:`output_file`:

- it is written to a temporary file in the same folder and renamed into place when
  complete, so that a reader never sees half a file and an error leaves nothing behind;
- it is created readable and writable by its owner only (``0600``), or with the mode
  :data:`FILE_MODE_ENV` names;
- it never replaces a store's own files (the database, its ``-wal``, ``-shm`` or
  ``-journal``), however it is named (through a symbolic or a hard link too), even when
  told to (rule ``output-not-store``);
- it replaces an existing file only if that file is of the output's own format, judged by
  its content (a CSV by a CSV, a workbook by a workbook), unless ``force`` (rule
  ``output-overwrites``). An empty file may always be replaced.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_FILE_MODE",
    "FILE_MODE_ENV",
    "check_output",
    "create_private",
    "file_kind",
    "file_mode",
    "output_file",
    "store_files",
]

FILE_MODE_ENV = "RECOMMENDATIONS_FILE_MODE"
"""The environment variable giving the mode of the files created (octal, e.g. ``0640``)."""

DEFAULT_FILE_MODE = 0o600
"""Readable and writable by the owner only: stores and outputs hold sensitive text and
people's names."""

_SIDE_FILES = ("-wal", "-shm", "-journal")

_KINDS = {
    "sqlite": "a SQLite database",
    "xlsx": "a spreadsheet (xlsx)",
    "zip": "a ZIP archive",
    "pdf": "a PDF",
    "png": "a PNG image",
    "binary": "a binary file",
    "json": "a JSON file",
    "html": "an HTML page",
    "svg": "an SVG image",
    "md": "a Markdown file",
    "table": "a text table",
    "csv": "a CSV file",
    "text": "a text file",
    "empty": "an empty file",
}
"""What :func:`file_kind` can say a file is, and how messages name it."""


def file_mode() -> int:
    """The mode new files are created with: :data:`FILE_MODE_ENV` (octal), else
    :data:`DEFAULT_FILE_MODE`. A value that is not an octal mode of at most ``0777`` that
    lets its owner read and write is refused (rule ``file-mode``)."""
    given = os.environ.get(FILE_MODE_ENV, "").strip()
    if not given:
        return DEFAULT_FILE_MODE
    try:
        mode = int(given, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777 or mode & 0o600 != 0o600:
        raise ConfigurationError(
            f"{given!r} is not a file mode: give an octal mode the owner can read and write, "
            "such as 0600 or 0640",
            field=FILE_MODE_ENV,
            rule="file-mode",
        )
    return mode


def store_files(database: str | os.PathLike[str]) -> list[Path]:
    """The files of the SQLite store ``database``: the database and its side files."""
    path = Path(database)
    return [path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)]


def file_kind(head: bytes) -> str:
    """What a file beginning with ``head`` (its first few kilobytes) is: a key of
    ``_KINDS`` (``"csv"``, ``"pdf"``, ``"sqlite"``, ...)."""
    if not head:
        return "empty"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if b"xl/" in head or b"[Content_Types].xml" in head else "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if b"\x00" in head:
        return "binary"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut by the end of ``head``
            return "binary"
        text = head[: error.start].decode("utf-8")
    text = text.removeprefix("\ufeff").lstrip()
    lowered = text[:200].lower()
    if text.startswith(("{", "[")):
        return "json"
    if lowered.startswith(("<!doctype html", "<html")):
        return "html"
    if lowered.startswith(("<?xml", "<svg")) and "<svg" in text.lower():
        return "svg"
    if text.startswith("#"):
        return "md"
    if any(mark in text for mark in "┃━│─┏┡") or text.startswith("No rows:"):
        return "table"
    first = text.split("\n", 1)[0]
    if "," in first:
        return "csv"
    return "text"


def _kind_of(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(4096)
    kind = file_kind(head)
    if kind == "xlsx" or kind == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return "zip"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    return kind


def _same(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def _refuse_store(target: Path, shown: str, option: str, stores: Iterable[Path]) -> None:
    real = Path(os.path.realpath(target))
    for store in stores:
        for protected in store_files(store):
            if Path(os.path.realpath(protected)) == real or _same(target, protected):
                raise ConfigurationError(
                    f"{shown!r} is the store's own file ({protected.name}): an output never "
                    "replaces it, even with --force; choose another file",
                    field=option.lstrip("-"),
                    rule="output-not-store",
                )


def check_output(
    path: str | os.PathLike[str],
    kind: str,
    *,
    force: bool = False,
    option: str = "--output",
    stores: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Refuse, before anything is written, to write the output of ``kind`` (a key of
    ``_KINDS``) to ``path`` if ``path`` is one of the ``stores`` files (rule
    ``output-not-store``), or an existing file of another kind, unless ``force`` (rule
    ``output-overwrites``)."""
    target = Path(path)
    shown = os.fspath(path)
    _refuse_store(target, shown, option, [Path(s) for s in stores])
    if force or not target.exists() or target.is_dir():
        return
    try:
        found = _kind_of(target)
    except OSError:
        return  # not readable: writing it says why
    if found in ("empty", kind):
        return
    raise ConfigurationError(
        f"{shown!r} is {_KINDS.get(found, found)}, not {_KINDS.get(kind, kind)}: it is not "
        "replaced unless --force is given",
        field=option.lstrip("-"),
        rule="output-overwrites",
    )


@contextmanager
def output_file(
    path: str | os.PathLike[str],
    kind: str,
    *,
    force: bool = False,
    option: str = "--output",
    stores: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[IO[bytes]]:
    """A binary file to write the output of ``kind`` to, which becomes ``path`` when the
    ``with`` block ends without an error (and is deleted if it raises).

    Checked first by :func:`check_output`; created with :func:`file_mode`. A symbolic
    link is followed: the file it points to is replaced, the link stays.
    """
    check_output(path, kind, force=force, option=option, stores=stores)
    mode = file_mode()
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", os.fspath(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create the empty file ``path`` with :func:`file_mode`, if it is not there; whether it
    was created. For a store's database, before its engine opens it: the engine creates
    its side files with the database's mode."""
    mode = file_mode()
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    try:
        os.fchmod(handle, mode)  # whatever the umask
    finally:
        os.close(handle)
    return True
