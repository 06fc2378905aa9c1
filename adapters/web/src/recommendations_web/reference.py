"""The API reference page, written from the OpenAPI document.

``python -m recommendations_web.reference > docs/reference/web-api.md`` writes it; a test
checks that the page in the docs is what this writes, so the two never drift apart.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ._openapi import openapi_document

__all__ = ["main", "markdown"]

_REF = "#/components/schemas/"


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(_REF)
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return ", ".join(f"`{value}`" for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown(document: dict[str, Any] | None = None) -> str:
    """The reference page of ``document`` (default: the API's OpenAPI document)."""
    doc = document or openapi_document(title="Register of recommendations", server="/api")
    lines = [
        "# Web API",
        "",
        "<!-- Written by `python -m recommendations_web.reference`: do not edit by hand. -->",
        "",
        doc["info"]["description"],
        "",
        "Every path below is under the API's prefix (`/api` when served by `recommendations",
        "serve`; the mount's path, then `/api`, when mounted in another application). The",
        "document itself is at `/api/openapi.json`, and the JSON Schema of the commands at",
        "`/api/schema/commands.json`. Every error is a problem document (`Problem` below).",
        "",
        "## Paths",
        "",
    ]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            lines += [f"### `{method.upper()} {path}`", "", operation["summary"] + ".", ""]
            parameters = operation.get("parameters", [])
            if parameters:
                lines += ["| parameter | in | type | meaning |", "| --- | --- | --- | --- |"]
                for p in parameters:
                    lines.append(
                        f"| `{p['name']}` | {p['in']} | {_cell(_type(p['schema']))} "
                        f"| {_cell(p.get('description', ''))} |"
                    )
                lines.append("")
            body = operation.get("requestBody")
            if body is not None:
                schema = body["content"]["application/json"]["schema"]
                lines += [f"Body: `application/json`, {_type(schema)}.", ""]
            lines += ["| status | meaning |", "| --- | --- |"]
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                shown = ", ".join(
                    f"`{kind}` {_type(value['schema'])}" for kind, value in content.items()
                )
                lines.append(f"| {status} | {_cell(response['description'])} {shown} |")
            lines.append("")
    lines += ["## Schemas", ""]
    for name, schema in doc["components"]["schemas"].items():
        lines += [f"### `{name}`", ""]
        if "description" in schema:
            lines += [_cell(schema["description"]), ""]
        if "oneOf" in schema:
            options = ", ".join(f"`{_type(option)}`" for option in schema["oneOf"])
            lines += [f"One of: {options}.", ""]
        properties = schema.get("properties", {})
        if properties:
            required = set(schema.get("required", []))
            lines += ["| field | type | required |", "| --- | --- | --- |"]
            for field, value in properties.items():
                lines.append(
                    f"| `{field}` | {_cell(_type(value))} | {'yes' if field in required else ''} |"
                )
            lines.append("")
    lines += [
        "## In Python",
        "",
        "What an application that serves or mounts the API uses (see",
        "{doc}`../how-to/embed-the-api`):",
        "",
        "```{eval-rst}",
        ".. autofunction:: recommendations_web.create_app",
        ".. autoclass:: recommendations_web.Role",
        "   :members: may",
        ".. autoclass:: recommendations_web.Caller",
        ".. autoclass:: recommendations_web.TokenFile",
        "   :members: issue, revoke, records, caller",
        ".. autofunction:: recommendations_web.command_schema",
        ".. autofunction:: recommendations_web.openapi_document",
        "```",
    ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(markdown())


if __name__ == "__main__":
    main()
