"""What the API and the pages refuse, on SQLite and PostgreSQL: no sensitive field for a
public token or none, no command without a token allowed to record it, no command from a
malformed, oversized or unknown document; and nothing is recorded by any of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import recommendations as r
from tests.conftest import report_details

from .conftest import SCRIPT, Tokens

SECRETS = ("CT-1", "CT-2016", "Secret matter", "Sam Secret", "Alex Owner", "Kath Jones")
"""A sensitive recommendation and report, its text and owner, a public item's owner's
name, and the actor of every entry."""


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'register.db'}"


READS = (
    "/api/register",
    "/api/register?as_at=2017-03-10",
    "/api/recommendations/2.16",
    "/api/trail?limit=1000",
    "/api/committee-update?since=2017-01-01&as_at=2017-04-30",
    "/",
    "/?q=secret",
    "/register.csv",
    "/recommendations/2.16",
    "/reports/PEEL-EFF-2016",
    "/reports/",
)


def test_public_and_anonymous_reads_never_hold_a_sensitive_field(
    client: TestClient, tokens: Tokens
) -> None:
    for headers in ({}, tokens.header(tokens.public)):
        for address in READS:
            answer = client.get(address, headers=headers)
            assert answer.status_code == 200, (address, answer.text)
            for secret in SECRETS:
                assert secret not in answer.text, (address, secret)
        for address in ("/api/recommendations/CT-1", "/recommendations/CT-1", "/reports/CT-2016"):
            answer = client.get(address, headers=headers)
            assert answer.status_code == 404, address
            assert "Secret" not in answer.text
        assert client.get("/api/proofs/2.16", headers=headers).status_code in (401, 403)
    body = client.get("/api/register", headers=tokens.header(tokens.body)).text
    assert "CT-1" in body
    assert "Alex Owner" in body


REGRADE = {
    "type": "Regrade",
    "reference": "2.16",
    "grade": "red",
    "effective_on": "2017-04-02",
    "reason": "r",
}


def test_no_token_or_a_public_token_records_nothing(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    head = seeded.head()
    anonymous = client.post("/api/commands", json=REGRADE)
    assert anonymous.status_code == 401
    assert anonymous.json()["rule"] == "role-may-record"
    public = client.post("/api/commands", json=REGRADE, headers=tokens.header(tokens.public))
    assert public.status_code == 403
    assert public.json()["rule"] == "role-may-record"
    revoked_token, record = tokens.file.issue(actor="Gone", role="body")
    tokens.file.revoke(record.id)
    revoked = client.post("/api/commands", json=REGRADE, headers=tokens.header(revoked_token))
    assert revoked.status_code == 401
    assert revoked.json()["rule"] == "token-known"
    assert seeded.head() == head


def test_a_body_cannot_record_or_correct_an_inspectorates_discharge(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    discharge = {
        "type": "Discharge",
        "reference": "2.18",
        "outcome": "implemented",
        "accepted_by": "HMICFRS",
        "acceptor_role": "inspectorate",
        "effective_on": "2017-04-05",
        "reason": "revisit",
    }
    head = seeded.head()
    refused = client.post("/api/commands", json=discharge, headers=tokens.header(tokens.body))
    assert refused.status_code == 403
    assert refused.json()["field"] == "acceptor_role"
    assert seeded.head() == head
    done = client.post("/api/commands", json=discharge, headers=tokens.header(tokens.inspectorate))
    assert done.status_code == 201
    version = len(seeded.events("2.18"))
    correct = {
        "type": "Correct",
        "reference": "2.18",
        "version": version,
        "what_was_wrong": "not accepted",
        "strike": True,
        "effective_on": "2017-04-06",
        "reason": "r",
    }
    head = seeded.head()
    refused = client.post("/api/commands", json=correct, headers=tokens.header(tokens.body))
    assert refused.status_code == 403
    assert refused.json()["rule"] == "role-may-record"
    as_body = {**correct, "changes": {"acceptor_role": "body"}, "strike": False}
    refused = client.post("/api/commands", json=as_body, headers=tokens.header(tokens.body))
    assert refused.status_code == 403
    assert seeded.head() == head


def test_malformed_oversized_and_unknown_documents_record_nothing(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    head = seeded.head()
    body = {**tokens.header(tokens.body), "Content-Type": "application/json"}

    def refused(content: bytes, status: int, rule: str, headers: dict[str, str] = body) -> None:
        answer = client.post("/api/commands", content=content, headers=headers)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["rule"] == rule

    refused(b'{"type": "Regrade", "reference": ', 400, "json")
    refused(b"\xff\xfe not json", 400, "json")
    refused(b"", 400, "json")
    refused(json.dumps({**REGRADE, "colour": "blue"}).encode(), 422, "known-fields")
    refused(json.dumps({**REGRADE, "type": "regrade"}).encode(), 422, "command-type")
    refused(json.dumps([REGRADE, "Regrade"]).encode(), 422, "command-object")
    refused(json.dumps("Regrade").encode(), 422, "command-object")
    refused(json.dumps([]).encode(), 422, "batch-size")
    refused(json.dumps([REGRADE] * 501).encode()[: 16 * 1024], 400, "json")
    refused(json.dumps({**REGRADE, "grade": 7}).encode(), 422, "type")
    refused(json.dumps({**REGRADE, "reason": "x" * 20_000}).encode(), 413, "body-size")
    text = {**tokens.header(tokens.body), "Content-Type": "text/plain"}
    refused(json.dumps(REGRADE).encode(), 415, "json-body", text)

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused as it streams in
        for _ in range(40):
            yield b" " * 1024

    streamed = client.post("/api/commands", content=chunks(), headers=body)
    assert streamed.status_code == 413
    assert streamed.json()["rule"] == "body-size"
    assert seeded.head() == head


def test_every_field_is_escaped_on_the_pages(client: TestClient) -> None:
    for address in ("/", "/recommendations/2.18", "/reports/PEEL-EFF-2016", "/?q=triage"):
        page = client.get(address).text
        assert "<script>alert" not in page, address
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, address
        assert "<b>supervision</b>" not in page
    assert SCRIPT in client.get("/api/recommendations/2.18").json()["recommendation"]["text"]
    hostile = client.get("/recommendations/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert hostile.status_code == 404
    assert "<script>alert(1)" not in hostile.text
    searched = client.get("/?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").text
    assert "<img src=x" not in searched


def test_what_is_marked_sensitive_later_leaves_answers_on_earlier_bases(
    client: TestClient, seeded: r.Tracker
) -> None:
    first = client.get("/api/register").json()
    assert [row["reference"] for row in first["register"]] == ["2.16", "2.18"]
    assert client.get("/api/register").status_code == 200  # kept for the next answer
    seeded.execute(
        r.ReviseReport(
            reference="PEEL-EFF-2016",
            details=report_details(sensitive=True),
            effective_on=date(2017, 4, 8),
            by="Kath Jones",
            reason="found to hold operational detail",
        )
    )
    again = client.get(first["self"]).json()
    assert again["basis"] == first["basis"]
    assert again["register"] == []
    assert "2.16" not in client.get(first["self"].replace("/api/register", "/")).text
