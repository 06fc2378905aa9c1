"""The Merkle benchmark still runs, tiny; no timing is asserted (figures go in the README)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "merkle.py"


def test_the_merkle_benchmark_runs_and_names_every_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("merkle_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.main(["--leaves", "100", "--samples", "5"])
    assert figures["inclusion_proof_p50_ms"] > 0
    assert figures["frontier_over_hashing"] > 1
    out = capsys.readouterr().out
    for words in ("hash 100 leaves", "one inclusion proof", "recompute the root"):
        assert words in out
