"""What can be wrong with a spreadsheet, said the way its user sees it: by row and column.

A :class:`Problem` is one thing wrong (an error: nothing can be imported until it is put
right) or worth knowing (a warning: the import goes ahead). Rows are numbered as a
spreadsheet shows them, the header being row 1, and columns are named by their header.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from recommendations._errors import RuleViolation

__all__ = ["ImportRefused", "Problem"]


@frozen(kw_only=True)
class Problem:
    """One thing wrong with a row (or with the sheet as a whole), or worth a warning.

    ``row`` is the row number a spreadsheet user sees (``None``: about the sheet, or about a
    recommendation the sheet leaves out), ``column`` the header of the column at fault,
    ``reference`` the recommendation (or report, per ``subject``) concerned, ``field`` the
    field of the library's record, ``rule`` the rule broken (``None`` for a warning). A
    problem whose ``subject`` is ``"mapping"`` is about a setting of the mapping, and
    ``field`` names its key (``reports.body``).

    >>> str(Problem(row=7, column="Due date", message="'31/02/2017' is not a date", rule="date"))
    "row 7, column 'Due date': '31/02/2017' is not a date (rule 'date')"
    >>> str(Problem(subject="mapping", field="reports.body", message="give it", rule="required"))
    "mapping key 'reports.body': give it (rule 'required')"
    """

    message: str
    row: int | None = None
    column: str | None = None
    reference: str | None = None
    subject: str = "recommendation"
    field: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        parts = [", ".join(where)] if where else []
        if self.reference is not None:
            parts.append(f"{self.subject} {self.reference!r}")
        if self.column is None and self.field is not None:
            parts.append(
                f"{'mapping key' if self.subject == 'mapping' else 'field'} {self.field!r}"
            )
        text = ": ".join([*parts, self.message])
        return f"{text} (rule {self.rule!r})" if self.rule is not None else text


class ImportRefused(RuleViolation):
    """A spreadsheet import was refused because of the ``problems`` listed; nothing was
    recorded.

    Each problem names the row and column (or the recommendation) and the rule; the message
    lists them all, one a line. ``rule`` (and ``reference``) are those of the problem when
    there is one, else ``import-refused``. ``more_errors`` counts the errors found past
    those listed (a check keeps the first thousand).
    """

    def __init__(self, source: str, problems: Iterable[Problem], *, more: int = 0) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.more_errors = more
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        first = self.problems[0] if count == 1 else None
        super().__init__(
            f"nothing was imported from {source}: {count} "
            f"{'error' if count == 1 else 'errors'}\n{lines}",
            reference=first.reference if first is not None else None,
            rule=first.rule if first is not None else "import-refused",
        )

    def _compose(self, message: str) -> str:
        return message  # each problem listed names its own row, column and rule
