"""The domain core and the views are pure: importing them loads no storage, serialization
or I/O module."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

PURE = ["recommendations.domain", "recommendations.views"]

FORBIDDEN = (
    "eventsourcing",
    "cattrs",
    "orjson",
    "sqlite3",
    "_sqlite3",
    "psycopg",
    "socket",
    "ssl",
    "http",
    "urllib.request",
    "asyncio",
    "subprocess",
)


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize("package", PURE)
def test_importing_a_pure_package_loads_no_io(package: str) -> None:
    loaded = _loaded_after(f"import {package}")
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN)
    assert bad == []
    assert "recommendations._tracker" not in loaded


def test_importing_the_package_defers_the_store() -> None:
    loaded = _loaded_after("import recommendations")
    assert not {m for m in loaded if m.startswith("eventsourcing")}
    assert "recommendations._tracker" not in loaded


def test_the_tracker_is_there_when_asked_for() -> None:
    loaded = _loaded_after("import recommendations; recommendations.Tracker")
    assert "eventsourcing.application" in loaded


@pytest.mark.parametrize("package", PURE)
def test_pure_source_names_no_infrastructure(package: str) -> None:
    """Belt and braces: no module of a pure package even mentions an infrastructure import."""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    folder = Path(module.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                top = stripped.split()[1].split(".")[0]
                assert top not in FORBIDDEN, f"{path.name}: {stripped}"


DOMAIN_ERRORS = [
    "RecommendationsError",
    "RuleViolation",
    "TimelineConflict",
    "AlreadyExists",
    "NotFound",
    "ConfigurationError",
]


@pytest.mark.parametrize("name", DOMAIN_ERRORS)
def test_the_domain_owns_the_errors_it_raises(name: str) -> None:
    """Defined in the domain, and the same class from ``recommendations.domain`` and from
    ``recommendations`` (and the service's module, where older code imported it)."""
    import recommendations
    import recommendations._errors
    import recommendations.domain

    error = getattr(recommendations.domain, name)
    assert error.__module__ == "recommendations.domain._errors"
    assert getattr(recommendations, name) is error
    assert getattr(recommendations._errors, name) is error
    assert issubclass(error, recommendations.domain.RecommendationsError)


def test_the_domain_imports_nothing_of_the_library_outside_it() -> None:
    """The domain is a package on its own: its modules import from one another (and the
    standard library and attrs), never from the rest of ``recommendations``."""
    folder = Path(importlib.import_module("recommendations.domain").__file__ or "").parent
    outside = [
        f"{path.name}: {line.strip()}"
        for path in sorted(folder.glob("*.py"))
        for line in path.read_text().splitlines()
        if line.strip().startswith(("from recommendations", "import recommendations", "from .."))
        and not line.strip().startswith(("from recommendations.domain", "import recommendations.d"))
    ]
    assert outside == []
