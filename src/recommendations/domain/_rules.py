"""The lifecycle rules, checked one entry at a time along the effective-date timeline.

Each rule has a stable name, used in errors and in the documentation:

===========================  =========================================================
rule                         what it says
===========================  =========================================================
``required``                 names, texts, the actor and the reason are not blank
``type``                     every field holds a value of its declared type
``exists``                   the recommendation, report, inspection or entry named
                             exists (:class:`~recommendations.NotFound`)
``not-before-raised``        nothing takes effect before the recommendation was raised
``not-in-future``            nothing takes effect after the day it is recorded
``raised-once``              a reference is raised once
``not-before-report``        a recommendation is not raised before its report
``finding-in-report``        the finding a recommendation hangs off is in its report
``sensitive-source``         a recommendation from a sensitive source is sensitive
``scale-configured``         the scale named is in the policy (likewise
                             ``kind-configured`` for the kind of item)
``not-after-discharge``      nothing changes a discharged recommendation except
                             reopening or correcting it
``grade-on-scale``           a grade is on the recommendation's (or report's) scale
``due-not-before-raised``    a due date is not before the recommendation was raised
``due-month``                a due date known only to the month is its last day
``claim-needs-owner``        only an owned recommendation can be claimed implemented
``claim-only-open``          an implementation is claimed once until reopened
``discharge-names-outcome``  a discharge names its outcome, and a supersession names
                             the other recommendation
``outcome-configured``       the outcome a discharge names is one the policy allows
``priority-configured``      a priority is one the policy in force gives
``response-configured``      the policy labels every management response
``addressed-body``           a recommendation addressed to another body names it, and
                             only such a one names a body it is addressed to
``acceptor-allowed``         the role accepting a discharge may do so for this kind (and
                             only the inspectorate closes one as closed by it)
``reopen-only-discharged``   only a discharged recommendation can be reopened
``reject-only-claimed``      only a claimed implementation can be rejected
``no-change``                a command that changes nothing is refused
``correction-target``        a correction amends an existing entry that is not itself a
                             correction, keeps its type, version, time and reference,
                             and never strikes out the raising
``entered-once``             an inspection or report reference is entered once
``not-before-entered``       a revision does not take effect before the first entry
``fieldwork-in-order``       an inspection's fieldwork ends after it starts
``finding-unique``           a report's findings have distinct references
``text-characters``          free text holds no control character but newline and
                             tab, no surrogate and no noncharacter (``_text.py``)
``text-length``              names, titles and free text have a length limit
``reference-characters``     a reference holds no control, invisible (Cf) or
                             separator character
``reference-length``         a reference has at most 100 characters
===========================  =========================================================

The tracker adds ``reference-unique-ignoring-case``: a new recommendation, report or
inspection's reference does not differ from one already entered only by case (it knows
the references taken; the domain knows one item's log at a time).
"""

from __future__ import annotations

from datetime import date, timedelta

from ._events import (
    Amendable,
    Assigned,
    ClaimRejected,
    DeadlineChanged,
    Discharged,
    ImplementationClaimed,
    Prioritised,
    ProgressNoted,
    Raised,
    Regraded,
    Reopened,
    ResponseRecorded,
)
from ._months import DUE_PRECISIONS, is_month_end
from ._recommendation import Recommendation
from ._values import Outcome, Scope, Status

__all__ = ["Broken", "check_entry", "check_not_in_future", "is_blank"]


class Broken(Exception):
    """A rule broken by one entry; turned into a public error by the caller.

    ``because`` is the version of an earlier entry that makes this one wrong (the discharge
    that a later regrade runs into, the raising that a backdated entry precedes).
    """

    def __init__(self, field: str, rule: str, message: str, because: int | None = None):
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message
        self.because = because


def is_blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _require(entry: Amendable, *names: str) -> None:
    for name in ("actor", "reason", *names):
        if is_blank(getattr(entry, name)):
            raise Broken(name, "required", f"{name} must not be blank")


def check_not_in_future(effective_on: date, recorded_on: date) -> None:
    """Effective dates may run one day ahead of the recording date (time zones)."""
    if effective_on > recorded_on + timedelta(days=1):
        raise Broken(
            "effective_on",
            "not-in-future",
            f"effective date {effective_on} is after the day it is recorded ({recorded_on})",
        )


def check_entry(
    state: Recommendation | None,
    entry: Amendable,
    *,
    status_set_by: int | None,
    is_new: bool,
) -> None:
    """Raise :class:`Broken` if ``entry`` may not follow ``state`` on the timeline.

    ``status_set_by`` is the version of the entry that gave ``state`` its status; ``is_new``
    adds the checks that only a fresh command must pass (it must change something).
    """
    if isinstance(entry, Raised):
        _check_raised(state, entry)
        return
    if state is None:
        raise Broken(
            "effective_on",
            "not-before-raised",
            f"{type(entry).__name__} takes effect on {entry.effective_on}, "
            "before the recommendation was raised",
            because=1,
        )
    if state.status is Status.DISCHARGED and not isinstance(entry, Reopened):
        raise Broken(
            "effective_on",
            "not-after-discharge",
            f"{type(entry).__name__} takes effect on {entry.effective_on}, when the "
            f"recommendation stands discharged (since {state.discharged_on}); "
            "reopen it first or correct the discharge",
            because=status_set_by,
        )
    _require(entry)
    if isinstance(entry, Assigned):
        _require(entry, "owner")
        if entry.owner_name is not None and is_blank(entry.owner_name):
            raise Broken("owner_name", "required", "leave owner_name out rather than blank")
        if is_new and (entry.owner, entry.owner_name) == (state.owner, state.owner_name):
            raise Broken("owner", "no-change", f"the owner is already {state.owner!r}")
    elif isinstance(entry, Regraded):
        _check_grade(state, entry.grade)
        if is_new and entry.grade == state.grade:
            raise Broken("grade", "no-change", f"the grade is already {state.grade!r}")
    elif isinstance(entry, ProgressNoted):
        _require(entry, "note")
    elif isinstance(entry, DeadlineChanged):
        _check_due(state.raised_on, entry.due_on, entry.due_precision)
        if is_new and entry.due_on == state.due_on and entry.due_precision == state.due_precision:
            raise Broken("due_on", "no-change", f"it is already due on {state.due_on}")
    elif isinstance(entry, ImplementationClaimed):
        _require(entry, "note")
        if state.owner is None:
            raise Broken("owner", "claim-needs-owner", "no owner has been assigned to claim it")
        if state.status is Status.CLAIMED:
            raise Broken(
                "status",
                "claim-only-open",
                f"implementation was already claimed on {state.claimed_on}",
                because=status_set_by,
            )
    elif isinstance(entry, ClaimRejected) and state.status is not Status.CLAIMED:
        raise Broken(
            "status",
            "reject-only-claimed",
            f"it is {state.status.value}: only a claimed implementation can be rejected",
        )
    elif isinstance(entry, Prioritised):
        if is_new and entry.priority == state.priority:
            raise Broken("priority", "no-change", f"the priority is already {state.priority!r}")
    elif isinstance(entry, ResponseRecorded):
        _check_response_text(entry.response_text)
        if is_new and (entry.response, entry.response_text) == (
            state.response,
            state.response_text,
        ):
            raise Broken("response", "no-change", "the response already reads so")
    elif isinstance(entry, Discharged):
        _check_discharge(state, entry)
    elif isinstance(entry, Reopened) and state.status is not Status.DISCHARGED:
        raise Broken(
            "status",
            "reopen-only-discharged",
            f"it is {state.status.value}, not discharged",
        )


def _check_raised(state: Recommendation | None, entry: Raised) -> None:
    if state is not None:  # pragma: no cover - decide refuses a second raising first
        raise Broken("reference", "raised-once", "it was raised already", because=1)
    _require(entry, "reference", "text", "body", "report")
    for index, point in enumerate(entry.points):
        if is_blank(point):
            raise Broken("points", "required", f"point {index + 1} is blank")
    if entry.grade is not None and entry.grade not in entry.scale:
        raise Broken(
            "grade",
            "grade-on-scale",
            f"{entry.grade!r} is not on scale {entry.scale.name!r} "
            f"({', '.join(entry.scale.codes)})",
        )
    if entry.owner is not None and is_blank(entry.owner):
        raise Broken("owner", "required", "owner must not be blank (leave it out instead)")
    if entry.owner_name is not None and (entry.owner is None or is_blank(entry.owner_name)):
        raise Broken("owner_name", "required", "a named owner holds a role: give owner too")
    _check_due(entry.effective_on, entry.due_on, entry.due_precision)
    if entry.scope is Scope.ADDRESSED and (
        entry.addressed_to is None or is_blank(entry.addressed_to)
    ):
        raise Broken(
            "addressed_to",
            "addressed-body",
            "a recommendation addressed to another body names that body",
        )
    if entry.scope is not Scope.ADDRESSED and entry.addressed_to is not None:
        raise Broken(
            "addressed_to",
            "addressed-body",
            f"only a recommendation of scope 'addressed' names a body it is addressed to "
            f"(scope is {entry.scope.value!r})",
        )
    if entry.response_text is not None and entry.response is None:
        raise Broken("response", "required", "a response's text comes with the response")
    _check_response_text(entry.response_text)


def _check_response_text(text: str | None) -> None:
    if text is not None and is_blank(text):
        raise Broken("response_text", "required", "leave response_text out rather than blank")


def _check_grade(state: Recommendation, grade: str) -> None:
    if grade not in state.scale:
        raise Broken(
            "grade",
            "grade-on-scale",
            f"{grade!r} is not on scale {state.scale.name!r} ({', '.join(state.scale.codes)})",
        )


def _check_due(raised_on: date, due_on: date | None, precision: str = "day") -> None:
    if precision not in DUE_PRECISIONS:
        raise Broken(
            "due_precision", "due-month", f"{precision!r} is not a precision (day or month)"
        )
    if precision == "month" and (due_on is None or not is_month_end(due_on)):
        raise Broken(
            "due_precision",
            "due-month",
            f"a due date known only to the month is its last day, not {due_on}",
        )
    if due_on is not None and due_on < raised_on:
        raise Broken(
            "due_on",
            "due-not-before-raised",
            f"due date {due_on} is before the recommendation was raised ({raised_on})",
        )


def _check_discharge(state: Recommendation, entry: Discharged) -> None:
    if not isinstance(entry.outcome, Outcome):  # pragma: no cover - the type check is first
        raise Broken("outcome", "discharge-names-outcome", "a discharge names its outcome")
    _require(entry, "accepted_by", "acceptor_role")
    if entry.outcome is Outcome.SUPERSEDED:
        if is_blank(entry.superseded_by):
            raise Broken(
                "superseded_by",
                "discharge-names-outcome",
                "a discharge as superseded names the recommendation that supersedes it",
            )
        if entry.superseded_by == state.reference:
            raise Broken(
                "superseded_by",
                "discharge-names-outcome",
                "a recommendation cannot supersede itself",
            )
    elif entry.superseded_by is not None:
        raise Broken(
            "superseded_by",
            "discharge-names-outcome",
            f"only a discharge as superseded names a successor (outcome is "
            f"{entry.outcome.value!r})",
        )
    if entry.outcome is Outcome.CLOSED_BY_INSPECTORATE and entry.acceptor_role != "inspectorate":
        raise Broken(
            "acceptor_role",
            "acceptor-allowed",
            "only the inspectorate closes a recommendation as closed by the inspectorate",
        )
    if entry.acceptor_role not in state.kind.acceptors:
        raise Broken(
            "acceptor_role",
            "acceptor-allowed",
            f"role {entry.acceptor_role!r} may not accept the discharge of an item of kind "
            f"{state.kind.name!r} (allowed: {', '.join(state.kind.acceptors)})",
        )
