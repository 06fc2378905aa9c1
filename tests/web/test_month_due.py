"""A due date known only to the month through the web: a command sets it, the JSON keeps
the ISO date with its precision, and the pages show the month."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient

from .conftest import Tokens


def test_a_month_alone_through_the_api_and_the_pages(client: TestClient, tokens: Tokens) -> None:
    schema = client.get("/api/schema/commands.json").json()
    assert '"enum": ["day", "month"]' in str(schema).replace("'", '"')
    command = {
        "type": "ChangeDeadline",
        "reference": "2.16",
        "due_on": "2017-09-30",
        "due_precision": "month",
        "effective_on": "2017-04-02",
        "reason": "extension agreed",
    }
    made = client.post("/api/commands", json=command, headers=tokens.header(tokens.body))
    assert made.status_code == 201, made.text
    register = client.get("/api/register?as_at=2017-04-05").json()["register"]
    (row,) = [row for row in register if row["reference"] == "2.16"]
    assert (row["due_on"], row["due_precision"]) == ("2017-09-30", "month")
    answer = client.get("/api/recommendations/2.16?as_at=2017-04-05").json()
    assert answer["recommendation"]["due_precision"] == "month"
    page = client.get("/?as_at=2017-04-05").text
    assert "September 2017" in page and "2017-09-30" not in page
    assert "September 2017" in client.get("/recommendations/2.16").text
    wrong = {**command, "due_on": "2017-09-29", "effective_on": "2017-04-03"}
    refused = client.post("/api/commands", json=wrong, headers=tokens.header(tokens.body))
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "due-month"
