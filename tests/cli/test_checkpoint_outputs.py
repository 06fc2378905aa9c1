"""The checkpoint of the log in what the command line writes: the committee paper (and
``--checkpoint-out``), the JSON of the register, the trails and the export."""

from __future__ import annotations

import base64
import io
import itertools
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

import recommendations as r
from recommendations import exports, views
from recommendations.integrity import SIGNING_KEY_ENV, generate_signing_key, open_checkpoint
from recommendations.outputs.json import json_text
from tests.cli.helpers import invoke, ok
from tests.integrity.recorded import copied_store, recorded_store

PAPER = ("committee-update", "--since", "2017-01-01", "--as-at", "2017-04-30")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return recorded_store(tmp_path_factory.mktemp("outputs"))


@pytest.fixture
def store(built: Path, tmp_path: Path) -> str:
    return copied_store(built, tmp_path)


def _tree(store: str, size: int | None = None) -> tuple[int, bytes, str]:
    with r.Tracker(store) as tracker:
        found, root = tracker.integrity.root(size)
        return found, root, tracker.integrity.origin()


def _same(stated: dict[str, object], store: str, size: int) -> None:
    found, root, origin = _tree(store, size)
    assert stated["size"] == found == size
    assert stated["root"] == base64.b64encode(root).decode()
    assert stated["origin"] == origin
    checkpoint, _ = open_checkpoint(str(stated["note"]))
    assert (checkpoint.size, checkpoint.root, checkpoint.fingerprint) == (
        size,
        root,
        stated["fingerprint"],
    )


def test_the_paper_writes_its_checkpoint_next_to_it_and_verify_proves_it(
    store: str, tmp_path: Path
) -> None:
    paper, kept = tmp_path / "paper.md", tmp_path / "paper.checkpoint"
    made = invoke("--store", store, *PAPER, "-o", str(paper), "--checkpoint-out", str(kept))
    assert made.exit_code == 0, made.output
    note = kept.read_text()
    checkpoint, _ = open_checkpoint(note)
    head, root, _ = _tree(store)
    assert (checkpoint.size, checkpoint.root) == (head, root)
    text = paper.read_text()
    assert f"up to log entry {head}" in text
    assert f"Log checkpoint: {head} entries, fingerprint {checkpoint.fingerprint}." in text
    assert base64.b64encode(root).decode() in text and checkpoint.origin in text
    assert f"fingerprint {checkpoint.fingerprint}) to {kept}" in made.stderr
    # the paper's checkpoint is its own copy: none was kept in the store
    with r.Tracker(store) as tracker:
        assert tracker.integrity.checkpoints() == []
    assert "holds." in ok(invoke("--store", store, "verify", "--checkpoint", str(kept)))


def test_a_paper_at_an_earlier_position_writes_that_positions_checkpoint(
    store: str, tmp_path: Path
) -> None:
    kept = tmp_path / "early.checkpoint"
    made = invoke(
        "--store", store, *PAPER, "--position", "4", "--format", "json",
        "--checkpoint-out", str(kept),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    stated = json.loads(made.stdout)["checkpoint"]
    _same(stated, store, 4)
    assert kept.read_text() == stated["note"]


def test_the_signing_key_the_environment_names_signs_the_papers_checkpoint(
    store: str, tmp_path: Path
) -> None:
    key = tmp_path / "committee.key"
    public = generate_signing_key("committee.example", key)
    env = {"RECOMMENDATIONS_STORE": None, SIGNING_KEY_ENV: str(key)}
    kept = tmp_path / "signed.checkpoint"
    made = invoke(
        "--store", store, *PAPER, "--format", "md", "--checkpoint-out", str(kept), env=env
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    _, note = open_checkpoint(kept.read_text(), [public])
    assert [s.name for s in note.verified] == ["committee.example"]
    assert f"Signed by 'committee.example' (key id {public.key_id.hex()})." in made.stdout
    assert key.read_text().split()[0] not in made.stdout + kept.read_text()


def test_a_store_without_a_tree_refuses_to_write_or_sign_a_checkpoint(
    store: str, tmp_path: Path
) -> None:
    with sqlite3.connect(store.removeprefix("sqlite:///")) as connection:
        connection.execute("DELETE FROM rec_tree_tiles")
    kept, paper = tmp_path / "none.checkpoint", tmp_path / "paper.md"
    refused = invoke("--store", store, *PAPER, "-o", str(paper), "--checkpoint-out", str(kept))
    assert refused.exit_code == 1
    assert "rule 'tree-covers-basis'" in refused.stderr and "recommendations seal" in refused.stderr
    assert not kept.exists() and not paper.exists()
    # without them, the paper is made, and says it names no checkpoint
    assert "names no checkpoint" in ok(invoke("--store", store, *PAPER, "--format", "md"))


def test_the_register_and_the_trails_carry_the_checkpoint_when_asked(store: str) -> None:
    head, _, _ = _tree(store)
    basis = ("--as-at", "2017-04-30", "--known-at", "2017-04-30T12:00:00+00:00")
    plain = json.loads(ok(invoke("--store", store, "register", *basis, "--format", "json")))
    assert isinstance(plain, list)  # the list of rows, unless asked
    register = json.loads(
        ok(invoke("--store", store, "register", *basis, "--format", "json", "--with-checkpoint"))
    )
    assert list(register) == ["checkpoint", "register"]
    assert register["register"] == plain
    _same(register["checkpoint"], store, head)
    trail = json.loads(
        ok(invoke("--store", store, "trail", "--position", "5", "--format", "json",
                  "--with-checkpoint"))
    )  # fmt: skip
    assert list(trail) == ["checkpoint", "trail"]
    assert [entry["position"] for entry in trail["trail"]][-1] <= 5
    _same(trail["checkpoint"], store, 5)
    history = json.loads(
        ok(invoke("--store", store, "history", "R0", "--format", "json", "--with-checkpoint"))
    )
    assert [entry["reference"] for entry in history["trail"]] == ["R0", "R0"]
    _same(history["checkpoint"], store, head)
    misused = invoke("--store", store, "register", "--format", "csv", "--with-checkpoint")
    assert misused.exit_code == 2 and "--with-checkpoint needs --format json" in misused.stderr


def test_the_json_export_carries_the_checkpoint_of_the_log_it_holds(
    store: str, tmp_path: Path
) -> None:
    out = tmp_path / "all.json"
    ok(invoke("--store", store, "export", "-o", str(out), "--position", "6"))
    document = json.loads(out.read_text())
    assert list(document) == ["register", "trail", "basis", "checkpoint"]
    assert document["basis"]["position"] == 6
    _same(document["checkpoint"], store, 6)


def test_a_streamed_trail_with_its_checkpoint_is_the_document_it_would_be(store: str) -> None:
    with r.Tracker(store) as tracker:
        known = datetime.now(UTC)
        whole = tracker.trail(known_at=known)
        streamed = tracker.stream_trail(known_at=known)
        stated = tracker.integrity.checkpoint_at(streamed.basis.position)
        out = io.BytesIO()
        exports.write_trail(streamed, "json", out, checkpoint=stated)
    rows = exports.trail_records(whole, basis=True)
    document = {"checkpoint": stated.as_dict(), "trail": rows}
    assert out.getvalue() == json_text(document).encode()
    with pytest.raises(r.ConfigurationError) as refused:
        exports.write_trail(streamed, "csv", io.BytesIO(), checkpoint=stated)
    assert refused.value.rule == "checkpoint-json"


def test_the_trail_with_its_checkpoint_is_written_as_the_log_is_read(
    store: str, tmp_path: Path
) -> None:
    """Each entry is written before the next is read: the checkpoint first, then the rows
    as they come, nothing held back until the end (so memory does not grow with the log)."""
    sink = tmp_path / "trail.json"
    sizes: list[int] = []
    with r.Tracker(store) as tracker, sink.open("wb") as file:
        streamed = tracker.stream_trail()
        stated = tracker.integrity.checkpoint_at(streamed.basis.position)

        def entries() -> Iterator[views.TrailEntry]:
            for entry in streamed.entries():
                file.flush()
                sizes.append(sink.stat().st_size)
                yield entry

        watched = attrs.evolve(streamed, entries=entries)
        exports.write_trail(watched, "json", file, checkpoint=stated)
    assert len(sizes) == len(streamed) > 3
    assert sizes[0] > len(json.dumps(stated.as_dict()))  # the checkpoint came first
    assert all(later > earlier for earlier, later in itertools.pairwise(sizes[1:]))
    written = json.loads(sink.read_text())
    assert written["checkpoint"] == stated.as_dict() and len(written["trail"]) == len(sizes)


def test_a_register_read_from_views_behind_states_the_checkpoint_they_reached(
    store: str,
) -> None:
    path = store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:  # the view tables refuse this one entry
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
            "WHEN NEW.reason = 'refused' BEGIN SELECT RAISE(ABORT, 'not here'); END"
        )
    with r.Tracker(store) as tracker:
        reached = tracker.head()
    # Added by a program that does not write the views (plain eventsourcing, on the same
    # file): they fall behind at it (the library's own commands write their rows in the
    # same transaction, and would be refused whole).
    other = f"eventsourcing://eventsourcing.sqlite?sqlite_dbname={path}"
    with r.Tracker(other) as elsewhere:
        elsewhere.execute(
            r.NoteProgress(
                reference="R1", note="n", effective_on=date(2017, 4, 2), by="Kath Holder",
                reason="refused",
            )
        )  # fmt: skip
    with r.Tracker(store) as tracker:
        assert tracker.head() > reached
    shown = invoke("--store", store, "register", "--format", "json", "--with-checkpoint")
    assert shown.exit_code == 0, shown.stderr
    assert f"up to position {reached}" in shown.stderr
    register = json.loads(shown.stdout)
    assert register["register"][0]["basis_position"] == reached
    _same(register["checkpoint"], store, reached)


def test_an_export_from_a_store_without_a_tree_says_it_holds_no_checkpoint(
    store: str, tmp_path: Path
) -> None:
    with sqlite3.connect(store.removeprefix("sqlite:///")) as connection:
        connection.execute("DELETE FROM rec_tree_tiles")
    out = tmp_path / "all.json"
    said = invoke("--store", store, "export", "-o", str(out))
    assert said.exit_code == 0, said.stderr
    assert "No checkpoint of the log in this output" in said.stderr
    assert list(json.loads(out.read_text())) == ["register", "trail", "basis"]
    refused = invoke("--store", store, "trail", "--format", "json", "--with-checkpoint")
    assert refused.exit_code == 1 and "rule 'tree-covers-basis'" in refused.stderr
