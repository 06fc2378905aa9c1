"""Copying logs: entries appended as recorded, each following on in its item; a copy that
stopped part-way resumed; a store holding another log refused."""

from __future__ import annotations

import pytest

import recommendations as r
from recommendations import domain
from recommendations._service import Copier, Decider, ItemLogs

from .parts import memory_log, publish, raise_, regrade, still


def _source() -> list[domain.Event]:
    decider = Decider(memory_log(), policy=domain.DEFAULT_POLICY, clock=still)
    return decider.decide([publish(), raise_(), regrade()]).events


def test_appended_entries_are_kept_as_recorded_and_forgotten_as_known() -> None:
    entries = _source()
    log = memory_log()
    known = ItemLogs()
    known.remember({entries[1].originator_id: (entries[1],)})
    counts: list[int] = []
    assert Copier(log, known).append_log(entries, 2, counts.append) == 3
    assert counts == [2, 3]
    assert [record for _, record in log.records(0, 10)] == entries
    assert known.get(entries[1].originator_id) is None


def test_an_entry_that_does_not_follow_on_is_refused_before_its_batch() -> None:
    first, _, regraded = _source()
    log = memory_log()
    with pytest.raises(r.RuleViolation) as caught:
        Copier(log, ItemLogs()).append_log([first, regraded], 10, None)
    assert (caught.value.rule, caught.value.field) == ("next-version", "originator_version")
    assert log.head() == 0
    with pytest.raises(r.ConfigurationError):
        Copier(log, ItemLogs()).append_log([first], 0, None)


def test_a_copy_resumes_where_it_stopped_and_refuses_another_log() -> None:
    entries = _source()
    source = memory_log()
    source.app.save(*entries)
    target = memory_log()
    target.app.save(entries[0])  # a copy that stopped after one record
    copier = Copier(target, ItemLogs())
    assert copier.copied_prefix(source, 1) == (1, 1)
    assert copier.copy_from(source, 1, None) == 2
    assert copier.copy_from(source, 1, None) == 0
    other = memory_log()
    other.app.save(
        *Decider(other, policy=domain.DEFAULT_POLICY, clock=still)
        .decide([publish("OTHER-2016")])
        .events
    )
    with pytest.raises(r.RuleViolation) as caught:
        Copier(other, ItemLogs()).copy_from(source, 10, None)
    assert caught.value.rule == "copy-target-prefix"
