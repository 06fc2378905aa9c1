"""The scenario builders (the player and its format, the test kit's scenarios, the paper's
scenario, the test logs and the benchmark's generator) share their code rather than
repeat it: no block of six lines of code of one has the shape of a block of another (the
same tokens, names, strings and numbers aside). Lines of data alone (a string and a
comma, as in a list of names) are not code, and are passed over."""

from __future__ import annotations

import itertools

import pytest

from tests.unit.test_one_view_engine import ROOT, _shapes

BUILDERS = (
    ROOT / "src/recommendations/scenarios.py",
    ROOT / "src/recommendations/testing.py",
    ROOT / "tests/paper/scenario.py",
    ROOT / "tests/logs.py",
    ROOT / "benchmarks/generate.py",
)

_DATA = {"text", "text ,", "number", "number ,"}


def _blocks(text: str, size: int) -> dict[tuple[str, ...], int]:
    """Each run of ``size`` lines of code, by its shape: the line it starts at."""
    shapes = [(line, shape) for line, shape in _shapes(text) if shape not in _DATA]
    return {
        tuple(shape for _, shape in shapes[i : i + size]): shapes[i][0]
        for i in range(len(shapes) - size + 1)
    }


@pytest.mark.parametrize(
    ("one", "other"),
    list(itertools.combinations(BUILDERS, 2)),
    ids=lambda path: path.stem,
)
def test_no_block_of_six_lines_is_written_in_two_scenario_builders(
    one: object, other: object
) -> None:
    first, second = (_blocks(path.read_text(), 6) for path in (one, other))  # type: ignore[attr-defined]
    shared = sorted((line, second[block]) for block, line in first.items() if block in second)
    assert shared == [], f"lines of {one} and {other} alike: {shared}"


def test_the_check_finds_code_written_twice_but_not_lists_of_names() -> None:
    one = "def read(cursor, after):\n    cursor.execute('SELECT 1', (after,))\n" * 3
    other = 'def fetch(rows, start):\n    rows.execute("SELECT 2", (start,))\n' * 3
    assert set(_blocks(one, 6)) & set(_blocks(other, 6))
    names = "NAMES = (\n" + "".join(f'    "name{n}",\n' for n in range(8)) + ")\n"
    others = "OTHERS = (\n" + "".join(f'    "other{n}",\n' for n in range(8)) + ")\n"
    assert not set(_blocks(names, 6)) & set(_blocks(others, 6))
