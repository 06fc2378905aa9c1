"""Due dates known only to the month: "March 2026" means by the end of March 2026.

A recommendation due "by March 2026" is recorded as due on the month's last day, so that it
is overdue only once the month is over, by the same rule as any other due date, and with
the precision ``"month"``, so that it is shown as the month it was given as ("March 2026"),
never as a day nobody set. A due date given as a day has the precision ``"day"``, the
default (entries recorded before precisions were kept read so). Pure: no I/O.

>>> month_due(2026, 3)
DueDate(on=datetime.date(2026, 3, 31), precision='month')
>>> due_date_of("2028-02").on, due_date_of("2026-03-15")
(datetime.date(2028, 2, 29), DueDate(on=datetime.date(2026, 3, 15), precision='day'))
>>> str(month_due(2026, 3)), shown_due(date(2026, 3, 15), "day")
('March 2026', '2026-03-15')
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Literal, TypeAlias

from attrs import frozen

from ._errors import RuleViolation

__all__ = [
    "DUE_PRECISIONS",
    "DueDate",
    "DuePrecision",
    "due_date_of",
    "due_month",
    "is_month_end",
    "month_due",
    "shown_due",
]

DuePrecision: TypeAlias = Literal["day", "month"]
"""How precisely a due date is known: to the ``"day"``, or only to the ``"month"`` (due by
its last day)."""
DUE_PRECISIONS: tuple[DuePrecision, ...] = ("day", "month")

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@frozen
class DueDate:
    """A due date and how precisely it is known.

    ``on`` is the day it is due by: for a month alone, the month's last day.
    ``str()`` is how it is shown: ``2026-03-15``, or ``March 2026``.
    """

    on: date
    precision: DuePrecision = "day"

    def __str__(self) -> str:
        return shown_due(self.on, self.precision)


def is_month_end(day: date) -> bool:
    """Whether ``day`` is the last day of its month."""
    return day.day == calendar.monthrange(day.year, day.month)[1]


def shown_due(due_on: date | None, precision: str = "day") -> str:
    """A due date as people read it: ``2026-03-15``, ``March 2026`` for a month alone, or
    ``""`` for none."""
    if due_on is None:
        return ""
    if precision == "month":
        return f"{calendar.month_name[due_on.month]} {due_on.year}"
    return due_on.isoformat()


def due_month(due_on: date | None, precision: str = "day") -> str:
    """The month a due date known only to the month names, as ``YYYY-MM``; ``""`` for a due
    date known to the day (or none)."""
    if due_on is None or precision != "month":
        return ""
    return f"{due_on.year:04d}-{due_on.month:02d}"


def month_due(year: int, month: int) -> DueDate:
    """The due date of an item due by the end of ``month`` of ``year``: the month's last
    day, with the precision ``"month"``. Raises :class:`~recommendations.RuleViolation`
    (rule ``due-month``) for a month that is not one."""
    if not 1 <= month <= 12 or not date.min.year <= year <= date.max.year:
        raise RuleViolation(
            f"{year:04d}-{month:02d} is not a month", field="due_on", rule="due-month"
        )
    return DueDate(date(year, month, calendar.monthrange(year, month)[1]), "month")


def due_date_of(text: str) -> DueDate:
    """A due date written as a day (``2026-03-15``) or a month alone (``2026-03``, due by
    its last day, precision ``"month"``). Raises :class:`~recommendations.RuleViolation`
    (rule ``due-month``) for any other text."""
    written = text.strip()
    month = _MONTH.fullmatch(written)
    if month is not None:
        return month_due(int(month[1]), int(month[2]))
    try:
        return DueDate(date.fromisoformat(written)) if len(written) == 10 else _refuse(written)
    except ValueError:
        return _refuse(written)


def _refuse(text: str) -> DueDate:
    raise RuleViolation(
        f"{text!r} is not a due date: write a day as YYYY-MM-DD or a month as YYYY-MM",
        field="due_on",
        rule="due-month",
    )
