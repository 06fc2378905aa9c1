"""Due dates known only to the month: "March 2026" means by the end of March 2026.

A recommendation due "by March 2026" is recorded as due on the month's last day, so that it
is overdue only once the month is over, by the same rule as any other due date. Pure: no
I/O.

>>> month_due(2026, 3)
datetime.date(2026, 3, 31)
>>> due_date_of("2028-02"), due_date_of("2026-03-15")
(datetime.date(2028, 2, 29), datetime.date(2026, 3, 15))
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from ._errors import RuleViolation

__all__ = ["due_date_of", "month_due"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_due(year: int, month: int) -> date:
    """The due date of an item due by the end of ``month`` of ``year``: the month's last
    day. Raises :class:`~recommendations.RuleViolation` (rule ``due-month``) for a month
    that is not one."""
    if not 1 <= month <= 12 or not date.min.year <= year <= date.max.year:
        raise RuleViolation(
            f"{year:04d}-{month:02d} is not a month", field="due_on", rule="due-month"
        )
    return date(year, month, calendar.monthrange(year, month)[1])


def due_date_of(text: str) -> date:
    """A due date written as a day (``2026-03-15``) or a month alone (``2026-03``, due by
    its last day). Raises :class:`~recommendations.RuleViolation` (rule ``due-month``) for
    any other text."""
    written = text.strip()
    month = _MONTH.fullmatch(written)
    if month is not None:
        return month_due(int(month[1]), int(month[2]))
    try:
        return date.fromisoformat(written) if len(written) == 10 else _refuse(written)
    except ValueError:
        return _refuse(written)


def _refuse(text: str) -> date:
    raise RuleViolation(
        f"{text!r} is not a due date: write a day as YYYY-MM-DD or a month as YYYY-MM",
        field="due_on",
        rule="due-month",
    )
