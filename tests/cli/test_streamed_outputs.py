"""Trails and exports written as the log is read: the same files as before, in memory that
does not grow with the log."""

from __future__ import annotations

import gc
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import openpyxl
import pytest

import recommendations as r
from recommendations import domain, exports, views
from recommendations.outputs.json import json_text

from .helpers import invoke

FORMATS = ("csv", "json", "md", "html")
NOW = datetime.now(UTC) + timedelta(days=1)
"""The time every trail here is read as of (after the demonstration was recorded), so that
two reads have the same basis."""


@pytest.fixture(scope="module")
def demo(demo_file: Path) -> Iterator[r.Tracker]:
    with r.Tracker(f"sqlite:///{demo_file}") as tracker:
        yield tracker


@pytest.mark.parametrize("audience", list(views.Audience))
@pytest.mark.parametrize("position", [None, 143, 20])
def test_a_streamed_trail_lists_what_the_whole_trail_does(
    demo: r.Tracker, audience: views.Audience, position: int | None
) -> None:
    whole = demo.trail(audience=audience, position=position, known_at=NOW)
    assert len(whole) > 10
    for cached in (100_000, 2, 0):  # 0: every item's entries read again each time
        streamed = demo.stream_trail(
            audience=audience, position=position, cached=cached, known_at=NOW
        )
        assert tuple(streamed) == whole.entries
        assert tuple(streamed) == whole.entries  # again: a stream can be read more than once
        assert len(streamed) == len(whole)
        assert streamed.disclosure == whole.disclosure
        assert streamed.basis == whole.basis


def test_a_streamed_trail_as_known_at_a_time(demo: r.Tracker) -> None:
    known = demo.trail().entries[100].recorded_at
    whole = demo.trail(known_at=known, audience=views.Audience.PUBLIC)
    streamed = demo.stream_trail(known_at=known, audience=views.Audience.PUBLIC)
    assert tuple(streamed) == whole.entries and len(streamed) == len(whole)


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_writes_the_same_file_streamed(demo: r.Tracker, format: str) -> None:
    for audience in (views.Audience.BODY, views.Audience.PUBLIC):
        whole = demo.trail(audience=audience, known_at=NOW)
        streamed = demo.stream_trail(audience=audience, known_at=NOW)
        out = io.BytesIO()
        exports.write_trail(streamed, format, out)
        assert out.getvalue() == exports.render_trail(whole, format)


def test_the_spreadsheet_holds_the_same_cells_streamed(demo: r.Tracker) -> None:
    def cells(data: bytes) -> list[list[object]]:
        book = openpyxl.load_workbook(io.BytesIO(data))
        return [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]

    whole = demo.trail(audience=views.Audience.PUBLIC, known_at=NOW)
    streamed = demo.stream_trail(audience=views.Audience.PUBLIC, known_at=NOW)
    assert cells(exports.render_trail(streamed, "xlsx")) == cells(
        exports.render_trail(whole, "xlsx")
    )
    book = openpyxl.load_workbook(io.BytesIO(exports.render_trail(streamed, "xlsx")))
    assert book["Trail"].freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(exports.trail_columns(whole)))
    assert len(whole) > 100
    assert book["Trail"].auto_filter.ref == f"A1:{last}{len(whole) + 1}"


def test_the_json_export_is_the_document_it_was(demo: r.Tracker) -> None:
    register = demo.register_for(views.Audience.OVERSIGHT, known_at=NOW)
    whole = demo.trail(audience=views.Audience.OVERSIGHT, known_at=NOW)
    # The rows first, then what they are true of (the trail's disclosure is known last).
    document = {
        "register": exports.register_records(register),
        "trail": exports.trail_records(whole),
        "basis": {
            "as_at": register.basis.as_at,
            "known_at": register.basis.known_at,
            "position": register.basis.position,
            "audience": "oversight",
            "register": register.disclosure.describe(),
            "trail": whole.disclosure.describe(),
        },
    }
    streamed = demo.stream_trail(audience=views.Audience.OVERSIGHT, known_at=NOW)
    assert exports.render_bundle(register, streamed, "json") == json_text(document).encode()
    lines = demo.stream_register(views.Audience.OVERSIGHT, known_at=NOW)
    made = lambda: demo.stream_trail(audience=views.Audience.OVERSIGHT, known_at=NOW)  # noqa: E731
    assert exports.render_bundle(lines, made, "json") == json_text(document).encode()
    empty = views.Register(basis=register.basis, rows=())
    assert b'"register": [],' in exports.render_bundle(empty, streamed, "json")


def test_an_empty_trail_streamed(tmp_path: Path) -> None:
    with r.Tracker(f"sqlite:///{tmp_path / 'empty.db'}") as tracker:
        streamed = tracker.stream_trail(known_at=NOW)
        for format in FORMATS:
            out = io.BytesIO()
            exports.write_trail(streamed, format, out)
            assert out.getvalue() == exports.render_trail(tracker.trail(known_at=NOW), format)


# --- memory that does not grow with the log ----------------------------------------------------


def _templates() -> list[domain.Event]:
    """A report, a recommendation raised from it and a progress note, as decided."""
    with r.Tracker("memory://") as tracker:
        tracker.execute(
            r.PublishReport(
                reference="R-1",
                details=r.ReportDetails(
                    title="A thematic inspection",
                    body="A police force",
                    inspection=None,
                    inspectorates=("HMIC",),
                    published_on=date(2017, 3, 2),
                    scale=domain.PEEL,
                    overall_grade="good",
                    area_grades=(),
                    findings=(),
                    national=False,
                    sensitive=False,
                ),
                effective_on=date(2017, 3, 2),
                by="Inspector",
                reason="published",
            )
        )
        on = {"effective_on": date(2017, 3, 2), "by": "Risk manager", "reason": "committee"}
        tracker.execute(r.Raise(reference="T-0", report="R-1", text="Do it.", grade="amber", **on))
        tracker.execute(r.NoteProgress(reference="T-0", note="Under way.", **on))
        return [logged.event for logged in tracker.log()]


def _store(path: Path, items: int, notes: int, together: int = 20) -> str:
    """A store of ``items`` recommendations with ``notes`` notes each, ``together`` of them
    at a time living side by side (their entries interleaved), as in a real register."""
    published, raised, noted = _templates()
    start = datetime(2017, 3, 3, tzinfo=UTC)
    tick = iter(start + timedelta(seconds=n) for n in range(items * (notes + 1) + 1))
    events: list[domain.Event] = [published]
    for first in range(0, items, together):
        group = [f"T-{n}" for n in range(first, min(first + together, items))]
        for reference in group:
            events.append(
                attrs.evolve(
                    raised,  # type: ignore[misc]
                    originator_id=domain.recommendation_id(reference),
                    reference=reference,
                    recorded_at=next(tick),
                )
            )
        for version in range(2, notes + 2):
            for reference in group:
                events.append(
                    attrs.evolve(
                        noted,  # type: ignore[misc]
                        originator_id=domain.recommendation_id(reference),
                        originator_version=version,
                        note=f"Note {version} on {reference}.",
                        recorded_at=next(tick),
                    )
                )
    url = f"sqlite:///{path}"
    with r.Tracker(url) as tracker:
        tracker.append_log(events, batch=5000)
    return url


def _peak(url: str, sink: Path) -> int:
    """The most memory the trail's CSV took to write, beyond what was held before."""
    with r.Tracker(url) as tracker:
        tracker.tables.catch_up()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            streamed = tracker.stream_trail()
            with sink.open("wb") as file:
                exports.write_trail(streamed, "csv", file)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak - before


def test_the_memory_a_trail_takes_does_not_grow_with_the_log(tmp_path: Path) -> None:
    """Three times the entries, little more memory: entries are written as they are
    listed, and an item's earlier entries are kept only until its last one. What grows is
    what is kept of each item (its reference, a count, what decides whether it is
    sensitive): a few kilobytes an item, a few hundred bytes an entry here, where holding
    the trail and its rendering took several kilobytes an entry."""
    small = _store(tmp_path / "small.db", items=100, notes=9)  # 1,001 entries
    large = _store(tmp_path / "large.db", items=300, notes=9)  # 3,001 entries
    peak_small = _peak(small, tmp_path / "small.csv")
    peak_large = _peak(large, tmp_path / "large.csv")
    assert (tmp_path / "large.csv").read_bytes().count(b"\n") == 3_002
    per_entry = (peak_large - peak_small) / 2_000
    assert per_entry < 1_000, (peak_small, peak_large)


def test_the_command_writes_the_trail_it_streams(tmp_path: Path) -> None:
    url = _store(tmp_path / "store.db", items=50, notes=3, together=50)
    said = invoke("--store", url, "trail", "-o", str(tmp_path / "trail.csv"))
    assert said.exit_code == 0, said.stderr
    assert "(201 rows)" in said.stderr
    with r.Tracker(url) as tracker:
        expected = exports.render_trail(tracker.trail(), "csv")
    written = (tmp_path / "trail.csv").read_bytes()
    strip = [line.rsplit(b",", 4)[0] for line in written.splitlines()]  # the basis's time
    assert strip == [line.rsplit(b",", 4)[0] for line in expected.splitlines()]
