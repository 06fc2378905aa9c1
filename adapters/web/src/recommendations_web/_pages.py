"""The public register pages (filled in below)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute


def error_page(request: Request, status: int, detail: str) -> Response:
    return HTMLResponse(f"<p>{status}</p>", status)


def page_routes() -> list[BaseRoute]:
    return []
