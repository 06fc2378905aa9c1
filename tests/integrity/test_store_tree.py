"""The tree the stores keep: written with the entries, sealed for old stores, and every
change made behind the library's back found and pinpointed by ``verify``."""

from __future__ import annotations

import base64
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from recommendations.integrity._leaf import leaf_bytes, leaf_hash
from recommendations.integrity._merkle import MemoryNodes
from recommendations.integrity._service import StoredCheckpoint, Verification
from tests.conftest import Clock, report_details, who
from tests.postgres import PostgresDatabase

OWNERS = ("Asha Patel", "Ben Okafor", "Carys Lloyd")


def record_log(tracker: r.Tracker, count: int = 6) -> None:
    """A small log: a report, ``count`` recommendations with named owners, some regraded,
    some carried out under a command id (so command records are in it too)."""
    tracker.execute(r.PublishReport(reference="PEEL-2016", details=report_details(), **who(3, 2)))
    for n in range(count):
        tracker.execute(
            r.Raise(
                reference=f"R{n}",
                report="PEEL-2016",
                text=f"Recommendation {n}",
                grade="amber",
                owner="Head of Crime",
                owner_name=OWNERS[n % 3],
                **who(3, 2),
            ),
            command_id=f"raise-{n}" if n % 2 else None,
        )
    for n in range(0, count, 2):
        tracker.execute(r.Regrade(reference=f"R{n}", grade="green", **who(3, 30)))


@pytest.fixture
def filled(tracker: r.Tracker) -> r.Tracker:
    record_log(tracker)
    return tracker


def kinds(found: Verification) -> set[str]:
    return set(found.counts)


def test_every_entry_has_its_leaf_written_with_it(filled: r.Tracker) -> None:
    found = filled.integrity.verify()
    assert found.ok, found.problems
    assert found.size == found.head == filled.head()
    size, root = filled.integrity.root()
    assert (size, root) == (found.head, found.root)


def test_the_leaf_commits_to_persons_not_their_names(filled: r.Tracker) -> None:
    with filled._app.recorder.tree_tables(write=False) as tables:  # type: ignore[attr-defined]
        salts = tables.all_salts()
    assert set(OWNERS) | {"Kath Holder"} <= set(salts)
    for entry in filled._app.recorder.select_notifications(start=1, limit=100):
        data = leaf_bytes(
            entry.id,
            entry.originator_id,
            entry.originator_version,
            entry.topic,
            entry.state,
            salts,
        )
        for name in (*OWNERS, "Kath Holder"):
            assert name.encode() not in data


def test_leaf_bytes_are_as_documented() -> None:
    import uuid

    item = uuid.UUID(int=7)
    state = b'{"recorded_at":"2017-03-02T10:00:00+00:00","actor":"Kath","grade":"amber"}'
    salts = {"Kath": bytes(16)}
    data = leaf_bytes(3, item, 2, "recommendations.domain:Regraded", state, salts)
    topic = b"recommendations.domain:Regraded"
    time = b"2017-03-02T10:00:00+00:00"
    import hashlib

    person = "sha256:" + hashlib.sha256(bytes(16) + b"\x00Kath").hexdigest()
    committed = state.replace(b'"Kath"', b'"' + person.encode() + b'"')
    assert data == (
        b"RLF1"
        + (3).to_bytes(8, "big")
        + item.bytes
        + (2).to_bytes(8, "big")
        + len(topic).to_bytes(4, "big")
        + topic
        + len(time).to_bytes(4, "big")
        + time
        + b"\x01"
        + len(committed).to_bytes(4, "big")
        + committed
    )
    erased = state.replace(b'"Kath"', b'"[erased] ' + person.encode() + b'"')
    assert leaf_bytes(3, item, 2, "recommendations.domain:Regraded", erased, {}) == data
    assert leaf_hash(data) == hashlib.sha256(b"\x00" + data).digest()
    # a key inside a text is not a field: quotes in JSON text are escaped
    tricky = state.replace(b'"grade":"amber"', b'"grade":"\\"actor\\":\\"Nobody"')
    assert b"Nobody" in leaf_bytes(3, item, 2, "t", tricky, salts)
    # any other change to the stored bytes, even a space, changes the leaf
    spaced = state.replace(b'"grade":', b'"grade": ')
    assert leaf_bytes(3, item, 2, "recommendations.domain:Regraded", spaced, salts) != data


# --- tampering behind the library's back -----------------------------------------------------


class Raw:
    """Plain SQL on a store's database: SQLite or PostgreSQL, whichever the URL names."""

    def __init__(self, url: str, postgres: Any) -> None:
        self.sqlite = url.startswith("sqlite")
        self.url = url
        self.postgres = postgres

    def run(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        if self.sqlite:
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                rows = connection.execute(statement, params).fetchall()
                connection.commit()
                return rows
            finally:
                connection.close()
        statement = (
            statement.replace("rowid", "notification_id")
            .replace("stored_events", "recommendations_events")
            .replace("?", "%s")
        )
        with self.postgres.connect() as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def many(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """One statement for each of ``rows``, in one transaction."""
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                connection.executemany(statement, rows)
            connection.close()
            return
        with self.postgres.connect() as connection:
            connection.cursor().executemany(statement.replace("?", "%s"), rows)

    def state(self, position: int) -> bytes:
        return bytes(self.run("SELECT state FROM stored_events WHERE rowid = ?", (position,))[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        self.run("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position))


TABLES = (
    "recommendations_events",
    "rec_tree_tiles",
    "rec_tree_persons",
    "rec_tree_checkpoints",
)


@pytest.fixture(scope="module")
def sqlite_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the small log, made once: each test tampers with a copy."""
    path = tmp_path_factory.mktemp("log") / "source.db"
    with r.Tracker(f"sqlite:///{path}", clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as t:
        record_log(t)
    return path


@pytest.fixture(scope="module")
def postgres_log(postgres_server: Any) -> Iterator[PostgresDatabase]:
    """A PostgreSQL store holding the small log, made once, with a copy of its tables that
    each test restores before tampering."""
    database = PostgresDatabase(postgres_server, postgres_server.create_database())
    try:
        url = database.url()
        with r.Tracker(url, clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as tracker:
            record_log(tracker)
        with database.connect() as connection:
            for table in TABLES:
                connection.execute(f"CREATE TABLE saved_{table} AS TABLE {table}")
        yield database
    finally:
        postgres_server.drop_database(database.name)


@pytest.fixture(params=["sqlite", "postgresql"])
def raw_store(request: pytest.FixtureRequest, tmp_path: Path) -> Raw:
    if request.param == "sqlite":
        path = tmp_path / "register.db"
        shutil.copy(request.getfixturevalue("sqlite_log"), path)
        return Raw(f"sqlite:///{path}", None)
    database = request.getfixturevalue("postgres_log")
    with database.connect() as connection:
        for table in TABLES:
            connection.execute(f"DELETE FROM {table}")
            connection.execute(f"INSERT INTO {table} SELECT * FROM saved_{table}")
    return Raw(database.url(), database)


def verify(raw: Raw, *checkpoints: StoredCheckpoint) -> Verification:
    with r.Tracker(raw.url) as tracker:
        return tracker.integrity.verify(checkpoints)


def only(found: Verification, kind: str) -> Any:
    assert not found.ok
    problems = [p for p in found.problems if p.kind == kind]
    assert problems, found.problems
    return problems[0]


def test_an_untouched_store_verifies(raw_store: Raw) -> None:
    assert verify(raw_store).ok


def test_a_changed_byte_in_one_state_is_pinpointed(raw_store: Raw) -> None:
    state = raw_store.state(5)
    raw_store.set_state(5, state.replace(b"amber", b"ambe2"))
    problem = only(verify(raw_store), "altered")
    assert (problem.position, problem.fields) == (5, ("topic or state",))
    assert problem.version == 1


def test_a_changed_recorded_time_is_pinpointed(raw_store: Raw) -> None:
    state = raw_store.state(4)
    raw_store.set_state(
        4, state.replace(b'"recorded_at":"2017-04-10T09', b'"recorded_at":"2017-04-09T09')
    )
    problem = only(verify(raw_store), "altered")
    assert (problem.position, problem.fields) == (4, ("recorded_at",))
    assert "2017-04-09T09" in problem.detail


def test_a_deleted_entry_is_pinpointed(raw_store: Raw) -> None:
    raw_store.run("DELETE FROM stored_events WHERE rowid = 3")
    found = verify(raw_store)
    problem = only(found, "deleted")
    assert problem.position == 3
    assert problem.version == 1


def test_an_inserted_entry_is_pinpointed(raw_store: Raw) -> None:
    head = raw_store.run("SELECT max(rowid) FROM stored_events")[0][0]
    state = raw_store.state(2).replace(b"Recommendation 0", b"Forged")
    if raw_store.sqlite:
        raw_store.run(
            "INSERT INTO stored_events VALUES (?, 1, 'recommendations.domain:Raised', ?)",
            ("f" * 32, state),
        )
    else:
        raw_store.run(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state, "
            "notification_id) VALUES (?, 1, 'recommendations.domain:Raised', ?, ?)",
            ("f" * 32, state, head + 1),
        )
    problem = only(verify(raw_store), "inserted")
    assert (problem.position, problem.item) == (head + 1, "f" * 32)


def test_two_swapped_entries_are_pinpointed(raw_store: Raw) -> None:
    raw_store.run("UPDATE stored_events SET rowid = -1 WHERE rowid = 3")
    raw_store.run("UPDATE stored_events SET rowid = 3 WHERE rowid = 6")
    raw_store.run("UPDATE stored_events SET rowid = 6 WHERE rowid = -1")
    found = verify(raw_store)
    moved = [p for p in found.problems if p.kind == "moved"]
    assert [p.position for p in moved] == [3, 6]
    assert moved[0].fields == ("item", "version")


def test_a_truncated_tail_is_pinpointed(raw_store: Raw) -> None:
    head = raw_store.run("SELECT max(rowid) FROM stored_events")[0][0]
    raw_store.run("DELETE FROM stored_events WHERE rowid > ?", (head - 2,))
    problem = only(verify(raw_store), "truncated")
    assert problem.position == head - 1
    assert f"ends at position {head - 2}" in problem.detail


def test_a_consistent_rewrite_is_caught_by_a_checkpoint_kept_outside(raw_store: Raw) -> None:
    with r.Tracker(raw_store.url) as tracker:
        size, root = tracker.integrity.root()
    kept = StoredCheckpoint(size=size, root=root, label="external")
    # rewrite an entry, then the whole tree and every stored checkpoint to match
    raw_store.set_state(2, raw_store.state(2).replace(b"amber", b"green"))
    for table in ("tiles", "checkpoints"):
        raw_store.run(f"DELETE FROM rec_tree_{table}")
    with r.Tracker(raw_store.url) as tracker:
        assert tracker.integrity.seal() == size
    assert verify(raw_store).ok  # the store alone cannot tell
    problem = only(verify(raw_store, kept), "checkpoint")
    assert problem.position == size
    assert base64.b64encode(root).decode() in problem.detail


def test_an_old_store_opens_and_is_sealed(raw_store: Raw, clock: Clock) -> None:
    for table in ("tiles", "persons", "checkpoints"):  # as made before the tree
        raw_store.run(f"DROP TABLE rec_tree_{table}")
    with r.Tracker(raw_store.url, clock=clock) as tracker:
        # it opens, and records; the tree waits for seal
        tracker.execute(r.Regrade(reference="R1", grade="red", **who(4, 1)))
        assert kinds(tracker.integrity.verify()) == {"unsealed"}
        assert tracker.integrity.seal(batch=4) == tracker.head()
        assert tracker.integrity.verify().ok
        tracker.execute(r.Regrade(reference="R1", grade="amber", **who(4, 2)))
        assert tracker.integrity.verify().ok


def test_a_copied_log_has_the_same_tree(store_url: str, tmp_path: Path, clock: Clock) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    with r.Tracker(source_url, clock=clock) as source, r.Tracker(store_url) as target:
        record_log(source)
        target.copy_from(source, batch=3)
        assert target.integrity.root() == source.integrity.root()
        assert target.integrity.verify().ok


def test_appends_after_another_writer_continue_the_same_tree(tmp_path: Path, clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    with r.Tracker(url, clock=clock) as one, r.Tracker(url, clock=clock) as two:
        record_log(one, count=3)
        two.execute(r.Regrade(reference="R1", grade="red", **who(4, 1)))
        one.execute(r.Regrade(reference="R2", grade="red", **who(4, 1)))
        assert one.integrity.verify().ok


def test_an_eventsourcing_store_computes_the_tree_on_read_and_says_so(
    tmp_path: Path, clock: Clock
) -> None:
    url = f"eventsourcing://eventsourcing.sqlite?SQLITE_DBNAME={tmp_path / 'es.db'}"
    with r.Tracker(url, clock=clock) as tracker:
        record_log(tracker, count=3)
        integrity = tracker.integrity
        assert integrity.computed_on_read
        found = integrity.verify()
        assert found.ok and found.computed_on_read
        assert found.size == found.head == tracker.head()
        assert integrity.seal() == 0
        assert found.as_dict()["computed_on_read"] is True


def test_an_eventsourcing_store_with_an_entry_deleted_is_verified_up_to_the_gap(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "es.db"
    url = f"eventsourcing://eventsourcing.sqlite?SQLITE_DBNAME={path}"
    with r.Tracker(url, clock=clock) as tracker:
        record_log(tracker, count=3)
        head = tracker.head()
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM stored_events WHERE rowid = 3")
    connection.close()
    with r.Tracker(url, clock=clock) as tracker:
        found = tracker.integrity.verify()
    # the tree computed on read covers the entries before the gap; those after it are
    # reported, not a failure to compute it
    assert found.size == 2 and found.head == head
    assert kinds(found) == {"inserted"}
    assert [p.position for p in found.problems] == list(range(4, head + 1))


# --- the tree's earlier form: a row per leaf -------------------------------------------------


def to_earlier_form(raw: Raw) -> int:
    """Keep the store's tree as stores sealed before the tiles kept it: a row per leaf
    (with its item, version and recorded time) and a row per node at levels 4, 8, 12, ...,
    in the tables and columns those stores have; the tiles emptied. Its size."""
    with r.Tracker(raw.url) as tracker, tracker.integrity._tables(write=False) as tables:
        size = tables.tree_size()
        leaves = tables.leaves(0, size)
    blob, big = ("BLOB", "INTEGER") if raw.sqlite else ("BYTEA", "BIGINT")
    raw.run(
        f"CREATE TABLE rec_tree_leaves (position {big} PRIMARY KEY, hash {blob} NOT NULL, "
        f"item TEXT NOT NULL, version {big} NOT NULL, recorded_at TEXT NOT NULL)"
    )
    raw.run(
        f"CREATE TABLE rec_tree_nodes (level INTEGER NOT NULL, idx {big} NOT NULL, "
        f"hash {blob} NOT NULL, PRIMARY KEY (level, idx))"
    )
    raw.many("INSERT INTO rec_tree_leaves VALUES (?, ?, ?, ?, ?)", list(leaves))
    reference = MemoryNodes(row[1] for row in leaves)
    raw.many(
        "INSERT INTO rec_tree_nodes VALUES (?, ?, ?)",
        [
            (level, index, reference.node(level, index))
            for level in range(4, size.bit_length(), 4)
            for index in range(size >> level)
        ],
    )
    raw.run("DELETE FROM rec_tree_tiles")
    return size


def test_a_tree_in_its_earlier_form_is_found_and_brought_to_tiles_by_seal(
    raw_store: Raw, clock: Clock
) -> None:
    with r.Tracker(raw_store.url) as tracker:
        size, root = tracker.integrity.root()
        leaves = tracker.integrity.verify()
    assert to_earlier_form(raw_store) == size
    with r.Tracker(raw_store.url, clock=clock) as tracker:
        found = tracker.integrity.verify()
        assert kinds(found) == {"unsealed"}
        assert "earlier form" in found.problems[0].detail
        assert "recommendations seal" in found.problems[0].detail
        # it records meanwhile; the new entry's leaf waits for seal
        tracker.execute(r.Regrade(reference="R1", grade="red", **who(4, 1)))
        assert tracker.integrity.seal() == 1
        assert tracker.integrity.verify().ok
        assert tracker.integrity.root(size) == (size, root)
        # the stored checkpoint made before still holds
        assert [held for _, held in tracker.integrity.verify().checkpoints] == [
            held for _, held in leaves.checkpoints
        ]
    assert raw_store.run("SELECT count(*) FROM rec_tree_tiles")[0][0] >= 1
    for table in ("leaves", "nodes"):
        with pytest.raises(Exception, match="rec_tree_"):
            raw_store.run(f"SELECT count(*) FROM rec_tree_{table}")


def test_an_earlier_form_with_a_leaf_missing_is_refused_and_left_as_it_was(
    raw_store: Raw,
) -> None:
    size = to_earlier_form(raw_store)
    raw_store.run("DELETE FROM rec_tree_leaves WHERE position = 3")
    with r.Tracker(raw_store.url) as tracker:
        with pytest.raises(r.StoreError) as refused:
            tracker.integrity.seal()
        assert (refused.value.field, refused.value.rule) == ("tree", "tree-form")
        assert "position 3" in str(refused.value)
    assert raw_store.run("SELECT count(*) FROM rec_tree_leaves")[0][0] == size - 1
    assert raw_store.run("SELECT count(*) FROM rec_tree_tiles")[0][0] == 0


def test_a_longer_earlier_form_keeps_its_upper_nodes_in_tiles(tmp_path: Path) -> None:
    path = tmp_path / "longer.db"
    with r.Tracker(f"sqlite:///{path}", clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as t:
        record_log(t, count=4)
        t.execute_many(
            [r.NoteProgress(reference=f"R{n % 4}", note=f"n{n}", **who(4, 2)) for n in range(600)]
        )
        size, root = t.integrity.root()
    raw = Raw(f"sqlite:///{path}", None)
    assert to_earlier_form(raw) == size > 512
    with r.Tracker(raw.url) as tracker:
        assert tracker.integrity.bring_to_tiles() == size
        assert tracker.integrity.bring_to_tiles() == 0  # nothing left to rewrite
        assert tracker.integrity.root() == (size, root)
        assert tracker.integrity.verify().ok
    tiles = raw.run("SELECT level, idx, length(hashes) FROM rec_tree_tiles ORDER BY level, idx")
    assert tiles == [
        *((0, i, min(16, size - 16 * i) * 32) for i in range((size + 15) // 16)),
        *((4, i, min(16, size // 16 - 16 * i) * 32) for i in range((size // 16 + 15) // 16)),
        (8, 0, (size // 256) * 32),
    ]
