"""A document's table read once, as it is written: a trail of hundreds of thousands of rows
is laid out as a document and written as Markdown and HTML in memory that does not grow
with it."""

from __future__ import annotations

import gc
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import attrs
import pytest

import recommendations as r
from recommendations import demo, exports, views
from recommendations.outputs.document import Cell, Count, Document, Rows, Section, Table
from recommendations.outputs.html import write_html
from recommendations.outputs.markdown import write_markdown

ROWS = 200_000

WRITERS: dict[str, Callable[[Document, IO[bytes]], None]] = {
    "md": write_markdown,
    "html": write_html,
}


def _long_trail(count: int) -> Document:
    """A trail of ``count`` entries laid out as a document, its rows made as they are read."""
    rows = Rows((Cell(str(n)), Cell(f"T-{n % 997}")) for n in range(1, count + 1))
    table = Table(
        header=("Position", "Reference"),
        rows=rows,
        widths=(1.0, 1.0),
        caption="As known at 2017-04-10 09:00:00 UTC.",
    )
    section = Section("rows", "Entries", (table, Count(rows)))
    return Document(title="Audit trail", lines=(), version="", sections=(section,), footer="")


_CHILD = """
import resource, sys
from tests.outputs.test_document_memory import WRITERS, _long_trail

def most():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

write = WRITERS[sys.argv[1]]
with open(sys.argv[2], "wb") as file:
    write(_long_trail(1_000), file)  # everything it needs imported and warm
before = most()
with open(sys.argv[2], "wb") as file:
    write(_long_trail(int(sys.argv[3])), file)
print(most() - before)
"""
"""Writes a long trail in a process of its own and prints how much more memory, at most, it
took than a trail of a thousand rows (its resident set, so that nothing slows the writing
down as :mod:`tracemalloc` would)."""


@pytest.mark.parametrize("format", sorted(WRITERS))
def test_a_long_trail_is_written_a_block_at_a_time(format: str, tmp_path: Path) -> None:
    """200,000 rows, several megabytes of file, written in little more memory than a
    thousand: the rows are never held, nor the text (written a thousand rows at a time).
    Held whole, the text alone would take more than twice the file's size."""
    path = tmp_path / f"trail.{format}"
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, format, str(path), str(ROWS)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    grown = int(done.stdout)
    written = path.read_bytes()
    assert len(written) > 3_000_000
    assert grown < 2_000_000, grown
    assert b"| 200000 | T-600 |" in written or b"<td>200000</td><td>T-600</td>" in written
    assert b"200000 rows." in written[-300:]


def test_the_rows_of_a_table_are_read_once() -> None:
    doc = _long_trail(3)
    with (Path("/dev/null")).open("wb") as file:
        write_markdown(doc, file)
        with pytest.raises(r.ConfigurationError) as refused:
            write_markdown(doc, file)
    assert refused.value.rule == "rows-read-once"


def _stream(trail: views.Trail, count: int) -> views.TrailStream:
    """``count`` entries like those of ``trail``, listed as they are made."""

    def entries() -> Iterator[views.TrailEntry]:
        for n in range(count):
            yield attrs.evolve(trail.entries[n % len(trail.entries)], position=n + 1)

    return views.TrailStream(
        basis=trail.basis, disclosure=trail.disclosure, count=count, entries=entries
    )


def _peak(write: Callable[[IO[bytes]], None], path: Path) -> int:
    """The most memory ``write`` took to write ``path``, beyond what was held before."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with path.open("wb") as file:
            write(file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


@pytest.mark.parametrize("format", sorted(WRITERS))
def test_a_streamed_trail_is_never_held(format: str, tmp_path: Path) -> None:
    """The trail the command writes, laid out as a document from a stream: the memory it
    takes is what a thousand rows take, whether it has a thousand entries or three."""
    with r.Tracker("memory://") as tracker:
        demo.build(tracker)
        trail = tracker.trail()
    peaks = []
    for count in (1_000, 3_000):
        path = tmp_path / f"trail-{count}.{format}"
        stream = _stream(trail, count)
        peaks.append(_peak(lambda file: exports.write_trail(stream, format, file), path))  # noqa: B023
        assert f"{count} rows.".encode() in path.read_bytes()[-300:]
    assert peaks[1] < peaks[0] * 1.3, peaks
