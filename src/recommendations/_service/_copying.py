"""Copying logs: appending entries recorded elsewhere unchanged, and copying another
store's whole log, resuming a copy that stopped part-way."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from eventsourcing.persistence import IntegrityError, StoredEvent

from recommendations import domain
from recommendations._errors import ConfigurationError, RuleViolation
from recommendations._serialization import CommandRecord, Erasure

from ._item_logs import ItemLogs
from ._store import LogStore, translated
from ._values import subject_of

__all__ = ["Copier", "check_batch"]


def check_batch(batch: object) -> None:
    if not isinstance(batch, int) or batch < 1:
        raise ConfigurationError(
            f"batch must be a whole number of at least 1, not {batch!r}",
            field="batch",
            rule="batch",
        )


class Copier:
    """Appends to ``store`` entries taken as recorded (not decided again), forgetting
    the ``known`` logs of the items it appends to."""

    def __init__(self, store: LogStore, known: ItemLogs) -> None:
        self.store = store
        self.known = known

    def append_log(
        self,
        entries: Iterable[domain.Event],
        batch: int,
        progress: Callable[[int], None] | None,
    ) -> int:
        """See :meth:`Tracker.append_log`."""
        return self._append(iter(entries), batch=batch, progress=progress, records=False)

    def copy_from(
        self, source: LogStore, batch: int, progress: Callable[[int], None] | None
    ) -> int:
        """See :meth:`Tracker.copy_from` (the people's salts adopted first, by the caller)."""
        held, after = self.copied_prefix(source, batch)
        rest = (record for _, record in source.records(after, batch))

        def done(count: int) -> None:
            if progress is not None:
                progress(held + count)

        return self._append(rest, batch=batch, progress=done, records=True)

    def copied_prefix(self, source: LogStore, page_size: int) -> tuple[int, int]:
        """How many records this store holds, all the first ones of ``source``'s log in the
        same order and stored the same, and the source's position of the last of them; or
        :class:`RuleViolation` (rule ``copy-target-prefix``) if it holds anything else."""
        held = self.store.head()
        if not held:
            return 0, 0
        count = 0
        after = 0
        mine = self.store.stored(0, page_size)
        theirs = source.stored(0, page_size)
        for own in mine:
            other = next(theirs, None)
            count += 1
            if other is None:
                raise RuleViolation(
                    f"store {self.store.label!r} holds more records than the source "
                    f"{source.label!r} ({source.head()}): it is not a copy of part of it; "
                    "nothing was copied",
                    field="store",
                    rule="copy-target-prefix",
                )
            if not self._same_record(own, other, source):
                with translated(self.store.label):
                    record = self.store.decode(own)
                reference = getattr(record, "reference", None)
                raise RuleViolation(
                    f"record {count} of store {self.store.label!r} (entry "
                    f"{own.originator_version} of item {own.originator_id}) is not the "
                    f"source's record {count}: the store holds a log other than the start "
                    f"of {source.label!r}; nothing was copied",
                    reference=reference if isinstance(reference, str) else None,
                    field="store",
                    rule="copy-target-prefix",
                    subject=subject_of(record),
                )
            after = other.id
        return count, after

    def _same_record(self, own: StoredEvent, other: StoredEvent, source: LogStore) -> bool:
        """Whether two stored records are the same: the same item, version, type and
        stored state (or, where a store encrypts or compresses, the same once read)."""
        if (own.originator_id, own.originator_version, own.topic) != (
            other.originator_id,
            other.originator_version,
            other.topic,
        ):
            return False
        if own.state == other.state:
            return True
        with translated(self.store.label):
            return bool(self.store.decode(own) == source.decode(other))

    def _append(
        self,
        entries: Iterator[domain.Event | CommandRecord | Erasure],
        *,
        batch: int,
        progress: Callable[[int], None] | None,
        records: bool,
    ) -> int:
        check_batch(batch)
        versions: dict[uuid.UUID, int] = {}
        times: dict[uuid.UUID, datetime] = {}
        count = 0
        while True:
            chunk = list(itertools.islice(entries, batch))
            if not chunk:
                break
            for entry in chunk:
                if not isinstance(entry, domain.Event) and not (
                    records and isinstance(entry, CommandRecord | Erasure)
                ):
                    raise RuleViolation(
                        f"{entry!r} is not an entry of a recommendations log",
                        field="entries",
                        rule="type",
                    )
                reference = getattr(entry, "reference", None)
                item, version = entry.originator_id, entry.originator_version
                if item not in versions:
                    versions[item] = 0
                    if version != 1:
                        stored = self.store.last_stored(item)
                        if stored is not None:
                            versions[item] = stored.originator_version
                            times[item] = self.store.decode(stored).recorded_at
                if version != versions[item] + 1:
                    raise RuleViolation(
                        f"entry {version} of item {item} does not follow entry "
                        f"{versions[item]}, the last of that item in the store or before it",
                        reference=reference if isinstance(reference, str) else None,
                        field="originator_version",
                        rule="next-version",
                    )
                before = times.get(item)
                if before is not None and entry.recorded_at <= before:
                    raise RuleViolation(
                        f"entry {version} of item {item} was recorded at "
                        f"{entry.recorded_at.isoformat()}, not after the entry before it "
                        f"({before.isoformat()})",
                        reference=reference if isinstance(reference, str) else None,
                        field="recorded_at",
                        rule="recorded-in-order",
                    )
                versions[item] = version
                times[item] = entry.recorded_at
            try:
                with translated(self.store.label, conflicts=False):
                    self.store.app.save(*chunk)
            except IntegrityError as error:
                raise RuleViolation(
                    "an entry of this batch is already in the store (the log, or part of "
                    f"it, was appended before); entries {count + 1} to {count + len(chunk)} "
                    "were not written",
                    field="originator_version",
                    rule="next-version",
                ) from error
            count += len(chunk)
            self.known.forget({entry.originator_id for entry in chunk})
            if progress is not None:
                progress(count)
        return count
