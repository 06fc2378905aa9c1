"""Errors as RFC 9457 problem documents, and JSON as the API writes it.

Every error answered is a ``application/problem+json`` object: ``type`` (a URN naming the
rule), ``title``, ``status``, ``detail`` (the library's one-line message), and the
members ``reference``, ``field`` and ``rule`` the library's errors carry (``null`` where
one does not apply).
"""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import attrs
from starlette.responses import Response

from recommendations import (
    AlreadyExists,
    ConcurrencyError,
    ConfigurationError,
    NotFound,
    OutcomeUnknown,
    RecommendationsError,
    RuleViolation,
    StoreError,
    TablesBehind,
)

__all__ = ["PROBLEM_TYPE", "Problem", "dumps", "json_response", "plain", "problem_of"]

PROBLEM_TYPE = "urn:recommendations:rule:"
"""The start of every problem's ``type``: the rule broken follows it."""

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


def plain(value: Any) -> Any:
    """``value`` as JSON values: times in UTC ISO 8601, dates ``YYYY-MM-DD``, enums as their
    values, attrs classes as objects, tuples as lists."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if attrs.has(type(value)):
        return {a.name: plain(getattr(value, a.name)) for a in attrs.fields(type(value))}
    return value


def dumps(value: Any) -> bytes:
    """The bytes of an answer: compact UTF-8 JSON, keys in the order given (the same value
    gives the same bytes)."""
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value), status, headers=headers, media_type="application/json")


class Problem(RecommendationsError):
    """An answer that is a problem document, raised from any endpoint: a request the web
    layer itself refuses (a parameter, a token, a body), naming the field and the rule
    like every error of the library."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        rule: str,
        field: str | None = None,
        reference: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail, reference=reference, field=field, rule=rule)
        self.status = status
        self.rule: str = rule
        self.headers = headers or {}

    def document(self, instance: str | None = None) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": PROBLEM_TYPE + self.rule,
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "reference": self.reference,
            "field": self.field,
            "rule": self.rule,
        }
        if instance is not None:
            document["instance"] = instance
        return document

    def response(self, instance: str | None = None) -> Response:
        return Response(
            dumps(self.document(instance)),
            self.status,
            headers=self.headers,
            media_type="application/problem+json",
        )


def status_of(error: RecommendationsError) -> int:
    """The HTTP status a library error is answered with."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ConcurrencyError | AlreadyExists):
        return 409
    if isinstance(error, RuleViolation) and error.rule == "command-id-unique":
        return 409
    if isinstance(error, RuleViolation | ConfigurationError):
        return 422
    if isinstance(error, StoreError) and error.rule in ("tree-kept", "tree-covers-basis"):
        return 409
    if isinstance(error, TablesBehind | OutcomeUnknown | StoreError):
        return 503
    return 500


def problem_of(error: RecommendationsError) -> Problem:
    """The problem document of a library error: its message, reference, field and rule."""
    return Problem(
        status_of(error),
        error.detail,
        rule=error.rule or "error",
        field=error.field,
        reference=error.reference,
    )
