"""The JSON API on every store: reads on a stated basis, commands through the library's
converter, problem documents, tokens and roles, the OpenAPI document and the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import attrs
import pytest

import recommendations as r
from recommendations.integrity import check_bundle

from .conftest import Tokens

pytest.importorskip("openapi_spec_validator")

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from recommendations_web import COMMANDS, create_app


def refs(answer: dict[str, Any]) -> list[str]:
    return [row["reference"] for row in answer["register"]]


def problem(response: Any, status: int, rule: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert document["rule"] == rule
    assert document["type"] == f"urn:recommendations:rule:{rule}"
    if field is not None:
        assert document["field"] == field
    return document


def test_the_public_register_withholds_sensitive_items_and_names(
    client: TestClient, tokens: Tokens
) -> None:
    public = client.get("/api/register").json()
    assert refs(public) == ["2.16", "2.18"]
    assert all(row.get("owner_name") is None for row in public["register"])
    assert public["disclosure"]["audience"] == "public"
    assert public["disclosure"]["withheld"] >= 1
    body = client.get("/api/register", headers=tokens.header(tokens.body)).json()
    assert refs(body) == ["2.16", "2.18", "CT-1"]
    assert body["register"][0]["owner_name"] == "Alex Owner"
    oversight = client.get("/api/register", headers=tokens.header(tokens.oversight)).json()
    assert refs(oversight) == ["2.16", "2.18", "CT-1"]
    assert oversight["register"][0].get("owner_name") is None


def test_a_read_asked_again_on_its_basis_gives_the_same_bytes(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    first = client.get("/api/register?grade=Green")
    answer = first.json()
    basis = answer["basis"]
    assert answer["self"].startswith("/api/register?as_at=")
    seeded.execute(r.Regrade(reference="2.18", grade="green", **_meta()))
    again = client.get(answer["self"])
    assert again.content == first.content
    params = {**basis, "grade": "Green"}
    assert client.get("/api/register", params=params).content == first.content
    assert refs(client.get("/api/register?grade=green").json()) == ["2.16", "2.18"]
    item = client.get("/api/recommendations/2.16")
    trail = client.get("/api/trail?limit=3")
    update = client.get("/api/committee-update?since=2017-01-01")
    seeded.execute(r.NoteProgress(reference="2.16", note="later", **_meta()))
    for answer in (item, trail, update):
        assert client.get(answer.json()["self"]).content == answer.content


def _meta() -> dict[str, Any]:
    from datetime import date

    return {"effective_on": date(2017, 4, 1), "by": "Kath Jones", "reason": "committee"}


def test_register_as_at_and_filters(client: TestClient) -> None:
    early = client.get("/api/register?as_at=2017-03-10").json()
    assert [row["grade"] for row in early["register"]] == ["amber", "red"]
    assert early["basis"]["as_at"] == "2017-03-10"
    assert refs(client.get("/api/register?as_at=2017-03-01").json()) == []
    assert refs(client.get("/api/register?status=OPEN&report=PEEL-EFF-2016").json()) == [
        "2.16",
        "2.18",
    ]
    assert refs(client.get("/api/register?overdue=true&as_at=2017-04-01").json()) == ["2.18"]
    assert refs(client.get("/api/register?owner=Head%20of%20Crime").json()) == ["2.18"]
    assert refs(client.get("/api/register?q=SUPERVISION").json()) == ["2.16", "2.18"]
    assert refs(client.get("/api/register?q=triage").json()) == ["2.18"]
    by_body = client.get("/api/register?body=West%20Midlands%20Police").json()
    assert (
        refs(by_body) == ["2.16", "2.18"] and by_body["filters"]["body"] == "West Midlands Police"
    )
    assert refs(client.get("/api/register?body=Another%20force").json()) == []
    first = client.get("/api/register").json()
    position = first["basis"]["position"]
    assert refs(client.get(f"/api/register?position={position - 1}").json()) == ["2.16", "2.18"]
    by_title = client.get("/api/register?report=police%20EFFECTIVENESS").json()
    assert by_title["filters"]["report"] == "PEEL-EFF-2016"
    assert refs(by_title) == ["2.16", "2.18"]
    problem(client.get("/api/register?report=nothing-like-it"), 404, "exists", "report")
    problem(client.get("/api/register?report=counter%20terrorism"), 404, "exists", "report")
    public = client.get("/api/register?report=2016").json()  # the sensitive one unseen
    assert public["filters"]["report"] == "PEEL-EFF-2016"
    problem(client.get("/api/register?grade=purple"), 400, "grade-on-scale", "grade")
    problem(client.get("/api/register?status=lost"), 400, "status", "status")
    problem(client.get("/api/register?as_at=2017-13-01"), 400, "date", "as_at")
    problem(client.get("/api/register?known_at=2017-04-01T10:00"), 400, "time", "known_at")
    problem(client.get("/api/register?position=-1"), 400, "integer", "position")


def test_a_report_named_in_part_must_name_one(client: TestClient, tokens: Tokens) -> None:
    body = tokens.header(tokens.body)
    problem(
        client.get("/api/register?report=2016", headers=body), 400, "report-unambiguous", "report"
    )
    assert refs(client.get("/api/register?report=ct-2016", headers=body).json()) == ["CT-1"]


def test_one_recommendation_with_its_history(client: TestClient, tokens: Tokens) -> None:
    answer = client.get("/api/recommendations/2.16").json()
    assert answer["recommendation"]["grade"] == "green"
    assert [entry["event"] for entry in answer["history"]][-1:] == ["Regraded"]
    assert len(answer["history"]) == 2
    assert all("actor" not in entry for entry in answer["history"])
    before = client.get("/api/recommendations/2.16?as_at=2017-03-10").json()
    assert before["recommendation"]["grade"] == "amber"
    problem(client.get("/api/recommendations/CT-1"), 404, "exists")
    problem(client.get("/api/recommendations/NOPE"), 404, "exists")
    secret = client.get("/api/recommendations/CT-1", headers=tokens.header(tokens.body)).json()
    assert secret["recommendation"]["text"] == "Secret matter"
    assert secret["history"][0]["actor"] == "Kath Jones"


def test_the_trail_in_pages_on_one_basis(client: TestClient, tokens: Tokens) -> None:
    whole = client.get("/api/trail?limit=1000", headers=tokens.header(tokens.body)).json()
    assert whole["next"] is None
    assert whole["count"] == len(whole["entries"]) == 6
    seen: list[int] = []
    address = "/api/trail?limit=4"
    while address:
        page = client.get(address, headers=tokens.header(tokens.body)).json()
        seen += [entry["position"] for entry in page["entries"]]
        address = page["next"]
    assert seen == [entry["position"] for entry in whole["entries"]]
    public = client.get("/api/trail").json()
    assert len(public["entries"]) == 4  # the sensitive report and its recommendation left out
    problem(client.get("/api/trail?limit=0"), 400, "integer", "limit")


def test_the_committee_update(client: TestClient) -> None:
    answer = client.get("/api/committee-update?since=2017-03-01&as_at=2017-03-30").json()
    assert answer["basis"]["as_at"] == "2017-03-30"
    assert answer["update"]["since"] == "2017-03-01"
    assert "CT-1" not in json.dumps(answer)
    problem(client.get("/api/committee-update"), 400, "required-parameter", "since")


def test_checkpoint_and_proof_bundle(client: TestClient, tokens: Tokens) -> None:
    answer = client.get("/api/register").json()
    position = answer["basis"]["position"]
    checkpoint = client.get(f"/api/checkpoint?position={position}").json()
    assert checkpoint == answer["checkpoint"]
    assert checkpoint["size"] == position
    problem(client.get("/api/proofs/2.16"), 401, "role-may-prove")
    problem(
        client.get("/api/proofs/2.16", headers=tokens.header(tokens.public)), 403, "role-may-prove"
    )
    bundle = client.get("/api/proofs/2.16", headers=tokens.header(tokens.body)).json()
    assert bundle["reference"] == "2.16"
    assert len(bundle["entries"]) == 2
    check_bundle(bundle)
    problem(client.get("/api/proofs/NOPE", headers=tokens.header(tokens.body)), 404, "exists")


def test_commands_record_the_authenticated_actor(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    command = {
        "type": "Regrade",
        "reference": "2.18",
        "grade": "amber",
        "effective_on": "2017-04-02",
        "reason": "progress at the committee",
    }
    made = client.post("/api/commands", json=command, headers=tokens.header(tokens.body))
    assert made.status_code == 201, made.text
    recorded = made.json()["recorded"]
    assert recorded[0]["type"] == "Regraded"
    assert recorded[0]["reference"] == "2.18"
    assert seeded.events("2.18")[-1].actor == "Kath Jones"
    with_by = {**command, "grade": "green", "by": "Kath Jones"}
    assert (
        client.post("/api/commands", json=with_by, headers=tokens.header(tokens.body)).status_code
        == 201
    )
    someone_else = {**command, "by": "Somebody Else"}
    problem(
        client.post("/api/commands", json=someone_else, headers=tokens.header(tokens.body)),
        403,
        "actor-authenticated",
        "by",
    )


def test_idempotency_key_is_the_command_id(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    command = {
        "type": "NoteProgress",
        "reference": "2.16",
        "note": "Audit done",
        "evidence": ["audit-2017-04.pdf"],
        "effective_on": "2017-04-03",
        "reason": "owner's update",
    }
    headers = {**tokens.header(tokens.body), "Idempotency-Key": "note-2017-04-03"}
    first = client.post("/api/commands", json=command, headers=headers)
    assert first.status_code == 201
    head = seeded.head()
    again = client.post("/api/commands", json=command, headers=headers)
    assert again.status_code == 200
    assert again.json()["recorded"] == first.json()["recorded"]
    assert again.json()["replayed"] is True
    assert seeded.head() == head
    other = {**command, "note": "something else"}
    problem(client.post("/api/commands", json=other, headers=headers), 409, "command-id-unique")


def test_a_batch_is_one_transaction(client: TestClient, tokens: Tokens, seeded: r.Tracker) -> None:
    head = seeded.head()
    batch = [
        {
            "type": "Regrade",
            "reference": "2.18",
            "grade": "amber",
            "effective_on": "2017-04-02",
            "reason": "r",
        },
        {
            "type": "Regrade",
            "reference": "2.18",
            "grade": "purple",
            "effective_on": "2017-04-03",
            "reason": "r",
        },
    ]
    document = problem(
        client.post("/api/commands", json=batch, headers=tokens.header(tokens.body)),
        422,
        "grade-on-scale",
    )
    assert document["reference"] == "2.18"
    assert document["field"] == "grade"
    assert seeded.head() == head
    made = client.post("/api/commands", json=batch[:1], headers=tokens.header(tokens.body))
    assert made.status_code == 201


def test_rules_and_conflicts_as_problem_documents(client: TestClient, tokens: Tokens) -> None:
    body = tokens.header(tokens.body)
    taken = {
        "type": "Raise",
        "reference": "2.16",
        "report": "PEEL-EFF-2016",
        "text": "again",
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    document = problem(client.post("/api/commands", json=taken, headers=body), 409, "raised-once")
    assert document["reference"] == "2.16"
    missing = {
        "type": "Regrade",
        "reference": "9.99",
        "grade": "red",
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    problem(client.post("/api/commands", json=missing, headers=body), 404, "exists")
    unknown = {"type": "Explode", "reference": "2.16"}
    problem(client.post("/api/commands", json=unknown, headers=body), 422, "command-type", "type")
    incomplete = {
        "type": "Regrade",
        "reference": "2.16",
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    problem(
        client.post("/api/commands", json=incomplete, headers=body), 422, "required-field", "grade"
    )
    wrong = {
        "type": "Regrade",
        "reference": "2.16",
        "grade": "red",
        "effective_on": "soon",
        "reason": "r",
    }
    problem(client.post("/api/commands", json=wrong, headers=body), 422, "type", "effective_on")


def test_roles_and_acceptors(client: TestClient, tokens: Tokens, seeded: r.Tracker) -> None:
    discharge = {
        "type": "Discharge",
        "reference": "2.16",
        "outcome": "implemented",
        "accepted_by": "HMICFRS",
        "acceptor_role": "inspectorate",
        "effective_on": "2017-04-05",
        "reason": "revisit",
    }
    problem(
        client.post("/api/commands", json=discharge, headers=tokens.header(tokens.body)),
        403,
        "role-may-accept",
        "acceptor_role",
    )
    made = client.post("/api/commands", json=discharge, headers=tokens.header(tokens.inspectorate))
    assert made.status_code == 201, made.text
    assert seeded.recommendation("2.16").status is r.Status.DISCHARGED
    assert seeded.events("2.16")[-1].actor == "Ian Inspector"
    note = {
        "type": "PublishReport",
        "reference": "X-1",
        "effective_on": "2017-04-05",
        "reason": "r",
        "details": {},
    }
    problem(
        client.post("/api/commands", json=note, headers=tokens.header(tokens.body)),
        403,
        "role-may-record",
        "type",
    )


def test_a_report_published_with_its_scale_by_name(client: TestClient, tokens: Tokens) -> None:
    report = {
        "type": "PublishReport",
        "reference": "PEEL-LEG-2017",
        "effective_on": "2017-04-06",
        "reason": "HMIC published it",
        "details": {
            "title": "PEEL: legitimacy 2017",
            "body": "West Midlands Police",
            "inspectorates": ["HMIC"],
            "published_on": "2017-04-06",
            "scale": "peel",
            "overall_grade": "good",
        },
    }
    made = client.post("/api/commands", json=report, headers=tokens.header(tokens.inspectorate))
    assert made.status_code == 201, made.text


def test_a_correction_takes_typed_changes(
    client: TestClient, tokens: Tokens, seeded: r.Tracker
) -> None:
    correct = {
        "type": "Correct",
        "reference": "2.18",
        "version": 1,
        "what_was_wrong": "the due date was misread",
        "changes": {"due_on": "2017-09-30"},
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    made = client.post("/api/commands", json=correct, headers=tokens.header(tokens.body))
    assert made.status_code == 201, made.text
    from datetime import date

    assert seeded.recommendation("2.18").due_on == date(2017, 9, 30)
    bad = {**correct, "changes": {"due_on": "later"}}
    problem(
        client.post("/api/commands", json=bad, headers=tokens.header(tokens.body)),
        422,
        "type",
        "changes.due_on",
    )


@pytest.fixture
def memory_client(tokens: Tokens) -> Iterator[TestClient]:
    """The application over an empty memory store: for what does not depend on the store."""
    with TestClient(create_app("memory://", tokens=tokens.file)) as test_client:
        yield test_client


def test_who_am_i(memory_client: TestClient, tokens: Tokens) -> None:
    client = memory_client
    assert client.get("/api/whoami").json()["role"] == "public"
    me = client.get("/api/whoami", headers=tokens.header(tokens.oversight)).json()
    assert me == {
        "actor": "Olive Oversight",
        "role": "oversight",
        "audience": "oversight",
        "commands": ["Discharge", "NoteProgress", "RejectClaim", "Reopen"],
        "accepts_as": ["oversight-board"],
    }
    problem(client.get("/api/whoami", headers={"Authorization": "Bearer nope"}), 401, "token-known")
    problem(client.get("/api/whoami", headers={"Authorization": "Basic abc"}), 401, "bearer-token")


def test_the_openapi_document_and_the_command_schema_are_valid(
    memory_client: TestClient,
) -> None:
    client = memory_client
    document = client.get("/api/openapi.json").json()
    validate(document)
    assert document["servers"] == [{"url": "/api"}]
    schema = client.get("/api/schema/commands.json").json()
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    good = {
        "type": "Regrade",
        "reference": "2.16",
        "grade": "red",
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    assert validator.is_valid(good)
    assert validator.is_valid([good, {**good, "grade": "amber"}])
    assert not validator.is_valid({**good, "colour": "blue"})
    assert not validator.is_valid({"type": "Regrade", "reference": "2.16"})
    discharge = {
        "type": "Discharge",
        "reference": "2.16",
        "outcome": "implemented",
        "accepted_by": "HMICFRS",
        "acceptor_role": "inspectorate",
        "effective_on": "2017-04-05",
        "reason": "r",
    }
    assert validator.is_valid(discharge)
    assert not validator.is_valid({**discharge, "outcome": "forgotten"})


def test_answers_match_the_schemas_the_openapi_document_gives(
    client: TestClient, tokens: Tokens
) -> None:
    document = client.get("/api/openapi.json").json()

    def check(answer: Any, schema: str) -> None:
        root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
        errors = list(Draft202012Validator(root).iter_errors(answer.json()))
        assert not errors, (schema, [error.message for error in errors[:3]])

    body = tokens.header(tokens.body)
    check(client.get("/api/register"), "Register")
    check(client.get("/api/recommendations/2.16"), "RecommendationHistory")
    check(client.get("/api/recommendations/CT-1", headers=body), "RecommendationHistory")
    check(client.get("/api/register", headers=body), "Register")
    check(client.get("/api/trail?limit=2"), "TrailPage")
    check(client.get("/api/committee-update?since=2017-01-01"), "CommitteeUpdate")
    check(client.get("/api/checkpoint"), "Checkpoint")
    check(client.get("/api/whoami", headers=body), "Caller")
    check(client.get("/api/proofs/2.16", headers=body), "ProofBundle")
    check(client.get("/api/register?grade=purple"), "Problem")
    note = {
        "type": "NoteProgress",
        "reference": "2.16",
        "note": "n",
        "effective_on": "2017-04-02",
        "reason": "r",
    }
    check(client.post("/api/commands", json=note, headers=body), "Recorded")
    check(client.post("/api/commands", json={"type": "Nope"}, headers=body), "Problem")


def test_every_lifecycle_command_as_a_json_document(tokens: Tokens) -> None:
    """Each of the fifteen commands, sent as the schema says, by a role that may."""
    inspectorate = tokens.header(tokens.inspectorate)
    body = tokens.header(tokens.body)
    oversight = tokens.header(tokens.oversight)
    inspection = {
        "title": "Custody",
        "body": "West Midlands Police",
        "inspectorates": ["HMIP", "HMIC"],
        "fieldwork_from": "2017-02-06",
        "fieldwork_to": "2017-02-09",
    }
    report = {
        "title": "Custody 2017",
        "body": "West Midlands Police",
        "inspectorates": ["HMIP", "HMIC"],
        "published_on": "2017-02-20",
        "scale": "rag",
        "inspection": "CUSTODY-2017",
        "findings": [{"reference": "4.1", "kind": "cause-of-concern", "text": "Cells"}],
    }

    def on(day: str) -> dict[str, str]:
        return {"effective_on": f"2017-{day}", "reason": "as minuted"}

    steps: list[tuple[dict[str, Any], dict[str, str]]] = [
        (
            {
                "type": "RecordInspection",
                "reference": "CUSTODY-2017",
                "details": inspection,
                **on("02-10"),
            },
            inspectorate,
        ),
        (
            {
                "type": "ReviseInspection",
                "reference": "CUSTODY-2017",
                "details": {**inspection, "hot_debrief_on": "2017-02-10"},
                **on("02-11"),
            },
            inspectorate,
        ),
        (
            {
                "type": "PublishReport",
                "reference": "CUSTODY-2017-R",
                "details": report,
                **on("02-20"),
            },
            inspectorate,
        ),
        (
            {
                "type": "ReviseReport",
                "reference": "CUSTODY-2017-R",
                "details": {**report, "overall_grade": "amber"},
                **on("02-21"),
            },
            inspectorate,
        ),
        (
            {
                "type": "ChangePlanStatus",
                "reference": "CUSTODY-2017-R",
                "status": "submitted",
                **on("02-21"),
            },
            body,
        ),
        (
            {
                "type": "Raise",
                "reference": "C-1",
                "report": "CUSTODY-2017-R",
                "text": "Fix cells",
                "points": ["a", "b"],
                "finding": "4.1",
                "grade": "red",
                **on("02-21"),
            },
            body,
        ),
        (
            {
                "type": "Assign",
                "reference": "C-1",
                "owner": "Head of Custody",
                "owner_name": "Alex Owner",
                **on("02-22"),
            },
            body,
        ),
        ({"type": "Regrade", "reference": "C-1", "grade": "amber", **on("03-01")}, body),
        (
            {
                "type": "NoteProgress",
                "reference": "C-1",
                "note": "Works begun",
                "evidence": ["plan.pdf"],
                **on("03-02"),
            },
            oversight,
        ),
        (
            {"type": "ChangeDeadline", "reference": "C-1", "due_on": "2017-09-30", **on("03-03")},
            body,
        ),
        ({"type": "ClaimImplementation", "reference": "C-1", "note": "Done", **on("03-10")}, body),
        ({"type": "RejectClaim", "reference": "C-1", **on("03-11")}, oversight),
        (
            {"type": "ClaimImplementation", "reference": "C-1", "note": "Done now", **on("03-20")},
            body,
        ),
        (
            {
                "type": "Discharge",
                "reference": "C-1",
                "outcome": "implemented",
                "accepted_by": "Joint Audit Committee",
                "acceptor_role": "oversight-board",
                **on("03-30"),
            },
            oversight,
        ),
        ({"type": "Reopen", "reference": "C-1", **on("04-01")}, oversight),
        ({"type": "Prioritise", "reference": "C-1", "priority": "high", **on("04-01")}, body),
        (
            {
                "type": "RecordResponse",
                "reference": "C-1",
                "response": "partly-agreed",
                "response_text": "Two suites of three",
                **on("04-01"),
            },
            body,
        ),
        (
            {
                "type": "Correct",
                "reference": "C-1",
                "version": 3,
                "what_was_wrong": "grade",
                "changes": {"grade": "green"},
                **on("04-02"),
            },
            body,
        ),
    ]
    plans = r.GradingScale.of(r.domain.PLAN_SCALE, "In draft", "Submitted", "Agreed")
    policy = attrs.evolve(r.DEFAULT_POLICY, scales=(*r.DEFAULT_POLICY.scales, plans))
    with (
        r.Tracker("memory://") as tracker,
        TestClient(create_app(tracker, tokens=tokens.file)) as client,
    ):
        tracker.execute(
            r.domain.Configure(
                policy=attrs.evolve(policy, priorities={"high": "High"}),
                effective_on=date(2017, 1, 1),
                by="Kath Jones",
                reason="priorities and plans given",
            )
        )
        for document, headers in steps:
            made = client.post("/api/commands", json=document, headers=headers)
            assert made.status_code == 201, (document["type"], made.text)
        assert {document["type"] for document, _ in steps} == set(COMMANDS)
        state = tracker.recommendation("C-1")
        assert state.status is r.Status.OPEN
        assert state.points == ("a", "b")
        assert tracker.report("CUSTODY-2017-R").details.overall_grade == "amber"
        assert tracker.report("CUSTODY-2017-R").plan_status == "submitted"
        actors = {event.actor for event in tracker.events("C-1")}
        assert actors == {"Kath Jones", "Olive Oversight"}
