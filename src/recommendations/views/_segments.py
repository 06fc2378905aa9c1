"""The register's history as rows of bitemporal tables: pure, for any storage engine.

A storage adapter that keeps materialised views (see :class:`~recommendations.stores.Tables`)
holds, for each recommendation, one row per *segment*: a state that held over a run of
effective dates ``[valid_from, valid_to)``. Applying an entry of the item's log replaces some
segments by others; the rows of the replaced ones are closed in recorded time, the new ones
opened. This module works that out on plain Python values (dates, tuples, booleans):

- :func:`segments` folds one recommendation's log into its segments, and
  :class:`ItemHistory` keeps them up to date entry by entry, saying which segments each
  entry ends and which it begins (an engine may have them carry each state in its stored
  form, converted once);
- :func:`state_values` gives a state's columns (:data:`STATE_COLUMNS`), and
  :func:`register_row` turns columns read back into a :class:`RegisterRow`
  (:func:`register_line` into the lighter :class:`RegisterLine`; :func:`register_page_reader`
  makes a reader of whole pages of them, the engine's conversions included);
- :func:`trail_details` gives what an entry carried beyond the audit trail's own columns
  (:data:`TRAIL_COLUMNS`).

Every engine lays its tables out with these columns and turns the values into its own
column types (text, arrays, JSON, an open end as ``NULL`` or a sentinel) at its edge.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Literal, TypeAlias, TypeVar, cast, overload

import attrs

from recommendations import domain

from ._register import RegisterLine, RegisterRow

__all__ = [
    "HISTORY_COLUMNS",
    "PERIOD_COLUMNS",
    "STATE_COLUMNS",
    "TRAIL_COLUMNS",
    "ItemHistory",
    "RowsReader",
    "Segment",
    "StateValues",
    "register_line",
    "register_page_reader",
    "register_row",
    "segments",
    "state_values",
    "trail_details",
]

STATE_COLUMNS = (
    "reference",
    "text",
    "kind",
    "body",
    "inspectorates",
    "inspection",
    "report",
    "finding",
    "scope",
    "sensitive",
    "owner",
    "owner_name",
    "grade",
    "status",
    "due_on",
    "original_due_on",
    "deferrals",
    "raised_on",
    "last_changed_on",
    "priority",
    "response",
    "response_text",
    "addressed_to",
    "due_precision",
    "original_due_precision",
    "points",
    "outcome",
)
"""The columns of a state: everything a :class:`RegisterRow` shows but ``overdue`` (which
depends on the day asked about)."""

PERIOD_COLUMNS = (
    "valid_from",
    "valid_to",
    "recorded_from",
    "recorded_to",
    "position_from",
    "position_to",
)
"""The periods of a history row: true in the world over ``[valid_from, valid_to)``, held by
the log over ``[recorded_from, recorded_to)`` and log positions
``[position_from, position_to)``."""

HISTORY_COLUMNS = ("reference", *PERIOD_COLUMNS, *STATE_COLUMNS[1:])
"""The columns of the register's history table, beside any key of the engine's own."""

TRAIL_COLUMNS = (
    "position",
    "item",
    "reference",
    "version",
    "event_type",
    "effective_on",
    "recorded_at",
    "actor",
    "reason",
    "corrects",
    "details",
    "shown",
)
"""The columns of the audit trail table: one row per entry of the log (``shown``: the
entry as a recommendation's trail lists it, kept by the engine)."""

StateValues: TypeAlias = tuple[Any, ...]
"""The values of one state, in :data:`STATE_COLUMNS` order: as :func:`state_values` gives
them, or in an engine's stored form (see :func:`segments`)."""

Segment: TypeAlias = tuple[date, date | None, StateValues]
"""``(valid_from, valid_to, state)``: one state over ``[valid_from, valid_to)``;
``valid_to`` is ``None`` for a state that holds until further notice."""

_Columns: TypeAlias = Callable[[domain.Recommendation], StateValues]

KEPT_STATES = 8
"""How many of the last states of its timeline an :class:`ItemHistory` keeps: an entry that
lands before them (backdated that far, or correcting an entry that early) folds the whole
timeline again; one after them folds from its day."""


def state_values(state: domain.Recommendation) -> StateValues:
    """The columns of ``state``: ``kind`` by name, ``scope`` and ``status`` by value,
    ``inspectorates`` and ``points`` tuples, dates as dates, ``sensitive`` a boolean,
    ``response`` by value, ``outcome`` by value (``None`` unless discharged)."""
    return (
        state.reference,
        state.text,
        state.kind.name,
        state.body,
        state.inspectorates,
        state.inspection,
        state.report,
        state.finding,
        state.scope.value,
        state.sensitive,
        state.owner,
        state.owner_name,
        state.grade,
        state.status.value,
        state.due_on,
        state.original_due_on,
        state.deferrals,
        state.raised_on,
        state.last_changed_on,
        state.priority,
        None if state.response is None else state.response.value,
        state.response_text,
        state.addressed_to,
        state.due_precision,
        state.original_due_precision,
        state.points,
        state.outcome.value if state.outcome is not None else None,
    )


_STATUSES = {status.value: status for status in domain.Status}
_SCOPES = {scope.value: scope for scope in domain.Scope}
_RESPONSES: dict[Any, domain.Response | None] = {
    None: None,
    **{response.value: response for response in domain.Response},
}


def register_row(values: Sequence[Any], as_at: date) -> RegisterRow:
    """The register row of state columns read back, with ``overdue`` judged on ``as_at``
    as :meth:`~recommendations.Recommendation.is_overdue` does.

    ``values`` are the :data:`STATE_COLUMNS`, no more, as :func:`state_values` gives them
    (``inspectorates`` may be any sequence, ``sensitive`` anything true or false).
    """
    (
        reference,
        text,
        kind,
        body,
        inspectorates,
        inspection,
        report,
        finding,
        scope,
        sensitive,
        owner,
        owner_name,
        grade,
        status,
        due_on,
        original_due_on,
        deferrals,
        raised_on,
        last_changed_on,
        priority,
        response,
        response_text,
        addressed_to,
        due_precision,
        original_due_precision,
        points,
        outcome,
    ) = values
    state_status = _STATUSES[status]
    return RegisterRow(
        reference=reference,
        text=text,
        kind=kind,
        body=body,
        inspectorates=tuple(inspectorates),
        inspection=inspection,
        report=report,
        finding=finding,
        scope=_SCOPES[scope],
        sensitive=bool(sensitive),
        owner=owner,
        owner_name=owner_name,
        grade=grade,
        status=state_status,
        due_on=due_on,
        original_due_on=original_due_on,
        deferrals=deferrals,
        overdue=state_status is not domain.Status.DISCHARGED
        and due_on is not None
        and due_on < as_at,
        raised_on=raised_on,
        last_changed_on=last_changed_on,
        priority=priority,
        response=_RESPONSES[response],
        response_text=response_text,
        addressed_to=addressed_to,
        due_precision=due_precision,
        original_due_precision=original_due_precision,
        points=tuple(points),
        outcome=outcome,
    )


def register_line(values: Sequence[Any], as_at: date) -> RegisterLine:
    """:func:`register_row`, as a :class:`RegisterLine`: the same fields, built with the
    least work per row (no validated object), for reading a whole register."""
    status = _STATUSES[values[13]]
    due_on = values[14]
    return _line(
        (
            *values[:4],
            tuple(values[4]),
            *values[5:8],
            _SCOPES[values[8]],
            bool(values[9]),
            *values[10:13],
            status,
            due_on,
            *values[15:17],
            status is not _DISCHARGED and due_on is not None and due_on < as_at,
            *values[17:20],
            _RESPONSES[values[20]],
            *values[21:25],
            tuple(values[25]),
            values[26],
        )
    )


_DISCHARGED = domain.Status.DISCHARGED
_line = RegisterLine._make


_Row = TypeVar("_Row", RegisterRow, RegisterLine)

RowsReader: TypeAlias = Callable[[Iterable[Sequence[Any]], date], list[_Row]]
"""Turns a page of rows of :data:`STATE_COLUMNS` read back, and the day asked about, into
register rows (see :func:`register_page_reader`)."""

_Reader: TypeAlias = Callable[[Iterable[Sequence[Any]], date], list[Any]]


@overload
def register_page_reader(
    read_date: Callable[[Any], date] | None = None,
    read_names: Callable[[Any], Sequence[str]] | None = None,
    *,
    lines: Literal[False] = False,
) -> RowsReader[RegisterRow]: ...


@overload
def register_page_reader(
    read_date: Callable[[Any], date] | None = None,
    read_names: Callable[[Any], Sequence[str]] | None = None,
    *,
    lines: Literal[True],
) -> RowsReader[RegisterLine]: ...


def register_page_reader(
    read_date: Callable[[Any], date] | None = None,
    read_names: Callable[[Any], Sequence[str]] | None = None,
    *,
    lines: bool = False,
) -> _Reader:
    """A reader of pages of rows as an engine reads them back: each row is the
    :data:`STATE_COLUMNS` in the engine's own form, made Python's by ``read_date`` (the
    dates) and ``read_names`` (``inspectorates`` and ``points``) where not ``None`` (``None``:
    already Python's), then :func:`register_row` of them (:func:`register_line` if
    ``lines``), with ``overdue`` judged on the day given.

    The same rows, and for a cell it cannot read the same error, as converting each column
    and calling :func:`register_row` on the row; made for reading a whole register: one
    function for a page, its steps written out for the engine's conversions. A
    :class:`RegisterRow` is filled in field by field as its ``__init__`` fills it (it
    checks nothing), unless the class has come to check or convert a field: then through
    ``__init__``.
    """
    key = (read_date, read_names, lines)
    found = _READERS.get(key)
    if found is None:
        found = _READERS[key] = _make_reader(read_date, read_names, lines)
    return found


_READERS: dict[tuple[Any, ...], _Reader] = {}

READ_AS = {
    "inspectorates": "names",
    "points": "names",
    "due_on": "date",
    "original_due_on": "date",
    "raised_on": "date",
    "last_changed_on": "date",
}
"""The state columns an engine may keep in a form of its own, and what reads them back: its
``read_names`` (a list of names) or its ``read_date`` (a date). The table engine keeps the
same kinds for them."""

_ROW_FIELDS = tuple(field.name for field in attrs.fields(RegisterRow))


def _fills_fields(row_class: type[Any] = RegisterRow) -> bool:
    """Whether setting the slots of ``row_class`` (an attrs class) makes the row its
    ``__init__`` makes: every field set by ``__init__`` and nothing else kept (no slot but
    the fields' and a weak reference's, so no cached hash), no field checked or converted,
    nothing run before or after, no default made from the others."""
    fields = attrs.fields(row_class)
    slots = set(vars(row_class).get("__slots__", ())) - {"__weakref__"}
    return (
        slots == {f.name for f in fields}
        and all(
            f.init
            and f.validator is None
            and f.converter is None
            and not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
            for f in fields
        )
        and not any(
            hasattr(row_class, name)
            for name in ("__attrs_pre_init__", "__attrs_post_init__", "__attrs_init__")
        )
    )


def _make_reader(
    read_date: Callable[[Any], date] | None,
    read_names: Callable[[Any], Sequence[str]] | None,
    lines: bool,
) -> _Reader:
    namespace: dict[str, Any] = {
        "read_date": read_date,
        "read_names": read_names,
        "STATUSES": _STATUSES,
        "SCOPES": _SCOPES,
        "RESPONSES": _RESPONSES,
        "DISCHARGED": _DISCHARGED,
        "Row": RegisterRow,
        "Line": RegisterLine,
        "new": object.__new__,
        "new_tuple": tuple.__new__,
    }
    # What the engine's reading converts, in column order (as it converted before).
    reading = []
    for column in STATE_COLUMNS:
        kind = READ_AS.get(column)
        if kind is not None and namespace[f"read_{kind}"] is not None:
            reading.append(f"if {column} is not None: {column} = read_{kind}({column})")
    # The fields, as register_row computes them, in the order it computes them.
    fields = {name: name for name in _ROW_FIELDS}
    fields.update(
        inspectorates="tuple(inspectorates)",
        scope="SCOPES[scope]",
        sensitive="bool(sensitive)",
        status="status",
        overdue="status is not DISCHARGED and due_on is not None and due_on < as_at",
        response="RESPONSES[response]",
        points="tuple(points)",
    )
    body = [
        f"({', '.join(STATE_COLUMNS)},) = values",
        *reading,
        "status = STATUSES[status]",
    ]
    if lines:
        body.append(
            "append(new_tuple(Line, ("
            + ", ".join(fields[name] for name in RegisterLine._fields)
            + ",)))"
        )
    elif _fills_fields():
        body.append("row = new(Row)")
        for name in _ROW_FIELDS:
            namespace[f"set_{name}"] = getattr(RegisterRow, name).__set__
            body.append(f"set_{name}(row, {fields[name]})")
        body.append("append(row)")
    else:  # the row checks or converts a field
        body.append(
            "append(Row(" + ", ".join(f"{name}={fields[name]}" for name in _ROW_FIELDS) + "))"
        )
    source = "\n".join(
        [
            "def read(page, as_at):",
            "    found = []",
            "    append = found.append",
            "    for values in page:",
            *(f"        {line}" for line in body),
            "    return found",
        ]
    )
    filename = f"<register page reader {len(_READERS)}>"
    # Kept where tracebacks look for source lines: a cell that cannot be read shows the line
    # that read it.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return cast(_Reader, namespace["read"])


def segments(
    log: Sequence[domain.RecommendationEvent], columns: _Columns = state_values
) -> list[Segment]:
    """The valid-time history of one recommendation as ``log`` (its entries in version
    order) tells it: one segment per run of days with the same state, from the day it was
    raised; equal neighbours merged, the last open-ended. The state of a segment is
    ``columns(project(log, as_at=day))`` for every ``day`` in it.

    ``columns`` is :func:`state_values` unless an engine would rather the segments carried
    each state in its stored form: it may pass its own conversion, which must tell two
    states apart exactly when their columns differ.
    """
    return _fold(domain.timeline(log), columns, [], None, 0, [])


def _fold(
    entries: Sequence[domain.Amendable],
    columns: _Columns,
    result: list[Segment],
    state: domain.Recommendation | None,
    start: int,
    states: list[domain.Recommendation],
) -> list[Segment]:
    """The segments of the timeline ``entries``, folded from ``entries[start]`` on, the
    first entry of its day, from ``state``, the state after the entries before it:
    ``result`` holds the segments of the days before its day, the last left open (and is
    given the rest); ``states`` is given the state after each entry folded. Returns
    ``result``."""
    evolve = domain.evolve
    index = start
    count = len(entries)
    while index < count:
        day = entries[index].effective_on
        while index < count and entries[index].effective_on == day:
            state = evolve(entries[index], state)
            states.append(state)
            index += 1
        if state is None:  # pragma: no cover - the rules put the raising first
            raise TypeError("a recommendation's timeline starts before it was raised")
        values = columns(state)
        if result and result[-1][2] == values:
            continue
        if result:
            previous = result[-1]
            result[-1] = (previous[0], day, previous[2])
        result.append((day, None, values))
    return result


def _append(found: list[Segment], day: date, values: StateValues) -> list[Segment]:
    """The segments after a new state from ``day`` on, ``day`` being their last day or
    later: what :func:`segments` gives for the log with that entry at its end."""
    if not found:
        return [(day, None, values)]
    start, _, last = found[-1]
    if start == day:
        result = [*found[:-1], (day, None, values)]
        if len(result) > 1 and result[-2][2] == values:
            result[-2:] = [(result[-2][0], None, values)]
        return result
    if last == values:
        return found
    return [*found[:-1], (start, day, last), (day, None, values)]


@attrs.define
class ItemHistory:
    """One recommendation's log, its :func:`segments` and the state at the end of its
    timeline: what catching up keeps of it between its entries.

    Start from ``ItemHistory.of(log)`` (``of([])`` before the first entry) and give it each
    new entry with :meth:`add`. The segments carry each state as ``columns`` gives it (see
    :func:`segments`), so an engine converts each state once.

    It also keeps the timeline (:func:`~recommendations.domain.timeline` of the log) and
    the state after each of its last :data:`KEPT_STATES` entries, so that an entry landing
    among them folds again only the entries from its day on (one landing earlier, or on a
    day of more entries than that, folds the whole timeline again).
    """

    log: list[domain.RecommendationEvent]
    segments: list[Segment]
    state: domain.Recommendation | None
    last_day: date | None
    columns: _Columns = state_values
    timeline: list[domain.Amendable] = attrs.field(factory=list)
    """The log's effective-date timeline (corrections applied)."""
    states: list[domain.Recommendation] = attrs.field(factory=list)
    """The state after each of the last entries of :attr:`timeline` (at most
    :data:`KEPT_STATES` of them: an entry landing before those folds from the first)."""
    stepped: tuple[domain.Recommendation | None, domain.Recommendation] | None = None
    """After :meth:`add` of an entry that is not a correction: the states as at its day
    before and after it (it comes last on its day), as
    :func:`~recommendations.views.entry_changes` takes them; else ``None``."""

    @classmethod
    def of(
        cls, log: list[domain.RecommendationEvent], columns: _Columns = state_values
    ) -> ItemHistory:
        """The history of ``log`` (its entries in version order; kept, and added to)."""
        entries = domain.timeline(log)
        states: list[domain.Recommendation] = []
        found = _fold(entries, columns, [], None, 0, states)
        del states[:-KEPT_STATES]
        return cls(
            log=log,
            segments=found,
            state=states[-1] if states else None,
            last_day=entries[-1].effective_on if entries else None,
            columns=columns,
            timeline=entries,
            states=states,
        )

    def add(self, event: domain.RecommendationEvent) -> tuple[list[Segment], list[Segment]]:
        """Take ``event``, the log's next entry, in; the segments it ends and the segments it
        begins, each in timeline order.

        Cheap when the entry lands at the end of the timeline; a backdated entry or a
        correction folds again the timeline from the first day it changes. Afterwards
        :attr:`segments` is ``segments(log, columns)``.
        """
        old = self.segments
        self.log.append(event)
        corrects = isinstance(event, domain.Corrected)
        at_end = not corrects and (self.last_day is None or event.effective_on >= self.last_day)
        same = 0  # how many segments, from the first, are the same in both
        if at_end:
            before = self.state
            self.state = domain.evolve(event, before)
            self.timeline.append(event)  # type: ignore[arg-type]
            self.states.append(self.state)
            if len(self.states) > KEPT_STATES:
                del self.states[0]
            self.stepped = before, self.state
            self.last_day = event.effective_on
            self.segments = _append(self.segments, event.effective_on, self.columns(self.state))
            if self.segments is old:
                return [], []
            # An entry at the end changes the last two segments at most: the ones before
            # are the same, and start earlier than any other (so equal to none of them).
            same = max(len(old) - 2, 0)
        else:
            same = self._refold()
            if corrects:
                self.stepped = None
            else:  # it comes last on its day: the state before it is the one before that
                at = next(i for i, entry in enumerate(self.timeline) if entry is event)
                at -= len(self.timeline) - len(self.states)  # (folded again: kept)
                self.stepped = self.states[at - 1] if at else None, self.states[at]
            del self.states[:-KEPT_STATES]
        # Compared in lists, not sets: a few segments, most of them the same objects, and
        # hashing a segment hashes every column of its state.
        before_, after = old[same:], self.segments[same:]
        return (
            [segment for segment in before_ if segment not in after],
            [segment for segment in after if segment not in before_],
        )

    def _refold(self) -> int:
        """Fold the log's timeline again from the first day on which it differs from the
        one kept: the entries before that day are the same in both, and so are the states
        after them and the segments of the days before it. How many segments, from the
        first, are left as they were."""
        old = self.timeline
        entries = domain.timeline(self.log)
        differs = 0
        for was, entry in zip(old, entries, strict=False):
            if was is not entry:
                break
            differs += 1
        if not entries:  # pragma: no cover - the rules never strike the raising out
            self.segments, self.timeline, self.states = [], [], []
            self.state, self.last_day = None, None
            return 0
        # The first day either timeline has an entry the other lacks on or after.
        day = (
            min(
                timeline[differs].effective_on
                for timeline in (old, entries)
                if differs < len(timeline)
            )
            if differs < max(len(old), len(entries))
            else entries[-1].effective_on
        )
        start = min(differs, len(entries))
        while start > 0 and entries[start - 1].effective_on >= day:
            start -= 1
        kept = len(old) - len(self.states)  # the first entry whose state is kept
        if 0 < start <= kept:  # the state before it is not kept: fold from the first
            start = 0
        if start == 0:
            state, states, result = None, [], []
        else:
            states = self.states[: start - kept]
            state = states[-1]
            # The segments of the days before it stay; the last of them is left open until
            # the fold says where it ends.
            result = [segment for segment in self.segments if segment[0] < day]
            if result:
                result[-1] = (result[-1][0], None, result[-1][2])
        same = max(len(result) - 1, 0)
        self.segments = _fold(entries, self.columns, result, state, start, states)
        self.timeline = entries
        self.states = states
        self.state = states[-1]
        self.last_day = entries[-1].effective_on
        return same


_TRAIL_OWN = frozenset(
    (
        "originator_id",
        "originator_version",
        "recorded_at",
        "effective_on",
        "actor",
        "reason",
        "corrects",
    )
)


def trail_details(event: domain.Event) -> dict[str, Any]:
    """What ``event`` carried beyond the trail's own columns (:data:`TRAIL_COLUMNS`), by
    field name in field order, the values as the event holds them (an engine keeps them as
    JSON, for instance)."""
    kind = type(event)
    names = _DETAIL_NAMES.get(kind)
    if names is None:
        names = _DETAIL_NAMES[kind] = tuple(
            field.name for field in attrs.fields(kind) if field.name not in _TRAIL_OWN
        )
    return {name: getattr(event, name) for name in names}


_DETAIL_NAMES: dict[type, tuple[str, ...]] = {}
"""The names of the fields of each kind of entry that :func:`trail_details` gives."""
