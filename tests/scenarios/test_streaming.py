"""The player reads a scenario one line at a time and writes it all or nothing: a line
refused after many entries were written leaves the store as empty as it found it (its log,
its Merkle tree and its tables), and what it holds while playing is the entries' item
logs, not the lines."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import date

import pytest

import recommendations as r
from recommendations import scenarios, testing


def _lines(count: int, *, padding: int = 0) -> Iterator[str]:
    """The contract scenario's lines, then ``count`` recommendations raised and regraded,
    one line at a time (each padded with ``padding`` spaces, which JSON ignores)."""
    yield from scenarios.read(testing.CONTRACT)
    pad = " " * padding
    for n in range(count):
        for command in testing.commands(1, prefix=f"M{n}-"):
            yield scenarios.line(command) + pad


_REFUSED = r.Regrade(
    reference="M3-0", grade="purple", effective_on=date(2017, 5, 2), by="K", reason="r"
)


def test_a_line_refused_after_batches_were_written_leaves_the_store_empty(store_url: str) -> None:
    good = list(_lines(40))
    with r.Tracker(store_url) as tracker:
        with pytest.raises(scenarios.ScenarioError) as refused:
            # batches of 7: ten and more of them were written before the refused line
            scenarios.play([*good, scenarios.line(_REFUSED)], tracker, batch=7)
        assert refused.value.line == len(good) + 1
        assert (refused.value.reference, refused.value.field) == ("M3-0", "grade")
        assert tracker.head() == 0
        assert tracker.integrity.root()[0] == 0  # no leaf of the tree either
        assert tracker.register().rows == ()
        with r.Tracker(store_url) as other:  # as another connection sees it
            assert other.head() == 0
        # played again, right: the same log as played anywhere else, its tree whole
        assert scenarios.play(good, tracker, batch=7) == len(good)
        assert tracker.integrity.verify().ok
        with r.Tracker("memory://") as elsewhere:
            scenarios.play(good, elsewhere)
            assert list(tracker.log()) == list(elsewhere.log())
            assert tracker.register().rows == elsewhere.register().rows


def test_a_line_that_is_not_json_after_batches_were_written_leaves_the_store_empty(
    store_url: str,
) -> None:
    with r.Tracker(store_url) as tracker:
        with pytest.raises(scenarios.ScenarioError) as refused:
            scenarios.play([*_lines(20), "{"], tracker, batch=5)
        assert refused.value.rule == "json-line"
        assert tracker.head() == 0


def test_playing_holds_the_entries_not_the_lines(tmp_path: object) -> None:
    # 1,000 lines of 40 kB each (40 MB of text), read one at a time from a generator: a
    # player that kept the lines, or their JSON, would hold that much. What it keeps is
    # the item logs, well under 10 kB an entry here (a batch of 500 among them).
    count, padding = 500, 40_000
    with r.Tracker(f"sqlite:///{tmp_path}/played.db") as tracker:
        tracemalloc.start()
        try:
            played = scenarios.play(
                _lines(count, padding=padding), tracker, batch=500, catch_up=False
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert played == tracker.head() > 2 * count
    assert peak < 10 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_the_batch_is_a_whole_number() -> None:
    with r.Tracker("memory://") as tracker:
        with pytest.raises(r.ConfigurationError) as refused:
            scenarios.play(_lines(1), tracker, batch=0)
        assert refused.value.rule == "batch"
