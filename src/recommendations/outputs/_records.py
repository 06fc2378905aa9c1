"""Rows of plain values: what every format is written from.

A register row or a trail entry becomes a record, an ordered mapping of column name to a
plain value (text, number, boolean, date, time, or a list or mapping of them); the basis of
the view becomes a few more columns and a sentence. The formats differ only in how they
write these plain values down.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

import attrs

from recommendations import views

__all__ = [
    "BASIS_COLUMNS",
    "REGISTER_COLUMNS",
    "REGISTER_SUMMARY",
    "REGISTER_SUMMARY_LABELLED",
    "TRAIL_COLUMNS",
    "TRAIL_SUMMARY",
    "AnyRegister",
    "AnyTrail",
    "AnyView",
    "Column",
    "Record",
    "basis_facts",
    "basis_sentence",
    "changes_text",
    "human",
    "iter_register_records",
    "iter_trail_records",
    "plain",
    "register_columns",
    "register_records",
    "summary",
    "trail_columns",
    "trail_records",
    "utc",
]

Record = dict[str, Any]

AnyTrail: TypeAlias = "views.Trail | views.TrailStream"
"""A trail held whole, or listed as the log is read."""

AnyRegister: TypeAlias = "views.Register | views.RegisterStream"
"""A register held whole, or listed as the store is read."""

AnyView: TypeAlias = "views.Register | views.RegisterStream | views.Trail | views.TrailStream"
"""What the formats write: a register or a trail, of either kind."""

_REGISTERS = (views.Register, views.RegisterStream)


@attrs.frozen
class Column:
    """A column: its ``key`` (the name in CSV, JSON and spreadsheets) and its ``title``
    (the heading in the Markdown, HTML and terminal tables)."""

    key: str
    title: str


_TITLES = {
    "reference": "Reference",
    "report": "Report",
    "grade": "Grade",
    "status": "Status",
    "owner": "Owner",
    "due_on": "Due",
    "overdue": "Overdue",
    "text": "Recommendation",
    "owner_name": "Owner's name",
    "original_due_on": "First due",
    "due_precision": "Due precision",
    "raised_on": "Raised",
    "last_changed_on": "Last changed",
    "addressed_to": "Addressed to",
    "response_text": "Response's text",
    "position": "Position",
    "report_title": "Report title",
    "grade_label": "Grade",
    "status_label": "Status",
    "outcome_label": "Outcome",
    "kind_label": "Kind",
    "points": "Points",
    "subject": "About",
    "version": "Entry",
    "effective_on": "Effective",
    "recorded_at": "Recorded",
    "actor": "By",
    "changes": "What changed",
    "details": "What it carried",
    "corrects": "Corrects entry",
    "strikes": "Strikes it out",
}


def _columns(cls: type, first: tuple[str, ...]) -> tuple[Column, ...]:
    """Every field of ``cls``: those named in ``first`` in that order, then the rest."""
    names = [a.name for a in attrs.fields(cls)]
    ordered = [name for name in first if name in names]
    ordered += [name for name in names if name not in ordered]
    return tuple(
        Column(name, _TITLES.get(name, name.replace("_", " ").capitalize())) for name in ordered
    )


REGISTER_COLUMNS = _columns(
    views.RegisterRow,
    ("reference", "report", "grade", "status", "owner", "due_on", "overdue", "text"),
)
"""Every column of the register (every field of a
:class:`~recommendations.views.RegisterRow`), in the order the data formats (CSV, JSON,
spreadsheet) write them. ``owner_name`` is left out of a view that does not show owners'
names."""

REGISTER_SUMMARY = ("reference", "report", "text", "owner", "grade", "status", "due_on", "overdue")
"""The columns a reader's table shows (Markdown, HTML)."""

_TRAIL_FIRST = (
    "position",
    "subject",
    "reference",
    "version",
    "event",
    "effective_on",
    "recorded_at",
    "actor",
    "reason",
    "changes",
    "details",
)

TRAIL_COLUMNS = _columns(views.TrailEntry, _TRAIL_FIRST)
"""Every column of a trail (every field of a :class:`~recommendations.views.TrailEntry`).
``actor`` is left out of a public view (it shows no actor)."""

TRAIL_SUMMARY = tuple(key for key in _TRAIL_FIRST if key not in ("subject", "details"))
"""The columns a reader's table shows (Markdown, HTML, the terminal): the first columns of
:data:`TRAIL_COLUMNS` but what the entry is about and what it carried."""

BASIS_COLUMNS = (
    Column("basis_as_at", "As at"),
    Column("basis_known_at", "Known at"),
    Column("basis_position", "Up to log position"),
    Column("audience", "Audience"),
)
"""Added to every row of a CSV or JSON export, so that each row says what it is true of."""


LABEL_COLUMNS = {
    "report": Column("report_title", "Report title"),
    "grade": Column("grade_label", "Grade"),
    "status": Column("status_label", "Status"),
    "outcome": Column("outcome_label", "Outcome"),
    "kind": Column("kind_label", "Kind"),
}
"""The column of labels written just after each column of codes, in a register that
knows its labels (:class:`~recommendations.views.RegisterLabels`)."""

REGISTER_SUMMARY_LABELLED = (
    "reference",
    "report",
    "report_title",
    "text",
    "points",
    "owner",
    "grade_label",
    "status_label",
    "outcome_label",
    "due_on",
    "overdue",
)
"""The columns a reader's table shows of a register that knows its labels."""


def register_columns(register: AnyRegister) -> tuple[Column, ...]:
    """The columns of ``register`` (without ``owner_name`` if names are not shown); with
    its labels known, each column of codes followed by its labels (:data:`LABEL_COLUMNS`)."""
    names = register.disclosure.owner_names
    kept = [c for c in REGISTER_COLUMNS if names or c.key != "owner_name"]
    if getattr(register, "labels", None) is None:
        return tuple(kept)
    columns: list[Column] = []
    for column in kept:
        columns.append(column)
        if column.key in LABEL_COLUMNS:
            columns.append(LABEL_COLUMNS[column.key])
    return tuple(columns)


def trail_columns(trail: AnyTrail) -> tuple[Column, ...]:
    """The columns of ``trail`` (without ``actor`` in a public view)."""
    public = trail.disclosure.audience is views.Audience.PUBLIC
    return tuple(c for c in TRAIL_COLUMNS if not public or c.key != "actor")


def summary(columns: Iterable[Column], keys: Iterable[str]) -> tuple[Column, ...]:
    """The columns among ``columns`` named in ``keys``, in the order of ``keys``."""
    by_key = {column.key: column for column in columns}
    return tuple(by_key[key] for key in keys if key in by_key)


def _basis(view: AnyView) -> Record:
    return {
        "basis_as_at": view.basis.as_at,
        "basis_known_at": view.basis.known_at,
        "basis_position": view.basis.position,
        "audience": view.disclosure.audience.value,
    }


def register_records(register: AnyRegister, *, basis: bool = False) -> list[Record]:
    """One record per row of ``register``, its values plain (see :func:`plain`) but for
    dates and times, which stay dates and times. ``basis`` adds :data:`BASIS_COLUMNS`."""
    return list(iter_register_records(register, basis=basis))


def iter_register_records(register: AnyRegister, *, basis: bool = False) -> Iterator[Record]:
    """:func:`register_records`, one at a time as the rows of ``register`` come."""
    keys = [column.key for column in register_columns(register)]
    extra = _basis(register) if basis else {}
    labels = getattr(register, "labels", None)
    if labels is None:
        for row in register:
            yield {**{key: _value(getattr(row, key)) for key in keys}, **extra}
        return
    for row in register:
        labelled = labels.of_row(row)
        yield {
            **{
                key: labelled[key] if key in labelled else _value(getattr(row, key)) for key in keys
            },
            **extra,
        }


def trail_records(trail: AnyTrail, *, basis: bool = False) -> list[Record]:
    """One record per entry of ``trail``: ``changes`` is a list of ``{"field", "before",
    "after"}`` and ``details`` a mapping of field to value; ``basis`` adds
    :data:`BASIS_COLUMNS`."""
    return list(iter_trail_records(trail, basis=basis))


def iter_trail_records(trail: AnyTrail, *, basis: bool = False) -> Iterator[Record]:
    """:func:`trail_records`, one at a time as the entries of ``trail`` come."""
    columns = trail_columns(trail)
    extra = _basis(trail) if basis else {}
    for entry in trail:
        record: Record = {}
        for column in columns:
            if column.key == "changes":
                record["changes"] = [
                    {"field": c.field, "before": _value(c.before), "after": _value(c.after)}
                    for c in entry.changes
                ]
            elif column.key == "details":
                record["details"] = {d.field: _value(d.value) for d in entry.details}
            else:
                record[column.key] = _value(getattr(entry, column.key))
        yield {**record, **extra}


def _value(value: Any) -> Any:
    """Plain, except dates and times (the spreadsheet keeps them as dates)."""
    if isinstance(value, date):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if attrs.has(type(value)):
        return {a.name: _value(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC."""
    return moment.astimezone(UTC)


def plain(value: Any) -> Any:
    """``value`` as JSON values: dates and times as ISO 8601 text (times in UTC, with their
    offset), enums as their values, tuples as lists, attrs classes as mappings."""
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return _value(value) if not isinstance(value, str | int | float | bool | None) else value


def human(value: Any) -> str:
    """``value`` as a reader sees it in a table: ``yes``/``no``, dates as ``YYYY-MM-DD``,
    times in UTC to the second, lists joined by ``; ``, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{utc(value):%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dict):
        if set(value) == {"area", "grade"}:
            return f"{value['area']}: {value['grade']}"
        if {"reference", "kind", "text"} <= set(value):
            return f"{value['reference']} ({value['kind']}): {value['text']}"
        if set(value) == {"field", "before", "after"}:
            return f"{value['field']}: {_was(value['before'])} → {_was(value['after'])}"
        # "key:" alone for an empty value: no space left at the end of a cell
        return "; ".join(
            f"{k}: {shown}" if (shown := human(v)) else f"{k}:" for k, v in value.items()
        )
    if isinstance(value, tuple | list):
        return "; ".join(human(v) for v in value)
    if attrs.has(type(value)):
        return human(_value(value))
    return str(value)


def _was(value: Any) -> str:
    shown = human(value)
    return shown if shown else "(none)"


def changes_text(record: Record) -> str:
    """What a trail entry did, in words: the changes it made, or, for a correction, the
    entry it corrects and how; and whether a later correction marks it."""
    parts = []
    if record.get("corrects") is not None:
        wrong = record.get("what_was_wrong") or ""
        parts.append(f"corrects entry {record['corrects']} ({wrong})")
        if record.get("strikes"):
            parts.append("strikes it out")
    changes = record.get("changes", [])
    if changes and all(change["before"] is None for change in changes):
        # A new item (or a new value of fields that had none): what it was entered with.
        parts.extend(f"{change['field']}: {_was(change['after'])}" for change in changes)
    else:
        parts.extend(human(change) for change in changes)
    corrected_by = record.get("corrected_by") or []
    if corrected_by:
        how = "struck out" if record.get("struck_out") else "corrected"
        parts.append(f"[{how} by entry {', '.join(str(v) for v in corrected_by)}]")
    return "; ".join(parts)


def basis_facts(view: AnyView, *, what: str) -> list[tuple[str, Any]]:
    """The basis of ``view`` as (label, value) pairs, for a spreadsheet's basis sheet."""
    facts: list[tuple[str, Any]] = [("View", what)]
    if isinstance(view, _REGISTERS):
        facts.append(("As at (what was true on that day)", view.basis.as_at))
    facts += [
        ("Known at, UTC (what the log held then)", view.basis.known_at),
        ("Up to log position", view.basis.position),
        ("Audience", view.disclosure.audience.value),
        ("Disclosure", view.disclosure.describe()),
        ("Rows", len(view)),
        ("Times", "recorded times are in UTC"),
    ]
    return facts


def basis_sentence(view: AnyView) -> str:
    """The basis of ``view`` in one sentence, with whom it is for and what it withheld.

    >>> from datetime import UTC, date, datetime
    >>> from recommendations import views
    >>> basis = views.Basis(as_at=date(2017, 3, 30),
    ...                     known_at=datetime(2017, 4, 10, 9, tzinfo=UTC), position=312)
    >>> basis_sentence(views.Register(basis=basis, rows=()))
    'As at 2017-03-30, as known at 2017-04-10 09:00:00 UTC, up to log position 312. Body view: nothing withheld; owners shown by name and role.'
    """  # noqa: E501
    basis = view.basis
    known = f"as known at {human(basis.known_at)}, up to log position {basis.position}."
    if isinstance(view, _REGISTERS):
        sentence = f"As at {basis.as_at.isoformat()}, {known}"
    else:
        sentence = known[0].upper() + known[1:]
    return f"{sentence} {view.disclosure.describe()}"
