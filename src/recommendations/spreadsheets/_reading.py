"""Reading a spreadsheet (CSV or Excel workbook) into a :class:`Snapshot` of its rows.

A snapshot is what the sheet said on one date: one :class:`SheetRow` per recommendation,
read through a :class:`~recommendations.spreadsheets.ColumnMapping`. Reading checks each
cell on its own (a date is a date, a status is a status); whether the row may be recorded
is for planning to say. Every problem found is kept, named by row and column, so that all
of them can be put right at once.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attrs import frozen

from recommendations._cells import continued_sheet, read, trimmed, unescaped
from recommendations._errors import ConfigurationError
from recommendations.domain import DueDate, DuePrecision, Outcome, Response, Scope, Status

from ._mapping import FIELDS, ColumnMapping, header_key
from ._problems import Problem

__all__ = ["SheetRow", "Snapshot", "read_sheet", "snapshot_date_of"]


@frozen(kw_only=True)
class SheetRow:
    """One row of a spreadsheet, read: a recommendation as the sheet gives it.

    ``row`` is the row number the spreadsheet shows. A field is ``None`` where its cell is
    blank or the sheet has no column for it (:meth:`Snapshot.has` tells which).
    ``status`` and ``outcome`` are what the status cell says (``outcome`` only for a
    discharge); ``status_text`` is the cell as written.
    """

    row: int
    reference: str
    report: str | None = None
    text: str | None = None
    grade: str | None = None
    status: Status | None = None
    outcome: Outcome | None = None
    status_text: str | None = None
    owner: str | None = None
    owner_name: str | None = None
    due_on: date | None = None
    due_precision: DuePrecision = "day"
    progress: str | None = None
    report_title: str | None = None
    published_on: date | None = None
    inspectorates: tuple[str, ...] = ()
    kind: str | None = None
    scope: Scope | None = None
    priority: str | None = None
    response: Response | None = None


@frozen(kw_only=True)
class Snapshot:
    """What a spreadsheet said on ``snapshot_date``: its rows, and what is wrong with them.

    ``source`` names the file (and worksheet) as reasons and messages quote it; ``columns``
    gives the header of each field's column, in the sheet's spelling; ``rows`` holds the
    rows read without error and ``errors`` the problems of the others (``unread`` lists
    their references, so that planning does not take them for rows left out). ``digest``
    is the SHA-256 of the file's bytes.
    """

    path: Path
    source: str
    snapshot_date: date
    sheet: str | None
    columns: tuple[tuple[str, str], ...]
    rows: tuple[SheetRow, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    unread: frozenset[str]
    digest: str
    mapping: ColumnMapping

    def has(self, field: str) -> bool:
        """Whether the sheet has a column for ``field``."""
        return any(name == field for name, _ in self.columns)

    def column(self, field: str) -> str | None:
        """The header of the column holding ``field``, if the sheet has one."""
        for name, header in self.columns:
            if name == field:
                return header
        return None


_YEAR = r"(?P<year>(?:19|20)\d{2})"
_MONTH = r"(?P<month>\d{2})"
_DAY = r"(?P<day>\d{2})"
_DATES_IN_NAME = tuple(
    # Looked for at every position (a lookahead), so that "cp1252-2017-03-31" is not read
    # as "1252-20..." and its date missed.
    re.compile(rf"(?=(?<!\d){pattern}(?!\d))")
    for pattern in (
        rf"{_YEAR}(?P<sep>[-_.]?){_MONTH}(?P=sep){_DAY}",  # 2017-03-31, 2017_03_31, 20170331
        rf"{_DAY}(?P<sep>[-_.]){_MONTH}(?P=sep){_YEAR}",  # 31-03-2017, 31_03_2017, 31.03.2017
    )
)


def snapshot_date_of(path: str | Path) -> date:
    """The date in a file's name: ``tracker-2017-03-31.xlsx``, ``cp1252-2017-03-31.csv``,
    ``HMIC tracker 31.03.2017.xlsx``, ``tracker_20170331.csv``.

    A date is found anywhere in the name (before its extension), written year first
    (``2017-03-31``, ``2017_03_31``, ``2017.03.31`` or ``20170331``) or day first
    (``31-03-2017``, ``31_03_2017`` or ``31.03.2017``), in a year from 1900 to 2099, with
    no other digit touching it. Raises :class:`~recommendations.ConfigurationError` (rule
    ``snapshot-date``) if the name holds no date, or more than one.
    """
    name = Path(path).name
    stem = Path(path).stem
    dates: set[date] = set()
    for pattern in _DATES_IN_NAME:
        for found in pattern.finditer(stem):
            try:
                dates.add(date(int(found["year"]), int(found["month"]), int(found["day"])))
            except ValueError:
                continue
    if len(dates) == 1:
        return dates.pop()
    if dates:
        problem = f"{len(dates)} dates ({', '.join(str(d) for d in sorted(dates))})"
        hint = "put just one date in the file name"
    else:
        problem, hint = "no date", "put it in the file name"
    raise ConfigurationError(
        f"the name of {name!r} holds {problem}: give the sheet's date with --snapshot-date "
        f"(or {hint}, e.g. tracker-2017-03-31.xlsx)",
        field="snapshot_date",
        rule="snapshot-date",
    )


def read_sheet(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    snapshot_date: date | None = None,
    sheet: str | None = None,
) -> Snapshot:
    """Read a ``.csv`` (UTF-8, with or without a byte-order mark, or Windows-1252; comma,
    semicolon or tab between cells) or ``.xlsx`` file.

    ``snapshot_date`` is the date the sheet shows the register as at (default: the date in
    the file's name, see :func:`snapshot_date_of`); ``sheet`` the worksheet of a workbook
    (default: the mapping's, else the active one). Problems with cells are returned in the
    snapshot, every one of them; a file that cannot be read, a missing column or a missing
    snapshot date raise :class:`~recommendations.ConfigurationError`. So does a file that
    is not a well-formed sheet, naming the row and column where it goes wrong: two
    columns with the same header (rule ``header-unique``), a value past the last header
    (``cell-without-header``), a CSV quote never closed or followed by text
    (``csv-quoting``), a NUL byte (``nul-byte``), bytes that are not UTF-8 (``utf-8``), an
    empty file (``file-empty``), a damaged workbook (``file-readable``).

    A cell is trimmed unless it starts with an apostrophe, when it is read as exactly what
    follows; in a workbook, ``_xHHHH_`` is read as the character it escapes (see
    :mod:`recommendations._cells`, the rule the exports write by).
    """
    mapping = mapping or ColumnMapping()
    source_path = Path(path)
    snapshot_date = _snapshot(source_path, snapshot_date)
    try:
        content = source_path.read_bytes()
    except OSError as error:
        raise ConfigurationError(
            f"cannot read {str(source_path)!r}: {error.strerror or error}",
            field="path",
            rule="file-readable",
        ) from None
    worksheet = sheet or mapping.sheet
    if _is_csv(source_path, sheet):
        worksheet = None
        table = _csv_rows(source_path.name, content, mapping)
    else:
        worksheet, table = _xlsx_rows(source_path, worksheet)
    source = source_path.name if worksheet is None else f"{source_path.name}, sheet {worksheet!r}"
    return _read(
        table,
        mapping,
        path=source_path,
        source=source,
        snapshot_date=snapshot_date,
        sheet=worksheet,
        digest=hashlib.sha256(content).hexdigest(),
    )


# --- files -------------------------------------------------------------------------------------


def _csv_rows(
    name: str, content: bytes, mapping: ColumnMapping | None = None
) -> list[list[object]]:
    """The records of a CSV file; a file that is not well-formed CSV text is refused, with
    the row and column where it goes wrong. The encoding and the delimiter are the
    mapping's, else found (see :func:`decoded` and :func:`sniff_delimiter`)."""
    mapping = mapping or ColumnMapping()
    text, _ = decoded(name, content, mapping.encoding)
    delimiter = mapping.delimiter
    if not text.strip():
        raise ConfigurationError(f"{name} is empty", field="path", rule="file-empty")
    if "\x00" in text:
        raise ConfigurationError(
            f"{name}, {_place(text[: text.index(chr(0))])}: a NUL byte, which no text holds "
            "(is it a spreadsheet saved as CSV?)",
            field="path",
            rule="nul-byte",
        )
    delimiter = delimiter or sniff_delimiter(text[:_SNIFFED], mapping)
    # The csv module refuses a field longer than its limit (128 KiB by default); raised to
    # the size of this file, so that a long cell is read and judged by the rules on its
    # length. The limit is the process's: it is only ever raised, never lowered again.
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    records: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    lines = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            rest = "".join(io.StringIO(text, newline="").readlines()[lines:])
            column = _quote_fault(rest, delimiter)
            header = records[0] if records else []
            raise ConfigurationError(
                f"{name}, row {len(records) + 1}, {_column_name(header, column)}: "
                f"a quoted cell that is not closed, or text after its closing quote ({error})",
                field="path",
                rule="csv-quoting",
            ) from None
        lines = reader.line_num
        records.append(list(record))


_SNIFFED = 1 << 16
"""How much of a CSV file's text is looked at to find its delimiter."""

_WINDOWS = "cp1252"


def decoded(name: str, content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """A CSV file's text, and the encoding it was read in.

    With no ``encoding`` given: UTF-8 after a UTF-8 byte-order mark; else UTF-8 if the bytes
    are UTF-8; else Windows-1252 (``cp1252``), as Excel on Windows saves "CSV (Comma
    delimited)", if they are that. Bytes that are neither are refused (rule ``utf-8``),
    naming the row and column of the first byte that is not UTF-8; bytes that are not in
    the ``encoding`` given are refused likewise (rule ``encoding``).
    """
    bom = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    if encoding is not None and codecs.lookup(encoding).name != "utf-8":
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError as error:
            prefix = content[: error.start].decode(encoding, errors="replace")
            raise ConfigurationError(
                f"{name}, {_place(prefix)}: not {encoding} text (byte {error.start}), as the "
                "mapping's encoding says it is",
                field="path",
                rule="encoding",
            ) from None
    try:
        return content[bom:].decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if encoding is None and not bom:
            try:
                return content.decode(_WINDOWS), _WINDOWS
            except UnicodeDecodeError:
                pass
        prefix = content[bom : bom + error.start].decode("utf-8")
        neither = ", nor Windows-1252" if encoding is None and not bom else ""
        raise ConfigurationError(
            f"{name}, {_place(prefix)}: not UTF-8 text (byte {bom + error.start}){neither}: "
            "save it as 'CSV UTF-8', or name its encoding in the mapping",
            field="path",
            rule="utf-8",
        ) from None


_DELIMITERS = (",", ";", "\t")


def sniff_delimiter(text: str, mapping: ColumnMapping | None = None) -> str:
    """The delimiter of a CSV file's text: the first of comma, semicolon and tab under
    which the mapping finds the row of headers (see :meth:`ColumnMapping.header_row_of`);
    a comma if none.

    >>> sniff_delimiter("Title, and more\\nRef;Text;Owner\\n1;A, B, C;D\\n")
    ';'
    """
    mapping = mapping or ColumnMapping()
    lines = text.split("\n")
    if len(text) >= _SNIFFED and len(lines) > 1:
        lines = lines[:-1]  # the last may be cut short
    sample = "\n".join(lines[:200])
    for delimiter in _DELIMITERS:
        records: list[list[str]] = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        while len(records) < _PREAMBLE:
            try:
                records.append(next(reader))
            except (StopIteration, csv.Error):
                break  # the records read so far tell (the sample may end in a cell)
        try:
            mapping.header_row_of(records)
        except ConfigurationError:
            continue
        return delimiter
    return ","


_PREAMBLE = 30


def _place(prefix: str) -> str:
    """The row and column of the CSV text just after ``prefix``, as a spreadsheet numbers
    them (the column by its letter)."""
    delimiter = sniff_delimiter(prefix)
    records = list(csv.reader(io.StringIO(prefix + "X", newline=""), delimiter=delimiter))
    return f"row {len(records)}, column {_letter(len(records[-1]) - 1)}"


def _quote_fault(record: str, delimiter: str = ",") -> int:
    """The index of the cell whose quoting is broken, in ``record``: the text of a CSV file
    from the start of a record that the csv module refused."""
    ends = delimiter + "\r\n"
    index, at, end = 0, 0, len(record)
    while at < end:
        if record[at] == '"':
            at += 1
            while True:
                close = record.find('"', at)
                if close < 0:
                    return index  # never closed
                if record.startswith('""', close):
                    at = close + 2
                    continue
                at = close + 1
                break
            if at < end and record[at] not in ends:
                return index  # text after the closing quote
        else:
            while at < end and record[at] not in ends:
                at += 1
        if at >= end or record[at] in "\r\n":
            return index
        at += 1
        index += 1
    return index


def _letter(index: int) -> str:
    """A column's letter, as a spreadsheet names it: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_name(headers: Sequence[object], index: int) -> str:
    """A column as a message names it: its letter, and its header if it has one."""
    header = _text(headers[index]) if index < len(headers) else None
    return f"column {_letter(index)}" + (f" ({header!r})" if header is not None else "")


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[str, list[list[object]]]:
    import importlib
    import zipfile
    import zlib

    # Imported when first needed, and typed loosely: openpyxl ships no type information.
    openpyxl: Any = importlib.import_module("openpyxl")
    invalid: type[Exception] = importlib.import_module(
        "openpyxl.utils.exceptions"
    ).InvalidFileException
    # What a damaged file makes openpyxl raise: a zip file that is not one, or whose parts
    # are missing, cut short or not XML (SyntaxError covers the XML parsers' errors).
    damaged = (
        OSError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        AttributeError,
        SyntaxError,
        invalid,
    )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except damaged as error:
        raise _unreadable(path, error) from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise ConfigurationError(
                    f"{path.name} has no worksheet {sheet!r} (it has "
                    f"{', '.join(repr(n) for n in workbook.sheetnames)})",
                    field="sheet",
                    rule="sheet-exists",
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.active or workbook.worksheets[0]

        def cells(worksheet: Any) -> list[list[Any]]:
            return [
                [unescaped(v) if isinstance(v, str) else v for v in values]
                for values in worksheet.iter_rows(values_only=True)
            ]

        title = str(worksheet.title)
        rows = cells(worksheet)
        # A sheet too long for one worksheet goes on in "Title (2)", "Title (3)", ... under
        # the same header row (as the exports write it).
        part = 2
        while rows and (name := continued_sheet(title, part)) in workbook.sheetnames:
            more = cells(workbook[name])
            if not more or more[0] != rows[0]:
                break
            rows.extend(more[1:])
            part += 1
        return title, rows
    except ConfigurationError:
        raise
    except damaged as error:
        raise _unreadable(path, error) from None
    finally:
        workbook.close()


def _unreadable(path: Path, error: Exception) -> ConfigurationError:
    said = " ".join(str(error).split()) or type(error).__name__
    return ConfigurationError(
        f"{path.name} cannot be read as an Excel workbook: {said}",
        field="path",
        rule="file-readable",
    )


# --- cells -------------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


def _text(value: object) -> str | None:
    """A cell as text: ``None`` if blank. Whole numbers lose their ``.0``; a text is
    trimmed, unless it starts with an apostrophe (see :mod:`recommendations._cells`)."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        return read(str(value)) or None
    return trimmed(text) or None


def _shown(value: object) -> str:
    return repr(_text(value) if not isinstance(value, str) else value.strip())


def _due(value: object, mapping: ColumnMapping) -> DueDate | None:
    """A due date cell: a day, or a month alone (``March 2026``) with its precision."""
    if isinstance(value, str) and (text := _text(value)) is not None:
        try:
            return mapping.due_of(text)
        except ValueError:
            raise _CellError(f"{text!r} is not a date", "date") from None
    day = _date(value, mapping)
    return None if day is None else DueDate(day)


def _date(value: object, mapping: ColumnMapping) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _CellError(f"{_shown(value)} is a number, not a date", "date")
    text = _text(value)
    if text is None:
        return None
    try:
        return mapping.date_of(text)
    except ValueError:
        raise _CellError(f"{text!r} is not a date", "date") from None


_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\band\b)\s*")


def _row(
    number: int,
    cells: Sequence[object],
    columns: dict[str, int],
    mapping: ColumnMapping,
    headers: Sequence[str],
) -> tuple[SheetRow | None, list[Problem], str | None]:
    """One row read, or the problems with its cells; and its reference, if it has one."""
    problems: list[Problem] = []

    def cell(field: str) -> object:
        index = columns.get(field)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        return mapping.text_of(value) if isinstance(value, str) else value

    def fail(field: str, error: _CellError) -> None:
        problems.append(
            Problem(
                row=number,
                column=headers[columns[field]],
                message=error.message,
                rule=error.rule,
                field=field,
            )
        )

    values: dict[str, object] = {}
    reference = _text(cell("reference"))
    parts = len(mapping.reference_columns)
    if parts and reference is not None:
        # A reference made of several columns' cells: every one of them is needed.
        texts = [reference] + [_text(cell(f"reference.{part}")) for part in range(1, parts)]
        blank = [part for part, text in enumerate(texts) if text is None]
        if blank:
            problems.append(
                Problem(
                    row=number,
                    column=headers[columns[f"reference.{blank[0]}"]],
                    message=f"the reference is made from column "
                    f"{headers[columns[f'reference.{blank[0]}']]!r} too, which is blank",
                    rule="required",
                    field="reference",
                )
            )
            reference = None
        else:
            reference = mapping.reference_join.join(t for t in texts if t is not None)
    if reference is None and not problems:
        problems.append(
            Problem(
                row=number,
                column=headers[columns["reference"]],
                message="the reference is blank",
                rule="required",
                field="reference",
            )
        )
    elif reference is not None and "\n" in reference:
        problems.append(
            Problem(
                row=number,
                column=headers[columns["reference"]],
                message=f"{reference!r} is not a reference (it runs over several lines)",
                rule="required",
                field="reference",
            )
        )
    for name in ("report", "text", "owner", "owner_name", "progress", "report_title"):
        values[name] = _text(cell(name))
    kind = _text(cell("kind"))
    if kind is not None:
        values["kind"] = mapping.kind_name(kind)
        if not values["kind"]:
            fail("kind", _CellError(f"{kind!r} is not a kind of item", "kind"))
    priority = _text(cell("priority"))
    if priority is not None:
        values["priority"] = mapping.priority_code(priority)
    response = _text(cell("response"))
    if response is not None:
        named = "-".join(re.findall(r"[a-z0-9]+", response.casefold()))
        try:
            values["response"] = Response(named)
        except ValueError:
            known = ", ".join(repr(r.value) for r in Response)
            fail(
                "response",
                _CellError(
                    f"{response!r} is not a management response ({known})",
                    "response-configured",
                ),
            )
    try:
        due = _due(cell("due_on"), mapping)
    except _CellError as error:
        fail("due_on", error)
    else:
        if due is not None:
            values["due_on"], values["due_precision"] = due.on, due.precision
    try:
        values["published_on"] = _date(cell("published_on"), mapping)
    except _CellError as error:
        fail("published_on", error)
    inspectorate = _text(cell("inspectorate"))
    if inspectorate is not None:
        values["inspectorates"] = tuple(p for p in _SPLIT.split(inspectorate) if p)
    scope = _text(cell("scope"))
    if scope is not None:
        values["scope"] = mapping.scope_of(scope)
        if values["scope"] is None:
            fail("scope", _CellError(f"{scope!r} is not a scope (national or body)", "scope"))
    status_text = _text(cell("status"))
    grade_text = _text(cell("grade"))
    shared = "status" in columns and columns.get("grade") == columns["status"]
    if status_text is not None:
        meaning = mapping.status_of(status_text)
        if meaning is not None:
            values["status"], values["outcome"] = meaning
            values["status_text"] = status_text
            if shared:
                grade_text = None
        elif shared:
            values["status"] = Status.OPEN
        else:
            fail(
                "status",
                _CellError(
                    f"{status_text!r} is not a status (open, claimed, closed, ...: name it "
                    "under [statuses] in the mapping)",
                    "status",
                ),
            )
    closure = mapping.closure_of(grade_text) if grade_text is not None and not shared else None
    if grade_text is not None and closure is not None:
        # "Blue" (or "Complete", "Closed") in a grade column: closed, the last grade kept.
        said = values.get("status")
        if status_text is None:
            values["status"], values["outcome"] = closure
            values["status_text"] = grade_text
        elif said is not None and said is not Status.DISCHARGED:
            fail(
                "grade",
                _CellError(
                    f"{grade_text!r} means closed, but column {headers[columns['status']]!r} "
                    f"says {status_text!r}: make them agree (or name {grade_text!r} under "
                    "[grades] in the mapping, to read it as a grade)",
                    "status-agrees",
                ),
            )
        grade_text = None
    if grade_text is not None:
        values["grade"] = mapping.grade_code(grade_text)
        if not values["grade"]:
            fail("grade", _CellError(f"{grade_text!r} is not a grade", "grade"))
    if problems or reference is None:
        return None, problems, reference
    return SheetRow(row=number, reference=reference, **values), [], reference  # type: ignore[arg-type]


def _is_csv(path: Path, sheet: str | None) -> bool:
    """Whether ``path`` is a CSV file (else a workbook); refused if it is neither, or a CSV
    file asked for a worksheet (``sheet``)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise ConfigurationError(
                f"{path.name} is a CSV file: it has no worksheet {sheet!r}",
                field="sheet",
                rule="sheet-exists",
            )
        return True
    if suffix in (".xlsx", ".xlsm"):
        return False
    raise ConfigurationError(
        f"{path.name}: only .csv and .xlsx files can be read", field="path", rule="file-type"
    )


def _columns_read(
    headers: list[str], located: Mapping[str, int]
) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    """The header of each field's column, in the order of :data:`FIELDS`, and a warning
    naming the columns no field is read from (none if every column is read)."""
    columns = tuple((name, headers[located[name]]) for name in FIELDS if name in located)
    used = set(located.values())
    unused = [h for i, h in enumerate(headers) if h and i not in used]
    if not unused:
        return columns, []
    return columns, [Problem(message=f"columns not read: {', '.join(repr(h) for h in unused)}")]


def _read(
    table: list[list[object]],
    mapping: ColumnMapping,
    *,
    path: Path,
    source: str,
    snapshot_date: date,
    sheet: str | None,
    digest: str,
) -> Snapshot:
    first, located = _header(table, mapping, source)
    headers = [_text(h) or "" for h in table[first - 1]]
    _check_shape(table, headers, first, source)
    columns, warnings = _columns_read(headers, located)
    rows: list[SheetRow] = []
    errors: list[Problem] = []
    unread: set[str] = set()
    seen: dict[str, int] = {}
    for number, cells in _numbered(table, first):
        row, problems, reference = _row(number, cells, located, mapping, headers)
        if reference is not None and reference in seen:
            problems.append(
                Problem(
                    row=number,
                    column=headers[located["reference"]],
                    message=f"{reference!r} is on row {seen[reference]} already",
                    rule="reference-unique",
                    field="reference",
                )
            )
            row = None
        if reference is not None:
            seen.setdefault(reference, number)
        if row is None:
            errors.extend(problems)
            if reference is not None:
                unread.add(reference)
        else:
            rows.append(row)
    return Snapshot(
        path=path,
        source=source,
        snapshot_date=snapshot_date,
        sheet=sheet,
        columns=columns,
        rows=tuple(rows),
        errors=tuple(errors),
        warnings=tuple(warnings),
        unread=frozenset(unread),
        digest=digest,
        mapping=mapping,
    )


def _header(
    rows: Iterable[Sequence[object]], mapping: ColumnMapping, source: str
) -> tuple[int, dict[str, int]]:
    """The number of the row holding the headers, and where each field is in it: see
    :meth:`ColumnMapping.header_row_of`. A missing row is refused naming ``source``."""
    try:
        return mapping.header_row_of([_text(c) or "" for c in cells] for cells in rows)
    except ConfigurationError as error:
        if error.field == "header_row":
            raise ConfigurationError(
                f"{source} has no row {mapping.header_row or 1} to hold the headers",
                field="header_row",
                rule="column-present",
            ) from None
        raise


def _check_shape(table: list[list[object]], headers: list[str], first: int, source: str) -> None:
    """Refuse a sheet whose columns are not each named once: two headers alike (whatever
    their case, spacing and punctuation), or a value in a column past the last header."""
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue  # blank, or punctuation only: no field is looked for under it
        if key in seen:
            raise ConfigurationError(
                f"{source}, row {first}, {_column_name(headers, index)}: the same header as "
                f"column {_letter(seen[key])} ({headers[seen[key]]!r}); rename one of them",
                field="columns",
                rule="header-unique",
            )
        seen[key] = index
    width = max((i + 1 for i, header in enumerate(headers) if header), default=0)
    for number, cells in _numbered(table, first):
        for index in range(width, len(cells)):
            if _text(cells[index]) is not None:
                raise ConfigurationError(
                    f"{source}, row {number}, column {_letter(index)}: a value in a column "
                    f"with no header (the headers, in row {first}, end at column "
                    f"{_letter(width - 1) if width else 'A'}); give it a header, or remove it",
                    field="columns",
                    rule="cell-without-header",
                )


def _numbered(table: list[list[object]], header_row: int) -> Iterator[tuple[int, list[object]]]:
    """The data rows with their spreadsheet numbers, blank rows left out."""
    for index in range(header_row, len(table)):
        cells = table[index]
        if any(_text(c) is not None for c in cells):
            yield index + 1, cells


def _snapshot(source_path: Path, snapshot_date: date | None) -> date:
    """The snapshot date given (checked to be a date), else the one in the file's name."""
    if snapshot_date is None:
        return snapshot_date_of(source_path)
    if not isinstance(snapshot_date, date) or isinstance(snapshot_date, datetime):
        raise ConfigurationError(
            f"snapshot_date must be a date, not {snapshot_date!r}",
            field="snapshot_date",
            rule="type",
        )
    return snapshot_date
