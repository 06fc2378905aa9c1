"""The commands that prove the log's history (seal, verify, checkpoint, prove) and erase
a person from it while keeping every proof valid (erase-person, erasures)."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._app import Refused, cli, session, store_option
from ._output import check_output, emit, note

if TYPE_CHECKING:
    from recommendations import Tracker
    from recommendations.integrity._checkpoint import SigningKey
    from recommendations.integrity._service import StoredCheckpoint, Verification
    from recommendations.integrity.verifier import VerifierKey

__all__ = ["checkpoint", "erase_person", "erasures", "prove", "seal", "verify"]

_KEY_HELP = (
    "The Ed25519 signing key file to sign the checkpoint with (default: the file "
    "$RECOMMENDATIONS_SIGNING_KEY names; unsigned when neither is given). Keep it outside "
    "the store."
)


def _keys(key: str | None) -> list[SigningKey]:
    from recommendations.integrity._checkpoint import SigningKey, signing_key_path

    path = signing_key_path(key)
    return [] if path is None else [SigningKey.from_file(path)]


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"cannot read the {what} {path!r}: {error}") from error


@cli.command(short_help="Build the Merkle tree of a store made before it had one.")
@store_option
def seal() -> None:
    """Build the Merkle tree of the log for the entries that have none: a store made
    before the library kept the tree. Entries recorded from now on get their leaves as
    they are recorded. Running it again adds nothing.

    \b
    recommendations seal
    """
    tracker = session().tracker()
    integrity = tracker.integrity
    if integrity.computed_on_read:
        click.echo(
            f"{session().label} keeps no tree: it is computed from the log each time it "
            "is asked for. Nothing to seal."
        )
        return
    moved = integrity.bring_to_tiles()
    if moved:
        click.echo(f"The tree of {moved} entries, kept in its earlier form, is now kept in tiles.")
    added = integrity.seal()
    size, root = integrity.root()
    click.echo(
        f"Sealed {session().label}: {added} leaves added; the tree holds {size} entries, "
        f"root {root.hex()}."
    )


@cli.command(short_help="Check that the log is the log its tree and checkpoints record.")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    metavar="FILE",
    help="A checkpoint kept outside the store (repeatable): the log must still give it.",
)
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    metavar="KEY",
    help="A verifier key (name+keyid+key), or a file holding one (repeatable): each "
    "--checkpoint must then carry a good signature by one of them.",
)
@click.option(
    "--origin",
    metavar="TEXT",
    help="The origin each --checkpoint must name (default: this log's own).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)
@store_option
def verify(
    checkpoints: tuple[str, ...], public_keys: tuple[str, ...], origin: str | None, fmt: str
) -> None:
    """Recompute every leaf of the Merkle tree from the stored entries and the tree from
    the leaves, page by page, and compare them with the tree the store keeps, with every
    checkpoint kept in the store and with each --checkpoint FILE. Exit status 0 when all
    holds; 1, with a report saying what was changed and where (the first altered, moved,
    deleted or inserted entries, a truncated tail, a checkpoint the log no longer gives),
    otherwise.

    \b
    recommendations verify
    recommendations verify --checkpoint march-committee.checkpoint --format json
    recommendations verify --checkpoint paper.checkpoint

    With --public-key, a checkpoint's signature is checked too: a signature that does not
    match (the checkpoint was changed, or the signature forged), a checkpoint signed by no
    key given (an unknown key) and a checkpoint of another log (its origin) are reported,
    with exit status 1.
    """
    from recommendations.integrity._service import Problem, StoredCheckpoint
    from recommendations.integrity.verifier import check_checkpoint

    keys = [_verifier_key(value) for value in public_keys]
    notes = [(path, _read(path, "checkpoint")) for path in checkpoints]
    tracker = session().tracker()
    integrity = tracker.integrity
    expected = origin if origin is not None else integrity.origin() if notes else None
    given: list[StoredCheckpoint] = []
    problems: list[Problem] = []
    for path, text in notes:
        try:
            report = check_checkpoint(text, keys=keys, origin=expected)
        except ValueError as error:  # the verifier's errors are ValueErrors
            raise Refused(
                f"field 'checkpoint': rule 'checkpoint': {path!r} is not a checkpoint: {error}"
            ) from error
        given.append(
            StoredCheckpoint(
                size=report.checkpoint.size,
                root=report.checkpoint.root,
                label=path,
                origin=report.checkpoint.origin,
                signed_by=tuple(key.name for key in report.signed_by),
            )
        )
        for kind, problem in report.problems:
            problems.append(
                Problem(kind=kind, position=None, detail=f"checkpoint {path}: {problem}")
            )
    found = integrity.verify(given).with_problems(problems)
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), indent=2))
    else:
        click.echo(_report(found, session().label))
    if not found.ok:
        sys.exit(1)


def _verifier_key(value: str) -> VerifierKey:
    """A verifier key given as text, or the file holding one."""
    from recommendations.integrity.verifier import NoteError, VerifierKey

    try:
        return VerifierKey.parse(value)
    except NoteError as error:
        path = Path(value)
        if not path.is_file():
            raise Refused(
                f"field 'public-key': rule 'key': {value!r} is neither a verifier key "
                f"(name+keyid+key) nor a file holding one: {error}"
            ) from error
    try:
        return VerifierKey.parse(_read(value, "verifier key"))
    except NoteError as error:
        raise Refused(
            f"field 'public-key': rule 'key': {value!r} holds no verifier key: {error}"
        ) from error


_NOTE_KINDS = {"signature", "unknown-key", "origin"}
"""The problems of a checkpoint given, not of the log: its signature or its origin."""


def _report(found: Verification, label: str) -> str:
    from recommendations.integrity.verifier import fingerprint

    lines = []
    if found.computed_on_read:
        lines.append(
            f"{label} keeps no tree: it was computed from the log now, so this shows only "
            "that the log reads consistently, not that it is what it was."
        )
    notes = [p for p in found.problems if p.kind in _NOTE_KINDS]
    if not set(found.counts) - _NOTE_KINDS:
        lines.append(
            f"{label}: the log's {found.head} entries give the tree the store keeps "
            f"(root {found.root.hex()}, {fingerprint(found.root)})."
        )
        if notes:
            lines.append(f"But {len(notes)} checks of the checkpoints given FAILED:")
            lines.extend(f"- {problem.kind}: {problem.detail}" for problem in notes)
    else:
        total = sum(found.counts.values())
        lines.append(f"{label}: the log does NOT match its tree: {total} problems found.")
        for problem in found.problems:
            lines.append(f"- {problem.kind}: {problem.detail}")
        shown = len(found.problems)
        if shown < total:
            lines.append(f"  ... and {total - shown} more of the same kinds.")
    for point, holds in found.checkpoints:
        signed = "".join(f", signed by {name!r}" for name in point.signed_by)
        lines.append(
            f"Checkpoint {point.label or 'given'} (size {point.size}, fingerprint "
            f"{fingerprint(point.root)}{signed}): " + ("holds." if holds else "does NOT hold.")
        )
    return "\n".join(lines)


@cli.command(short_help="Make a checkpoint of the log's tree, keep it and print it.")
@click.option("--key", metavar="FILE", help=_KEY_HELP)
@click.option("--origin", metavar="TEXT", help="The checkpoint's origin line (default: the log's).")
@click.option("-o", "--output", metavar="FILE", help="Write it to FILE instead of standard output.")
@store_option
def checkpoint(key: str | None, origin: str | None, output: str | None) -> None:
    """Make a checkpoint of the log as it stands: its size and the root of its Merkle
    tree, in the C2SP checkpoint format, signed with an Ed25519 key if one is given. The
    checkpoint is kept in the store (verify checks every one kept) and printed: keep a
    copy outside the store too, with the minutes of the meeting that saw the log.

    \b
    recommendations checkpoint -o march-committee.checkpoint
    """
    check_output(output, "text")  # before the checkpoint is kept in the store
    tracker = session().tracker()
    text = tracker.integrity.checkpoint(keys=_keys(key), origin=origin)
    emit(text.encode(), output, binary=False, what="the checkpoint")


def _entries(tracker: Tracker, reference: str) -> list[tuple[int, uuid.UUID]]:
    from recommendations import domain, stores

    tracker.tables.catch_up()
    for make in (domain.recommendation_id, domain.report_id, domain.inspection_id):
        item = make(reference)
        logged = stores.item_log(tracker.tables, item)
        if logged:
            return [(entry.position, item) for entry in logged]
        found = []
        for position, entry in ((p.position, p.event) for p in tracker.log()):
            if entry.originator_id == item:
                found.append((position, item))
        if found:
            return found
    return []


@cli.command(short_help="Write the proof bundle of one item's history.")
@click.argument("reference")
@click.option(
    "--from-checkpoint",
    "earlier",
    metavar="FILE",
    help="An earlier checkpoint: the bundle also proves the log grew from it unchanged.",
)
@click.option("--key", metavar="FILE", help=_KEY_HELP)
@click.option("-o", "--output", metavar="FILE", help="Write it to FILE instead of standard output.")
@store_option
def prove(reference: str, earlier: str | None, key: str | None, output: str | None) -> None:
    """Write the proof bundle of REFERENCE (a recommendation, or a report or inspection):
    its entries, their leaf bytes and their inclusion proofs in the log's Merkle tree, a
    checkpoint of the tree made now (kept in the store), and with --from-checkpoint the
    consistency proof from that earlier checkpoint. `recommendations verifier` prints the
    program that checks it without this library.

    \b
    recommendations prove CB-21 -o CB-21.proof.json
    recommendations prove CB-21 --from-checkpoint march-committee.checkpoint -o CB-21.json
    """
    from recommendations.integrity._bundle import bundle_json

    check_output(output, "json")  # before a checkpoint is kept in the store
    tracker = session().tracker()
    entries = _entries(tracker, reference)
    if not entries:
        raise Refused(f"no recommendation, report or inspection has the reference {reference!r}")
    integrity = tracker.integrity
    current = integrity.checkpoint(keys=_keys(key))
    before = None if earlier is None else _read(earlier, "checkpoint")
    bundle = integrity.prove(reference, entries, checkpoint=current, earlier=before)
    emit(bundle_json(bundle).encode(), output, binary=False, what="the proof bundle")
    if output is not None:
        note(f"Wrote the proof of {len(entries)} entries of {reference!r} to {output}.")


@cli.command("erase-person", short_help="Erase a person's name from every entry; proofs hold.")
@click.argument("name")
@click.option("--reason", required=True, help="Why: the request or decision, its source.")
@click.option("--by", "by", required=True, metavar="ACTOR", help="Who is erasing.")
@click.option(
    "--command-id",
    default=None,
    metavar="ID",
    help="Makes a retry record nothing twice: the same erasure with the same ID is done once.",
)
@store_option
def erase_person(name: str, reason: str, by: str, command_id: str | None) -> None:
    """Erase the person NAME from the store: every entry that names them as who acted
    (actor), as an owner (owner_name) or as who accepted a discharge (accepted_by) reads
    "[erased]" from now on, in every view, export and paper. Every leaf of the log's
    Merkle tree, every checkpoint and every proof bundle made before stays valid.

    The erasure is itself an entry of the log (see `recommendations erasures`): who
    erased, when, why, and the person's commitment, never the name. Free text (reasons,
    notes, texts) is not searched: correct entries that name the person there. Copies,
    backups and files written before are not reached. Run it while no other process has
    the store open (or restart those after): they keep entries they decoded before.

    \b
    recommendations erase-person "Head of Criminal Justice" --reason "erasure request 2017-14" \\
        --by "Data protection officer"
    """
    current = session()
    current.command_id = command_id
    tracker = current.tracker()
    done = tracker.erase_person(name, reason=reason, by=by, command_id=command_id)
    record = done.record
    when = f"{record.recorded_at:%Y-%m-%d %H:%M:%S %Z}"
    if done.already:
        click.echo(
            f"This person was erased already from {current.label} (the erasure at log "
            f"position {done.position}, recorded {when}, by {record.actor}): nothing was "
            "recorded."
        )
        return
    click.echo(
        f"Erased the person from {record.rows} entries of {current.label}: the erasure is "
        f"at log position {done.position} (recorded {when}). Their entries now hold "
        f"{record.commitment}, which every leaf and proof already committed to."
    )
    for step in done.scrubbed:
        note(f"Store: {step}.")


@cli.command(short_help="List the erasures of persons recorded in the store.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Plain lines, or a JSON list.",
)
@store_option
def erasures(fmt: str) -> None:
    """List every erasure of a person recorded in the store: its log position, when it
    was recorded, by whom, why, how many entries it rewrote and the person's commitment
    (which the erased entries and their leaves hold; never the name).

    \b
    recommendations erasures
    """
    from recommendations.integrity._erase import erasures as listed

    found = listed(session().tracker())
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "position": position,
                        "recorded_at": record.recorded_at.isoformat(),
                        "by": record.actor,
                        "reason": record.reason,
                        "entries": record.rows,
                        "commitment": record.commitment,
                        "command_id": record.command_id,
                    }
                    for position, record in found
                ],
                indent=2,
            )
        )
        return
    if not found:
        click.echo("No person has been erased from this store.")
    for position, record in found:
        click.echo(
            f"{position}  {record.recorded_at:%Y-%m-%d %H:%M:%S %Z}  by {record.actor}: "
            f"{record.reason} ({record.rows} entries; {record.commitment})"
        )
