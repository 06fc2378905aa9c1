"""Any single change to a stored log behind the library's back is found by ``verify``."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recommendations as r
from tests.conftest import Clock
from tests.integrity.test_store_tree import record_log


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("property") / "source.db"
    with r.Tracker(f"sqlite:///{path}", clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as t:
        record_log(t, count=5)
        head = t.head()
    return path, head


MUTATIONS = ("byte", "topic", "version", "item", "delete", "swap", "truncate", "insert")


@settings(max_examples=40)
@given(data=st.data())
def test_any_single_mutation_is_detected(source: tuple[Path, int], data: st.DataObject) -> None:
    path, head = source
    mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    position = data.draw(st.integers(1, head), label="position")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "log.db"
        shutil.copy(path, copy)
        with sqlite3.connect(copy) as db:
            state, topic, _, version = db.execute(
                "SELECT state, topic, originator_id, originator_version FROM stored_events "
                "WHERE rowid = ?",
                (position,),
            ).fetchone()
            if mutation == "byte":
                offset = data.draw(st.integers(0, len(state) - 1), label="offset")
                value = data.draw(st.integers(0, 255).filter(lambda b: b != state[offset]))
                changed = bytes(state[:offset]) + bytes([value]) + bytes(state[offset + 1 :])
                db.execute(
                    "UPDATE stored_events SET state = ? WHERE rowid = ?", (changed, position)
                )
            elif mutation == "topic":
                db.execute(
                    "UPDATE stored_events SET topic = topic || 'x' WHERE rowid = ?", (position,)
                )
            elif mutation == "version":
                db.execute(
                    "UPDATE stored_events SET originator_version = 99 WHERE rowid = ?", (position,)
                )
            elif mutation == "item":
                db.execute(
                    "UPDATE stored_events SET originator_id = ? WHERE rowid = ?",
                    ("0" * 32, position),
                )
            elif mutation == "delete":
                db.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
            elif mutation == "swap":
                other = data.draw(st.integers(1, head).filter(lambda p: p != position))
                db.execute("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", (position,))
                db.execute("UPDATE stored_events SET rowid = ? WHERE rowid = ?", (position, other))
                db.execute("UPDATE stored_events SET rowid = ? WHERE rowid = -1", (other,))
            elif mutation == "truncate":
                db.execute("DELETE FROM stored_events WHERE rowid >= ?", (position,))
            else:
                db.execute(
                    "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                    ("e" * 32, version, topic, state),
                )
        with r.Tracker(f"sqlite:///{copy}") as tracker:
            found = tracker.integrity.verify()
    assert not found.ok, (mutation, position)


def test_a_row_no_writer_of_the_library_made_is_reported_not_raised(
    source: tuple[Path, int], tmp_path: Path
) -> None:
    path, _ = source
    copy = tmp_path / "log.db"
    shutil.copy(path, copy)
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE stored_events SET originator_id = 'not an id' WHERE rowid = 2")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        found = tracker.integrity.verify()
    assert not found.ok
    assert found.problems[0].position == 2
    assert found.problems[0].fields == ("item",)
