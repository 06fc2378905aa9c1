"""An installed third-party package adds a store scheme without any change to the library.

``examples/storage-adapter`` is such a package (``recommendations-jsonl``): installed next
to the library, it registers ``jsonl`` in the entry-point group ``recommendations.stores``,
and every part of the public API works on ``jsonl:///`` stores as on the built-in ones.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

import recommendations as r
from recommendations.stores import AdapterInfo, available_stores

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "examples" / "storage-adapter"
EXAMPLE = ROOT / "examples" / "west_midlands_2017.py"


@pytest.fixture(autouse=True)
def _installed() -> None:
    if importlib.util.find_spec("recommendations_jsonl") is None:
        pytest.fail(f"the example adapter is not installed: pip install -e {PACKAGE}")


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("west_midlands_2017", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clock() -> Callable[[], datetime]:
    """Recorded times one second apart from the day after the committee, the same for
    every tracker given one."""
    now = [datetime(2017, 3, 31, 9, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return tick


def test_the_scheme_is_listed_from_its_own_distribution() -> None:
    listed = {info.scheme: info for info in available_stores()}
    assert listed["jsonl"] == AdapterInfo(
        scheme="jsonl",
        package="recommendations-jsonl",
        target="recommendations_jsonl:JsonlStore",
        installed=True,
        summary=metadata.metadata("recommendations-jsonl")["Summary"],
    )
    # the library knows nothing of it: no entry point of its own, no word in its code
    own = metadata.distribution("recommendations-tracker").entry_points
    assert "jsonl" not in {entry.name for entry in own}
    library = ROOT / "src" / "recommendations"
    names = ("jsonl:", "recommendations_jsonl", "recommendations-jsonl", "JsonlStore")
    mentions = [  # (scenario files end in .jsonl: that is a file's type, not the adapter)
        p for p in library.rglob("*.py") if any(n in p.read_text(encoding="utf-8") for n in names)
    ]
    assert mentions == []


def test_the_command_line_lists_it() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "recommendations", "stores"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    (row,) = [line for line in shown.stdout.splitlines() if "jsonl://" in line]
    assert "recommendations-jsonl" in row
    assert "yes" in row


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[r.Tracker, r.Tracker]]:
    """The committee paper's scenario built into a JSON-lines store and into memory."""
    example = _load_example()
    path = tmp_path_factory.mktemp("third-party") / "west-midlands.jsonl"
    with (
        r.Tracker(f"jsonl:///{path}", clock=_clock()) as jsonl,
        r.Tracker("memory://", clock=_clock()) as memory,
    ):
        example.build(jsonl)
        example.build(memory)
        yield jsonl, memory


def test_the_register_is_the_same_as_in_memory(built: tuple[r.Tracker, r.Tracker]) -> None:
    jsonl, memory = built
    assert jsonl.head() == memory.head() > 100
    assert jsonl.register().rows == memory.register().rows
    assert list(jsonl.log()) == list(memory.log())


def test_every_reading_of_the_api_is_the_same(built: tuple[r.Tracker, r.Tracker]) -> None:
    jsonl, memory = built
    example = _load_example()
    known = datetime(2017, 4, 1, tzinfo=UTC)  # after the whole scenario was recorded
    before = example.COMMITTEE - timedelta(days=40)
    assert example.committee_update(jsonl) == example.committee_update(memory)
    assert jsonl.register(as_at=before, known_at=known) == memory.register(
        as_at=before, known_at=known
    )
    assert jsonl.trail(known_at=known) == memory.trail(known_at=known)
    assert jsonl.recommendations() == memory.recommendations()
    assert jsonl.reports() == memory.reports()
    assert jsonl.inspections() == memory.inspections()
    for row in memory.register().rows[:5]:
        reference = row.reference
        assert jsonl.recommendation(reference) == memory.recommendation(reference)
        assert jsonl.history(reference, known_at=known) == memory.history(reference, known_at=known)
        assert jsonl.events(reference) == memory.events(reference)


def test_a_store_reopened_holds_the_same_log(built: tuple[r.Tracker, r.Tracker]) -> None:
    jsonl, memory = built
    with r.Tracker(jsonl.store) as reopened:
        assert list(reopened.log()) == list(memory.log())
        assert reopened.register().rows == memory.register().rows


_LAZY = """
import sys, tempfile, os
import recommendations as r
from recommendations.stores import available_stores

assert "jsonl" in {info.scheme for info in available_stores()}
with r.Tracker("memory://"):
    pass
print("before:", "recommendations_jsonl" in sys.modules)
folder = tempfile.mkdtemp()
with r.Tracker("jsonl:///" + os.path.join(folder, "log.jsonl")):
    print("after:", "recommendations_jsonl" in sys.modules,
          "recommendations_jsonl.persistence" in sys.modules)
"""


def test_the_adapter_is_imported_only_when_a_url_names_it() -> None:
    ran = subprocess.run([sys.executable, "-c", _LAZY], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == ["before: False", "after: True True"]


def _append(path: str, writer: int, count: int, shared: str, start: object) -> None:
    """Append ``count`` transactions of 1 to 3 events of this writer's own, and as many
    events to an item both writers share, taking the next version again on a conflict."""
    from recommendations_jsonl.persistence import JsonlApplicationRecorder

    recorder = JsonlApplicationRecorder(path)
    start.wait()  # type: ignore[attr-defined]
    own, version = f"writer-{writer}", 0
    for n in range(count):
        size = 1 + n % 3
        recorder.insert_events(
            [StoredEvent(own, version + i, "t:E", b"%d" % n) for i in range(1, size + 1)]
        )
        version += size
        while True:
            latest = recorder.select_events(shared, desc=True, limit=1)
            next_version = latest[0].originator_version + 1 if latest else 1
            try:
                recorder.insert_events([StoredEvent(shared, next_version, "t:S", b"")])
                break
            except IntegrityError:
                continue
    recorder.close()


def test_two_processes_appending_to_one_file_lose_nothing(tmp_path: Path) -> None:
    from recommendations_jsonl.persistence import JsonlApplicationRecorder

    path, count, shared = str(tmp_path / "log.jsonl"), 150, f"shared-{uuid.uuid4()}"
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [
        context.Process(target=_append, args=(path, n, count, shared, start)) for n in (1, 2)
    ]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join()
    assert [writer.exitcode for writer in writers] == [0, 0]
    reader = JsonlApplicationRecorder(path)
    try:
        notifications = reader.select_notifications(None, 10_000)
    finally:
        reader.close()
    own = sum(1 + n % 3 for n in range(count))
    assert len(notifications) == 2 * (own + count)  # 900 events
    assert [n.id for n in notifications] == list(range(1, len(notifications) + 1))
    keys = [(n.originator_id, n.originator_version) for n in notifications]
    assert len(set(keys)) == len(keys)
    for item in ("writer-1", "writer-2", shared):
        versions = [v for i, v in keys if i == item]
        assert versions == list(range(1, len(versions) + 1))
    assert {i for i, _ in keys} == {"writer-1", "writer-2", shared}
