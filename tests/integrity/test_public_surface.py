"""The integrity package's surface: sorted, resolving, its errors under the library's root."""

from __future__ import annotations

import recommendations.integrity as integrity
from recommendations import RecommendationsError
from recommendations.integrity import verifier


def test_all_is_sorted_and_resolves() -> None:
    for module in (integrity, verifier):
        names = list(module.__all__)
        assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
        for name in names:
            assert getattr(module, name) is not None


def test_the_library_errors_derive_from_the_root_and_the_verifiers_do_not_need_it() -> None:
    for error in (integrity.IntegrityError, integrity.ProofError, integrity.NoteError):
        assert issubclass(error, RecommendationsError)
        assert issubclass(error, ValueError)
    for error in (verifier.ProofError, verifier.NoteError, verifier.BundleError):
        assert issubclass(error, verifier.VerificationError)
        assert not issubclass(error, RecommendationsError)


def test_the_library_uses_the_verifiers_hashing() -> None:
    assert integrity.leaf_hash is verifier.leaf_hash
    assert integrity.node_hash is verifier.node_hash
    assert integrity.EMPTY_ROOT is verifier.EMPTY_ROOT
