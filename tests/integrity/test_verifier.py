"""The standalone verifier: standard library only, printed by the CLI, checks bundles."""

from __future__ import annotations

import ast
import base64
import contextlib
import json
import struct
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import RecommendationsError
from recommendations.integrity import (
    MemoryNodes,
    ProofError,
    SigningKey,
    bundle_json,
    check_bundle,
    checkpoint_note,
    inclusion_proof,
    leaf_hash,
    make_bundle,
    verifier,
)
from tests.cli.helpers import invoke

VERIFIER = Path(verifier.__file__)
ITEM = "4c1f6a2e-0d1b-4c57-9a53-2b7f3f7b1a10"
ORIGIN = "committee.example/recommendations"


def _leaf(position: int) -> bytes:
    item = ITEM if position in (3, 7, 15) else f"other-{position}"
    entry = {
        "position": position,
        "item_id": item,
        "version": {3: 1, 7: 2, 15: 3}.get(position, 1),
        "topic": "recommendations.domain.events:Raised",
        "recorded_at": f"2026-03-{position:02d}T10:00:00+00:00",
        "state": {"grade": "amber"},
    }
    return json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()


KEY = SigningKey.generate("committee.example")
LEAVES = [_leaf(position) for position in range(1, 21)]
TREE = MemoryNodes(leaf_hash(leaf) for leaf in LEAVES)
MARCH = checkpoint_note(ORIGIN, 10, TREE.root(10), keys=[KEY])
DECEMBER = checkpoint_note(ORIGIN, 20, TREE.root(20), keys=[KEY])


def _bundle(earlier: str | None = MARCH) -> dict[str, Any]:
    return make_bundle(
        reference="2.16",
        item_id=ITEM,
        entries=[(p, LEAVES[p - 1]) for p in (3, 7, 15)],
        nodes=TREE,
        checkpoint=DECEMBER,
        earlier=earlier,
    )


def _verify(
    tmp_path: Path, bundle: dict[str, Any] | str, *args: str, isolated: bool = True
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "bundle.json"
    path.write_text(bundle if isinstance(bundle, str) else bundle_json(bundle), encoding="utf-8")
    flags = ["-I", "-S"] if isolated else ["-I"]
    return subprocess.run(
        [sys.executable, *flags, str(VERIFIER), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _main(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bundle: dict[str, Any], *args: str
) -> tuple[int, str]:
    """Run the verifier's command line in this process (the same code, no start-up)."""
    path = tmp_path / "bundle.json"
    path.write_text(bundle_json(bundle), encoding="utf-8")
    status = verifier.main([str(path), *args])
    return status, capsys.readouterr().out


def test_the_verifier_imports_only_the_standard_library() -> None:
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            top.add((node.module or "").split(".")[0])
    assert top <= set(sys.stdlib_module_names) | {"__future__"}, top
    nested = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node not in tree.body
    }
    assert nested <= set(sys.stdlib_module_names) | {"cryptography"}, nested


def test_the_command_prints_the_verifier_byte_for_byte(tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "recommendations", "verifier"],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout
    assert printed == VERIFIER.read_bytes()
    assert invoke("verifier", "-o", str(tmp_path / "verify.py")).exit_code == 0
    assert (tmp_path / "verify.py").read_bytes() == VERIFIER.read_bytes()


def test_a_bundle_checks_in_the_library() -> None:
    report = check_bundle(_bundle(), keys=[KEY.verifier_key])
    assert [e.position for e in report.entries] == [3, 7, 15]
    assert report.checkpoint.size == 20
    assert report.earlier is not None and report.earlier.size == 10
    assert not report.earlier_supplied
    assert report.signed_by == (KEY.verifier_key,)
    assert report.earlier_signed_by == (KEY.verifier_key,)
    assert "size 10, fingerprint " + report.earlier.fingerprint + ", signed by" in "\n".join(
        report.lines()
    )


def test_an_earlier_checkpoint_in_the_bundle_must_be_signed_when_keys_are_given() -> None:
    unsigned = checkpoint_note(ORIGIN, 10, TREE.root(10))
    bundle = _bundle(earlier=unsigned)
    with pytest.raises(RecommendationsError, match="a signed note needs a blank line"):
        check_bundle(bundle, keys=[KEY.verifier_key])
    # Without keys it proves the prefix, and says that checkpoint is only the bundle's word.
    words = "\n".join(check_bundle(bundle).lines())
    assert "came with the bundle and no signature on it was checked" in words
    # Your own unsigned copy of it is yours to trust: keys check only the current one.
    report = check_bundle(bundle, checkpoint=unsigned, keys=[KEY.verifier_key])
    assert report.earlier_supplied and report.earlier_signed_by == ()
    assert "came with the bundle" not in "\n".join(report.lines())
    # A signed copy of yours, by a key you do not know, is refused when keys are given.
    stranger = SigningKey.generate("elsewhere")
    signed = checkpoint_note(ORIGIN, 10, TREE.root(10), keys=[stranger])
    with pytest.raises(RecommendationsError, match="no signature on the note is by a known key"):
        check_bundle(bundle, checkpoint=signed, keys=[KEY.verifier_key])


def test_the_verifier_proves_a_bundle_in_plain_words(tmp_path: Path) -> None:
    (tmp_path / "march.checkpoint").write_text(MARCH, encoding="utf-8")
    result = _verify(
        tmp_path,
        _bundle(),
        "--checkpoint",
        str(tmp_path / "march.checkpoint"),
        "--key",
        str(KEY.verifier_key),
        isolated=False,  # cryptography comes from the environment to check the signature
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Recommendation 2.16" in out
    assert f"signed by 'committee.example' (key id {KEY.key_id.hex()})" in out
    assert "Proved: entry 3 (leaf 2) is in this log: version 1" in out
    assert "Proved: entry 15 (leaf 14) is in this log: version 3" in out
    assert f"in the log of size 20 with root {TREE.root(20).hex()}" in out
    assert "Proved: the log at your checkpoint (size 10" in out
    assert "is a prefix of this log" in out
    assert out.rstrip().endswith("All checks passed.")


def test_the_verifier_runs_without_site_packages_when_no_signature_is_checked(
    tmp_path: Path,
) -> None:
    result = _verify(tmp_path, _bundle(earlier=None))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signatures NOT checked (no --key given)" in result.stdout
    needs = _verify(tmp_path, _bundle(), "--key", str(KEY.verifier_key))
    assert needs.returncode == 1
    assert "needs the 'cryptography' package" in needs.stdout


def _tampered(kind: str) -> dict[str, Any] | str:
    bundle = _bundle()
    entry = bundle["entries"][1]
    if kind == "leaf":
        entry["leaf"] = base64.b64encode(LEAVES[6].replace(b"amber", b"green")).decode()
    elif kind == "proof":
        entry["proof"][0] = entry["proof"][1]
    elif kind == "index":
        entry["leaf_index"] = 7
    elif kind == "position":
        entry["position"], entry["leaf_index"] = 8, 7
    elif kind == "size":
        bundle["checkpoint"] = DECEMBER.replace("\n20\n", "\n21\n", 1)
    elif kind == "fork":  # a rewritten log: a checkpoint of another history, re-signed
        forked = MemoryNodes(leaf_hash(leaf) for leaf in [*LEAVES[:9], b"rewritten"])
        bundle["consistency"]["checkpoint"] = checkpoint_note(
            ORIGIN, 10, forked.root(10), keys=[KEY]
        )
    elif kind == "consistency":
        bundle["consistency"]["proof"] = bundle["consistency"]["proof"][:-1]
    elif kind == "origin":
        bundle["consistency"]["checkpoint"] = checkpoint_note(
            "elsewhere", 10, TREE.root(10), keys=[KEY]
        )
    elif kind == "format":
        bundle["format"] = "something-else"
    elif kind == "json":
        return "{not json"
    return bundle


TAMPERING = {
    "leaf": "entry 7 is not proved in the log",
    "proof": "entry 7 is not proved in the log",
    "index": "leaf index 7 is not position 7 - 1",
    "position": "the leaf says position 7",
    "size": "does not match the note",
    "fork": "is not proved to be a prefix of this one",
    "consistency": "is not proved to be a prefix of this one",
    "origin": "is of the log 'elsewhere'",
    "format": "not a proof bundle",
    "json": "the bundle is not JSON",
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_a_tampered_bundle_fails_in_the_library(kind: str) -> None:
    with pytest.raises(RecommendationsError, match=TAMPERING[kind]):
        check_bundle(_tampered(kind), keys=[KEY.verifier_key])


def test_tampered_bundles_fail_in_the_verifier(tmp_path: Path) -> None:
    # The library runs the verifier's own code (above); here, the file as an auditor runs it.
    for kind in ("leaf", "fork"):
        complaint = TAMPERING[kind]
        result = _verify(tmp_path, _tampered(kind), "--key", str(KEY.verifier_key), isolated=False)
        assert result.returncode == 1, (kind, result.stdout)
        assert result.stdout.startswith("FAILED: "), (kind, result.stdout)
        assert complaint in result.stdout, (kind, result.stdout)
        assert "Nothing in this bundle is proved." in result.stdout


def test_an_earlier_checkpoint_of_your_own_must_match_the_proof(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = checkpoint_note(ORIGIN, 9, TREE.root(9))
    (tmp_path / "mine").write_text(other, encoding="utf-8")
    status, out = _main(tmp_path, capsys, _bundle(), "--checkpoint", str(tmp_path / "mine"))
    assert status == 1
    assert "starts at size 10, but the earlier checkpoint has size 9" in out
    # Without a proof in the bundle, an equal-size checkpoint must have the same root.
    status, out = _main(
        tmp_path, capsys, _bundle(earlier=None), "--checkpoint", str(tmp_path / "mine")
    )
    assert status == 1
    assert "is not proved to be a prefix" in out
    status, out = _main(tmp_path, capsys, _bundle(), "--checkpoint", str(tmp_path / "missing"))
    assert status == 1
    assert "No such file" in out


def test_a_wrong_key_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stranger = SigningKey.generate("committee.example").verifier_key
    status, out = _main(tmp_path, capsys, _bundle(), "--key", str(stranger))
    assert status == 1
    assert "no signature on the note is by a known key" in out
    status, out = _main(tmp_path, capsys, _bundle(), "--key", "not-a-key")
    assert status == 1
    assert "neither a verifier key nor a file holding one" in out
    (tmp_path / "key.pub").write_text(str(KEY.verifier_key) + "\n", encoding="utf-8")
    status, out = _main(tmp_path, capsys, _bundle(), "--key", str(tmp_path / "key.pub"))
    assert status == 0, out


def test_make_bundle_refuses_what_would_not_verify() -> None:
    def make(**change: Any) -> None:
        arguments: dict[str, Any] = {
            "reference": "2.16",
            "item_id": ITEM,
            "entries": [(3, LEAVES[2])],
            "nodes": TREE,
            "checkpoint": DECEMBER,
        }
        make_bundle(**(arguments | change))

    with pytest.raises(ProofError, match=r"recommendation '2.16': field 'leaf'"):
        make(entries=[(3, LEAVES[3])])
    with pytest.raises(ProofError, match="entry 21 is not in the log of size 20"):
        make(entries=[(21, b"x")])
    with pytest.raises(ProofError, match="does not have the checkpoint's root"):
        make(checkpoint=checkpoint_note(ORIGIN, 20, TREE.root(19)))
    with pytest.raises(ProofError, match="needs at least one entry"):
        make(entries=[])
    with pytest.raises(ProofError, match="is not of this log before size 20"):
        make(earlier=checkpoint_note(ORIGIN, 21, TREE.root(20)))


def _rlf1(position: int, item: str, version: int, topic: str, state: bytes, kind: int = 1) -> bytes:
    """Leaf bytes in the library's RLF1 layout, written out by hand from its description."""
    recorded = b"2017-03-31T09:15:30+00:00"
    return b"".join(
        [
            struct.pack(">4sQ16sQ", b"RLF1", position, uuid.UUID(item).bytes, version),
            struct.pack(">I", len(topic.encode())),
            topic.encode(),
            struct.pack(">I", len(recorded)),
            recorded,
            bytes([kind]),
            struct.pack(">I", len(state)),
            state,
        ]
    )


def test_rlf1_leaves_are_decoded_and_must_name_the_entry_and_item() -> None:
    state = b'{"actor":"sha256:' + b"ab" * 32 + b'","grade":"green"}'
    leaves = [_rlf1(p, ITEM, p, "recommendations.domain:Regraded", state) for p in (1, 2)]
    leaves.append(_rlf1(3, "1692dbce-21f8-5c33-9aac-86cf4e13ba70", 1, "t", b"x", kind=0))
    leaves.append(_rlf1(9, ITEM, 3, "t", b"{}"))  # at position 4, says 9
    leaves.append(leaves[0][:-3])  # cut short
    tree = MemoryNodes(leaf_hash(leaf) for leaf in leaves)
    note = checkpoint_note(ORIGIN, 5, tree.root())

    def bundle(*positions: int) -> dict[str, Any]:
        return {
            "format": verifier.BUNDLE_FORMAT,
            "reference": "2.16",
            "item_id": ITEM.upper(),  # a UUID in capitals is the same UUID
            "checkpoint": note,
            "entries": [
                {
                    "position": p,
                    "leaf_index": p - 1,
                    "leaf": base64.b64encode(leaves[p - 1]).decode(),
                    "proof": [
                        base64.b64encode(h).decode() for h in inclusion_proof(tree, p - 1, 5)
                    ],
                }
                for p in positions
            ],
        }

    report = check_bundle(bundle(1, 2))
    assert report.entries[1].content == {
        "position": 2,
        "item_id": ITEM,
        "version": 2,
        "topic": "recommendations.domain:Regraded",
        "recorded_at": "2017-03-31T09:15:30+00:00",
        "state": {"actor": "sha256:" + "ab" * 32, "grade": "green"},
    }
    words = "\n".join(report.lines())
    assert (
        "Proved: entry 2 (leaf 1) is in this log: version 2, topic "
        "recommendations.domain:Regraded, recorded_at 2017-03-31T09:15:30+00:00." in words
    )
    assert '  It records: {"actor": "sha256:abab' in words
    with pytest.raises(RecommendationsError, match="the leaf is of item 1692dbce"):
        check_bundle(bundle(1, 3))
    with pytest.raises(RecommendationsError, match="the leaf says position 9"):
        check_bundle(bundle(4))
    with pytest.raises(RecommendationsError, match="entry 5: RLF1 leaf bytes end too soon"):
        check_bundle(bundle(5))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(
    path=st.lists(st.sampled_from(["entries", 0, 1, "proof", "leaf", "consistency"]), max_size=3),
    key=st.sampled_from(
        [
            "format",
            "reference",
            "item_id",
            "checkpoint",
            "entries",
            "position",
            "leaf_index",
            "leaf",
            "proof",
            "consistency",
            "size",
        ]
    ),
    value=JSON,
)
def test_any_malformed_bundle_is_refused_as_such(
    path: list[str | int], key: str, value: object
) -> None:
    bundle = json.loads(json.dumps(_BUNDLE))
    target: Any = bundle
    for step in path:
        try:
            target = target[step]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(target, dict):
        target[key] = value
    elif isinstance(target, list) and target:
        target[0] = value
    with contextlib.suppress(verifier.VerificationError):  # and nothing else escapes
        verifier.check_bundle(bundle)


_BUNDLE = _bundle()
