"""The commands of the web package: serve the register, and issue and revoke its tokens.

The web application is the distribution ``recommendations-tracker-web`` (import name
``recommendations_web``); these commands import it when they run, and say in one line how
to install it when it is not there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._app import Refused, cli, session, store_option

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["TOKENS_ENV", "issue_token", "revoke_token", "serve", "tokens"]

TOKENS_ENV = "RECOMMENDATIONS_TOKENS"
"""The environment variable that names the token file when ``--tokens`` does not."""

DEFAULT_TOKENS = "recommendations-tokens.json"


def _web() -> ModuleType:
    """The web package, or a refusal naming the install."""
    try:
        import recommendations_web
    except ImportError as error:
        raise Refused(
            f"the web server is the package recommendations-tracker-web, which cannot be imported "
            f"({error}): pip install recommendations-tracker-web (in a clone of the project: "
            f"pip install -e adapters/web)"
        ) from error
    return recommendations_web


_tokens_option = click.option(
    "--tokens",
    "tokens_path",
    metavar="FILE",
    envvar=TOKENS_ENV,
    default=DEFAULT_TOKENS,
    show_default=True,
    show_envvar=True,
    help="The token file: each token's SHA-256 with its actor and role (never the token).",
)


@cli.command(short_help="Serve the register on the web: the JSON API and public pages.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="The port to listen on.")
@_tokens_option
@click.option(
    "--title",
    default="Register of recommendations",
    show_default=True,
    help="The title of the pages.",
)
@click.option("--quiet", is_flag=True, help="Log no line per request.")
@click.option(
    "--check",
    is_flag=True,
    help="Open the store and the token file, say what would be served, and stop.",
)
@store_option
def serve(host: str, port: int, tokens_path: str, title: str, quiet: bool, check: bool) -> None:
    """Serve the register over HTTP with uvicorn: the JSON API under /api (its OpenAPI
    document at /api/openapi.json) and the public register pages under /. Needs the
    package recommendations-tracker-web.

    Requests without a token read what the public may see and record nothing; a token
    from `recommendations issue-token` carries an actor and a role. A token file that is
    not there yet means every request is anonymous. Stop it with Ctrl-C.

    \b
    recommendations serve --check
    recommendations serve --port 8080 --tokens tokens.json --check
    """
    web = _web()
    tracker = session().tracker()
    path = Path(tokens_path)
    token_file = web.TokenFile(path)
    issued = len(token_file.records())
    app = web.create_app(tracker, tokens=token_file, title=title)
    who = (
        f"{issued} token{'s' if issued != 1 else ''} in {path}"
        if path.exists()
        else f"no token file at {path}: every request is anonymous"
    )
    click.echo(
        f"Serving {session().label} at http://{host}:{port}/ (API at /api; {who}).", err=True
    )
    if check:
        return
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info", access_log=not quiet)


@cli.command("issue-token", short_help="Issue an API token for an actor with a role.")
@click.option("--actor", required=True, help="Who the token stands for: recorded as who acted.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["public", "body", "oversight", "inspectorate"]),
    help="What it sees and may record.",
)
@click.option("--note", default="", help="What the token is for (kept in the file).")
@_tokens_option
def issue_token(actor: str, role: str, note: str, tokens_path: str) -> None:
    """Issue a token for ACTOR with ROLE, kept in the token file as its SHA-256 only: the
    token itself is printed once, on standard output, and never again.

    \b
    recommendations issue-token --actor "Kath Jones" --role body --tokens tokens.json
    """
    web = _web()
    token, record = web.TokenFile(Path(tokens_path)).issue(actor=actor, role=role, note=note)
    click.echo(token)
    click.echo(
        f"Issued token {record.id} to {record.actor!r} ({record.role}) in {tokens_path}.",
        err=True,
    )


@cli.command("revoke-token", short_help="Revoke API tokens: one by its id, or an actor's.")
@click.argument("token_id", metavar="ID", required=False)
@click.option("--actor", default=None, help="Revoke every token of this actor instead.")
@_tokens_option
def revoke_token(token_id: str | None, actor: str | None, tokens_path: str) -> None:
    """Revoke the token with id ID (see `recommendations tokens`), or with --actor every
    token of that actor: a server running on the file refuses them from its next request.

    \b
    recommendations revoke-token --actor "Kath Jones" --tokens tokens.json
    """
    if (token_id is None) == (actor is None):
        raise click.UsageError("give a token's ID or --actor, not both")
    web = _web()
    file = web.TokenFile(Path(tokens_path))
    ids = (
        [token_id]
        if token_id is not None
        else [record.id for record in file.records() if record.actor == actor]
    )
    if not ids:
        raise Refused(f"no token in {tokens_path} stands for {actor!r}")
    for each in ids:
        record = file.revoke(each)
        click.echo(f"Revoked token {record.id} of {record.actor!r} ({record.role}).")


@cli.command(short_help="List the API tokens issued (never the tokens themselves).")
@_tokens_option
def tokens(tokens_path: str) -> None:
    """List the tokens in the token file: id, actor, role, when issued, note.

    \b
    recommendations tokens --tokens tokens.json
    """
    web = _web()
    records: list[Any] = web.TokenFile(Path(tokens_path)).records()
    if not records:
        click.echo(f"No token in {tokens_path}.")
    for record in records:
        note = f"  {record.note}" if record.note else ""
        click.echo(f"{record.id}  {record.role:<12}  {record.issued_at}  {record.actor}{note}")
