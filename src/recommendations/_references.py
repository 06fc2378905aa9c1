"""The references already taken in a store, by their case-folded key.

A reference that differs from one already entered only by case (``cb-21`` beside
``CB-21``) names, to a person, the same recommendation; the tracker refuses it (rule
``reference-unique-ignoring-case``). To know the references taken without reading the
whole register for every command, a tracker keeps this index: built from the entries that
create an item (a raising, a report's or an inspection's first entry) the first time an
item is created through it, then caught up from the log where it left off, and fed the
entries the tracker records itself. A tracker that only reads, or only records changes
to existing items, never builds it.

Like every rule that involves another item, this one is checked against the store as
read: two writers entering ``CB-21`` and ``cb-21`` at the same moment are not detected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import domain
from ._errors import AlreadyExists
from ._serialization import topic_of

__all__ = ["ReferenceIndex", "created_reference"]

_SUBJECTS: dict[type[domain.Event], str] = {
    domain.Raised: "recommendation",
    domain.ReportPublished: "report",
    domain.InspectionRecorded: "inspection",
}
_TOPICS = tuple(topic_of(kind) for kind in _SUBJECTS)
_PAGE = 1000


def created_reference(event: object) -> tuple[str, str] | None:
    """``(subject, reference)`` of an entry that creates an item, else ``None``."""
    subject = _SUBJECTS.get(type(event))  # type: ignore[arg-type]
    reference = getattr(event, "reference", None)
    if subject is None or not isinstance(reference, str):
        return None
    return subject, reference


class ReferenceIndex:
    """The references taken in a store, by subject and :func:`~domain.reference_key`.

    ``select`` reads the log's entries that create items after a position (the recorder's
    ``select_notifications`` with topics), ``decode`` turns one into its event.
    """

    def __init__(
        self,
        select: Callable[[int, int, int, Sequence[str]], Sequence[Any]],
        decode: Callable[[Any], object],
    ) -> None:
        self._select = select
        self._decode = decode
        self._lock = threading.Lock()
        self._position = 0
        self._keys: dict[str, dict[str, str]] = {subject: {} for subject in _SUBJECTS.values()}

    def _add(self, subject: str, reference: str) -> None:
        self._keys[subject].setdefault(domain.reference_key(reference), reference)

    def catch_up(self, head: int) -> None:
        """Read the items created up to log position ``head`` that it does not know yet."""
        with self._lock:
            if head < self._position:  # a store restored from an older copy: start again
                self._position = 0
                for keys in self._keys.values():
                    keys.clear()
            while self._position < head:
                page = self._select(self._position, _PAGE, head, _TOPICS)
                for notification in page:
                    created = created_reference(self._decode(notification))
                    if created is not None:
                        self._add(*created)
                if len(page) < _PAGE:
                    self._position = head
                else:
                    self._position = page[-1].id

    def forget(self) -> None:
        """Drop what it learnt (after a transaction it learnt from rolled back): the next
        catch-up reads the log again."""
        with self._lock:
            self._position = 0
            for keys in self._keys.values():
                keys.clear()

    def recorded(self, first: int, last: int, events: Iterable[object]) -> None:
        """The tracker recorded ``events`` at positions ``first`` to ``last``: learn them
        if the index had caught up to just before (else the next catch-up reads them)."""
        with self._lock:
            if self._position != first - 1:
                return
            for event in events:
                created = created_reference(event)
                if created is not None:
                    self._add(*created)
            self._position = last

    def knows(self, subject: str, reference: str) -> bool:
        """Whether a ``subject`` whose reference differs from ``reference`` at most by case
        (or normal form) was created, as far as the index has read."""
        with self._lock:
            return domain.reference_key(reference) in self._keys[subject]

    def same_but_case(self, subject: str, reference: str) -> str | None:
        """The ``subject`` reference taken that differs from ``reference`` only by case."""
        existing = self._keys[subject].get(domain.reference_key(reference))
        return existing if existing != reference else None

    def check(self, subject: str, reference: str, staged: dict[str, str]) -> None:
        """Refuse ``reference`` if a ``subject`` whose reference differs from it only by
        case was entered, or is being entered in the same batch (``staged``: references
        by key), and add it to ``staged``."""
        key = domain.reference_key(reference)
        existing = self._keys[subject].get(key)
        if existing is None:
            existing = staged.get(key)
        if existing is not None and existing != reference:
            raise AlreadyExists(
                f"it differs only by case from {subject} {existing!r}, entered already: "
                f"name that one, or choose a reference that differs by more than case",
                reference=reference,
                field="reference",
                rule="reference-unique-ignoring-case",
                subject=subject,
            )
        staged[key] = reference
