"""How a store's writer puts the tree down in the transaction that inserts the entries:
the statements it runs, and what it reads with them, give the same tree and meet the same
erasures as before they were fewer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

import recommendations as r
from recommendations.integrity._tree import ErasedMeanwhile
from tests.conftest import Clock
from tests.integrity.test_erase import NAME, fill
from tests.integrity.test_fast_paths import ITEM

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
