"""The ASGI application: the JSON API under ``/api`` and the public pages under ``/``.

:func:`create_app` makes it over one store. The tracker is not shared between threads:
every read and command runs in a worker thread under one lock, so the event loop keeps
accepting requests while the store answers one at a time (SQLite has one writer; the
reads are short).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from recommendations import RecommendationsError, TablesBehind, Tracker, domain

from . import _reads
from ._access import ANONYMOUS, ROLES, Caller, Role, TokenFile
from ._commands import read_commands
from ._openapi import openapi_document
from ._problems import Problem, json_response, problem_of

__all__ = ["MAX_BODY", "Site", "create_app"]

MAX_BODY = 256 * 1024
"""The largest request body accepted, in bytes (a larger one is answered 413)."""

_T = TypeVar("_T")


class Site:
    """What every request needs: the tracker, the lock it is used under, the tokens."""

    def __init__(
        self,
        tracker: Tracker,
        *,
        tokens: TokenFile | None,
        roles: Mapping[str, Role],
        max_body: int,
        title: str,
        owns_tracker: bool,
    ) -> None:
        self.tracker = tracker
        self.tokens = tokens
        self.roles = roles
        self.max_body = max_body
        self.title = title
        self.owns_tracker = owns_tracker
        self._lock = threading.Lock()

    def _locked(self, read: Callable[[], _T]) -> _T:
        with self._lock:
            return read()

    async def call(self, read: Callable[[], _T]) -> _T:
        """``read()`` in a worker thread, under the site's lock."""
        return await run_in_threadpool(self._locked, read)

    def caller(self, request: Request) -> Caller:
        """Who is asking: the token's actor and role, or anonymous. A token that is not
        one issued is a 401 problem (never the public view: the sender meant to be
        someone)."""
        header = request.headers.get("authorization")
        if header is None:
            return ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401,
                "the Authorization header must be 'Bearer <token>'",
                field="Authorization",
                rule="bearer-token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        caller = self.tokens.caller(token.strip()) if self.tokens is not None else None
        if caller is None:
            raise Problem(
                401,
                "the token is not one issued (or it was revoked)",
                field="Authorization",
                rule="token-known",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return caller

    def close(self) -> None:
        if self.owns_tracker:
            self.tracker.close()


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _base(request: Request) -> str:
    return request.url.path


# --- reads -----------------------------------------------------------------------------------


async def register(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    asked = _reads.asked_from(request.query_params, site.tracker.policy)
    answer = await site.call(
        lambda: _reads.register_answer(site.tracker, asked, caller.role.audience, _base(request))
    )
    return Response(answer, media_type="application/json")


async def recommendation(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    asked = _reads.asked_from(request.query_params, site.tracker.policy)
    reference = request.path_params["reference"]
    answer = await site.call(
        lambda: _reads.recommendation_answer(
            site.tracker, reference, asked, caller.role.audience, _base(request)
        )
    )
    return json_response(answer)


async def trail(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    query = request.query_params
    asked = _reads.asked_from(query, site.tracker.policy)
    after = _reads.parse_int(query, "after") or 0
    limit = _reads.parse_int(query, "limit", least=1) or 100
    if limit > 1000:
        raise Problem(400, f"limit: at most 1000, not {limit}", field="limit", rule="page-size")
    answer = await site.call(
        lambda: _reads.trail_answer(
            site.tracker,
            asked,
            caller.role.audience,
            after=after,
            limit=limit,
            base=_base(request),
        )
    )
    return json_response(answer)


async def committee_update(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    asked = _reads.asked_from(request.query_params, site.tracker.policy)
    since = _reads.parse_date(request.query_params, "since")
    if since is None:
        raise Problem(
            400,
            "since: the date the previous committee met is needed",
            field="since",
            rule="required-parameter",
        )
    answer = await site.call(
        lambda: _reads.committee_answer(
            site.tracker, asked, since, caller.role.audience, _base(request)
        )
    )
    return json_response(answer)


async def checkpoint(request: Request) -> Response:
    site = site_of(request)
    site.caller(request)
    position = _reads.parse_int(request.query_params, "position")

    def read() -> dict[str, Any]:
        size = site.tracker.head() if position is None else position
        return site.tracker.integrity.checkpoint_at(size).as_dict()

    return json_response(await site.call(read))


async def proof(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    if not caller.role.proofs:
        raise Problem(
            401 if caller.actor is None else 403,
            "a proof bundle holds every entry as stored, names included: it needs a token "
            "whose role may have proofs",
            field="Authorization",
            rule="role-may-prove",
        )
    reference = request.path_params["reference"]
    position = _reads.parse_int(request.query_params, "position")

    def read() -> dict[str, Any]:
        tracker = site.tracker
        size = tracker.head() if position is None else position
        found, entries = _reads.item_entries(tracker, reference)
        shown = [entry for entry in entries if entry[0] <= size]
        note = tracker.integrity.checkpoint_at(size).note
        return tracker.integrity.prove(found, shown, checkpoint=note)

    return json_response(await site.call(read))


async def whoami(request: Request) -> Response:
    caller = site_of(request).caller(request)
    return json_response(
        {
            "actor": caller.actor,
            "role": caller.role.name,
            "audience": caller.role.audience,
            "commands": sorted(caller.role.commands),
            "accepts_as": sorted(caller.role.acceptors),
        }
    )


async def openapi(request: Request) -> Response:
    prefix = request.scope.get("root_path", "")
    site = site_of(request)
    return json_response(openapi_document(title=site.title, server=prefix or "/"))


async def commands_schema(request: Request) -> Response:
    from ._commands import command_schema

    return Response(
        json.dumps(command_schema(), indent=2).encode("utf-8"),
        media_type="application/schema+json",
    )


# --- commands --------------------------------------------------------------------------------


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(
            413, f"the body is {declared} bytes; at most {limit}", field="body", rule="body-size"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"the body is over {limit} bytes", field="body", rule="body-size")
        chunks.append(chunk)
    return b"".join(chunks)


async def record(request: Request) -> Response:
    site = site_of(request)
    caller = site.caller(request)
    if caller.actor is None:
        raise Problem(
            401,
            "recording needs a token: anonymous requests only read",
            field="Authorization",
            rule="role-may-record",
            headers={"WWW-Authenticate": "Bearer"},
        )
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise Problem(
            415,
            f"send the command as application/json, not {kind or 'nothing'}",
            field="Content-Type",
            rule="json-body",
        )
    body = await _body(request, site.max_body)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Problem(400, f"the body is not JSON: {error}", field="body", rule="json") from None
    command_id = request.headers.get("idempotency-key")

    def run() -> tuple[bool, list[Any], list[str]]:
        tracker = site.tracker
        commands = read_commands(data, caller, tracker)
        head = tracker.head()
        recorded: list[Any]
        try:
            recorded = tracker.execute_many(commands, command_id=command_id)
        except TablesBehind as behind:
            recorded = list(behind.recorded)
        fresh = any(r.position > head for r in recorded)
        return fresh, recorded, [command.reference for command in commands]

    fresh, recorded, references = await site.call(run)
    entries = [
        {
            "type": type(r.event).__name__,
            "reference": reference,
            "version": r.event.originator_version,
            "position": r.position,
            "effective_on": r.event.effective_on,
            "recorded_at": r.event.recorded_at,
        }
        for r, reference in zip(recorded, references, strict=True)
    ]
    last = max((r.position for r in recorded), default=0)
    return json_response(
        {"recorded": entries, "position": last, "replayed": not fresh},
        201 if fresh else 200,
    )


def api_routes() -> list[BaseRoute]:
    return [
        Route("/", whoami, name="api_index"),
        Route("/whoami", whoami, name="whoami"),
        Route("/register", register, name="api_register"),
        Route("/recommendations/{reference:path}", recommendation, name="api_recommendation"),
        Route("/trail", trail, name="api_trail"),
        Route("/committee-update", committee_update, name="api_committee_update"),
        Route("/checkpoint", checkpoint, name="api_checkpoint"),
        Route("/proofs/{reference:path}", proof, name="api_proof"),
        Route("/commands", record, methods=["POST"], name="api_commands"),
        Route("/openapi.json", openapi, name="openapi"),
        Route("/schema/commands.json", commands_schema, name="commands_schema"),
    ]


# --- errors ----------------------------------------------------------------------------------


def _is_api(request: Request) -> bool:
    return bool(request.scope.get(_API_SCOPE))


_API_SCOPE = "recommendations_web.api"


class _Api:
    """The API's router, marking each request's scope so that an error anywhere under it
    (a route that does not exist included) is answered as a problem document."""

    def __init__(self) -> None:
        self.router = Router(routes=api_routes())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_API_SCOPE] = True
        await self.router(scope, receive, send)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    if not _is_api(request):
        from ._pages import error_page

        return error_page(request, exc.status, exc.detail)
    return exc.response(request.url.path)


async def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RecommendationsError)
    return await _problem(request, problem_of(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    rule = {404: "route-exists", 405: "method-allowed"}.get(exc.status_code, "http")
    return await _problem(
        request, Problem(exc.status_code, detail, rule=rule, headers=dict(exc.headers or {}))
    )


def create_app(
    store: str | Tracker = "sqlite:///recommendations.db",
    *,
    tokens: str | os.PathLike[str] | TokenFile | None = None,
    roles: Mapping[str, Role] = ROLES,
    policy: domain.Policy = domain.DEFAULT_POLICY,
    max_body: int = MAX_BODY,
    title: str = "Register of recommendations",
    pages: bool = True,
) -> Starlette:
    """The web application over ``store`` (a store URL, or a tracker the caller keeps and
    closes): the JSON API under ``/api`` and, with ``pages``, the public register pages.

    ``tokens`` is the token file (see :mod:`recommendations_web._access`); without one,
    every request is anonymous (public audience, no commands). Mount it in another ASGI
    application under any prefix: every link it writes carries the prefix.
    """
    owns = not isinstance(store, Tracker)
    tracker = Tracker(store, policy=policy) if isinstance(store, str) else store
    token_file = (
        tokens
        if isinstance(tokens, TokenFile) or tokens is None
        else TokenFile(Path(tokens), roles)
    )
    site = Site(
        tracker,
        tokens=token_file,
        roles=roles,
        max_body=max_body,
        title=title,
        owns_tracker=owns,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            site.close()

    routes: list[BaseRoute] = [Mount("/api", app=_Api())]
    if pages:
        from ._pages import page_routes

        routes += page_routes()
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            Problem: _problem,
            RecommendationsError: _library_error,
            HTTPException: _http_error,
        },
    )
    app.state.site = site
    return app
