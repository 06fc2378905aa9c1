"""Import a spreadsheet tracker (CSV or Excel), rebuilding its history by difference.

Most trackers start life as a spreadsheet kept by a committee officer: one row per
recommendation, exported each quarter. This package reads such a sheet as a
:class:`Snapshot` of the register on one date, compares it with what the tracker has as at
that date, and records only the difference, effective on that date::

    snapshot = read_sheet("tracker-2017-06-30.xlsx", ColumnMapping.load("mapping.toml"))
    plan = plan_import(tracker, snapshot, by="Kath Jones")
    for line in plan.describe():        # a dry run: nothing is recorded
        print(line)
    apply_import(tracker, plan)         # all of it, or nothing

Importing the same file again records nothing; importing the quarterly sheets in date
order rebuilds the register's history between them: a grade that changed between two
sheets is a regrade effective on the later sheet's date, and a recommendation first listed
in a later sheet is raised no earlier than the day after the sheet before it, so that the
register as at each sheet's date lists what that sheet lists (and what earlier sheets
listed that it leaves out). See :func:`plan_import` for the rules.
"""

from ._applying import ImportResult, apply_import, decide_import, import_command_id
from ._mapping import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_GRADES,
    DEFAULT_HEADERS,
    DEFAULT_STATUSES,
    FIELDS,
    STATUS_MEANINGS,
    Column,
    ColumnMapping,
    StatusValue,
)
from ._planning import ImportPlan, PlannedCommand, plan_import
from ._problems import ImportRefused, Problem
from ._reading import SheetRow, Snapshot, read_sheet, snapshot_date_of
from ._streaming import (
    BATCH_ENTRIES,
    BATCH_ROWS,
    ONE_TRANSACTION,
    CheckedImport,
    Imported,
    ImportStopped,
    check_import,
    import_sheet,
    record_import,
)
from ._streams import ReadRow, SheetStream, open_sheet

__all__ = [
    "BATCH_ENTRIES",
    "BATCH_ROWS",
    "DEFAULT_DATE_FORMATS",
    "DEFAULT_GRADES",
    "DEFAULT_HEADERS",
    "DEFAULT_STATUSES",
    "FIELDS",
    "ONE_TRANSACTION",
    "STATUS_MEANINGS",
    "CheckedImport",
    "Column",
    "ColumnMapping",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "ImportStopped",
    "Imported",
    "PlannedCommand",
    "Problem",
    "ReadRow",
    "SheetRow",
    "SheetStream",
    "Snapshot",
    "StatusValue",
    "apply_import",
    "check_import",
    "decide_import",
    "import_command_id",
    "import_sheet",
    "open_sheet",
    "plan_import",
    "read_sheet",
    "record_import",
    "snapshot_date_of",
]
