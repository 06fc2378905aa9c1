"""What the service hands back: an entry recorded or in the log (a
:class:`~recommendations.views.Positioned`), an entry decided."""

from __future__ import annotations

import uuid

from attrs import frozen

from recommendations import domain
from recommendations.views import Positioned

__all__ = ["Decided", "Positioned", "subject_of"]


def subject_of(event: object) -> str:
    """``"inspection"``, ``"report"``, ``"configuration"`` or ``"recommendation"``: what an
    entry is about."""
    if isinstance(event, domain.ConfigurationEvent):
        return "configuration"
    if isinstance(event, domain.InspectionEvent):
        return "inspection"
    if isinstance(event, domain.ReportEvent):
        return "report"
    return "recommendation"


@frozen
class Decided:
    """What :meth:`Tracker.decide` found a command would record, with nothing saved: the
    ``event`` (its item, entry number and recorded time assigned as :meth:`Tracker.execute`
    would assign them), and the ``position`` it would take in the whole log if it were
    recorded next, with nothing else written first."""

    event: domain.Event
    position: int

    @property
    def item(self) -> uuid.UUID:
        """The UUID of the item's log it would be entered in (derived from its reference)."""
        return self.event.originator_id

    @property
    def version(self) -> int:
        """Its entry number in that item's log."""
        return self.event.originator_version

    @property
    def reference(self) -> str:
        """The reference of the recommendation, report or inspection it is about."""
        return str(getattr(self.event, "reference", ""))

    @property
    def subject(self) -> str:
        """``"recommendation"``, ``"report"`` or ``"inspection"``."""
        return subject_of(self.event)
