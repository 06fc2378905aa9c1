"""Measure the Merkle tree's own cost, apart from any store.

::

    .venv/bin/python benchmarks/merkle.py                   # a tree of 1,048,576 leaves
    .venv/bin/python benchmarks/merkle.py --leaves 10000    # a quick look

With the leaves of a tree of ``--leaves`` entries (200-byte entries, like a stored event's
leaf bytes), it measures, each figure next to a baseline measured in the same run:

- **hash the leaves**: ``leaf_hash`` of every entry: the floor of any recomputation;
- **append to a frontier**: ``Frontier.append`` of every leaf hash (what a store does in the
  transaction of each entry), against hashing the leaves alone, the two alternating chunk
  by chunk: the extra cost per entry;
- **recompute the root**: leaf hashes folded by ``Frontier.extend`` (what ``verify`` does
  at least), in seconds for the tree (target for 1M entries: well under 5 s);
- **one inclusion proof**: ``inclusion_proof`` over ``MemoryNodes`` for ``--samples``
  random leaves, p50 and p99 (target: at most 1 ms), and checking it;
- **one consistency proof**: between random sizes, made and checked.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from functools import partial

from recommendations.integrity import (
    Frontier,
    MemoryNodes,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _latencies(actions: list[Callable[[], object]]) -> list[float]:
    return sorted(_seconds(action) for action in actions)


def _p(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1 << 20)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    n = args.leaves
    entries = [rng.randbytes(200) for _ in range(n)]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Python {platform.python_version()} on {platform.machine()} ({os.cpu_count()} "
        f"cores, load average {load}); {n:,} leaves"
    )

    # Hashing and appending alternate chunk by chunk, so both see the same machine.
    hashes: list[bytes] = []
    frontier = Frontier()
    hashing = appending = 0.0
    chunk = 1 << 14
    for start in range(0, n, chunk):
        part = entries[start : start + chunk]
        begin = time.perf_counter()
        new = [leaf_hash(entry) for entry in part]
        middle = time.perf_counter()
        for value in new:
            frontier.append(value)
        end = time.perf_counter()
        hashing += middle - begin
        appending += end - middle
        hashes.extend(new)
    trees: list[MemoryNodes] = []
    building = _seconds(lambda: trees.append(MemoryNodes(hashes)))
    tree = trees[0]
    assert frontier.root() == tree.root()

    def recompute() -> bytes:
        rebuilt = Frontier()
        rebuilt.extend(leaf_hash(entry) for entry in entries)
        return rebuilt.root()

    recomputing = _seconds(recompute)

    indices = [rng.randrange(n) for _ in range(args.samples)]
    root = tree.root()
    proofs = {i: inclusion_proof(tree, i, n) for i in indices}
    prove = _latencies([partial(inclusion_proof, tree, i, n) for i in indices])
    check = _latencies(
        [partial(verify_inclusion, i, n, hashes[i], proofs[i], root) for i in indices]
    )
    pairs = [sorted(rng.sample(range(1, n + 1), 2)) for _ in range(args.samples)]

    def consistency(size1: int, size2: int) -> None:
        proof = consistency_proof(tree, size1, size2)
        verify_consistency(size1, size2, tree.root(size1), tree.root(size2), proof)

    consistent = _latencies([partial(consistency, *pair) for pair in pairs])

    figures = {
        "hash_leaves_s": hashing,
        "frontier_append_s": appending,
        "frontier_over_hashing": (hashing + appending) / hashing,
        "memory_nodes_append_s": building,
        "recompute_root_s": recomputing,
        "inclusion_proof_p50_ms": _p(prove, 0.5) * 1e3,
        "inclusion_proof_p99_ms": _p(prove, 0.99) * 1e3,
        "inclusion_check_p50_ms": _p(check, 0.5) * 1e3,
        "consistency_make_and_check_p50_ms": _p(consistent, 0.5) * 1e3,
        "consistency_make_and_check_p99_ms": _p(consistent, 0.99) * 1e3,
    }
    per_entry = appending / n * 1e6
    print(f"hash {n:,} leaves (baseline)         {hashing:8.3f} s")
    print(
        f"append them to a frontier           {appending:8.3f} s  ({per_entry:.2f} us an "
        f"entry; hashing + frontier = {figures['frontier_over_hashing']:.2f}x hashing alone)"
    )
    print(f"keep every level (MemoryNodes)      {building:8.3f} s")
    print(f"recompute the root from the entries {recomputing:8.3f} s  (target for 1M: < 5 s)")
    print(
        f"one inclusion proof                 p50 {figures['inclusion_proof_p50_ms']:.3f} ms, "
        f"p99 {figures['inclusion_proof_p99_ms']:.3f} ms  (target: <= 1 ms); "
        f"checking it p50 {figures['inclusion_check_p50_ms']:.3f} ms"
    )
    print(
        "one consistency proof, made+checked p50 "
        f"{figures['consistency_make_and_check_p50_ms']:.3f} ms, "
        f"p99 {figures['consistency_make_and_check_p99_ms']:.3f} ms"
    )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
