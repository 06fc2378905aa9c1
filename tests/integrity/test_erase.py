"""Erasing a person: the name leaves every stored entry, view, export and paper, and every
leaf, checkpoint and proof bundle made before stays valid."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import pickle
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

import recommendations as r
from recommendations.integrity import check_bundle
from recommendations.integrity._service import StoredCheckpoint
from tests.cli.helpers import clean_env, invoke
from tests.conftest import Clock, report_details

NAME = "Asha Patel"
OTHER = "Ben Okafor"


def on(day: int, month: int = 3, by: str = OTHER) -> dict[str, object]:
    return {"effective_on": date(2017, month, day), "by": by, "reason": "committee"}


def fill(tracker: r.Tracker) -> None:
    """A log naming NAME in every personal field: as who acted, as an owner, as who
    accepted a discharge, and inside a correction's replacement."""
    tracker.execute(
        r.PublishReport(reference="PEEL-2016", details=report_details(), **on(2, by=NAME))
    )
    tracker.execute(
        r.Raise(
            reference="R1",
            report="PEEL-2016",
            text="Supervise the initial risk assessment.",
            grade="amber",
            owner="Head of Crime",
            owner_name=NAME,
            **on(2),
        ),
        command_id="raise-r1",
    )
    tracker.execute(
        r.Raise(
            reference="R2",
            report="PEEL-2016",
            text="Review the custody records.",
            grade="red",
            owner="Head of Custody",
            owner_name=OTHER,
            **on(2, by=NAME),
        )
    )
    tracker.execute(r.Regrade(reference="R1", grade="green", **on(20, by=NAME)))
    tracker.execute(
        r.Discharge(
            reference="R2",
            outcome=r.Outcome.IMPLEMENTED,
            accepted_by=NAME,
            acceptor_role="inspectorate",
            **on(25),
        )
    )
    tracker.execute(
        r.Correct(
            reference="R1",
            version=2,
            what_was_wrong="regraded on the committee's date, not the report's",
            changes={"effective_on": date(2017, 3, 21)},
            **on(28),
        )
    )


def shown(tracker: r.Tracker) -> str:
    """Everything the tracker's reads give, as text."""
    return repr(
        [
            tracker.register(),
            tracker.register(as_at=date(2017, 3, 10)),
            tracker.register(known_at=datetime(2017, 4, 10, 9, 3, tzinfo=UTC)),
            tracker.trail(),
            tracker.history("R1"),
            tracker.history("R2"),
            list(tracker.log()),
            tracker.events("R1"),
            tracker.recommendation("R2"),
            tracker.report("PEEL-2016"),
            tracker.committee_update(since=date(2017, 3, 1), as_at=date(2017, 3, 30)),
        ]
    )


def stored_states(tracker: r.Tracker) -> list[bytes]:
    page = tracker._app.recorder.select_notifications(
        start=0, limit=10_000, inclusive_of_start=False
    )
    return [bytes(n.state) for n in page]


def test_erasure_keeps_every_proof_and_every_read_shows_erased(
    store_url: str, clock: Clock
) -> None:
    with r.Tracker(store_url, clock=clock) as tracker:
        fill(tracker)
        assert NAME in shown(tracker)
        before = tracker.integrity.checkpoint()
        size, root = tracker.integrity.root()
        item = r.domain.recommendation_id("R1")
        entries = [(entry.position, item) for entry in tracker.tables.item_log(item)]
        bundle = tracker.integrity.prove("R1", entries, checkpoint=before)

        done = tracker.erase_person(NAME, reason="erasure request 2017-14", by="Data Officer")

        assert not done.already and done.position == size + 1
        assert done.record.rows == 6  # report, R1 raised, R2 raised, regrade, discharge, fix
        assert done.record.commitment.startswith("sha256:")
        assert done.record.actor == "Data Officer"
        text = shown(tracker)
        assert NAME not in text and "[erased]" in text and "sha256:" not in text
        assert tracker.register().rows[0].owner_name == "[erased]"
        states = stored_states(tracker)
        assert not any(NAME.encode() in state for state in states)
        assert sum(f"[erased] {done.record.commitment}".encode() in s for s in states) == 6
        assert not any(b"Asha" in state for state in states)  # the record holds no name
        with tracker.integrity._tables(write=False) as tables:
            assert NAME not in tables.all_salts()
        # every leaf as it was: the tree, the checkpoint made before, the proof bundle
        assert tracker.integrity.root(size) == (size, root)
        found = tracker.integrity.verify([StoredCheckpoint(size=size, root=root, label="kept")])
        assert found.ok, found.problems
        assert found.checkpoints and all(holds for _, holds in found.checkpoints)
        check_bundle(bundle, checkpoint=before)  # raises if it fails
        # proved again now, the same entries give the same leaves, and the tree grew from
        # the checkpoint made before unchanged
        now = tracker.integrity.prove(
            "R1", entries, checkpoint=tracker.integrity.checkpoint(), earlier=before
        )
        check_bundle(now)
        assert [e["leaf"] for e in now["entries"]] == [e["leaf"] for e in bundle["entries"]]
        # erasing the name again records nothing, and says so
        head = tracker.head()
        again = tracker.erase_person(NAME, reason="asked twice", by="Data Officer")
        assert again.already and again.position == done.position and tracker.head() == head
        # naming the person again is fine: a new person as far as the tree is concerned
        tracker.execute(r.Assign(reference="R1", owner="Head of Crime", owner_name=NAME, **on(30)))
        assert tracker.register().rows[0].owner_name == NAME
        with tracker.integrity._tables(write=False) as tables:
            assert NAME in tables.all_salts()
        assert tracker.integrity.verify().ok
    if not store_url.startswith("memory"):
        with r.Tracker(store_url) as reopened:  # the views in the store's tables too
            rows = {row.reference: row for row in reopened.register().rows}
            assert rows["R1"].owner_name == NAME and rows["R2"].owner_name == OTHER
            history = repr(reopened.history("R1"))
            assert history.count(NAME) >= 1 and "[erased]" in history


def test_a_copy_of_an_erased_store_keeps_its_tree(clock: Clock) -> None:
    with r.Tracker("memory://", clock=clock) as source, r.Tracker("memory://") as copy:
        fill(source)
        source.erase_person(NAME, reason="erasure request", by="Data Officer")
        copy.copy_from(source)
        assert copy.integrity.root() == source.integrity.root()
        assert copy.integrity.verify().ok
        assert stored_states(copy) == stored_states(source)
        assert NAME not in shown(copy)


def test_another_tracker_on_the_store_forgets_the_erased_salt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    with r.Tracker(url, clock=clock) as writer, r.Tracker(url, clock=clock) as eraser:
        fill(writer)  # the writer remembers NAME's salt
        eraser.erase_person(NAME, reason="erasure request", by="Data Officer")
        writer.execute(r.Regrade(reference="R1", grade="red", **on(30, by=NAME)))
        found = writer.integrity.verify()
        assert found.ok, found.problems
        salts = writer.integrity._tables(write=False)
        with salts as tables:
            assert NAME in tables.all_salts()  # a new salt, kept in the store


def test_erasure_refusals_and_command_ids(clock: Clock) -> None:
    with r.Tracker("memory://", clock=clock) as tracker:
        fill(tracker)
        head = tracker.head()
        with pytest.raises(r.NotFound) as never:
            tracker.erase_person("Nobody Here", reason="request", by="Data Officer")
        assert (never.value.field, never.value.rule) == ("name", "person-known")
        with pytest.raises(r.RuleViolation) as own:
            tracker.erase_person(NAME, reason="request", by=NAME)
        assert (own.value.field, own.value.rule) == ("by", "erasure-by-another")
        with pytest.raises(r.RuleViolation) as empty:
            tracker.erase_person(NAME, reason="  ", by="Data Officer")
        assert (empty.value.field, empty.value.rule) == ("reason", "erasure-text")
        assert isinstance(empty.value, r.RecommendationsError)
        assert tracker.head() == head  # nothing was written
        first = tracker.erase_person(NAME, reason="request", by="Data Officer", command_id="e-1")
        retry = tracker.erase_person(NAME, reason="request", by="Data Officer", command_id="e-1")
        assert retry.already and retry.position == first.position
        assert tracker.head() == head + 1
        with pytest.raises(r.RuleViolation) as reused:
            tracker.erase_person(OTHER, reason="request", by="Data Officer", command_id="e-1")
        assert (reused.value.field, reused.value.rule) == ("command_id", "command-id-unique")
        assert tracker.head() == head + 1


@pytest.mark.parametrize(
    "url", ["eventsourcing://eventsourcing.popo", "jsonl:///{path}/log.jsonl"], ids=["es", "jsonl"]
)
def test_a_store_whose_tables_are_not_ours_refuses(url: str, tmp_path: Path) -> None:
    with r.Tracker(url.format(path=tmp_path)) as tracker:
        fill(tracker)
        head = tracker.head()
        with pytest.raises(r.StoreError) as refused:
            tracker.erase_person(NAME, reason="request", by="Data Officer")
        assert (refused.value.field, refused.value.rule) == ("store", "erasure-supported")
        assert tracker.head() == head and NAME in shown(tracker)


# --- as a user runs it: every output, every format, the raw file ---------------------------


def readable(path: Path) -> bytes:
    """A file's bytes, with what a zip (xlsx) or PDF compresses made readable."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += b"".join(archive.read(member) for member in archive.namelist())
    if data.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(data))
        data += "".join(page.extract_text() for page in reader.pages).encode()
    return data


def test_erase_person_as_a_user_runs_it(tmp_path: Path) -> None:
    path = tmp_path / "register.db"
    store = f"sqlite:///{path}"
    with r.Tracker(store, clock=Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))) as tracker:
        fill(tracker)

    def cli(*args: str) -> str:
        result = invoke("--store", store, *args)
        assert result.exit_code == 0, (result.output, result.stderr)
        return result.stdout

    cli("checkpoint", "-o", str(tmp_path / "before.cp"))
    cli("prove", "R1", "-o", str(tmp_path / "before.json"))
    said = cli(
        "erase-person", NAME, "--reason", "erasure request 2017-14", "--by", "DPO",
        "--command-id", "erase-14",
    )  # fmt: skip
    assert "Erased the person from 6 entries" in said and NAME not in said
    again = cli(
        "erase-person", NAME, "--reason", "erasure request 2017-14", "--by", "DPO",
        "--command-id", "erase-14",
    )  # fmt: skip
    assert "erased already" in again and "nothing was recorded" in again
    listed = cli("erasures")
    assert "by DPO: erasure request 2017-14 (6 entries; sha256:" in listed
    assert json.loads(cli("erasures", "--format", "json"))[0]["entries"] == 6

    # nothing shown names the person, in any format
    outputs: list[Path] = []
    for fmt in ("table", "json", "csv", "xlsx", "md", "html"):
        for n, command in enumerate((["register"], ["history", "R1"], ["trail"])):
            target = tmp_path / f"view-{n}.{fmt}"
            cli(*command, "--format", fmt, "-o", str(target))
            outputs.append(target)
        target = tmp_path / f"as-at.{fmt}"
        cli("register", "--as-at", "2017-03-10", "--format", fmt, "-o", str(target))
        outputs.append(target)
    for fmt in ("json", "csv", "xlsx"):
        target = tmp_path / f"export-{fmt}"
        cli("export", "--format", fmt, "-o", str(target))
        outputs.extend(target.iterdir() if target.is_dir() else [target])
    for fmt in ("md", "html", "pdf", "json"):
        target = tmp_path / f"paper.{fmt}"
        cli(
            "committee-update", "--since", "2017-03-01", "--as-at", "2017-03-30",
            "--format", fmt, "-o", str(target),
        )  # fmt: skip
        outputs.append(target)
    for target in outputs:
        data = readable(target)
        assert NAME.encode() not in data, target.name
        assert b"sha256:" not in data, target.name
    assert b"[erased]" in readable(tmp_path / "view-0.xlsx")
    assert b"[erased]" in readable(tmp_path / "paper.pdf")

    # the log still proves itself, to this library and to the standalone verifier
    cli("verify", "--checkpoint", str(tmp_path / "before.cp"))
    script = tmp_path / "verify.py"
    script.write_text(cli("verifier"))
    checked = subprocess.run(
        [sys.executable, "-I", str(script), str(tmp_path / "before.json"), "--checkpoint",
         str(tmp_path / "before.cp")],
        capture_output=True, env=clean_env(), check=False, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # and the file keeps no trace of the name: not in free pages, not in the WAL
    for kept in [path, *tmp_path.glob("register.db-*")]:
        assert NAME.encode() not in kept.read_bytes(), kept.name

    refused = invoke(
        "--store", store, "erase-person", "Nobody Here", "--reason", "x", "--by", "DPO"
    )
    assert refused.exit_code != 0 and "person-known" in refused.output


def test_a_correction_after_erasure_keeps_the_erased_person_as_stored(clock: Clock) -> None:
    """A correction carries the corrected entry's other fields: an erased person among
    them stays the same erased person (their commitment), not a new one named
    "[erased]"."""
    with r.Tracker("memory://", clock=clock) as tracker:
        fill(tracker)
        done = tracker.erase_person(NAME, reason="erasure request", by="Data Officer")
        tracker.execute(
            r.Correct(
                reference="R2",
                version=1,
                what_was_wrong="raised on the wrong date",
                changes={"effective_on": date(2017, 3, 3)},
                **on(29),
            )
        )
        last = stored_states(tracker)[-1]
        assert f'"actor":"[erased] {done.record.commitment}"'.encode() in last
        with tracker.integrity._tables(write=False) as tables:
            assert "[erased]" not in tables.all_salts()
        shown_actor = tracker.events("R2")[-1].replacement.actor
        assert shown_actor == "[erased]" and str(shown_actor) == "[erased]"
        kept = copy.deepcopy(pickle.loads(pickle.dumps(shown_actor)))
        assert kept == "[erased]" and kept.stored == f"[erased] {done.record.commitment}"
        assert tracker.integrity.verify().ok


def test_the_erasure_benchmark_runs_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    """No timing is asserted: the figures are for benchmarks/README.md."""
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "erase.py"
    spec = importlib.util.spec_from_file_location("erase_benchmark", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--recommendations", "20", "--persons", "5", "--appends", "5"])
    out = capsys.readouterr().out
    for words in ("erase one person (8 entries rewritten)", "rebuild the views", "token"):
        assert words in out


def test_a_tracker_open_elsewhere_decides_again_after_an_erasure(tmp_path: Path) -> None:
    """A tracker that remembers an item's log from before an erasure in another tracker
    (another process, as far as it knows) does not carry the name into a correction: its
    append meets the erasure, and the command is decided again on the log as it now is."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    with r.Tracker(url, clock=clock) as writer, r.Tracker(url, clock=clock) as eraser:
        fill(writer)  # the writer remembers R1's log, whose regrade NAME recorded
        done = eraser.erase_person(NAME, reason="erasure request", by="Data Officer")
        writer.execute(
            r.Correct(
                reference="R1",
                version=2,
                what_was_wrong="regraded on another date",
                changes={"effective_on": date(2017, 3, 22)},
                **on(30),
            )
        )
        last = stored_states(writer)[-1]
        assert NAME.encode() not in last
        assert f'"actor":"[erased] {done.record.commitment}"'.encode() in last
        assert writer.integrity.verify().ok
