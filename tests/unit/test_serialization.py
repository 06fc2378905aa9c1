"""Every event type survives the trip to its stored form and back, whatever it holds."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from recommendations import UnreadableEvent, domain
from recommendations._serialization import (
    EVENT_TYPES,
    CattrsMapper,
    decode_event,
    encode_event,
    topic_of,
)
from tests import strategies


def _round_trip(event: domain.Event) -> domain.Event:
    return decode_event(
        topic_of(type(event)),
        encode_event(event),
        event.originator_id,
        event.originator_version,
    )


def test_every_stored_type_has_a_strategy() -> None:
    assert set(EVENT_TYPES.values()) == set(strategies.by_type)


@pytest.mark.parametrize("cls", sorted(strategies.by_type, key=lambda c: c.__name__))
@given(data=st.data())
def test_round_trip(cls: type[domain.Event], data: st.DataObject) -> None:
    event = data.draw(strategies.by_type[cls])
    back = _round_trip(event)
    assert back == event
    assert type(back) is type(event)


@given(strategies.events)
def test_through_the_eventsourcing_mapper(event: domain.Event) -> None:
    mapper = CattrsMapper(transcoder=None)  # type: ignore[arg-type]
    stored = mapper.to_stored_event(event)
    assert stored.originator_id == event.originator_id
    assert stored.originator_version == event.originator_version
    assert mapper.to_domain_event(stored) == event


@given(strategies.events)
def test_stored_form_keeps_ids_out_of_the_state(event: domain.Event) -> None:
    state = orjson.loads(encode_event(event))
    assert "originator_id" not in state
    assert "originator_version" not in state
    assert "class_version" not in state  # every type is at schema version 1


def _stored(topic: str, state: bytes) -> StoredEvent:
    return StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic=topic, state=state)


def test_unknown_type_is_refused_clearly() -> None:
    mapper = CattrsMapper(transcoder=None)  # type: ignore[arg-type]
    with pytest.raises(UnreadableEvent, match="unknown event type 'somewhere:Else'"):
        mapper.to_domain_event(_stored("somewhere:Else", b"{}"))


def test_newer_schema_is_refused_clearly() -> None:
    event = domain.Reopened(
        originator_id=uuid.uuid4(),
        originator_version=3,
        recorded_at=datetime(2020, 1, 1, tzinfo=UTC),
        effective_on=date(2020, 1, 1),
        actor="a",
        reason="b",
    )
    state = orjson.loads(encode_event(event))
    state["class_version"] = 2
    with pytest.raises(UnreadableEvent, match="schema version 2.*upgrade"):
        decode_event(topic_of(domain.Reopened), orjson.dumps(state), uuid.uuid4(), 3)


@pytest.mark.parametrize(
    "state",
    [b"not json", b'{"actor": "a"}', b'{"unexpected": 1}'],
    ids=["not-json", "missing-fields", "extra-field"],
)
def test_damaged_state_is_refused_clearly(state: bytes) -> None:
    with pytest.raises(UnreadableEvent, match=r"entry 1 of .* \(Reopened\) cannot be read"):
        decode_event(topic_of(domain.Reopened), state, uuid.uuid4(), 1)


def test_naive_time_is_refused() -> None:
    state = orjson.dumps(
        {
            "recorded_at": "2020-01-01T00:00:00",
            "effective_on": "2020-01-01",
            "actor": "a",
            "reason": "b",
        }
    )
    with pytest.raises(UnreadableEvent, match=r"expected datetime @ \$.recorded_at"):
        decode_event(topic_of(domain.Reopened), state, uuid.uuid4(), 1)
