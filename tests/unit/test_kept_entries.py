"""What a store keeps of each trail entry (the trail table's ``shown`` column) reads back as
the very entry it kept, every value of the same type; a value it cannot type is not kept,
and that entry's trail is then worked out from the log."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import domain, views
from recommendations.sqltables._engine import _shown
from recommendations.sqltables._kept import Unkept, pack, unpack
from tests import strategies as s

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    s.texts,
    s.dates,
    s.aware_datetimes,
    s.text_tuples,
    st.sampled_from(list(domain.Status) + list(domain.Outcome) + list(domain.Scope)),
    s.findings,
    s.area_grades,
    st.lists(s.findings, max_size=2).map(tuple),
)
_CHANGES = st.lists(
    st.builds(views.Change, field=s.codes, before=_VALUES, after=_VALUES), max_size=4
).map(tuple)
_EVENTS = st.one_of(
    s.raised,
    s.amendable,
    s.corrected,
    *(
        strategy
        for kind, strategy in s._reminders.items()
        if issubclass(kind, domain.ReminderEvent)
    ),
)


@settings(max_examples=150, deadline=None)
@given(event=_EVENTS, changes=_CHANGES, position=st.integers(1, 2**40))
def test_a_kept_entry_reads_back_as_it_was_kept(
    event: domain.Event, changes: tuple[views.Change, ...], position: int
) -> None:
    kept = views.kept_entry(position, event, changes)
    again = unpack(position, event.originator_id, event.originator_version, pack(kept))
    assert again == kept
    for ours, theirs in zip(
        [*again.changes, *again.details], [*kept.changes, *kept.details], strict=True
    ):
        # The same types, not only equal values (a time's fold, which no ISO text keeps,
        # is left out: the log's stored form does not keep it either).
        assert repr(ours) == repr(theirs).replace("fold=1, ", "")


@settings(max_examples=5, deadline=None)
@given(event=s.raised)
def test_a_value_of_another_type_is_not_kept(event: domain.Raised) -> None:
    changes = (views.Change("points", frozenset({"a"}), None),)
    with pytest.raises(Unkept):
        pack(views.kept_entry(3, event, changes))
    assert _shown(3, event, changes) is None
    assert _shown(3, event, (views.Change("due_on", None, date(2017, 3, 2)),)) is not None
