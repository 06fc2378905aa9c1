"""Reading a spreadsheet row by row: a :class:`SheetStream`, for imports of any size.

:func:`~recommendations.spreadsheets.read_sheet` reads a whole sheet into a
:class:`~recommendations.spreadsheets.Snapshot`; :func:`open_sheet` reads its header only,
and :meth:`SheetStream.rows` reads the rows as they come, each time it is called, so that
the memory a sheet takes does not grow with its length. Both read by the same rules and
say the same problems in the same words: a file that is not a well-formed sheet is refused
with the message :func:`read_sheet` gives (the file is then read whole again, to find it).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Generator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from attrs import evolve, frozen

from recommendations._cells import continued_sheet, unescaped
from recommendations._errors import ConfigurationError

from ._mapping import ColumnMapping, header_key
from ._problems import Problem
from ._reading import (
    SheetRow,
    _column_name,
    _columns_read,
    _csv_rows,
    _header,
    _is_csv,
    _letter,
    _row,
    _snapshot,
    _text,
    _unreadable,
    _xlsx_rows,
    sniff_delimiter,
)

__all__ = ["ReadRow", "SheetStream", "open_sheet"]

_CHUNK = 1 << 20
_SNIFFED = 1 << 16


@frozen
class ReadRow:
    """One data row as read: the row (``None`` if a cell of it is wrong), its problems, and
    its reference (if it has one)."""

    number: int
    row: SheetRow | None
    problems: tuple[Problem, ...]
    reference: str | None


@frozen(kw_only=True)
class SheetStream:
    """A sheet whose header is read, and whose rows are read when asked for.

    ``source``, ``snapshot_date``, ``sheet``, ``columns``, ``digest`` and ``mapping`` are as
    for a :class:`~recommendations.spreadsheets.Snapshot`; ``warnings`` are those about the
    sheet as a whole (the columns not read).
    """

    path: Path
    source: str
    snapshot_date: date
    sheet: str | None
    columns: tuple[tuple[str, str], ...]
    warnings: tuple[Problem, ...]
    digest: str
    mapping: ColumnMapping
    header_row: int
    headers: tuple[str, ...]
    located: dict[str, int]
    encoding: str | None = None
    delimiter: str = ","

    def has(self, field: str) -> bool:
        """Whether the sheet has a column for ``field``."""
        return field in self.located

    def column(self, field: str) -> str | None:
        """The header of the column holding ``field``, if the sheet has one."""
        index = self.located.get(field)
        return self.headers[index] if index is not None else None

    def rows(self) -> Iterator[ReadRow]:
        """Every data row, in order (blank rows left out), read from the file now: a row
        whose reference an earlier row has is a problem (rule ``reference-unique``). A
        value past the last header refuses the sheet (rule ``cell-without-header``) when
        its row is reached. What this holds as it goes is the references seen."""
        width = max((i + 1 for i, header in enumerate(self.headers) if header), default=0)
        seen: dict[str, int] = {}
        headers = list(self.headers)
        for number, cells in _data(self._table(), self.header_row):
            for index in range(width, len(cells)):
                if _text(cells[index]) is not None:
                    raise ConfigurationError(
                        f"{self.source}, row {number}, column {_letter(index)}: a value in a "
                        f"column with no header (the headers, in row {self.header_row}, end "
                        f"at column {_letter(width - 1) if width else 'A'}); give it a "
                        "header, or remove it",
                        field="columns",
                        rule="cell-without-header",
                    )
            row, problems, reference = _row(number, cells, self.located, self.mapping, headers)
            if reference is not None and reference in seen:
                problems.append(
                    Problem(
                        row=number,
                        column=self.headers[self.located["reference"]],
                        message=f"{reference!r} is on row {seen[reference]} already",
                        rule="reference-unique",
                        field="reference",
                    )
                )
                row = None
            if reference is not None:
                seen.setdefault(reference, number)
            yield ReadRow(number, row, tuple(problems), reference)

    def _table(self) -> Generator[list[object], None, None]:
        return _table(self.path, self.sheet, self.encoding, self.delimiter)

    def cells(self, *fields: str) -> Iterator[tuple[object, ...]]:
        """The cells of ``fields`` (``None`` for a field the sheet has no column for) in
        every data row, read from the file now, unchecked."""
        columns = [self.located.get(name) for name in fields]
        for _, cells in _data(self._table(), self.header_row):
            yield tuple(
                cells[index] if index is not None and index < len(cells) else None
                for index in columns
            )


def open_sheet(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    snapshot_date: date | None = None,
    sheet: str | None = None,
) -> SheetStream:
    """Open a ``.csv`` or ``.xlsx`` file as :func:`read_sheet` reads it, reading its header
    only (and, for a CSV file, its bytes once, for their digest and to check they are UTF-8
    text). Refused as :func:`read_sheet` refuses it."""
    mapping = mapping or ColumnMapping()
    source_path = Path(path)
    snapshot_date = _snapshot(source_path, snapshot_date)
    worksheet = sheet or mapping.sheet
    encoding: str | None
    if _is_csv(source_path, sheet):
        worksheet = None
        digest, encoding, delimiter = _checked_csv(source_path, mapping)
    else:
        encoding, delimiter = None, ","
        digest = _digest(source_path)
        worksheet = _worksheet(source_path, worksheet)
    source = source_path.name if worksheet is None else f"{source_path.name}, sheet {worksheet!r}"
    kept: list[list[object]] = []
    table = _table(source_path, worksheet, encoding, delimiter)

    def first_rows() -> Iterator[list[object]]:
        for cells in table:
            kept.append(cells)
            yield cells

    try:
        first, located = _header(first_rows(), mapping, source)
    finally:
        table.close()
    headers = [_text(h) or "" for h in kept[first - 1]]
    _check_headers(headers, first, source)
    columns, unread = _columns_read(headers, located)
    warnings = tuple(unread)
    return SheetStream(
        path=source_path,
        source=source,
        snapshot_date=snapshot_date,
        sheet=worksheet,
        columns=columns,
        warnings=warnings,
        digest=digest,
        mapping=mapping,
        header_row=first,
        headers=tuple(headers),
        located=dict(located),
        encoding=encoding,
        delimiter=delimiter,
    )


def _check_headers(headers: list[str], first: int, source: str) -> None:
    """Refuse two headers alike (whatever their case, spacing and punctuation)."""
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        if key in seen:
            raise ConfigurationError(
                f"{source}, row {first}, {_column_name(headers, index)}: the same header as "
                f"column {_letter(seen[key])} ({headers[seen[key]]!r}); rename one of them",
                field="columns",
                rule="header-unique",
            )
        seen[key] = index


def _data(table: Iterator[list[object]], header_row: int) -> Iterator[tuple[int, list[object]]]:
    """The data rows with their spreadsheet numbers, blank rows left out."""
    for number, cells in enumerate(table, start=1):
        if number > header_row and any(_text(c) is not None for c in cells):
            yield number, cells


# --- files -------------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                hasher.update(chunk)
    except OSError as error:
        raise ConfigurationError(
            f"cannot read {str(path)!r}: {error.strerror or error}",
            field="path",
            rule="file-readable",
        ) from None
    return hasher.hexdigest()


def _checked_csv(path: Path, mapping: ColumnMapping) -> tuple[str, str, str]:
    """The SHA-256 of a CSV file's bytes, read a piece at a time, the encoding its text is
    in and the delimiter between its cells (the mapping's, else found as :func:`read_sheet`
    finds them); a file that is not text in that encoding, holds a NUL byte or is empty is
    refused as :func:`read_sheet` refuses it."""
    encoding = mapping.encoding or "utf-8"
    try:
        found = _checked_text(path, mapping, encoding)
        if found is None and mapping.encoding is None:
            with path.open("rb") as file:
                bom = file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
            if not bom:
                encoding = "cp1252"
                found = _checked_text(path, mapping, encoding)
        if found is None:
            _refused_whole(path, mapping)
        assert found is not None
        digest, head = found
        if not head.lstrip("\ufeff").strip():
            _refused_whole(path, mapping)
    except OSError as error:
        raise ConfigurationError(
            f"cannot read {str(path)!r}: {error.strerror or error}",
            field="path",
            rule="file-readable",
        ) from None
    return digest, encoding, mapping.delimiter or sniff_delimiter(head, mapping)


def _checked_text(path: Path, mapping: ColumnMapping, encoding: str) -> tuple[str, str] | None:
    """The SHA-256 of a file's bytes and the first of its text (up to 64 KiB), or ``None``
    if it is not text in ``encoding``; a NUL byte refuses it."""
    hasher = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    head = ""
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            hasher.update(chunk)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return None
            if b"\x00" in chunk:
                _refused_whole(path, mapping)
            if len(head) < _SNIFFED:
                head += text[: _SNIFFED - len(head)]
        try:
            head += decoder.decode(b"", final=True)[: max(0, _SNIFFED - len(head))]
        except UnicodeDecodeError:
            return None
    return hasher.hexdigest(), head


def _refused_whole(path: Path, mapping: ColumnMapping | None = None) -> None:
    """Read the file whole, as :func:`read_sheet` does, for the message that refuses it."""
    _csv_rows(path.name, path.read_bytes(), mapping)
    raise ConfigurationError(  # pragma: no cover (the whole read refuses it)
        f"{path.name} cannot be read as CSV text", field="path", rule="file-readable"
    )


def _table(
    path: Path, sheet: str | None, encoding: str | None = None, delimiter: str = ","
) -> Generator[list[object], None, None]:
    if path.suffix.lower() == ".csv":
        return _csv_table(path, encoding, delimiter)
    return _xlsx_table(path, sheet)


def _csv_table(
    path: Path, encoding: str | None, delimiter: str
) -> Generator[list[object], None, None]:
    """The records of a CSV file checked by :func:`_checked_csv`, one at a time."""
    size = path.stat().st_size
    # As read_sheet does: a cell as long as the file is read, and judged by the rules.
    if csv.field_size_limit() < size:
        csv.field_size_limit(size)
    utf8 = encoding is None or codecs.lookup(encoding).name == "utf-8"
    with path.open(encoding="utf-8-sig" if utf8 else encoding, newline="") as file:
        reader = csv.reader(file, strict=True, delimiter=delimiter)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                _refused_whole(
                    path, evolve(ColumnMapping(), encoding=encoding, delimiter=delimiter)
                )
            yield list(record)


def _worksheet(path: Path, sheet: str | None) -> str:
    """The title of the worksheet to read (checked as :func:`read_sheet` checks it)."""
    workbook = _open_workbook(path)
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise ConfigurationError(
                    f"{path.name} has no worksheet {sheet!r} (it has "
                    f"{', '.join(repr(n) for n in workbook.sheetnames)})",
                    field="sheet",
                    rule="sheet-exists",
                )
            return sheet
        try:
            title = (workbook.active or workbook.worksheets[0]).title
        except Exception as error:  # a damaged workbook: as read_sheet says it
            _xlsx_rows(path, sheet)
            raise _unreadable(path, error) from None
        return str(title)
    finally:
        workbook.close()


def _open_workbook(path: Path) -> Any:
    import importlib

    openpyxl: Any = importlib.import_module("openpyxl")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        # A damaged file: read it as read_sheet does, for its message.
        _xlsx_rows(path, None)
        raise _unreadable(path, error) from None


def _xlsx_table(path: Path, sheet: str | None) -> Generator[list[object], None, None]:
    """The rows of a worksheet, and of the worksheets it goes on in ("Title (2)", ...,
    under the same header row), one at a time."""
    workbook = _open_workbook(path)
    try:
        try:
            worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
            title = str(worksheet.title)
            header: list[object] | None = None
            for values in worksheet.iter_rows(values_only=True):
                cells = [unescaped(v) if isinstance(v, str) else v for v in values]
                if header is None:
                    header = cells
                yield cells
            part = 2
            while header is not None and (name := continued_sheet(title, part)) in (
                workbook.sheetnames
            ):
                rows = workbook[name].iter_rows(values_only=True)
                first = next(rows, None)
                if first is None:
                    break
                if [unescaped(v) if isinstance(v, str) else v for v in first] != header:
                    break
                for values in rows:
                    yield [unescaped(v) if isinstance(v, str) else v for v in values]
                part += 1
        except ConfigurationError:
            raise
        except Exception as error:
            _xlsx_rows(path, sheet)
            raise _unreadable(path, error) from None
    finally:
        workbook.close()
