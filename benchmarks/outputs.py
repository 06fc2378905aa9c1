"""Time and peak memory of writing the audit trail and the export, in every format.

Each figure is one run of the real command (`recommendations trail --format F -o FILE`,
`recommendations export --format F -o FILE`) in a process of its own, its peak resident
set size read from the operating system when it ends (``os.wait4``). Beside each, the
baseline measured in the same run: the whole trail built in memory and rendered to bytes
(``Tracker.trail`` then ``exports.render_trail``), as the command did before it streamed.

    .venv/bin/python benchmarks/outputs.py                       # the generated 1M-entry store
    .venv/bin/python benchmarks/outputs.py --recommendations 2000 --formats csv,json
    .venv/bin/python benchmarks/outputs.py --store sqlite:///some.db --no-baseline

The store is made by ``generate.py`` when missing (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from recommendations.outputs import formats_for  # noqa: E402

TRAIL_FORMATS = tuple(f.name for f in formats_for("trail") if f.streamed)
"""The formats the trail is written in as its entries come (from the registry)."""
EXPORT_FORMATS = tuple(f.name for f in formats_for("bundle"))

_BASELINE = """
import sys
from recommendations import Tracker, exports
with Tracker(sys.argv[1]) as tracker:
    data = exports.render_trail(tracker.trail(), sys.argv[2])
with open(sys.argv[3], "wb") as file:
    file.write(data)
"""


def measure(command: list[str]) -> tuple[float, float]:
    """Run ``command``; its wall time in seconds and peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed: {error}")
    return elapsed, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=50_000)
    parser.add_argument("--bodies", type=int, default=43)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", default=None, help="sqlite:///path (default: generated)")
    parser.add_argument("--formats", default=",".join(TRAIL_FORMATS))
    parser.add_argument("--export-formats", default=",".join(EXPORT_FORMATS))
    parser.add_argument("--no-baseline", action="store_true", help="skip the in-memory baseline")
    args = parser.parse_args(argv)

    if args.store is None:
        params = generate.Params(
            recommendations=args.recommendations, bodies=args.bodies, seed=args.seed
        )
        path = generate.default_path(params)
        generate.ensure(params, path)
        store = generate.store_url(path)
    else:
        store = args.store
        path = generate.store_path(store)
    from recommendations import Tracker

    with Tracker(store) as tracker:
        head = tracker.head()
    print(f"store: {path} ({path.stat().st_size / 1e6:.1f} MB), log positions: {head:,}")
    cli = [sys.executable, "-m", "recommendations", "--store", store]
    rows = []
    with tempfile.TemporaryDirectory(dir=HERE / ".data") as folder:
        out = Path(folder)
        for format in [f for f in args.formats.split(",") if f]:
            target = out / f"trail.{format}"
            streamed = measure([*cli, "trail", "--format", format, "-o", str(target)])
            size = target.stat().st_size / 1e6
            base = None
            if not args.no_baseline:
                code = [sys.executable, "-c", _BASELINE, store, format, str(out / "base")]
                base = measure(code)
            rows.append((f"trail {format}", streamed, base, size))
            print(_line(*rows[-1]), flush=True)
        for format in [f for f in args.export_formats.split(",") if f]:
            folder = any(f.bundle_as_folder for f in formats_for("bundle") if f.name == format)
            target = out / ("export" if folder else f"export.{format}")
            streamed = measure([*cli, "export", "--format", format, "-o", str(target)])
            files = [target] if target.is_file() else list(target.iterdir())
            size = sum(p.stat().st_size for p in files)
            rows.append((f"export {format}", streamed, None, size / 1e6))
            print(_line(*rows[-1]), flush=True)
    return 0


def _line(
    what: str, streamed: tuple[float, float], base: tuple[float, float] | None, size: float
) -> str:
    text = f"{what:<14} {streamed[0]:8.1f} s {streamed[1]:8.1f} MB peak  ({size:,.1f} MB written)"
    if base is not None:
        text += (
            f"   baseline {base[0]:8.1f} s {base[1]:8.1f} MB"
            f"   time x{streamed[0] / base[0]:.2f}, memory x{streamed[1] / base[1]:.2f}"
        )
    return text


if __name__ == "__main__":
    raise SystemExit(main())
