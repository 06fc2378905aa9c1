"""Fixtures for the command line: stores on each engine, and the demonstration built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import recommendations as r
from recommendations import demo

from .helpers import CONSOLE_SCRIPT, ENGINES, copy_database


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each engine."""
    if engine == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'register.db'}"


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demonstration, built once; copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        demo.install(tracker)
    return path


@pytest.fixture
def demo_store(engine: str, request: pytest.FixtureRequest, demo_file: Path, tmp_path: Path) -> str:
    """A store holding the demonstration, on each engine, for this test alone (on
    PostgreSQL, the log of :func:`demo_file` copied unchanged, position for position)."""
    if engine == "postgresql":
        url = str(request.getfixturevalue("postgres_store_url"))
        with r.Tracker(url) as tracker, r.Tracker(f"sqlite:///{demo_file}") as source:
            tracker.copy_from(source)
        return url
    return f"sqlite:///{copy_database(demo_file, tmp_path / 'demo.db')}"


@pytest.fixture(scope="session")
def shared_demo(demo_file: Path) -> str:
    """The session's demonstration store, to read only."""
    return f"sqlite:///{demo_file}"


@pytest.fixture(scope="session")
def console_script() -> Path:
    found = CONSOLE_SCRIPT if CONSOLE_SCRIPT.exists() else shutil.which("recommendations")
    assert found, "the recommendations console script is not installed"
    return Path(found)
