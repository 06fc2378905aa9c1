"""Copy, then prove: the committee paper's checkpoint, taken from a SQLite store, proves the
same history after ``recommendations copy`` to PostgreSQL; a forged copy is caught."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import recommendations as r
from recommendations.integrity import generate_signing_key, open_checkpoint
from tests.conftest import Clock
from tests.integrity.test_cli_integrity import cli, verifier
from tests.integrity.test_store_tree import Raw, record_log


def test_the_papers_checkpoint_proves_the_postgresql_copy_and_catches_a_forged_one(
    tmp_path: Path, postgres_store_url: str, postgres_database: Any
) -> None:
    source = f"sqlite:///{tmp_path / 'register.db'}"
    with r.Tracker(source, clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as tracker:
        record_log(tracker)
    key = tmp_path / "committee.key"
    public = tmp_path / "committee.pub"
    public.write_text(f"{generate_signing_key('committee.example', key)}\n")

    # the committee's paper, with its checkpoint kept beside it (signed), from SQLite
    paper, kept = tmp_path / "paper.md", tmp_path / "paper-checkpoint.txt"
    made = cli(
        source, "committee-update", "--since", "2017-01-01", "--as-at", "2017-04-30",
        "-o", str(paper), "--checkpoint-out", str(kept), "--key", str(key),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    checkpoint, _ = open_checkpoint(kept.read_text())
    assert f"fingerprint {checkpoint.fingerprint}" in paper.read_text()
    # the log grows after the meeting
    with r.Tracker(source) as tracker:
        tracker.execute(
            r.Regrade(
                reference="R1", grade="red", effective_on=date(2017, 5, 2), by="Kath Holder",
                reason="committee",
            )
        )  # fmt: skip

    copied = cli(postgres_store_url, "copy", "--from", source)
    assert copied.exit_code == 0, copied.output

    # the whole PostgreSQL log gives the paper's checkpoint, signature and origin included
    found = cli(
        postgres_store_url, "verify", "--checkpoint", str(kept), "--public-key", str(public),
        "--format", "json",
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    report = json.loads(found.stdout)
    [given] = [c for c in report["checkpoints"] if c["label"] == str(kept)]
    assert given["holds"] and given["size"] == checkpoint.size < report["entries"]
    assert given["signed_by"] == ["committee.example"]
    assert given["origin"] == checkpoint.origin

    # one recommendation's bundle from PostgreSQL checks against the paper's checkpoint
    bundle = tmp_path / "R1.json"
    proved = cli(
        postgres_store_url, "prove", "R1", "--from-checkpoint", str(kept), "--key", str(key),
        "-o", str(bundle),
    )  # fmt: skip
    assert proved.exit_code == 0, proved.output
    checked = verifier(
        tmp_path, str(bundle), "--checkpoint", str(kept), "--key", str(public),
        "--origin", checkpoint.origin,
    )  # fmt: skip
    out = checked.stdout.decode()
    assert checked.returncode == 0, out + checked.stderr.decode()
    assert f"size {checkpoint.size}, fingerprint {checkpoint.fingerprint}" in out
    assert out.endswith("All checks passed.\n")

    # a forged copy: one row changed in PostgreSQL behind the library's back
    raw = Raw(postgres_store_url, postgres_database)
    state = raw.state(3)  # R1 raised
    assert b"Recommendation 1" in state
    raw.set_state(3, state.replace(b"Recommendation 1", b"Recommendation 9"))
    forged = cli(postgres_store_url, "verify", "--checkpoint", str(kept))
    assert forged.exit_code == 1
    assert "altered: the entry at position 3" in forged.stdout
    # and no bundle of the changed entry can be made from it: its leaf is not the tree's
    bundle = tmp_path / "R1-forged.json"
    refused = cli(
        postgres_store_url, "prove", "R1", "--from-checkpoint", str(kept), "-o", str(bundle)
    )
    assert refused.exit_code == 1
    assert "entry 3's leaf bytes do not hash to the leaf the tree holds" in refused.stderr
    assert not bundle.exists()

    # rewritten tree and all (the tree sealed again from the forged log): the store alone
    # cannot tell, the paper's checkpoint can
    for table in ("rec_tree_tiles", "rec_tree_checkpoints"):
        raw.run(f"DELETE FROM {table}")
    assert cli(postgres_store_url, "seal").exit_code == 0
    assert cli(postgres_store_url, "verify").exit_code == 0
    caught = cli(postgres_store_url, "verify", "--checkpoint", str(kept))
    assert caught.exit_code == 1
    assert f"Checkpoint {kept} (size {checkpoint.size}" in caught.stdout
    assert (
        "does NOT hold." in caught.stdout and "history up to there was rewritten" in caught.stdout
    )
