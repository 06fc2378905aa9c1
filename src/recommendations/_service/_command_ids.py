"""Command ids: what an id stands for (the digest of its commands), and what a command
carried out already under an id recorded, so that a retry records nothing twice."""

from __future__ import annotations

import hashlib

import orjson

from recommendations import domain
from recommendations._errors import RuleViolation, StoreError
from recommendations._serialization import _CONVERTER, CommandRecord, command_item
from recommendations.domain._text import abridged
from recommendations.stores import Tables, item_log

from ._catch_up import CatchUp
from ._store import LogStore, translated
from ._values import Positioned

__all__ = ["CommandIds", "check_command_id", "digest"]


def digest(commands: list[domain.Command], reference: str | None) -> str:
    """The SHA-256 of the commands' canonical form: what a command id stands for."""
    hasher = hashlib.sha256()
    for command in commands:
        hasher.update(type(command).__name__.encode())
        try:
            form = orjson.dumps(_CONVERTER.unstructure(command), option=orjson.OPT_SORT_KEYS)
        except (TypeError, ValueError, orjson.JSONEncodeError) as error:
            raise RuleViolation(
                f"{type(command).__name__} holds a value that cannot be stored ({error})",
                reference=reference,
                field="command",
                rule="type",
            ) from error
        hasher.update(form)
    return hasher.hexdigest()


def check_command_id(command_id: object, reference: str | None) -> None:
    """Refuse a command id that is not text of 1 to 200 printable characters."""
    if (
        not isinstance(command_id, str)
        or not command_id.strip()
        or len(command_id) > 200
        or not command_id.isprintable()
    ):
        shown = abridged(repr(command_id), 60)
        raise RuleViolation(
            f"a command id must be text of 1 to 200 printable characters, not {shown}",
            reference=reference,
            field="command_id",
            rule="command-id",
        )


class CommandIds:
    """The command ids carried out in ``store``, found through its records and ``views``."""

    def __init__(self, store: LogStore, views: Tables, catch_up: CatchUp) -> None:
        self.store = store
        self.tables = views
        self.catch_up = catch_up

    def record(self, command_id: str, digest: str, events: list[domain.Event]) -> CommandRecord:
        """The record that ``command_id`` was carried out, recording ``events``."""
        return CommandRecord(
            originator_id=command_item(command_id),
            originator_version=1,
            recorded_at=events[-1].recorded_at,
            command_id=command_id,
            digest=digest,
            entries=tuple((e.originator_id, e.originator_version) for e in events),
        )

    def carried_out(
        self, command_id: str, digest: str, reference: str | None
    ) -> list[Positioned] | None:
        """What the command with ``command_id`` recorded, if it was carried out already;
        :class:`RuleViolation` if the id was used for other commands."""
        label = self.store.label
        with translated(label, reference):
            stored = self.store.app.recorder.select_events(command_item(command_id), limit=1)
        if not stored:
            return None
        record = self.store.decode(stored[0])
        if not isinstance(record, CommandRecord):
            raise StoreError(f"entry {stored[0].topic!r} is not a command record", rule="readable")
        if record.digest != digest:
            raise RuleViolation(
                f"command id {command_id!r} was used for a different command, recorded "
                f"{record.recorded_at.isoformat()}: a retry must repeat it exactly",
                reference=reference,
                field="command_id",
                rule="command-id-unique",
            )
        behind = self.catch_up.quietly()
        done = []
        with translated(label, reference):
            for item, version in record.entries:
                found = [
                    entry
                    for entry in item_log(self.tables, item)
                    if entry.event.originator_version == version
                ]
                if not found:
                    raise StoreError(
                        f"command {command_id!r} recorded entry {version} of {item}, which "
                        "the views cannot find",
                        reference=reference,
                        rule="views-consistent",
                    )
                done.append(found[0])
        if behind is not None:
            self.catch_up.after_recording(done, reference, earlier=command_id)
        return done
