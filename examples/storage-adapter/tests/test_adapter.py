"""The adapter: store URLs, and a tracker on a JSON-lines file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import recommendations as r
from recommendations import scenarios
from recommendations.stores import InProcessTables, StoreURL, adapter_for

from recommendations_jsonl import JsonlStore


def settings(url: str) -> dict[str, str]:
    return JsonlStore().settings(StoreURL.parse(url))


def test_the_scheme_is_found_through_its_entry_point() -> None:
    assert type(adapter_for("jsonl:///log.jsonl")) is JsonlStore


def test_a_url_names_a_file_relative_to_the_working_folder_or_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert settings("jsonl:///log.jsonl") == {
        "PERSISTENCE_MODULE": "recommendations_jsonl.persistence",
        "JSONL_PATH": str(tmp_path / "log.jsonl"),
    }
    assert settings(f"jsonl:///{tmp_path}/a%20b.jsonl")["JSONL_PATH"] == str(tmp_path / "a b.jsonl")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("jsonl://log.jsonl", "names no file: write jsonl:///relative.jsonl"),
        ("jsonl:///", "names no file"),
        ("jsonl:///log.jsonl?fsync=no", "takes no parameters"),
        ("jsonl:///no/such/folder/log.jsonl", "folder '.*folder' does not exist"),
        ("jsonl:///.", "is a folder, not a file"),
    ],
)
def test_a_url_that_names_no_usable_file_is_refused(url: str, message: str) -> None:
    with pytest.raises(r.ConfigurationError, match=message) as caught:
        r.Tracker(url)
    assert (caught.value.field, caught.value.rule) == ("store", "store-url")


def test_a_tracker_keeps_its_log_in_the_file(tmp_path: Path) -> None:
    url = f"jsonl:///{tmp_path / 'register.jsonl'}"
    with r.Tracker(url) as tracker:
        recorded = tracker.execute(
            r.RecordInspection(
                reference="CDI-2017",
                details=r.InspectionDetails(
                    title="Crime data integrity",
                    body="West Midlands Police",
                    inspectorates=("HMIC",),
                ),
                effective_on=date(2017, 2, 1),
                by="Kath Holder",
                reason="inspection announced",
            )
        )
        assert isinstance(tracker.tables, InProcessTables)
    _, line = (tmp_path / "register.jsonl").read_text(encoding="utf-8").splitlines()
    transaction = json.loads(line)
    assert transaction["first"] == recorded.position == 1
    (stored,) = transaction["events"]
    assert stored["version"] == 1
    assert json.loads(stored["state"])["details"]["title"] == "Crime data integrity"
    with r.Tracker(url) as again:
        assert [x.event for x in again.log()] == [recorded.event]


def test_a_file_that_is_not_a_log_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a shopping list\n", encoding="utf-8")
    with pytest.raises(r.StoreError, match="is not an eventsourcing-jsonl log"):
        r.Tracker(f"jsonl:///{tmp_path / 'notes.txt'}")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "a shopping list\n"


def test_a_play_longer_than_a_batch_is_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "register.jsonl"
    lines = scenarios.read()
    with r.Tracker(f"jsonl:///{path}") as tracker:
        assert scenarios.play(lines, tracker, batch=10) == len(lines) == tracker.head()
    # The header, then the one transaction: never a play written in part.
    _, line = path.read_text(encoding="utf-8").splitlines()
    transaction = json.loads(line)
    assert (transaction["first"], len(transaction["events"])) == (1, len(lines))
