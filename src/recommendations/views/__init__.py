"""Views: the register, audit trails and the committee update, computed from the log.

Pure like the domain: these functions take the log (each entry with its position) and a
:class:`Basis`, and return frozen data; storage adapters keep materialised copies of some of
them, which must always equal these folds. :func:`for_audience` narrows any of them to what
the public, or the body's oversight, may see.
"""

from ._audience import DEFAULT_AUDIENCE_POLICY, for_audience
from ._committee import (
    CommitteeUpdate,
    GradeCount,
    Movement,
    ReceivedReport,
    ReportCount,
    build_committee_update,
)
from ._disclosure import Audience, AudiencePolicy, Disclosure, Sensitivity
from ._log import Logged, Positioned
from ._register import Basis, Register, RegisterFilter, RegisterRow, build_register
from ._trail import Change, Detail, Subject, Trail, TrailEntry, build_trail

__all__ = [
    "DEFAULT_AUDIENCE_POLICY",
    "Audience",
    "AudiencePolicy",
    "Basis",
    "Change",
    "CommitteeUpdate",
    "Detail",
    "Disclosure",
    "GradeCount",
    "Logged",
    "Movement",
    "Positioned",
    "ReceivedReport",
    "Register",
    "RegisterFilter",
    "RegisterRow",
    "ReportCount",
    "Sensitivity",
    "Subject",
    "Trail",
    "TrailEntry",
    "build_committee_update",
    "build_register",
    "build_trail",
    "for_audience",
]
