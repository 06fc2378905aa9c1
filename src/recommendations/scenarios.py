"""Scenarios: commands as lines of JSON, each with when it was recorded, and one player.

A scenario file holds one command a line, in the order the commands were recorded. A line
is the command document the web API takes (the command's name in ``"type"``, its fields as
the stored form writes them: dates as ``YYYY-MM-DD``, enums as their values, lists for
tuples; a report's ``scale`` by name where it is one of the policy's), with one more key,
``"recorded_at"``: the moment the entry was recorded, an ISO 8601 time with its offset.
A correction's ``"changes"`` is an object of field to value, each read as the type that
field has in the entries a correction may amend. Blank lines are skipped. See
``docs/reference/scenario-files.md``.

:func:`line` writes one command as a line, :func:`record` records commands in a tracker
and gives their lines, and :func:`play` records a scenario into a tracker, setting the
recorded time of each entry from its line (where a line has none: one second after the
entry before, or 09:00 UTC on its effective date if that is later). The demonstration
(``recommendations demo``) is such a file, shipped with the package: :data:`DEMO`.

:func:`play` reads the lines one at a time and decides each command through the
tracker's own deciding, on the entries decided before it (kept in memory, item by item);
on SQLite and PostgreSQL it writes them as it goes, all in one transaction. A line the
rules refuse raises its error, naming the line, and nothing is written. The store must be
empty.
"""

from __future__ import annotations

import itertools
import json
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import attrs
import cattrs
import orjson

from . import domain
from ._errors import ConfigurationError, RecommendationsError, RuleViolation
from ._serialization import make_converter
from ._service import check_batch
from ._service._deciding import COMMANDS as DECIDED
from ._tracker import Tracker

__all__ = [
    "COMMANDS",
    "DEMO",
    "ScenarioError",
    "command",
    "command_type",
    "document",
    "line",
    "parse",
    "play",
    "read",
    "record",
]

DEMO = "west-midlands-2017.jsonl"
"""The demonstration's file, among the package's data (see :func:`read`)."""

COMMANDS: dict[str, type[domain.Command]] = {
    cls.__name__: cls
    for cls in sorted(DECIDED, key=lambda cls: not issubclass(cls, domain.SourceCommand))
    if cls is not domain.Configure
}
"""Every command a line can name, by its ``"type"``."""

_CONVERTER = make_converter()
_STEP = timedelta(seconds=1)


class ScenarioError(RuleViolation):
    """A line of a scenario that is not a command, or that the rules refuse; ``line`` is
    its number (from 1) and the message names it."""

    def __init__(
        self,
        message: str,
        *,
        line: int,
        reference: str | None = None,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}", reference=reference, field=field, rule=rule)


# --- writing ---------------------------------------------------------------------------------


def document(command: domain.Command, policy: domain.Policy | None = None) -> dict[str, Any]:
    """``command`` as a JSON object: its ``"type"`` and fields (a report's scale by name
    where ``policy`` has that scale)."""
    fields = _lean(command, _CONVERTER.unstructure(command, type(command)))
    details = getattr(command, "details", None)
    if details is not None:
        fields["details"] = _lean(details, fields["details"])
        scale = getattr(details, "scale", None)
        if scale is not None and _named(scale, policy):
            fields["details"]["scale"] = scale.name
    if isinstance(command, domain.Correct):
        fields["changes"] = {name: _CONVERTER.unstructure(value) for name, value in command.changes}
    return {"type": type(command).__name__, **fields}


_DEFAULTS: dict[type[Any], dict[str, Any]] = {}


def _lean(value: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``data``, the stored form of ``value``, without the fields left at their default."""
    for name, default in _defaults(type(value)).items():
        if name in data and _plain(data[name]) == default:
            del data[name]
    return data


def _defaults(cls: type[Any]) -> dict[str, Any]:
    """The stored form of each default of ``cls``'s fields that has one."""
    if cls in _DEFAULTS:
        return _DEFAULTS[cls]
    found = _DEFAULTS[cls] = {}
    for each in attrs.fields(cls):
        default = each.default
        if default is attrs.NOTHING:
            continue
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        found[each.name] = _plain(_CONVERTER.unstructure(default))
    return found


def _plain(value: Any) -> Any:
    """``value`` as JSON reads it back (lists for tuples, values for enums)."""
    if isinstance(value, str | int | float | bool | None):
        return value
    return orjson.loads(orjson.dumps(value))


def _named(scale: domain.GradingScale, policy: domain.Policy | None) -> bool:
    try:
        return (policy or domain.DEFAULT_POLICY).scale(scale.name) == scale
    except ConfigurationError:
        return False


def line(
    command: domain.Command,
    recorded_at: datetime | None = None,
    *,
    policy: domain.Policy | None = None,
) -> str:
    """One line of a scenario (no newline): ``command``, recorded at ``recorded_at``."""
    data = document(command, policy)
    if recorded_at is not None:
        data = {"recorded_at": recorded_at.isoformat(), **data}
    return orjson.dumps(data).decode()


def record(tracker: Tracker, commands: Iterable[domain.Command]) -> Iterator[str]:
    """Record each of ``commands`` in ``tracker``, in turn, and give its line, with the
    time it was recorded: the lines :func:`play` records again as the same log."""
    policy = tracker.policy
    for each in commands:
        recorded = tracker.execute(each)
        yield line(each, recorded.event.recorded_at, policy=policy)


# --- reading ---------------------------------------------------------------------------------


def read(name: str = DEMO) -> list[str]:
    """The lines of a scenario shipped with the package (the demonstration by default)."""
    data = resources.files("recommendations").joinpath("data", name)
    return data.read_text(encoding="utf-8").splitlines()


def command(data: Mapping[str, Any], *, policy: domain.Policy | None = None) -> domain.Command:
    """The command a line's JSON object holds (``"recorded_at"`` aside), a report's scale
    named from ``policy`` (by default the library's). Raises
    :class:`~recommendations.ConfigurationError` (rule ``command-type`` or
    ``command-fields``)."""
    reference = data.get("reference") if isinstance(data.get("reference"), str) else None
    cls = command_type(data)
    name = cls.__name__
    fields = {key: value for key, value in data.items() if key not in ("type", "recorded_at")}
    details = fields.get("details")
    if isinstance(details, dict) and isinstance(details.get("scale"), str):
        scale = (policy or domain.DEFAULT_POLICY).scale(details["scale"])
        fields["details"] = {**details, "scale": _CONVERTER.unstructure(scale)}
    changes = fields.pop("changes", None) if cls is domain.Correct else None
    try:
        made: domain.Command = _CONVERTER.structure(fields, cls)
        if isinstance(made, domain.Correct) and changes is not None:
            made = attrs.evolve(made, changes=_changes(changes))
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        if isinstance(error, RecommendationsError):
            raise
        reasons = (
            "; ".join(cattrs.transform_error(error))
            if isinstance(error, cattrs.BaseValidationError)
            else str(error)
        )
        raise ConfigurationError(
            f"not a {name}: {reasons}", reference=reference, field=name, rule="command-fields"
        ) from None
    return made


def command_type(data: Mapping[str, Any]) -> type[domain.Command]:
    """The command class a line's (or a document's) ``"type"`` names; raises
    :class:`~recommendations.ConfigurationError` (rule ``command-type``) if it names none."""
    name = data.get("type")
    if isinstance(name, str) and name in COMMANDS:
        return COMMANDS[name]
    reference = data.get("reference")
    raise ConfigurationError(
        f"{name!r} is not a command (commands: {', '.join(COMMANDS)})",
        reference=reference if isinstance(reference, str) else None,
        field="type",
        rule="command-type",
    )


def _field_types() -> dict[str, Any]:
    """The type of each field an entry a correction may amend has (the first found)."""
    found: dict[str, Any] = {}
    for kind in typing.get_args(domain.Amendable):
        for name, hint in typing.get_type_hints(kind).items():
            found.setdefault(name, hint)
    return found


_FIELD_TYPES = _field_types()


def _changes(changes: Any) -> dict[str, Any]:
    """A correction's ``changes``, each value read as the type its field has."""
    if not isinstance(changes, dict):
        raise TypeError("changes: an object of field to value")
    return {
        name: _CONVERTER.structure(value, _FIELD_TYPES[name]) if name in _FIELD_TYPES else value
        for name, value in changes.items()
    }


def parse(
    scenario: Iterable[str] | str | Path | TextIO, *, policy: domain.Policy | None = None
) -> list[domain.Command]:
    """The commands of a scenario's lines (a file's path, an open file, or the lines),
    without recording them; a line that is not a command raises :class:`ScenarioError`."""
    made = []
    for number, data in _numbered(scenario):
        try:
            made.append(command(data, policy=policy))
        except RecommendationsError as error:
            raise _at_line(error, number) from error
    return made


def _at_line(error: RecommendationsError, number: int) -> ScenarioError:
    return ScenarioError(
        error.detail, line=number, reference=error.reference, field=error.field, rule=error.rule
    )


# --- playing ---------------------------------------------------------------------------------


@dataclass
class _Clock:
    """The recorded time the line being played sets."""

    now: datetime | None = None

    def __call__(self) -> datetime:
        assert self.now is not None
        return self.now


def play(
    scenario: Iterable[str] | str | Path | TextIO,
    tracker: Tracker,
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    catch_up: bool = True,
    batch: int = 10_000,
) -> int:
    """Record the scenario's lines (a file's path, an open file, or the lines) into
    ``tracker``, whose store must be empty; how many entries were recorded.

    Each entry is recorded at its line's ``"recorded_at"``; a line without one is recorded
    one second after the entry before, or at 09:00 UTC on its effective date if that is
    later. Only the first ``limit`` lines are played, if given; ``progress`` is called with
    (lines decided, lines to decide) after each (lines to decide: 0 when not known
    beforehand, for an open file or an iterator). Raises :class:`ScenarioError` for a line
    that is not a command, or that the rules refuse, and
    :class:`~recommendations.ConfigurationError` (rule ``scenario-empty-store``) for a
    store that holds entries; nothing is written then. The tables (see
    :attr:`Tracker.tables`) are brought up to the log before it returns, unless
    ``catch_up`` is false: then the first read brings them up, or a rebuild.

    The lines are read one at a time, and each command is decided by the tracker's own
    deciding on the entries decided before it, which are kept in memory item by item
    (nothing else is kept: not the lines, nor the commands). On SQLite and PostgreSQL the
    entries are written as they are decided, ``batch`` at a time, all in one
    transaction, which takes the store's write lock as it begins (another writer waits
    until the play ends) and checks again, under it, that the store is empty: a refused
    line undoes them. On other stores every line is decided first, then the entries are
    written in one transaction (the store checked again just before it).
    """
    check_batch(batch)
    _refuse_entries(tracker.head())
    policy = tracker.policy
    clock = _Clock()
    stager = tracker._stager(clock)
    total = _count(scenario, limit) if progress is not None else 0
    lines: Iterator[tuple[int, dict[str, Any]]] = _numbered(scenario)
    if limit is not None:
        lines = itertools.islice(lines, limit)

    def decided() -> Iterator[list[domain.Event]]:
        staged: list[domain.Event] = []
        for done, (number, data) in enumerate(lines, start=1):
            try:
                made = command(data, policy=policy)
                clock.now = _recorded_at(data.get("recorded_at"), made.effective_on, clock.now)
                staged.append(stager.decide(made))
            except RecommendationsError as error:
                raise _at_line(error, number) from error
            if progress is not None:
                progress(done, total)
            if len(staged) >= batch:
                yield staged
                staged = []
        if staged:
            yield staged

    return tracker._write_staged(decided(), catch_up=catch_up, begin=_refuse_entries)


def _refuse_entries(held: int) -> None:
    """Refuse a store whose log holds ``held`` entries: a scenario is played into an empty
    store."""
    if held:
        raise ConfigurationError(
            f"the store holds {held} entries: a scenario is played into an empty store",
            field="store",
            rule="scenario-empty-store",
        )


def _numbered(
    scenario: Iterable[str] | str | Path | TextIO,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The scenario's lines that are not blank, read one at a time, with their numbers."""
    if isinstance(scenario, str | Path):
        with Path(scenario).open(encoding="utf-8") as file:
            yield from _numbered(file)
        return
    for number, text in enumerate(scenario, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ScenarioError(f"not JSON: {error}", line=number, rule="json-line") from None
        if not isinstance(data, dict):
            raise ScenarioError("a line is a JSON object", line=number, rule="json-line")
        yield number, data


def _count(scenario: Iterable[str] | str | Path | TextIO, limit: int | None) -> int:
    """How many lines that are not blank the scenario has (up to ``limit``), where that is
    known beforehand (a list of lines, or a file's path read once more); else 0."""
    if isinstance(scenario, str | Path):
        with Path(scenario).open(encoding="utf-8") as file:
            found = sum(1 for text in file if text.strip())
    elif isinstance(scenario, Sequence):
        found = sum(1 for text in scenario if text.strip())
    else:
        return 0
    return found if limit is None else min(found, limit)


def _recorded_at(given: object, effective_on: date, previous: datetime | None) -> datetime:
    if given is None:
        at_nine = datetime.combine(effective_on, time(9), tzinfo=UTC)
        return at_nine if previous is None else max(at_nine, previous + _STEP)
    try:
        moment = datetime.fromisoformat(given) if isinstance(given, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise ConfigurationError(
            f"{given!r} is not an ISO 8601 time with its offset",
            field="recorded_at",
            rule="aware-time",
        )
    return moment
