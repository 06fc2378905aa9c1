"""Golden files: every event type as stored at schema version 1 must always read back.

The files under ``tests/golden/v1`` were written once, by this library at schema version 1,
and are never edited. If a change to an event type makes one of them unreadable, or read as
something else, that change breaks every store that holds such events: give the type a new
schema version and an upcaster instead (see ``recommendations._serialization``).

To add the file of a *new* event type, run this module with
``RECOMMENDATIONS_WRITE_GOLDEN=1``; existing files are never overwritten.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from recommendations import domain
from recommendations._serialization import (
    EVENT_TYPES,
    SCHEMA_VERSIONS,
    decode_event,
    encode_event,
    topic_of,
)

GOLDEN = Path(__file__).parent.parent / "golden" / "v1"

_ID = uuid.UUID("6f1c2b7e-3a51-5d7e-9f0c-2d4c8b1e0a93")
_META = {
    "originator_id": _ID,
    "originator_version": 4,
    "recorded_at": datetime(2017, 4, 10, 9, 30, 15, 123456, tzinfo=UTC),
    "effective_on": date(2017, 3, 30),
    "actor": "Kath Holder",
    "reason": "Joint Audit Committee, 30 March 2017",
}
_KIND = domain.ItemKind("recommendation", ("inspectorate", "oversight-board"))
_RAISED = domain.Raised(
    **{**_META, "originator_version": 1, "effective_on": date(2017, 3, 2)},
    reference="PEEL-EFF-2016/2.18",
    text="Review the approach to reports of missing children.",
    points=("call takers use the missing and absent category appropriately;", "and so on"),
    body="West Midlands Police",
    report="PEEL-EFF-2016",
    inspection="PEEL-EFF-2016-FIELDWORK",
    finding="2.17",
    inspectorates=("HMIC",),
    kind=_KIND,
    scope=domain.Scope.BODY,
    sensitive=False,
    scale=domain.RAG,
    grade="amber",
    owner="Head of Public Protection",
    owner_name="Det Supt A. Example",
    due_on=date(2017, 3, 2),
)
_REGRADED = domain.Regraded(**_META, grade="green")
_INSPECTION = domain.InspectionDetails(
    title="Custody",
    body="West Midlands Police",
    inspectorates=("HM Inspectorate of Prisons", "HMIC", "Care Quality Commission"),
    fieldwork_from=date(2017, 2, 6),
    fieldwork_to=date(2017, 2, 9),
    hot_debrief_on=date(2017, 2, 10),
    expected_report="draft in April, final in the summer",
    national=False,
    sensitive=False,
)
_REPORT = domain.ReportDetails(
    title="PEEL: Police effectiveness 2016",
    body="West Midlands Police",
    inspection="PEEL-EFF-2016-FIELDWORK",
    inspectorates=("HMIC",),
    published_on=date(2017, 3, 2),
    scale=domain.PEEL,
    overall_grade="good",
    area_grades=(domain.AreaGrade("vulnerability", "requires-improvement"),),
    findings=(domain.Finding("2.15", domain.FindingKind.CAUSE_OF_CONCERN, "Domestic abuse risk"),),
    national=False,
    sensitive=False,
)
_LONDON = timezone(timedelta(hours=1))

SAMPLES: dict[str, domain.Event] = {
    "Raised": _RAISED,
    "Assigned": domain.Assigned(
        **_META, owner="Head of Public Protection", owner_name="Det Supt A. Example"
    ),
    "Regraded": _REGRADED,
    "ProgressNoted": domain.ProgressNoted(
        **_META, note="DASH supervision audit complete", evidence=("audit-2017-03.pdf",)
    ),
    "DeadlineChanged": domain.DeadlineChanged(**_META, due_on=date(2017, 9, 30)),
    "DeadlineChanged-month": domain.DeadlineChanged(
        **_META, due_on=date(2017, 9, 30), due_precision="month"
    ),
    "ImplementationClaimed": domain.ImplementationClaimed(
        **_META, note="Policy revised", evidence=("policy-v3.docx", "briefing.pptx")
    ),
    "Discharged": domain.Discharged(
        **_META,
        outcome=domain.Outcome.SUPERSEDED,
        accepted_by="HMIC Force Liaison Lead",
        acceptor_role="inspectorate",
        superseded_by="PEEL-EFF-2017/1",
    ),
    "ClaimRejected": domain.ClaimRejected(**_META),
    "Prioritised": domain.Prioritised(**_META, priority="1"),
    "ResponseRecorded": domain.ResponseRecorded(
        **_META,
        response=domain.Response.PARTLY_AGREED,
        response_text="Agreed for the custody suites; the rest in the next plan.",
    ),
    "Raised-fields": attrs.evolve(
        _RAISED,
        scope=domain.Scope.ADDRESSED,
        addressed_to="College of Policing",
        priority="1",
        response=domain.Response.AGREED,
        response_text="Agreed in full.",
    ),
    "Discharged-not-implemented": domain.Discharged(
        **_META,
        outcome=domain.Outcome.NOT_IMPLEMENTED,
        accepted_by="GAO",
        acceptor_role="gao",
        superseded_by=None,
    ),
    "Reopened": domain.Reopened(
        **{**_META, "recorded_at": datetime(2017, 4, 10, 10, 30, tzinfo=_LONDON)}
    ),
    "Corrected": domain.Corrected(
        **{**_META, "originator_version": 5},
        corrects=4,
        what_was_wrong="the regrade was entered against the wrong committee date",
        replacement=domain.Regraded(**{**_META, "effective_on": date(2017, 1, 26)}, grade="green"),
    ),
    "Corrected-strike": domain.Corrected(
        **{**_META, "originator_version": 6},
        corrects=3,
        what_was_wrong="entered against the wrong recommendation",
        replacement=None,
    ),
    "InspectionRecorded": domain.InspectionRecorded(
        **{**_META, "originator_version": 1}, reference="CUSTODY-2017", details=_INSPECTION
    ),
    "InspectionRevised": domain.InspectionRevised(
        **{**_META, "originator_version": 2}, details=_INSPECTION
    ),
    "ReportPublished": domain.ReportPublished(
        **{**_META, "originator_version": 1}, reference="PEEL-EFF-2016", details=_REPORT
    ),
    "ReportRevised": domain.ReportRevised(**{**_META, "originator_version": 2}, details=_REPORT),
    "PlanStatusChanged": domain.PlanStatusChanged(
        **{**_META, "originator_version": 3}, status="submitted"
    ),
    "Configured": domain.Configured(
        **{**_META, "originator_version": 1},
        reference="configuration",
        policy=domain.Policy(
            scales=(
                domain.GradingScale.of("rag", "Red", "Amber", "Green", "Not ours"),
                domain.PEEL,
            ),
            kinds=(_KIND,),
            statuses={"open": "Open", "claimed": "Closure proposed", "discharged": "Closed"},
            outcomes={"implemented": "Implemented"},
            overdue_after_days=365,
            uncounted=("not-ours",),
        ),
    ),
    "RemindersConfigured": domain.RemindersConfigured(
        **{**_META, "originator_version": 1},
        reference="reminders",
        rules=domain.ReminderRules(
            due_soon_days=14,
            overdue=True,
            overdue_every_days=30,
            no_progress_days=90,
            claim_waiting_days=28,
            claim_to="secretary",
            ladder=(domain.Rung("owner", 0), domain.Rung("chief officer", 60)),
            quiet=domain.QuietDays((5, 6), ((date(2017, 12, 24), date(2018, 1, 2)),)),
            addresses=(domain.Address("chief officer", "email", "chief@example.org"),),
            channels=(
                domain.Channel("email", (("host", "smtp.example.org"),), None, "SMTP_PASSWORD"),
            ),
            retry_after_minutes=5,
        ),
    ),
    "ReminderDue": domain.ReminderDue(
        **_META,
        reference="2.16",
        key="overdue:2017-03-01",
        rule="overdue",
        role="Head of Public Protection",
        channel="email",
        deadline=date(2017, 3, 1),
        rung=0,
        message_id="<0c6f7d0e-4f2c-5b8a-9d3e-1a2b3c4d5e6f@recommendations>",
    ),
    "Escalated": domain.Escalated(
        **_META,
        reference="2.16",
        key="escalated:2017-03-01:1",
        rule="escalated",
        role="chief officer",
        channel="email",
        deadline=date(2017, 3, 1),
        rung=1,
        message_id="<1c6f7d0e-4f2c-5b8a-9d3e-1a2b3c4d5e6f@recommendations>",
    ),
    "ReminderClaimed": domain.ReminderClaimed(
        **_META,
        reference="2.16",
        key="overdue:2017-03-01",
        attempt=1,
        until=datetime(2017, 4, 10, 9, 40, 15, tzinfo=UTC),
    ),
    "ReminderSent": domain.ReminderSent(
        **_META, reference="2.16", key="overdue:2017-03-01", attempt=1, channel="email"
    ),
    "ReminderFailed": domain.ReminderFailed(
        **_META,
        reference="2.16",
        key="overdue:2017-03-01",
        attempt=1,
        error="the SMTP server refused",
        retry_at=datetime(2017, 4, 10, 9, 35, 15, tzinfo=UTC),
    ),
    "ReminderCancelled": domain.ReminderCancelled(
        **_META, reference="2.16", key="overdue:2017-03-01"
    ),
    "Configured-fields": domain.Configured(
        **{**_META, "originator_version": 2},
        reference="configuration",
        policy=domain.Policy(
            scales=(domain.RAG, domain.PEEL),
            kinds=(_KIND,),
            outcomes={"implemented": "Implemented", "not-implemented": "Not implemented"},
            priorities={"1": "High", "2": "Medium", "3": "Low"},
            responses={"agreed": "Accepted", "partly-agreed": "Partly", "not-agreed": "Rejected"},
        ),
    ),
}


def _path(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def _write_missing() -> None:
    for name, event in SAMPLES.items():
        path = _path(name)
        if not path.exists():
            path.write_text(
                json.dumps(
                    {
                        "topic": topic_of(type(event)),
                        "originator_id": str(event.originator_id),
                        "originator_version": event.originator_version,
                        "state": encode_event(event).decode(),
                    },
                    indent=2,
                )
                + "\n"
            )


if os.environ.get("RECOMMENDATIONS_WRITE_GOLDEN") == "1":  # pragma: no cover
    _write_missing()


def test_every_event_type_has_a_golden_file() -> None:
    covered = {type(event).__name__ for event in SAMPLES.values()}
    assert covered == set(EVENT_TYPES)
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_golden_file_reads_as_the_sample(name: str) -> None:
    golden = json.loads(_path(name).read_text())
    event = decode_event(
        golden["topic"],
        golden["state"].encode(),
        uuid.UUID(golden["originator_id"]),
        golden["originator_version"],
    )
    assert event == SAMPLES[name]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_types_still_at_version_1_are_written_as_the_golden_file(name: str) -> None:
    event = SAMPLES[name]
    if SCHEMA_VERSIONS[type(event).__name__] != 1:
        pytest.skip("this type moved on from schema version 1; only reading v1 is required")
    golden = json.loads(_path(name).read_text())
    assert golden["topic"] == topic_of(type(event))
    assert json.loads(encode_event(event)) == json.loads(golden["state"])
