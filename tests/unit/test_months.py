"""Due dates known only to the month: due by the month's last day."""

from __future__ import annotations

from datetime import date

import pytest

from recommendations import RuleViolation, domain


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026-03", date(2026, 3, 31)),
        ("2026-04", date(2026, 4, 30)),
        ("2028-02", date(2028, 2, 29)),
        ("2100-02", date(2100, 2, 28)),
        (" 2026-12 ", date(2026, 12, 31)),
        ("2026-03-15", date(2026, 3, 15)),
    ],
)
def test_a_due_date_is_a_day_or_a_month_due_by_its_last_day(text: str, due: date) -> None:
    assert domain.due_date_of(text) == due


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "March 2026", "2026-02-30", ""])
def test_anything_else_is_refused_naming_the_field_and_the_rule(text: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        domain.due_date_of(text)
    assert (caught.value.field, caught.value.rule) == ("due_on", "due-month")


def test_a_month_due_is_overdue_only_once_the_month_is_over() -> None:
    due = domain.month_due(2026, 3)
    assert not due < date(2026, 3, 31)  # not overdue on its last day
    assert due < date(2026, 4, 1)
