"""Fixtures of the spreadsheet tests: a tracker whose clock is past every sheet's date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations.spreadsheets import ColumnMapping
from tests.conftest import Clock

from .sheets import MAPPING_TOML


@pytest.fixture
def late_clock() -> Clock:
    """Entries recorded in January 2018, after the three quarterly sheets."""
    return Clock(datetime(2018, 1, 8, 9, tzinfo=UTC))


@pytest.fixture
def tracker(store_url: str, late_clock: Clock) -> Iterator[r.Tracker]:
    with r.Tracker(store_url, clock=late_clock) as opened:
        yield opened


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING_TOML, encoding="utf-8")
    return path


@pytest.fixture
def mapping(mapping_file: Path) -> ColumnMapping:
    return ColumnMapping.load(mapping_file)
