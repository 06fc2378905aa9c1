"""Who is asking: API tokens, the roles they carry, and what each role may see and record.

A token is a random secret handed out once (``recommendations token issue``); the token
file keeps only its SHA-256, with the actor it stands for and the role it has. A request
carries it as ``Authorization: Bearer <token>``; a request without one is anonymous and
gets the public audience and no commands. The role sets the audience of every read
(:class:`~recommendations.views.Audience`) and the commands its holder may record.

The token file is JSON::

    {"format": "recommendations-web-tokens/1",
     "tokens": [{"id": "k3Jd9aQe", "sha256": "<hex>", "actor": "Kath Jones",
                 "role": "body", "issued_at": "2017-04-10T09:00:00+00:00", "note": ""}]}

It is read again whenever it changes on disk, so a token issued or revoked takes effect
on the next request without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attrs import field, frozen

from recommendations import ConfigurationError
from recommendations.views import Audience

__all__ = [
    "ANONYMOUS",
    "ROLES",
    "TOKENS_FORMAT",
    "Caller",
    "Role",
    "TokenFile",
    "TokenRecord",
]

TOKENS_FORMAT = "recommendations-web-tokens/1"
TOKEN_PREFIX = "rwt_"


def _names(value: Any) -> frozenset[str]:
    return frozenset(value)


@frozen
class Role:
    """What the holder of a token with this role sees and may record.

    ``audience`` is the audience of every read; ``commands`` the names of the commands it
    may record (``Regrade``, ``Discharge``...); ``acceptors`` the acceptor roles it may
    record a discharge as (``Discharge.acceptor_role``); ``proofs`` whether it may have
    proof bundles (which hold every entry's stored form, names included).
    """

    name: str
    audience: Audience
    commands: frozenset[str] = field(default=frozenset(), converter=_names)
    acceptors: frozenset[str] = field(default=frozenset(), converter=_names)
    proofs: bool = False

    def may(self, command: str) -> bool:
        return command in self.commands


_BODY_COMMANDS = (
    "Raise",
    "Assign",
    "Regrade",
    "NoteProgress",
    "ChangeDeadline",
    "ClaimImplementation",
    "Discharge",
    "Correct",
    "Prioritise",
    "RecordResponse",
    "ChangePlanStatus",
)
_INSPECTORATE_COMMANDS = (
    "RecordInspection",
    "ReviseInspection",
    "PublishReport",
    "ReviseReport",
    "ChangePlanStatus",
    "Raise",
    "Regrade",
    "Discharge",
    "RejectClaim",
    "Reopen",
    "Prioritise",
)

ROLES: Mapping[str, Role] = {
    "public": Role("public", Audience.PUBLIC),
    "body": Role("body", Audience.BODY, _BODY_COMMANDS, {"body"}, proofs=True),
    "oversight": Role(
        "oversight",
        Audience.OVERSIGHT,
        ("NoteProgress", "Discharge", "RejectClaim", "Reopen"),
        {"oversight-board"},
        proofs=True,
    ),
    "inspectorate": Role(
        "inspectorate", Audience.OVERSIGHT, _INSPECTORATE_COMMANDS, {"inspectorate"}, proofs=True
    ),
}
"""The roles a token may have, by name:

================  ==========  ===============================================  ==========
role              audience    commands                                         discharges
================  ==========  ===============================================  ==========
``public``        public      none                                             none
``body``          body        raise, assign, regrade, note, change-deadline,   as
                              claim, discharge, correct, prioritise,           ``body``
                              record-response
``oversight``     oversight   note, discharge, reject-claim, reopen            as
                                                                               ``oversight-board``
``inspectorate``  oversight   record/revise inspection, publish/revise         as
                              report, raise, regrade, discharge,               ``inspectorate``
                              reject-claim, reopen, prioritise
================  ==========  ===============================================  ==========
"""


@frozen
class Caller:
    """Who made a request: the actor a token stands for (``None``: anonymous) and its role."""

    actor: str | None
    role: Role


ANONYMOUS = Caller(None, ROLES["public"])
"""A request with no token: the public audience, no commands."""


@frozen(kw_only=True)
class TokenRecord:
    """One issued token as the file keeps it: never the token itself, only its SHA-256."""

    id: str
    sha256: str
    actor: str
    role: str
    issued_at: str
    note: str = ""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _refused(message: str, field: str, rule: str) -> ConfigurationError:
    return ConfigurationError(message, field=field, rule=rule)


class TokenFile:
    """The token file at ``path``: issue, revoke, list, and find the caller of a token."""

    def __init__(self, path: str | os.PathLike[str], roles: Mapping[str, Role] = ROLES) -> None:
        self.path = Path(path)
        self.roles = roles
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._by_digest: dict[str, TokenRecord] = {}

    # --- reading -----------------------------------------------------------------------

    def records(self) -> list[TokenRecord]:
        """Every token issued and not revoked, oldest first."""
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise _refused(
                f"the token file {str(self.path)!r} cannot be read: {error}",
                "tokens",
                "token-file",
            ) from error
        if not isinstance(data, dict) or data.get("format") != TOKENS_FORMAT:
            raise _refused(
                f"{str(self.path)!r} is not a token file ({TOKENS_FORMAT})", "tokens", "token-file"
            )
        try:
            return [TokenRecord(**record) for record in data.get("tokens", [])]
        except TypeError as error:
            raise _refused(
                f"the token file {str(self.path)!r} holds a malformed token: {error}",
                "tokens",
                "token-file",
            ) from error

    def caller(self, token: str) -> Caller | None:
        """The caller ``token`` stands for, or ``None`` if no token issued is this one."""
        with self._lock:
            self._reload()
            record = self._by_digest.get(_digest(token))
        if record is None or not hmac.compare_digest(record.sha256, _digest(token)):
            return None
        role = self.roles.get(record.role)
        if role is None:
            return None
        return Caller(record.actor, role)

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
            seen: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            seen = None
        if seen == self._seen and (seen is not None or not self._by_digest):
            return
        self._by_digest = {record.sha256: record for record in self.records()}
        self._seen = seen

    # --- writing -----------------------------------------------------------------------

    def issue(self, *, actor: str, role: str, note: str = "") -> tuple[str, TokenRecord]:
        """A new token for ``actor`` with ``role``: the token (shown once, kept nowhere)
        and the record the file now keeps of it."""
        if role not in self.roles:
            raise _refused(
                f"{role!r} is not a role ({', '.join(self.roles)})", "role", "known-role"
            )
        if not actor.strip():
            raise _refused("a token must name the actor it stands for", "actor", "actor-named")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(
            id=secrets.token_hex(4),
            sha256=_digest(token),
            actor=" ".join(actor.split()),
            role=role,
            issued_at=datetime.now(UTC).isoformat(timespec="seconds"),
            note=note,
        )
        self._write([*self.records(), record])
        return token, record

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke the token with this id; the record it had."""
        records = self.records()
        kept = [record for record in records if record.id != token_id]
        if len(kept) == len(records):
            raise _refused(f"no token has the id {token_id!r}", "id", "token-exists")
        self._write(kept)
        return next(record for record in records if record.id == token_id)

    def _write(self, records: list[TokenRecord]) -> None:
        data = {
            "format": TOKENS_FORMAT,
            "tokens": [
                {
                    "id": r.id,
                    "sha256": r.sha256,
                    "actor": r.actor,
                    "role": r.role,
                    "issued_at": r.issued_at,
                    "note": r.note,
                }
                for r in records
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=2)
                file.write("\n")
            os.chmod(name, 0o600)
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
