"""The file itself: its lines, several readers and writers, crashes and damage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
    Tracking,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations_jsonl.persistence import (
    JsonlApplicationRecorder,
    JsonlFactory,
    JsonlLog,
    JsonlProcessRecorder,
    Transaction,
    decode_transaction,
    encode_transaction,
)


def event(item: uuid.UUID | str, version: int, state: bytes = b'{"a":1}') -> StoredEvent:
    return StoredEvent(originator_id=item, originator_version=version, topic="t:E", state=state)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.jsonl"


Opener = Callable[..., JsonlApplicationRecorder]


@pytest.fixture
def open_recorder(path: Path) -> Iterator[Opener]:
    """Open recorders on the file, each with its own descriptor and index (as another
    process would have); all are closed after the test."""
    opened: list[JsonlApplicationRecorder] = []

    def open_one(**options: Any) -> JsonlApplicationRecorder:
        recorder = JsonlApplicationRecorder(str(path), **options)
        opened.append(recorder)
        return recorder

    yield open_one
    for recorder in opened:
        recorder.close()


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


# --- the lines ----------------------------------------------------------------------------


def test_a_new_file_says_what_it_is(path: Path, open_recorder: Opener) -> None:
    open_recorder()
    assert path.read_bytes() == b'{"format":"eventsourcing-jsonl","version":1}\n'


def test_each_transaction_is_one_line_readable_as_json(path: Path, open_recorder: Opener) -> None:
    recorder = open_recorder()
    item = uuid.uuid4()
    assert recorder.insert_events([event(item, 1), event(item, 2, b"\xff\x00")]) == [1, 2]
    assert recorder.insert_events([event("ledger-7", 1, "café\n".encode())]) == [3]
    assert lines(path)[1:] == [
        {
            "first": 1,
            "events": [
                {"uuid": str(item), "version": 1, "topic": "t:E", "state": '{"a":1}'},
                {"uuid": str(item), "version": 2, "topic": "t:E", "state_base64": "/wA="},
            ],
        },
        {
            "first": 3,
            "events": [
                {"originator_id": "ledger-7", "version": 1, "topic": "t:E", "state": "café\n"}
            ],
        },
    ]
    again = open_recorder().select_notifications(start=None, limit=10)
    assert again == [
        Notification(id=1, originator_id=item, originator_version=1, topic="t:E", state=b'{"a":1}'),
        Notification(
            id=2, originator_id=item, originator_version=2, topic="t:E", state=b"\xff\x00"
        ),
        Notification(
            id=3,
            originator_id="ledger-7",
            originator_version=1,
            topic="t:E",
            state="café\n".encode(),
        ),
    ]


def test_a_tracking_record_shares_the_line_of_its_events(path: Path) -> None:
    recorder = JsonlProcessRecorder(str(path))
    try:
        recorder.insert_events([event("a", 1)], tracking=Tracking("upstream", 7))
        recorder.insert_tracking(Tracking("upstream", 8))
    finally:
        recorder.close()
    assert lines(path)[1:] == [
        {
            "first": 1,
            "events": [{"originator_id": "a", "version": 1, "topic": "t:E", "state": '{"a":1}'}],
            "tracking": {"application_name": "upstream", "notification_id": 7},
        },
        {"tracking": {"application_name": "upstream", "notification_id": 8}},
    ]


_texts = st.text(st.characters(exclude_categories=()))  # lone surrogates included
_events = st.builds(
    StoredEvent,
    originator_id=st.one_of(st.uuids(), _texts),
    originator_version=st.integers(min_value=-(2**63), max_value=2**63),
    topic=_texts,
    state=st.one_of(st.binary(), _texts.map(lambda s: s.encode("utf-8", "surrogatepass"))),
)
_trackings = st.builds(Tracking, application_name=_texts, notification_id=st.integers())


def _surrogate(text: object) -> bool:
    return isinstance(text, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@settings(deadline=None, database=None)
@given(
    first=st.integers(min_value=1),
    events=st.lists(_events, max_size=4),
    tracking=st.none() | _trackings,
)
def test_every_transaction_reads_back_as_written_from_one_line(
    first: int, events: list[StoredEvent], tracking: Tracking | None
) -> None:
    if not events and tracking is None:
        return  # never written
    transaction = Transaction(first if events else 0, tuple(events), tracking)
    try:
        line = encode_transaction(transaction)
    except DataError:  # text with a lone surrogate is not Unicode: it cannot be written
        texts = [e.topic for e in events] + [e.originator_id for e in events]
        texts += [tracking.application_name] if tracking else []
        assert any(_surrogate(text) for text in texts)
        return
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    decoded = decode_transaction(line[:-1])
    assert decoded == transaction
    assert [type(e.originator_id) for e in decoded.events] == [
        type(e.originator_id) for e in events
    ]


# --- several readers and writers ----------------------------------------------------------


def test_each_recorder_sees_what_the_others_appended(
    open_recorder: Opener,
) -> None:
    first, second = open_recorder(), open_recorder()
    item = uuid.uuid4()
    assert first.insert_events([event(item, 1)]) == [1]
    assert second.select_events(item) == [event(item, 1)]
    with pytest.raises(IntegrityError, match=f"version 1 of {item} is already recorded"):
        second.insert_events([event(item, 1), event(item, 2)])
    assert second.insert_events([event(item, 2)]) == [2]
    assert first.max_notification_id() == 2
    assert [n.id for n in first.select_notifications(None, 10)] == [1, 2]


def test_threads_on_several_recorders_lose_nothing(
    open_recorder: Opener,
) -> None:
    recorders = [open_recorder() for _ in range(3)]
    shared = uuid.uuid4()
    errors: list[BaseException] = []

    def write(recorder: JsonlApplicationRecorder, n: int) -> None:
        try:
            own = uuid.uuid4()
            for version in range(1, 21):
                recorder.insert_events([event(own, version), event(own, version + 1000)])
                try:
                    latest = recorder.select_events(shared, desc=True, limit=1)
                    recorder.insert_events(
                        [event(shared, latest[0].originator_version + 1 if latest else 1)]
                    )
                except IntegrityError:
                    pass  # another writer took that version first
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=write, args=(recorder, n))
        for n, recorder in enumerate(recorders * 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    notifications = open_recorder().select_notifications(None, 10_000)
    assert [n.id for n in notifications] == list(range(1, len(notifications) + 1))
    keys = [(n.originator_id, n.originator_version) for n in notifications]
    assert len(set(keys)) == len(keys)
    assert len(keys) - sum(1 for k in keys if k[0] == shared) == 6 * 20 * 2
    versions = sorted(v for k, v in keys if k == shared)
    assert versions == list(range(1, len(versions) + 1))


def test_a_subscription_hears_of_other_writers(
    open_recorder: Opener,
) -> None:
    listener, writer = open_recorder(poll_interval=0.01), open_recorder()
    writer.insert_events([event("a", 1)])
    received: list[Notification] = []
    with listener.subscribe(gt=None) as subscription:
        guard = threading.Timer(60, subscription.stop)  # only if it never comes
        guard.start()
        try:
            for notification in subscription:
                received.append(notification)
                if len(received) == 1:
                    writer.insert_events([event("b", 1), event("b", 2)])
                if len(received) == 3:
                    break
        finally:
            guard.cancel()
    assert [(n.id, n.originator_id) for n in received] == [(1, "a"), (2, "b"), (3, "b")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_writes_under_a_lock_of_its_own(open_recorder: Opener) -> None:
    """A child inherits its parent's recorder: it must not share its parent's lock."""
    recorder = open_recorder()
    recorder.insert_events([event("before", 1)])
    with warnings.catch_warnings():  # Python 3.12+ warns of fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover (the child leaves at once, whatever happens)
        code = 1
        try:
            for version in range(1, 101):
                recorder.insert_events([event("child", version)])
            code = 0
        finally:
            os._exit(code)
    for version in range(1, 101):
        recorder.insert_events([event("parent", version)])
    assert os.waitpid(child, 0)[1] == 0
    notifications = open_recorder().select_notifications(None, 1000)
    assert [n.id for n in notifications] == list(range(1, 202))
    for item in ("child", "parent"):
        versions = [n.originator_version for n in notifications if n.originator_id == item]
        assert versions == list(range(1, 101))


# --- crashes and damage -------------------------------------------------------------------


def test_a_torn_last_line_is_ignored_then_cut_off(path: Path, open_recorder: Opener) -> None:
    writer, reader = open_recorder(), open_recorder()
    writer.insert_events([event("a", 1)])
    whole = path.read_bytes()
    torn = encode_transaction(Transaction(2, (event("a", 2),), None))[:25]
    with path.open("ab") as file:  # what a writer that died part-way leaves
        file.write(torn)
    assert reader.max_notification_id() == 1
    assert reader.select_events("a") == [event("a", 1)]
    assert path.read_bytes() == whole + torn  # a reader changes nothing
    assert writer.insert_events([event("a", 2)]) == [2]
    assert path.read_bytes() == whole + encode_transaction(Transaction(2, (event("a", 2),), None))
    assert [n.originator_version for n in reader.select_notifications(None, 10)] == [1, 2]


_DIE_MID_WRITE = """
import os, signal, sys
from eventsourcing.persistence import StoredEvent
from recommendations_jsonl import persistence

log = persistence.JsonlLog(sys.argv[1])
real_write = os.write

def write_half_and_die(fd, data):
    real_write(fd, bytes(data[: len(data) // 2]))
    os.kill(os.getpid(), signal.SIGKILL)

persistence.os.write = write_half_and_die
log.append([StoredEvent(originator_id="a", originator_version=2, topic="t:E", state=b"x")])
"""


def test_a_writer_killed_mid_write_holding_the_lock_loses_only_its_own_line(
    path: Path, open_recorder: Opener
) -> None:
    survivor = open_recorder()
    survivor.insert_events([event("a", 1)])
    before = path.read_bytes()
    died = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_DIE_MID_WRITE), str(path)],
        capture_output=True,
        check=False,
    )
    assert died.returncode == -9, died.stderr
    after = path.read_bytes()
    assert after.startswith(before)
    assert len(after) > len(before)
    assert not after.endswith(b"\n")
    assert survivor.select_events("a") == [event("a", 1)]
    assert survivor.insert_events([event("a", 2), event("a", 3)]) == [2, 3]
    assert lines(path)[-1]["first"] == 2
    assert len(lines(path)) == 3


def test_a_damaged_line_is_reported_with_its_place(path: Path, open_recorder: Opener) -> None:
    open_recorder().insert_events([event("a", 1)])
    open_recorder().insert_events([event("a", 2)])
    header, first, second = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(header + first.replace(b'"version":1', b'"version":"one"') + second)
    with pytest.raises(DataError, match=rf"line at byte {len(header)}: .*no whole version"):
        open_recorder()


def test_lines_written_without_the_lock_are_detected(path: Path, open_recorder: Opener) -> None:
    open_recorder().insert_events([event("a", 1)])
    header, line = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(header + line + line)  # two writers that both took id 1
    with pytest.raises(DataError, match=r"its first id is 1, not 2 .*without the lock"):
        open_recorder()


def test_a_file_that_is_not_a_log_is_refused_and_left_alone(
    path: Path, open_recorder: Opener
) -> None:
    for content in (b"name,grade\n2.16,amber\n", b"no newline at all"):
        path.write_bytes(content)
        with pytest.raises(OperationalError, match="is not an eventsourcing-jsonl log"):
            open_recorder()
        assert path.read_bytes() == content


def test_a_log_of_another_version_is_refused(path: Path, open_recorder: Opener) -> None:
    path.write_bytes(b'{"format":"eventsourcing-jsonl","version":2}\n')
    with pytest.raises(OperationalError, match="of version 2; this module reads version 1"):
        open_recorder()


def test_a_torn_first_line_is_a_new_file(path: Path, open_recorder: Opener) -> None:
    path.write_bytes(b'{"format":"event')
    assert open_recorder().max_notification_id() is None
    assert path.read_bytes() == b'{"format":"eventsourcing-jsonl","version":1}\n'


def test_a_file_cut_short_while_open_is_reported(path: Path, open_recorder: Opener) -> None:
    recorder = open_recorder()
    recorder.insert_events([event("a", 1)])
    os.truncate(path, 10)
    with pytest.raises(OperationalError, match=r"fewer than the .* already read"):
        recorder.max_notification_id()


def test_a_closed_recorder_refuses_to_work(open_recorder: Opener) -> None:
    recorder = open_recorder()
    recorder.close()
    with pytest.raises(InterfaceError, match="is closed"):
        recorder.insert_events([event("a", 1)])


def test_a_folder_or_a_file_that_cannot_be_opened_is_an_operational_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(OperationalError, match="cannot open"):
        JsonlLog(str(tmp_path))
    with pytest.raises(OperationalError, match="cannot open"):
        JsonlLog(str(tmp_path / "missing" / "log.jsonl"))


# --- the factory --------------------------------------------------------------------------


def test_the_factory_reads_its_settings_and_keeps_snapshots_beside_the_log(path: Path) -> None:
    factory = JsonlFactory({"JSONL_PATH": str(path), "JSONL_FSYNC": "no"})
    try:
        snapshots = factory.aggregate_recorder("snapshots")
        snapshots.insert_events([event("a", 5)])
        assert factory.fsync is False
    finally:
        factory.close()
    assert (path.parent / "log.snapshots.jsonl").is_file()
    assert not path.exists()  # nothing asked for the log itself


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "no log file named: set one of JSONL_PATH"),
        ({"JSONL_PATH": "x", "JSONL_FSYNC": "perhaps"}, "invalid truth value 'perhaps'"),
        ({"JSONL_PATH": "x", "JSONL_POLL_INTERVAL": "0"}, "must be more than 0 seconds"),
        (
            {"JSONL_PATH": "x", "APPLICATION_RECORDER_TOPIC": "builtins:dict"},
            "is not a subclass of JsonlApplicationRecorder",
        ),
    ],
)
def test_the_factory_refuses_bad_settings(settings: dict[str, str], message: str) -> None:
    with pytest.raises(OSError, match=message):
        JsonlFactory(settings).application_recorder()
