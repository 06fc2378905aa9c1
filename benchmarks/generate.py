"""Generate a synthetic national register of recommendations into a SQLite store.

::

    .venv/bin/python benchmarks/generate.py                       # 50,000 recommendations
    .venv/bin/python benchmarks/generate.py --recommendations 2000 --store sqlite:////tmp/r.db
    .venv/bin/python benchmarks/generate.py --recommendations 200 --scenario /tmp/r.jsonl

The register covers ``--bodies`` police forces (43 by default, the forces of England and
Wales) over ten years of recording (5 January 2015 to 5 January 2025, a synthetic clock).
Each force has inspections and reports (a few hundred in all: PEEL, thematic and national,
joint, a few sensitive), and every recommendation hangs off one report and lives about
twenty entries: raised, assigned and reassigned (a role and usually a person), regraded on
the red/amber/green scale, progress noted, deadlines moved (mostly deferred), implementation
claimed (and now and then rejected), discharged with an outcome, sometimes reopened. About
one entry in ten is backdated (it takes effect before the latest effective date already on
the item's timeline) and about one in fifty is a correction
(:class:`~recommendations.Correct`: an earlier entry amended or struck out).

The register is made as a scenario (see :mod:`recommendations.scenarios`): the simulation
chooses each command on the item's state as generated so far, checking it with the domain
itself (:func:`recommendations.domain.decide`, or :func:`~recommendations.domain.decide_source`
for inspections and reports), so every rule holds; a command the rules refuse (a backdated
entry that would land after a discharge, say) is counted and replaced by another. Each
command it keeps is a line of the scenario, with the moment it is recorded, and the lines
are played into the store by the player, :func:`recommendations.scenarios.play`, as they
are made (:func:`scenario_lines` yields them one at a time: the scenario is never held
whole). The player decides each command again through the tracker's own deciding and
writes the log in one transaction. Items are simulated side by side on one clock, so the
log is written in recorded-time order: log position order is recorded-time order, and
recorded times strictly increase. ``--scenario FILE`` also writes the lines to ``FILE``,
which plays back as the same log.

The output is deterministic for given parameters (``--seed``). Next to the store, a JSON
sidecar keeps the parameters, a fingerprint of the domain rules and stored form, and what
was generated; when both exist and those match, the store is reused and nothing is
generated (``--force`` regenerates). The store holds the log alone: any view tables the
tracker created while writing are dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import heapq
import json
import math
import os
import random
import resource
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import attrs

from recommendations import RecommendationsError, Tracker, domain, scenarios
from recommendations.domain import Outcome, Status
from recommendations.domain._recommendation import amended

FORMAT = 1
"""Bump when the generator writes something different for the same parameters."""

DATA_DIR = Path(__file__).resolve().parent / ".data"
START = datetime(2015, 1, 5, 8, 0, tzinfo=UTC)
YEARS = 10
SPAN = timedelta(days=round(365.25 * YEARS)).total_seconds()
DAY = 86_400.0
YEAR = 365.25 * DAY

BACKDATED = 0.125
"""Chance that an entry (other than a raising or a correction) is backdated."""
CORRECTIONS = 0.021
"""Chance that an entry is a correction."""
REOPENED = 0.15
"""Chance that a discharged recommendation with entries still to come is reopened."""

FORCES = (
    ("AVS", "Avon and Somerset Constabulary"),
    ("BED", "Bedfordshire Police"),
    ("CAM", "Cambridgeshire Constabulary"),
    ("CHE", "Cheshire Constabulary"),
    ("COL", "City of London Police"),
    ("CLE", "Cleveland Police"),
    ("CUM", "Cumbria Constabulary"),
    ("DER", "Derbyshire Constabulary"),
    ("DEC", "Devon and Cornwall Police"),
    ("DOR", "Dorset Police"),
    ("DUR", "Durham Constabulary"),
    ("DYP", "Dyfed-Powys Police"),
    ("ESS", "Essex Police"),
    ("GLO", "Gloucestershire Constabulary"),
    ("GMP", "Greater Manchester Police"),
    ("GWE", "Gwent Police"),
    ("HAM", "Hampshire Constabulary"),
    ("HER", "Hertfordshire Constabulary"),
    ("HUM", "Humberside Police"),
    ("KEN", "Kent Police"),
    ("LAN", "Lancashire Constabulary"),
    ("LEI", "Leicestershire Police"),
    ("LIN", "Lincolnshire Police"),
    ("MER", "Merseyside Police"),
    ("MPS", "Metropolitan Police Service"),
    ("NFK", "Norfolk Constabulary"),
    ("NWP", "North Wales Police"),
    ("NYP", "North Yorkshire Police"),
    ("NTH", "Northamptonshire Police"),
    ("NUM", "Northumbria Police"),
    ("NOT", "Nottinghamshire Police"),
    ("SWP", "South Wales Police"),
    ("SYP", "South Yorkshire Police"),
    ("STA", "Staffordshire Police"),
    ("SUF", "Suffolk Constabulary"),
    ("SUR", "Surrey Police"),
    ("SUS", "Sussex Police"),
    ("TVP", "Thames Valley Police"),
    ("WAR", "Warwickshire Police"),
    ("WMC", "West Mercia Police"),
    ("WMP", "West Midlands Police"),
    ("WYP", "West Yorkshire Police"),
    ("WIL", "Wiltshire Police"),
)

THEMES = (
    "Domestic abuse",
    "Custody",
    "Vetting and counter-corruption",
    "Child protection",
    "Digital forensics",
    "Stalking and harassment",
    "Fraud",
    "Rape investigation",
    "Missing children",
    "Crime data integrity",
    "Disclosure",
    "Modern slavery and human trafficking",
    "Roads policing",
    "Serious and organised crime",
    "Counter-terrorism command and control",
)
AREAS = ("effectiveness", "efficiency", "legitimacy", "leadership", "vulnerability")
ROLES = (
    "Deputy Chief Constable",
    "ACC Operations",
    "ACC Crime",
    "Head of Public Protection",
    "Head of Crime",
    "Head of Criminal Justice",
    "Head of Custody",
    "Head of Contact Management",
    "Head of Professional Standards",
    "Head of Intelligence",
    "Head of Forensics",
    "Head of Digital Services",
    "Director of Finance",
    "Director of People",
    "Chief Superintendent, Local Policing",
    "Superintendent, Safeguarding",
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Sam Amy Ben Chloe Dan Ella Femi Grace Harj Isla Jack Kath Liam Maya Nadia Owen Priya "
    "Raj Sara Tom Uma Vik Will Zoe"
)
LAST = _words(
    "Patel Smith Jones Khan Taylor Brown Evans Wilson Ahmed Roberts Walker Wright Hughes "
    "Edwards Green Hall Wood Clarke Lewis Shaw Holder Begum Okafor Murphy"
)
ACTIONS = (
    "review the supervision of risk assessments",
    "improve the quality of investigations",
    "make sure victims are kept informed",
    "audit the recording of crime",
    "train frontline officers in the new policy",
    "reduce the backlog of digital devices awaiting examination",
    "publish a plan with milestones",
    "improve the vetting of new recruits",
    "strengthen the oversight of stop and search",
    "make sure the custody suites are safe",
    "share lessons learned across the force",
    "improve how calls from vulnerable people are handled",
)
NOTES = (
    "Action plan agreed at the board",
    "Audit under way; first findings due next quarter",
    "Training delivered to {n}% of frontline staff",
    "Policy rewritten and out for consultation",
    "Milestones {n}% complete",
    "New process live in two districts",
    "Dip sample of {n} cases shows improvement",
    "Delayed: awaiting the national guidance",
)
REASONS = (
    "joint audit committee",
    "force performance board",
    "quarterly return to the inspectorate",
    "owner's update",
    "governance review",
)


def code_fingerprint() -> str:
    """A digest of the domain rules and the stored form: a store made under other rules is
    generated again rather than reused (it may no longer pass them)."""
    package = Path(domain.__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for file in [*sorted((package / "domain").glob("*.py")), package / "_serialization.py"]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@attrs.frozen
class Params:
    """What determines a generated store; kept in its sidecar."""

    recommendations: int = 50_000
    bodies: int = 43
    seed: int = 1
    events_per_recommendation: int = 20
    years: int = YEARS
    format: int = FORMAT
    code: str = attrs.field(factory=code_fingerprint)


_DEFAULTS = Params()


def default_path(params: Params) -> Path:
    return DATA_DIR / (f"register-{params.recommendations}r-{params.bodies}b-seed{params.seed}.db")


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def store_path(url: str) -> Path:
    """The file a ``sqlite:///relative.db`` or ``sqlite:////abs.db`` URL names."""
    if not url.startswith("sqlite:///") or url == "sqlite:///":
        raise SystemExit(f"--store must be a SQLite file URL (sqlite:///path), not {url!r}")
    return Path(url[len("sqlite:///") :])


def store_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def bodies(count: int) -> list[tuple[str, str]]:
    extra = [(f"B{i:03d}", f"Police body {i}") for i in range(len(FORCES) + 1, count + 1)]
    return [*FORCES, *extra][:count]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _at(seconds: float) -> datetime:
    return START + timedelta(microseconds=round(seconds * 1e6))


# --- the sources: inspections and reports ---------------------------------------------------


@attrs.define
class _SourceStep:
    """One scheduled inspection or report command."""

    subject: str  # "inspection" or "report"
    make: Any  # (recorded_at: datetime) -> source command

    def next_time(self, now: float) -> float | None:
        return None


@attrs.define
class _ReportPlan:
    reference: str
    body: str
    code: str
    published: float
    national: bool
    findings: tuple[domain.Finding, ...]


class _Context:
    """What items share: the sources so far, references raised per body, counters."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.source_logs: dict[str, list[Any]] = {}
        self.inspections: dict[str, domain.Inspection] = {}
        self.reports: dict[str, domain.Report] = {}
        self.raised_by_body: dict[str, list[str]] = {}
        self.refused: Counter[str] = Counter()
        self.backdated = 0
        self.struck = 0
        self.amended = 0
        self.given_up = 0
        self.lines: list[str] = []
        """The commands decided in the step being simulated, as lines of the scenario."""
        self.first: datetime | None = None
        self.last: datetime | None = None

    def decided(self, command: domain.Command, now: datetime) -> None:
        """Keep ``command``, decided at ``now``, as a line of the scenario."""
        self.lines.append(scenarios.line(command, now))


def _plan_sources(
    params: Params, rng: random.Random, schedule: list[tuple[float, Any]]
) -> list[_ReportPlan]:
    forces = bodies(params.bodies)
    count = max(1, min(params.recommendations // 2, params.recommendations // 150 + len(forces)))
    plans: list[_ReportPlan] = []
    serial: Counter[str] = Counter()
    for index in range(count):
        code, body = forces[index] if index < len(forces) else rng.choice(forces)
        published = rng.uniform(20 * DAY, SPAN - 0.6 * YEAR)
        published_on = _at(published).date()
        draw = rng.random()
        if draw < 0.55:
            series, title = "PEEL", f"PEEL {published_on.year}: {body}"
            inspectorates: tuple[str, ...] = ("HMICFRS",)
            national = False
        elif draw < 0.70:
            theme = rng.choice(THEMES)
            series, title = "NAT", f"{theme}: a national thematic inspection"
            inspectorates, national = ("HMICFRS",), True
        elif draw < 0.85:
            theme = rng.choice(THEMES)
            series, title = "THM", f"{theme}: {body}"
            inspectorates, national = ("HMICFRS",), False
        else:
            series, title = "JNT", f"Joint inspection of custody: {body}"
            inspectorates, national = ("HMI Prisons", "HMICFRS", "CQC"), False
        serial[code] += 1
        reference = f"{code}-{published_on.year}-{series}{serial[code]:02d}"
        findings = tuple(
            domain.Finding(
                f"{n}.{rng.randint(1, 40)}",
                rng.choice(list(domain.FindingKind)),
                f"{rng.choice(ACTIONS).capitalize()} ({n})",
            )
            for n in range(1, rng.randint(2, 6) + 1)
        )
        sensitive = rng.random() < 0.03
        scale = domain.PEEL
        overall = rng.choice(scale.codes) if series == "PEEL" else None
        areas = tuple(
            domain.AreaGrade(area, rng.choice(scale.codes))
            for area in rng.sample(AREAS, rng.randint(0, 3))
        )
        inspection: str | None = None
        by = _name(rng)
        if rng.random() < 0.6 and published > 200 * DAY:
            inspection = f"INSP-{reference}"
            entered = published - rng.uniform(45, 180) * DAY
            fieldwork = _at(entered).date() + timedelta(days=rng.randint(0, 20))
            insp = domain.InspectionDetails(
                title=f"Inspection: {title}",
                body=body,
                inspectorates=inspectorates,
                fieldwork_from=fieldwork,
                fieldwork_to=fieldwork + timedelta(days=rng.randint(2, 5)),
                national=national,
                sensitive=rng.random() < 0.06,
            )
            schedule.append(
                (
                    entered,
                    _SourceStep(
                        "inspection",
                        _source(
                            domain.RecordInspection, inspection, insp, by, "inspection announced"
                        ),
                    ),
                )
            )
            if rng.random() < 0.4:
                debrief = entered + rng.uniform(10, 30) * DAY
                revised = attrs.evolve(
                    insp,
                    hot_debrief_on=_at(debrief).date(),
                    expected_report=f"{title}, {published_on:%B %Y}",
                )
                schedule.append(
                    (
                        debrief,
                        _SourceStep(
                            "inspection",
                            _source(
                                domain.ReviseInspection, inspection, revised, by, "hot debrief held"
                            ),
                        ),
                    )
                )
        details = domain.ReportDetails(
            title=title,
            body=body,
            inspectorates=inspectorates,
            published_on=published_on,
            scale=scale,
            inspection=inspection,
            overall_grade=overall,
            area_grades=areas,
            findings=findings,
            national=national,
            sensitive=sensitive,
        )
        schedule.append(
            (
                published,
                _SourceStep(
                    "report",
                    _source(
                        domain.PublishReport,
                        reference,
                        details,
                        by,
                        "report published",
                        on=details.published_on,
                    ),
                ),
            )
        )
        if rng.random() < 0.15:
            when = published + rng.uniform(3, 40) * DAY
            grade = rng.choice([g for g in scale.codes if g != overall])
            schedule.append(
                (
                    when,
                    _SourceStep(
                        "report",
                        _source(
                            domain.ReviseReport,
                            reference,
                            attrs.evolve(details, overall_grade=grade),
                            by,
                            "grade entered wrongly",
                        ),
                    ),
                )
            )
        plans.append(_ReportPlan(reference, body, code, published, national, findings))
    return plans


def _source(
    kind: type[domain.SourceCommand],
    reference: str,
    details: domain.InspectionDetails | domain.ReportDetails,
    by: str,
    reason: str,
    *,
    on: date | None = None,
) -> Any:
    """What makes the source command of ``kind`` when its moment comes: effective ``on``,
    else on that day."""

    def make(now: datetime) -> domain.SourceCommand:
        return kind(  # type: ignore[call-arg]
            reference=reference,
            details=details,
            effective_on=on or now.date(),
            by=by,
            reason=reason,
        )

    return make


def _source_event(ctx: _Context, step: _SourceStep, now: datetime) -> domain.Event:
    command = step.make(now)
    log = ctx.source_logs.setdefault(f"{step.subject}:{command.reference}", [])
    inspection = None
    if step.subject == "report" and command.details.inspection is not None:
        inspection = ctx.inspections[command.details.inspection]
    event = domain.decide_source(log, command, recorded_at=now, inspection=inspection)
    ctx.decided(command, now)
    log.append(event)
    if step.subject == "inspection":
        found = domain.project_inspection(log)
        assert found is not None
        ctx.inspections[command.reference] = found
    else:
        report = domain.project_report(log)
        assert report is not None
        named = report.details.inspection
        if named is not None and ctx.inspections[named].sensitive:
            report = attrs.evolve(report, inspection_sensitive=True)
        ctx.reports[command.reference] = report
    return event


# --- a recommendation's life ----------------------------------------------------------------


class _Life:
    """One recommendation, simulated entry by entry; it keeps its log while it lives."""

    __slots__ = (
        "checked",
        "done",
        "gap",
        "history",
        "index",
        "max_eff",
        "planned",
        "raised_on",
        "reference",
        "report",
        "rng",
        "seed",
        "start",
        "state",
    )

    def __init__(self, index: int, reference: str, report: str, start: float, seed: int):
        self.index = index
        self.reference = reference
        self.report = report
        self.start = start
        self.seed = seed
        self.rng: random.Random | None = None
        self.history: list[domain.RecommendationEvent] = []
        self.checked: domain.Checked | None = None
        self.state: domain.Recommendation | None = None
        self.max_eff = date.min
        self.raised_on = date.min
        self.planned = 0
        self.done = 0
        self.gap = 0.0

    def next_time(self, now: float) -> float | None:
        if self.done >= self.planned or self.rng is None:
            self._finish()
            return None
        following = now + self.gap * self.rng.uniform(0.2, 1.8)
        if following >= SPAN:
            self._finish()
            return None
        return following

    def _finish(self) -> None:
        self.history = []
        self.checked = None
        self.state = None
        self.rng = None
        self.done = self.planned = 1

    # --- one step ---

    def step(self, ctx: _Context, now: datetime, seconds: float) -> domain.Event | None:
        if not self.history:
            return self._raise(ctx, now, seconds)
        rng = self.rng
        state = self.state
        assert rng is not None
        assert state is not None
        self.done += 1
        if len(self.history) > 1 and rng.random() < CORRECTIONS:
            for _ in range(3):
                event = self._try(ctx, self._correction(rng, now), now)
                if event is not None:
                    return self._recorded(ctx, event, refold=True)
        if state.status is Status.DISCHARGED:
            if self.done < self.planned and rng.random() < REOPENED:
                return self._normal(ctx, now, "reopen")
            self.done = self.planned  # closed for good: its life ends here
            return None
        choice = self._choose(rng, state)
        if (
            rng.random() < BACKDATED
            and choice not in ("reopen", "discharge", "reject")
            and (self.max_eff > self.raised_on)
        ):
            depth = min((self.max_eff - self.raised_on).days, 120)
            for _ in range(2):
                effective = self.max_eff - timedelta(days=rng.randint(1, depth))
                event = self._try(ctx, self._command(choice, rng, state, effective), now)
                if event is not None:
                    ctx.backdated += 1
                    return self._recorded(ctx, event, refold=True)
        event = self._normal(ctx, now, choice)
        if event is None:
            event = self._normal(ctx, now, "note")
        if event is None:
            ctx.given_up += 1
        return event

    def _raise(self, ctx: _Context, now: datetime, seconds: float) -> domain.Event:
        rng = self.rng = random.Random(self.seed)
        report = ctx.reports[self.report]
        details = report.details
        mean = ctx.params.events_per_recommendation * 1.4
        planned = max(4, round(rng.uniform(0.5, 1.5) * mean))
        lifetime = rng.uniform(1.0, 4.5) * YEAR
        room = SPAN - seconds
        if lifetime > room:
            planned = max(3, round(planned * math.sqrt(room / lifetime)))
            lifetime = room
        self.planned = planned
        self.done = 1
        self.gap = lifetime / planned
        finding = rng.choice(details.findings) if rng.random() < 0.6 else None
        kind = "recommendation"
        if finding is not None and finding.kind is domain.FindingKind.AREA_FOR_IMPROVEMENT:
            kind = "area-for-improvement"
        owner = rng.choice(ROLES) if rng.random() < 0.4 else None
        points = tuple(
            f"{rng.choice(ACTIONS).capitalize()}." for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))
        )
        effective = details.published_on if rng.random() < 0.7 else now.date()
        command = domain.Raise(
            reference=self.reference,
            text=f"The chief constable should {rng.choice(ACTIONS)}.",
            report=report.reference,
            points=points,
            finding=finding.reference if finding is not None else None,
            kind=kind,
            sensitive=True if rng.random() < 0.02 else None,
            grade=rng.choice(("red", "amber", "amber", "amber", None)),
            owner=owner,
            owner_name=_name(rng) if owner is not None and rng.random() < 0.7 else None,
            due_on=details.published_on + timedelta(days=rng.randint(90, 540))
            if rng.random() < 0.7
            else None,
            effective_on=effective,
            by=_name(rng),
            reason="recommendation entered on the tracker",
        )
        event, self.checked = domain.decide_checked([], command, recorded_at=now, report=report)
        ctx.decided(command, now)
        ctx.raised_by_body.setdefault(details.body, []).append(self.reference)
        self.raised_on = event.effective_on
        return self._recorded(ctx, event, refold=False)

    def _choose(self, rng: random.Random, state: domain.Recommendation) -> str:
        progress = self.done / self.planned
        if state.status is Status.CLAIMED:
            options = {"discharge": 5.0, "note": 2.0, "regrade": 1.5, "reject": 0.8}
        else:
            if state.owner is None and rng.random() < 0.7:
                return "assign"
            options = {
                "note": 9.0,
                "regrade": 3.0,
                "assign": 1.0,
                "deadline": 1.6,
                "claim": 6.0 * progress**3 if state.owner is not None else 0.0,
                "discharge": 0.25 * progress,
            }
        names = list(options)
        return rng.choices(names, weights=[options[n] for n in names])[0]

    def _command(
        self, choice: str, rng: random.Random, state: domain.Recommendation, effective: date
    ) -> domain.RecommendationCommand:
        common: dict[str, Any] = {
            "reference": self.reference,
            "effective_on": effective,
            "by": _name(rng),
            "reason": rng.choice(REASONS),
        }
        if choice == "assign":
            owner, person = state.owner, state.owner_name
            while (owner, person) == (state.owner, state.owner_name):
                owner = rng.choice(ROLES) if rng.random() < 0.7 or owner is None else owner
                person = _name(rng) if rng.random() < 0.8 else None
            return domain.Assign(owner=owner, owner_name=person, **common)
        if choice == "regrade":
            if state.status is Status.CLAIMED:
                grade = "green" if state.grade != "green" else "amber"
            else:
                others = [g for g in state.scale.codes if g != state.grade]
                grade = others[-1] if rng.random() < 0.6 else rng.choice(others)
            return domain.Regrade(grade=grade, **common)
        if choice == "deadline":
            due = state.due_on
            draw = rng.random()
            if due is None:
                new: date | None = effective + timedelta(days=rng.randint(60, 365))
            elif draw < 0.85:
                new = due + timedelta(days=rng.randint(30, 180))
            elif draw < 0.95:
                new = max(state.raised_on, due - timedelta(days=rng.randint(7, 60)))
            else:
                new = None
            if new == due:
                new = (due or effective) + timedelta(days=30)
            return domain.ChangeDeadline(due_on=new, **common)
        if choice == "claim":
            return domain.ClaimImplementation(
                note="All actions complete; evidence submitted",
                evidence=(f"EV/{self.reference}/{self.done}",),
                **common,
            )
        if choice == "discharge":
            role = rng.choice(state.kind.acceptors)
            if state.status is Status.CLAIMED:
                outcome = Outcome.IMPLEMENTED
            else:
                outcome = rng.choice(
                    (Outcome.SUPERSEDED, Outcome.NO_LONGER_RELEVANT, Outcome.CLOSED_BY_INSPECTORATE)
                )
            if outcome is Outcome.CLOSED_BY_INSPECTORATE:
                role = "inspectorate"  # only the inspectorate closes one as closed by it
            successor = None
            if outcome is Outcome.SUPERSEDED:
                # Chosen by the caller from references raised so far (see _normal).
                successor = "?"
            return domain.Discharge(
                outcome=outcome,
                accepted_by=_name(rng),
                acceptor_role=role,
                superseded_by=successor,
                **common,
            )
        if choice == "reopen":
            common["reason"] = "revisit found the concern persists"
            return domain.Reopen(**common)
        if choice == "reject":
            common["reason"] = "the evidence fell short"
            return domain.RejectClaim(**common)
        note = rng.choice(NOTES).format(n=rng.randint(10, 95))
        evidence = (f"EV/{self.reference}/{self.done}",) if rng.random() < 0.3 else ()
        return domain.NoteProgress(note=note, evidence=evidence, **common)

    def _normal(self, ctx: _Context, now: datetime, choice: str) -> domain.Event | None:
        rng = self.rng
        state = self.state
        assert rng is not None
        assert state is not None
        lag = rng.choice((0, 0, 0, 0, 1, 2, 3, 7))
        effective = max(self.max_eff, now.date() - timedelta(days=lag))
        command = self._command(choice, rng, state, effective)
        if isinstance(command, domain.Discharge) and command.superseded_by == "?":
            peers = ctx.raised_by_body.get(state.body, [])
            successor = next(
                (p for p in (rng.choice(peers) for _ in range(3)) if p != self.reference), None
            )
            if successor is None:
                command = attrs.evolve(
                    command, outcome=Outcome.NO_LONGER_RELEVANT, superseded_by=None
                )
            else:
                command = attrs.evolve(command, superseded_by=successor)
        event = self._try(ctx, command, now)
        if event is None:
            return None
        return self._recorded(ctx, event, refold=False)

    def _correction(self, rng: random.Random, now: datetime) -> domain.Correct | None:
        current = {e.originator_version: e for e in amended(self.history)}
        target = rng.choice(self.history)
        entry = current.get(target.originator_version)
        if entry is None:  # a correction, or an entry struck out
            return None
        changes: dict[str, Any] = {}
        strike = False
        wrong = "entered wrongly"
        if (
            isinstance(entry, domain.Regraded | domain.ProgressNoted | domain.Assigned)
            and rng.random() < 0.3
        ):
            strike, wrong = True, "entered against the wrong recommendation"
        elif isinstance(entry, domain.Raised):
            changes["text"] = entry.text.rstrip(".") + ", as the report words it."
            wrong = "text mistyped"
        elif isinstance(entry, domain.Regraded):
            assert self.state is not None
            codes = self.state.scale.codes
            changes["grade"] = rng.choice([g for g in codes if g != entry.grade])
            wrong = "grade entered wrongly"
        elif isinstance(entry, domain.ProgressNoted):
            if rng.random() < 0.5 and entry.effective_on > self.raised_on:
                days = min(10, (entry.effective_on - self.raised_on).days)
                changes["effective_on"] = entry.effective_on - timedelta(days=rng.randint(1, days))
                wrong = "dated wrongly: the update was given earlier"
            else:
                changes["note"] = entry.note + " (figures corrected)"
                wrong = "figures mistyped"
        elif isinstance(entry, domain.Assigned):
            changes["owner_name"] = _name(rng)
            if changes["owner_name"] == entry.owner_name:
                changes["owner_name"] = None
            wrong = "wrong person named"
        elif isinstance(entry, domain.DeadlineChanged):
            base = entry.due_on or entry.effective_on
            changes["due_on"] = base + timedelta(days=rng.randint(1, 30))
            wrong = "due date mistyped"
        elif isinstance(entry, domain.Discharged):
            changes["accepted_by"] = _name(rng)
            wrong = "the wrong person was named as accepting"
        else:  # ImplementationClaimed, Reopened
            changes["reason"] = entry.reason + " (reason as minuted)"
            wrong = "reason not as minuted"
        return domain.Correct(
            reference=self.reference,
            version=target.originator_version,
            what_was_wrong=wrong,
            changes=changes,
            strike=strike,
            effective_on=max(self.raised_on, now.date()),
            by=_name(rng),
            reason="correction",
        )

    def _try(
        self, ctx: _Context, command: domain.RecommendationCommand | None, now: datetime
    ) -> domain.RecommendationEvent | None:
        """The event the rules make of ``command``, or ``None`` (counted) if they refuse."""
        if command is None:
            return None
        try:
            event, checked = domain.decide_checked(
                self.history, command, recorded_at=now, checked=self.checked
            )
        except RecommendationsError as error:
            ctx.refused[f"{type(command).__name__}: {error.rule}"] += 1
            return None
        self.checked = checked
        ctx.decided(command, now)
        return event

    def _recorded(
        self, ctx: _Context, event: domain.RecommendationEvent, *, refold: bool
    ) -> domain.Event:
        self.history.append(event)
        if isinstance(event, domain.Corrected):
            if event.replacement is None:
                ctx.struck += 1
            else:
                ctx.amended += 1
        if refold:
            self.state = domain.project(self.history)
            self.max_eff = max(e.effective_on for e in amended(self.history))
        else:
            self.state = domain.evolve(event, self.state)  # type: ignore[arg-type]
            self.max_eff = max(self.max_eff, event.effective_on)
        return event


# --- the whole run --------------------------------------------------------------------------


def scenario_lines(params: Params, ctx: _Context, counts: Counter[str]) -> Iterator[str]:
    """The register's scenario, one line at a time, in the order recorded: each command as
    the simulation decided it, with the moment it is recorded (see
    :mod:`recommendations.scenarios`). What each records is counted in ``counts``, by
    type, and ``ctx`` keeps the rest of what is summed up."""
    rng = random.Random(f"{params.seed}:plan")
    schedule: list[tuple[float, Any]] = []
    reports = _plan_sources(params, rng, schedule)
    weights = [rng.lognormvariate(0, 0.8) for _ in reports]
    numbering: Counter[str] = Counter()
    for index in range(params.recommendations):
        report = rng.choices(reports, weights)[0]
        numbering[report.reference] += 1
        start = report.published + rng.uniform(0.02, 30) * DAY
        start = min(start, SPAN - DAY)
        reference = f"{report.reference}/{numbering[report.reference]}"
        seed = rng.getrandbits(63)
        schedule.append((start, _Life(index, reference, report.reference, start, seed)))
    heap = [(when, order, item) for order, (when, item) in enumerate(schedule)]
    heapq.heapify(heap)
    order = len(heap)
    last_us = -1
    while heap:
        seconds, _, item = heapq.heappop(heap)
        us = max(round(seconds * 1e6), last_us + 1)
        last_us = us
        seconds = us / 1e6
        now = START + timedelta(microseconds=us)
        if isinstance(item, _SourceStep):
            event: domain.Event | None = _source_event(ctx, item, now)
        else:
            event = item.step(ctx, now, seconds)
        if event is not None:
            counts[type(event).__name__] += 1
            ctx.first = ctx.first or now
            ctx.last = now
        following = item.next_time(seconds)
        if following is not None:
            heapq.heappush(heap, (following, order, item))
            order += 1
        yield from ctx.lines
        ctx.lines.clear()


def generate(
    params: Params,
    path: Path,
    *,
    batch: int = 5000,
    quiet: bool = False,
    scenario: Path | None = None,
) -> dict[str, Any]:
    """Generate the store at ``path`` by playing the register's scenario
    (:func:`scenario_lines`) into it with :func:`recommendations.scenarios.play`, line by
    line as it is simulated, ``batch`` entries to an insert (all in one transaction);
    returns the summary kept in its sidecar. With ``scenario``, the lines are also written
    there, a scenario file that plays back as the same log."""
    began = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *_companions(partial)):
        leftover.unlink(missing_ok=True)
    ctx = _Context(params)
    counts: Counter[str] = Counter()
    simulating = [0.0]
    lines = _timed(scenario_lines(params, ctx, counts), simulating)

    def progress(done: int, _: int) -> None:
        if not quiet and done % 200_000 == 0:
            print(f"  {done:>9,} entries, {time.perf_counter() - began:6.1f} s", flush=True)

    with contextlib.ExitStack() as stack:
        if scenario is not None:
            file = stack.enter_context(scenario.open("w", encoding="utf-8"))
            lines = _written(lines, file)
        tracker = stack.enter_context(Tracker(store_url(partial)))
        # (the store keeps the log alone: its tables are dropped, not caught up)
        total = scenarios.play(lines, tracker, progress=progress, catch_up=False, batch=batch)
    assert total == sum(counts.values())
    strip_to_log(partial)
    for name in (path, *_companions(path)):
        name.unlink(missing_ok=True)
    os.replace(partial, path)
    for leftover in _companions(partial):
        leftover.unlink(missing_ok=True)
    elapsed = time.perf_counter() - began
    recommendation_events = total - sum(
        counts[name]
        for name in ("InspectionRecorded", "InspectionRevised", "ReportPublished", "ReportRevised")
    )
    return {
        "params": attrs.asdict(params),
        "events": total,
        "recommendation_events": recommendation_events,
        "counts": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        "backdated": ctx.backdated,
        "corrections_amending": ctx.amended,
        "corrections_striking": ctx.struck,
        "refused_by_rules": sum(ctx.refused.values()),
        "refused_by_rule": dict(ctx.refused.most_common(12)),
        "steps_skipped": ctx.given_up,
        "sensitive_reports": sum(1 for r in ctx.reports.values() if r.sensitive),
        "first_recorded": ctx.first.isoformat() if ctx.first else None,
        "last_recorded": ctx.last.isoformat() if ctx.last else None,
        "seconds": round(elapsed, 1),
        "seconds_simulating": round(simulating[0], 1),
        "events_per_second": round(total / elapsed) if elapsed else None,
        "peak_rss_mb": round(_rss_mb(), 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def _timed(lines: Iterator[str], spent: list[float]) -> Iterator[str]:
    """``lines``, the time spent making them added to ``spent[0]``."""
    while True:
        began = time.perf_counter()
        text = next(lines, None)
        spent[0] += time.perf_counter() - began
        if text is None:
            return
        yield text


def _written(lines: Iterator[str], file: TextIO) -> Iterator[str]:
    """``lines``, each written to ``file`` as it passes."""
    for text in lines:
        file.write(text + "\n")
        yield text


def strip_to_log(path: Path) -> list[str]:
    """Drop everything in the store but the log (``stored_events``): the tracker creates its
    materialised views when it opens a store, and a store generated for measuring holds the
    log alone, whatever version of the views opened it. Returns the tables dropped."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        found = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name != 'stored_events' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        virtual = [name for kind, name, sql in found if (sql or "").startswith("CREATE VIRTUAL")]
        dropped = []
        for kind, name, _ in sorted(found, key=lambda row: row[1] not in virtual):
            connection.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            dropped.append(name)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return dropped
    finally:
        connection.close()


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_summary(path: Path, params: Params) -> dict[str, Any] | None:
    """The sidecar of ``path`` if it was generated with ``params`` and is complete."""
    sidecar = sidecar_path(path)
    if not path.exists() or not sidecar.exists():
        return None
    try:
        summary: dict[str, Any] = json.loads(sidecar.read_text())
    except ValueError:
        return None
    if summary.get("params") != attrs.asdict(params):
        return None
    return summary


def ensure(
    params: Params,
    path: Path,
    *,
    force: bool = False,
    batch: int = 5000,
    scenario: Path | None = None,
) -> dict[str, Any]:
    """Reuse the store at ``path`` if it matches ``params``; otherwise generate it (always,
    writing its ``scenario`` file, when one is asked for)."""
    summary = None if force or scenario is not None else load_summary(path, params)
    if summary is not None:
        summary["reused"] = True
        return summary
    path.parent.mkdir(parents=True, exist_ok=True)
    sidecar_path(path).unlink(missing_ok=True)
    summary = generate(params, path, batch=batch, scenario=scenario)
    sidecar_path(path).write_text(json.dumps(summary, indent=2) + "\n")
    summary["reused"] = False
    return summary


def report(summary: dict[str, Any], path: Path) -> str:
    params = summary["params"]
    total = summary["events"]
    lines = [
        f"store: {path}  ({summary['file_mb']} MB)",
        f"parameters: {params['recommendations']:,} recommendations, {params['bodies']} bodies, "
        f"seed {params['seed']}, about {params['events_per_recommendation']} entries each",
    ]
    if summary.get("reused"):
        lines.append(f"reused (generated earlier in {summary['seconds']} s; --force to regenerate)")
    else:
        lines.append(
            f"generated in {summary['seconds']} s ({summary['events_per_second']:,} events/s; "
            f"{summary['seconds_simulating']} s of it simulating, the rest playing), "
            f"peak RSS {summary['peak_rss_mb']} MB"
        )
    lines.append(f"recorded from {summary['first_recorded']} to {summary['last_recorded']}")
    lines.append(f"{'event type':<24}{'count':>10}{'share':>8}")
    for name, count in summary["counts"].items():
        lines.append(f"{name:<24}{count:>10,}{count / total:>8.1%}")
    lines.append(f"{'total':<24}{total:>10,}")
    rec = summary["recommendation_events"]
    corrections = summary["corrections_amending"] + summary["corrections_striking"]
    lines += [
        f"backdated entries: {summary['backdated']:,} ({summary['backdated'] / rec:.1%} of "
        "recommendation entries)",
        f"corrections: {corrections:,} ({corrections / rec:.1%}; "
        f"{summary['corrections_amending']:,} amending, {summary['corrections_striking']:,} "
        "striking out)",
        f"commands the rules refused (and replaced): {summary['refused_by_rules']:,}; "
        f"steps skipped: {summary['steps_skipped']:,}",
        f"sensitive reports: {summary['sensitive_reports']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=_DEFAULTS.recommendations)
    parser.add_argument("--bodies", type=int, default=_DEFAULTS.bodies)
    parser.add_argument("--seed", type=int, default=_DEFAULTS.seed)
    parser.add_argument(
        "--events-per-recommendation", type=int, default=_DEFAULTS.events_per_recommendation
    )
    parser.add_argument("--store", help="sqlite:///path (default: benchmarks/.data/...)")
    parser.add_argument(
        "--batch", type=int, default=5000, help="entries per insert (the play is one transaction)"
    )
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    parser.add_argument(
        "--scenario",
        type=Path,
        help="also write the commands as a scenario file (one command a line with its "
        "recorded time), which recommendations.scenarios.play records as the same log",
    )
    args = parser.parse_args(argv)
    params = Params(
        recommendations=args.recommendations,
        bodies=args.bodies,
        seed=args.seed,
        events_per_recommendation=args.events_per_recommendation,
    )
    path = store_path(args.store) if args.store else default_path(params)
    summary = ensure(params, path, force=args.force, batch=args.batch, scenario=args.scenario)
    print(report(summary, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
