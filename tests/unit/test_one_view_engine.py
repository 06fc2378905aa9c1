"""The SQL adapters hold only their dialect and connection: the view engine is written once,
in :mod:`recommendations.sqltables`, and no block of six lines of one adapter's view module
has the shape of a block of the other's (the same tokens, names aside)."""

from __future__ import annotations

import io
import keyword
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = (
    ROOT / "src/recommendations_sqlite/_views.py",
    ROOT / "adapters/postgresql/src/recommendations_postgresql/_views.py",
)
_SKIPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_KINDS = {tokenize.NAME: "name", tokenize.STRING: "text", tokenize.NUMBER: "number"}


def _shapes(text: str) -> list[tuple[int, str]]:
    """Each line of code as the kinds of its tokens: names, strings and numbers alike."""
    lines: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in _SKIPPED:
            continue
        if token.type == tokenize.OP or keyword.iskeyword(token.string):
            shape = token.string
        else:
            shape = _KINDS.get(token.type, token.string)
        lines.setdefault(token.start[0], []).append(shape)
    return [(number, " ".join(shape)) for number, shape in sorted(lines.items())]


def _blocks(text: str, size: int) -> dict[tuple[str, ...], int]:
    shapes = _shapes(text)
    return {
        tuple(shape for _, shape in shapes[i : i + size]): shapes[i][0]
        for i in range(len(shapes) - size + 1)
    }


def test_no_block_of_six_lines_is_written_in_both_adapters() -> None:
    first, second = (_blocks(path.read_text(), 6) for path in MODULES)
    shared = sorted((line, second[block]) for block, line in first.items() if block in second)
    assert shared == [], f"lines of {MODULES[0].name} and {MODULES[1].name} alike: {shared}"


def test_the_check_finds_a_block_written_twice_under_other_names() -> None:
    one = "def read(cursor, after):\n    cursor.execute('SELECT 1', (after,))\n" * 3
    other = 'def fetch(rows, start):\n    rows.execute("SELECT 2", (start,))\n' * 3
    assert set(_blocks(one, 6)) & set(_blocks(other, 6))
    assert not set(_blocks(one, 6)) & set(_blocks("x = 1\n" * 6, 6))


def test_the_adapters_import_the_engine_and_hold_no_catch_up_of_their_own() -> None:
    for path in MODULES:
        text = path.read_text()
        assert "from recommendations.sqltables import" in text
        for method in ("catch_up", "rebuild", "register", "digest"):
            # (a dialect's hooks around them, such as ``rebuilding``, are its own)
            assert f"def {method}(" not in text, (path.name, method)
