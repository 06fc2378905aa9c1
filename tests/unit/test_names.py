"""One name per concept: "tables" for what a store materialises, "views" for the pure
projections, :class:`~recommendations.views.Positioned` for an entry with its position. The
old public names still read, as deprecated aliases of the same objects; nothing in the
project uses them."""

from __future__ import annotations

import io
import tokenize
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from recommendations import stores, testing, views
from recommendations._deprecated import RENAMED
from recommendations._memory import MemoryStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from recommendations import sqlviews

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ["src", "adapters", "examples", "benchmarks", "tests"]
OLD = {old for names in RENAMED.values() for old in names} - {"views"}
ALLOWED = {
    # the deprecated aliases themselves
    ("src/recommendations/_tracker.py", "views_behind"),
    (f"tests/unit/{Path(__file__).name}", "*"),
}


def _old_names(path: Path) -> list[str]:
    """The old names ``path`` uses as code (not in strings or comments), with their lines;
    ``X.views`` counts unless ``X`` is the package (``recommendations.views``, ``r.views``)."""
    found: list[str] = []
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        if t.type in (tokenize.NAME, tokenize.OP)
    ]
    for before, dot, token in zip([None, None, *tokens], [None, *tokens], tokens, strict=False):
        if token.type != tokenize.NAME:
            continue
        attribute = dot is not None and dot.string == "."
        if token.string in OLD or (
            token.string == "views"
            and attribute
            and before is not None
            and before.string not in ("recommendations", "r", "from", ".")
        ):
            found.append(f"{token.string} (line {token.start[0]})")
    return found


def test_no_module_uses_the_old_names() -> None:
    used = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ".venv" in path.parts or ".hypothesis" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            if (name, "*") in ALLOWED:
                continue
            found = [f for f in _old_names(path) if (name, f.split()[0]) not in ALLOWED]
            if found:
                used[name] = found
    assert used == {}


MODULES: Mapping[str, Any] = {
    "recommendations": r,
    "recommendations.views": views,
    "recommendations.stores": stores,
    "recommendations.sqlviews": sqlviews,
}


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [(m, old, new) for m in MODULES for old, new in RENAMED[m].items()],
)
def test_an_old_name_is_the_new_object_with_a_warning(module: str, old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated: .*\.{new}$"):
        value = getattr(MODULES[module], old)
    assert value is getattr(MODULES[module], new)


def test_the_old_module_warns_and_reads_as_the_new_one() -> None:
    import importlib
    import sys

    from recommendations import sqltables

    sys.modules.pop("recommendations.sqlviews", None)
    with pytest.warns(
        DeprecationWarning,
        match=r"recommendations\.sqlviews is deprecated: it is now recommendations\.sqltables$",
    ):
        old = importlib.import_module("recommendations.sqlviews")
    for name in sqltables.__all__:
        assert getattr(old, name) is getattr(sqltables, name)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    for module in MODULES.values():
        with pytest.raises(AttributeError):
            module.NoSuchName  # noqa: B018


def test_the_tracker_old_attributes_warn() -> None:
    with r.Tracker("memory://") as tracker:
        with pytest.warns(DeprecationWarning, match="Tracker.views is deprecated"):
            assert tracker.views is tracker.tables
        with pytest.warns(DeprecationWarning, match="Tracker.views_behind is deprecated"):
            assert tracker.views_behind is tracker.tables_behind


def test_an_exception_under_its_old_name_is_caught() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = r.ViewsBehind
    with pytest.raises(old):
        raise r.TablesBehind("recorded", recorded=[])


def test_an_adapter_that_overrides_open_views_is_still_called(tmp_path: Path) -> None:
    """An adapter written before the rename: its ``open_views`` opens the tables."""
    opened: list[str] = []

    class Before(stores.StoreAdapter):
        scheme = "before"

        def settings(self, url: stores.StoreURL) -> dict[str, str]:
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}

        def open_views(
            self, url: stores.StoreURL, source: stores.LogSource, settings: Mapping[str, str]
        ) -> stores.Tables:
            opened.append(url.scheme)
            return stores.InProcessTables(source)

    url = stores.StoreURL.parse("before://x")
    with pytest.warns(DeprecationWarning, match="StoreAdapter.open_views is deprecated"):
        tables = Before().open_tables(url, None, {})  # type: ignore[arg-type]
    assert opened == ["before"]
    assert isinstance(tables, stores.InProcessTables)


class _PairTables(stores.InProcessTables):
    """Tables written before ``item_log`` returned Positioned entries: (position, event)."""

    def item_log(self, item: uuid.UUID) -> list[Any]:
        return [(entry.position, entry.event) for entry in super().item_log(item)]


class _PairStore(MemoryStore):
    scheme = "pairs"

    def open_tables(
        self, url: stores.StoreURL, source: stores.LogSource, settings: Mapping[str, str]
    ) -> stores.Tables:
        return _PairTables(source)


def test_tables_whose_item_log_gives_pairs_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables written before the change: their pairs are read as Positioned entries, with
    one warning for the class."""
    monkeypatch.setitem(stores._loaded, "pairs", _PairStore())
    with warnings.catch_warnings(record=True) as caught, r.Tracker("pairs://") as tracker:
        warnings.simplefilter("always")
        (inspection, *_) = testing.scenario()
        first = tracker.execute(inspection, command_id="cdi")
        # the command id's record read back through item_log: the same entry again
        assert tracker.execute(inspection, command_id="cdi") == first
        assert [e.event for e in tracker._logged_item(first.event.originator_id)] == [first.event]
        assert stores.item_log(tracker.tables, first.event.originator_id) == [first]
    deprecated = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert [str(w.message) for w in deprecated] == [
        f"{__name__}._PairTables.item_log returns (position, event) pairs, which is "
        "deprecated: it is to return recommendations.Positioned entries"
    ]
