"""CSV: a register or a trail as a header row of column names, then one row per item,
with the basis in four more columns on every row (``basis_as_at``, ``basis_known_at``,
``basis_position``, ``audience``); UTF-8 with a byte-order mark, so that a spreadsheet
opens it right. The register and trail together are a folder of two such files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from recommendations._cells import written

from ._common import CHUNK, Listing, columns, records
from ._records import BASIS_COLUMNS, AnyView, Column, Record, human, utc
from ._registry import Format

if TYPE_CHECKING:
    from recommendations.integrity import LogCheckpoint

__all__ = ["FORMAT", "csv_chunks", "csv_text"]


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


def write_view(
    view: AnyView, file: IO[bytes], title: str, checkpoint: LogCheckpoint | None = None
) -> None:
    """``view`` as CSV to ``file``, with its basis on every row, as its rows come."""
    file.write(b"\xef\xbb\xbf")
    for chunk in csv_chunks((*columns(view), *BASIS_COLUMNS), records(view, basis=True)):
        file.write(chunk.encode("utf-8"))


def write_listing(listing: Listing, file: IO[bytes]) -> None:
    """A listing as CSV: its columns' keys, then a row per row, as machines read them (the
    columns only)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(listing.columns), lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(listing.rows)
    file.write(buffer.getvalue().encode("utf-8"))


FORMAT = Format(
    name="csv",
    rank=2,
    description="comma-separated values",
    suffixes=(".csv",),
    write_view=write_view,
    write_listing=write_listing,
    bundle_as_folder=True,
)
