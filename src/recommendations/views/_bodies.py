"""One body's part of a log that keeps several: what a body's reads are computed from.

A store may keep the recommendations of several bodies (an inspectorate's national view,
an authority's view of its services). :func:`of_body` cuts the log to one body's items,
so that the trail and the committee update of that body are the folds of its part alone,
with every entry at the position it has in the whole log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from recommendations.domain import (
    Corrected,
    InspectionEvent,
    InspectionRecorded,
    InspectionRevised,
    Raised,
    RecommendationEvent,
    ReportEvent,
    ReportPublished,
    ReportRevised,
)

from ._log import Positioned

__all__ = ["of_body"]


def of_body(log: Iterable[Positioned], body: str) -> list[Positioned]:
    """The entries of ``log`` about ``body``, in log order: the store's configuration;
    each recommendation raised for it (its report's body is ``body``, or it is addressed
    to ``body``), as any entry of its log (a raising or a correction of one) has said;
    each report and inspection whose body is ``body`` as any of its entries has said;
    and the reports those recommendations were raised from, and the inspections of
    those reports."""
    held = list(log)
    items: set[uuid.UUID] = set()
    reports: set[str] = set()
    inspections: set[str] = set()
    for logged in held:
        event = logged.event
        raised = event.replacement if isinstance(event, Corrected) else event
        if isinstance(raised, Raised) and body in (raised.body, raised.addressed_to):
            items.add(event.originator_id)
            reports.add(raised.report)
            if raised.inspection is not None:
                inspections.add(raised.inspection)
        elif isinstance(event, ReportPublished | ReportRevised) and event.details.body == body:
            items.add(event.originator_id)
            if event.details.inspection is not None:
                inspections.add(event.details.inspection)
        elif isinstance(event, InspectionRecorded | InspectionRevised) and (
            event.details.body == body
        ):
            items.add(event.originator_id)
    for logged in held:
        event = logged.event
        if (isinstance(event, ReportPublished) and event.reference in reports) or (
            isinstance(event, InspectionRecorded) and event.reference in inspections
        ):
            items.add(event.originator_id)
    return [
        logged
        for logged in held
        if logged.event.originator_id in items
        or not isinstance(logged.event, RecommendationEvent | ReportEvent | InspectionEvent)
    ]
