"""A report's improvement plan on the public pages: the reports page and the report's page
show its status by the policy's label, as at the date asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

import recommendations as r
from recommendations.configuration import preset
from tests.conftest import Clock, report_details

pytest.importorskip("starlette")

from starlette.testclient import TestClient

from recommendations_web import create_app


def _on(month: int, day: int) -> dict[str, object]:
    return {"effective_on": date(2019, month, day), "by": "Clerk", "reason": "minutes"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    clock = Clock(datetime(2019, 6, 1, tzinfo=UTC))
    with r.Tracker("memory://", clock=clock) as tracker:
        tracker.execute(r.domain.Configure(policy=preset("hmics"), **_on(1, 1)))  # type: ignore[arg-type]
        details = report_details(
            scale=preset("hmics").scale("not-graded"), overall_grade=None, area_grades=()
        )
        tracker.execute(r.PublishReport(reference="REP-1", details=details, **_on(2, 1)))  # type: ignore[arg-type]
        tracker.execute(r.ChangePlanStatus(reference="REP-1", status="draft", **_on(2, 10)))  # type: ignore[arg-type]
        tracker.execute(r.ChangePlanStatus(reference="REP-1", status="agreed", **_on(4, 1)))  # type: ignore[arg-type]
        with TestClient(create_app(tracker)) as test_client:
            yield test_client


def test_the_reports_page_shows_each_plan_as_at_the_date_asked(client: TestClient) -> None:
    now = client.get("/reports/")
    assert now.status_code == 200, now.text
    assert '<th scope="col">Improvement plan</th>' in now.text
    assert "Agreed (since 2019-04-01)" in now.text
    then = client.get("/reports/?as_at=2019-03-01")
    assert "In draft (since 2019-02-10)" in then.text
    page = client.get("/reports/REP-1?as_at=2019-03-01")
    assert page.status_code == 200, page.text
    assert "<dt>Improvement plan</dt><dd>In draft (since 2019-02-10)</dd>" in page.text
