"""How a store's writer puts the tree down in the transaction that inserts the entries:
the statements it runs, and what it reads with them, give the same tree and meet the same
erasures as before they were fewer."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations.integrity._leaf import LeafHasher, leaf_bytes, leaf_hash
from recommendations.integrity._recorders import entries_of
from recommendations.integrity._sql import SqlTables, create_statements
from recommendations.integrity._tree import FACT, ErasedMeanwhile, TreeWriter, encode_facts
from tests.conftest import Clock
from tests.integrity.test_erase import NAME, fill
from tests.integrity.test_fast_paths import FRAGMENTS, ITEM, SALTS

SHARED = ["sqlite", "postgresql"]


@pytest.fixture(params=SHARED)
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store two trackers (two processes, as far as each knows) can open at once."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_store_url"))
    return f"sqlite:///{tmp_path / 'shared.db'}"


def stored(name: str, version: int = 1) -> StoredEvent:
    return StoredEvent(
        originator_id=uuid.uuid5(ITEM, name),
        originator_version=version,
        topic="tests:Named",
        state=b'{"recorded_at":"2017-04-10T09:00:00+00:00","actor":"' + name.encode() + b'"}',
    )


def sizes(tracker: r.Tracker) -> tuple[int, int]:
    """How many entries the log holds, and how many leaves its tree."""
    recorder = tracker._app.recorder
    with recorder.tree_tables(write=False) as tables:  # type: ignore[attr-defined]
        return recorder.max_notification_id() or 0, tables.tree_size()


def test_an_append_that_meets_an_erasure_made_elsewhere_writes_nothing(shared_url: str) -> None:
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    with r.Tracker(shared_url, clock=clock) as writer, r.Tracker(shared_url, clock=clock) as other:
        fill(writer)  # the writer has appended: it reads the erasures token with its tiles
        recorder = writer._app.recorder
        before = sizes(writer)
        assert before[0] == before[1]
        other.erase_person(NAME, reason="erasure request", by="Data Officer")
        after_erasure = sizes(writer)
        met = recorder.tree.erasures_met  # type: ignore[attr-defined]
        with pytest.raises(ErasedMeanwhile):
            recorder.insert_events([stored("Someone New")])
        # neither the entry nor any tile: the transaction was undone whole
        assert sizes(writer) == after_erasure
        assert recorder.tree.erasures_met == met + 1  # type: ignore[attr-defined]
        # the next append, on the log as it now is, goes in with its leaf
        recorder.insert_events([stored("Someone New")])
        assert sizes(writer) == (after_erasure[0] + 1, after_erasure[0] + 1)
        found = writer.integrity.verify()
        assert found.ok, found.problems


def test_appends_one_by_one_and_in_batches_give_the_reference_tree(shared_url: str) -> None:
    with r.Tracker(shared_url) as tracker:
        recorder = tracker._app.recorder
        events = [stored(f"Person {n % 7}", n // 7 + 1) for n in range(70)]
        for event in events[:5]:  # one at a time: the open tile completed from memory
            recorder.insert_events([event])
        recorder.insert_events(events[5:40])  # a batch across tiles and a node of level 4
        recorder.insert_events(events[40:41])
        recorder.insert_events(events[41:])
        with recorder.tree_tables(write=False) as tables:  # type: ignore[attr-defined]
            salts = tables.all_salts()
            leaves = tables.leaves(0, 100)
        expected = [
            leaf_hash(leaf_bytes(p, e.originator_id, e.originator_version, e.topic, e.state, salts))
            for p, e in enumerate(events, start=1)
        ]
        assert [leaf[1] for leaf in leaves] == expected
        assert [leaf[2:] for leaf in leaves][:2] == [
            (events[0].originator_id.hex, 1, "2017-04-10T09:00:00+00:00"),
            (events[1].originator_id.hex, 1, "2017-04-10T09:00:00+00:00"),
        ]
        assert tracker.integrity.verify().ok


def test_the_sole_writer_reads_no_token_and_one_that_was_passed_reads_it() -> None:
    """An erasure changes the erasures token in the transaction that appends its record:
    a writer that appended last writes its tiles and reads nothing; one that another
    writer passed reads the tree's size, its border and the token again."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    for statement in create_statements("sqlite"):
        connection.execute(statement)
    tables = SqlTables(connection.cursor(), "sqlite")
    tables.salts(SALTS, create=True)
    ran: list[str] = []
    connection.set_trace_callback(ran.append)
    state = b'{"actor":"Asha Patel"}'

    def append(writer: TreeWriter, position: int) -> list[str]:
        ran.clear()
        assert writer.add(tables, [(position, ITEM, position, "t", state)])
        writer.committed()
        return ["persons" if "_persons" in s else s.split()[0] for s in ran]

    writer, other = TreeWriter(), TreeWriter()
    first = append(writer, 1)  # the size, the token, the person's salt, the tiles
    assert first[0] == "SELECT" and "persons" in first and first[-1] == "INSERT"
    # (a tile row each: the 16th leaf completes a node of level 4, whose tile is written too)
    assert [set(append(writer, p)) for p in range(2, 20)] == [{"INSERT"}] * 18
    assert "persons" in append(other, 20)
    found = append(writer, 21)
    assert found[0] == "SELECT" and "persons" in found and found[-1] == "INSERT"
    assert append(writer, 22) == ["INSERT"]
    salts = tables.all_salts()
    expected = [leaf_hash(leaf_bytes(p, ITEM, p, "t", state, salts)) for p in range(1, 23)]
    assert tables.hashes(0, 0, 22) == expected


def test_entries_are_given_in_position_order_however_inserted() -> None:
    events = [stored(f"P{n}") for n in range(4)]
    in_order = entries_of([7, 8, 9, 10], events)
    assert [e[0] for e in in_order] == [7, 8, 9, 10]
    assert [e[1] for e in in_order] == [e.originator_id for e in events]
    shuffled = entries_of([9, 7, 10, 8], events)
    assert [(e[0], e[1]) for e in shuffled] == [
        (7, events[1].originator_id),
        (8, events[3].originator_id),
        (9, events[0].originator_id),
        (10, events[2].originator_id),
    ]
    with pytest.raises(ValueError, match="shorter|longer"):
        entries_of([1, 2], events)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=10), min_size=1, max_size=5))
def test_the_writers_loop_gives_the_documented_leaves_and_facts(
    states: list[list[bytes]],
) -> None:
    entries: list[tuple[int, object, int, str, object]] = []
    for n, parts in enumerate(states):
        state = b"".join(parts)
        item: object = ITEM if n % 2 else str(ITEM)
        kept: object = state if n % 3 else memoryview(state)
        entries.append((10 + n, item, n, "a.b:C", kept))
    try:
        expected: list[bytes] | None = [
            leaf_hash(leaf_bytes(p, ITEM, v, t, bytes(s), SALTS))  # type: ignore[arg-type]
            for p, _, v, t, s in entries
        ]
    except r.StoreError:
        expected = None
    try:
        hashes, facts = LeafHasher(SALTS).entries(10, entries, FACT)  # type: ignore[arg-type]
    except r.StoreError:
        assert expected is None
        return
    assert hashes == expected
    for (p, _, v, t, s), fact in zip(entries, facts, strict=True):
        _, recorded = LeafHasher(SALTS).leaf(p, ITEM.bytes, v, t, bytes(s))  # type: ignore[arg-type]
        assert fact == encode_facts(ITEM.bytes, v, recorded)


def test_the_writers_loop_refuses_a_position_that_does_not_follow_on() -> None:
    with pytest.raises(LookupError):
        LeafHasher(SALTS).entries(3, [(4, ITEM, 1, "t", b"{}")], FACT)
