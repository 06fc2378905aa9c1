"""``export`` lists the register as it reads it, and writes it before the trail reads the
log: each format holds what it held when the register was read whole first."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import recommendations as r
from recommendations import exports, views
from recommendations.outputs._records import iter_register_records

from .helpers import invoke

NOW = datetime.now(UTC) + timedelta(days=1)
AUDIENCES = ("body", "public")


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    return f"sqlite:///{path}"


def _held(store: str, audience: str) -> tuple[views.Register, views.Trail]:
    """The register and trail as the export read them before: held whole."""
    who = views.Audience(audience)
    with r.Tracker(store) as tracker:
        head = tracker.head()
        register = tracker.register_for(who, known_at=NOW, position=head)
        labels = tracker.register_labels(as_at=register.basis.as_at, known_at=NOW)
        register = attrs.evolve(register, labels=labels)  # the export writes them too
        trail = tracker.trail(known_at=NOW, position=head, audience=who)
    return register, trail


def _export(store: str, format: str, out: Path, audience: str) -> None:
    said = invoke(
        "--store", store, "export", "--format", format, "-o", str(out),
        "--known-at", NOW.isoformat(), "--audience", audience,
    )  # fmt: skip
    assert said.exit_code == 0, said.stderr


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_csv_export_writes_what_it_wrote(demo_copy: str, tmp_path: Path, audience: str) -> None:
    register, trail = _held(demo_copy, audience)
    _export(demo_copy, "csv", tmp_path / "out", audience)
    assert (tmp_path / "out" / "register.csv").read_bytes() == exports.render_register(
        register, "csv"
    )
    assert (tmp_path / "out" / "trail.csv").read_bytes() == exports.render_trail(trail, "csv")
    rows = list(csv.DictReader(io.StringIO(exports.render_register(register, "csv").decode())))
    assert len(rows) == len(register) > 5


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_json_export_holds_what_it_held(demo_copy: str, tmp_path: Path, audience: str) -> None:
    register, trail = _held(demo_copy, audience)
    _export(demo_copy, "json", tmp_path / "all.json", audience)
    document = json.loads((tmp_path / "all.json").read_text())
    before = json.loads(exports.render_bundle(register, trail, "json"))
    checkpoint = document.pop("checkpoint")
    assert checkpoint["size"] == register.basis.position
    assert document == before
    assert list(document) == ["register", "trail", "basis"]
    if audience == "public":
        assert "withheld" in document["basis"]["trail"]


def _cells(book: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_workbook_export_holds_the_same_cells(
    demo_copy: str, tmp_path: Path, audience: str
) -> None:
    register, trail = _held(demo_copy, audience)
    _export(demo_copy, "xlsx", tmp_path / "all.xlsx", audience)
    got = openpyxl.load_workbook(tmp_path / "all.xlsx")
    expected = openpyxl.load_workbook(io.BytesIO(exports.render_bundle(register, trail, "xlsx")))
    assert got.sheetnames == ["Register", "Trail", "Basis"]
    assert _cells(got) == _cells(expected)
    assert got["Register"].auto_filter.ref == expected["Register"].auto_filter.ref


def test_the_register_is_written_before_the_trail_is_made(demo_file: Path) -> None:
    with r.Tracker(f"sqlite:///{demo_file}") as tracker:
        register = tracker.stream_register(known_at=NOW)
        out = io.BytesIO()
        seen: list[bytes] = []

        def trail() -> views.TrailStream:
            seen.append(out.getvalue())
            return tracker.stream_trail(known_at=NOW)

        exports.write_bundle(register, trail, "json", out)
        (written,) = seen
        last = list(iter_register_records(register))[-1]["reference"]
        assert written.startswith(b'{\n  "register": [') and f'"{last}"'.encode() in written
        assert written.endswith(b'\n  ],\n  "trail": ')  # and nothing of the trail yet
        assert json.loads(out.getvalue())["basis"]["position"] == register.basis.position
