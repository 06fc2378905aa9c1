"""The page reader of register rows (:func:`recommendations.views.register_page_reader`) against
what it replaces: each column converted as the engine reads it back, then
:func:`~recommendations.views.register_row` (or ``register_line``) of the row.

Rows of a store's tables can be edited by hand: for any cells, good or bad, the reader gives
the same rows, or fails with the same error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import domain
from recommendations.views import (
    STATE_COLUMNS,
    RegisterLine,
    RegisterRow,
    _segments,
    register_line,
    register_page_reader,
    register_row,
)
from recommendations_sqlite._views import SqliteDialect

_NAMES = ("inspectorates", "points")
_DATES = ("due_on", "original_due_on", "raised_on", "last_changed_on")


def _read_back(
    read_date: Callable[[Any], date] | None, read_names: Callable[[Any], Any] | None
) -> Callable[[Sequence[Any]], list[Any]]:
    """Each column converted as the engine converted it before the page reader."""

    def read(values: Sequence[Any]) -> list[Any]:
        row = list(values)
        for index, column in enumerate(STATE_COLUMNS):
            convert = read_names if column in _NAMES else read_date if column in _DATES else None
            if convert is not None and row[index] is not None:
                row[index] = convert(row[index])
        return row

    return read


def _outcome(call: Callable[..., Any], *arguments: Any) -> Any:
    try:
        return ("value", call(*arguments))
    except Exception as error:  # the error's kind is what is compared
        return ("error", type(error))


_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
_texts = st.text(max_size=8)
_name_lists = st.lists(st.sampled_from(["HMICFRS", "CQC", "Ofsted", "é"]), max_size=3)


def _cells(stored: bool) -> st.SearchStrategy[list[Any]]:
    """A row of state columns as SQLite keeps them (``stored``: dates as ISO text, names as
    JSON text, flags 0 or 1) or as an engine that gives Python's values back; sometimes
    with cells edited to what no writer writes."""
    date_cell = (
        st.one_of(_days.map(date.isoformat), st.just("not a date"), st.just("2024-02-30"))
        if stored
        else _days
    )
    names_cell = (
        st.one_of(_name_lists.map(lambda names: orjson.dumps(names).decode()), st.just("[bad"))
        if stored
        else st.one_of(_name_lists, _name_lists.map(tuple))
    )
    columns: dict[str, st.SearchStrategy[Any]] = {
        "reference": _texts,
        "text": _texts,
        "kind": st.sampled_from(["recommendation", "area-for-development"]),
        "body": _texts,
        "inspectorates": names_cell,
        "inspection": st.none() | _texts,
        "report": _texts,
        "finding": st.none() | _texts,
        "scope": st.sampled_from([*(s.value for s in domain.Scope), "WRONG"]),
        "sensitive": st.sampled_from([0, 1, True, False]),
        "owner": st.none() | _texts,
        "owner_name": st.none() | _texts,
        "grade": st.none() | _texts,
        "status": st.sampled_from([*(s.value for s in domain.Status), "WRONG"]),
        "due_on": st.none() | date_cell,
        "original_due_on": st.none() | date_cell,
        "deferrals": st.integers(0, 5),
        "raised_on": date_cell,
        "last_changed_on": date_cell,
        "priority": st.none() | _texts,
        "response": st.sampled_from([None, *(s.value for s in domain.Response), "WRONG"]),
        "response_text": st.none() | _texts,
        "addressed_to": st.none() | _texts,
        "due_precision": st.sampled_from(["day", "month"]),
        "original_due_precision": st.sampled_from(["day", "month"]),
        "points": names_cell,
        "outcome": st.none() | st.sampled_from([o.value for o in domain.Outcome]),
    }
    return st.tuples(*(columns[column] for column in STATE_COLUMNS)).map(list)


_SQLITE = (SqliteDialect.read_date, SqliteDialect.read_names)


@settings(max_examples=200)
@given(
    stored=st.booleans(),
    data=st.data(),
    as_at=_days,
)
def test_a_page_reads_as_each_row_converted_and_made_a_row(
    stored: bool, data: st.DataObject, as_at: date
) -> None:
    page = data.draw(st.lists(_cells(stored), max_size=4))
    read_date, read_names = _SQLITE if stored else (None, None)
    read = _read_back(read_date, read_names)
    rows, lines = (
        register_page_reader(read_date, read_names),
        register_page_reader(read_date, read_names, lines=True),
    )
    # Row by row: the same row, or the same kind of error.
    for values in page:
        expected = _outcome(lambda v: register_row(read(v), as_at), values)
        assert _outcome(lambda v: rows([tuple(v)], as_at)[0], values) == expected
        expected_line = _outcome(lambda v: register_line(read(v), as_at), values)
        assert _outcome(lambda v: lines([tuple(v)], as_at)[0], values) == expected_line
    # A whole page: every row, in order, or the first row's error.
    assert _outcome(lambda: rows(page, as_at)) == _outcome(
        lambda: [register_row(read(values), as_at) for values in page]
    )


_ROW = (
    "1.1",
    "text",
    "recommendation",
    "Kent Police",
    '["HMICFRS"]',
    None,
    "PEEL-2016",
    None,
    domain.Scope.BODY.value,
    1,
    "owner",
    None,
    "red",
    domain.Status.OPEN.value,
    "2017-06-30",
    "2017-06-30",
    0,
    "2017-03-02",
    "2017-03-02",
    None,
    None,
    None,
    None,
    "day",
    "day",
    '["a", "b"]',
    None,
)
"""A row of the current table as SQLite keeps it: open, due on 30 June 2017."""


def test_a_row_read_is_the_row_its_class_makes() -> None:
    values = _ROW
    (row,) = register_page_reader(*_SQLITE)([values], date(2017, 7, 1))
    made = RegisterRow(**attrs.asdict(row, recurse=False))
    assert row == made
    assert hash(row) == hash(made)
    assert repr(row) == repr(made)
    assert row.overdue
    assert row.inspectorates == ("HMICFRS",)
    assert row.points == ("a", "b")
    assert row.due_on == date(2017, 6, 30)
    assert attrs.evolve(row, grade="amber").grade == "amber"  # an ordinary row
    assert (
        RegisterLine.of(row)
        == register_page_reader(*_SQLITE, lines=True)([values], date(2017, 7, 1))[0]
    )


def test_a_row_class_that_checks_its_fields_is_made_through_its_init(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Were a field of the row to be checked or converted, the reader would make each row
    through the class's ``__init__``: the same rows."""
    assert _segments._fills_fields()  # as it is: its fields are filled in one by one
    monkeypatch.setattr(_segments, "_fills_fields", lambda: False)
    through_init = _segments._make_reader(*_SQLITE, False)
    page = [_ROW, (*_ROW[:13], domain.Status.DISCHARGED.value, *_ROW[14:])]
    day = date(2017, 7, 1)
    assert through_init(page, day) == register_page_reader(*_SQLITE)(page, day)
    assert [row.overdue for row in through_init(page, day)] == [True, False]


def _row_class(**options: Any) -> type[Any]:
    field = options.pop("field", {})
    return attrs.make_class("Row", {"a": attrs.field(**field), "b": attrs.field()}, **options)


def test_the_fast_path_is_refused_for_a_row_class_its_slots_would_not_make() -> None:
    assert _segments._fills_fields(_row_class(frozen=True, slots=True))
    refused = [
        _row_class(frozen=True, slots=True, cache_hash=True),  # a hash kept in a slot
        _row_class(frozen=True, slots=True, field={"init": False, "default": 1}),
        _row_class(frozen=True, slots=True, field={"validator": attrs.validators.instance_of(int)}),
        _row_class(frozen=True, slots=True, field={"converter": int}),
        _row_class(frozen=True, slots=False),  # no slots to fill
    ]
    for row_class in refused:
        assert not _segments._fills_fields(row_class), row_class


def test_the_reader_converts_the_columns_the_table_engine_keeps_in_its_own_form() -> None:
    from recommendations.sqltables import _engine

    kept = {
        column: kind for column, kind in _engine._STATE_KINDS.items() if kind in ("date", "names")
    }
    assert kept == _segments.READ_AS
