"""The writer: a command that met another writer's entry decided again on the new state; a
stale known log read afresh; a refusal records nothing."""

from __future__ import annotations

import pytest

import recommendations as r

from .parts import publish, raise_, regrade, still


def test_a_stale_known_log_is_read_afresh_and_the_command_lands() -> None:
    with (
        r.Tracker("memory://writer-stale", clock=still) as first,
        r.Tracker("memory://writer-stale", clock=still) as other,
    ):
        first.execute_many([publish(), raise_()])
        other.execute(regrade("2.16", "green"))
        landed = first.execute(regrade("2.16", "red"))  # it knew version 1 only
        assert (landed.event.originator_version, landed.position) == (3, 4)


def test_with_no_retries_every_item_is_read_afresh_and_a_refusal_records_nothing() -> None:
    with (
        r.Tracker("memory://writer-at-once", clock=still, retries=0) as first,
        r.Tracker("memory://writer-at-once", clock=still) as other,
    ):
        first.execute_many([publish(), raise_()])
        other.execute(regrade("2.16", "green"))
        head = first.head()
        # retries=0 reads every item afresh, so the command holds on the new state
        assert first.execute(regrade("2.16", "red")).position == head + 1
        with pytest.raises(r.RuleViolation) as refused:
            first.execute_many([regrade("2.16", "red")])  # red already: refused, not retried
        assert refused.value.rule == "no-change"
        assert first.head() == head + 1
