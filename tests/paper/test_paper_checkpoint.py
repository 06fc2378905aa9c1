"""The committee paper prints the checkpoint of the log it was built on, in every format:
the size (exactly the paper's log position), the root hash, the origin and the fingerprint."""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

import recommendations as r
from recommendations.integrity import SigningKey, fingerprint, open_checkpoint
from recommendations.integrity._service import StoredCheckpoint
from recommendations.paper import CommitteePaper
from tests.integrity.test_store_tree import record_log

from .scenario import COMMITTEE, PREVIOUS_COMMITTEE, west_midlands


def test_the_checkpoint_covers_exactly_the_papers_log_position(
    scenario: r.Tracker, paper: CommitteePaper
) -> None:
    stated = paper.checkpoint
    assert stated is not None
    assert stated.size == paper.update.basis.position == scenario.head()
    size, root = scenario.integrity.root(stated.size)
    assert base64.b64decode(stated.root) == root
    assert stated.fingerprint == fingerprint(root)
    assert stated.origin == scenario.integrity.origin()
    checkpoint, _ = open_checkpoint(stated.note)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (stated.origin, size, root)
    assert not stated.signed_by


def test_a_paper_at_an_earlier_position_carries_that_positions_checkpoint(
    scenario: r.Tracker,
) -> None:
    earlier = CommitteePaper.of(scenario, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, position=40)
    assert earlier.checkpoint is not None
    assert earlier.update.basis.position == earlier.checkpoint.size == 40
    assert earlier.checkpoint.root_hash == scenario.integrity.root(40)[1]
    # it proves the log's first 40 entries, and it was not kept in the store
    kept = scenario.integrity.checkpoints()
    given = StoredCheckpoint(size=40, root=earlier.checkpoint.root_hash, label="paper")
    assert scenario.integrity.verify([given]).ok
    assert scenario.integrity.checkpoints() == kept


def test_the_json_carries_the_checkpoint_and_reads_back(paper: CommitteePaper) -> None:
    data = json.loads(paper.json())
    assert data["version"] == 2
    assert paper.checkpoint is not None
    assert data["checkpoint"] == {
        "origin": paper.checkpoint.origin,
        "size": paper.checkpoint.size,
        "root": paper.checkpoint.root,
        "fingerprint": paper.checkpoint.fingerprint,
        "note": paper.checkpoint.note,
        "signed_by": [],
    }
    assert CommitteePaper.from_json(paper.json()) == paper
    # a paper written before the checkpoint (version 1) reads back without one
    del data["checkpoint"]
    data["version"] = 1
    assert CommitteePaper.from_json(json.dumps(data)).checkpoint is None


def test_a_signing_key_signs_the_papers_checkpoint_and_the_paper_names_it(
    scenario: r.Tracker,
) -> None:
    key = SigningKey.generate("committee.example")
    signed = CommitteePaper.of(scenario, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, keys=[key])
    assert signed.checkpoint is not None
    _, note = open_checkpoint(signed.checkpoint.note, [key.verifier_key])
    assert [s.name for s in note.verified] == ["committee.example"]
    said = f"Signed by 'committee.example' (key id {key.key_id.hex()})."
    assert said in signed.markdown()
    assert json.loads(signed.json())["checkpoint"]["signed_by"] == [
        {"name": "committee.example", "key_id": key.key_id.hex()}
    ]


def test_a_store_without_a_tree_gives_a_paper_that_says_it_names_no_checkpoint(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        record_log(tracker)
    with sqlite3.connect(path) as connection:  # a store made before the tree
        for table in ("tiles", "persons", "checkpoints"):
            connection.execute(f"DELETE FROM rec_tree_{table}")
    with r.Tracker(f"sqlite:///{path}") as tracker:
        paper = CommitteePaper.of(tracker, since=PREVIOUS_COMMITTEE, as_at=date(2017, 3, 30))
        assert paper.checkpoint is None
        text = paper.markdown()
        assert "names no checkpoint" in text and "recommendations seal" in text
        assert "Log checkpoint:" not in text
        assert json.loads(paper.json())["checkpoint"] is None
        unasked = CommitteePaper.of(tracker, since=PREVIOUS_COMMITTEE, checkpoint=False)
        assert unasked.checkpoint is None


@pytest.mark.parametrize("size", [0, 1])
def test_a_paper_of_an_empty_or_one_entry_log_states_its_checkpoint(size: int) -> None:
    with r.Tracker("memory://") as tracker:
        if size:
            west_midlands.build(tracker)
        paper = CommitteePaper.of(tracker, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, position=size)
        assert paper.checkpoint is not None
        assert paper.checkpoint.size == size
        assert paper.checkpoint.root_hash == tracker.integrity.root(size)[1]


def test_a_store_that_computes_its_tree_on_read_gives_a_paper_with_no_checkpoint(
    tmp_path: Path,
) -> None:
    url = f"eventsourcing://eventsourcing.sqlite?SQLITE_DBNAME={tmp_path / 'es.db'}"
    with r.Tracker(url) as tracker:
        record_log(tracker)
        assert tracker.integrity.computed_on_read
        with pytest.raises(r.StoreError) as refused:
            tracker.integrity.checkpoint_at(tracker.head())
        assert refused.value.rule == "tree-kept"
        paper = CommitteePaper.of(tracker, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE)
        assert paper.checkpoint is None
        assert "names no checkpoint" in paper.markdown()
