"""The quick ways the tree is written and checked give exactly what the documented
encoding and the reference tree give."""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations.integrity._leaf import (
    _PERSON,
    _RECORDED,
    LeafError,
    LeafHasher,
    _recorded_time,
    commitment,
    leaf_bytes,
    leaf_hash,
)
from recommendations.integrity._merkle import Frontier, MemoryNodes
from recommendations.integrity._recorders import MemoryTables
from recommendations.integrity._tree import NODE_LEVELS, TILE_WIDTH, TreeWriter
from tests.conftest import Clock, who
from tests.integrity.test_store_tree import record_log

SALTS = {"Asha Patel": b"s" * 16, 'Ben "B" Okafor': b"t" * 16, "Zoë": b"u" * 16}
ITEM = uuid.UUID("12345678-1234-5678-1234-567812345678")
STATES = [
    b'{"recorded_at":"2024-01-02T03:04:05+00:00","actor":"Asha Patel","x":1}',
    b'{"owner_name":"Ben \\"B\\" Okafor","text":"\\"actor\\":\\"nobody\\""}',
    b'{"a":{"accepted_by":"Zo\\u00eb"},"b":[{"actor":"Asha Patel"}]}',
    b'{"actor":"[erased] ' + commitment(b"q" * 16, "Gone").encode() + b'"}',
    '{"recorded_at":"2024-05-06","owner_name":"Zoë"}'.encode(),
    b'{"recorded_at":"\xff\xfe bad bytes"}',
    b"\x00\x01 encrypted bytes",
    b"",
    b"{}",
]


def test_the_hasher_gives_the_documented_leaf_hash() -> None:
    hasher = LeafHasher(SALTS)
    for position, state in enumerate(STATES * 2, start=1):
        hashed, _ = hasher.leaf(position, ITEM.bytes, position * 3, "a.b:C", state)
        expected = leaf_hash(leaf_bytes(position, ITEM, position * 3, "a.b:C", state, SALTS))
        assert hashed == expected, state


def test_the_hasher_refuses_a_person_without_a_salt_as_the_encoding_does() -> None:
    state = b'{"actor":"Nobody Known"}'
    with pytest.raises(LeafError) as raised:
        leaf_bytes(1, ITEM, 1, "t", state, SALTS)
    with pytest.raises(LeafError) as fast:
        LeafHasher(SALTS).leaf(1, ITEM.bytes, 1, "t", state)
    assert (fast.value.field, fast.value.rule) == (raised.value.field, raised.value.rule)


def test_a_salt_made_in_a_rolled_back_transaction_is_not_remembered() -> None:
    made: list[bytes] = []

    def fresh(name: str) -> bytes:
        made.append(bytes([len(made)]) * 16)
        return made[-1]

    hasher = LeafHasher({}, fresh)
    state = b'{"actor":"New Person"}'
    first, _ = hasher.leaf(1, ITEM.bytes, 1, "t", state)
    hasher.drop()  # rolled back: the salt is gone from the store
    second, _ = hasher.leaf(1, ITEM.bytes, 1, "t", state)
    assert first != second and len(made) == 2
    hasher.keep()
    third, _ = hasher.leaf(1, ITEM.bytes, 1, "t", state)
    assert third == second and len(made) == 2
    assert third == leaf_hash(leaf_bytes(1, ITEM, 1, "t", state, {"New Person": made[1]}))


def test_the_writer_writes_the_reference_tree() -> None:
    tables = MemoryTables()
    tables.salts(SALTS, create=True)
    writer = TreeWriter()
    entries = [
        (p, str(ITEM) if p % 2 else ITEM, p, "t", STATES[p % len(STATES)]) for p in range(1, 300)
    ]
    for start in range(0, len(entries), 37):
        assert writer.add(tables, entries[start : start + 37])
        writer.committed()
    salts = tables.all_salts()
    reference = MemoryNodes(leaf_hash(leaf_bytes(*e, salts)) for e in entries)
    assert tables.hashes(0, 0, 299) == [reference.node(0, i) for i in range(299)]
    assert tables.hashes(4, 0, 20) == [reference.node(4, i) for i in range(299 // 16)]
    assert tables.hashes(8, 0, 2) == [reference.node(8, 0)]
    # 19 leaf tiles (the last partial, rewritten as it grew), 2 of level 4, 1 of level 8
    assert TILE_WIDTH == 16 and NODE_LEVELS == 4
    assert sorted(tables.tiles) == [
        *((0, i) for i in range(19)),
        (4, 0),
        (4, 1),
        (8, 0),
    ]
    assert [len(tables.tiles[(0, i)][0]) for i in (17, 18)] == [16 * 32, 11 * 32]
    # each leaf's facts kept in its tile (STATES[3], [4] and [5])
    assert [row[2:] for row in tables.leaves(254, 3)] == [
        (ITEM.hex, 255, ""),
        (ITEM.hex, 256, "2024-05-06"),
        (ITEM.hex, 257, "\udcff\udcfe bad bytes"),
    ]


def test_frontier_bulk_appends_match_one_by_one() -> None:
    leaves = [leaf_hash(bytes([n % 256, n // 256])) for n in range(1000)]
    one, many, whole = Frontier(), Frontier(), Frontier()
    kept = [n for leaf in leaves for n in one.append(leaf) if n[0] and n[0] % 4 == 0]
    assert many.append_many(leaves[:500], 4) + many.append_many(leaves[500:], 4) == kept
    reference = MemoryNodes(leaves)
    for index in range(1000 // 8):
        whole.append_subtree(3, reference.node(3, index))
    assert whole.size == 1000 - 1000 % 8
    assert many.root() == one.root() == reference.root()
    assert whole.root() == reference.root(1000 - 1000 % 8)


@pytest.fixture(scope="module")
def longer_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A SQLite store of about 70 entries (five leaf tiles) with a checkpoint kept
    part-way."""
    path = tmp_path_factory.mktemp("fast") / "source.db"
    with r.Tracker(f"sqlite:///{path}", clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as t:
        record_log(t, count=24)
        t.integrity.checkpoint()
        for n in range(24):
            t.execute(r.NoteProgress(reference=f"R{n}", note=f"note {n}", **who(4, 2)))
        head = t.head()
    assert head > 64
    return path, head


def _mutate(db: sqlite3.Connection, mutation: str, position: int) -> None:
    if mutation == "byte":
        db.execute(
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), 'e', 'E') AS BLOB)"
            " WHERE rowid = ?",
            (position,),
        )
    elif mutation == "delete":
        db.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
    elif mutation == "swap":
        db.execute("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", (position,))
        db.execute("UPDATE stored_events SET rowid = ? WHERE rowid = ?", (position, position + 3))
        db.execute("UPDATE stored_events SET rowid = ? WHERE rowid = -1", (position + 3,))
    elif mutation == "truncate":
        db.execute("DELETE FROM stored_events WHERE rowid >= ?", (position,))
    elif mutation == "insert":
        db.execute(
            "INSERT INTO stored_events SELECT originator_id || 'x', originator_version, topic,"
            " state FROM stored_events WHERE rowid = ?",
            (position,),
        )
    elif mutation in ("leaf", "node"):  # one hash inside its tile: a leaf's, or a node's
        level, index = (0, position - 1) if mutation == "leaf" else (4, 2)
        tile, offset = divmod(index, TILE_WIDTH)
        (hashes,) = db.execute(
            "SELECT hashes FROM rec_tree_tiles WHERE level = ? AND idx = ?", (level, tile)
        ).fetchone()
        changed = hashes[: offset * 32] + bytes(32) + hashes[offset * 32 + 32 :]
        db.execute(
            "UPDATE rec_tree_tiles SET hashes = ? WHERE level = ? AND idx = ?",
            (changed, level, tile),
        )
    elif mutation == "rewrite":  # a consistent rewrite: only the kept checkpoint catches it
        db.execute("DELETE FROM rec_tree_tiles")
        db.execute(
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), 'e', 'E') AS BLOB)"
            " WHERE rowid = ?",
            (position,),
        )


@pytest.mark.parametrize(
    "mutation", ["none", "byte", "delete", "swap", "truncate", "insert", "leaf", "node", "rewrite"]
)
def test_whole_pages_and_entry_by_entry_find_the_same(
    longer_log: tuple[Path, int], tmp_path: Path, mutation: str
) -> None:
    source, head = longer_log
    found = []
    for position in (3, 37, head - 4):
        copy = tmp_path / f"{position}.db"
        shutil.copy(source, copy)
        with sqlite3.connect(copy) as db:
            _mutate(db, mutation, position)
        with r.Tracker(f"sqlite:///{copy}") as tracker:
            if mutation == "rewrite":
                tracker.integrity.seal()
            # pages of 4 and 32 entries take whole pages up to the change; one page of
            # all the entries goes entry by entry from the start
            results = [tracker.integrity.verify(page_size=size) for size in (4, 32, 10_000)]
            # and with worker processes taking pages of 8
            results.append(tracker.integrity.verify(page_size=8, workers=2))
        # (the stored nodes are compared every page_size // 8 entries: the order of the
        # problems follows the page size)
        seen = [(v.root, v.counts, sorted(v.problems, key=repr), v.checkpoints) for v in results]
        assert all(one == seen[0] for one in seen), (mutation, position)
        found.append(results[0])
    if mutation == "none":
        assert all(result.ok for result in found)
    elif mutation == "rewrite":  # only a rewrite of what the checkpoint covers shows
        assert [result.ok for result in found] == [False, False, True]
    else:
        assert not any(result.ok for result in found), mutation


FRAGMENTS = [
    b"{",
    b"}",
    b",",
    b'"',
    b"\\",
    b"\\n",
    b'"actor":"',
    b'"owner_name":"',
    b'"accepted_by":"',
    b'"recorded_at":"',
    b"Asha Patel",
    b"Zo\\u00eb",
    b"Nobody Known",
    b"[erased] " + commitment(b"q" * 16, "Gone").encode(),
    b"2024-01-02",
    b"\xff",
    b"\n",
    b'":"',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
@example(  # a value that only starts like an erased name is a name (here, with no salt)
    [b"{", b'"actor":"', b"[erased] sha256:" + b"ae" * 32, b"\xff", b'"']
)
def test_the_hasher_and_the_encoding_agree_on_any_bytes(parts: list[bytes]) -> None:
    state = b"".join(parts)
    try:
        expected: bytes | None = leaf_hash(leaf_bytes(5, ITEM, 2, "t", state, SALTS))
    except LeafError:
        expected = None
    try:
        got: bytes | None = LeafHasher(SALTS).leaf(5, ITEM.bytes, 2, "t", state)[0]
    except LeafError:
        got = None
    assert got == expected
    try:  # and the loop verify runs over plain rows
        many = LeafHasher(SALTS).hashes(
            [(5, ITEM.hex, 2, "t", state), (6, str(ITEM), 2, "t", state)]
        )
    except LeafError:
        many = None
    assert many == (
        None
        if expected is None
        else [expected, leaf_hash(leaf_bytes(6, ITEM, 2, "t", state, SALTS))]
    )


WRITTEN_PERSON = re.compile(rb'"(actor|owner_name|accepted_by)":"((?:[^"\\]|\\.)*)"')
"""The personal-field pattern as the encoding first wrote it."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*FRAGMENTS, b'{"recorded_at":"', b'\\"', b"x"]), max_size=14))
def test_the_patterns_find_what_the_encoding_first_found(parts: list[bytes]) -> None:
    state = b"".join(parts)
    assert [(m.span(), m.groups()) for m in _PERSON.finditer(state)] == [
        (m.span(), m.groups()) for m in WRITTEN_PERSON.finditer(state)
    ]
    found = _RECORDED.search(state)
    assert _recorded_time(state) == (found[1] if found else b"")
