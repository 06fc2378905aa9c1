"""An ``eventsourcing`` persistence module that keeps the log in one JSON-lines file.

Name it in an application's settings::

    PERSISTENCE_MODULE=recommendations_jsonl.persistence
    JSONL_PATH=/srv/tracker/log.jsonl

``JSONL_FSYNC=no`` skips flushing each write to disk (faster, for logs you can lose), and
``JSONL_POLL_INTERVAL`` is how often, in seconds, a subscription looks for entries that
other processes wrote (0.1 by default). Snapshots, if enabled, go to a file beside the log
(``log.snapshots.jsonl``).

The file is plain text, one JSON object a line::

    {"format":"eventsourcing-jsonl","version":1}
    {"first":1,"events":[{"uuid":"0b6…","version":1,"topic":"…","state":"{…}"}]}
    {"tracking":{"application_name":"upstream","notification_id":7}}

The first line says what the file is. Every other line is one transaction: its events take
the notification ids ``first``, ``first + 1``, …, and it may carry a tracking record (how far
a process has got through another application's log). An event's originator id is
``uuid`` (a UUID) or ``originator_id`` (text); its state is ``state`` (text) when it is UTF-8,
``state_base64`` when it is not.

Several threads and processes can share one file. A writer takes an exclusive ``flock`` on
it, reads what others appended since it last looked, checks its events against them
(raising :class:`~eventsourcing.persistence.IntegrityError` for a version already
recorded), appends its whole transaction as one line with one ``write``, flushes it to disk
and unlocks. A reader takes a shared lock and reads only the tail it has not seen. So a
transaction is all or nothing, notification ids are contiguous in commit order, and no id
becomes visible before a smaller one.

A transaction is committed when its line, newline included, is in the file. A writer that
dies part-way through leaves a line without its newline: readers ignore it, and the next
writer, which holds the exclusive lock and so knows no other write is under way, cuts it
off before appending. A complete line that does not parse is damage, not a crash, and is
reported as a :class:`~eventsourcing.persistence.DataError` naming its byte offset.

Limits: it needs ``fcntl`` (Linux, macOS, the BSDs) and a local file system; each recorder
keeps an index of the whole log in memory; a file must not be edited, truncated or replaced
while it is open.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    DataError,
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    ListenNotifySubscription,
    Notification,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
    Subscription,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.utils import Environment, EnvType, resolve_topic, strtobool

__all__ = [
    "FORMAT",
    "VERSION",
    "Factory",
    "JsonlAggregateRecorder",
    "JsonlApplicationRecorder",
    "JsonlFactory",
    "JsonlLog",
    "JsonlProcessRecorder",
    "JsonlRecorder",
    "JsonlSubscription",
    "JsonlTrackingRecorder",
    "Transaction",
    "decode_transaction",
    "encode_transaction",
]

FORMAT = "eventsourcing-jsonl"
"""What the first line of a log file says it is."""
VERSION = 1
"""The version of the format this module reads and writes."""

_HEADER = json.dumps({"format": FORMAT, "version": VERSION}, separators=(",", ":")).encode()
_HEADER_LINE = _HEADER + b"\n"
_CHUNK = 1 << 20  # read the tail a mebibyte at a time
_sync = getattr(os, "fdatasync", os.fsync)


# --- one line of the file -----------------------------------------------------------------


class Transaction(NamedTuple):
    """One line of the file: events recorded together, and perhaps a tracking record."""

    first: int
    """The notification id of the first event (the next id, when there are none)."""
    events: tuple[StoredEvent, ...]
    tracking: Tracking | None


def encode_transaction(transaction: Transaction) -> bytes:
    """``transaction`` as one line of JSON, newline included.

    JSON escapes every control character, so the only newline is the last byte.
    """
    line: dict[str, Any] = {}
    if transaction.events:
        line["first"] = transaction.first
        line["events"] = [_encode_event(event) for event in transaction.events]
    if transaction.tracking is not None:
        line["tracking"] = {
            "application_name": transaction.tracking.application_name,
            "notification_id": transaction.tracking.notification_id,
        }
    try:
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8") + b"\n"
    except (TypeError, ValueError) as error:  # UnicodeEncodeError is a ValueError
        raise DataError(f"cannot write the transaction as JSON: {error}") from error


def _encode_event(event: StoredEvent) -> dict[str, Any]:
    encoded: dict[str, Any] = (
        {"uuid": str(event.originator_id)}
        if isinstance(event.originator_id, UUID)
        else {"originator_id": event.originator_id}
    )
    encoded["version"] = event.originator_version
    encoded["topic"] = event.topic
    try:
        encoded["state"] = event.state.decode("utf-8")
    except UnicodeDecodeError:
        encoded["state_base64"] = base64.b64encode(event.state).decode("ascii")
    return encoded


def decode_transaction(line: bytes) -> Transaction:
    """The transaction one line holds (without its newline); ``ValueError`` if it holds none."""
    raw = json.loads(line)
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    events = raw.get("events", [])
    tracking = raw.get("tracking")
    if not isinstance(events, list) or (not events and tracking is None):
        raise ValueError("no events and no tracking record")
    first = raw.get("first", 0)
    if type(first) is not int or (events and first < 1):
        raise ValueError(f"'first' is {first!r}, not a notification id")
    return Transaction(
        first=first,
        events=tuple(_decode_event(event) for event in events),
        tracking=None if tracking is None else _decode_tracking(tracking),
    )


def _decode_event(raw: object) -> StoredEvent:
    if not isinstance(raw, dict):
        raise ValueError(f"an event is {raw!r}, not an object")
    originator_id: UUID | str
    if isinstance(raw.get("uuid"), str):
        originator_id = UUID(raw["uuid"])
    elif isinstance(raw.get("originator_id"), str):
        originator_id = raw["originator_id"]
    else:
        raise ValueError("an event has no originator id")
    version, topic = raw.get("version"), raw.get("topic")
    if type(version) is not int or not isinstance(topic, str):
        raise ValueError(f"an event of {originator_id} has no whole version or no topic")
    if isinstance(raw.get("state"), str):
        state = raw["state"].encode("utf-8")
    elif isinstance(raw.get("state_base64"), str):
        try:
            state = base64.b64decode(raw["state_base64"], validate=True)
        except binascii.Error as error:
            raise ValueError(f"version {version} of {originator_id}: {error}") from None
    else:
        raise ValueError(f"version {version} of {originator_id} has no state")
    return StoredEvent(
        originator_id=originator_id, originator_version=version, topic=topic, state=state
    )


def _decode_tracking(raw: object) -> Tracking:
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("application_name"), str)
        or type(raw.get("notification_id")) is not int
    ):
        raise ValueError(f"the tracking record {raw!r} is not an application and an id")
    return Tracking(
        application_name=raw["application_name"], notification_id=raw["notification_id"]
    )


# --- the file, its locks, and what it holds -----------------------------------------------


class JsonlLog:
    """One log file as one recorder sees it: the file, its locks, and an index of it.

    The index (every event, each item's versions, each application's tracking id) is kept
    in memory and brought up to date from the file's tail before every read and write.
    One lock orders this object's threads; ``flock`` orders everyone else.
    """

    def __init__(self, path: str, *, fsync: bool = True) -> None:
        self.path = os.path.abspath(path)
        self.fsync = fsync
        self._lock = threading.Lock()
        self._fd = -1
        self._pid = 0
        self._closed = False
        self._end = 0  # the byte after the last complete line taken into the index
        self._events: list[Notification] = []  # notification id n is at n - 1
        self._sequences: dict[str, tuple[list[int], list[int]]] = {}  # versions, ids
        self._tracking: dict[str, int] = {}
        self._listeners: set[threading.Event] = set()
        with self._lock:
            self._open()
            # Check what the file is now, and give a new file its first line.
            with self._flocked(fcntl.LOCK_EX):
                self._refresh(writer=True)
                if self._end == 0:
                    self._write(_HEADER_LINE)
                    self._end = len(_HEADER_LINE)
                    self._sync_folder()

    # -- writing ---------------------------------------------------------------------------

    def append(self, events: Sequence[StoredEvent], tracking: Tracking | None = None) -> list[int]:
        """Record ``events`` (and ``tracking``) as one transaction; their notification ids.

        Raises :class:`~eventsourcing.persistence.IntegrityError`, and records nothing, if
        any event's version of its item is already recorded (or is twice in ``events``),
        or if ``tracking`` is not after the application's last tracking id.
        """
        if not events and tracking is None:
            return []
        with self._lock:
            self._open()
            with self._flocked(fcntl.LOCK_EX):
                self._refresh(writer=True)
                problem = self._conflict(events, tracking)
                if problem is not None:
                    raise IntegrityError(f"{self.path}: {problem}")
                transaction = Transaction(len(self._events) + 1, tuple(events), tracking)
                line = encode_transaction(transaction)
                self._write(line)
                self._take(transaction)
                self._end += len(line)
        for listener in list(self._listeners):
            listener.set()
        return list(range(transaction.first, transaction.first + len(events)))

    def _write(self, data: bytes) -> None:
        """Append ``data`` and flush it, or leave the file as it was and raise."""
        start = self._end
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            if self.fsync:
                _sync(self._fd)
        except OSError as error:
            with suppress(OSError):
                os.ftruncate(self._fd, start)
            raise OperationalError(f"cannot write to {self.path}: {error}") from error

    def _conflict(self, events: Sequence[StoredEvent], tracking: Tracking | None) -> str | None:
        """Why ``events`` and ``tracking`` cannot follow what the index holds, if they can't."""
        batch: set[tuple[str, int]] = set()
        for event in events:
            key = (str(event.originator_id), event.originator_version)
            if key in batch:
                return f"version {key[1]} of {key[0]} is twice in one transaction"
            batch.add(key)
            versions = self._sequences.get(key[0], ([], []))[0]
            at = bisect.bisect_left(versions, key[1])
            if at < len(versions) and versions[at] == key[1]:
                return f"version {key[1]} of {key[0]} is already recorded"
        if tracking is not None:
            done = self._tracking.get(tracking.application_name)
            if done is not None and done >= tracking.notification_id:
                return (
                    f"tracking id {tracking.notification_id} of "
                    f"{tracking.application_name!r} is not after {done}"
                )
        return None

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the index, brought up to date with the file, while the block reads it."""
        with self._lock:
            self._open()
            if os.fstat(self._fd).st_size != self._end:
                with self._flocked(fcntl.LOCK_SH):
                    self._refresh(writer=False)
            yield

    def has_news(self) -> bool:
        """Whether the file holds bytes the index has not taken in (without reading them)."""
        with self._lock:
            self._open()
            return os.fstat(self._fd).st_size != self._end

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """An item's events, by version: those after ``gt`` up to ``lte``, ``limit`` of them."""
        with self.reading():
            versions, ids = self._sequences.get(str(originator_id), ([], []))
            low = 0 if gt is None else bisect.bisect_right(versions, gt)
            high = len(versions) if lte is None else bisect.bisect_right(versions, lte)
            chosen = ids[low:high]
            if desc:
                chosen.reverse()
            if limit is not None:
                chosen = chosen[: max(limit, 0)]
            return [_stored(self._events[n - 1]) for n in chosen]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        """Up to ``limit`` notifications from ``start`` (or after it) up to ``stop``."""
        with self.reading():
            first = 1 if start is None else (start if inclusive_of_start else start + 1)
            last = len(self._events) if stop is None else min(stop, len(self._events))
            wanted = set(topics)
            found: list[Notification] = []
            for n in range(max(first, 1), last + 1):
                if len(found) >= limit:
                    break
                notification = self._events[n - 1]
                if not wanted or notification.topic in wanted:
                    found.append(notification)
            return found

    def max_notification_id(self) -> int | None:
        with self.reading():
            return len(self._events) or None

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.reading():
            return self._tracking.get(application_name)

    def listen(self, event: threading.Event) -> None:
        """Set ``event`` whenever this object appends a transaction."""
        self._listeners.add(event)

    def unlisten(self, event: threading.Event) -> None:
        self._listeners.discard(event)

    # -- the file --------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the file, or open it again in a child process (whose descriptor would
        otherwise share its parent's lock)."""
        if self._closed:
            raise InterfaceError(f"the log {self.path} is closed")
        if self._pid == os.getpid():
            return
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        try:
            flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
            self._fd = os.open(self.path, flags, 0o644)
        except OSError as error:
            raise OperationalError(f"cannot open {self.path}: {error}") from error
        self._pid = os.getpid()

    @contextmanager
    def _flocked(self, operation: int) -> Iterator[None]:
        try:
            fcntl.flock(self._fd, operation)
        except OSError as error:
            raise OperationalError(f"cannot lock {self.path}: {error}") from error
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _refresh(self, *, writer: bool) -> None:
        """Take in the lines appended since the last look; cut off a torn last line if
        this is a writer (which holds the exclusive lock)."""
        size = os.fstat(self._fd).st_size
        if size < self._end:
            raise OperationalError(
                f"{self.path} holds {size} bytes, fewer than the {self._end} already read: "
                "it was truncated or replaced while open"
            )
        pending = b""
        position = self._end
        while position < size:
            chunk = os.pread(self._fd, min(_CHUNK, size - position), position)
            if not chunk:
                break
            position += len(chunk)
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self._take_line(line)
        if not pending:
            return
        if self._end == 0 and not _HEADER_LINE.startswith(pending):
            raise OperationalError(f"{self.path} is not an {FORMAT} log: {pending[:60]!r}")
        if writer:
            try:
                os.ftruncate(self._fd, self._end)
                if self.fsync:
                    _sync(self._fd)
            except OSError as error:
                raise OperationalError(f"cannot repair {self.path}: {error}") from error

    def _take_line(self, line: bytes) -> None:
        offset = self._end
        if offset == 0:
            self._check_header(line)
        else:
            try:
                transaction = decode_transaction(line)
            except ValueError as error:
                raise DataError(f"{self.path}, line at byte {offset}: {error}") from None
            problem = (
                f"its first id is {transaction.first}, not {len(self._events) + 1}"
                if transaction.events and transaction.first != len(self._events) + 1
                else self._conflict(transaction.events, None)
            )
            if problem is not None:
                raise DataError(
                    f"{self.path}, line at byte {offset}: {problem} (was it written "
                    "without the lock?)"
                )
            self._take(transaction)
        self._end = offset + len(line) + 1

    def _check_header(self, line: bytes) -> None:
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise OperationalError(f"{self.path} is not an {FORMAT} log: {line[:60]!r}")
        if header.get("version") != VERSION:
            raise OperationalError(
                f"{self.path} is an {FORMAT} log of version {header.get('version')!r}; "
                f"this module reads version {VERSION}"
            )

    def _take(self, transaction: Transaction) -> None:
        """Add a transaction that fits (see :meth:`_conflict`) to the index."""
        for event in transaction.events:
            n = len(self._events) + 1
            self._events.append(
                Notification(
                    id=n,
                    originator_id=event.originator_id,
                    originator_version=event.originator_version,
                    topic=event.topic,
                    state=event.state,
                )
            )
            versions, ids = self._sequences.setdefault(str(event.originator_id), ([], []))
            at = bisect.bisect_left(versions, event.originator_version)
            versions.insert(at, event.originator_version)
            ids.insert(at, n)
        tracking = transaction.tracking
        if tracking is not None:
            done = self._tracking.get(tracking.application_name, tracking.notification_id)
            self._tracking[tracking.application_name] = max(done, tracking.notification_id)

    def _sync_folder(self) -> None:
        """Make a new file's name durable too."""
        if not self.fsync:
            return
        folder = os.open(os.path.dirname(self.path), os.O_RDONLY)
        try:
            os.fsync(folder)
        except OSError:  # some file systems cannot sync a folder: the file itself is synced
            pass
        finally:
            os.close(folder)

    def close(self) -> None:
        """Close the file; the log can no longer be read or written through this object."""
        with self._lock:
            self._closed = True
            if self._fd >= 0:
                os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        with suppress(Exception):
            self.close()


def _stored(notification: Notification) -> StoredEvent:
    return StoredEvent(
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=notification.state,
    )


# --- the recorders ------------------------------------------------------------------------


class JsonlRecorder:
    """What every recorder here has: a :class:`JsonlLog` of its own."""

    def __init__(self, path: str, *, fsync: bool = True, poll_interval: float = 0.1) -> None:
        self.log = JsonlLog(path, fsync=fsync)
        self.poll_interval = poll_interval

    def close(self) -> None:
        self.log.close()


class JsonlAggregateRecorder(JsonlRecorder, AggregateRecorder):
    """Events by item: ``insert_events`` and ``select_events``."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        self.log.append(stored_events)
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        return self.log.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)


class JsonlApplicationRecorder(JsonlAggregateRecorder, ApplicationRecorder):
    """Events by item and in one application sequence, with subscriptions."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self.log.append(stored_events)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        return self.log.select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )

    def max_notification_id(self) -> int | None:
        return self.log.max_notification_id()

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return JsonlSubscription(self, gt=gt, topics=topics)


class JsonlSubscription(ListenNotifySubscription[JsonlApplicationRecorder]):
    """New notifications as they are recorded: at once when this recorder records them,
    within ``poll_interval`` seconds when another recorder or process does."""

    def __init__(
        self, recorder: JsonlApplicationRecorder, gt: int | None = None, topics: Sequence[str] = ()
    ) -> None:
        self._polling = threading.Event()  # set by stop(), which the base class may call
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._recorder.log.listen(self._has_been_notified)
        self._has_been_notified.set()  # an event recorded before listen() is not missed
        self._poller = threading.Thread(target=self._poll, daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._polling.wait(self._recorder.poll_interval):
            try:
                news = self._recorder.log.has_news()
            except (InterfaceError, OperationalError):  # closed: nothing more will come
                return
            if news:
                self._has_been_notified.set()

    def stop(self) -> None:
        self._polling.set()
        self._recorder.log.unlisten(self._has_been_notified)
        super().stop()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poller.join()


class JsonlTrackingRecorder(JsonlRecorder, TrackingRecorder):
    """How far a process has got through other applications' logs."""

    def insert_tracking(self, tracking: Tracking) -> None:
        self.log.append((), tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.log.max_tracking_id(application_name)


class JsonlProcessRecorder(JsonlTrackingRecorder, JsonlApplicationRecorder, ProcessRecorder):
    """Events and the tracking record of what they were decided from, in one transaction."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        tracking: Tracking | None = kwargs.get("tracking")
        return self.log.append(stored_events, tracking)


# --- the factory --------------------------------------------------------------------------

_R = TypeVar("_R", bound=JsonlRecorder)


class JsonlFactory(InfrastructureFactory[JsonlTrackingRecorder]):
    """Makes the recorders of the log ``JSONL_PATH`` names (see the module's docstring)."""

    JSONL_PATH = "JSONL_PATH"
    JSONL_FSYNC = "JSONL_FSYNC"
    JSONL_POLL_INTERVAL = "JSONL_POLL_INTERVAL"

    aggregate_recorder_class = JsonlAggregateRecorder
    application_recorder_class = JsonlApplicationRecorder
    tracking_recorder_class = JsonlTrackingRecorder
    process_recorder_class = JsonlProcessRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        path = self.env.get(self.JSONL_PATH)
        if not path:
            keys = ", ".join(self.env.create_keys(self.JSONL_PATH))
            raise OSError(f"no log file named: set one of {keys}")
        self.path = path
        try:
            self.fsync = strtobool(self.env.get(self.JSONL_FSYNC) or "yes")
            self.poll_interval = float(self.env.get(self.JSONL_POLL_INTERVAL) or "0.1")
        except ValueError as error:
            raise OSError(f"{self.JSONL_FSYNC} or {self.JSONL_POLL_INTERVAL}: {error}") from None
        if not self.poll_interval > 0:
            raise OSError(f"{self.JSONL_POLL_INTERVAL} must be more than 0 seconds")
        self._made: list[JsonlRecorder] = []

    def _made_here(self, recorder_class: type[_R], path: str | None = None) -> _R:
        recorder = recorder_class(
            path or self.path, fsync=self.fsync, poll_interval=self.poll_interval
        )
        self._made.append(recorder)
        return recorder

    def _chosen(self, topic_key: str, default: type[_R]) -> type[_R]:
        """The class a ``*_RECORDER_TOPIC`` setting names, or ``default``."""
        topic = self.env.get(topic_key)
        chosen: object = resolve_topic(topic) if topic else default
        if not (isinstance(chosen, type) and issubclass(chosen, default)):
            raise OSError(f"{topic_key}: {topic!r} is not a subclass of {default.__name__}")
        return chosen

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        """The log itself for events; a file beside it for anything else (snapshots)."""
        path = self.path
        if purpose != "events":
            stem, suffix = os.path.splitext(self.path)
            path = f"{stem}.{purpose}{suffix}"
        return self._made_here(self.aggregate_recorder_class, path)

    def application_recorder(self) -> ApplicationRecorder:
        return self._made_here(
            self._chosen(self.APPLICATION_RECORDER_TOPIC, self.application_recorder_class)
        )

    def tracking_recorder(
        self, tracking_recorder_class: type[JsonlTrackingRecorder] | None = None
    ) -> JsonlTrackingRecorder:
        return self._made_here(
            tracking_recorder_class
            or self._chosen(self.TRACKING_RECORDER_TOPIC, self.tracking_recorder_class)
        )

    def process_recorder(self) -> ProcessRecorder:
        return self._made_here(
            self._chosen(self.PROCESS_RECORDER_TOPIC, self.process_recorder_class)
        )

    def close(self) -> None:
        """Close every recorder this factory made."""
        made, self._made = self._made, []
        for recorder in made:
            recorder.close()


Factory = JsonlFactory
"""The name ``eventsourcing``'s own persistence modules give their factory."""
