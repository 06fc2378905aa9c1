"""The commands that read: the register, audit trails, the committee update, exports.

Each answer states its basis: the date it is true on (``--as-at``), the time the log is
read as of (``--known-at``) and the last log position it includes (``--position``), so
that asking again with the same basis gives the same answer, whatever was recorded since.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._app import cli, session, store_option
from ._output import (
    console,
    emit,
    note,
    progress,
    refuse_binary_on_terminal,
    view_table,
    write_file,
)
from ._params import DATE, audience_option, known_at_option, output_option, position_option

if TYPE_CHECKING:
    from recommendations import views

__all__ = ["committee_update", "export", "history", "register", "trail"]

_F = TypeVar("_F", bound=Callable[..., Any])

VIEW_FORMATS = ("table", "json", "csv", "xlsx", "md", "html")
_REGISTER_TABLE = ("reference", "report", "grade", "status", "owner", "due_on", "overdue")
_TRAIL_TABLE = (
    "position",
    "reference",
    "version",
    "event",
    "effective_on",
    "recorded_at",
    "actor",
    "reason",
    "changes",
)


def _format_option(command: _F) -> _F:
    return click.option(
        "--format",
        "format_",
        type=click.Choice(VIEW_FORMATS),
        default="table",
        show_default=True,
        help="table: for reading here; json, csv, xlsx (a spreadsheet), md (Markdown), "
        "html: to keep or pass on. Each states the basis it was read on.",
    )(command)


def _audience(value: str) -> views.Audience:
    from recommendations import views

    return views.Audience(value)


def _show(
    view: views.Register | views.Trail,
    format_: str,
    output: str | None,
    *,
    title: str,
    table: tuple[str, ...],
) -> None:
    """Write ``view`` in ``format_`` to ``output`` (or standard output)."""
    from recommendations import exports, views

    what = f"the {title.lower()} ({len(view)} {'row' if len(view) == 1 else 'rows'})"
    if format_ == "table":
        rendered = view_table(view, table, title)
        if output is not None and output != "-":
            from rich.console import Console

            buffer = io.StringIO()
            Console(file=buffer, width=160, highlight=False).print(rendered)
            write_file(output, buffer.getvalue().encode("utf-8"))
            note(f"Wrote {what} to {output}.")
        else:
            console().print(rendered)
        return
    if isinstance(view, views.Register):
        data = exports.render_register(view, format_, title=title)
    else:
        data = exports.render_trail(view, format_, title=title)
    emit(data, output, binary=format_ == "xlsx", what=what)


@cli.command(short_help="The register as at a date, as known at a time.")
@click.option(
    "--as-at", type=DATE, default=None, help="What was true on this date (default: today)."
)
@known_at_option
@position_option
@click.option("--report", default=None, help="Only recommendations from this report.")
@click.option("--grade", default=None, help="Only those at this grade (e.g. red).")
@click.option(
    "--status",
    type=click.Choice(["open", "claimed", "discharged"]),
    default=None,
    help="Only those with this status.",
)
@click.option("--owner", default=None, help="Only those this role owns.")
@click.option("--overdue", is_flag=True, help="Only those overdue on the --as-at date.")
@audience_option
@_format_option
@output_option
@store_option
def register(
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    report: str | None,
    grade: str | None,
    status: str | None,
    owner: str | None,
    overdue: bool,
    audience: str,
    format_: str,
    output: str | None,
) -> None:
    """The register: one row per recommendation, as at a date, as known at a time.

    \b
    recommendations register
    recommendations register --as-at 2016-12-31 --grade amber
    recommendations register --as-at 2017-03-30 --known-at 2017-03-31 --format xlsx -o r.xlsx
    """
    from recommendations import domain, views

    where = views.RegisterFilter(
        report=report,
        grade=grade,
        status=domain.Status(status) if status is not None else None,
        owner=owner,
        overdue=True if overdue else None,
    )
    tracker = session().tracker(existing=True)
    view = tracker.register_for(
        _audience(audience), as_at=as_at, known_at=known_at, position=position, where=where
    )
    _show(view, format_, output, title="Register", table=_REGISTER_TABLE)


@cli.command(short_help="The audit trail of one recommendation.")
@click.argument("reference")
@known_at_option
@position_option
@audience_option
@_format_option
@output_option
@store_option
def history(
    reference: str,
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str,
    output: str | None,
) -> None:
    """The audit trail of one recommendation: every entry, with who, when and why.

    Entries are numbered per recommendation (the "Entry" column): `recommendations correct`
    takes that number.

    \b
    recommendations history CB-21
    recommendations history CB-21 --known-at 2016-12-13 --format md -o cb-21.md
    """
    tracker = session().tracker(existing=True)
    view = tracker.history(
        reference, known_at=known_at, position=position, audience=_audience(audience)
    )
    _show(view, format_, output, title=f"History of {reference}", table=_TRAIL_TABLE)


@cli.command(short_help="The audit trail of the whole log.")
@known_at_option
@position_option
@audience_option
@_format_option
@output_option
@store_option
def trail(
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str,
    output: str | None,
) -> None:
    """The audit trail of the whole log: recommendations, reports and inspections.

    \b
    recommendations trail --format csv -o trail.csv
    recommendations trail --known-at 2016-12-31 --format html -o trail-2016.html
    """
    tracker = session().tracker(existing=True)
    view = tracker.trail(known_at=known_at, position=position, audience=_audience(audience))
    _show(view, format_, output, title="Audit trail", table=_TRAIL_TABLE)


@cli.command("committee-update", short_help="The committee paper (md, html, pdf, json).")
@click.option("--since", type=DATE, required=True, help="The date the committee last met.")
@click.option("--as-at", type=DATE, default=None, help="The date it meets now (default: today).")
@known_at_option
@position_option
@audience_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(("md", "html", "pdf", "json")),
    default="md",
    show_default=True,
    help="md (Markdown), html (one printable page), pdf (A4), json (the figures).",
)
@output_option
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the chart of recommendations by grade over time (.svg or .png).",
)
@store_option
def committee_update(
    since: date,
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    audience: str,
    format_: str,
    output: str | None,
    chart: str | None,
) -> None:
    """The committee paper: what happened since the last committee, and the register now.

    Inspections and reports since the last committee, new recommendations, counts by
    report and grade, reds, overdue items, and what moved between the two dates.

    \b
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30
    recommendations committee-update --since 2016-12-08 --as-at 2017-03-30 \\
        --format pdf -o paper.pdf --chart chart.png
    """
    chart_format = None
    if chart is not None:
        chart_format = Path(chart).suffix.lower().lstrip(".")
        if chart_format not in ("svg", "png"):
            raise click.BadParameter(
                "the chart's file name ends in .svg or .png", param_hint="--chart"
            )
    if format_ == "pdf" and output in (None, "-"):
        refuse_binary_on_terminal("the committee paper (pdf)")
    from recommendations.paper import CommitteePaper

    tracker = session().tracker(existing=True)
    paper = CommitteePaper.of(
        tracker,
        since=since,
        as_at=as_at,
        known_at=known_at,
        position=position,
        audience=_audience(audience),
    )
    link = None
    if chart is not None and chart_format is not None:
        write_file(chart, paper.chart("svg" if chart_format == "svg" else "png"))
        note(f"Wrote the chart to {chart}.")
        base = Path(output).parent if output not in (None, "-") else Path()
        link = os.path.relpath(Path(chart).resolve(), base.resolve())
    if format_ == "md":
        data = paper.markdown(chart=link).encode("utf-8")
    else:
        data = paper.render("html" if format_ == "html" else "pdf" if format_ == "pdf" else "json")
    emit(data, output, binary=format_ == "pdf", what=f"the committee paper ({format_})")


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
    type=click.Choice(("json", "csv", "xlsx")),
    default=None,
    help="xlsx: one workbook (sheets Register, Trail, Basis); json: one file; csv: a folder "
    "holding register.csv and trail.csv. Default: from the name of --output.",
)
@click.option(
    "--as-at", type=DATE, default=None, help="The register as at this date (default: today)."
)
@known_at_option
@position_option
@audience_option
@store_option
def export(
    output: str,
    format_: str | None,
    as_at: date | None,
    known_at: datetime | None,
    position: int | None,
    audience: str,
) -> None:
    """The register and the audit trail of the whole log, on one basis, to keep or audit.

    \b
    recommendations export -o register.xlsx
    recommendations export -o export.json --as-at 2017-03-30
    recommendations export --format csv -o export-folder
    """
    from recommendations import exports

    if format_ is None:
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix not in ("json", "xlsx"):
            raise click.UsageError(
                "say --format json, csv or xlsx (or name the file .json or .xlsx)"
            )
        format_ = suffix
    tracker = session().tracker(existing=True)
    who = _audience(audience)
    with progress("Exporting", 3) as (bar, task):
        known = known_at if known_at is not None else datetime.now(UTC)
        upto = tracker.head() if position is None else position
        bar.update(task, description="Reading the register")
        register_view = tracker.register_for(who, as_at=as_at, known_at=known, position=upto)
        bar.update(task, advance=1, description="Reading the audit trail")
        trail_view = tracker.trail(known_at=known, position=upto, audience=who)
        bar.update(task, advance=1, description=f"Writing {format_}")
        if format_ == "csv":
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            write_file(folder / "register.csv", exports.render_register(register_view, "csv"))
            write_file(folder / "trail.csv", exports.render_trail(trail_view, "csv"))
        else:
            write_file(output, exports.render_bundle(register_view, trail_view, format_))
        bar.update(task, advance=1, description="Exported")
    written = f"{output}/register.csv and trail.csv" if format_ == "csv" else output
    note(
        f"Exported the register ({len(register_view)} rows) and the audit trail "
        f"({len(trail_view)} entries) to {written}: " + exports.basis_sentence(register_view)
    )
