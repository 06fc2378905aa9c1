"""The commands that read: the register, audit trails, the committee update, exports.

Each answer states its basis: the date it is true on (``--as-at``), the time the log is
read as of (``--known-at``) and the last log position it includes (``--position``), so
that asking again with the same basis gives the same answer, whatever was recorded since.

The format of a file written with ``--output`` is taken from its name (``register.csv``
is CSV) unless ``--format`` says it; a name that says another format than ``--format`` is
bad usage (status 2).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from recommendations._errors import NotFound, RuleViolation
from recommendations.outputs import Listing, format_named, formats_for, names_for, suffixes_for
from recommendations.outputs.table import register_table

from ._app import Refused, cli, session, store_option
from ._output import (
    cannot_write,
    check_output,
    emit,
    is_terminal,
    markdown,
    note,
    output_file,
    output_stream,
    progress,
    refuse_binary_on_terminal,
    rendered,
    show,
    view_table,
    write_file,
)
from ._params import (
    AS_AT_DEFAULT,
    DATE,
    audience_option,
    chosen_format,
    force_option,
    known_at_option,
    output_option,
    position_option,
    stacked,
)

if TYPE_CHECKING:
    from recommendations import Tracker, domain, integrity, outputs, views

__all__ = ["committee_update", "export", "history", "register", "trail"]


def formats_help(what: outputs.What, default: str | None, said: str) -> str:
    """The help of a ``--format`` option, from the registry of formats: each format that
    writes ``what`` and what it is, ``said``, and the file name endings that choose one
    (a format written as a folder has none)."""
    chosen = formats_for(what)
    listed = "; ".join(f"{f.name}: {f.description}" for f in chosen)
    named = {f.name for f in chosen if not (what == "bundle" and f.bundle_as_folder)}
    endings = ", ".join(
        f"{end} {name}" for end, name in suffixes_for(what).items() if name in named
    )
    otherwise = f", else {default}" if default is not None else ""
    return f"{listed}. {said} Default: from the name of --output ({endings}){otherwise}."


body_option = click.option(
    "--body",
    default=None,
    help="Only those about this body: inspected, or addressed to it (a store of several bodies).",
)


def _labels(tracker: Tracker, basis: views.Basis) -> views.RegisterLabels:
    """The report titles and the policy's labels of a register on ``basis``."""
    return tracker.register_labels(as_at=basis.as_at, known_at=basis.known_at)


_STATUSES = ("open", "claimed", "discharged")


listing_format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(names_for("listing")),
    default=None,
    help=formats_help("listing", "table", "The table is for reading here."),
)
"""``--format`` of a command that writes a short listing (a roll-up, the reports)."""


_format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(names_for("register")),
    default=None,
    help=formats_help("register", "table", "Each states the basis it was read on."),
)

_checkpoint_option = click.option(
    "--with-checkpoint",
    is_flag=True,
    help="Carry the checkpoint of the log at the basis position: json writes an object, "
    '{"checkpoint": {...}, "register" or "trail": [...]}; pdf prints it under the basis. '
    f"Formats: {', '.join(f.name for f in formats_for('register') if f.checkpoint)}.",
)

_view_options = stacked(
    audience_option, _format_option, _checkpoint_option, output_option, store_option
)
"""The options that end every register and trail command: for whom, in what format, where."""

_trail_options = stacked(known_at_option, position_option, _view_options)
"""The options of a trail: the basis it is read on, then :data:`_view_options`."""


def _audience(value: str) -> views.Audience:
    from recommendations import views

    return views.Audience(value)


def _json_only(with_checkpoint: bool, chosen: str) -> None:
    """Refuse (bad usage) --with-checkpoint with a format other than json."""
    if with_checkpoint and not format_named(chosen, "register").checkpoint:
        carry = " or ".join(f.name for f in formats_for("register") if f.checkpoint)
        raise click.UsageError(
            f"--with-checkpoint needs --format {carry}: {chosen} does not carry the checkpoint"
        )


def stated_checkpoint(
    tracker: Tracker, position: int, *, required: bool
) -> integrity.LogCheckpoint | None:
    """The checkpoint of the log's first ``position`` entries (not kept in the store):
    ``None``, with a note, when the store keeps no tree over them, or refused if
    ``required``."""
    from recommendations._errors import StoreError

    try:
        return tracker.integrity.checkpoint_at(position)
    except StoreError as error:
        if required or error.rule not in ("tree-kept", "tree-covers-basis"):
            raise
        note(f"No checkpoint of the log in this output: {error}")
        return None


def _show(
    view: views.Register | views.Trail | views.TrailStream,
    format_: str,
    output: str | None,
    *,
    title: str,
    table: tuple[str, ...],
    empty: str,
    checkpoint: integrity.LogCheckpoint | None = None,
) -> None:
    """Write ``view`` in ``format_`` to ``output`` (or standard output). An empty table
    says so (``empty``: what had no rows), with the basis it was read on. Every format but
    the table is written as its rows come (a trail as the log is read)."""
    from rich.text import Text

    from recommendations import exports, views

    count = f"{len(view)} {'row' if len(view) == 1 else 'rows'}"
    what = f"the {title[:1].lower()}{title[1:]} ({count})"
    if format_ == "table":
        if len(view):
            shown: Any = view_table(view, table, title)
        else:
            shown = Text(f"No rows: {empty}.\n{exports.basis_sentence(view)}")
        if output is not None and output != "-":
            write_file(output, rendered(shown).encode("utf-8"), kind="table")
            note(f"Wrote {what} to {output}.")
        else:
            show(shown)
        return
    binary = format_named(format_, "register").binary
    with output_stream(output, format_, binary=binary, what=what) as file:
        if isinstance(view, views.Register):
            exports.write_register(view, format_, file, title=title, checkpoint=checkpoint)
        else:
            exports.write_trail(view, format_, file, title=title, checkpoint=checkpoint)
    if output is not None and output != "-":
        note(f"Wrote {what} to {output}.")


def _show_trail(
    read: Callable[[Tracker], views.Trail | views.TrailStream],
    format_: str | None,
    output: str | None,
    *,
    title: str,
    empty: str,
    with_checkpoint: bool = False,
) -> None:
    """Write the trail ``read`` from the session's store, in the format ``format_`` and
    ``output`` choose; on a terminal, the columns of a reader's table (Markdown, HTML)."""
    from recommendations import exports

    chosen = chosen_format(format_, output, "register", "table")
    _json_only(with_checkpoint, chosen)
    check_output(output, chosen)
    tracker = session().tracker()
    view = read(tracker)
    stated = (
        stated_checkpoint(tracker, view.basis.position, required=True) if with_checkpoint else None
    )
    table = tuple(column.key for column in exports.summary_columns(view))
    _show(view, chosen, output, title=title, table=table, empty=empty, checkpoint=stated)


# --- register filters --------------------------------------------------------------------------


def _grade(value: str, policy: domain.Policy) -> str:
    """The code of the grade ``value`` names on any scale of ``policy``: its code or its
    label, in any case. Refused with rule ``grade-on-scale``."""
    wanted = " ".join(value.split()).casefold()
    grades = [grade for scale in policy.scales for grade in scale.grades]
    by_code = [grade.code for grade in grades if grade.code.casefold() == wanted]
    by_label = [grade.code for grade in grades if grade.label.casefold() == wanted]
    if by_code or by_label:
        return (by_code or by_label)[0]
    scales = "; ".join(f"{scale.name}: {', '.join(scale.codes)}" for scale in policy.scales)
    raise RuleViolation(
        f"{value!r} is not a grade on any scale ({scales})", field="grade", rule="grade-on-scale"
    )


def _carried_grade(value: str, rows: Sequence[views.RegisterRow], policy: domain.Policy) -> str:
    """The code of the grade ``value`` names among the grades the rows stand at: an item
    keeps its own scale, which may be one the policy no longer (or never) listed. Refused
    with rule ``grade-on-scale`` if none does."""
    wanted = " ".join(value.split()).casefold()
    for row in rows:
        if row.grade is not None and row.grade.casefold() == wanted:
            return row.grade
    return _grade(value, policy)  # refused, naming the scales


def _status(value: str) -> domain.Status:
    """The status ``value`` names, in any case. Refused with rule ``known-status``."""
    from recommendations import domain

    wanted = value.strip().casefold()
    for status in domain.Status:
        if status.value.casefold() == wanted:
            return status
    raise RuleViolation(
        f"{value!r} is not a status ({', '.join(_STATUSES)})", field="status", rule="known-status"
    )


def _report(value: str, tracker: Tracker, audience: views.Audience) -> str:
    """The reference of the report ``value`` names: its reference, else its reference or
    title in any case, else the one report whose reference or title holds ``value``.
    Refused if none does (rule ``exists``) or several do (rule ``report-unambiguous``)."""
    from recommendations import views

    reports = tracker.reports()
    if audience is views.Audience.PUBLIC:
        reports = [r for r in reports if not (r.details.sensitive or r.inspection_sensitive)]
    if any(report.reference == value for report in reports):
        return value
    wanted = " ".join(value.split()).casefold()
    for matches in (
        lambda report: report.reference.casefold() == wanted,
        lambda report: report.details.title.casefold() == wanted,
        lambda report: (
            wanted in report.reference.casefold() or wanted in report.details.title.casefold()
        ),
    ):
        found = [report for report in reports if matches(report)]
        if len(found) == 1:
            chosen = found[0]
            note(f"--report {value!r}: report {chosen.reference} ({chosen.details.title}).")
            return chosen.reference
        if found:
            named = "; ".join(f"{r.reference} ({r.details.title})" for r in found)
            raise RuleViolation(
                f"{value!r} matches {len(found)} reports: {named}; give one's reference",
                field="report",
                rule="report-unambiguous",
            )
    known = ", ".join(report.reference for report in reports) or "none yet"
    raise NotFound(
        f"no report has this reference or title (reports: {known})",
        reference=value,
        field="report",
        subject="report",
    )


def _described(**filters: object) -> str:
    """The filters given, as the options that gave them."""
    parts = []
    for name, value in filters.items():
        if value is True:
            parts.append(f"--{name}")
        elif value not in (None, False):
            parts.append(f"--{name} {value}")
    return ", ".join(parts)


@cli.command(short_help="The register as at a date, as known at a time.")
@click.option(
    "--as-at", type=DATE, default=None, help=f"What was true on this date ({AS_AT_DEFAULT})."
)
@known_at_option
@position_option
@click.option(
    "--report",
    default=None,
    help="Only recommendations from this report: its reference, or its title or part of "
    "either, in any case, if only one report matches.",
)
@click.option(
    "--grade",
    default=None,
    help="Only those at this grade: a code or label of a scale, in any case (red, Amber).",
)
@click.option(
    "--status",
    default=None,
    metavar="open|claimed|discharged",
    help="Only those with this status (in any case).",
)
@click.option("--owner", default=None, help="Only those this role owns.")
@click.option("--overdue", is_flag=True, help="Only those overdue on the --as-at date.")
@body_option
@click.option("--priority", default=None, help="Only those of this priority (its code).")
@_view_options
def register(
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    report: str | None,
    grade: str | None,
    status: str | None,
    owner: str | None,
    overdue: bool,
    body: str | None,
    priority: str | None,
    audience: str,
    format_: str | None,
    with_checkpoint: bool,
    output: str | None,
) -> None:
    """The register: one row per recommendation, as at a date, as known at a time.

    A grade or status that is not one, or a report that no report matches, is refused
    (status 1, naming the field and the rule); a register with no row says so.

    \b
    recommendations register --as-at 2017-03-30 --overdue
    recommendations register --as-at 2017-03-30 --grade Amber --report "core business"
    recommendations register --as-at 2016-12-31 --position 143 -o register-2016.xlsx
    """
    from recommendations import views

    chosen = chosen_format(format_, output, "register", "table")
    _json_only(with_checkpoint, chosen)
    check_output(output, chosen)
    s = session()
    wanted_status = _status(status) if status is not None else None
    who = _audience(audience)
    tracker = s.tracker()
    policy = s.policy_at(as_at, known_at)  # the store's, in force then, as known then
    grade_code = None
    if grade is not None:
        # Not on the policy's scales: perhaps on a scale the store's items carry (below).
        with contextlib.suppress(RuleViolation):
            grade_code = _grade(grade, policy)
    reference = _report(report, tracker, who) if report is not None else None
    where = views.RegisterFilter(
        report=reference,
        grade=grade_code,
        status=wanted_status,
        owner=owner,
        overdue=True if overdue else None,
        body=body,
        priority=priority,
    )
    view = tracker.register_for(who, as_at=as_at, known_at=known_at, position=position, where=where)
    if grade is not None and grade_code is None:
        grade_code = _carried_grade(grade, view.rows, policy)
        view = attrs.evolve(view, rows=tuple(row for row in view.rows if row.grade == grade_code))
    asked = _described(
        report=reference,
        grade=grade_code,
        status=wanted_status.value if wanted_status is not None else None,
        owner=owner,
        overdue=overdue,
        body=body,
        priority=priority,
    )
    empty = f"no recommendation matches {asked}" if asked else "no recommendation yet"
    stated = (
        stated_checkpoint(tracker, view.basis.position, required=True) if with_checkpoint else None
    )
    view = attrs.evolve(view, labels=_labels(tracker, view.basis))
    _show(
        view,
        chosen,
        output,
        title="Register",
        table=register_table(view),
        empty=empty,
        checkpoint=stated,
    )


@cli.command(short_help="The audit trail of one recommendation.")
@click.argument("reference")
@_trail_options
def history(
    reference: str,
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str | None,
    with_checkpoint: bool,
    output: str | None,
) -> None:
    """The audit trail of one recommendation: every entry, with who, when and why.

    Entries are numbered per recommendation (the "Entry" column): `recommendations correct`
    takes that number. The "Position" column is the entry's place in the whole log, which
    also counts records that are not entries (see `recommendations trail --help`).

    \b
    recommendations history CB-21
    recommendations history CB-21 --position 143
    recommendations history CRIME-2014-2 -o crime-2014-2.csv
    """
    _show_trail(
        lambda tracker: tracker.history(
            reference, known_at=known_at, position=position, audience=_audience(audience)
        ),
        format_,
        output,
        title=f"History of {reference}",
        empty=f"no entry about {reference} on this basis",
        with_checkpoint=with_checkpoint,
    )


@cli.command(short_help="The audit trail of the whole log.")
@_trail_options
@body_option
def trail(
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str | None,
    with_checkpoint: bool,
    output: str | None,
    body: str | None,
) -> None:
    """The audit trail of the whole log: recommendations, reports and inspections.

    Log positions count every record in the log, including the record a command with a
    command id (an import) keeps of itself; the trail lists entries only, so its
    positions may skip one.

    \b
    recommendations trail -o trail.xlsx
    recommendations trail --position 10
    """
    _show_trail(
        lambda tracker: (
            tracker.stream_trail(known_at=known_at, position=position, audience=_audience(audience))
            if body is None
            else tracker.trail(
                known_at=known_at, position=position, audience=_audience(audience), body=body
            )
        ),
        format_,
        output,
        title="Audit trail" if body is None else f"Audit trail of {body}",
        empty="no entry in the log on this basis",
        with_checkpoint=with_checkpoint,
    )


@cli.command(
    "committee-update", short_help=f"The committee paper ({', '.join(names_for('paper'))})."
)
@click.option("--since", type=DATE, required=True, help="The date the committee last met.")
@click.option("--as-at", type=DATE, default=None, help=f"The date it meets now ({AS_AT_DEFAULT}).")
@known_at_option
@position_option
@audience_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(names_for("paper")),
    default=None,
    help=formats_help("paper", "md", "Markdown is shown formatted on a terminal."),
)
@output_option
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the chart of recommendations by grade over time (.svg or .png).",
)
@click.option(
    "--checkpoint-out",
    metavar="FILE",
    default=None,
    help="Also write the checkpoint of the log the paper was built on (the C2SP note the "
    "paper prints), to keep with the minutes.",
)
@click.option(
    "--key",
    metavar="FILE",
    default=None,
    help="Sign the paper's checkpoint with this Ed25519 signing key file (default: the file "
    "$RECOMMENDATIONS_SIGNING_KEY names; unsigned when neither is given).",
)
@body_option
@store_option
def committee_update(
    since: date,
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str | None,
    output: str | None,
    chart: str | None,
    checkpoint_out: str | None,
    key: str | None,
    body: str | None,
) -> None:
    """The committee paper: what happened since the last committee, and the register now.

    Inspections and reports since the last committee, new recommendations, counts by
    report and grade, reds, overdue items, and what moved between the two dates.

    \b
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30 -o paper.pdf
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30 -o paper.md \\
        --chart chart.svg
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30 -o paper.html \\
        --checkpoint-out paper.checkpoint

    Every format prints the checkpoint of the log the paper was built on: the number of
    entries it covers (exactly the paper's log position), the root hash, the log's origin
    and a fingerprint to read aloud. It is signed with --key (or the file
    $RECOMMENDATIONS_SIGNING_KEY names), and not kept in the store: the paper, and the
    file --checkpoint-out writes, are its copies.
    """
    chosen = chosen_format(format_, output, "paper", "md")
    chart_format = None
    if chart is not None:
        chart_format = Path(chart).suffix.lower().lstrip(".")
        if chart_format not in ("svg", "png"):
            raise click.BadParameter(
                "the chart's file name ends in .svg or .png", param_hint="--chart"
            )
    binary = format_named(chosen, "paper").binary
    if binary and output in (None, "-"):
        refuse_binary_on_terminal(f"the committee paper ({chosen})")
    same = chart is not None and output not in (None, "-")
    if same and os.path.realpath(str(chart)) == os.path.realpath(str(output)):
        raise click.BadParameter(
            f"the chart and the paper would both be written to {chart!r}: name two files",
            param_hint="--chart",
        )
    check_output(output, chosen)
    if chart is not None and chart_format is not None:
        check_output(chart, chart_format, option="--chart")
    _require_paper_extra(pdf=chosen == "pdf", chart=chart is not None)
    if checkpoint_out is not None:
        _distinct(checkpoint_out, output, chart)
        check_output(checkpoint_out, "text", option="--checkpoint-out")
    from recommendations.integrity._checkpoint import SigningKey, signing_key_path
    from recommendations.paper import CommitteePaper

    key_path = signing_key_path(key)
    keys = [] if key_path is None else [SigningKey.from_file(key_path)]
    tracker = session().tracker()
    paper = CommitteePaper.of(
        tracker,
        since=since,
        as_at=as_at,
        known_at=known_at,
        position=position,
        audience=_audience(audience),
        keys=keys,
        body=body,
    )
    if paper.checkpoint is None and (checkpoint_out is not None or keys):
        raise RuleViolation(
            f"{session().label} keeps no Merkle tree over the first "
            f"{paper.update.basis.position} entries of its log, so the paper can name no "
            "checkpoint to write or sign: run recommendations seal",
            field="checkpoint",
            rule="tree-covers-basis",
        )
    if checkpoint_out is not None and paper.checkpoint is not None:
        write_file(
            checkpoint_out, paper.checkpoint.note.encode(), option="--checkpoint-out", kind="text"
        )
        note(
            f"Wrote the checkpoint of the {paper.checkpoint.size} entries the paper was built "
            f"on (fingerprint {paper.checkpoint.fingerprint}) to {checkpoint_out}."
        )
    link = None
    if chart is not None and chart_format is not None:
        picture = paper.chart("svg" if chart_format == "svg" else "png")
        write_file(chart, picture, option="--chart", kind=chart_format)
        note(f"Wrote the chart to {chart}.")
        base = Path(output).parent if output not in (None, "-") else Path()
        link = os.path.relpath(Path(chart).resolve(), base.resolve())
    if chosen == "md":
        text = paper.markdown(chart=link)
        if output is None and is_terminal():
            show(markdown(text))
            return
        data = text.encode("utf-8")
    elif chosen == "pdf":
        from recommendations.paper import pdf_renderer

        renderer = pdf_renderer()
        data = paper.pdf(renderer=renderer)
        note(_RENDERED[renderer])
    else:
        data = paper.render(chosen)
    emit(data, output, binary=binary, what=f"the committee paper ({chosen})", kind=chosen)


_RENDERED = {
    "weasyprint": "Rendered the PDF with WeasyPrint: tagged for accessibility (PDF/UA-1).",
    "fpdf2": "Rendered the PDF with fpdf2, as WeasyPrint cannot run here: it is not tagged "
    "for accessibility (PDF/UA-1); the HTML paper is.",
}
"""What the command says of the renderer that made the PDF."""


class _NeedsExtra(Refused):
    """A chart or a PDF asked for without the ``[paper]`` extra: one line naming it, and
    exit status 2, as for other usage errors."""

    exit_code = 2


def _require_paper_extra(*, pdf: bool, chart: bool) -> None:
    from recommendations._errors import ConfigurationError
    from recommendations.outputs._extra import require

    what = "the PDF paper" if pdf else "the chart"
    try:
        if pdf or chart:
            require(what, field="--format" if pdf else "--chart", pdf=pdf)
    except ConfigurationError as error:
        raise _NeedsExtra(error.detail) from error


def _distinct(checkpoint_out: str, *others: str | None) -> None:
    """Refuse a --checkpoint-out that names the paper's or the chart's file."""
    for other in others:
        if other not in (None, "-") and os.path.realpath(checkpoint_out) == os.path.realpath(
            str(other)
        ):
            raise click.BadParameter(
                f"the checkpoint and another output would both be written to "
                f"{checkpoint_out!r}: name two files",
                param_hint="--checkpoint-out",
            )


@cli.command(short_help="The register and whole audit trail to a file.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(writable=True),
    help="The file to write (a folder, for csv).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(names_for("bundle")),
    default=None,
    help=formats_help(
        "bundle", None, "A folder holding register and trail files for csv, else one file."
    ),
)
@click.option(
    "--as-at",
    type=DATE,
    default=None,
    help=f"The register as at this date ({AS_AT_DEFAULT}).",
)
@known_at_option
@position_option
@audience_option
@body_option
@force_option
@store_option
def export(
    output: str,
    format_: str | None,
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    audience: str,
    body: str | None,
) -> None:
    """The register and the audit trail of the whole log, on one basis, to keep or audit.

    \b
    recommendations export -o register-and-trail.xlsx
    recommendations export --format csv -o export-2017-03-30 --as-at 2017-03-30
    recommendations export -o west-midlands.json --body "West Midlands Police"
    """
    from recommendations import exports, views

    chosen = _export_format(format_, output)
    folder_of_two = format_named(chosen, "bundle").bundle_as_folder
    ending = format_named(chosen, "bundle").suffixes[0]
    names = (f"register{ending}", f"trail{ending}")
    if folder_of_two and Path(output).exists() and not Path(output).is_dir():
        raise click.BadParameter(
            f"a {chosen} export is a folder ({names[0]} and {names[1]}), and {output!r} is a "
            "file: name a folder",
            param_hint="--output",
        )
    if folder_of_two:
        for name in names:
            check_output(Path(output) / name, chosen)
    else:
        check_output(output, chosen)
    tracker = session().tracker()
    who = _audience(audience)
    with progress("Exporting", 3) as (bar, task):
        known = known_at if known_at is not None else datetime.now(UTC)
        upto = tracker.head() if position is None else position
        bar.update(task, description="Reading the register")
        # The register is listed as it is written, before the trail reads the log: neither
        # is ever held whole, nor both at once.
        where = None if body is None else views.RegisterFilter(body=body)
        register_view = tracker.stream_register(
            who, as_at=as_at, known_at=known, position=upto, where=where
        )
        register_view = attrs.evolve(register_view, labels=_labels(tracker, register_view.basis))
        made: list[views.Trail | views.TrailStream] = []

        def trail() -> views.Trail | views.TrailStream:
            bar.update(task, advance=1, description="Reading the audit trail")
            made.append(
                tracker.stream_trail(known_at=known, position=upto, audience=who)
                if body is None
                else tracker.trail(known_at=known, position=upto, audience=who, body=body)
            )
            bar.update(task, advance=1, description=f"Writing {chosen}")
            return made[-1]

        if folder_of_two:
            folder = Path(output)
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise cannot_write(output, error, option="--output") from error
            with output_file(folder / names[0], chosen) as file:
                exports.write_register(register_view, chosen, file)
            trail_view = trail()
            with output_file(folder / names[1], chosen) as file:
                exports.write_trail(trail_view, chosen, file)
        else:
            stated = None
            if format_named(chosen, "bundle").checkpoint:
                at = tracker.basis(known_at=known, position=upto).position
                stated = stated_checkpoint(tracker, at, required=False)
            with output_file(output, chosen) as file:
                exports.write_bundle(register_view, trail, chosen, file, checkpoint=stated)
            trail_view = made[-1]
        bar.update(task, advance=1, description="Exported")
    written = f"{output}/{names[0]} and {names[1]}" if folder_of_two else output
    note(
        f"Exported the register ({len(register_view)} rows) and the audit trail "
        f"({len(trail_view)} entries) to {written}: " + exports.basis_sentence(register_view)
    )


def _or(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def _export_format(given: str | None, output: str) -> str:
    """The export's format: ``--format``, else the name of ``--output``. A csv export is a
    folder holding two files, so no file name says csv."""
    bundles = formats_for("bundle")
    files = [f.suffixes[0] for f in bundles if not f.bundle_as_folder]
    suffix = Path(output).suffix.lower()
    for folder in (f for f in bundles if f.bundle_as_folder):
        if suffix in folder.suffixes:
            ending = folder.suffixes[0]
            raise click.UsageError(
                f"a {folder.name} export is a folder holding register{ending} and "
                f"trail{ending}, not one file ({output!r}): say --format {folder.name} with "
                f"a folder's name, or name a {_or(files)} file"
            )
    named = chosen_format(given, output, "bundle", "")
    if not named:
        names = [f.name for f in bundles]
        raise click.UsageError(f"say --format {_or(names)} (or name the file {_or(files)})")
    return named


@cli.command(short_help="One national recommendation across the bodies it was made to.")
@click.argument("reference")
@click.option(
    "--as-at", type=DATE, default=None, help=f"What was true on this date ({AS_AT_DEFAULT})."
)
@known_at_option
@listing_format_option
@output_option
@store_option
def rollup(
    reference: str,
    as_at: date | None,
    known_at: datetime | None,
    format_: str | None,
    output: str | None,
) -> None:
    """The roll-up of a national recommendation: each copy of it in this store (raised
    from the same report with the same words, one per body) with its body, status and
    outcome; then how many are implemented, open, closed not implemented, or closed
    otherwise.

    \b
    recommendations rollup CB-01 --as-at 2017-03-30
    recommendations rollup CB-01 -o cb-01.json
    """
    chosen = chosen_format(format_, output, "listing", "table")
    check_output(output, chosen)
    tracker = session().tracker()
    found = tracker.rollup(reference, as_at=as_at, known_at=known_at)
    policy = session().policy_at(found.as_at, known_at)
    rows = [
        {
            "body": line.body,
            "reference": line.reference,
            "status": line.status.value,
            "outcome": None if line.outcome is None else line.outcome.value,
            "grade": line.grade,
            "due_on": None if line.due_on is None else line.due_on.isoformat(),
            "overdue": line.overdue,
        }
        for line in found.lines
    ]
    shown = [
        {
            **{key: "" if value is None else str(value) for key, value in row.items()},
            "status": policy.status_label(line.status),
            "outcome": "" if line.outcome is None else policy.outcome_label(line.outcome),
            "overdue": "yes" if line.overdue else "",
        }
        for row, line in zip(rows, found.lines, strict=True)
    ]
    totals = found.totals()
    listing = Listing(
        title=f"Roll-up of {found.reference} ({found.report})",
        caption=(
            f"As at {found.as_at}: {totals['total']} "
            f"{'body' if totals['total'] == 1 else 'bodies'}; {totals['implemented']} "
            f"implemented, {totals['open']} open, {totals['not_implemented']} closed not "
            f"implemented, {totals['closed_other']} closed otherwise."
        ),
        columns=_ROLLUP_COLUMNS,
        rows=rows,
        shown=shown,
        document={
            "reference": found.reference,
            "report": found.report,
            "text": found.text,
            "as_at": found.as_at.isoformat(),
            "bodies": rows,
            "totals": totals,
        },
    )
    write_listing(listing, chosen, output, what=f"the roll-up of {found.reference}")


_ROLLUP_COLUMNS = {
    "body": "Body",
    "reference": "Reference",
    "status": "Status",
    "outcome": "Outcome",
    "grade": "Grade",
    "due_on": "Due",
    "overdue": "Overdue",
}


def write_listing(listing: Listing, chosen: str, output: str | None, what: str) -> None:
    """Show ``listing`` here as a table, or write it in the ``chosen`` format to
    ``output`` (or standard output)."""
    from recommendations.outputs.table import listing_table

    if chosen == "table" and (output is None or output == "-"):
        show(listing_table(listing))
        return
    file = io.BytesIO()
    write = format_named(chosen, "listing").write_listing
    assert write is not None  # chosen among the formats that write a listing
    write(listing, file)
    emit(
        file.getvalue(),
        output,
        binary=False,
        what=what,
        kind="table" if chosen == "table" else None,
    )
