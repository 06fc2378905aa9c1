"""Measure ``verify`` and inclusion proofs on the generated register (about 1M entries).

::

    .venv/bin/python benchmarks/generate.py      # once: the store (about 3 minutes)
    .venv/bin/python benchmarks/verify.py        # seal it if needed, then measure
    .venv/bin/python benchmarks/verify.py --store sqlite:///other.db --samples 200

It prints, each beside a baseline measured in the same run:

- **seal** (only when the store has no tree yet): building the tree of the whole log;
- **read the log**: every entry read through the store's recorder, in pages of 5,000 (the
  floor of any check that reads every entry), seconds;
- **verify**: ``tracker.integrity.verify()``: every leaf recomputed from the stored rows
  and compared with the stored tree, the stored nodes and checkpoints (target for 1M
  entries: at most 5 s), and its ratio to reading the log;
- **one inclusion proof**: ``inclusion_proof`` from the stored tree for ``--samples``
  random entries, p50 and p99 (target: at most 1 ms), beside reading that one entry.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recommendations as r
from recommendations.integrity import inclusion_proof
from recommendations.integrity._tree import StoredNodes


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a sqlite:/// URL (default: the generated register)")
    parser.add_argument("--samples", type=int, default=1000, help="inclusion proofs to time")
    args = parser.parse_args(argv)
    url = args.store or generate.store_url(generate.default_path(generate.Params()))
    print(f"# verify benchmark on {url}")
    print(f"# {platform.python_version()} on {platform.machine()}")
    with r.Tracker(url) as tracker:
        integrity = tracker.integrity
        recorder = tracker._app.recorder
        head = tracker.head()
        size, _ = integrity.root()
        if size < head:
            t0 = time.perf_counter()
            integrity.seal(batch=20000)
            print(f"sealed {head - size:,} entries in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        position, read = 0, 0
        while True:
            page = recorder.select_notifications(
                start=position, limit=5000, inclusive_of_start=False
            )
            read += len(page)
            if len(page) < 5000:
                break
            position = page[-1].id
        reading = time.perf_counter() - t0

        t0 = time.perf_counter()
        found = integrity.verify()
        verifying = time.perf_counter() - t0
        assert found.ok, found.problems

        rng = random.Random(1)
        proofs: list[float] = []
        reads: list[float] = []
        with recorder.tree_tables(write=False) as tables:  # type: ignore[attr-defined]
            nodes = StoredNodes(tables)
            for _ in range(args.samples):
                index = rng.randrange(head)
                t0 = time.perf_counter()
                inclusion_proof(nodes, index, head)
                proofs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                recorder.select_notifications(start=index + 1, limit=1)
                reads.append(time.perf_counter() - t0)

    print()
    print("| figure | with the tree | baseline | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    print(
        f"| verify {head:,} entries, s (baseline: read the log) | {verifying:.2f} | "
        f"{reading:.2f} | {verifying / reading:.2f}x | <= 5 s | "
        f"{'yes' if verifying <= 5 else 'no'} |"
    )
    p50, p99 = _percentile(proofs, 0.5) * 1000, _percentile(proofs, 0.99) * 1000
    r50 = statistics.median(reads) * 1000
    print(
        f"| one inclusion proof p50, ms (baseline: read one entry) | {p50:.3f} | {r50:.3f} "
        f"| {p50 / r50:.1f}x | <= 1 ms | {'yes' if p50 <= 1 else 'no'} |"
    )
    print(
        f"| one inclusion proof p99, ms | {p99:.3f} | | | <= 1 ms | {'yes' if p99 <= 1 else 'no'} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
