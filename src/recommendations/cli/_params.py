"""Parameter types and the options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

__all__ = [
    "AS_AT_DEFAULT",
    "AUDIENCES",
    "DATE",
    "DATETIME",
    "DUE",
    "FORCE_KEY",
    "audience_option",
    "chosen_format",
    "force_option",
    "known_at_option",
    "output_option",
    "position_option",
    "stacked",
]

_F = TypeVar("_F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from recommendations.domain import DueDate
    from recommendations.outputs import What

    _DateParam = click.ParamType[date, Any]
    _DueParam = click.ParamType[DueDate | None, Any]
    _MomentParam = click.ParamType[datetime, Any]
else:  # click before 8.2 has no type arguments
    _DateParam = _DueParam = _MomentParam = click.ParamType


class DateType(_DateParam):
    """A calendar date, ``YYYY-MM-DD``."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2017-03-30")


class DueType(_DueParam):
    """A date, a month alone (``YYYY-MM``: due by its last day, and kept as a month), or
    ``none`` for no date at all."""

    name = "due"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD|YYYY-MM|none"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> DueDate | None:
        from recommendations._errors import RuleViolation
        from recommendations.domain import DueDate, due_date_of

        if value is None or str(value).strip().lower() == "none":
            return None
        if isinstance(value, DueDate):
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            return DueDate(value)
        try:
            return due_date_of(str(value))
        except RuleViolation:
            self.fail(
                f"{value!r} is not a due date: write it as YYYY-MM-DD, e.g. 2017-03-30, or a "
                "month alone as YYYY-MM (due by its last day), or none"
            )


class DateTimeType(_MomentParam):
    """A moment: ISO 8601 date and time, with or without an offset, or a date alone.

    A time without an offset is read in this computer's time zone; a date alone means the
    end of that day (everything recorded on it).
    """

    name = "datetime"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime) and value.utcoffset() is not None:
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), time.max)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date and time: write it as 2017-04-10T09:30:00+00:00, "
                "2017-04-10 09:30 (this computer's time zone) or 2017-04-10 (the end of "
                "that day)"
            )
        return moment if moment.utcoffset() is not None else moment.astimezone()


DATE = DateType()
DUE = DueType()
DATETIME = DateTimeType()

AUDIENCES = ("body", "oversight", "public")


def stacked(*decorators: Callable[[Any], Any]) -> Callable[[_F], _F]:
    """One decorator that does what ``decorators`` do written one above another, in the
    order given: the options a command shows come in that order in its ``--help``."""

    def apply(command: _F) -> _F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


audience_option = click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="body",
    show_default=True,
    help="Whom it is for: the body itself; its oversight (every item, owners by role); "
    "the public (no sensitive item, no personal name).",
)
"""``--audience``: whom an answer is for (see :data:`AUDIENCES`)."""

known_at_option = click.option(
    "--known-at",
    type=DATETIME,
    default=None,
    help="As the log knew it at this time (default: now). A date alone means the end "
    "of that day; a time without an offset is in this computer's time zone. Everything "
    "recorded by that time counts, whatever date it took effect.",
)
"""``--known-at``: the time the log is read as of."""

position_option = click.option(
    "--position",
    type=click.IntRange(min=0),
    default=None,
    help="Only entries up to this log position (default: all): the log as it stood "
    "then; with --known-at, asks again exactly what an earlier answer's basis says.",
)
"""``--position``: the last log position an answer includes."""

FORCE_KEY = "recommendations.force"
"""Where ``--force`` is kept in the command's context (read by the writing of outputs)."""


def _force_here(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[FORCE_KEY] = True


force_option = click.option(
    "--force",
    is_flag=True,
    expose_value=False,
    callback=_force_here,
    help="Replace an existing file that is not of the output's format (a store's own "
    "files are never replaced).",
)
"""``--force``: let an output replace a file of another format."""

output_option = stacked(
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        default=None,
        help="Write to this file instead of the terminal ('-' for standard output); its "
        "name's ending gives the format if --format does not. Created readable by its "
        "owner only (see RECOMMENDATIONS_FILE_MODE).",
    ),
    force_option,
)
"""``--output``/``-o``: the file to write instead of the terminal, and ``--force``."""

AS_AT_DEFAULT = "default: the --known-at date, else today"
"""What ``--as-at`` is when not given: the date of the time the log is read as of."""


def chosen_format(
    given: str | None,
    output: str | None,
    what: What,
    default: str,
) -> str:
    """The format to write: ``--format`` if ``given``, else the one the name of ``--output``
    ends in, else ``default``. The endings are those of the registry of
    :mod:`recommendations.outputs` (:func:`~recommendations.outputs.suffixes_for`): the
    format of ``-o register.csv`` is csv.

    Bad usage (status 2): a file name that says one format when ``--format`` says another,
    or that names a format that cannot write ``what`` (what this command writes).
    """
    from recommendations.outputs import names_for, suffixes_for

    formats = names_for(what)
    known = suffixes_for(what)
    named = None
    suffix = ""
    if output is not None and output != "-":
        suffix = Path(output).suffix.lower()
        named = known.get(suffix)
    if named is None:
        return given if given is not None else default
    if given is not None and given != named:
        raise click.UsageError(
            f"--format {given} does not match --output {output!r}, whose name says "
            f"{named} ({suffix}): drop --format, or name the file for {given}"
        )
    if named not in formats:
        raise click.UsageError(
            f"--output {output!r} names a {named} file ({suffix}), and this command writes "
            f"{', '.join(formats)}: name the file for one of them"
        )
    return named
