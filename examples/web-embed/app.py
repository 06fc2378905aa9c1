"""A third-party ASGI application that mounts the register's API and pages under a prefix.

Run it with ``uvicorn app:app`` (set ``RECOMMENDATIONS_STORE`` to choose the store): the
application's own page is at ``/``, the register's pages at ``/register/`` and its API at
``/register/api/``.
"""

import os

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from recommendations_web import create_app


async def home(request):
    return PlainTextResponse("Our intranet. The register is at /register/.")


register = create_app(os.environ.get("RECOMMENDATIONS_STORE", "sqlite:///recommendations.db"))

app = Starlette(
    routes=[Route("/", home), Mount("/register", app=register)],
    lifespan=lambda _: register.router.lifespan_context(register),
)
