"""The commands that look after a store: the demonstration, imports, adapters, rebuilds."""

from __future__ import annotations

import contextlib
import shlex
from datetime import date
from typing import Any

import click

from ._app import Refused, Session, cli, session, store_option
from ._output import emit, markdown, note, progress, show
from ._params import DATE, audience_option

__all__ = ["demo", "import_", "rebuild", "stores", "verifier"]


@cli.command(short_help="Build the example store and print its committee paper.")
@audience_option
@store_option
def demo(audience: str) -> None:
    """Build the example store and print its committee paper of 30 March 2017.

    Records the inspections, reports and 66 recommendations a police force's joint audit
    committee discussed on 30 March 2017 (West Midlands Police and HMIC), with their
    history since 2014, then prints the update the committee saw, since its previous
    meeting on 8 December 2016. A second run records nothing: it shows what the store
    holds. The store must be empty, or hold the demonstration already.

    Every entry keeps the time it was recorded (March 2016 to March 2017), so ask "as
    known then" with --known-at: `recommendations register --known-at 2017-01-15` is the
    register as the committee knew it on 15 January 2017 (or --position: `recommendations
    history CB-21 --position 143`, before a mistake was struck out).

    Give it a store of its own (--store), not the one you keep your recommendations in.

    \b
    recommendations demo
    recommendations --store sqlite:///demo.db demo --audience public
    """
    from recommendations import demo as scenario
    from recommendations import views
    from recommendations.paper import CommitteePaper

    current = session()
    tracker = current.tracker(create=True)
    total = len(scenario.diary())
    with progress("Recording the demonstration", total) as (bar, task):
        recorded = scenario.install(
            tracker, progress=lambda done, of: bar.update(task, completed=done, total=of)
        )
        if not recorded:
            bar.update(task, completed=total, description="Already recorded")
    if recorded:
        note(f"Recorded the demonstration: {recorded} entries in {current.label}.")
    else:
        note(f"{current.label} already holds the demonstration: nothing was recorded.")
    paper = CommitteePaper.of(
        tracker,
        since=scenario.PREVIOUS_COMMITTEE,
        as_at=scenario.COMMITTEE,
        audience=views.Audience(audience),
    )
    show(markdown(paper.markdown()))
    note(_next_steps(current))


def _next_steps(current: Session) -> str:
    """What to try next on the store the demonstration is in."""
    if current.in_memory:
        return (
            f"{current.label} keeps nothing once this command ends: run `recommendations "
            "demo` (a file in this folder) or `recommendations --store sqlite:///demo.db "
            "demo` to keep the demonstration and read it again."
        )
    store = f" --store {shlex.quote(current.label)}" if current.named else ""
    return (
        f"Next: `recommendations{store} register --as-at 2016-12-31` (the register as it "
        f"stood then), `recommendations{store} register --known-at 2017-01-15` (as the "
        f"committee knew it then), `recommendations{store} history CB-21` (a corrected "
        "mistake), "
        f"`recommendations{store} committee-update --since 2016-12-08 --as-at 2017-03-30 "
        "-o paper.html` (or `-o paper.pdf` with the paper extra installed)."
    )


@cli.command("import", short_help="Import a spreadsheet tracker (CSV or Excel).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A TOML file saying which column holds what (default: common headers are found).",
)
@click.option(
    "--preset",
    default=None,
    metavar="NAME",
    help="Read FILE as the published export of a preset's authority: hmicfrs, hmics, gao "
    "or audit-office (instead of --mapping).",
)
@click.option(
    "--body",
    default=None,
    metavar="NAME",
    help="The body the recommendations of a report new to the store were made to (on top "
    "of the mapping).",
)
@click.option(
    "--snapshot-date",
    type=DATE,
    default=None,
    help="The date the sheet shows the register as at (default: the date in FILE's name).",
)
@click.option("--sheet", default=None, help="The worksheet of a workbook (default: the first).")
@click.option(
    "--by", "by", default=None, metavar="ACTOR", help="Who is importing (required to record)."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would be recorded, and record nothing (a store that is not there yet is "
    "not made).",
)
@click.option(
    "--command-id",
    default=None,
    metavar="ID",
    help="The import's command id (default: one made from the sheet, its date and the "
    "store's position, printed if the import fails).",
)
@store_option
def import_(
    file: str,
    mapping: str | None,
    preset: str | None,
    body: str | None,
    snapshot_date: date | None,
    sheet: str | None,
    by: str | None,
    dry_run: bool,
    command_id: str | None,
) -> None:
    """Import a spreadsheet tracker (CSV or Excel): record what it says that the store does
    not know yet, effective on the sheet's date.

    Each row is compared with the recommendation as the store has it on that date; only
    the differences are recorded (new recommendations, regrades, new owners, deadlines,
    progress, claims, discharges). Importing the same file again records nothing. If any
    row is wrong, every problem is listed, one a line, and nothing is recorded.

    An import is recorded with a command id (so that running it again records nothing):
    besides its entries, the log holds a record of that id, at a position of its own that
    no trail lists.

    With --preset, FILE is read as the preset's authority publishes its export (see
    docs/how-to/import-a-published-export.md); a dry run on a store that is not there yet
    checks it against the preset's policy, which `recommendations init --preset NAME`
    records.

    \b
    recommendations import examples/tracker-2017-06-29.csv --dry-run
    recommendations import examples/tracker-2017-06-29.csv --by "Risk manager"
    """
    import attrs

    from recommendations import configuration, spreadsheets
    from recommendations._service import EmptyStore

    if by is None and not dry_run:
        raise click.UsageError("say who is importing with --by ACTOR (or try --dry-run)")
    if mapping is not None and preset is not None:
        raise click.UsageError("give --mapping or --preset, not both")
    column_mapping = (
        spreadsheets.ColumnMapping.load(mapping)
        if mapping is not None
        else spreadsheets.ColumnMapping.preset(preset)
        if preset is not None
        else None
    )
    if body is not None:
        column_mapping = attrs.evolve(column_mapping or spreadsheets.ColumnMapping(), body=body)
    stream = spreadsheets.open_sheet(file, column_mapping, snapshot_date=snapshot_date, sheet=sheet)
    current = session()
    if preset is not None and not dry_run and current.missing() is not None:
        raise click.UsageError(
            f"the store is not there yet: start it with `recommendations init --preset "
            f"{preset}` (which records the preset's policy), then import"
        )
    # A new store is checked as an empty one, so that a sheet with errors, or one with
    # nothing to record, leaves no empty file behind; it is made only to record. A dry run
    # makes none.
    new_store = current.missing() is not None
    policy = configuration.preset(preset) if preset is not None and new_store else None
    source = EmptyStore(policy=policy or current.policy) if new_store else None
    tracker = None if new_store else current.tracker(create=not dry_run)
    checking = source if source is not None else tracker
    assert checking is not None
    if tracker is not None and not dry_run:
        # A store that is there: checked and recorded in one pass, in one transaction (each
        # batch of rows decided once); a sheet with any error records nothing.
        assert by is not None
        current.command_id = command_id or (
            f"import:{stream.digest}:{stream.snapshot_date}:{tracker.head()}"
        )
        try:
            with progress("Importing", None) as (bar, task):
                result = spreadsheets.import_sheet(
                    tracker,
                    stream,
                    by=by,
                    command_id=current.command_id,
                    progress=lambda done, rows: bar.update(task, completed=rows),
                )
        except spreadsheets.ImportRefused as refused:
            _refuse(refused.source, refused.problems, refused.more_errors)
        for warning in result.warnings:
            note(f"warning: {warning}")
        if not result.count:
            click.echo(
                f"Nothing to import: the store already has everything {result.source} "
                f"says as at {result.snapshot_date.isoformat()}."
            )
            return
        _imported(result)
        return
    with contextlib.ExitStack() as stack:
        checked = stack.enter_context(
            spreadsheets.check_import(checking, stream, by=by or "dry run")
        )
        for warning in checked.warnings:
            note(f"warning: {warning}")
        if checked.errors:
            _refuse(checked.source, checked.errors, checked.more_errors)
        if dry_run:
            count = checked.entries
            click.echo(
                f"Dry run: importing {checked.source} as at "
                f"{checked.snapshot_date.isoformat()} would record {count} "
                f"{'entry' if count == 1 else 'entries'}; nothing was recorded."
            )
            for line in checked.describe():
                click.echo(f"  {line}")
            return
        if not checked.entries:
            if new_store:
                click.echo(f"Nothing to import: {checked.source} holds no recommendation.")
            else:
                click.echo(
                    f"Nothing to import: the store already has everything {checked.source} "
                    f"says as at {checked.snapshot_date.isoformat()}."
                )
            return
        if tracker is None:
            tracker = current.tracker(create=True)
            if tracker.head() != checked.head:
                # A new store that holds entries of its own: checked again, against it.
                checked = stack.enter_context(
                    spreadsheets.check_import(tracker, stream, by=by or "dry run")
                )
                if checked.errors:
                    _refuse(checked.source, checked.errors, checked.more_errors)
                if not checked.entries:
                    click.echo(
                        f"Nothing to import: the store already has everything {checked.source} "
                        f"says as at {checked.snapshot_date.isoformat()}."
                    )
                    return
        current.command_id = command_id or checked.command_id
        try:
            with progress("Importing", checked.entries) as (bar, task):
                result = spreadsheets.record_import(
                    tracker,
                    checked,
                    progress=lambda done, of: bar.update(task, completed=done, total=of),
                    command_id=current.command_id,
                )
        except spreadsheets.ImportRefused as refused:
            _refuse(refused.source, refused.problems)
    _imported(result)


def _imported(result: Any) -> None:
    """Say what an import recorded (a :class:`~recommendations.spreadsheets.Imported`)."""
    first, last = result.first, result.last
    where = f"position {first}" if first == last else f"positions {first} to {last}"
    own = (
        "the import's own record (of its command id) after them, which trails do not list"
        if result.batches <= 1
        else f"a record of each of its {result.batches} batches' command ids (the "
        f"import's, then /N) among them, which trails do not list"
    )
    click.echo(
        f"Imported {result.count} {'entry' if result.count == 1 else 'entries'} from "
        f"{result.source}, effective {result.snapshot_date.isoformat()}, at log {where}, and "
        f"{own}."
    )


def _refuse(source: str, problems: tuple[object, ...], more: int = 0) -> None:
    """Every problem on its own line (and how many more were found, if not all were kept),
    then the refusal: exit status 1."""
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if more:
        click.echo(f"error: ... and {more} more {'error' if more == 1 else 'errors'}", err=True)
    count = len(problems) + more
    raise Refused(
        f"nothing was imported from {source}: {count} {'error' if count == 1 else 'errors'}"
    )


@cli.command(short_help="The storage adapters: which store URLs can be opened.")
def stores() -> None:
    """The storage adapters: which store URLs this installation can open.

    \b
    recommendations stores
    """
    from rich.table import Table
    from rich.text import Text

    from recommendations.stores import available_stores

    table = Table(title="Storage adapters", caption="Name a store with --store URL.")
    for name in ("Scheme", "Package", "Installed", "Description"):
        table.add_column(name)
    for info in available_stores():
        table.add_row(
            Text(f"{info.scheme}://"),
            Text(info.package),
            Text("yes" if info.installed else f"no: pip install {info.package}"),
            Text(info.summary),
        )
    show(table)


@cli.command(short_help="Rebuild the store's materialised views from the log.")
@store_option
def rebuild() -> None:
    """Rebuild the store's materialised views (the register tables) from the log, and
    build the log's Merkle tree if the store was made before it had one (as `seal`).

    The views are kept current as entries are recorded; rebuild them after restoring a
    backup, or to check them: the rows they hold afterwards are the same.

    \b
    recommendations rebuild
    """
    from recommendations.stores import InProcessTables

    tracker = session().tracker()
    sealed = tracker.integrity.seal()
    if sealed:
        click.echo(f"Sealed {session().label}: its Merkle tree gained {sealed} leaves.")
    views = tracker.tables
    if isinstance(views, InProcessTables):
        click.echo(
            f"{session().label} keeps no materialised views: its register is computed from "
            "the log each time. Nothing to rebuild."
        )
        return
    head = tracker.head()
    with progress("Rebuilding the views", head) as (bar, task):
        applied = views.rebuild()
        bar.update(task, completed=head)
    digest = getattr(views, "digest", None)
    check = f" Digest of the rows: {digest()}." if callable(digest) else ""
    click.echo(f"Rebuilt the views of {session().label}: {applied} entries applied.{check}")


@cli.command(short_help="Copy the whole log of another store into this one.")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="URL",
    help="The store to copy from, e.g. sqlite:///recommendations.db.",
)
@store_option
def copy(source: str) -> None:
    """Copy the whole log of the store at --from into this one, unchanged: every entry
    keeps its item, version and recorded time, and command ids come too. Into an empty
    store, the copy is the same log, position for position: the way to move from a SQLite
    file to PostgreSQL. Copy while nobody records in the source.

    A copy that stopped part-way (interrupted, killed, the connection lost) is finished by
    running the same command again: the records already copied are checked against the
    source and the rest copied. Into a store that holds anything else, nothing is copied
    (rule 'copy-target-prefix').

    \b
    recommendations copy --from sqlite:///recommendations.db --store sqlite:///copy.db
    """
    from recommendations import Tracker
    from recommendations.stores import redact

    from ._app import _check_exists

    _check_exists(source)
    with Tracker(source) as origin:
        total = origin.head()
        target = session().tracker(create=True)
        before = target.head()
        with progress("Copying the log", total) as (bar, task):
            bar.update(task, completed=before)
            copied = target.copy_from(
                origin, progress=lambda done: bar.update(task, completed=done)
            )
        target.tables.catch_up()
    if before and not copied:
        click.echo(
            f"Nothing to copy: {session().label} already holds the {before} records of "
            f"{redact(source)}."
        )
        return
    resumed = (
        f" (it held the first {before} already, from a copy that stopped part-way)"
        if before
        else ""
    )
    click.echo(
        f"Copied {copied} records from {redact(source)} into {session().label}{resumed}; "
        f"it now holds {target.head()}."
    )


@cli.command(short_help="Print the standalone verifier of proof bundles (one Python file).")
@click.option("-o", "--output", metavar="FILE", help="Write it to FILE instead of standard output.")
def verifier(output: str | None) -> None:
    """Print the standalone verifier: one file of Python, standard library only (plus the
    cryptography package to check a signature), that checks a proof bundle against its
    checkpoint without this library installed. Run it as `python verify.py BUNDLE.json
    [--checkpoint FILE] [--key VERIFIER_KEY]`.

    \b
    recommendations verifier -o verify.py
    """
    from importlib import resources

    source = resources.files("recommendations.integrity").joinpath("verifier.py").read_bytes()
    emit(source, output, binary=False, what="the standalone verifier")
