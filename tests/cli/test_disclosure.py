"""What the public is shown from the command line: no sensitive item, not even through a link
from a public one, in any format of the register, the histories, the trail or the paper."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

import recommendations as r
from recommendations import views
from tests.conftest import Clock
from tests.logs import linked_commands, secrets_shown

from .helpers import invoke, ok

PUBLIC = ("--audience", "public")


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding :func:`~tests.logs.linked_commands`, to read only."""
    path = tmp_path_factory.mktemp("linked") / "linked.db"
    url = f"sqlite:///{path}"
    with r.Tracker(url, clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as tracker:
        for command in linked_commands():
            tracker.execute(command)
    return url


def _text(data: bytes, format_: str) -> str:
    """What a reader of ``data`` sees, as text."""
    if format_ == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        return repr([list(sheet.values) for sheet in book.worksheets])
    if format_ == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8-sig")


def _read(store: str, *args: str, format_: str, tmp_path: Path) -> str:
    ending = "txt" if format_ == "table" else format_
    target = tmp_path / f"out.{ending}"
    ok(invoke("--store", store, *args, *PUBLIC, "--format", format_, "-o", str(target)))
    return _text(target.read_bytes(), format_)


@pytest.mark.parametrize("format_", ["table", "json", "csv", "xlsx", "md", "html"])
def test_no_public_view_names_a_sensitive_item_through_a_link(
    linked_store: str, format_: str, tmp_path: Path
) -> None:
    shown = {
        what: _read(linked_store, *what, format_=format_, tmp_path=tmp_path)
        for what in (("register",), ("history", "2.16"), ("history", "2.18"), ("trail",))
    }
    for what, text in shown.items():
        assert secrets_shown(text) == [], what
    assert views.WITHHELD in shown["history", "2.16"]  # superseded by 2.99
    assert views.WITHHELD in shown["history", "2.18"]  # corrected to CT/1
    assert "2.16" in shown["history", "2.18"]  # first superseded by 2.16: public, shown
    # standard output says the same as the file
    printed = ok(invoke("--store", linked_store, "history", "2.16", *PUBLIC, "--format", format_))
    if format_ != "xlsx":
        assert secrets_shown(printed) == []
        assert views.WITHHELD in printed


@pytest.mark.parametrize("format_", ["md", "html", "json", "pdf"])
def test_no_public_paper_names_a_sensitive_item_through_a_link(
    linked_store: str, format_: str, tmp_path: Path
) -> None:
    args = ("committee-update", "--since", "2017-02-01", "--as-at", "2017-04-01")
    text = _read(linked_store, *args, format_=format_, tmp_path=tmp_path)
    assert secrets_shown(text) == []
    assert "Custody" in text
    if format_ != "pdf":
        assert views.WITHHELD in text  # the report Custody is expected to produce


def test_the_body_sees_every_link(linked_store: str) -> None:
    body = json.loads(ok(invoke("--store", linked_store, "history", "2.16", "--format", "json")))
    assert body[1]["details"]["superseded_by"] == "2.99"


@pytest.mark.parametrize("format_", ["json", "xlsx", "csv"])
def test_no_public_export_names_a_sensitive_item_through_a_link(
    linked_store: str, format_: str, tmp_path: Path
) -> None:
    target = tmp_path / ("export" if format_ == "csv" else f"export.{format_}")
    args = ("--store", linked_store, "export", "-o", str(target), "--format", format_)
    ok(invoke(*args, *PUBLIC))
    files = sorted(target.iterdir()) if format_ == "csv" else [target]
    text = "\n".join(_text(path.read_bytes(), format_) for path in files)
    assert secrets_shown(text) == []
    assert views.WITHHELD in text
