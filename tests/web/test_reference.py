"""The API reference page is the one written from the OpenAPI document, and the example
application that mounts the API under a prefix runs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from recommendations import Tracker
from recommendations_web.reference import markdown

from .conftest import seed

ROOT = Path(__file__).resolve().parents[2]


def test_the_reference_page_is_written_from_the_openapi_document() -> None:
    page = (ROOT / "docs" / "reference" / "web-api.md").read_text(encoding="utf-8")
    assert page == markdown(), (
        "run: python -m recommendations_web.reference > docs/reference/web-api.md"
    )


def test_the_example_application_mounts_the_register_under_a_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    with Tracker(store) as tracker:
        seed(tracker)
    monkeypatch.setenv("RECOMMENDATIONS_STORE", store)
    app = runpy.run_path(str(ROOT / "examples" / "web-embed" / "app.py"))["app"]
    with TestClient(app) as client:
        assert "intranet" in client.get("/").text
        register = client.get("/register/api/register", params={"as_at": "2017-03-30"}).json()
        assert register["self"].startswith("/register/api/register?")
        assert [row["reference"] for row in register["register"]] == ["2.16", "2.18"]
        page = client.get("/register/").text
        assert 'href="/register/recommendations/2.16?as_at=' in page
        assert 'action="/register/"' in page
        servers = client.get("/register/api/openapi.json").json()["servers"]
        assert servers == [{"url": "/register/api"}]
        missing = client.get("/register/api/nothing-here")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
