"""Command ids: what an id stands for, ids that cannot be one, and what an id carried out
already recorded."""

from __future__ import annotations

import pytest

import recommendations as r
from recommendations._service._command_ids import check_command_id, digest

from .parts import publish, raise_, regrade, still


def test_a_digest_stands_for_the_commands_in_order() -> None:
    assert digest([publish(), raise_()], None) == digest([publish(), raise_()], None)
    assert digest([publish(), raise_()], None) != digest([raise_(), publish()], None)
    assert digest([regrade(grade="green")], None) != digest([regrade(grade="red")], None)
    assert len(digest([], None)) == 64


@pytest.mark.parametrize("command_id", ["", "   ", "x" * 201, "tab\there", 7])
def test_what_cannot_be_a_command_id_is_refused(command_id: object) -> None:
    with pytest.raises(r.RuleViolation) as caught:
        check_command_id(command_id, "2.16")
    assert (caught.value.rule, caught.value.field) == ("command-id", "command_id")


def test_an_id_carried_out_answers_with_what_it_recorded() -> None:
    with r.Tracker("memory://", clock=still) as tracker:
        ids = tracker._writer.command_ids
        hashed = digest([publish(), raise_()], "PEEL-2016")
        assert ids.carried_out("import:1", hashed, "PEEL-2016") is None
        recorded = tracker.execute_many([publish(), raise_()], command_id="import:1")
        assert ids.carried_out("import:1", hashed, "PEEL-2016") == recorded
        assert [x.position for x in recorded] == [1, 2]
        assert tracker.head() == 3  # the record of the id, after the entries
        with pytest.raises(r.RuleViolation) as caught:
            ids.carried_out("import:1", digest([publish()], "PEEL-2016"), "PEEL-2016")
        assert caught.value.rule == "command-id-unique"
