"""The domain core is pure: importing it loads no storage, serialization or I/O module."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_importing_the_domain_loads_no_io() -> None:
    loaded = _loaded_after("import recommendations.domain")
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN)
    assert bad == []


def test_importing_the_package_defers_the_store() -> None:
    loaded = _loaded_after("import recommendations")
    assert not {m for m in loaded if m.startswith("eventsourcing")}
    assert "recommendations._tracker" not in loaded


def test_the_tracker_is_there_when_asked_for() -> None:
    loaded = _loaded_after("import recommendations; recommendations.Tracker")
    assert "eventsourcing.application" in loaded


def test_domain_source_names_no_infrastructure() -> None:
    """Belt and braces: no domain module even mentions an infrastructure import."""
    from pathlib import Path

    import recommendations.domain as domain

    folder = Path(domain.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                top = stripped.split()[1].split(".")[0]
                assert top not in FORBIDDEN, f"{path.name}: {stripped}"
