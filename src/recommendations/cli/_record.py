"""The commands that record something: one entry in the log each, or a refusal.

Each says when it took effect (``--effective``, default today), who is recording it
(``--by``, required) and why (``--reason``, required), and prints what was recorded: the
entry (which item, its entry number) and its position in the whole log.

Only the commands that can start a store (entering an inspection, a report or a
recommendation) make a SQLite file that is not there, and only once an empty store would
accept what they record; the others refuse a missing file (rule ``store-exists``).
"""

from __future__ import annotations

import enum
import functools
import types
import typing
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from recommendations import domain
from recommendations._errors import RuleViolation, TablesBehind

from ._app import cli, session, store_option
from ._params import DATE, DUE, stacked

if TYPE_CHECKING:
    from recommendations._errors import Positioned

__all__ = ["entry_options", "new_command_id", "record"]


entry_options = stacked(
    store_option,
    click.option(
        "--effective",
        type=DATE,
        default=None,
        help="The date it took effect (a committee's or report's date). Default: today.",
    ),
    click.option("--by", "by", required=True, metavar="ACTOR", help="Who is recording it."),
    click.option("--reason", required=True, help="Why: the decision, its source."),
    click.option(
        "--command-id",
        default=None,
        metavar="ID",
        help="Makes a retry record nothing twice: the same command with the same ID is "
        "recorded once. Default: a new one, printed if the command fails.",
    ),
)
"""``--store``, then ``--effective``, ``--by`` and ``--reason``, which every entry carries,
and ``--command-id``."""


def new_command_id(given: str | None) -> str:
    """``given``, or a new command id for this invocation; kept in the session, so that a
    failure can say what to retry with."""
    command_id = given if given is not None else str(uuid.uuid4())
    session().command_id = command_id
    return command_id


def _when(effective: date | None) -> date:
    return effective if effective is not None else date.today()


def record(command: domain.Command, *, starts: bool = False, command_id: str | None = None) -> None:
    """Record ``command`` in the session's store and say what was recorded.

    ``starts``: the command may start a store. A SQLite file that is not there is made only
    if an empty store accepts the command: it is decided first on no store at all, so that
    a refused command leaves no empty file behind. ``command_id``: as given with
    ``--command-id`` (default: a new one, which a failure prints to retry with).
    """
    current = session()
    command_id = new_command_id(command_id)
    if starts and current.missing() is not None:
        from recommendations._service import EmptyStore

        # a refusal is raised here, before any file is made
        EmptyStore(policy=current.policy).decide(command)
    try:
        recorded = current.tracker(create=starts).execute(command, command_id=command_id)
    except TablesBehind as behind:
        for done in behind.recorded:  # it is in the log: say so, then that views are behind
            _say_recorded(command, done)
        raise
    _say_recorded(command, recorded)


def _say_recorded(command: domain.Command, recorded: Positioned) -> None:
    event = recorded.event
    subject = (
        "inspection"
        if isinstance(event, domain.InspectionEvent)
        else "report"
        if isinstance(event, domain.ReportEvent)
        else "configuration"
        if isinstance(event, domain.ConfigurationEvent)
        else "recommendation"
    )
    click.echo(
        f"Recorded {type(event).__name__}: {subject} {command.reference!r}, entry "
        f"{event.originator_version}, effective {event.effective_on.isoformat()}, at log "
        f"position {recorded.position} (recorded {event.recorded_at:%Y-%m-%d %H:%M:%S %Z})."
    )


Fields = dict[str, Any]
"""The fields of a command that are particular to it (not its reference, date, actor or reason)."""


def entry_command(
    kind: Callable[..., domain.Command],
    *options: Callable[[Any], Any],
    name: str | None = None,
    short_help: str,
    starts: bool = False,
    referenced: bool = False,
    dated: bool = False,
) -> Callable[[Callable[..., Fields]], click.Command]:
    """A command that records one ``kind`` of entry about the item its REFERENCE names.

    The decorated function takes the values of ``options`` (the arguments and options after
    REFERENCE, in the order given) and returns the rest of the entry's fields; its docstring
    is the command's help. :data:`entry_options` follow, and the entry is recorded
    (:func:`record`; ``starts`` as there). ``referenced``: the function also takes the
    ``reference``; ``dated``: also the date it takes effect (``effective_on``).
    """

    def define(fields_of: Callable[..., Fields]) -> click.Command:
        @functools.wraps(fields_of)
        def run(
            reference: str,
            effective: date | None,
            by: str,
            reason: str,
            command_id: str | None,
            **values: Any,
        ) -> None:
            when = _when(effective)
            if referenced:
                values["reference"] = reference
            if dated:
                values["effective_on"] = when
            fields = fields_of(**values)
            record(
                kind(reference=reference, **fields, effective_on=when, by=by, reason=reason),
                starts=starts,
                command_id=command_id,
            )

        command = stacked(click.argument("reference"), *options, entry_options)(run)
        return cli.command(name, short_help=short_help)(command)

    return define


# --- recommendations -------------------------------------------------------------------------


@entry_command(
    domain.Raise,
    click.option("--report", required=True, help="The reference of the report that made it."),
    click.option("--text", required=True, help="What the recommendation says, word for word."),
    click.option("--point", "points", multiple=True, help="A point of it (repeat for each)."),
    click.option("--finding", default=None, help="The finding of the report it hangs off."),
    click.option(
        "--kind",
        default=None,
        help="Kind of item (default: the store's policy's, recommendation unless configured).",
    ),
    click.option(
        "--scope",
        type=click.Choice([s.value for s in domain.Scope]),
        default=None,
        help="Made to this body only, nationally, or addressed to another body named by "
        "--addressed-to (default: addressed with --addressed-to, else as its report).",
    ),
    click.option(
        "--sensitive/--not-sensitive",
        default=None,
        help="Never shown to the public (default: as its report and inspection).",
    ),
    click.option(
        "--scale",
        default=None,
        help="Grading scale (default: the store's policy's, rag unless configured).",
    ),
    click.option("--grade", default=None, help="Its first grade, on its scale."),
    click.option("--owner", default=None, help="The accountable role."),
    click.option("--owner-name", default=None, help="The person holding that role."),
    click.option(
        "--due",
        type=DUE,
        default=None,
        help="The date it is due by, or a month alone (YYYY-MM: due by its last day, shown "
        "as the month).",
    ),
    click.option(
        "--priority", default=None, help="Its priority: one the store's policy gives (1, 2, 3)."
    ),
    click.option(
        "--response",
        type=click.Choice([r.value for r in domain.Response]),
        default=None,
        help="Management's response, if already given.",
    ),
    click.option("--response-text", default=None, help="What management said in response."),
    click.option(
        "--addressed-to",
        default=None,
        metavar="BODY",
        help="The body it is addressed to, when not the inspected body (scope addressed).",
    ),
    name="raise",
    short_help="Enter a recommendation made in a report.",
    starts=True,
)
def raise_(
    *, scope: str | None, due: domain.DueDate | None, response: str | None, **fields: Any
) -> Fields:
    """Enter a recommendation made in a report.

    \b
    recommendations raise CUSTODY-2017-1 --report CUSTODY-2017 --finding 4.12 --grade amber \\
        --text "The force should assess every detainee's risks at booking-in." \\
        --owner "Head of Custody" --due 2017-12-31 --effective 2017-07-20 \\
        --by "Risk manager" --reason "report published"
    """
    return {
        **fields,
        "scope": domain.Scope(scope) if scope is not None else None,
        "due_on": due.on if due else None,
        "due_precision": due.precision if due else "day",
        "response": domain.Response(response) if response is not None else None,
    }


@entry_command(
    domain.Prioritise,
    click.argument("priority"),
    short_help="Set, change or remove a recommendation's priority.",
)
def prioritise(priority: str) -> Fields:
    """Give a recommendation a PRIORITY the store's policy gives, or none (none).

    \b
    recommendations prioritise IA-2019-3 1 --store sqlite:///audit.db --effective 2019-03-14 \\
        --by "Head of audit" --reason "audit committee raised its priority"
    """
    return {"priority": None if priority.strip().casefold() == "none" else priority}


@entry_command(
    domain.RecordResponse,
    click.argument("response", type=click.Choice([r.value for r in domain.Response])),
    click.option("--text", "response_text", default=None, help="What management said."),
    short_help="Record management's response to a recommendation.",
)
def respond(response: str, response_text: str | None) -> Fields:
    """Record management's RESPONSE to a recommendation (agreed, partly-agreed or
    not-agreed), with what it said (--text).

    \b
    recommendations respond IA-2019-3 partly-agreed --store sqlite:///audit.db \\
        --text "Agreed for the main sites." --effective 2019-02-20 \\
        --by "Director of Finance" --reason "management response"
    """
    return {"response": domain.Response(response), "response_text": response_text}


@entry_command(
    domain.Assign,
    click.argument("owner"),
    click.option("--owner-name", default=None, help="The person holding the role, if recorded."),
    short_help="Make a role accountable for a recommendation.",
)
def assign(owner: str, owner_name: str | None) -> Fields:
    """Make a role (OWNER) accountable for a recommendation.

    \b
    recommendations assign CUSTODY-2017-1 "Head of Criminal Justice" --effective 2017-08-01 \\
        --by "Risk manager" --reason "custody moved to Criminal Justice"
    """
    return {"owner": owner, "owner_name": owner_name}


@entry_command(
    domain.Regrade, click.argument("grade"), short_help="Give a recommendation a new grade."
)
def regrade(grade: str) -> Fields:
    """Give a recommendation a new GRADE on its scale (red, amber, green by default).

    \b
    recommendations regrade CUSTODY-2017-1 green --effective 2017-09-28 --by "Risk manager" \\
        --reason "committee accepted the evidence"
    """
    return {"grade": grade}


_NOTE_OPTIONS = (
    click.argument("note"),
    click.option("--evidence", multiple=True, help="A reference to evidence (repeat for each)."),
)
"""The NOTE and its ``--evidence``, which progress notes and claims carry alike."""


@entry_command(
    domain.NoteProgress, *_NOTE_OPTIONS, short_help="Record the owner's progress update."
)
def note(**fields: Any) -> Fields:
    """Record the owner's update (NOTE) on a recommendation.

    \b
    recommendations note CUSTODY-2017-1 "Booking-in risk assessments audited weekly." \\
        --evidence "custody audit 2017-09" --effective 2017-09-28 --by "Risk manager" \\
        --reason "owner's update"
    """
    return fields


@entry_command(
    domain.ChangeDeadline,
    click.argument("due", type=DUE),
    name="change-deadline",
    short_help="Set, move or remove a recommendation's due date.",
)
def change_deadline(due: domain.DueDate | None) -> Fields:
    """Set or move the date a recommendation is due by (DUE), or remove it (none).

    \b
    recommendations change-deadline CUSTODY-2017-1 2018-03-31 --effective 2017-09-28 \\
        --by "Risk manager" --reason "extension agreed"
    """
    return {"due_on": due.on if due else None, "due_precision": due.precision if due else "day"}


@entry_command(
    domain.ClaimImplementation,
    *_NOTE_OPTIONS,
    short_help="Record the owner's claim that it is implemented.",
)
def claim(**fields: Any) -> Fields:
    """Record the owner's claim (NOTE) that a recommendation is implemented.

    \b
    recommendations claim CUSTODY-2017-1 "Every booking-in audited since October." \\
        --evidence "custody audit 2017-11" --effective 2017-12-07 \\
        --by "Head of Criminal Justice" --reason "owner's claim"
    """
    return fields


@entry_command(
    domain.RejectClaim, name="reject-claim", short_help="Turn down a claim of implementation."
)
def reject_claim() -> Fields:
    """Turn down a claim of implementation; --reason says why. It is open again.

    \b
    recommendations reject-claim CUSTODY-2017-1 --effective 2017-12-07 --by "Risk manager" \\
        --reason "the audit covers one custody suite only"
    """
    return {}


@entry_command(
    domain.Discharge,
    click.option(
        "--outcome",
        required=True,
        type=click.Choice([o.value for o in domain.Outcome]),
        help="How it ended.",
    ),
    click.option("--accepted-by", required=True, help="Who accepted the discharge."),
    click.option(
        "--acceptor-role",
        required=True,
        help="Their role: inspectorate or oversight-board (or body, for an area for improvement).",
    ),
    click.option("--superseded-by", default=None, help="The recommendation that replaces it."),
    short_help="Close a recommendation, with its outcome.",
)
def discharge(*, outcome: str, **fields: Any) -> Fields:
    """Close a recommendation with an outcome, accepted by someone allowed to.

    \b
    recommendations discharge CUSTODY-2017-1 --outcome implemented --accepted-by HMIC \\
        --acceptor-role inspectorate --effective 2018-03-29 --by "Risk manager" \\
        --reason "HMIC revisit"
    """
    return {**fields, "outcome": domain.Outcome(outcome)}


@entry_command(domain.Reopen, short_help="Open a discharged recommendation again.")
def reopen() -> Fields:
    """Open a discharged recommendation again; --reason says why.

    \b
    recommendations reopen CUSTODY-2017-1 --effective 2018-06-28 --by "Risk manager" \\
        --reason "revisit found an enduring cause of concern"
    """
    return {}


@entry_command(
    domain.Correct,
    click.argument("version", type=click.IntRange(min=1)),
    click.option("--what-was-wrong", required=True, help="What was wrong with the entry."),
    click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="FIELD=VALUE",
        help="A field of the entry as it should have read (repeat for each; repeat a list "
        "field for each item; FIELD= for none).",
    ),
    click.option("--strike", is_flag=True, help="The entry should never have been made."),
    short_help="Correct or strike out an earlier entry.",
    referenced=True,
)
def correct(
    reference: str, version: int, what_was_wrong: str, settings: tuple[str, ...], strike: bool
) -> Fields:
    """Correct entry VERSION of a recommendation's log, without editing it.

    `recommendations history REFERENCE` lists the entries and their numbers. Either give
    the fields as they should have read with --set, or strike the entry out with --strike.

    \b
    recommendations correct CUSTODY-2017-1 5 --set due_on=2018-03-30 \\
        --what-was-wrong "the extension agreed was to 30 March 2018" --by "Risk manager" \\
        --reason "checked against the minutes"
    recommendations correct CUSTODY-2017-1 4 --strike \\
        --what-was-wrong "the note was about another suite's audit" --by "Risk manager" \\
        --reason "checked against the minutes"
    """
    if strike and settings:
        raise click.UsageError("give --set or --strike, not both")
    if not strike and not settings:
        raise click.UsageError("give the corrected fields with --set FIELD=VALUE, or --strike")
    tracker = session().tracker()
    changes = _changes(tracker.events(reference), version, settings, tracker.policy, reference)
    return {
        "version": version,
        "what_was_wrong": what_was_wrong,
        "changes": changes,
        "strike": strike,
    }


def _changes(
    log: Sequence[domain.RecommendationEvent],
    version: int,
    settings: Sequence[str],
    policy: domain.Policy,
    reference: str,
) -> dict[str, Any]:
    """``FIELD=VALUE`` settings as values of the types the entry's fields hold."""
    raw: dict[str, list[str]] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{setting!r} is not FIELD=VALUE", param_hint="--set")
        raw.setdefault(name.strip(), []).append(value)
    entry = log[version - 1] if version <= len(log) else None
    hints = typing.get_type_hints(type(entry)) if entry is not None else {}
    changes: dict[str, Any] = {}
    for name, values in raw.items():
        try:
            changes[name] = _typed(hints.get(name), values, policy)
        except (ValueError, LookupError) as error:
            raise RuleViolation(
                f"{', '.join(map(repr, values))} is not a value for {name}: {error}",
                reference=reference,
                field=name,
                rule="type",
            ) from None
    return changes


def _typed(hint: Any, values: list[str], policy: domain.Policy) -> Any:
    """``values`` (as typed after ``FIELD=``) as a value of type ``hint``."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item, *_rest) = typing.get_args(hint)
        return tuple(_typed(item, [v], policy) for v in values if v != "")
    if len(values) != 1:
        raise ValueError("give it once (only lists take several values)")
    value = values[0]
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value.strip().lower() in ("", "none"):
            return None
        return _typed(options[0] if len(options) == 1 else None, values, policy)
    if hint is date:
        return date.fromisoformat(value.strip())
    if hint is bool:
        answers = {"true": True, "yes": True, "false": False, "no": False}
        if value.strip().lower() not in answers:
            raise ValueError("write true or false")
        return answers[value.strip().lower()]
    if hint is int:
        return int(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value.strip())
        except ValueError:
            raise ValueError(f"one of {', '.join(m.value for m in hint)}") from None
    if hint is domain.ItemKind:
        return policy.kind(value.strip())
    if hint is domain.GradingScale:
        return policy.scale(value.strip())
    return value


# --- sources -----------------------------------------------------------------------------------


@entry_command(
    domain.RecordInspection,
    click.option("--title", required=True, help="What the inspection is called."),
    click.option("--body", required=True, help="The body inspected."),
    click.option(
        "--inspectorate",
        "inspectorates",
        multiple=True,
        required=True,
        help="An inspectorate (repeat for a joint inspection, the lead first).",
    ),
    click.option("--fieldwork-from", type=DATE, default=None, help="First day of fieldwork."),
    click.option("--fieldwork-to", type=DATE, default=None, help="Last day of fieldwork."),
    click.option("--hot-debrief", type=DATE, default=None, help="Date of the hot debrief."),
    click.option("--expected-report", default=None, help="When or what report is expected."),
    click.option("--national", is_flag=True, help="Part of a programme covering all bodies."),
    click.option("--sensitive", is_flag=True, help="Nothing of it is ever shown to the public."),
    name="record-inspection",
    short_help="Enter an inspection of the body.",
    starts=True,
)
def record_inspection(*, hot_debrief: date | None, **fields: Any) -> Fields:
    """Enter an inspection of the body (announced, under way or done).

    \b
    recommendations record-inspection INSP-PEEL-EFFECTIVENESS-2017 \\
        --title "PEEL Effectiveness 2017" --body "West Midlands Police" --inspectorate HMIC \\
        --fieldwork-from 2017-09-25 --fieldwork-to 2017-09-29 --national \\
        --effective 2017-09-25 --by "Risk manager" --reason "inspectors arrived"
    """
    return {"details": domain.InspectionDetails(hot_debrief_on=hot_debrief, **fields)}


_FINDING_KINDS = tuple(kind.value for kind in domain.FindingKind)


@entry_command(
    domain.ChangePlanStatus,
    click.argument("status"),
    name="plan",
    short_help="Record where a report's improvement plan stands.",
)
def plan(status: str) -> Fields:
    """Record that the body's improvement plan for a report moved to STATUS, one of the
    grades of the policy's improvement-plan scale (draft, submitted, agreed in the hmics
    preset).

    \b
    recommendations plan HMICS-CUSTODY-2023 agreed --store sqlite:///hmics.db \\
        --effective 2023-11-02 --by "Risk manager" --reason "HMICS agreed the plan"
    """
    return {"status": status}


@entry_command(
    domain.PublishReport,
    click.option("--title", required=True, help="The report's title."),
    click.option("--body", required=True, help="The body reported on."),
    click.option(
        "--inspectorate",
        "inspectorates",
        multiple=True,
        required=True,
        help="An inspectorate (repeat for a joint report).",
    ),
    click.option(
        "--published", type=DATE, default=None, help="Publication date (default: --effective)."
    ),
    click.option("--inspection", default=None, help="The inspection it reports on."),
    click.option(
        "--scale",
        default=None,
        help="The scale of its grades (default: the store's policy's, peel unless configured).",
    ),
    click.option("--overall-grade", default=None, help="Its overall grade of the body."),
    click.option(
        "--area-grade",
        "area_grades",
        nargs=2,
        multiple=True,
        metavar="AREA GRADE",
        help="A grade for one area (repeat for each).",
    ),
    click.option(
        "--finding",
        "findings",
        nargs=3,
        multiple=True,
        metavar="REF KIND TEXT",
        help=f"A finding; KIND is {' or '.join(_FINDING_KINDS)} (repeat for each).",
    ),
    click.option("--national", is_flag=True, help="A national report, to all bodies."),
    click.option("--sensitive", is_flag=True, help="Never shown to the public."),
    name="publish-report",
    short_help="Enter a report, with its grades and findings.",
    starts=True,
    dated=True,
)
def publish_report(
    *,
    effective_on: date,
    published: date | None,
    scale: str | None,
    area_grades: tuple[tuple[str, str], ...],
    findings: tuple[tuple[str, str, str], ...],
    **fields: Any,
) -> Fields:
    """Enter a report received or published, with its grades and findings.

    \b
    recommendations publish-report CUSTODY-2017 --title "Custody suites in West Midlands" \\
        --body "West Midlands Police" --inspectorate "HM Inspectorate of Prisons" \\
        --inspectorate HMIC --inspection INSP-CUSTODY-2017 \\
        --finding 4.12 cause-of-concern "Risks were not always assessed at booking-in" \\
        --effective 2017-07-20 --by "Risk manager" --reason "report published"
    recommendations publish-report PEEL-EFFECTIVENESS-2017 --title "PEEL Effectiveness 2017" \\
        --body "West Midlands Police" --inspectorate HMIC \\
        --inspection INSP-PEEL-EFFECTIVENESS-2017 --overall-grade good \\
        --area-grade vulnerability good --effective 2018-03-22 --by "Risk manager" \\
        --reason "report published"
    """
    for ref, kind, _text in findings:
        if kind not in _FINDING_KINDS:
            raise click.BadParameter(
                f"finding {ref!r}: kind {kind!r} is not one of {', '.join(_FINDING_KINDS)}",
                param_hint="--finding",
            )
    policy = session().policy_at(effective_on)
    details = domain.ReportDetails(
        published_on=published if published is not None else effective_on,
        scale=policy.scale(scale or policy.report_scale),
        area_grades=tuple(domain.AreaGrade(area, grade) for area, grade in area_grades),
        findings=tuple(
            domain.Finding(ref, domain.FindingKind(kind), text) for ref, kind, text in findings
        ),
        **fields,
    )
    return {"details": details}
