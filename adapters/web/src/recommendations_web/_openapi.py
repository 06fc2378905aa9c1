"""The OpenAPI 3.1 document of the JSON API (served at ``/api/openapi.json``).

Written out here rather than inferred: the command schemas come from
:func:`~recommendations_web._commands.command_schema`, so they are the converter's.
"""

from __future__ import annotations

from typing import Any

from recommendations import domain

from ._commands import command_schema

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query") -> Any:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


_DATE = {"type": "string", "format": "date"}
_TIME = {"type": "string", "format": "date-time"}
_INT = {"type": "integer", "minimum": 0}
_STR = {"type": "string"}

_BASIS = [
    _param("as_at", "What was true on this date (default: today).", _DATE),
    _param(
        "known_at",
        "As the log stood at this time, ISO 8601 with its offset (default: now).",
        _TIME,
    ),
    _param("position", "Up to this log position (default: the end of the log).", _INT),
]
_KNOWN = _BASIS[1:]
_FILTERS = [
    _param("report", "Only recommendations from this report (its reference).", _STR),
    _param("grade", "Only those at this grade: a code or a label, in any case.", _STR),
    _param(
        "status",
        "Only those with this status.",
        {"type": "string", "enum": ["open", "claimed", "discharged"]},
    ),
    _param("owner", "Only those this role owns.", _STR),
    _param("overdue", "Only those overdue on the as-at date.", {"type": "boolean"}),
    _param("q", "Only those whose reference, text, report, owner or body holds this text.", _STR),
    _param("body", "Only those made to this body or addressed to it.", _STR),
]
_REFERENCE = _param(
    "reference",
    "A recommendation's reference (a report's or inspection's for proofs).",
    _STR,
    "path",
)


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _REF + "Problem"}}},
    }


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF + schema}}},
    }


_READ_ERRORS = {
    "400": _problem("A parameter is not a date, time, number, grade or status."),
    "401": _problem("The token is not one issued."),
}


def _read(
    summary: str, operation: str, parameters: list[Any], schema: str, *, extra: Any = None
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _ok(schema, summary), **_READ_ERRORS}
    responses.update(extra or {})
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": parameters,
            "responses": responses,
        }
    }


def _schemas() -> dict[str, Any]:
    commands = command_schema(_REF)
    defs = commands.pop("$defs")
    for key in ("$schema", "$id"):
        commands.pop(key)
    obj: dict[str, Any] = {"type": "object"}
    basis = {
        "type": "object",
        "description": "What the answer was computed from: ask again with these three and "
        "the answer is the same, byte for byte.",
        "properties": {"as_at": _DATE, "known_at": _TIME, "position": _INT},
        "required": ["known_at", "position"],
    }
    disclosure = {
        "type": "object",
        "properties": {
            "audience": {"type": "string", "enum": ["public", "oversight", "body"]},
            "withheld": {"type": ["integer", "null"]},
            "owner_names": {"type": "boolean"},
            "statement": _STR,
        },
    }
    checkpoint = {
        "type": ["object", "null"],
        "description": "The checkpoint of the log at the basis position (null when the "
        "store keeps no Merkle tree over it).",
        "properties": {
            "origin": _STR,
            "size": _INT,
            "root": _STR,
            "fingerprint": _STR,
            "note": _STR,
            "signed_by": {"type": "array", "items": obj},
        },
    }
    stated = {
        "basis": {"$ref": _REF + "Basis"},
        "disclosure": {"$ref": _REF + "Disclosure"},
        "checkpoint": {"$ref": _REF + "Checkpoint"},
        "self": {"type": "string", "description": "This answer's address, with its basis."},
    }
    text_or_null = {"type": ["string", "null"]}
    date_or_null = {"type": ["string", "null"], "format": "date"}
    row = {
        "type": "object",
        "description": "One recommendation in the register. owner_name appears only for "
        "audiences that see names.",
        "properties": {
            "reference": _STR,
            "report": _STR,
            "grade": text_or_null,
            "status": {"type": "string", "enum": ["open", "claimed", "discharged"]},
            "owner": text_or_null,
            "owner_name": text_or_null,
            "due_on": date_or_null,
            "overdue": {"type": "boolean"},
            "text": _STR,
            "kind": _STR,
            "body": _STR,
            "inspectorates": {"type": "array", "items": _STR},
            "inspection": text_or_null,
            "finding": text_or_null,
            "scope": {"type": "string", "enum": [scope.value for scope in domain.Scope]},
            "sensitive": {"type": "boolean"},
            "original_due_on": date_or_null,
            "deferrals": {"type": "integer"},
            "raised_on": _DATE,
            "last_changed_on": _DATE,
            "priority": text_or_null,
            "response": {
                "type": ["string", "null"],
                "enum": [*(response.value for response in domain.Response), None],
            },
            "response_text": text_or_null,
            "addressed_to": text_or_null,
            "due_precision": {
                "type": "string",
                "enum": ["day", "month"],
                "description": "month: due_on is known only to the month (its last day).",
            },
            "original_due_precision": {
                "type": "string",
                "enum": ["day", "month"],
                "description": "month: original_due_on is known only to the month.",
            },
        },
        "required": ["reference", "report", "status", "text", "raised_on"],
    }
    entry = {
        "type": "object",
        "description": "One entry of an audit trail. actor appears only for audiences "
        "that see who acted.",
        "properties": {
            "position": _INT,
            "subject": {"type": "string", "enum": ["recommendation", "report", "inspection"]},
            "reference": _STR,
            "version": {"type": "integer", "minimum": 1},
            "event": _STR,
            "effective_on": _DATE,
            "recorded_at": _TIME,
            "actor": _STR,
            "reason": _STR,
            "changes": {"type": "array", "items": obj},
            "details": obj,
        },
        "required": ["position", "reference", "version", "event", "effective_on", "recorded_at"],
    }
    return {
        **defs,
        "Commands": commands,
        "RegisterRow": row,
        "TrailEntry": entry,
        "Basis": basis,
        "Disclosure": disclosure,
        "Checkpoint": checkpoint,
        "Problem": {
            "type": "object",
            "description": "An RFC 9457 problem document, with what the library's errors "
            "name: the recommendation, the field and the rule.",
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": _STR,
                "status": {"type": "integer"},
                "detail": _STR,
                "instance": _STR,
                "reference": {"type": ["string", "null"]},
                "field": {"type": ["string", "null"]},
                "rule": {"type": ["string", "null"]},
            },
            "required": ["type", "title", "status", "detail", "reference", "field", "rule"],
        },
        "Register": {
            "type": "object",
            "properties": {
                **stated,
                "filters": obj,
                "count": {"type": "integer"},
                "register": {"type": "array", "items": {"$ref": _REF + "RegisterRow"}},
            },
            "required": ["basis", "disclosure", "checkpoint", "register"],
        },
        "RecommendationHistory": {
            "type": "object",
            "properties": {
                **stated,
                "recommendation": {"anyOf": [{"$ref": _REF + "RegisterRow"}, {"type": "null"}]},
                "history": {"type": "array", "items": {"$ref": _REF + "TrailEntry"}},
            },
            "required": ["basis", "recommendation", "history"],
        },
        "TrailPage": {
            "type": "object",
            "properties": {
                **stated,
                "next": {"type": ["string", "null"]},
                "count": {"type": "integer"},
                "entries": {"type": "array", "items": {"$ref": _REF + "TrailEntry"}},
            },
            "required": ["basis", "entries", "next"],
        },
        "CommitteeUpdate": {
            "type": "object",
            "properties": {**stated, "update": obj},
            "required": ["basis", "update"],
        },
        "ProofBundle": {
            "type": "object",
            "description": "A proof bundle (format recommendations-proof-bundle/1).",
            "properties": {"format": _STR, "reference": _STR, "checkpoint": _STR},
        },
        "Caller": {
            "type": "object",
            "properties": {
                "actor": {"type": ["string", "null"]},
                "role": _STR,
                "audience": _STR,
                "commands": {"type": "array", "items": _STR},
                "accepts_as": {"type": "array", "items": _STR},
            },
        },
        "Recorded": {
            "type": "object",
            "properties": {
                "recorded": {"type": "array", "items": obj},
                "position": _INT,
                "replayed": {"type": "boolean"},
            },
            "required": ["recorded", "position", "replayed"],
        },
    }


def openapi_document(*, title: str, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``server`` (the API's path) as its one server."""
    paths: dict[str, Any] = {
        "/whoami": _read("Who the request's token stands for", "whoami", [], "Caller"),
        "/register": _read(
            "The register on a basis, with filters",
            "register",
            [*_BASIS, *_FILTERS],
            "Register",
        ),
        "/recommendations/{reference}": _read(
            "One recommendation on a basis, with its dated history",
            "recommendation",
            [_REFERENCE, *_BASIS],
            "RecommendationHistory",
            extra={"404": _problem("No recommendation this audience may see has it.")},
        ),
        "/trail": _read(
            "A page of the audit trail",
            "trail",
            [
                *_KNOWN,
                _param("after", "Entries after this log position (default: 0).", _INT),
                _param(
                    "limit",
                    "At most this many entries (1 to 1000, default 100).",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                ),
            ],
            "TrailPage",
        ),
        "/committee-update": _read(
            "The update for a committee",
            "committeeUpdate",
            [
                _param("since", "When the previous committee met.", _DATE) | {"required": True},
                *_BASIS,
            ],
            "CommitteeUpdate",
        ),
        "/checkpoint": _read(
            "The checkpoint of the log's first entries",
            "checkpoint",
            [_param("position", "How many entries (default: all).", _INT)],
            "Checkpoint",
            extra={"409": _problem("The store keeps no Merkle tree over those entries.")},
        ),
        "/proofs/{reference}": _read(
            "The proof bundle of one item's entries",
            "proof",
            [_REFERENCE, _param("position", "Against the log's first entries.", _INT)],
            "ProofBundle",
            extra={
                "403": _problem("The token's role may not have proofs."),
                "404": _problem("Nothing was recorded under this reference."),
            },
        ),
        "/commands": {
            "post": {
                "summary": "Record a command, or a list of them in one transaction",
                "operationId": "record",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "The command id: sent again with the same command, "
                        "nothing is recorded twice and the first answer is repeated.",
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": _REF + "Commands"}}},
                },
                "responses": {
                    "201": _ok("Recorded", "Recorded."),
                    "200": _ok("Recorded", "Recorded before, with this Idempotency-Key."),
                    "400": _problem("The body is not JSON."),
                    "401": _problem("No token, or not one issued."),
                    "403": _problem("The token's role may not record this command."),
                    "404": _problem("No recommendation or source by that reference."),
                    "409": _problem(
                        "A conflict: the reference is taken, another writer kept recording "
                        "first, or the Idempotency-Key was used for another command."
                    ),
                    "413": _problem("The body is too large."),
                    "415": _problem("The body is not application/json."),
                    "422": _problem(
                        "Not a command (unknown type or field, wrong value), or it breaks "
                        "a rule of the lifecycle."
                    ),
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title}: API",
            "version": "1",
            "description": "Reads of the register on a stated basis, and the lifecycle "
            "commands. Send a token as 'Authorization: Bearer <token>'; without one, "
            "reads are the public's and nothing can be recorded.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"token": []}],
    }
