"""Value objects: grading scales, kinds of tracked item, the policy, and small enums.

Grading scales and kinds of item are *data*: a tracker configures its own without touching
the core. The defaults follow the UK policing example (red/amber/green progress, the PEEL
report grades), and GAO's and a four-point implementation scale are provided ready-made.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from attrs import field, frozen

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_POLICY",
    "FOUR_POINT",
    "GAO",
    "PEEL",
    "PLAN_SCALE",
    "RAG",
    "AreaGrade",
    "Finding",
    "FindingKind",
    "Grade",
    "GradingScale",
    "ItemKind",
    "Outcome",
    "Policy",
    "Response",
    "Scope",
    "Status",
    "Term",
]


class Scope(enum.Enum):
    """Whom a recommendation was made to."""

    BODY = "body"
    """This body only."""
    NATIONAL = "national"
    """Every body of its kind (a national thematic inspection)."""
    ADDRESSED = "addressed"
    """Another named body than the one inspected, recorded as ``addressed_to`` (a
    government department, a partner agency, the agency a GAO recommendation is made to)."""


class Response(enum.Enum):
    """What the body's management said to a recommendation."""

    AGREED = "agreed"
    PARTLY_AGREED = "partly-agreed"
    NOT_AGREED = "not-agreed"


class Outcome(enum.Enum):
    """How a discharged recommendation ended."""

    IMPLEMENTED = "implemented"
    SUPERSEDED = "superseded"
    """Replaced by another recommendation, named in ``superseded_by``."""
    NO_LONGER_RELEVANT = "no-longer-relevant"
    CLOSED_BY_INSPECTORATE = "closed-by-inspectorate"
    NOT_IMPLEMENTED = "not-implemented"
    """Closed without being implemented (GAO's "Closed - Not Implemented"): counted apart
    from implemented wherever outcomes are counted."""


class Status(enum.Enum):
    """Where a recommendation stands in its lifecycle."""

    OPEN = "open"
    CLAIMED = "claimed"
    """The owner says it is implemented; the discharge has not been accepted yet."""
    DISCHARGED = "discharged"


class FindingKind(enum.Enum):
    """What a report found, that recommendations hang off."""

    CAUSE_OF_CONCERN = "cause-of-concern"
    AREA_FOR_IMPROVEMENT = "area-for-improvement"


def _non_empty(_instance: object, attribute: object, value: str) -> None:
    if not value.strip():
        name = getattr(attribute, "name", "value")
        raise ConfigurationError(f"{name} must not be empty", field=name, rule="required")


@frozen
class Grade:
    """One step of a grading scale: a stable ``code`` (stored) and a ``label`` (shown)."""

    code: str = field(validator=_non_empty)
    label: str = field(validator=_non_empty)


def _slug(label: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", label.lower()))


def _grades(value: Iterable[Grade]) -> tuple[Grade, ...]:
    return tuple(value)


@frozen
class GradingScale:
    """An ordered set of grades, from worst to best. Configure your own as data.

    >>> RAG.codes
    ('red', 'amber', 'green')
    >>> RAG.label("amber")
    'Amber'
    """

    name: str = field(validator=_non_empty)
    grades: tuple[Grade, ...] = field(converter=_grades)

    def __attrs_post_init__(self) -> None:
        if not self.grades:
            raise ConfigurationError(
                f"scale {self.name!r} has no grades", field="grades", rule="scale-not-empty"
            )
        codes = [g.code for g in self.grades]
        if len(set(codes)) != len(codes):
            raise ConfigurationError(
                f"scale {self.name!r} repeats a grade code: {codes}",
                field="grades",
                rule="scale-codes-unique",
            )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.grades)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def label(self, code: str) -> str:
        for grade in self.grades:
            if grade.code == code:
                return grade.label
        raise ConfigurationError(
            f"{code!r} is not on scale {self.name!r} ({', '.join(self.codes)})",
            field="grade",
            rule="grade-on-scale",
        )

    @classmethod
    def of(cls, name: str, *labels: str) -> GradingScale:
        """A scale whose codes are its labels in lower case, words joined by hyphens.

        >>> GradingScale.of("gao", "Open", "Closed - implemented").codes
        ('open', 'closed-implemented')
        """
        return cls(name, [Grade(_slug(label), label) for label in labels])


PLAN_SCALE = "improvement-plan"
"""The name of the scale whose grades are the statuses a report's improvement plan moves
through (say in draft, submitted, agreed): a policy without a scale of this name records
no plan status (rule ``plan-scale-configured``)."""

RAG = GradingScale.of("rag", "Red", "Amber", "Green")
"""The default progress scale of a recommendations tracker."""

GAO = GradingScale.of("gao", "Open", "Closed - not implemented", "Closed - implemented")
"""The U.S. Government Accountability Office's recommendation statuses."""

FOUR_POINT = GradingScale.of(
    "four-point",
    "Not started",
    "Partially implemented",
    "Substantially implemented",
    "Fully implemented",
)
"""A four-point implementation scale."""

PEEL = GradingScale.of("peel", "Inadequate", "Requires improvement", "Good", "Outstanding")
"""The grades HMIC's PEEL reports give a force, overall and by area."""


def _roles(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class ItemKind:
    """A kind of tracked item, and who may accept its discharge (roles, as data)."""

    name: str = field(validator=_non_empty)
    acceptors: tuple[str, ...] = field(converter=_roles)

    def __attrs_post_init__(self) -> None:
        if not self.acceptors:
            raise ConfigurationError(
                f"kind {self.name!r} names no role that may accept a discharge",
                field="acceptors",
                rule="kind-has-acceptors",
            )


@frozen
class AreaGrade:
    """A report's grade for one area it inspected."""

    area: str
    grade: str


@frozen
class Finding:
    """A cause of concern or area for improvement in a report."""

    reference: str
    kind: FindingKind
    text: str


@frozen
class Term:
    """A word a store uses: a stable ``code`` (a status's or an outcome's value) and the
    ``label`` it shows it as."""

    code: str = field(validator=_non_empty)
    label: str = field(validator=_non_empty)


def _terms(value: Mapping[str, str] | Iterable[Term]) -> tuple[Term, ...]:
    if isinstance(value, Mapping):
        return tuple(Term(code, label) for code, label in value.items())
    return tuple(value)


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


DEFAULT_STATUSES = (
    Term("open", "Open"),
    Term("claimed", "Claimed"),
    Term("discharged", "Discharged"),
)
DEFAULT_OUTCOMES = (
    Term("implemented", "Implemented"),
    Term("superseded", "Superseded"),
    Term("no-longer-relevant", "No longer relevant"),
    Term("closed-by-inspectorate", "Closed by the inspectorate"),
)


DEFAULT_RESPONSES = (
    Term("agreed", "Agreed"),
    Term("partly-agreed", "Partly agreed"),
    Term("not-agreed", "Not agreed"),
)


def _scales(value: Mapping[str, GradingScale] | Iterable[GradingScale]) -> tuple[GradingScale, ...]:
    if isinstance(value, Mapping):
        return tuple(value.values())
    return tuple(value)


def _kinds(value: Iterable[ItemKind]) -> tuple[ItemKind, ...]:
    return tuple(value)


@frozen
class Policy:
    """The data that configures a tracker: its grading scales and kinds of item.

    ``default_scale`` grades new recommendations unless a :class:`Raise` names another;
    ``report_scale`` names the scale this tracker's reports are graded on, for callers that
    build :class:`ReportDetails`; ``default_kind`` is the kind of a new item. Build your own
    policy to use other scales or acceptance rules; nothing in the core changes.

    ``statuses`` are the labels the three statuses are shown with (every status, once);
    ``outcomes`` the outcomes a discharge may name, with their labels (rule
    ``outcome-configured``); ``overdue_after_days``, if set, makes an open item with no due
    date overdue that many days after it was raised; ``uncounted`` are grade codes that mean
    the item is not the body's to act on (another body's responsibility, say): such items
    stay on the register but are left out of the body's totals.

    ``priorities`` are the priorities a recommendation may be given, highest first, with
    their labels (none: the store gives none; rule ``priority-configured``): ``1``, ``2``
    and ``3`` for an audit office, one ``priority`` code for a flag such as GAO's priority
    recommendations. ``responses`` are the labels of management's responses (every
    :class:`Response`, once; rule ``response-configured``).

    A store records its policy in its log (:class:`Configured`), so that the policy in
    force on any date, as known at any time, is part of its history.
    """

    scales: tuple[GradingScale, ...] = field(converter=_scales)
    kinds: tuple[ItemKind, ...] = field(converter=_kinds)
    default_scale: str = "rag"
    report_scale: str = "peel"
    default_kind: str = "recommendation"
    statuses: tuple[Term, ...] = field(default=DEFAULT_STATUSES, converter=_terms)
    outcomes: tuple[Term, ...] = field(default=DEFAULT_OUTCOMES, converter=_terms)
    overdue_after_days: int | None = None
    uncounted: tuple[str, ...] = field(default=(), converter=_codes)
    priorities: tuple[Term, ...] = field(default=(), converter=_terms)
    responses: tuple[Term, ...] = field(default=DEFAULT_RESPONSES, converter=_terms)

    def __attrs_post_init__(self) -> None:
        names = [s.name for s in self.scales]
        if len(set(names)) != len(names):
            raise ConfigurationError(
                f"policy repeats a scale name: {names}", field="scales", rule="unique-names"
            )
        kinds = [k.name for k in self.kinds]
        if len(set(kinds)) != len(kinds):
            raise ConfigurationError(
                f"policy repeats a kind name: {kinds}", field="kinds", rule="unique-names"
            )
        self.scale(self.default_scale)
        self.scale(self.report_scale)
        self.kind(self.default_kind)
        statuses = sorted(term.code for term in self.statuses)
        if statuses != sorted(status.value for status in Status):
            raise ConfigurationError(
                f"statuses must label open, claimed and discharged, once each (not "
                f"{', '.join(statuses) or 'none'})",
                field="statuses",
                rule="statuses-labelled",
            )
        outcomes = [term.code for term in self.outcomes]
        known = {outcome.value for outcome in Outcome}
        unknown = [code for code in outcomes if code not in known]
        if not outcomes or unknown or len(set(outcomes)) != len(outcomes):
            raise ConfigurationError(
                f"outcomes must be one or more of {', '.join(sorted(known))}, once each "
                f"(not {', '.join(outcomes) or 'none'})",
                field="outcomes",
                rule="outcome-known",
            )
        if self.overdue_after_days is not None and (
            isinstance(self.overdue_after_days, bool) or self.overdue_after_days < 1
        ):
            raise ConfigurationError(
                f"overdue_after_days must be a whole number of days, 1 or more (not "
                f"{self.overdue_after_days!r})",
                field="overdue_after_days",
                rule="overdue-days",
            )
        graded = {code for scale in self.scales for code in scale.codes}
        for code in self.uncounted:
            if code not in graded:
                raise ConfigurationError(
                    f"uncounted grade {code!r} is on no scale of this policy",
                    field="uncounted",
                    rule="grade-on-scale",
                )
        priorities = [term.code for term in self.priorities]
        if len(set(priorities)) != len(priorities):
            raise ConfigurationError(
                f"priorities repeat a code: {priorities}",
                field="priorities",
                rule="unique-names",
            )
        responses = sorted(term.code for term in self.responses)
        if responses != sorted(response.value for response in Response):
            raise ConfigurationError(
                f"responses must label agreed, partly-agreed and not-agreed, once each (not "
                f"{', '.join(responses) or 'none'})",
                field="responses",
                rule="response-configured",
            )

    def priority_label(self, code: str | None) -> str:
        """The label priority ``code`` is shown with (its code if this policy does not list
        it; empty for none)."""
        if code is None:
            return ""
        return next((term.label for term in self.priorities if term.code == code), code)

    def response_label(self, response: Response | None) -> str:
        """The label ``response`` is shown with (empty for none)."""
        if response is None:
            return ""
        return next(term.label for term in self.responses if term.code == response.value)

    def status_label(self, status: Status) -> str:
        """The label ``status`` is shown with."""
        return next(term.label for term in self.statuses if term.code == status.value)

    def outcome_label(self, outcome: Outcome) -> str:
        """The label ``outcome`` is shown with (its value if this policy does not list it)."""
        return next(
            (term.label for term in self.outcomes if term.code == outcome.value), outcome.value
        )

    def plan_label(self, status: str | None) -> str:
        """The label of a report's improvement-plan ``status`` on this policy's
        :data:`PLAN_SCALE` scale (the code itself if it has none; empty for ``None``)."""
        if status is None:
            return ""
        for scale in self.scales:
            if scale.name == PLAN_SCALE:
                return next((g.label for g in scale.grades if g.code == status), status)
        return status

    def is_overdue(self, *, status: Status, due_on: date | None, raised_on: date, on: date) -> bool:
        """Whether an item is overdue on ``on``: not discharged, and past its due date; or,
        with no due date, raised more than ``overdue_after_days`` days before ``on``."""
        if status is Status.DISCHARGED:
            return False
        if due_on is not None:
            return due_on < on
        days = self.overdue_after_days
        return days is not None and raised_on + timedelta(days=days) < on

    def counted(self, grade: str | None) -> bool:
        """Whether an item at ``grade`` counts in the body's totals."""
        return grade not in self.uncounted

    def scale(self, name: str) -> GradingScale:
        for scale in self.scales:
            if scale.name == name:
                return scale
        raise ConfigurationError(
            f"no grading scale {name!r} in this policy "
            f"(it has {', '.join(s.name for s in self.scales)})",
            field="scale",
            rule="scale-configured",
        )

    def kind(self, name: str) -> ItemKind:
        for kind in self.kinds:
            if kind.name == name:
                return kind
        raise ConfigurationError(
            f"no kind of item {name!r} in this policy "
            f"(it has {', '.join(k.name for k in self.kinds)})",
            field="kind",
            rule="kind-configured",
        )


DEFAULT_POLICY = Policy(
    scales=(RAG, GAO, FOUR_POINT, PEEL),
    kinds=(
        ItemKind("recommendation", ("inspectorate", "oversight-board")),
        ItemKind("area-for-improvement", ("body", "oversight-board", "inspectorate")),
    ),
)
"""RAG progress grades, PEEL report grades; an inspectorate or an oversight board accepts the
discharge of a recommendation, and the body itself may also close an area for improvement."""
