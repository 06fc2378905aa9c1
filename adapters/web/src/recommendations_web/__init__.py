"""recommendations-tracker-web: the register on the web.

:func:`create_app` makes an ASGI application over a store: the JSON API under ``/api``
(reads on a stated basis, the lifecycle commands, RFC 9457 problem documents, the OpenAPI
document at ``/api/openapi.json``) and the public register pages under ``/``. Serve it
with ``recommendations serve``, or mount it in another ASGI application::

    from starlette.applications import Starlette
    from starlette.routing import Mount
    from recommendations_web import create_app

    app = Starlette(routes=[Mount("/recommendations", app=create_app("sqlite:///r.db"))])
"""

from ._access import ANONYMOUS, ROLES, TOKENS_FORMAT, Caller, Role, TokenFile, TokenRecord
from ._app import MAX_BODY, create_app
from ._commands import COMMANDS, command_schema
from ._openapi import openapi_document
from ._problems import PROBLEM_TYPE, Problem

__all__ = [
    "ANONYMOUS",
    "COMMANDS",
    "MAX_BODY",
    "PROBLEM_TYPE",
    "ROLES",
    "TOKENS_FORMAT",
    "Caller",
    "Problem",
    "Role",
    "TokenFile",
    "TokenRecord",
    "command_schema",
    "create_app",
    "openapi_document",
]
