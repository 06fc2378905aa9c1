"""Logs held in memory for the views' tests, and generated logs with secrets in them.

:class:`PureLog` decides commands with the pure domain and keeps each entry with its
position, as a tracker's log would, with no store. :func:`secret_scenarios` generates the
commands of a log in which every field the public must never see carries a marker:
``SECRET-`` in anything that identifies a sensitive item (or one from a sensitive report or
inspection, or one whose inspection is made sensitive later) and ``NAME-`` in every
personal name (owners' names, who recorded an entry, who accepted a discharge).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

import recommendations as r
from recommendations import domain, scenarios, views

SECRET = "SECRET-"
NAME = "NAME-"


class PureLog:
    """A log in memory: commands decided by the pure domain, each entry with its position."""

    def __init__(self, start: datetime = datetime(2017, 4, 10, 9, tzinfo=UTC)) -> None:
        self.entries: list[views.Positioned] = []
        self.now = start

    def at(self, when: datetime) -> PureLog:
        """Record the next entries from ``when`` on."""
        self.now = when
        return self

    def _history(self, originator: Any) -> list[Any]:
        return [e.event for e in self.entries if e.event.originator_id == originator]

    def report(self, reference: str, as_at: date | None = None) -> domain.Report | None:
        report = domain.project_report(self._history(domain.report_id(reference)), as_at=as_at)
        if report is not None and report.details.inspection is not None:
            inspection = domain.project_inspection(
                self._history(domain.inspection_id(report.details.inspection)), as_at=as_at
            )
            if inspection is not None and inspection.sensitive:
                report = attrs.evolve(report, inspection_sensitive=True)
        return report

    def execute(self, command: domain.Command) -> views.Positioned:
        self.now += timedelta(minutes=1)
        event: domain.Event
        if isinstance(command, r.RecordInspection | r.ReviseInspection):
            history = self._history(domain.inspection_id(command.reference))
            event = domain.decide_source(history, command, recorded_at=self.now)
        elif isinstance(command, r.PublishReport | r.ReviseReport):
            history = self._history(domain.report_id(command.reference))
            named = command.details.inspection
            inspection = None
            if named is not None:
                inspection = domain.project_inspection(self._history(domain.inspection_id(named)))
            event = domain.decide_source(
                history, command, recorded_at=self.now, inspection=inspection
            )
        else:
            history = self._history(domain.recommendation_id(command.reference))
            report = None
            if isinstance(command, r.Raise):
                report = self.report(command.report, command.effective_on) or self.report(
                    command.report
                )
            event = domain.decide(history, command, recorded_at=self.now, report=report)
        logged = views.Positioned(position=len(self.entries) + 1, event=event)
        self.entries.append(logged)
        return logged

    def basis(
        self,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
    ) -> views.Basis:
        known = known_at or self.now
        return views.Basis(
            as_at=as_at or known.date(),
            known_at=known,
            position=len(self.entries) if position is None else position,
        )


def play(commands: Iterable[domain.Command], execute: Callable[[domain.Command], object]) -> int:
    """Execute ``commands`` in order, each as read back from its line of a scenario file
    (:mod:`recommendations.scenarios`), skipping those the rules refuse; how many were
    kept."""
    kept = 0
    for command in commands:
        try:
            execute(scenarios.command(json.loads(scenarios.line(command))))
        except r.RecommendationsError:
            continue
        kept += 1
    return kept


# --- links from public items to sensitive ones ----------------------------------------------------


def linked_commands() -> list[domain.Command]:
    """A log in which public items name sensitive ones.

    Public: report ``PEEL-EFF-2016``, recommendations ``2.16`` and ``2.18`` from it, and the
    inspection ``CUSTODY``. Sensitive: ``2.99`` (marked so), the inspection ``CT``, the
    report ``CT-R`` from it and ``CT/1`` from that. ``2.16`` is superseded by ``2.99``, then
    reopened; ``2.18`` is superseded by ``2.16``, then corrected to ``CT/1``; ``CUSTODY``
    is expected to produce ``CT-R``. Every personal name holds ``NAME-``.
    """
    return scenarios.parse(LINKED)


LINKED = Path(__file__).parent / "data" / "linked-secrets.jsonl"
"""The scenario file of :func:`linked_commands`."""

LINKED_SECRETS = ("2.99", "CT/1", "CT-R", "Counter terrorism", NAME)
"""What no public view of :func:`linked_commands` may hold."""


def secrets_shown(text: str, secrets: Iterable[str] = LINKED_SECRETS) -> list[str]:
    """The ``secrets`` that ``text`` shows as themselves: not as part of a longer number or
    word (a time such as ``05:26:22.995240`` holds the characters ``2.99`` but names no
    reference)."""
    return [
        secret
        for secret in secrets
        if re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w])", text) is not None
    ]


# --- generated logs with secrets ----------------------------------------------------------------

START = date(2016, 1, 4)


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


@st.composite
def secret_scenarios(draw: st.DrawFn) -> list[domain.Command]:
    """The commands of a log: inspections, reports and recommendations, public and not, and
    links between them: a public inspection expecting a sensitive report, a recommendation
    superseded by another of either kind (its successor corrected, or the link undone by
    reopening), one raised from a sensitive report."""
    commands: list[domain.Command] = []
    later: list[domain.Command] = []
    inspections: list[tuple[str, bool]] = []
    for i in range(draw(st.integers(0, 3))):
        mode = draw(st.sampled_from(["public", "sensitive", "made-sensitive-later"]))
        secret = mode != "public"
        mark = SECRET if secret else ""
        reference = f"{mark}INSP-{i}"
        details = r.InspectionDetails(
            title=f"{mark}Inspection {i}",
            body="Force",
            inspectorates=("HMIC",),
            fieldwork_from=_day(draw(st.integers(0, 500))),
            expected_report=f"{mark}report due",
            sensitive=mode == "sensitive",
        )
        commands.append(
            r.RecordInspection(
                reference=reference,
                details=details,
                effective_on=_day(i),
                by=f"{NAME}BY-INSP-{i}",
                reason=f"{mark}announced",
            )
        )
        if mode == "made-sensitive-later":
            later.append(
                r.ReviseInspection(
                    reference=reference,
                    details=attrs.evolve(details, sensitive=True),
                    effective_on=_day(draw(st.integers(10, 450))),
                    by=f"{NAME}BY-INSP-{i}",
                    reason=f"{mark}found to be sensitive",
                )
            )
        inspections.append((reference, secret))

    reports: list[tuple[str, bool, tuple[str, ...]]] = []
    for j in range(draw(st.integers(1, 3))):
        source = draw(st.none() | st.sampled_from(inspections)) if inspections else None
        mode = draw(st.sampled_from(["public", "sensitive"]))
        secret = mode == "sensitive" or (source is not None and source[1])
        mark = SECRET if secret else ""
        findings = tuple(
            r.Finding(f"{mark}F{j}.{k}", r.FindingKind.CAUSE_OF_CONCERN, f"{mark}concern {k}")
            for k in range(draw(st.integers(0, 2)))
        )
        reference = f"{mark}REPORT-{j}"
        commands.append(
            r.PublishReport(
                reference=reference,
                details=r.ReportDetails(
                    title=f"{mark}Report {j}",
                    body="Force",
                    inspection=None if source is None else source[0],
                    inspectorates=("HMIC",),
                    published_on=_day(20 + j),
                    scale=domain.PEEL,
                    overall_grade=draw(st.sampled_from([None, "good", "inadequate"])),
                    findings=findings,
                    sensitive=mode == "sensitive",
                ),
                effective_on=_day(20 + j),
                by=f"{NAME}BY-REPORT-{j}",
                reason=f"{mark}published",
            )
        )
        reports.append((reference, secret, tuple(f.reference for f in findings)))

    secret_reports = [reference for reference, secret, _ in reports if secret]
    for index, command in enumerate(commands):
        # A public inspection may be expected to produce a sensitive report: a link.
        if (
            isinstance(command, r.RecordInspection)
            and not command.details.sensitive
            and SECRET not in command.reference
            and secret_reports
            and draw(st.booleans())
        ):
            expected = draw(st.sampled_from(secret_reports))
            details = attrs.evolve(command.details, expected_report=expected)
            commands[index] = attrs.evolve(command, details=details)

    references: list[tuple[str, bool]] = []
    for n in range(draw(st.integers(1, 5))):
        report, report_secret, findings = draw(st.sampled_from(reports))
        own = draw(st.booleans())
        secret = own or report_secret
        mark = SECRET if secret else ""
        reference = f"{mark}REC-{n}"
        commands.append(
            r.Raise(
                reference=reference,
                text=f"{mark}text {n}",
                points=(f"{mark}point {n}",),
                report=report,
                finding=draw(st.sampled_from([None, *findings])) if report_secret else None,
                sensitive=True if own else None,
                grade=draw(st.sampled_from(["red", "amber", "green"])),
                owner=f"{mark}Role {n}",
                owner_name=f"{NAME}OWNER-{n}",
                due_on=draw(st.none() | st.just(_day(100 + n))),
                effective_on=_day(30 + draw(st.integers(0, 30))),
                by=f"{NAME}BY-{n}",
                reason=f"{mark}raised",
            )
        )
        references.append((reference, secret))

    for reference, secret in references:
        # Superseded by another item, public or not; the successor perhaps corrected to a
        # third; perhaps reopened (which unlinks it).
        others = [other for other, _ in references if other != reference]
        if not others or not draw(st.booleans()):
            continue
        mark = SECRET if secret else ""
        linking: dict[str, Any] = {"reference": reference, "by": f"{NAME}BY-{reference}-link"}
        commands.append(
            r.Discharge(
                outcome=r.Outcome.SUPERSEDED,
                superseded_by=draw(st.sampled_from(others)),
                accepted_by=f"{NAME}ACCEPTED-{reference}",
                acceptor_role="inspectorate",
                effective_on=_day(61),
                reason=f"{mark}superseded",
                **linking,
            )
        )
        if draw(st.booleans()):
            commands.append(
                r.Correct(
                    version=2,
                    what_was_wrong=f"{mark}wrong successor",
                    changes={"superseded_by": draw(st.sampled_from(others))},
                    effective_on=_day(62),
                    reason=f"{mark}corrected",
                    **linking,
                )
            )
        if draw(st.booleans()):
            commands.append(r.Reopen(effective_on=_day(63), reason=f"{mark}reopened", **linking))

    operations = st.tuples(
        st.sampled_from(references),
        st.sampled_from(
            [
                "assign",
                "regrade",
                "note",
                "deadline",
                "claim",
                "discharge",
                "reopen",
                "reject",
                "correct",
                "correct-actor",
                "strike",
                "supersede",
                "correct-successor",
            ]
        ),
        st.integers(0, 400),
        st.just(1) | st.integers(1, 4),  # the raising, often
        st.sampled_from(references),  # another item, for a link: public or not
    )
    for (reference, secret), kind, offset, version, (other, _) in draw(
        st.lists(operations, max_size=14)
    ):
        mark = SECRET if secret else ""
        meta: dict[str, Any] = {
            "reference": reference,
            "effective_on": _day(60 + offset),
            "by": f"{NAME}BY-{reference}-{kind}",
            "reason": f"{mark}{kind}",
        }
        command: domain.Command
        if kind == "assign":
            command = r.Assign(owner=f"{mark}Role {offset}", owner_name=f"{NAME}{offset}", **meta)
        elif kind == "regrade":
            command = r.Regrade(grade=["red", "amber", "green"][offset % 3], **meta)
        elif kind == "note":
            command = r.NoteProgress(note=f"{mark}note", evidence=(f"{mark}doc",), **meta)
        elif kind == "deadline":
            command = r.ChangeDeadline(due_on=_day(200 + offset), **meta)
        elif kind == "claim":
            command = r.ClaimImplementation(note=f"{mark}done", **meta)
        elif kind == "discharge":
            command = r.Discharge(
                outcome=r.Outcome.IMPLEMENTED,
                accepted_by=f"{NAME}ACCEPTED-{offset}",
                acceptor_role="inspectorate",
                **meta,
            )
        elif kind == "reopen":
            command = r.Reopen(**meta)
        elif kind == "reject":
            command = r.RejectClaim(**meta)
        elif kind == "correct":
            command = r.Correct(
                version=version,
                what_was_wrong=f"{mark}wrong",
                changes={"owner_name": f"{NAME}CORRECTED-{offset}"},
                **meta,
            )
        elif kind == "correct-actor":
            command = r.Correct(
                version=version,
                what_was_wrong=f"{mark}wrong",
                changes={"actor": f"{NAME}ACTOR-{offset}"},
                **meta,
            )
        elif kind == "supersede":
            command = r.Discharge(
                outcome=r.Outcome.SUPERSEDED,
                superseded_by=other,
                accepted_by=f"{NAME}ACCEPTED-{offset}",
                acceptor_role="inspectorate",
                **meta,
            )
        elif kind == "correct-successor":
            command = r.Correct(
                version=version,
                what_was_wrong=f"{mark}wrong successor",
                changes={"superseded_by": other},
                **meta,
            )
        else:
            command = r.Correct(version=version, what_was_wrong=f"{mark}wrong", strike=True, **meta)
        commands.append(command)

    recorded = len(inspections)  # after every inspection was recorded
    for command in later:
        commands.insert(draw(st.integers(recorded, len(commands))), command)
    return commands
