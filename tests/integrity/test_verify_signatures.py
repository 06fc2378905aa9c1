"""``recommendations verify --checkpoint FILE --public-key KEY``, and the standalone
verifier given a checkpoint alone: a bad signature, an unknown key and a wrong origin are
reported, in text and JSON, with exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommendations.integrity import fingerprint, generate_signing_key, open_checkpoint
from recommendations.integrity.verifier import check_checkpoint
from tests.integrity.recorded import copied_store, recorded_store
from tests.integrity.test_cli_integrity import cli, verifier


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return recorded_store(tmp_path_factory.mktemp("signed"))


@pytest.fixture
def store(built: Path, tmp_path: Path) -> str:
    return copied_store(built, tmp_path)


@pytest.fixture
def signed(store: str, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A signed paper checkpoint, the committee's verifier key file, another key's."""
    key = tmp_path / "committee.key"
    public = tmp_path / "committee.pub"
    public.write_text(f"{generate_signing_key('committee.example', key)}\n")
    other = tmp_path / "other.pub"
    other.write_text(f"{generate_signing_key('committee.example', tmp_path / 'other.key')}\n")
    note = tmp_path / "paper.checkpoint"
    made = cli(
        store, "committee-update", "--since", "2017-01-01", "--as-at", "2017-04-30",
        "--format", "json", "--key", str(key), "--checkpoint-out", str(note),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return note, public, other


def test_a_good_signature_by_the_key_given_holds(
    store: str, signed: tuple[Path, Path, Path]
) -> None:
    note, public, _ = signed
    found = cli(store, "verify", "--checkpoint", str(note), "--public-key", str(public))
    assert found.exit_code == 0, found.output
    assert "signed by 'committee.example'): holds." in found.stdout
    key = public.read_text().strip()  # the key given as text, not a file, does the same
    as_json = json.loads(
        cli(
            store, "verify", "--checkpoint", str(note), "--public-key", key, "--format", "json"
        ).stdout
    )
    assert as_json["ok"]
    [given] = [c for c in as_json["checkpoints"] if c["label"] == str(note)]
    assert given["signed_by"] == ["committee.example"] and given["holds"]
    assert given["fingerprint"] == fingerprint(open_checkpoint(note.read_text())[0].root)


def test_a_bad_signature_is_reported(
    store: str, signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    note, public, _ = signed
    text = note.read_text().split("\n")
    signature = text[-2]  # "— committee.example BASE64"
    head, payload = signature.rsplit(" ", 1)
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    forged = tmp_path / "forged.checkpoint"
    forged.write_text("\n".join([*text[:-2], f"{head} {flipped}", ""]))
    found = cli(store, "verify", "--checkpoint", str(forged), "--public-key", str(public))
    assert found.exit_code == 1
    assert "- signature: checkpoint" in found.stdout
    assert "does not match the checkpoint" in found.stdout
    # the log itself is intact, and said so
    assert "give the tree the store keeps" in found.stdout
    as_json = json.loads(
        cli(store, "verify", "--checkpoint", str(forged), "--public-key", str(public),
            "--format", "json").stdout
    )  # fmt: skip
    assert not as_json["ok"] and as_json["counts"] == {"signature": 1}


def test_an_unknown_key_and_an_unsigned_checkpoint_are_reported(
    store: str, signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    note, public, other = signed
    found = cli(store, "verify", "--checkpoint", str(note), "--public-key", str(other))
    assert found.exit_code == 1
    assert "- unknown-key:" in found.stdout and "an unknown key" in found.stdout
    plain = tmp_path / "plain.checkpoint"
    assert cli(store, "checkpoint", "-o", str(plain)).exit_code == 0
    found = cli(
        store, "verify", "--checkpoint", str(plain), "--public-key", str(public), "--format",
        "json",
    )  # fmt: skip
    assert found.exit_code == 1
    report = json.loads(found.stdout)
    assert report["counts"] == {"unknown-key": 1}
    assert "is not signed" in report["problems"][0]["detail"]


def test_a_checkpoint_of_another_log_is_reported_by_its_origin(
    store: str, signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    note, _, _ = signed
    found = cli(store, "verify", "--checkpoint", str(note), "--origin", "another.example/log")
    assert found.exit_code == 1
    assert "- origin:" in found.stdout and "of another log" in found.stdout
    renamed = tmp_path / "renamed.checkpoint"
    renamed.write_text(note.read_text().replace("recommendations/", "elsewhere/", 1))
    found = cli(store, "verify", "--checkpoint", str(renamed), "--format", "json")
    assert found.exit_code == 1
    assert json.loads(found.stdout)["counts"] == {"origin": 1}
    not_one = tmp_path / "not.checkpoint"
    not_one.write_text("hello\n")
    refused = cli(store, "verify", "--checkpoint", str(not_one))
    assert refused.exit_code == 1 and "rule 'checkpoint'" in refused.stderr


def test_the_standalone_verifier_shows_and_checks_a_checkpoint_alone(
    signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    note, public, other = signed
    checkpoint, _ = open_checkpoint(note.read_text())
    shown = verifier(tmp_path, "--checkpoint", str(note), "--key", str(public))
    out = shown.stdout.decode()
    assert shown.returncode == 0, out + shown.stderr.decode()
    assert f"{checkpoint.size} entries" in out and f"fingerprint {checkpoint.fingerprint}" in out
    assert "signed by 'committee.example'" in out and out.endswith("All checks passed.\n")
    unknown = verifier(tmp_path, "--checkpoint", str(note), "--key", str(other))
    assert unknown.returncode == 1 and b"an unknown key" in unknown.stdout
    wrong = verifier(tmp_path, "--checkpoint", str(note), "--origin", "another.example/log")
    assert wrong.returncode == 1 and b"of another log" in wrong.stdout
    unsigned = verifier(tmp_path, "--checkpoint", str(note))
    assert unsigned.returncode == 0 and b"NOT checked" in unsigned.stdout


def test_check_checkpoint_names_each_failure_by_its_kind(
    signed: tuple[Path, Path, Path],
) -> None:
    from recommendations.integrity import parse_verifier_key

    note, public, other = signed
    key = parse_verifier_key(public.read_text())
    text = note.read_text()
    assert check_checkpoint(text, keys=[key]).ok
    body = text.split("\n\n")[0] + "\n"
    assert [kind for kind, _ in check_checkpoint(body, keys=[key]).problems] == ["unknown-key"]
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) - 1)  # the size changed after signing
    changed = "\n".join(lines)
    kinds = [kind for kind, _ in check_checkpoint(changed, keys=[key], origin="x").problems]
    assert kinds == ["signature", "origin"]
    stranger = parse_verifier_key(other.read_text())
    assert [k for k, _ in check_checkpoint(text, keys=[stranger]).problems] == ["unknown-key"]


def test_a_public_key_that_is_not_one_is_refused_before_anything_is_checked(
    store: str, signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    note, _, _ = signed
    for value in ("not-a-key", str(note)):  # neither a key nor a file holding one
        refused = cli(store, "verify", "--checkpoint", str(note), "--public-key", value)
        assert refused.exit_code == 1
        assert "field 'public-key': rule 'key'" in refused.stderr
