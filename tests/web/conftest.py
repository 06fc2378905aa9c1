"""Fixtures of the web package's tests: a small register on each store, the application
over it, tokens for each role, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import recommendations as r
from tests.conftest import Clock, report_details

pytest.importorskip("starlette")

from starlette.testclient import TestClient

from recommendations_web import TokenFile, create_app

SCRIPT = '<script>alert("x")</script> Review the <b>supervision</b> & triage'
"""A recommendation's text that a page must show as text."""


def meta(month: int, day: int, by: str = "Kath Jones") -> dict[str, object]:
    return {"effective_on": date(2017, month, day), "by": by, "reason": "joint audit committee"}


def seed(tracker: r.Tracker) -> None:
    """A report with two recommendations (one regraded later), and a sensitive report
    with one: what the tests read and write."""
    tracker.execute_many(
        [
            r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **meta(3, 2)),
            r.Raise(
                reference="2.16",
                report="PEEL-EFF-2016",
                text="Ensure effective supervision of the initial risk assessment process.",
                grade="amber",
                owner="Head of Public Protection",
                owner_name="Alex Owner",
                due_on=date(2017, 6, 30),
                **meta(3, 2),
            ),
            r.Raise(
                reference="2.18",
                report="PEEL-EFF-2016",
                text=SCRIPT,
                grade="red",
                owner="Head of Crime",
                due_on=date(2017, 3, 20),
                **meta(3, 2),
            ),
            r.PublishReport(
                reference="CT-2016",
                details=report_details(
                    title="Counter terrorism command and control", sensitive=True
                ),
                **meta(3, 5),
            ),
            r.Raise(
                reference="CT-1",
                report="CT-2016",
                text="Secret matter",
                grade="red",
                owner="Head of Counter Terrorism",
                owner_name="Sam Secret",
                **meta(3, 5),
            ),
        ]
    )
    tracker.execute(r.Regrade(reference="2.16", grade="green", **meta(3, 30)))


class Tokens:
    """One token per role, issued into a token file."""

    def __init__(self, path: Path) -> None:
        self.file = TokenFile(path)
        self.body, _ = self.file.issue(actor="Kath Jones", role="body")
        self.oversight, _ = self.file.issue(actor="Olive Oversight", role="oversight")
        self.inspectorate, _ = self.file.issue(actor="Ian Inspector", role="inspectorate")
        self.public, _ = self.file.issue(actor="Pat Public", role="public")

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def seeded(store_url: str, clock: Clock) -> Iterator[r.Tracker]:
    with r.Tracker(store_url, clock=clock) as tracker:
        seed(tracker)
        yield tracker


@pytest.fixture
def tokens(tmp_path: Path) -> Tokens:
    return Tokens(tmp_path / "tokens.json")


@pytest.fixture
def client(seeded: r.Tracker, tokens: Tokens) -> Iterator[TestClient]:
    app = create_app(seeded, tokens=tokens.file, max_body=16 * 1024)
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client
