"""Who a view is for, what it leaves out for them, and what is sensitive.

Every view (:class:`~recommendations.views.Register`, :class:`~recommendations.views.Trail`,
:class:`~recommendations.views.CommitteeUpdate`) carries a :class:`Disclosure` saying which
:class:`Audience` it was made for and how many items were withheld from it.
:class:`Sensitivity` is the set of references that are never shown to the public.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable

from attrs import frozen

from recommendations.domain import (
    Corrected,
    Event,
    InspectionRecorded,
    InspectionRevised,
    Raised,
    ReportPublished,
    ReportRevised,
)

__all__ = ["BODY_VIEW", "WITHHELD", "Audience", "AudiencePolicy", "Disclosure", "Sensitivity"]

WITHHELD = "(withheld)"
"""What a view shows in place of a link to an item its audience may not see: the
successor a recommendation was superseded by, the report or inspection an item names.
The link's field stays, so the reader knows there is one; the reference does not."""


class Audience(enum.Enum):
    """Whom a view is shown to.

    - ``BODY``: the inspected body itself sees everything, owner names included;
    - ``OVERSIGHT``: its oversight (an audit committee, a police and crime commissioner)
      sees every item, sensitive ones included, and owners by role, but not by name
      (unless the :class:`AudiencePolicy` says otherwise);
    - ``PUBLIC``: sees no sensitive item, nothing that identifies one, and no personal
      name: owners by role only, no actor, no name of who accepted a discharge.
    """

    PUBLIC = "public"
    OVERSIGHT = "oversight"
    BODY = "body"


_BREADTH = {Audience.PUBLIC: 0, Audience.OVERSIGHT: 1, Audience.BODY: 2}


def narrower(first: Audience, second: Audience) -> bool:
    """Whether ``first`` sees strictly less than ``second``."""
    return _BREADTH[first] < _BREADTH[second]


@frozen(kw_only=True)
class AudiencePolicy:
    """The choices a body makes about what its audiences see.

    ``count_withheld``: whether a public view says how many items it withheld (``True``,
    the default: "3 items withheld") or only that some may have been (``False``: the
    number itself could tell too much where there are few sensitive items).

    ``oversight_sees_owner_names``: whether the oversight audience sees owners' names as
    well as their roles (``False`` by default: it holds roles to account, not people).
    """

    count_withheld: bool = True
    oversight_sees_owner_names: bool = False


@frozen(kw_only=True)
class Disclosure:
    """What a view leaves out, and for whom it was made.

    ``withheld`` is the number of items (recommendations, reports and inspections, not
    entries) left out of the view; it is ``None`` when the policy does not count them
    (``counted`` is then ``False``). ``owner_names`` says whether owners' names are shown.
    The default is the body's own view: nothing withheld, names shown.
    """

    audience: Audience = Audience.BODY
    withheld: int | None = 0
    counted: bool = True
    owner_names: bool = True

    def describe(self) -> str:
        """One sentence for the foot of a rendered view.

        >>> Disclosure(audience=Audience.PUBLIC, withheld=2, owner_names=False).describe()
        'Public view: 2 sensitive items withheld; owners shown by role only.'
        """
        who = f"{self.audience.value.capitalize()} view"
        if not self.counted:
            withheld = "sensitive items withheld, and not counted"
        elif self.withheld:
            plural = "s" if self.withheld != 1 else ""
            withheld = f"{self.withheld} sensitive item{plural} withheld"
        else:
            withheld = "nothing withheld"
        names = "owners shown by name and role" if self.owner_names else "owners shown by role only"
        return f"{who}: {withheld}; {names}."


LINKS = {
    "superseded_by": "recommendation",
    "report": "report",
    "expected_report": "report",
    "inspection": "inspection",
}
"""The fields of an item (or of an entry, or of what it changed) that name another item,
and what kind of item they name. Each passes the same audience filter as the item it names:
for the public, a link to a sensitive item reads :data:`WITHHELD`. (``expected_report`` is
free text, withheld when it is the reference of a sensitive report.)"""

BODY_VIEW = Disclosure()
"""The body's own view: nothing withheld, owner names shown."""


@frozen(kw_only=True)
class Sensitivity:
    """The references the public never sees: sensitive items and everything from them.

    A report is sensitive if it, or the inspection it names, is; a recommendation if it,
    its report or its inspection is. :meth:`of` reads a log and is deliberately one-way:
    an item that *any* entry marked sensitive (a revision, a correction) stays sensitive,
    so a public view of any date leaves out what is sensitive now or ever was.
    """

    recommendations: frozenset[str] = frozenset()
    reports: frozenset[str] = frozenset()
    inspections: frozenset[str] = frozenset()

    def __or__(self, other: Sensitivity) -> Sensitivity:
        return Sensitivity(
            recommendations=self.recommendations | other.recommendations,
            reports=self.reports | other.reports,
            inspections=self.inspections | other.inspections,
        )

    def recommendation(
        self, reference: str, report: str | None = None, inspection: str | None = None
    ) -> bool:
        """Whether the recommendation ``reference`` (from ``report``, ``inspection``) is."""
        return (
            reference in self.recommendations
            or (report is not None and report in self.reports)
            or (inspection is not None and inspection in self.inspections)
        )

    def report(self, reference: str, inspection: str | None = None) -> bool:
        """Whether the report ``reference`` (from ``inspection``) is sensitive."""
        return reference in self.reports or (
            inspection is not None and inspection in self.inspections
        )

    def inspection(self, reference: str) -> bool:
        """Whether the inspection ``reference`` is sensitive."""
        return reference in self.inspections

    def names(self, field: str, value: object) -> bool:
        """Whether ``value``, the value of ``field``, names a sensitive item: a field that
        names a recommendation (``superseded_by``), a report (``report``,
        ``expected_report``) or an inspection (``inspection``). Any other field names
        nothing."""
        kind = LINKS.get(field)
        if not isinstance(value, str) or kind is None:
            return False
        if kind == "recommendation":
            return self.recommendation(value)
        if kind == "report":
            return self.report(value)
        return self.inspection(value)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Sensitivity:
        """Everything in ``events`` that any entry marks sensitive, or that comes from it."""
        inspections: set[str] = set()
        reports: set[str] = set()
        recommendations: set[str] = set()
        report_inspections: set[tuple[str, str]] = set()
        sources: set[tuple[str, str | None, str | None]] = set()
        names: dict[uuid.UUID, str] = {}
        raisings: list[Raised] = []
        for event in events:
            if isinstance(event, InspectionRecorded | ReportPublished | Raised):
                names[event.originator_id] = event.reference
            if isinstance(event, Raised):
                raisings.append(event)
            elif isinstance(event, Corrected) and isinstance(event.replacement, Raised):
                raisings.append(event.replacement)
            elif isinstance(event, InspectionRecorded | InspectionRevised):
                if event.details.sensitive:
                    inspections.add(names.get(event.originator_id, ""))
            elif isinstance(event, ReportPublished | ReportRevised):
                reference = names.get(event.originator_id, "")
                if event.details.sensitive:
                    reports.add(reference)
                if event.details.inspection is not None:
                    report_inspections.add((reference, event.details.inspection))
        for raised in raisings:
            if raised.sensitive:
                recommendations.add(raised.reference)
            sources.add((raised.reference, raised.report, raised.inspection))
        reports |= {report for report, named in report_inspections if named in inspections}
        recommendations |= {
            reference
            for reference, report, inspection in sources
            if report in reports or inspection in inspections
        }
        inspections.discard("")
        reports.discard("")
        return cls(
            recommendations=frozenset(recommendations),
            reports=frozenset(reports),
            inspections=frozenset(inspections),
        )
