"""Fixtures shared by the whole suite: stores by configuration, and a clock tests control."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import recommendations as r
from recommendations import domain
from tests.postgres import (  # the throwaway PostgreSQL server, as fixtures  # noqa: F401
    postgres_database,
    postgres_server,
    postgres_store_url,
)

ALL_BACKENDS = ("memory", "sqlite", "postgresql")
BACKENDS = [
    name.strip()
    for name in os.environ.get("RECOMMENDATIONS_TEST_STORES", ",".join(ALL_BACKENDS)).split(",")
    if name.strip()
]
"""The stores the scenario suite runs on: all three unless ``RECOMMENDATIONS_TEST_STORES``
names fewer (say ``memory,sqlite`` on a machine without PostgreSQL). Never fewer in CI."""
if set(BACKENDS) - set(ALL_BACKENDS) or (
    os.environ.get("CI") and set(BACKENDS) != set(ALL_BACKENDS)
):
    raise pytest.UsageError(
        f"RECOMMENDATIONS_TEST_STORES={os.environ.get('RECOMMENDATIONS_TEST_STORES')!r}: "
        f"name some of {', '.join(ALL_BACKENDS)} (all of them in CI)"
    )

# Machines here are small and noisy: no per-example deadline. In CI, examples are derived
# from each test's name so a run is repeatable; elsewhere they vary run to run.
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


class Clock:
    """Recorded time under the test's control: each reading moves it on by ``step``."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def jump_to(self, when: datetime) -> None:
        self.now = when


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'register.db'}"


@pytest.fixture
def tracker(store_url: str, clock: Clock) -> Iterator[r.Tracker]:
    with r.Tracker(store_url, clock=clock) as opened:
        yield opened


def report_details(**changes: object) -> r.ReportDetails:
    fields: dict[str, object] = {
        "title": "PEEL: Police effectiveness 2016",
        "body": "West Midlands Police",
        "inspection": None,
        "inspectorates": ("HMIC",),
        "published_on": date(2017, 3, 2),
        "scale": domain.PEEL,
        "overall_grade": "good",
        "area_grades": (r.AreaGrade("vulnerability", "requires-improvement"),),
        "findings": (r.Finding("2.15", r.FindingKind.CAUSE_OF_CONCERN, "Domestic abuse"),),
        "national": False,
        "sensitive": False,
    }
    fields.update(changes)
    return r.ReportDetails(**fields)  # type: ignore[arg-type]


def who(month: int, day: int, year: int = 2017) -> dict[str, object]:
    """The ``effective_on``, ``by`` and ``reason`` of a command, briefly."""
    return {"effective_on": date(year, month, day), "by": "Kath Holder", "reason": "committee"}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran on PostgreSQL, and how they ended: a CI log shows at a glance
    that they ran and passed, not that they were skipped."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        counts[outcome] = sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if "postgres" in getattr(report, "nodeid", "").lower()
        )
    if any(counts.values()):
        terminalreporter.write_line(
            "Tests on or about PostgreSQL: "
            + ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
            + f" (server: {os.environ.get('RECOMMENDATIONS_TEST_POSTGRES') or 'throwaway'})"
        )
