"""The command group, the store it opens, and how a refusal reaches the person typing.

Every command runs inside :class:`Group.invoke`, which turns a
:class:`~recommendations.RecommendationsError` into one line on standard error and exit
status 1 (3 if the entry was recorded but the views are behind, 4 if whether it was
recorded cannot be known); click itself answers bad usage with status 2. Nothing here
imports the tracker, the storage engines or the file formats: each command does that when
it runs, so that ``recommendations --help`` answers at once.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from recommendations._errors import (
    ConcurrencyError,
    OutcomeUnknown,
    RecommendationsError,
    StoreError,
    TablesBehind,
    TablesBehindWarning,
)

if TYPE_CHECKING:
    from recommendations import Tracker, domain

__all__ = [
    "DEFAULT_STORE",
    "EXIT_STATUSES",
    "STORE_ENV",
    "Group",
    "RecordedBehind",
    "Refused",
    "Session",
    "Unknown",
    "cli",
    "session",
    "store_file",
    "store_option",
]

DEFAULT_STORE = "sqlite:///recommendations.db"
"""A SQLite file in the working directory (the library's own default)."""

STORE_ENV = "RECOMMENDATIONS_STORE"
"""The environment variable that names the store when ``--store`` does not."""

_F = TypeVar("_F", bound=Callable[..., Any])


class Refused(click.ClickException):
    """A command the library refused, or a file that could not be read or written: one
    line on standard error, exit status 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file or sys.stderr)

    @classmethod
    def of(cls, error: BaseException, command_id: str | None = None) -> Refused:
        """The refusal of ``error``; with the exit status that says whether the entry is in
        the log, and, for a store's failure, the ``command_id`` to retry with."""
        message = " ".join(str(error).split())
        retry = command_id is not None and isinstance(error, StoreError | ConcurrencyError)
        if isinstance(error, TablesBehind):
            if retry:
                message += f" (a retry with --command-id {command_id} records nothing new)"
            return RecordedBehind(message)
        if retry:
            message += f"; retry with --command-id {command_id}"
        return Unknown(message) if isinstance(error, OutcomeUnknown) else cls(message)


class RecordedBehind(Refused):
    """The entry was recorded, but the views could not catch up with it: exit status 3."""

    exit_code = 3


class Unknown(Refused):
    """The store failed while recording, and whether the entry is in the log cannot be
    known: exit status 4."""

    exit_code = 4


EXIT_STATUSES = """\b
Exit status:
  0  done
  1  refused, or the store failed: nothing was recorded
  2  the command line is wrong (usage), or asks for a chart or PDF without the
     paper extra installed
  3  recorded, but the views could not catch up (reads say so until they do)
  4  the store failed while recording: whether it was recorded cannot be known;
     retry with the --command-id the message gives, which records nothing twice
"""


_ORDER = (
    "init",
    "demo",
    "register",
    "history",
    "trail",
    "committee-update",
    "export",
    "import",
    "record-inspection",
    "publish-report",
    "raise",
    "assign",
    "regrade",
    "note",
    "change-deadline",
    "claim",
    "reject-claim",
    "discharge",
    "reopen",
    "correct",
    "configure",
    "config",
    "stores",
    "rebuild",
    "seal",
    "checkpoint",
    "prove",
    "verify",
    "erase-person",
    "erasures",
    "serve",
    "issue-token",
    "tokens",
    "revoke-token",
)
"""The order ``--help`` lists the commands in: reading first, then recording (an inspection,
its report, then a recommendation's life), then the store's upkeep."""


class Group(click.Group):
    """Lists commands in a reader's order, and turns the library's errors (and failures to
    read or write a file) into :class:`Refused`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [name for name in _ORDER if name in self.commands]
        return known + sorted(name for name in self.commands if name not in known)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings.catch_warnings():
                # Said once, in one line, when the session closes (see Session.close).
                warnings.simplefilter("ignore", TablesBehindWarning)
                return super().invoke(ctx)
        except RecommendationsError as error:
            command_id = ctx.obj.command_id if isinstance(ctx.obj, Session) else None
            raise Refused.of(error, command_id) from error
        except BrokenPipeError:
            raise  # the reader went away (``| head``): click ends quietly
        except OSError as error:
            where = f" {error.filename}" if getattr(error, "filename", None) else ""
            raise Refused(f"cannot use{where}: {error.strerror or error}") from error


class Session:
    """What the group's options chose, and the tracker, opened on first use."""

    def __init__(self, store: str, *, named: bool = False) -> None:
        self.store = store
        self.named = named
        """Whether ``--store`` named the store (not the environment or the default)."""
        self.command_id: str | None = None
        """The command id of what the command is recording (given, or made for it)."""
        self._tracker: Tracker | None = None

    @property
    def label(self) -> str:
        """The store's URL as messages show it: without a password."""
        from recommendations.stores import StoreURL

        try:
            return StoreURL.parse(self.store).redacted
        except RecommendationsError:
            return self.store

    @property
    def policy(self) -> domain.Policy:
        """The grading scales and kinds of item in force today: the store's own, as its log
        records it (the default policy for a store not made yet, or one that records none)."""
        return self.policy_at()

    def policy_at(
        self, as_at: date | None = None, known_at: datetime | None = None
    ) -> domain.Policy:
        """The store's policy in force on ``as_at`` (default: today), as known at
        ``known_at`` (default: now)."""
        from recommendations import domain

        if self._tracker is None and self.missing() is not None:
            return domain.DEFAULT_POLICY
        return self.tracker().configuration(as_at=as_at, known_at=known_at)

    @property
    def in_memory(self) -> bool:
        """Whether the store lasts only as long as the command (``memory://``)."""
        return self.store.partition("://")[0].lower() == "memory"

    def missing(self) -> Path | None:
        """The file of a SQLite store that is not there yet, else ``None``."""
        return _missing_file(self.store)

    def tracker(self, *, create: bool = False) -> Tracker:
        """The tracker over the store.

        A SQLite file that is not there is refused (rule ``store-exists``), so that a
        mistyped name makes no empty store, unless ``create``: only the commands that can
        start a store (entering an inspection, a report or a recommendation, the
        demonstration, an import) make one, and only once an empty store has accepted what
        they record.
        """
        if self._tracker is None:
            if not create:
                _check_exists(self.store)
            from recommendations import Tracker

            self._tracker = Tracker(self.store)
            click.get_current_context().call_on_close(self.close)
        return self._tracker

    def close(self) -> None:
        if self._tracker is not None:
            behind = self._tracker.tables_behind
            if behind is not None:
                click.echo(f"warning: {' '.join(str(behind).split())}", err=True)
            self._tracker.close()
            self._tracker = None


def store_file(store: str) -> Path | None:
    """The file a ``sqlite:///`` store names, there or not (read as the SQLite adapter
    reads the URL); ``None`` for any other store."""
    from recommendations.stores import StoreURL

    try:
        url = StoreURL.parse(store)
    except RecommendationsError:
        return None  # opening it says what is wrong
    if url.scheme != "sqlite" or url.host or url.path in ("/", "/:memory:"):
        return None
    return Path(url.path[1:])


def _missing_file(store: str) -> Path | None:
    """The file a ``sqlite:///`` store names, if it is not there (read as the SQLite
    adapter reads the URL); ``None`` for any other store, or one that is there."""
    path = store_file(store)
    return None if path is None or path.exists() else path


def _check_exists(store: str) -> None:
    path = _missing_file(store)
    if path is not None:
        from recommendations._errors import ConfigurationError

        raise ConfigurationError(
            f"store {store!r} does not exist (no file {str(path)!r} in {os.getcwd()!r}): "
            "start it with `recommendations init --preset NAME`, an import or an entry, or "
            "name another with "
            f"--store or {STORE_ENV}",
            field="store",
            rule="store-exists",
        )


def session() -> Session:
    """The session of the command running now."""
    obj = click.get_current_context().find_object(Session)
    if obj is None:  # pragma: no cover - the group always makes one
        raise click.UsageError("no store chosen")
    return obj


def _store_here(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        found = ctx.find_object(Session)
        if found is not None:
            found.store = value
            found.named = True


def _show_log(ctx: click.Context, verbose: int) -> None:
    """Send the ``recommendations`` loggers' records to standard error while the command
    runs: INFO and above for ``-v``, DEBUG for ``-vv``."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("recommendations")
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)

    def stop() -> None:
        logger.removeHandler(handler)
        logger.setLevel(before)

    ctx.call_on_close(stop)


def store_option(command: _F) -> _F:
    """``--store`` on a command too, so that it may follow the command's name."""
    return click.option(
        "--store",
        metavar="URL",
        expose_value=False,
        callback=_store_here,
        help=f"The store, as after `recommendations` (overrides it and {STORE_ENV}).",
    )(command)


@click.group(
    cls=Group,
    invoke_without_command=True,
    epilog=EXIT_STATUSES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--store",
    metavar="URL",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    show_envvar=True,
    help="The store: sqlite:///file.db (relative to here), sqlite:////abs/path.db, "
    "postgresql://user@host/db, memory://. See `recommendations stores`.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Show the library's log on standard error: -v what it does (the store opened, "
    "retries, rebuilds, imports, verification), -vv in detail.",
)
@click.version_option(package_name="recommendations-tracker", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, store: str, verbose: int) -> None:
    """Track the recommendations an inspectorate or auditor made to your organisation.

    Every change is recorded as an entry in an append-only log, with who made it, why, the
    date it took effect and the time it was recorded; nothing is ever edited. Read the
    register as at any date, as it was known at any time, with its audit trail.

    Start a store with `recommendations init --preset NAME` and `recommendations import
    FILE`; to see an example committee paper, build the demonstration in a store of its own
    with `recommendations --store sqlite:///demo.db demo`. Each command has --help; without
    a command, this help is shown.
    """
    source = ctx.get_parameter_source("store")
    ctx.obj = Session(store, named=source is click.core.ParameterSource.COMMANDLINE)
    if verbose:
        _show_log(ctx, verbose)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)
