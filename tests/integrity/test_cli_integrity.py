"""``recommendations seal``, ``verify``, ``checkpoint`` and ``prove``, run as a user runs
them; the bundles checked by the standalone verifier in a process of its own."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

import recommendations as r
from recommendations.integrity._checkpoint import generate_signing_key
from tests.cli.helpers import clean_env, invoke
from tests.integrity.recorded import copied_store, recorded_store
from tests.integrity.test_store_tree import Raw, to_earlier_form


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return recorded_store(tmp_path_factory.mktemp("cli"))


@pytest.fixture
def store(built: Path, tmp_path: Path) -> str:
    return copied_store(built, tmp_path)


def cli(store: str, *args: str) -> Result:
    """The command, in this process (the verifier below runs in a process of its own)."""
    return invoke("--store", store, *args)


def verifier(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    script = tmp_path / "verify.py"
    if not script.exists():
        printed = invoke("verifier")
        assert printed.exit_code == 0, printed.output
        script.write_bytes(printed.stdout_bytes)
    return subprocess.run(
        [sys.executable, "-I", str(script), *args],
        capture_output=True,
        env=clean_env(),
        check=False,
        timeout=60,
    )


def test_checkpoint_prove_and_the_standalone_verifier(store: str, tmp_path: Path) -> None:
    key = tmp_path / "committee.key"
    public = generate_signing_key("committee.example", key)
    made = cli(store, "checkpoint", "--key", str(key), "-o", str(tmp_path / "march.cp"))
    assert made.exit_code == 0, made.output
    note = (tmp_path / "march.cp").read_text()
    assert note.startswith("recommendations/") and "\u2014 committee.example " in note
    assert key.read_text().split()[0] not in note  # the key is never printed
    with r.Tracker(store) as tracker:
        tracker.execute(
            r.Regrade(
                reference="R1",
                grade="red",
                effective_on=date(2017, 5, 1),
                by="Kath Holder",
                reason="committee",
            )
        )
    bundle = tmp_path / "R1.json"
    proved = cli(
        store, "prove", "R1", "--from-checkpoint", str(tmp_path / "march.cp"), "-o", str(bundle)
    )
    assert proved.exit_code == 0, proved.output
    data = json.loads(bundle.read_text())
    assert data["reference"] == "R1" and len(data["entries"]) == 2
    assert "consistency" in data
    checked = verifier(tmp_path, str(bundle), "--checkpoint", str(tmp_path / "march.cp"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # a signed checkpoint, checked with the committee's verifier key
    signed = cli(store, "prove", "R1", "--key", str(key), "-o", str(tmp_path / "signed.json"))
    assert signed.exit_code == 0, signed.output
    checked = verifier(tmp_path, str(tmp_path / "signed.json"), "--key", str(public))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # both checkpoints are kept in the store, and verify checks them
    found = cli(store, "verify", "--format", "json")
    assert found.exit_code == 0, found.output
    report = json.loads(found.stdout)
    assert report["ok"] and len(report["checkpoints"]) >= 2


def test_verify_reports_and_exits_1_on_a_changed_entry(store: str, tmp_path: Path) -> None:
    assert cli(store, "checkpoint", "-o", str(tmp_path / "kept.cp")).exit_code == 0
    assert cli(store, "verify").exit_code == 0
    path = store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE stored_events SET state = replace(state, 'amber', 'green') WHERE rowid = 3"
        )
    found = cli(store, "verify", "--checkpoint", str(tmp_path / "kept.cp"))
    assert found.exit_code == 1
    text = found.stdout
    assert "altered: the entry at position 3" in text
    assert "does NOT hold" in text
    as_json = json.loads(cli(store, "verify", "--format", "json").stdout)
    assert not as_json["ok"]
    assert as_json["problems"][0]["position"] == 3


def test_seal_builds_the_tree_of_an_old_store(store: str) -> None:
    path = store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        for table in ("tiles", "persons", "checkpoints"):
            connection.execute(f"DROP TABLE rec_tree_{table}")
    assert cli(store, "verify").exit_code == 1
    sealed = cli(store, "seal")
    assert sealed.exit_code == 0, sealed.output
    assert "leaves added" in sealed.stdout
    assert cli(store, "verify").exit_code == 0


def test_seal_brings_a_tree_in_its_earlier_form_to_tiles(store: str) -> None:
    size = to_earlier_form(Raw(store, None))
    refused = cli(store, "verify")
    assert refused.exit_code == 1
    assert "earlier form" in refused.output and "recommendations seal" in refused.output
    sealed = cli(store, "seal")
    assert sealed.exit_code == 0, sealed.output
    assert f"The tree of {size} entries, kept in its earlier form, is now kept in tiles." in (
        sealed.stdout
    )
    assert "0 leaves added" in sealed.stdout
    assert cli(store, "verify").exit_code == 0
