"""The committee paper of 30 March 2017, built once from the West Midlands scenario."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import recommendations as r
from recommendations.paper import CommitteePaper

from .scenario import COMMITTEE, PREVIOUS_COMMITTEE, west_midlands


@pytest.fixture(scope="package")
def scenario() -> Iterator[r.Tracker]:
    """The West Midlands scenario, recorded in memory."""
    with r.Tracker("memory://") as tracker:
        west_midlands.build(tracker)
        yield tracker


@pytest.fixture(scope="package")
def paper(scenario: r.Tracker) -> CommitteePaper:
    """The paper for the committee of 30 March 2017, since that of 8 December 2016."""
    return CommitteePaper.of(scenario, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE)


@pytest.fixture(scope="package")
def pdf_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paper") / "committee-paper.pdf"
    path.write_bytes(paper.pdf())
    return path


@pytest.fixture(scope="package")
def svg_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chart") / "chart.svg"
    path.write_bytes(paper.chart("svg"))
    return path


@pytest.fixture(scope="package")
def png_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chart") / "chart.png"
    path.write_bytes(paper.chart("png"))
    return path


@pytest.fixture(scope="package")
def html_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paper") / "committee-paper.html"
    path.write_text(paper.html(), encoding="utf-8")
    return path
