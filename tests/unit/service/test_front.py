"""The front: what asks whether a command would pass asks the service, never a tracker of
its own in memory."""

from __future__ import annotations

from pathlib import Path

import recommendations
from recommendations import domain

from .parts import publish

SOURCE = Path(recommendations.__file__).parent


def test_no_module_rehearses_a_command_in_a_throwaway_tracker() -> None:
    rehearsing = [
        str(path.relative_to(SOURCE))
        for folder in ("cli", "spreadsheets")
        for path in sorted((SOURCE / folder).glob("*.py"))
        if 'Tracker("memory://"' in path.read_text(encoding="utf-8")
    ]
    assert rehearsing == []


def test_the_tracker_answers_through_its_parts() -> None:
    with recommendations.Tracker("memory://") as tracker:
        assert tracker.retries is None and tracker.retry_for == 10.0
        assert tracker.tables_behind is None
        assert tracker._app is tracker._log.app
        assert tracker.decide_many([]) == []
        assert tracker.execute_many([]) == []


def test_forgetting_an_item_makes_the_next_command_read_it() -> None:
    with recommendations.Tracker("memory://") as tracker:
        tracker.execute(publish())
        item = domain.report_id("PEEL-2016")
        assert tracker._decider.known.get(item) is not None
        tracker._forget({item})
        assert tracker._decider.known.get(item) is None
