"""Views: the register, audit trails and the committee update, computed from the log.

Pure like the domain: these functions take the log (each entry with its position) and a
:class:`Basis`, and return frozen data; storage adapters keep materialised copies of some of
them, which must always equal these folds. :func:`for_audience` narrows any of them to what
the public, or the body's oversight, may see.

For those adapters, :func:`segments` and :class:`ItemHistory` give a recommendation's history
as the rows of a bitemporal table (one :data:`Segment` per run of days with the same state),
:func:`state_values` and :func:`register_row` carry a state to a table's columns and back,
and :func:`trail_details` gives what an entry carried; the column names are
:data:`STATE_COLUMNS`, :data:`HISTORY_COLUMNS` (with :data:`PERIOD_COLUMNS`) and
:data:`TRAIL_COLUMNS`. Each engine converts the values to its own column types.
"""

from typing import Any

from recommendations._deprecated import aliases

from ._audience import DEFAULT_AUDIENCE_POLICY, TrailFilter, for_audience
from ._bodies import of_body
from ._committee import (
    Awaiting,
    CommitteeUpdate,
    GradeCount,
    KindCount,
    Movement,
    ReceivedReport,
    ReportCount,
    build_committee_update,
    kind_label,
)
from ._disclosure import WITHHELD, Audience, AudiencePolicy, Disclosure, Sensitivity
from ._intact import IntactLog, check_follows
from ._log import Positioned
from ._register import (
    Basis,
    Register,
    RegisterFilter,
    RegisterLabels,
    RegisterLine,
    RegisterRow,
    RegisterStream,
    build_register,
    judged,
)
from ._rollup import Rollup, RollupLine, build_rollup
from ._segments import (
    HISTORY_COLUMNS,
    PERIOD_COLUMNS,
    STATE_COLUMNS,
    TRAIL_COLUMNS,
    ItemHistory,
    RowsReader,
    Segment,
    StateValues,
    register_line,
    register_page_reader,
    register_row,
    segments,
    state_values,
    trail_details,
)
from ._trail import (
    Change,
    Detail,
    KeptEntry,
    Subject,
    Trail,
    TrailEntry,
    TrailIndex,
    TrailStream,
    build_kept_trail,
    build_trail,
    entry_changes,
    kept_entry,
    marks_sensitivity,
)

__all__ = [
    "DEFAULT_AUDIENCE_POLICY",
    "HISTORY_COLUMNS",
    "PERIOD_COLUMNS",
    "STATE_COLUMNS",
    "TRAIL_COLUMNS",
    "WITHHELD",
    "Audience",
    "AudiencePolicy",
    "Awaiting",
    "Basis",
    "Change",
    "CommitteeUpdate",
    "Detail",
    "Disclosure",
    "GradeCount",
    "IntactLog",
    "ItemHistory",
    "KeptEntry",
    "KindCount",
    "Movement",
    "Positioned",
    "ReceivedReport",
    "Register",
    "RegisterFilter",
    "RegisterLabels",
    "RegisterLine",
    "RegisterRow",
    "RegisterStream",
    "ReportCount",
    "Rollup",
    "RollupLine",
    "RowsReader",
    "Segment",
    "Sensitivity",
    "StateValues",
    "Subject",
    "Trail",
    "TrailEntry",
    "TrailFilter",
    "TrailIndex",
    "TrailStream",
    "build_committee_update",
    "build_kept_trail",
    "build_register",
    "build_rollup",
    "build_trail",
    "check_follows",
    "entry_changes",
    "for_audience",
    "judged",
    "kept_entry",
    "kind_label",
    "marks_sensitivity",
    "of_body",
    "register_line",
    "register_page_reader",
    "register_row",
    "segments",
    "state_values",
    "trail_details",
]


def _new(name: str) -> Any:
    return globals()[name]


__getattr__ = aliases(__name__, _new)
"""``Logged``, an old name of :class:`Positioned`, still reads (with a warning)."""
