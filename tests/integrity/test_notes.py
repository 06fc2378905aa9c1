"""Signed notes, verifier keys and checkpoints: the C2SP / Go vectors, and our own keys."""

from __future__ import annotations

import base64
import contextlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import RecommendationsError
from recommendations.integrity import (
    SIGNING_KEY_ENV,
    Checkpoint,
    NoteError,
    SigningKey,
    checkpoint_note,
    fingerprint,
    generate_signing_key,
    leaf_hash,
    open_checkpoint,
    parse_verifier_key,
    sign_note,
    signing_key_path,
    verifier,
    verify_inclusion,
)
from tests.integrity.vectors import b64, case_id, load, proof_b64

NOTES = load("signed_note.json")
KEYS = {name: verifier.VerifierKey.parse(key["verifier"]) for name, key in NOTES["keys"].items()}


def _note(case: dict[str, Any]) -> str | bytes:
    return case["note"] if "note" in case else base64.b64decode(case["note_b64"])


@pytest.mark.parametrize("case", NOTES["open"], ids=case_id)
def test_opening_signed_notes(case: dict[str, Any]) -> None:
    keys = [KEYS[name] for name in case["verifiers"]]
    if case["want"] == "error":
        with pytest.raises(verifier.NoteError):
            verifier.open_note(_note(case), keys)
        return
    note = verifier.open_note(_note(case), keys)
    assert note.text == case["want_text"]
    assert [s.name for s in note.verified] == case["want_verified"]
    assert [s.name for s in note.unverified] == case["want_unverified"]


def test_a_hundred_signatures_are_accepted_and_a_hundred_and_one_refused() -> None:
    # Implementation-specific: like Go, at most 100 (C2SP asks for at least 16).
    case = next(c for c in NOTES["open"] if c.get("implementation_specific"))
    text, _, lines = case["note"].partition("\n\n")
    signatures = lines.splitlines(keepends=True)
    assert len(signatures) == 101
    note = verifier.open_note(text + "\n\n" + "".join(signatures[:100]), [KEYS["peter"]])
    assert [s.name for s in note.verified] == ["PeterNeumann"]  # repeats count once


@pytest.mark.parametrize("case", NOTES["bad_verifier_keys"], ids=lambda c: c["why"])
def test_bad_verifier_keys_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(verifier.NoteError):
        verifier.VerifierKey.parse(case["key"])
    with pytest.raises(NoteError, match="rule 'key'"):
        parse_verifier_key(case["key"])


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # key id
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a3+not base64",
    ],
)
def test_other_malformed_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(verifier.NoteError):
        verifier.VerifierKey.parse(text)


def test_verifier_keys_read_back_as_written() -> None:
    for name, key in NOTES["keys"].items():
        assert str(KEYS[name]) == key["verifier"]


@pytest.mark.parametrize("case", NOTES["sign"], ids=case_id)
def test_the_published_signed_note_verifies(case: dict[str, str]) -> None:
    note = verifier.open_note(case["signed_note"], [KEYS[case["signer"]]])
    assert note.text == case["text"]


def test_checkpoint_format_examples() -> None:
    c2sp, sumdb = NOTES["checkpoint_format_examples"]
    checkpoint, note = open_checkpoint(c2sp["checkpoint"])  # no key: format only
    assert (checkpoint.origin, checkpoint.size) == (c2sp["origin"], c2sp["tree_size"])
    assert checkpoint.root == b64(c2sp["root_hash_b64"])
    assert [s.name for s in note.unverified] == ["example.com/behind-the-sofa"]
    assert checkpoint.text() + "\n" + c2sp["checkpoint"].split("\n\n", 1)[1] == c2sp["checkpoint"]
    legacy = verifier.parse_checkpoint(sumdb["text"])
    assert legacy.origin == "go.sum database tree"
    assert legacy.size == sumdb["tree_size"]
    assert legacy.root == leaf_hash(sumdb["record"].encode())


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("origin\n12\n", "needs an origin line, a size line and a root hash line"),
        ("\n12\n" + "A" * 43 + "=\n", "first line must name its origin"),
        ("o\n012\n" + "A" * 43 + "=\n", "its size in decimal"),
        ("o\n-1\n" + "A" * 43 + "=\n", "its size in decimal"),
        ("o\n1\nAAAA\n", "root must be 32 bytes, not 3"),
        ("o\n1\n" + "A" * 43 + "=", "must end with a newline"),
        ("o\n1\n" + "_" * 43 + "=\n", "base64 root"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, complaint: str) -> None:
    with pytest.raises(NoteError, match=complaint) as raised:
        open_checkpoint(text)
    assert isinstance(raised.value, RecommendationsError)


def test_a_checkpoint_made_signed_and_opened_again(tmp_path: Path) -> None:
    path = tmp_path / "committee.key"
    public = generate_signing_key("committee.example/recommendations", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = SigningKey.from_file(path)
    assert key.verifier_key == public
    assert key.private_text() not in repr(key)
    root = leaf_hash(b"hello")
    note = checkpoint_note("committee.example/recommendations", 42, root, keys=[key])
    checkpoint, opened = open_checkpoint(note, [public])
    assert checkpoint == Checkpoint("committee.example/recommendations", 42, root)
    assert [s.name for s in opened.verified] == [public.name]
    # The standalone verifier agrees, and a changed size breaks the signature.
    verifier.open_checkpoint(note, (public,))
    with pytest.raises(NoteError, match="does not match the note"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), [public])
    # Another key of the same name is another key: the note is not signed by it.
    other = SigningKey.generate("committee.example/recommendations").verifier_key
    with pytest.raises(NoteError, match="no signature on the note is by a known key"):
        open_checkpoint(note, [other])


def test_an_unsigned_checkpoint_is_its_body() -> None:
    note = checkpoint_note("o", 3, b"\x01" * 32, extensions=["Timestamp: 1"])
    assert note == "o\n3\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\nTimestamp: 1\n"
    assert open_checkpoint(note)[0].extensions == ("Timestamp: 1",)
    with pytest.raises(NoteError, match="a signed note needs a blank line"):
        open_checkpoint(note, [KEYS["peter"]])


def test_a_key_file_is_never_overwritten_and_must_hold_a_key(tmp_path: Path) -> None:
    path = tmp_path / "k"
    generate_signing_key("k", path)
    before = path.read_text()
    with pytest.raises(NoteError, match="cannot create the signing key file"):
        generate_signing_key("k", path)
    assert path.read_text() == before
    (tmp_path / "bad").write_text("PRIVATE+KEY+k+00000000+AQ==\n")
    with pytest.raises(NoteError, match="not an Ed25519 key"):
        SigningKey.from_file(tmp_path / "bad")
    with pytest.raises(NoteError, match="cannot read the signing key file"):
        SigningKey.from_file(tmp_path / "missing")


def test_a_key_whose_base64_holds_a_plus_reads_back() -> None:
    seed = bytes([0xFB] * 32)
    key = SigningKey("k", Ed25519PrivateKey.from_private_bytes(seed))
    assert "+" in key.private_text().split("+", 4)[4]
    again = SigningKey.from_text(key.private_text())
    assert again.verifier_key == key.verifier_key
    assert again.private_text() == key.private_text()


def test_sign_note_refuses_text_that_is_not_a_note() -> None:
    key = SigningKey.generate("k")
    with pytest.raises(NoteError, match="ends with one newline"):
        sign_note("no newline", [key])
    with pytest.raises(NoteError, match="control character"):
        sign_note("bell\a\n", [key])


def test_the_signing_key_is_named_by_option_or_environment() -> None:
    assert signing_key_path("a.key", {SIGNING_KEY_ENV: "b.key"}) == Path("a.key")
    assert signing_key_path(None, {SIGNING_KEY_ENV: "b.key"}) == Path("b.key")
    assert signing_key_path(None, {}) is None
    assert SIGNING_KEY_ENV not in os.environ or signing_key_path(None) is not None


def test_fingerprint_reads_aloud_in_four_groups() -> None:
    assert fingerprint(bytes.fromhex("3f2a91bc0d4e77a1" + "00" * 24)) == "3f2a 91bc 0d4e 77a1"


REKOR = load("rekor_real_world.json")
REKOR_KEYS = {
    log["origin"]: verifier.VerifierKey.from_public_key(
        log["origin"], bytes.fromhex(log["ed25519_public_key_hex"])
    )
    for log in REKOR["ed25519_log_keys"]
}


@pytest.mark.parametrize("case", REKOR["cases"], ids=case_id)
def test_rekor_inclusion_proofs(case: dict[str, Any]) -> None:
    def check(root: bytes, size: int) -> None:
        verify_inclusion(
            case["log_index"],
            size,
            b64(case["leaf_hash_b64"]),
            proof_b64(case["hashes_b64"]),
            root,
        )

    assert leaf_hash(b64(case["canonicalized_body_b64"])) == b64(case["leaf_hash_b64"])
    if case["merkle_expectation"] == "invalid":
        with pytest.raises(RecommendationsError):
            check(b64(case["root_hash_b64"]), case["tree_size"])
    else:  # valid, or unspecified: both such proofs verify against the bundle's root
        check(b64(case["root_hash_b64"]), case["tree_size"])
    if case["checkpoint"] is None or case["checkpoint_expectation"] is not None:
        return
    # Rekor v1: ECDSA, key not included; the checkpoint binds only origin, size and root.
    checkpoint, _ = open_checkpoint(case["checkpoint"])
    assert checkpoint.origin.startswith("rekor.sigstore.dev - ")
    if case["name"] == "checkpoint-wrong-roothash_fail":
        with pytest.raises(RecommendationsError):
            check(checkpoint.root, checkpoint.size)
    elif case["merkle_expectation"] != "invalid":
        check(checkpoint.root, checkpoint.size)


@pytest.mark.parametrize(
    "case", [c for c in REKOR["cases"] if c["checkpoint_expectation"]], ids=case_id
)
def test_rekor_v2_checkpoints(case: dict[str, Any]) -> None:
    def check() -> None:
        origin = case["checkpoint"].split("\n", 1)[0]
        key = REKOR_KEYS.get(origin)
        checkpoint, _ = verifier.open_checkpoint(case["checkpoint"], [key] if key else [])
        if key is None:
            raise verifier.NoteError(f"no key for the log {origin!r}")
        verifier.verify_inclusion(
            case["log_index"],
            checkpoint.size,
            b64(case["leaf_hash_b64"]),
            proof_b64(case["hashes_b64"]),
            checkpoint.root,
        )

    if case["checkpoint_expectation"] == "valid":
        check()
    else:
        with pytest.raises(verifier.VerificationError):
            check()


def test_rekor_v2_checkpoints_fail_even_when_every_log_key_is_known() -> None:
    keys = list(REKOR_KEYS.values())
    for case in REKOR["cases"]:
        if case["checkpoint_expectation"] == "invalid":
            with pytest.raises(verifier.VerificationError):
                verifier.open_checkpoint(case["checkpoint"], keys)


_VALID = NOTES["open"][0]["note"]


@settings(max_examples=80, deadline=None)
@given(
    cut=st.integers(0, len(_VALID)),
    insert=st.text(alphabet=st.sampled_from("\n \u2014+=/Aa0\x01\xff"), max_size=6),
    raw=st.binary(max_size=40),
)
def test_any_mangled_note_fails_only_as_a_note_error(cut: int, insert: str, raw: bytes) -> None:
    for note in (_VALID[:cut] + insert + _VALID[cut:], raw, raw.decode("latin-1") + "\n"):
        with contextlib.suppress(verifier.NoteError):
            opened = verifier.open_note(note, [KEYS["peter"], KEYS["enoch"]])
            assert opened.text == NOTES["open"][0]["want_text"]  # only ever the signed text
        with contextlib.suppress(verifier.NoteError):
            verifier.open_checkpoint(note)
