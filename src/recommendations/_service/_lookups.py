"""The lookups that deciding and reading share: an item's entries checked to be of one
kind, and a report or inspection as at a date, from whatever reads an item's log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar, cast

import attrs

from recommendations import domain
from recommendations._errors import NotFound, StoreError

__all__ = ["History", "find_inspection", "find_report", "not_yet", "of_kind"]

E = TypeVar("E", bound=domain.Event)


class History(Protocol):
    """Reads an item's log, checked to hold entries of one kind only."""

    def __call__(self, originator_id: uuid.UUID, kind: type[E], /) -> list[E]: ...


def of_kind(events: Sequence[domain.Event], originator_id: uuid.UUID, kind: type[E]) -> list[E]:
    """``events``, every one of ``kind``; else :class:`StoreError` (``one-kind-per-item``)."""
    for event in events:
        if not isinstance(event, kind):
            raise StoreError(
                f"entry {event.originator_version} of {originator_id} is a "
                f"{type(event).__name__}, not a {kind.__name__}",
                rule="one-kind-per-item",
            )
    return cast(list[E], list(events))


def not_yet(subject: str, as_at: date | None, known_at: datetime | None) -> str:
    """What a lookup that found nothing says, with the dates it was made on."""
    if as_at is None and known_at is None:
        return f"no {subject} has this reference"
    when = []
    if as_at is not None:
        when.append(f"as at {as_at}")
    if known_at is not None:
        when.append(f"as known at {known_at.isoformat()}")
    return f"no {subject} has this reference {' '.join(when)}"


def find_inspection(
    history: History,
    reference: str,
    as_at: date | None = None,
    known_at: datetime | None = None,
    *,
    missing_ok: bool = False,
) -> domain.Inspection | None:
    """The inspection as at ``as_at``, as known at ``known_at``; ``None`` if there is none
    and ``missing_ok``, else :class:`NotFound`."""
    inspection = domain.project_inspection(
        history(domain.inspection_id(reference), domain.InspectionEvent),
        as_at=as_at,
        known_at=known_at,
    )
    if inspection is None and not missing_ok:
        raise NotFound(
            not_yet("inspection", as_at, known_at), reference=reference, subject="inspection"
        )
    return inspection


def find_report(
    history: History,
    reference: str,
    as_at: date | None = None,
    known_at: datetime | None = None,
) -> domain.Report | None:
    """The report as at ``as_at``, as known at ``known_at`` (``None`` if there is none),
    marked sensitive if the inspection it came from is."""
    report = domain.project_report(
        history(domain.report_id(reference), domain.ReportEvent), as_at=as_at, known_at=known_at
    )
    if report is not None and report.details.inspection is not None:
        inspection = find_inspection(
            history, report.details.inspection, as_at, known_at, missing_ok=True
        )
        if inspection is not None and inspection.sensitive:
            report = attrs.evolve(report, inspection_sensitive=True)
    return report
