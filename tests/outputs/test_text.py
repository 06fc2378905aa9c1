"""The committee update as plain text, as the demonstration prints it, written by
:mod:`recommendations.outputs.text` for any body."""

from __future__ import annotations

from datetime import UTC, datetime

import recommendations as r
from recommendations import demo
from recommendations.outputs.text import render_update


def test_the_demonstration_prints_the_update_the_outputs_write() -> None:
    with r.Tracker("memory://") as tracker:
        demo.build(tracker)
        update = tracker.committee_update(
            since=demo.PREVIOUS_COMMITTEE,
            as_at=demo.COMMITTEE,
            known_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
        printed = demo.committee_update(tracker)
    assert demo.render(update) == render_update(update, body=demo.BODY)
    assert printed.splitlines()[0] == (
        "West Midlands Police: HMIC recommendations as at 2017-03-30 (since 2016-12-08)"
    )
    other = render_update(update, body="Another Police")
    assert other.splitlines()[0].startswith("Another Police: HMIC recommendations")
    assert other.splitlines()[1:] == printed.splitlines()[1:]
