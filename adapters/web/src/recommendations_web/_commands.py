"""Commands as JSON documents: read through the library's converter, and their JSON Schema.

A command document is a JSON object naming the command in ``"type"`` (``"Regrade"``,
``"Discharge"``...), with the command's fields as the stored form writes them (dates as
``YYYY-MM-DD``, enums as their values, lists for tuples). ``by`` may be left out: the
actor recorded is always the one the request's token stands for. A report's ``scale``
may be given by name (``"PEEL"``) as well as whole; a correction's ``changes`` is an
object of field to value, each read as the type the corrected entry's field has.

:func:`command_schema` is the JSON Schema (2020-12) of every command document, derived
from the same attrs classes the converter reads, so the two cannot drift apart.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import date, datetime
from typing import Any

import attrs
import cattrs

from recommendations import ConfigurationError, Tracker, domain
from recommendations._errors import NotFound, RuleViolation
from recommendations._serialization import make_converter

from ._access import Caller

__all__ = ["COMMANDS", "CommandRefused", "command_schema", "read_commands"]

COMMANDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        domain.RecordInspection,
        domain.ReviseInspection,
        domain.PublishReport,
        domain.ReviseReport,
        domain.ChangePlanStatus,
        domain.Raise,
        domain.Assign,
        domain.Regrade,
        domain.NoteProgress,
        domain.ChangeDeadline,
        domain.ClaimImplementation,
        domain.RejectClaim,
        domain.Discharge,
        domain.Reopen,
        domain.Correct,
    )
}
"""Every lifecycle command a document can name, by its ``"type"``."""

MAX_BATCH = 500
"""The most commands one request may hold (they are recorded in one transaction)."""

_CONVERTER = make_converter()


def _strict(kind: type[Any]) -> Any:
    """A structure hook that takes only a JSON value of this kind as it is (the stored
    form's converter would turn ``7`` into ``"7"``: a document is held to its schema)."""

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected a {_JSON_NAMES[kind]}, not {json_name(value)}")
        return value

    return structure


_JSON_NAMES = {str: "string", int: "whole number", bool: "boolean", float: "number"}


def json_name(value: Any) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), "a value")


for _kind in (str, int, bool):
    _CONVERTER.register_structure_hook(_kind, _strict(_kind))


class CommandRefused(RuleViolation):
    """A command document that is not a command, or one its sender may not record.

    ``status`` is the HTTP status it is answered with (422 for a document that is not a
    command, 403 for a command the caller's role may not record)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.status = status
        super().__init__(message, reference=reference, field=field, rule=rule)


def read_commands(data: Any, caller: Caller, tracker: Tracker) -> list[domain.Command]:
    """The commands a request's JSON ``data`` holds (one object, or a list of them), each
    checked against what ``caller`` may record. Raises :class:`CommandRefused`."""
    documents = data if isinstance(data, list) else [data]
    if not documents:
        raise CommandRefused("a list of commands must hold at least one", rule="batch-size")
    if len(documents) > MAX_BATCH:
        raise CommandRefused(
            f"a request may hold at most {MAX_BATCH} commands, not {len(documents)}",
            rule="batch-size",
        )
    return [_command(document, caller, tracker) for document in documents]


def _command(document: Any, caller: Caller, tracker: Tracker) -> domain.Command:
    if not isinstance(document, dict):
        raise CommandRefused("a command is a JSON object", field="command", rule="command-object")
    reference = document.get("reference") if isinstance(document.get("reference"), str) else None
    name = document.get("type")
    if not isinstance(name, str) or name not in COMMANDS:
        raise CommandRefused(
            f"{name!r} is not a command (commands: {', '.join(COMMANDS)})",
            reference=reference,
            field="type",
            rule="command-type",
        )
    if caller.actor is None or not caller.role.may(name):
        who = "an anonymous request" if caller.actor is None else f"role {caller.role.name!r}"
        raise CommandRefused(
            f"{who} may not record {name}",
            status=401 if caller.actor is None else 403,
            reference=reference,
            field="type",
            rule="role-may-record",
        )
    fields = {key: value for key, value in document.items() if key != "type"}
    given = fields.get("by")
    if given is not None and given != caller.actor:
        raise CommandRefused(
            f"the actor is the token's, {caller.actor!r}, not {given!r}",
            status=403,
            reference=reference,
            field="by",
            rule="actor-authenticated",
        )
    fields["by"] = caller.actor
    cls = COMMANDS[name]
    if isinstance(fields.get("details"), dict):
        fields["details"] = _scale_by_name(fields["details"], tracker.policy, reference)
    changes = None
    if cls is domain.Correct:
        fields = _correction(fields, caller, tracker, reference)
        changes = fields.pop("changes", None)
        if changes is not None and not isinstance(changes, dict):
            raise CommandRefused(
                "changes: an object of field to value",
                reference=reference,
                field="changes",
                rule="type",
            )
    try:
        command: domain.Command = _CONVERTER.structure(fields, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        raise _unreadable(error, name, reference) from None
    if changes is not None:
        command = attrs.evolve(command, changes=changes)
    if isinstance(command, domain.Discharge) and command.acceptor_role not in caller.role.acceptors:
        raise CommandRefused(
            f"role {caller.role.name!r} may not record a discharge accepted by "
            f"{command.acceptor_role!r} (only by {', '.join(sorted(caller.role.acceptors))})",
            status=403,
            reference=command.reference,
            field="acceptor_role",
            rule="role-may-accept",
        )
    return command


def _scale_by_name(details: dict[str, Any], policy: domain.Policy, reference: str | None) -> Any:
    scale = details.get("scale")
    if not isinstance(scale, str):
        return details
    try:
        found = policy.scale(scale)
    except ConfigurationError as error:
        raise CommandRefused(
            error.detail,
            reference=reference,
            field="details.scale",
            rule="scale-known",
        ) from None
    return {**details, "scale": _CONVERTER.unstructure(found)}


def _correction(
    fields: dict[str, Any], caller: Caller, tracker: Tracker, reference: str | None
) -> dict[str, Any]:
    """A correction's ``changes`` (field to JSON value) as values of the types the
    corrected entry's fields hold; refused if the caller may not record that entry."""
    changes = fields.get("changes", {})
    version = fields.get("version")
    if not isinstance(changes, dict) or not isinstance(version, int) or reference is None:
        return fields  # the converter says what is wrong
    try:
        log = tracker.events(reference)
    except NotFound:
        return fields  # deciding says so
    if not 0 < version <= len(log):
        return fields
    entry = log[version - 1]
    shown = entry.replacement if isinstance(entry, domain.Corrected) else entry
    command = _COMMAND_OF.get(type(shown).__name__) if shown is not None else None
    acceptors = {getattr(shown, "acceptor_role", None), changes.get("acceptor_role")} - {None}
    if (command is not None and not caller.role.may(command)) or not acceptors <= set(
        caller.role.acceptors
    ):
        raise CommandRefused(
            f"role {caller.role.name!r} may not correct entry {version}, a "
            f"{type(entry).__name__} it may not record",
            status=403,
            reference=reference,
            field="version",
            rule="role-may-record",
        )
    hints = typing.get_type_hints(type(entry))
    typed = {}
    for name, value in changes.items():
        hint = hints.get(name)
        try:
            typed[name] = _typed(value, hint, tracker.policy)
        except (cattrs.BaseValidationError, ValueError, TypeError, LookupError) as error:
            raise CommandRefused(
                f"{value!r} is not a value for {name}: {error}",
                reference=reference,
                field=f"changes.{name}",
                rule="type",
            ) from None
    return {**fields, "changes": typed}


def _typed(value: Any, hint: Any, policy: domain.Policy) -> Any:
    if hint is None or hint is Any:
        return value
    if hint is domain.ItemKind and isinstance(value, str):
        return policy.kind(value)
    if hint is domain.GradingScale and isinstance(value, str):
        return policy.scale(value)
    return _CONVERTER.structure(value, hint)


_COMMAND_OF = {
    "Raised": "Raise",
    "Assigned": "Assign",
    "Regraded": "Regrade",
    "ProgressNoted": "NoteProgress",
    "DeadlineChanged": "ChangeDeadline",
    "ImplementationClaimed": "ClaimImplementation",
    "ClaimRejected": "RejectClaim",
    "Discharged": "Discharge",
    "Reopened": "Reopen",
}


def _unreadable(error: Exception, name: str, reference: str | None) -> CommandRefused:
    """The first thing wrong with a document, with the field it is in."""
    if isinstance(error, cattrs.BaseValidationError):
        messages = cattrs.transform_error(error, path="")
        first = messages[0] if messages else str(error)
        message, _, path = first.rpartition(" @ ")
        where = path.lstrip(".") or None
        if "extra fields found" in message:
            return CommandRefused(
                f"{name} has no field {message.partition('(')[2].rstrip(')')}",
                reference=reference,
                field=where or "command",
                rule="known-fields",
            )
        if "required field missing" in message:
            return CommandRefused(
                f"{name} needs {where}", reference=reference, field=where, rule="required-field"
            )
        return CommandRefused(
            f"{name}: {message or first}", reference=reference, field=where, rule="type"
        )
    return CommandRefused(f"{name}: {error}", reference=reference, field="command", rule="type")


# --- the JSON Schema ---------------------------------------------------------------------------

SCHEMA_ID = "urn:recommendations:web:commands"


def command_schema(ref_prefix: str = "#/$defs/") -> dict[str, Any]:
    """The JSON Schema (2020-12) of a command document, or a list of them: ``$defs`` holds
    one schema per command (and per value type they hold), each closed to other fields."""
    defs: dict[str, Any] = {}
    for name, cls in COMMANDS.items():
        defs[name] = _object(cls, defs, ref_prefix, command=name)
    one = {"oneOf": [{"$ref": ref_prefix + name} for name in COMMANDS]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "A lifecycle command, or a list of them recorded in one transaction",
        "oneOf": [
            {"$ref": ref_prefix + "Command"},
            {
                "type": "array",
                "items": {"$ref": ref_prefix + "Command"},
                "minItems": 1,
                "maxItems": MAX_BATCH,
            },
        ],
        "$defs": {"Command": one, **defs},
    }


def _object(
    cls: type[Any], defs: dict[str, Any], prefix: str, *, command: str | None = None
) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    if command is not None:
        properties["type"] = {"const": command}
        required.append("type")
    for a in attrs.fields(cls):
        if command is not None and a.name == "changes":
            properties[a.name] = {
                "type": "object",
                "description": "The fields of the corrected entry that were wrong, and "
                "their right values.",
            }
        elif command is not None and a.name == "by":
            properties[a.name] = {
                "type": "string",
                "description": "Who records it: may be left out; it must be the actor "
                "the request's token stands for.",
            }
        else:
            properties[a.name] = _type(hints[a.name], defs, prefix)
        if a.default is attrs.NOTHING and a.name != "by":
            required.append(a.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    doc = (cls.__doc__ or "").strip()
    if doc:
        schema["description"] = " ".join(doc.split("\n\n")[0].split())
    return schema


def _type(hint: Any, defs: dict[str, Any], prefix: str) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_type(arg, defs, prefix) for arg in typing.get_args(hint)]
        return {"anyOf": options}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type(args[0], defs, prefix)}
        return {"type": "array", "prefixItems": [_type(a, defs, prefix) for a in args]}
    if hint is type(None):
        return {"type": "null"}
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is datetime:
        return {"type": "string", "format": "date-time"}
    if hint is date:
        return {"type": "string", "format": "date"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "string", "enum": [member.value for member in hint]}
    if isinstance(hint, type) and attrs.has(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # a placeholder while it is made (no type holds itself)
            defs[name] = _object(hint, defs, prefix)
        if hint is domain.GradingScale:
            return {"anyOf": [{"$ref": prefix + name}, {"type": "string"}]}
        return {"$ref": prefix + name}
    return {}
