"""Which column of a spreadsheet holds what, and how its cells are read.

A :class:`ColumnMapping` says, for each field the library records, which column of the
spreadsheet holds it, how grades and statuses are spelt there, and how dates are written.
The defaults match the headers and values most trackers use, so a mapping is often not
needed at all; a small TOML file (:meth:`ColumnMapping.load`) gives the rest.
"""

from __future__ import annotations

import codecs
import html
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final, TypeAlias

from attrs import field, frozen

from recommendations._errors import ConfigurationError
from recommendations.domain import DueDate, Outcome, Scope, Status, month_due

__all__ = [
    "DEFAULT_DATE_FORMATS",
    "DEFAULT_GRADES",
    "DEFAULT_HEADERS",
    "DEFAULT_KINDS",
    "DEFAULT_STATUSES",
    "FIELDS",
    "STATUS_MEANINGS",
    "Column",
    "ColumnMapping",
    "StatusValue",
    "header_key",
]

Column: TypeAlias = str | tuple[str, ...] | None
"""Where a field is: one header (which must be there), headers to look for in turn (the
first one present is used; none present is fine unless the field is required), or ``None``
(the spreadsheet does not hold this field)."""

FIELDS: Final = (
    "reference",
    "report",
    "text",
    "status",
    "grade",
    "owner",
    "owner_name",
    "due_on",
    "progress",
    "report_title",
    "published_on",
    "inspectorate",
    "kind",
    "scope",
    "priority",
    "response",
)
"""The fields a spreadsheet column can hold, in the order their columns are looked for."""

DEFAULT_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "reference": (
        "Reference",
        "Ref",
        "Ref no",
        "Reference no",
        "Reference number",
        "Rec no",
        "Rec ref",
        "Rec number",
        "Recommendation no",
        "Recommendation number",
        "Recommendation ref",
        "Recommendation reference",
        "No",
        "Number",
        "ID",
    ),
    "report": (
        "Report",
        "Report number",
        "Report no",
        "Report ref",
        "Report reference",
        "Report ID",
        "Source report",
        "Source",
    ),
    "text": (
        "Recommendation",
        "Recommendation text",
        "Text",
        "Description",
        "Recommendation detail",
        "Detail",
    ),
    "status": ("Status", "Open/Closed", "State", "Current status"),
    "grade": (
        "Grade",
        "RAG",
        "RAG status",
        "RAG rating",
        "Rating",
        "Progress rating",
        "Status",
    ),
    "owner": (
        "Owner",
        "Lead",
        "Owner role",
        "Lead role",
        "Responsible officer",
        "Lead officer",
        "Action owner",
        "Responsible",
        "Accountable",
    ),
    "owner_name": ("Owner name", "Lead name", "Named lead", "Named owner"),
    "due_on": (
        "Due",
        "Due date",
        "Due on",
        "Due by",
        "Target date",
        "Target",
        "Deadline",
        "Completion date",
        "Target completion date",
    ),
    "progress": (
        "Progress",
        "Progress update",
        "Update",
        "Updates",
        "Latest update",
        "Progress notes",
        "Update notes",
        "Progress to date",
        "Comments",
        "Response",
    ),
    "report_title": ("Report title", "Report name", "Title"),
    "published_on": (
        "Published",
        "Published on",
        "Date published",
        "Publication date",
        "Report date",
        "Report published",
    ),
    "inspectorate": ("Inspectorate", "Inspectorates", "Inspected by", "Regulator", "Auditor"),
    "kind": ("Kind", "Type", "Item type"),
    "scope": ("Scope", "National/local", "National or local"),
    "priority": ("Priority", "Priority recommendation", "Priority rating"),
    "response": ("Management response", "Response agreed", "Agreed"),
}
"""The headers each field is looked for under, in turn, when the mapping does not name one.
Headers match whatever their case, spacing and punctuation ("REC. NO" is "Rec no")."""

DEFAULT_GRADES: Final[Mapping[str, str]] = {
    "r": "red",
    "red": "red",
    "a": "amber",
    "amber": "amber",
    "g": "green",
    "green": "green",
}
"""Cell values read as grades (case does not matter). Any other value is read as the code of
a grade on the scale: its label in lower case, words joined by hyphens ("Requires
improvement" is ``requires-improvement``)."""

StatusValue: TypeAlias = tuple[Status, Outcome | None]
"""A status as the library records it: open, claimed, or discharged with an outcome."""

STATUS_MEANINGS: Final[Mapping[str, StatusValue]] = {
    "open": (Status.OPEN, None),
    "claimed": (Status.CLAIMED, None),
    "discharged": (Status.DISCHARGED, Outcome.IMPLEMENTED),
    "implemented": (Status.DISCHARGED, Outcome.IMPLEMENTED),
    "no-longer-relevant": (Status.DISCHARGED, Outcome.NO_LONGER_RELEVANT),
    "not-implemented": (Status.DISCHARGED, Outcome.NOT_IMPLEMENTED),
    "closed-by-inspectorate": (Status.DISCHARGED, Outcome.CLOSED_BY_INSPECTORATE),
}
"""What a status can mean, as named in a mapping file's ``[statuses]`` table."""

DEFAULT_STATUSES: Final[Mapping[str, str]] = {
    "open": "open",
    "opened": "open",
    "reopened": "open",
    "re-opened": "open",
    "ongoing": "open",
    "in progress": "open",
    "not started": "open",
    "live": "open",
    "active": "open",
    "claimed": "claimed",
    "awaiting sign-off": "claimed",
    "awaiting sign off": "claimed",
    "awaiting closure": "claimed",
    "proposed for closure": "claimed",
    "ready for closure": "claimed",
    "implemented - awaiting sign-off": "claimed",
    "closed": "implemented",
    "discharged": "implemented",
    "complete": "implemented",
    "completed": "implemented",
    "implemented": "implemented",
    "done": "implemented",
    "blue": "implemented",
    "b": "implemented",
    "no longer relevant": "no-longer-relevant",
    "not relevant": "no-longer-relevant",
    "withdrawn": "no-longer-relevant",
    "closed by inspectorate": "closed-by-inspectorate",
    "closed by the inspectorate": "closed-by-inspectorate",
    "closed by hmic": "closed-by-inspectorate",
}
"""Cell values read as statuses (case and spacing do not matter). "Closed", "Complete" and
the like discharge a recommendation as implemented; "Blue" (or "B") is the B of BRAG
trackers, whose one column is blue, red, amber or green, blue meaning complete.

In a grade column, a value read as a *closed* status here (or under the mapping's
``[statuses]``) closes the recommendation just as it would in a status column, and its last
grade is kept: see :meth:`ColumnMapping.closure_of`."""

DEFAULT_DATE_FORMATS: Final = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%B %Y",
    "%b %Y",
    "%Y-%m",
)
"""How dates written as text are read (``strptime`` formats, tried in turn): ISO, the
day-first forms used in the UK, the month named first ("Mar 5, 2024", "March 5, 2024") as
published in the United States, and a month alone ("March 2026", "Mar 2026", "2026-03").
A format without a day (no ``%d``) gives the month's last day, so that a recommendation due
"by March 2026" is overdue only once March is over. Cells that hold real spreadsheet dates
need no format."""

DEFAULT_KINDS: Final[Mapping[str, str]] = {
    "rec": "recommendation",
    "afi": "area-for-improvement",
    "afd": "area-for-development",
}
"""Cell values read as kinds of item (case does not matter): the abbreviations inspection
reports use. Any other value is read as the name of a kind: its label in lower case, words
joined by hyphens ("Area for improvement" is ``area-for-improvement``)."""

_ENTITY: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

DEFAULT_NO_DATE: Final = ("tbc", "tbd", "n/a", "na", "none", "-", "no date")
"""Due-date cells that mean "no due date", like a blank one."""

_SCOPES: Final[Mapping[str, Scope]] = {
    "body": Scope.BODY,
    "force": Scope.BODY,
    "local": Scope.BODY,
    "force only": Scope.BODY,
    "national": Scope.NATIONAL,
    "all forces": Scope.NATIONAL,
}


def header_key(text: str) -> str:
    """A header or cell value as compared: lower case, words of letters and digits only.

    >>> header_key("  Rec. No: ")
    'rec no'
    """
    return " ".join(re.findall(r"[0-9a-z]+", text.casefold()))


def _value_key(text: str) -> str:
    """A cell value as looked up among aliases: lower case, spaces collapsed."""
    return " ".join(text.casefold().split())


def _column(value: object) -> Column:
    if isinstance(value, list):
        return tuple(value)
    return value  # type: ignore[return-value]  # checked in __attrs_post_init__


def _pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _headers(name: str) -> Column:
    return DEFAULT_HEADERS[name]


@frozen(kw_only=True)
class ColumnMapping:
    """Which spreadsheet column holds each field, and how its cells are read.

    Each column field is a :data:`Column`: one header (which must be in the sheet), a tuple
    of headers looked for in turn (the defaults, :data:`DEFAULT_HEADERS`), or ``None``.
    Headers match whatever their case, spacing and punctuation. One column may hold both
    the grade and the status (Red, Amber, Green, Closed): give it for both, or let the
    defaults find a lone "Status" column. In a grade column of its own, "Blue" (the B of
    BRAG trackers), "Complete" or "Closed" closes the recommendation and keeps its last
    grade (:meth:`closure_of`).

    The rest says how cells are read and what a new report is entered with:

    - ``grades``: extra cell values read as grade codes (on top of :data:`DEFAULT_GRADES`);
    - ``statuses``: extra cell values and what they mean, one of :data:`STATUS_MEANINGS`
      (on top of :data:`DEFAULT_STATUSES`);
    - ``date_formats``: how dates written as text are read (replacing
      :data:`DEFAULT_DATE_FORMATS`, so that a month-first sheet is never read day-first);
    - ``kinds``: extra cell values read as kinds of item (on top of :data:`DEFAULT_KINDS`);
    - ``priorities``: cell values read as priority codes of the store's policy (a value
      mapped to ``""`` means no priority: the GAO's "No"); a cell with no alias is read as
      the code itself ("1" is ``1``);
    - ``header_row``: the row holding the headers (default: found, see
      :meth:`header_row_of`, so that rows of title text above the headers are passed over);
    - ``reference_columns`` and ``reference_join``: for a sheet with no identifier column,
      the columns whose cells, joined by ``reference_join`` (default ``"-"``), make the
      reference (the ``reference`` column is then not looked for): ``("Report number",
      "Rec no")`` makes ``GAO-24-105870-3``;
    - ``encoding``: the encoding of a CSV file (default: UTF-8, with or without a
      byte-order mark, else Windows-1252, as Excel on Windows saves it);
    - ``delimiter``: what separates a CSV file's cells (default: found among comma,
      semicolon and tab, see :func:`sniff_delimiter`);
    - ``html_entities``: whether ``&amp;``, ``&#8217;`` and the like in cells are read as
      the characters they stand for (as published exports write them; default: no);
    - ``sheet``: the worksheet of a workbook to read (default: the active one);
    - ``scale``: the grading scale new recommendations are raised on (default: the
      tracker's policy's default);
    - ``report``: the report of every row, for a sheet with no report column;
    - ``body`` and ``inspectorates``: what a report the store does not have yet is entered
      with (an "Inspectorate" column, where there is one, names the inspectorates per row);
    - ``accepted_by`` and ``acceptor_role``: who accepts a discharge the sheet records
      (default: whoever runs the import, as an oversight board).

    >>> mapping = ColumnMapping(reference="Rec no", grades={"B": "green"})
    >>> mapping.grade_code("b"), mapping.grade_code("Amber"), mapping.grade_code("Good")
    ('green', 'amber', 'good')
    """

    reference: Column = field(default=_headers("reference"), converter=_column)
    report: Column = field(default=_headers("report"), converter=_column)
    text: Column = field(default=_headers("text"), converter=_column)
    status: Column = field(default=_headers("status"), converter=_column)
    grade: Column = field(default=_headers("grade"), converter=_column)
    owner: Column = field(default=_headers("owner"), converter=_column)
    owner_name: Column = field(default=_headers("owner_name"), converter=_column)
    due_on: Column = field(default=_headers("due_on"), converter=_column)
    progress: Column = field(default=_headers("progress"), converter=_column)
    report_title: Column = field(default=_headers("report_title"), converter=_column)
    published_on: Column = field(default=_headers("published_on"), converter=_column)
    inspectorate: Column = field(default=_headers("inspectorate"), converter=_column)
    kind: Column = field(default=_headers("kind"), converter=_column)
    scope: Column = field(default=_headers("scope"), converter=_column)
    priority: Column = field(default=_headers("priority"), converter=_column)
    response: Column = field(default=_headers("response"), converter=_column)

    grades: tuple[tuple[str, str], ...] = field(default=(), converter=_pairs)
    statuses: tuple[tuple[str, str], ...] = field(default=(), converter=_pairs)
    date_formats: tuple[str, ...] = field(default=DEFAULT_DATE_FORMATS, converter=_strings)
    kinds: tuple[tuple[str, str], ...] = field(default=(), converter=_pairs)
    priorities: tuple[tuple[str, str], ...] = field(default=(), converter=_pairs)
    header_row: int | None = None
    reference_columns: tuple[str, ...] = field(default=(), converter=_strings)
    reference_join: str = "-"
    encoding: str | None = None
    delimiter: str | None = None
    html_entities: bool = False
    sheet: str | None = None
    scale: str | None = None
    report_reference: str | None = None
    body: str | None = None
    inspectorates: tuple[str, ...] = field(default=(), converter=_strings)
    accepted_by: str | None = None
    acceptor_role: str = "oversight-board"

    def __attrs_post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            headers = (value,) if isinstance(value, str) else value
            if (
                not isinstance(headers, tuple)
                or not headers
                or not all(isinstance(h, str) and header_key(h) for h in headers)
            ):
                raise ConfigurationError(
                    f"the column of {name!r} must be a header, a list of headers or None, "
                    f"not {value!r}",
                    field=name,
                    rule="type",
                )
        for cell, code in self.grades:
            if not _value_key(cell) or not code.strip():
                raise ConfigurationError(
                    f"grade alias {cell!r} = {code!r}: neither may be blank",
                    field="grades",
                    rule="required",
                )
        for cell, meaning in self.statuses:
            if meaning not in STATUS_MEANINGS:
                raise ConfigurationError(
                    f"status {cell!r} means {meaning!r}, which is not one of "
                    f"{', '.join(STATUS_MEANINGS)}",
                    field="statuses",
                    rule="status-meaning",
                )
        if not self.date_formats:
            raise ConfigurationError(
                "name at least one date format", field="date_formats", rule="required"
            )
        if self.header_row is not None and (
            not isinstance(self.header_row, int)
            or isinstance(self.header_row, bool)
            or self.header_row < 1
        ):
            raise ConfigurationError(
                f"header_row must be a row number from 1, not {self.header_row!r}",
                field="header_row",
                rule="type",
            )
        for cell, kind in self.kinds:
            if not _value_key(cell) or not _kind_name(kind):
                raise ConfigurationError(
                    f"kind alias {cell!r} = {kind!r}: neither may be blank",
                    field="kinds",
                    rule="required",
                )
        if any(not isinstance(h, str) or not header_key(h) for h in self.reference_columns):
            raise ConfigurationError(
                f"the reference's columns must be headers, not {self.reference_columns!r}",
                field="reference_columns",
                rule="type",
            )
        if len(set(map(header_key, self.reference_columns))) < len(self.reference_columns):
            raise ConfigurationError(
                f"the reference's columns name one column twice: {self.reference_columns!r}",
                field="reference_columns",
                rule="column-unique",
            )
        if not isinstance(self.reference_join, str) or "\n" in self.reference_join:
            raise ConfigurationError(
                f"reference_join must be a text on one line, not {self.reference_join!r}",
                field="reference_join",
                rule="type",
            )
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except (LookupError, TypeError):
                raise ConfigurationError(
                    f"encoding {self.encoding!r} is not one Python knows (e.g. utf-8, cp1252)",
                    field="encoding",
                    rule="encoding-known",
                ) from None
        if self.delimiter is not None and (
            not isinstance(self.delimiter, str)
            or len(self.delimiter) != 1
            or self.delimiter in '"\r\n'
        ):
            raise ConfigurationError(
                f"delimiter must be one character (',', ';' or a tab), not {self.delimiter!r}",
                field="delimiter",
                rule="type",
            )
        for name in ("sheet", "scale", "report_reference", "body", "accepted_by"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(
                    f"{name} must be a non-blank text or left out, not {value!r}",
                    field=name,
                    rule="type",
                )
        if not isinstance(self.acceptor_role, str) or not self.acceptor_role.strip():
            raise ConfigurationError(
                "acceptor_role must not be blank", field="acceptor_role", rule="required"
            )

    # --- reading cells ------------------------------------------------------------------------

    def grade_code(self, cell: str) -> str:
        """The grade code a cell's text stands for (not yet checked against a scale)."""
        key = _value_key(cell)
        for alias, code in self.grades:
            if _value_key(alias) == key:
                return code
        if key in DEFAULT_GRADES:
            return DEFAULT_GRADES[key]
        return "-".join(re.findall(r"[a-z0-9]+", key))

    def kind_name(self, cell: str) -> str:
        """The name of the kind of item a cell's text stands for (not yet checked against
        the policy): an alias of the mapping's ``kinds``, of :data:`DEFAULT_KINDS`, or the
        text in lower case with its words joined by hyphens.

        >>> mapping = ColumnMapping(kinds={"P1": "priority-1"})
        >>> mapping.kind_name("AFD"), mapping.kind_name("Area for improvement")
        ('area-for-development', 'area-for-improvement')
        >>> mapping.kind_name("p1"), mapping.kind_name("Recommendation")
        ('priority-1', 'recommendation')
        """
        key = _value_key(cell)
        for alias, kind in self.kinds:
            if _value_key(alias) == key:
                return kind
        return DEFAULT_KINDS.get(key) or _kind_name(key)

    def priority_code(self, cell: str) -> str | None:
        """The priority code a cell's text stands for (not yet checked against the policy):
        an alias of the mapping's ``priorities`` (``None`` if it maps to ``""``: no
        priority), else the text as it is, trimmed.

        >>> mapping = ColumnMapping(priorities={"Yes": "priority", "No": ""})
        >>> mapping.priority_code("yes"), mapping.priority_code("No"), mapping.priority_code(" 2 ")
        ('priority', None, '2')
        """
        key = _value_key(cell)
        for alias, code in self.priorities:
            if _value_key(alias) == key:
                return code or None
        return cell.strip() or None

    def text_of(self, cell: str) -> str:
        """A cell's text with its HTML entities (``&amp;``, ``&#8217;``) read as the
        characters they stand for, if the mapping says so (``html_entities``).

        >>> ColumnMapping(html_entities=True).text_of("Fish &amp; Wildlife&#8217;s")
        'Fish & Wildlife’s'
        """
        if not self.html_entities or "&" not in cell:
            return cell
        return _ENTITY.sub(lambda found: html.unescape(found.group()), cell)

    def closure_of(self, cell: str) -> StatusValue | None:
        """What a *grade* cell says of closure: the closed status it stands for, or ``None``
        if it is a grade.

        A grade column of a BRAG tracker says "Blue" (or "B", "Complete", "Closed") for a
        recommendation that is complete: any value that :meth:`status_of` reads as a
        discharge closes it, with that status's outcome, unless the mapping's ``grades``
        name it as a grade.

        >>> mapping = ColumnMapping()
        >>> mapping.closure_of("Blue")[0].value, mapping.closure_of("Amber")
        ('discharged', None)
        >>> ColumnMapping(grades={"B": "green"}).closure_of("b") is None
        True
        """
        key = _value_key(cell)
        if any(_value_key(alias) == key for alias, _ in self.grades):
            return None
        meaning = self.status_of(cell)
        if meaning is None or meaning[0] is not Status.DISCHARGED:
            return None
        return meaning

    def status_of(self, cell: str) -> StatusValue | None:
        """What a cell's text says of the status, or ``None`` if it is not a status."""
        key = _value_key(cell)
        for alias, meaning in self.statuses:
            if _value_key(alias) == key:
                return STATUS_MEANINGS[meaning]
        if key in DEFAULT_STATUSES:
            return STATUS_MEANINGS[DEFAULT_STATUSES[key]]
        return None

    def date_of(self, cell: str) -> date | None:
        """The date a cell's text gives, or ``None`` if it says there is none; a month alone
        gives its last day.

        Raises :class:`ValueError` if it is neither.
        """
        due = self.due_of(cell)
        return None if due is None else due.on

    def due_of(self, cell: str) -> DueDate | None:
        """The due date a cell's text gives, with its precision (``"month"`` for a month
        alone, due by its last day), or ``None`` if it says there is none.

        Raises :class:`ValueError` if it is neither.
        """
        text = " ".join(cell.split())
        if _value_key(text) in DEFAULT_NO_DATE:
            return None
        for pattern in self.date_formats:
            try:
                read = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if "%d" not in pattern and "%j" not in pattern:
                # A month alone: due by its end.
                return month_due(read.year, read.month)
            return DueDate(read)
        raise ValueError(text)

    @staticmethod
    def scope_of(cell: str) -> Scope | None:
        """The scope a cell's text names, or ``None`` if it names none."""
        return _SCOPES.get(_value_key(cell))

    # --- finding the columns -----------------------------------------------------------------

    def locate(self, headers: Sequence[str]) -> dict[str, int]:
        """Which column (by index in ``headers``) holds each field the sheet has.

        A field given as one header must be there; the reference is required whatever the
        mapping says. Each column holds one field, except that one column may hold both the
        grade and the status. Raises :class:`ConfigurationError` naming what is missing.
        """
        keys = [header_key(h) for h in headers]
        taken: dict[int, str] = {}
        found: dict[str, int] = {}

        def index_of(header: str) -> list[int]:
            return [i for i, k in enumerate(keys) if k == header_key(header)]

        composite = bool(self.reference_columns)
        if composite:
            for part, header in enumerate(self.reference_columns):
                places = index_of(header)
                if not places:
                    raise ConfigurationError(
                        f"the mapping makes the reference from column {header!r}, which the "
                        f"sheet does not have (its headers: {_listing(headers)})",
                        field="reference",
                        rule="column-present",
                    )
                found["reference" if part == 0 else f"reference.{part}"] = places[0]
        explicit = [
            n
            for n in FIELDS
            if isinstance(getattr(self, n), str) and not (composite and n == "reference")
        ]
        for name in explicit:
            header = getattr(self, name)
            places = index_of(header)
            if not places:
                raise ConfigurationError(
                    f"the mapping puts {name!r} in column {header!r}, which the sheet does not "
                    f"have (its headers: {_listing(headers)})",
                    field=name,
                    rule="column-present",
                )
            place = places[0]
            if place in taken and {taken[place], name} != {"grade", "status"}:
                raise ConfigurationError(
                    f"column {header!r} is given for both {taken[place]!r} and {name!r}",
                    field=name,
                    rule="column-unique",
                )
            taken.setdefault(place, name)
            found[name] = place
        for name in FIELDS:
            value = getattr(self, name)
            if name in found or not isinstance(value, tuple):
                continue
            if composite and name == "reference":
                continue
            for header in value:
                free = [i for i in index_of(header) if i not in taken]
                if free:
                    taken[free[0]] = name
                    found[name] = free[0]
                    break
        if "grade" not in found and "status" in found and isinstance(self.grade, tuple):
            shared = keys[found["status"]]
            if shared in {header_key(h) for h in self.grade}:
                found["grade"] = found["status"]
        if "reference" not in found:
            looked = (self.reference,) if isinstance(self.reference, str) else self.reference
            raise ConfigurationError(
                f"no column holds the reference (looked for {_listing(looked or ())}; the "
                f"sheet's headers: {_listing(headers)}); name it in the mapping",
                field="reference",
                rule="column-present",
            )
        return found

    def header_row_of(self, rows: Iterable[Sequence[str]]) -> tuple[int, dict[str, int]]:
        """The row holding the headers, and where each field is in it (see :meth:`locate`).

        ``rows`` are a sheet's first rows, each cell as text. The mapping's ``header_row``
        is used if it names one. Else the headers are in the first row that holds the
        reference's column(s), passing over the rows above it that fill no more than two
        cells (a title, a date, a note, or a blank row): the preamble of a published
        export. A row filling more than two cells that does not hold the reference is
        refused, as :meth:`locate` refuses it (the preamble is over, and the headers are
        not there).

        >>> ColumnMapping().header_row_of(
        ...     [["Progress summary"], ["As at 31 March 2026", ""], ["Ref", "Recommendation"]]
        ... )
        (3, {'reference': 0, 'text': 1})
        """
        if self.header_row is not None:
            for number, cells in enumerate(rows, start=1):
                if number == self.header_row:
                    return number, self.locate(cells)
            raise ConfigurationError(
                f"there is no row {self.header_row} to hold the headers",
                field="header_row",
                rule="column-present",
            )
        first: ConfigurationError | None = None
        for number, cells in enumerate(rows, start=1):
            filled = sum(1 for cell in cells if cell.strip())
            if not filled:
                continue
            try:
                return number, self.locate(cells)
            except ConfigurationError as error:
                if filled > 2:
                    raise
                first = first or error
            if number >= _PREAMBLE_ROWS:
                break
        if first is not None:
            raise first
        raise ConfigurationError(
            "the sheet has no row of headers (it is blank)",
            field="header_row",
            rule="column-present",
        )

    # --- the mapping file ------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        """Read a mapping from a TOML file. Every key is optional; an unknown one is an error.

        The file looks like this (the values shown are examples, not defaults)::

            sheet = "Tracker"               # the worksheet to read
            header_row = 1                  # the row holding the headers (default: found)
            scale = "rag"                   # the scale new recommendations are graded on
            date_formats = ["%d/%m/%Y"]     # how dates written as text are read
            encoding = "cp1252"             # a CSV file's encoding (default: found)
            delimiter = ";"                 # a CSV file's delimiter (default: found)
            html_entities = true            # read &amp; as & (default: false)

            [reference]                     # a reference made from several columns
            columns = ["Report number", "Rec no"]
            join = "-"

            [columns]                       # a header, a list of headers, or false
            reference = "Rec no"
            grade = "RAG"
            due_on = ["Target date", "Due"]
            kind = false                    # the sheet has no such column

            [grades]                        # cell value = grade code
            B = "green"

            [statuses]                      # cell value = open, claimed, implemented, ...
            "Signed off" = "implemented"

            [kinds]                         # cell value = kind of item
            AFD = "area-for-development"

            [priorities]                    # cell value = priority code ("" = none)
            High = "1"

            [reports]                       # for reports the store does not have yet
            default = "PEEL-2016"           # the report of every row (no report column)
            body = "West Midlands Police"
            inspectorates = ["HMIC"]

            [discharge]                     # who accepts a discharge the sheet records
            accepted_by = "Joint Audit Committee"
            acceptor_role = "oversight-board"
        """
        source = Path(path)
        try:
            text = source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(
                f"cannot read the mapping file {str(source)!r}: {error}",
                field="mapping",
                rule="file-readable",
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(
                f"{source.name} is not valid TOML: {error}", field="mapping", rule="toml"
            ) from None
        return cls.from_dict(data, source=source.name)

    @classmethod
    def preset(cls, name: str) -> ColumnMapping:
        """The mapping of the published export of a preset's authority (one of
        :data:`~recommendations.configuration.PRESETS`): the GAO's export of open
        recommendations (``gao``), a force's HMICFRS progress summary (``hmicfrs``), a
        body's HMICS progress summary (``hmics``), a council's audit tracker as Excel on
        Windows saves it (``audit-office``). ``recommendations import FILE --preset NAME``
        reads FILE with it. Their files are in ``recommendations/spreadsheets/presets/``.

        >>> ColumnMapping.preset("gao").reference_columns
        ('Report Number', 'Recommendation Number')
        """
        from recommendations.configuration import PRESETS

        if name not in PRESETS:
            raise ConfigurationError(
                f"no preset {name!r} (there are {', '.join(PRESETS)})",
                field="preset",
                rule="known-preset",
            )
        text = resources.files(__package__).joinpath("presets", f"{name}.toml").read_text("utf-8")
        return cls.from_dict(tomllib.loads(text), source=f"the {name} preset's mapping")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "the mapping") -> ColumnMapping:
        """A mapping from the tables of a mapping file, already parsed (see :meth:`load`)."""
        _known(data, _TOP, source, "")
        values: dict[str, Any] = {}
        for key in ("sheet", "scale", "encoding"):
            if key in data:
                values[key] = _text(data[key], source, key)
        if "delimiter" in data:
            delimiter = data["delimiter"]
            if not isinstance(delimiter, str) or len(delimiter) != 1:
                raise _wrong(source, "delimiter", "one character", delimiter)
            values["delimiter"] = delimiter
        if "html_entities" in data:
            if not isinstance(data["html_entities"], bool):
                raise _wrong(source, "html_entities", "true or false", data["html_entities"])
            values["html_entities"] = data["html_entities"]
        reference = _table(data, "reference", source)
        _known(reference, ("columns", "join"), source, "reference.")
        if "columns" in reference:
            values["reference_columns"] = _text_list(
                reference["columns"], source, "reference.columns", "headers"
            )
            if "reference" in _table(data, "columns", source):
                raise ConfigurationError(
                    f"{source}: name the reference's column in [columns] or its columns in "
                    "[reference], not both",
                    field="reference.columns",
                    rule="column-unique",
                )
        if "join" in reference:
            join = reference["join"]
            if not isinstance(join, str):
                raise _wrong(source, "reference.join", "a text", join)
            values["reference_join"] = join
        if "header_row" in data:
            row = data["header_row"]
            if not isinstance(row, int) or isinstance(row, bool):
                raise _wrong(source, "header_row", "a row number", row)
            values["header_row"] = row
        if "date_formats" in data:
            values["date_formats"] = _text_list(
                data["date_formats"], source, "date_formats", "date formats"
            )
        columns = _table(data, "columns", source)
        _known(columns, FIELDS, source, "columns.")
        for name, value in columns.items():
            if value is False:
                values[name] = None
            elif isinstance(value, str):
                values[name] = value
            else:
                values[name] = _text_list(value, source, f"columns.{name}", "headers")
        grades = _table(data, "grades", source)
        values["grades"] = {k: _text(v, source, f"grades.{k}") for k, v in grades.items()}
        statuses = _table(data, "statuses", source)
        for key, meaning in statuses.items():
            if meaning not in STATUS_MEANINGS:
                raise ConfigurationError(
                    f"{source}: statuses.{key} = {meaning!r} is not one of "
                    f"{', '.join(STATUS_MEANINGS)}",
                    field=f"statuses.{key}",
                    rule="status-meaning",
                )
        values["statuses"] = dict(statuses)
        kinds = _table(data, "kinds", source)
        values["kinds"] = {k: _text(v, source, f"kinds.{k}") for k, v in kinds.items()}
        priorities = _table(data, "priorities", source)
        values["priorities"] = {
            k: _text(v, source, f"priorities.{k}", blank=True) for k, v in priorities.items()
        }
        reports = _table(data, "reports", source)
        _known(reports, ("default", "body", "inspectorates"), source, "reports.")
        if "default" in reports:
            values["report_reference"] = _text(reports["default"], source, "reports.default")
        if "body" in reports:
            values["body"] = _text(reports["body"], source, "reports.body")
        if "inspectorates" in reports:
            values["inspectorates"] = _text_list(
                reports["inspectorates"], source, "reports.inspectorates", "inspectorates"
            )
        discharge = _table(data, "discharge", source)
        _known(discharge, ("accepted_by", "acceptor_role"), source, "discharge.")
        for key in ("accepted_by", "acceptor_role"):
            if key in discharge:
                values[key] = _text(discharge[key], source, f"discharge.{key}")
        return cls(**values)


_TOP: Final = (
    "sheet",
    "header_row",
    "scale",
    "date_formats",
    "encoding",
    "delimiter",
    "html_entities",
    "reference",
    "columns",
    "grades",
    "statuses",
    "kinds",
    "priorities",
    "reports",
    "discharge",
)

_PREAMBLE_ROWS: Final = 30
"""How many rows are looked through for the headers, when the mapping does not say."""


def _kind_name(text: str) -> str:
    """A kind's label as a name: lower case, words joined by hyphens.

    >>> _kind_name("Area for improvement")
    'area-for-improvement'
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _listing(headers: Iterable[str]) -> str:
    shown = [repr(h) for h in headers if h]
    return ", ".join(shown) if shown else "none"


def _known(table: Mapping[str, Any], allowed: Iterable[str], source: str, prefix: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            raise ConfigurationError(
                f"{source}: unknown key {prefix + key!r} (known: "
                f"{', '.join(prefix + a for a in allowed)})",
                field=prefix + key,
                rule="known-key",
            )


def _wrong(source: str, key: str, expected: str, value: object) -> ConfigurationError:
    return ConfigurationError(
        f"{source}: {key} must be {expected}, not {value!r}", field=key, rule="type"
    )


def _text(value: object, source: str, key: str, *, blank: bool = False) -> str:
    """A text; non-blank unless ``blank`` allows it."""
    if not isinstance(value, str) or not (blank or value.strip()):
        raise _wrong(source, key, "a text" if blank else "a non-blank text", value)
    return value


def _text_list(value: object, source: str, key: str, items: str) -> tuple[str, ...]:
    """A non-empty list of non-blank texts; ``items`` names them, plural, for the error."""
    if not isinstance(value, list) or not value:
        raise _wrong(source, key, f"a list of one or more {items}", value)
    return tuple(_text(item, source, key) for item in value)


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _wrong(source, key, "a table", value)
    return value
