"""Writing records down: CSV, JSON, Markdown and HTML (the spreadsheet is in ``_xlsx``)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from recommendations._cells import written
from recommendations._escaping import markdown_text

from ._records import Column, Record, changes_text, human, plain, utc

__all__ = ["cell_text", "csv_text", "html_page", "json_text", "markdown_page"]


def _csv_cell(value: Any, key: str) -> str:
    if key == "changes":
        return written("; ".join(human(change) for change in value), formulas=True)
    if key == "points" and isinstance(value, list | tuple):
        return written("\n".join(human(point) for point in value), formulas=True)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # After an apostrophe where a spreadsheet would run it as a formula, or where the
    # import would not read it back exactly (see recommendations._cells).
    return written(human(value), formulas=True)


def csv_text(columns: Sequence[Column], records: Iterable[Record]) -> str:
    """A header row of the column keys, then one row per record.

    Lists are joined by ``; `` (a recommendation's points one to a line), booleans written
    ``true``/``false``, dates ``YYYY-MM-DD``, times in ISO 8601 (UTC); a text that starts
    like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
    gets a leading ``'`` so that a spreadsheet shows it instead of running it, and so does
    one that starts with ``'`` or has spaces or blank lines at either end, so that the
    import reads back exactly what was written.
    """
    return "".join(csv_chunks(columns, records))


def csv_chunks(columns: Sequence[Column], records: Iterable[Record]) -> Iterator[str]:
    """:func:`csv_text` in pieces of at most :data:`CHUNK` rows, as ``records`` come."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = [column.key for column in columns]
    writer.writerow(keys)
    for count, record in enumerate(records, start=1):
        writer.writerow([_csv_cell(record.get(key), key) for key in keys])
        if count % CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


CHUNK = 1000
"""How many rows a streamed file is written in at a time."""


def json_text(value: Any) -> str:
    """``value`` as indented JSON (see :func:`~recommendations.exports.plain`)."""
    return json.dumps(plain(value), ensure_ascii=False, indent=2) + "\n"


def json_array_chunks(records: Iterable[Any], *, depth: int = 0) -> Iterator[str]:
    """A JSON list of ``records``, written as they come: the same text as
    :func:`json_text` of the list (without its last line break), indented as if nested
    ``depth`` levels deep."""
    outer = "  " * depth
    inner = outer + "  "
    first = True
    for record in records:
        text = json.dumps(plain(record), ensure_ascii=False, indent=2)
        yield ("[\n" if first else ",\n") + inner + text.replace("\n", "\n" + inner)
        first = False
    yield "[]" if first else "\n" + outer + "]"


def _md(text: str) -> str:
    """``text`` safe anywhere in Markdown, a table cell included: markup escaped, one line
    of source (a line break is ``<br>``)."""
    return markdown_text(text)


def cell_text(record: Record, key: str) -> str:
    """The text a reader's table shows for ``key`` of ``record``."""
    if key == "changes":
        return changes_text(record)
    return human(record.get(key))


def markdown_page(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> str:
    """A heading, the basis sentence and a table, in GitHub-flavoured Markdown."""
    return "".join(markdown_chunks(title, sentence, columns, records))


def markdown_chunks(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> Iterator[str]:
    """:func:`markdown_page` in pieces, as ``records`` come."""
    lines = [f"# {_md(title)}", "", _md(sentence), ""]
    lines.append("| " + " | ".join(_md(c.title) for c in columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in columns) + "|")
    count = 0
    for count, record in enumerate(records, start=1):  # noqa: B007 - the count is used below
        lines.append("| " + " | ".join(_md(cell_text(record, c.key)) for c in columns) + " |")
        if len(lines) >= CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    lines += ["", f"{count} {'row' if count == 1 else 'rows'}.", ""]
    yield "\n".join(lines)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}"
    "table{border-collapse:collapse}"
    "caption{text-align:left;padding:.5em 0;font-style:italic}"
    "th,td{border:1px solid #999;padding:.25em .5em;vertical-align:top;text-align:left}"
    "th{background:#eee}"
)


def html_page(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> str:
    """A whole HTML page: the title, a table captioned with the basis sentence, and how
    many rows it has.

    Every value is escaped, so text entered by anyone shows as text.
    """
    return "".join(html_chunks(title, sentence, columns, records))


def html_chunks(
    title: str, sentence: str, columns: Sequence[Column], records: Iterable[Record]
) -> Iterator[str]:
    """:func:`html_page` in pieces, as ``records`` come."""
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(c.title)}</th>' for c in columns)
    rows: list[str] = []
    count = 0
    yield (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n<table>\n<caption>{esc(sentence)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n"
    )
    for count, record in enumerate(records, start=1):  # noqa: B007 - the count is used below
        cells = "".join(f"<td>{esc(cell_text(record, c.key))}</td>" for c in columns)
        rows.append(f"<tr>{cells}</tr>\n")
        if len(rows) >= CHUNK:
            yield "".join(rows)
            rows = []
    yield (
        ("".join(rows) if count else "\n")
        + "</tbody>\n</table>\n"
        + f"<p>{count} {'row' if count == 1 else 'rows'}.</p>\n"
        + "</body>\n</html>\n"
    )
