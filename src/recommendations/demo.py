"""The demonstration: West Midlands Police and HMIC, as the Joint Audit Committee saw them
on 30 March 2017.

This module records, through the public API only, the inspections, reports and
recommendations of the committee paper "HMIC Update" (Joint Audit Committee of the West
Midlands Police and Crime Commissioner, agenda item 06, 30 March 2017), with a history up to
that committee. ``recommendations demo`` builds it into a store and prints the committee
update of 30 March 2017; ``examples/west_midlands_2017.py`` does the same as a short script.

- :func:`diary` lists every entry of the scenario in the order it was made, and
  :func:`build` records them all in a tracker (refused with
  :class:`~recommendations.AlreadyExists` before anything is recorded if the store holds the
  scenario already); :func:`install` builds it only if the store does not hold it yet.
- :func:`committee_update` is :meth:`Tracker.committee_update
  <recommendations.Tracker.committee_update>` between the two committees (the data:
  inspections, reports received, counts by report and grade, reds, overdue items, what
  moved) rendered as plain text by :func:`render`, for any audience.

What comes from the paper, as it states it
------------------------------------------
- The inspections since the previous committee: Counter Terrorism Command & Control (13-15
  December 2016, hot debrief at the end, sensitive: nothing will be published); Custody
  (unannounced, led by HM Inspectorate of Prisons with HMIC and the Care Quality
  Commission, 6-9 February 2017, hot debrief 10 February, draft report expected in April,
  final in the summer); Disclosure (HMIC with the CPS Inspectorate, 20-23 February 2017,
  report date not known); Modern Slavery & Human Trafficking (27 February-1 March 2017, hot
  debrief on the last day, report date not known). The announced ones: Crime Data
  Integrity (March and April 2017, debrief in the first week of May) and the PEEL Spring
  inspection (22-25 May 2017: Efficiency and Legitimacy, with Leadership).
- PEEL Effectiveness 2016 (inspected October 2016): overall 'good'; crime prevention,
  investigation and serious & organised crime 'good', vulnerability 'requires improvement';
  the causes of concern of paragraphs 2.15 and 2.17 and the two recommendations of 2.16
  (one point) and 2.18 (three points), word for word.
- PEEL Efficiency 2016 (November 2016): 'outstanding', no recommendations.
- Crime (PEEL), published 27 November 2014: the two recommendations of 2.30 and 2.36, word
  for word, due by March 2015, and why each is now closed (2.35 and 2.37).
- Core Business (national, September 2014): 39 recommendations to all forces, none to this
  force alone; 33 green and 6 amber, every one with an owner.
- Undercover Policing (national, October 2014): 23 recommendations to all forces, 22 green
  and 1 amber; the amber one is 2.47, word for word, with the lead's response of 2.48.
- No recommendation graded red.

What is invented, because the paper does not say
------------------------------------------------
- Exact days the paper gives only as a month: Core Business published 25 September 2014,
  Undercover Policing 14 October 2014, PEEL Efficiency 3 November 2016, PEEL Effectiveness
  2 March 2017 (the paper says only "since the last meeting"): plausible days within the
  month the paper gives; nothing below depends on more than the month.
- The day each inspection was entered: on its first day of fieldwork (Custody, being
  unannounced, is revised on its debrief day with the debrief and the expected reports),
  PEEL Effectiveness 2016 on 3 October 2016 without fieldwork days (the paper says only
  October 2016), and the two announced ones on 6 March 2017, Crime Data Integrity without
  fieldwork days (the paper says "March and April"). Which inspections are marked national
  (PEEL, Disclosure, Modern Slavery: programmes covering many forces) is a judgement too.
- The references of everything (CORE-BUSINESS-2014, PEEL-EFF-2016-1, INSP-CUSTODY-2017,
  ...). The findings are referenced 2.15 and 2.17, the committee paper's paragraph numbers,
  as the report's own are not given.
- The committee dates before 30 March 2017 (quarterly, the previous one on 8 December
  2016: after the November Efficiency report, which the paper does not list as new, and
  before the December Counter Terrorism fieldwork, which it does) and the days the two
  announced inspections were entered (6 March 2017).
- The texts of the 39 Core Business recommendations and of 22 of the 23 Undercover
  Policing ones, and their numbering (CB-01..CB-39, UC-01..UC-23; the amber one is
  called UC-21). The paper quotes none of them; the wording here is illustrative, in the
  style of national recommendations ("Chief constables should ..."), and each one's
  raising says so in its reason.
- The owners. The paper says only that all have one, and names a "WMP Lead" for
  Undercover Policing; owners here are roles (never people), from the force's structure as
  the paper describes it (WMP2020, Force Intelligence, the high-tech crime unit under the
  head of forensics, the vulnerability improvement board); the Core Business items owned by
  the Head of Corporate Strategy pass to the WMP2020 Programme Director in March 2016.
- The grading history: every recommendation is raised on its report's publication day,
  amber (a few red: not yet started) and regraded at later committees; the 33 and 22 greens
  are spread over the committees of 2015 and 2016, with three Core Business greens and one
  Undercover Policing green accepted between December 2016 and March 2017, so the earlier
  committees saw more ambers. Progress notes other than 2.48, and the two recommendations
  of PEEL Effectiveness 2016 standing amber, are invented too.
- "Immediately" (2.16, 2.18) is recorded as due on the day the report was published, so the
  library counts them overdue from the next day; "by March 2015" as due on 31 March 2015.
- Two mistakes, corrected as a tracker must (never by editing): the green agreed for CB-12
  at the December 2016 committee was first entered against CB-21 and struck out two days
  later, then entered for CB-12 (both entries are backdated to the committee: made days
  after it); and the Crime (PEEL) recommendation of 2.36 was first entered as due on
  1 March 2015 and corrected to 31 March 2015.
- How the Crime (PEEL) recommendations were closed: 2.30 closed by HMIC ("graded as good in
  this area with no further recommendations", 2.35) and 2.36 accepted by HMIC as
  implemented ("this cause for concern had been eradicated", 2.37), both on the day PEEL
  Effectiveness 2016 was published.

The times entries are *recorded* are set by the library (when the scenario is built); the dates
above are *effective* dates, when things happened. Entries are made in the order they were
made in the world, so entries entered days after the committee they took effect at show up
in the log after entries effective later: that is what ``known_at`` questions look back on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TypedDict

import recommendations as r
from recommendations import domain, views

__all__ = [
    "COMMITTEE",
    "FIRST_REPORT",
    "PREVIOUS_COMMITTEE",
    "Diary",
    "build",
    "committee_update",
    "diary",
    "install",
    "render",
]

BODY = "West Midlands Police"
HMIC = "HMIC"
HMI_PRISONS = "HM Inspectorate of Prisons"
CQC = "Care Quality Commission"
CPS_INSPECTORATE = "HM Crown Prosecution Service Inspectorate"

TRACKER_MANAGER = "Organisational Risk and Learning Manager"
"""Who makes the entries: the paper's contact officer, by role."""

COMMITTEE = date(2017, 3, 30)
"""The Joint Audit Committee the paper was written for."""

PREVIOUS_COMMITTEE = date(2016, 12, 8)
"""Invented: the paper says only "since the previous committee"."""

_COMMITTEES = (
    date(2014, 12, 18),
    date(2015, 3, 26),
    date(2015, 6, 25),
    date(2015, 9, 24),
    date(2015, 12, 17),
    date(2016, 3, 24),
    date(2016, 6, 30),
    date(2016, 9, 29),
    PREVIOUS_COMMITTEE,
)
"""Invented quarterly committee dates before 30 March 2017."""

# --- the texts the paper quotes ----------------------------------------------------------------

_FINDING_2_15 = (
    "The force's response to domestic abuse is a cause of concern to HMIC. The force policy "
    "which allows an officer discretion to complete a DASH risk assessment in some crimes and "
    "incidents does not provide confidence that risk is always assessed appropriately. This is "
    "an enduring cause of concern from HMIC's report on vulnerability in 2015 and is one of the "
    "recommendations from HMIC's report on its domestic abuse inspection in 2014 that still "
    "needs to be implemented. In cases where a DASH risk assessment is not completed the "
    "officer should record an assessment on the crime management system. HMIC found that "
    "officers are not consistently completing a DASH in circumstances where force policy "
    "requires that they should do so. This means that some victims of domestic abuse who may "
    "be at risk of harm are not being appropriately risk-assessed."
)
_RECOMMENDATION_2_16 = (
    "To address this cause of concern, HMIC recommends the force should immediately take "
    "steps to ensure that:"
)
_POINTS_2_16 = (
    "there is effective supervision of the initial risk assessment process, specifically in "
    "relation to the completion of DASH risk assessment in appropriate cases.",
)
_FINDING_2_17 = (
    "The force's response to missing and absent children is a cause of concern to HMIC. HMIC "
    "found that the assessment of risk for children who go missing from home was inappropriate "
    "in some cases. We found some instances where children were classed as 'absent' when they "
    "should have been recorded as 'missing', and risk levels for missing children were "
    "sometimes incorrectly assessed at a lower grade. We also found incidents where the risk "
    "had not been identified, even where good information was available on the police "
    "database. In some cases there was information to indicate that children were at risk of "
    "sexual exploitation, but this did not influence the assigned risk and categorisation. "
    "Children were incorrectly graded at a lower level and could have been exposed to an "
    "increased risk of harm. This is an enduring cause of concern from HMIC's report on "
    "vulnerability in 2015."
)
_RECOMMENDATION_2_18 = (
    "To address this cause of concern the force should immediately review its approach to "
    "reports of missing children and take steps to ensure that:"
)
_POINTS_2_18 = (
    "call takers understand and use the missing and absent category appropriately;",
    "call takers and frontline staff have the necessary knowledge to identify risk factors "
    "associated with child sexual exploitation and how to respond to such cases; and",
    "supervisors provide the correct oversight of missing person enquiries and direct "
    "appropriate and timely investigative and safeguarding action.",
)
_RECOMMENDATION_2_30 = (
    "West Midlands Police should review the provision of information to partners regarding "
    "anti-social behaviour and whether their approach should be more proactive. Dependent "
    "upon the findings of the review, by March 2015 the force should commence the "
    "implementation of a plan to improve the sharing of information."
)
_RESPONSE_2_31 = (
    "Following the restructuring of WMP Force Intelligence through the WMP2020 programme, a "
    "team was established within the Strategy and Direction Unit with responsibility for "
    "partnership arrangements and data sharing. Two Partnership Intelligence Liaison Officers "
    "were established within this team specifically to manage the relationships and requisite "
    "data sharing arrangements that enable improved partnership working. The team are also in "
    "the process of establishing an ethics committee with independent advisors so that "
    "complex data sharing arrangements can be considered before any commitments to data "
    "sharing are finalised."
)
_RECOMMENDATION_2_36 = (
    "West Midlands Police should review the resourcing and process for prioritising the "
    "examination of telecommunication and computer equipment seized as part of criminal "
    "investigations. Dependent upon the findings of the review, by March 2015 the force "
    "should commence the implementation of a plan to improve the prioritisation and "
    "timeliness of these examinations."
)
_RECOMMENDATION_2_47 = (
    "Chief constables and the heads of law enforcement agencies should enforce a consistent "
    "and fair reintegration strategy to enable undercover officers to return to other "
    "policing or agency duties."
)
_RESPONSE_2_48 = (
    "The response from the WMP Lead is that a confirmed tenure policy has been ratified by "
    "the National Undercover Working Group. This recommendation is awaiting that "
    "confirmation so a national SOP can be produced. Due consideration and a risk assessment "
    "informs where a UCO should be reintegrated; to where and how. WMP has a local SOP that "
    "covers this."
)

# --- invented texts (the paper quotes none of them) ---------------------------------------------

_ILLUSTRATIVE = "illustrative wording: the committee paper does not quote this recommendation"

_CORE_BUSINESS: tuple[tuple[str, str], ...] = (
    # (what chief constables should do, the owning role)
    (
        "publish a strategy setting out how the force will prevent crime and anti-social behaviour",
        "Head of Neighbourhood Policing",
    ),
    (
        "make crime prevention a core part of the neighbourhood officer's role and protect the "
        "time spent on it",
        "Head of Neighbourhood Policing",
    ),
    (
        "train officers and staff in problem-solving approaches to crime prevention",
        "Head of Learning and Development",
    ),
    (
        "evaluate crime prevention activity and share what works with partners",
        "Head of Partnerships",
    ),
    ("agree joint crime prevention priorities with local partners", "Head of Partnerships"),
    (
        "use analysis of repeat victims and repeat locations to target prevention",
        "Head of Force Intelligence",
    ),
    ("record the crime prevention advice given to victims", "Head of Neighbourhood Policing"),
    (
        "tell the public clearly how to protect themselves and their property from crime",
        "Head of Corporate Communications",
    ),
    ("publish a policy setting out when the police will attend incidents", "Head of Force Contact"),
    (
        "make sure call handlers assess threat, harm and risk consistently at first contact",
        "Head of Force Contact",
    ),
    ("record the reasons whenever an incident is not attended", "Head of Force Contact"),
    ("keep callers informed when attendance is delayed", "Head of Force Contact"),
    ("review the use of appointments for non-urgent incidents", "Head of Response"),
    ("monitor how long victims wait for attendance at non-emergency incidents", "Head of Response"),
    (
        "make sure incidents resolved without deployment are chosen appropriately and supervised",
        "Head of Force Contact",
    ),
    ("tell victims what service they can expect when no officer attends", "Head of Force Contact"),
    ("match response resources to demand by time of day and day of the week", "Head of Response"),
    (
        "make sure incidents involving vulnerable people are identified and prioritised",
        "Head of Public Protection",
    ),
    (
        "allocate every recorded crime for investigation in line with a published policy",
        "Head of Crime",
    ),
    ("record the reasons for not investigating a crime further", "Head of Crime"),
    ("allocate crimes to investigators with the right skills", "Head of Crime"),
    ("supervise investigations and record the supervision", "Head of Crime"),
    (
        "keep victims informed of the progress of their case as the Victims' Code requires",
        "Head of Crime",
    ),
    (
        "use forensic and digital opportunities in volume crime investigations",
        "Head of Forensic Services",
    ),
    ("audit decisions to screen crimes out of further investigation", "Head of Crime"),
    ("investigate shoplifting and other volume crime proportionately", "Head of Crime"),
    ("measure how officers' and staff's time is spent", "Head of Corporate Strategy"),
    (
        "remove unnecessary bureaucracy from crime and incident recording",
        "Head of Corporate Strategy",
    ),
    (
        "review the time officers spend waiting in custody and at hospitals",
        "Head of Corporate Strategy",
    ),
    (
        "reduce the time officers spend on work that other agencies should do",
        "Head of Corporate Strategy",
    ),
    (
        "give frontline officers mobile technology so that they need not return to a station",
        "Head of Corporate Strategy",
    ),
    ("review shift patterns against demand", "Head of Corporate Strategy"),
    (
        "stop neighbourhood officers being routinely taken away from neighbourhood duties",
        "Head of Corporate Strategy",
    ),
    (
        "set clear expectations of the service the public should receive",
        "Head of Corporate Communications",
    ),
    ("develop supervisors' skills in managing performance", "Director of People"),
    (
        "use the views of the public to shape the service provided",
        "Head of Corporate Communications",
    ),
    (
        "share good practice in the use of police time through the College of Policing",
        "Head of Learning and Development",
    ),
    (
        "make sure IT systems support efficient recording and sharing of information",
        "Director of IT and Digital",
    ),
    (
        "publish how the force performs against its attendance and investigation standards",
        "Head of Corporate Strategy",
    ),
)

_UNDERCOVER: tuple[tuple[str, str], ...] = (
    (
        "make sure undercover deployments are authorised at the right level, with the reasons "
        "recorded",
        "Head of Covert Operations",
    ),
    (
        "make sure applications for undercover deployment say why less intrusive methods will "
        "not do",
        "Head of Covert Operations",
    ),
    ("keep a complete record of every undercover deployment", "Head of Covert Operations"),
    (
        "make sure cover officers are trained and accredited for the role",
        "Head of Learning and Development",
    ),
    (
        "make sure undercover officers are psychologically assessed before, during and after "
        "deployment",
        "Director of People",
    ),
    (
        "make sure someone outside the operation monitors undercover officers' welfare",
        "Director of People",
    ),
    ("review legends and their supporting documents regularly", "Head of Covert Operations"),
    (
        "make sure undercover units are inspected regularly by an independent body",
        "Head of Professional Standards",
    ),
    (
        "record and share intelligence from undercover deployments through the right channels",
        "Head of Force Intelligence",
    ),
    (
        "review each undercover officer's conduct at the end of each deployment",
        "Head of Professional Standards",
    ),
    ("deploy only accredited officers undercover", "Head of Covert Operations"),
    (
        "give undercover officers written guidance on the limits of their conduct",
        "Head of Covert Operations",
    ),
    (
        "authorise and record online undercover deployments as any other",
        "Head of Covert Operations",
    ),
    (
        "name a single point of contact for undercover policing in the force",
        "Head of Covert Operations",
    ),
    ("train the managers of undercover units for the role", "Head of Learning and Development"),
    ("review the number of undercover officers needed against demand", "Head of Covert Operations"),
    ("recruit undercover officers openly and fairly", "Director of People"),
    ("let undercover officers raise concerns confidentially", "Head of Professional Standards"),
    ("keep the risk assessment of each deployment under review", "Head of Covert Operations"),
    (
        "review at chief officer level any decision to deploy undercover officers into protest "
        "groups",
        "Head of Covert Operations",
    ),
    (_RECOMMENDATION_2_47, "Head of Covert Operations"),
    (
        "capture the lessons of each deployment and share them nationally",
        "Head of Covert Operations",
    ),
    (
        "record and audit undercover officers' duty hours and expenses",
        "Head of Professional Standards",
    ),
)

_CB_AMBER = frozenset({6, 21, 27, 31, 32, 38})
"""The six Core Business recommendations still amber (CB-21 is the one wrongly entered)."""
_CB_RED_AT_FIRST = frozenset({3, 9, 14, 22, 30, 35})
_CB_GREEN_THIS_QUARTER = {3: date(2017, 1, 19), 17: date(2017, 2, 9), 25: date(2017, 3, 9)}
_CB_LATE_GREEN = 12
"""Green at the December 2016 committee, first entered against CB-21 by mistake."""
_CB_MISTAKEN = 21
_UC_AMBER = 21
_UC_RED_AT_FIRST = frozenset({8, _UC_AMBER})
_UC_GREEN_THIS_QUARTER = {4: date(2017, 2, 9)}

Make = Callable[[Mapping[str, int]], domain.Command]


class Diary:
    """Entries in the order they were made: by the day entered, then in the order written.

    An entry is made on its effective date unless ``entered_on`` says it was made later (a
    backdated entry). A ``label`` remembers the version an entry got, for a correction.
    """

    def __init__(self) -> None:
        self._entries: list[tuple[date, int, Make, str | None]] = []

    def add(
        self, command: domain.Command, *, entered_on: date | None = None, label: str | None = None
    ) -> None:
        self.later(entered_on or command.effective_on, lambda _versions: command, label=label)

    def later(self, entered_on: date, make: Make, *, label: str | None = None) -> None:
        self._entries.append((entered_on, len(self._entries), make, label))

    def __len__(self) -> int:
        return len(self._entries)

    def play(
        self,
        tracker: r.Tracker,
        *,
        limit: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Record the entries in order (only the first ``limit``, if given); ``progress``
        is called with (entries recorded, entries to record) after each one."""
        versions: dict[str, int] = {}
        ordered = sorted(self._entries, key=lambda e: e[:2])[:limit]
        for done, (_entered_on, _order, make, label) in enumerate(ordered, start=1):
            recorded = tracker.execute(make(versions))
            if label is not None:
                versions[label] = recorded.event.originator_version
            if progress is not None:
                progress(done, len(ordered))


class _Meta(TypedDict):
    effective_on: date
    by: str
    reason: str


def _meta(effective_on: date, reason: str) -> _Meta:
    """What every command says: when it took effect, who entered it, and why."""
    return {"effective_on": effective_on, "by": TRACKER_MANAGER, "reason": reason}


def _committee(day: date) -> str:
    return f"agreed at the Joint Audit Committee of {day:%d %B %Y}"


# --- the scenario ---------------------------------------------------------------------------


def build(tracker: r.Tracker) -> None:
    """Record the paper's inspections, reports and recommendations, up to 30 March 2017.

    Raises :class:`recommendations.AlreadyExists` before recording anything if the store
    already holds the scenario (its first entry is the Core Business report).
    """
    diary().play(tracker)


FIRST_REPORT = "CORE-BUSINESS-2014"
"""The scenario's first entry: a store that holds this report holds the scenario (or part)."""


def install(tracker: r.Tracker, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Build the scenario into ``tracker`` unless its store holds it already; how many
    entries were recorded (0 when the scenario was there).

    An empty store gets the whole scenario (``progress`` is called as for
    :meth:`Diary.play`). A store that holds the scenario, perhaps with entries made since,
    gets nothing. Anything else is refused with a
    :class:`~recommendations.ConfigurationError` before anything is recorded: a store that
    holds other entries (rule ``demo-empty-store``) or only part of the scenario, as an
    interrupted build leaves it (rule ``demo-complete``).
    """
    entries = diary()
    held = tracker.head()
    if held == 0:
        entries.play(tracker, progress=progress)
        return len(entries)
    try:
        tracker.report(FIRST_REPORT)
    except r.NotFound:
        raise r.ConfigurationError(
            f"the store holds {held} entries that are not the demonstration's: build it "
            "into an empty store",
            field="store",
            rule="demo-empty-store",
        ) from None
    if held < len(entries):
        raise r.ConfigurationError(
            f"the store holds {held} entries, not the scenario's {len(entries)}: an earlier "
            "build was interrupted, or the store holds something else; build it afresh into "
            "another store",
            field="store",
            rule="demo-complete",
        )
    return 0


def diary() -> Diary:
    """Every entry of the scenario, in the order it was made."""
    entries = Diary()
    _national_reports(entries)
    _crime_2014(entries)
    _peel_2016(entries)
    _inspections(entries)
    return entries


def _report(
    title: str,
    published_on: date,
    *,
    national: bool,
    overall: str | None = None,
    areas: Sequence[r.AreaGrade] = (),
    findings: Sequence[r.Finding] = (),
    inspection: str | None = None,
) -> r.ReportDetails:
    return r.ReportDetails(
        title=title,
        body=BODY,
        inspection=inspection,
        inspectorates=(HMIC,),
        published_on=published_on,
        scale=domain.PEEL,
        overall_grade=overall,
        area_grades=tuple(areas),
        findings=tuple(findings),
        national=national,
        sensitive=False,
    )


def _national_reports(diary: Diary) -> None:
    published = date(2014, 9, 25)
    diary.add(
        r.PublishReport(
            reference="CORE-BUSINESS-2014",
            details=_report(
                "Core Business: crime prevention, police attendance and the use of police time",
                published,
                national=True,
            ),
            **_meta(published, "national inspection report published by HMIC"),
        )
    )
    _national_history(
        diary,
        report="CORE-BUSINESS-2014",
        prefix="CB",
        items=_CORE_BUSINESS,
        published=published,
        stay_amber=_CB_AMBER | {_CB_LATE_GREEN},  # CB-12 goes green below, entered late
        red_at_first=_CB_RED_AT_FIRST,
        green_this_quarter=_CB_GREEN_THIS_QUARTER,
    )
    # WMP2020 takes over the use-of-time work from Corporate Strategy.
    for number, (_text, owner) in enumerate(_CORE_BUSINESS, start=1):
        if owner == "Head of Corporate Strategy":
            diary.add(
                r.Assign(
                    reference=f"CB-{number:02d}",
                    owner="WMP2020 Programme Director",
                    **_meta(date(2016, 3, 24), "the WMP2020 programme now leads this work"),
                )
            )
    # December 2016: CB-12's green is entered against CB-21, struck out, then entered again.
    december = PREVIOUS_COMMITTEE
    diary.add(
        r.Regrade(
            reference=f"CB-{_CB_MISTAKEN:02d}",
            grade="green",
            **_meta(december, _committee(december)),
        ),
        entered_on=date(2016, 12, 12),
        label="mistaken-green",
    )
    diary.later(
        date(2016, 12, 14),
        lambda versions: r.Correct(
            reference=f"CB-{_CB_MISTAKEN:02d}",
            version=versions["mistaken-green"],
            strike=True,
            what_was_wrong=(
                f"the green agreed on {december:%d %B %Y} was for CB-{_CB_LATE_GREEN:02d}; "
                f"it was entered against CB-{_CB_MISTAKEN:02d} by mistake"
            ),
            **_meta(date(2016, 12, 14), "checked against the committee minutes"),
        ),
    )
    diary.add(
        r.Regrade(
            reference=f"CB-{_CB_LATE_GREEN:02d}",
            grade="green",
            **_meta(december, _committee(december) + " (entered late, with the correction)"),
        ),
        entered_on=date(2016, 12, 14),
    )
    for number in sorted(_CB_AMBER):
        diary.add(
            r.NoteProgress(
                reference=f"CB-{number:02d}",
                note="Being addressed through the WMP2020 programme; not yet complete.",
                **_meta(date(2017, 3, 16), "owner's update for the March 2017 committee"),
            )
        )

    published = date(2014, 10, 14)
    diary.add(
        r.PublishReport(
            reference="UNDERCOVER-2014",
            details=_report("Undercover Policing", published, national=True),
            **_meta(published, "national inspection report published by HMIC"),
        )
    )
    _national_history(
        diary,
        report="UNDERCOVER-2014",
        prefix="UC",
        items=_UNDERCOVER,
        published=published,
        stay_amber={_UC_AMBER},
        red_at_first=_UC_RED_AT_FIRST,
        green_this_quarter=_UC_GREEN_THIS_QUARTER,
    )
    amber = f"UC-{_UC_AMBER:02d}"
    diary.add(
        r.NoteProgress(
            reference=amber,
            note="A national tenure policy is being drafted by the National Undercover "
            "Working Group; the force follows its local SOP in the meantime.",
            **_meta(date(2016, 9, 29), "WMP Lead's update"),
        )
    )
    diary.add(
        r.NoteProgress(
            reference=amber,
            note=_RESPONSE_2_48,
            **_meta(date(2017, 3, 16), "WMP Lead's update for the March 2017 committee"),
        )
    )


def _national_history(
    diary: Diary,
    *,
    report: str,
    prefix: str,
    items: Sequence[tuple[str, str]],
    published: date,
    stay_amber: Iterable[int],
    red_at_first: Iterable[int],
    green_this_quarter: Mapping[int, date],
) -> None:
    """Raise each recommendation of a national report and grade it up to green, or not.

    Each is raised amber (or red: not started), and red ones go amber at the first
    committee. Those neither in ``stay_amber`` nor in ``green_this_quarter`` go green at the
    committees of 2015 and 2016 in turn.
    """
    stays_amber = set(stay_amber)
    reds = set(red_at_first)
    turn = 0
    for number, (text, owner) in enumerate(items, start=1):
        reference = f"{prefix}-{number:02d}"
        # A text the paper quotes is a whole sentence; an invented one is completed here.
        quoted = text[0].isupper()
        diary.add(
            r.Raise(
                reference=reference,
                text=text if quoted else f"Chief constables should {text}.",
                report=report,
                grade="red" if number in reds else "amber",
                owner=owner,
                **_meta(
                    published,
                    "national recommendation entered on the tracker"
                    + ("" if quoted else f" ({_ILLUSTRATIVE})"),
                ),
            )
        )
        if number in reds:
            first = _COMMITTEES[0]
            diary.add(r.Regrade(reference=reference, grade="amber", **_meta(first, "work begun")))
        if number in green_this_quarter:
            day = green_this_quarter[number]
            diary.add(
                r.Regrade(
                    reference=reference,
                    grade="green",
                    **_meta(day, "evidence of completion accepted by the tracker manager"),
                )
            )
        elif number not in stays_amber:
            day = _COMMITTEES[1 + turn % (len(_COMMITTEES) - 1)]
            turn += 1
            diary.add(r.Regrade(reference=reference, grade="green", **_meta(day, _committee(day))))


def _crime_2014(diary: Diary) -> None:
    published = date(2014, 11, 27)
    due = date(2015, 3, 31)
    diary.add(
        r.PublishReport(
            reference="CRIME-2014",
            details=_report("Crime (PEEL)", published, national=False),
            **_meta(published, "HMIC's crime inspection report on the force published"),
        )
    )
    raised = "recommendation of the report entered on the tracker"
    diary.add(
        r.Raise(
            reference="CRIME-2014-1",
            text=_RECOMMENDATION_2_30,
            report="CRIME-2014",
            grade="amber",
            owner="Head of Force Intelligence",
            due_on=due,
            **_meta(published, raised),
        )
    )
    diary.add(
        r.Raise(
            reference="CRIME-2014-2",
            text=_RECOMMENDATION_2_36,
            report="CRIME-2014",
            grade="amber",
            owner="Head of Forensic Services",
            due_on=date(2015, 3, 1),
            **_meta(published, raised),
        ),
        label="crime-2-raised",
    )
    diary.later(
        date(2014, 12, 3),
        lambda versions: r.Correct(
            reference="CRIME-2014-2",
            version=versions["crime-2-raised"],
            changes={"due_on": due},
            what_was_wrong="due date entered as 1 March 2015; the report says by March 2015",
            **_meta(date(2014, 12, 3), "checked against the report"),
        ),
    )
    diary.add(
        r.Regrade(
            reference="CRIME-2014-1",
            grade="green",
            **_meta(date(2015, 6, 25), "review done, plan to improve sharing begun"),
        )
    )
    diary.add(
        r.NoteProgress(
            reference="CRIME-2014-1",
            note=_RESPONSE_2_31,
            evidence=("WMP2020 Force Intelligence restructure",),
            **_meta(date(2016, 9, 29), "owner's update"),
        )
    )
    diary.add(
        r.Regrade(
            reference="CRIME-2014-2",
            grade="green",
            **_meta(date(2015, 9, 24), "review done, prioritisation plan begun"),
        )
    )
    diary.add(
        r.ClaimImplementation(
            reference="CRIME-2014-2",
            note="The high-tech crime unit backlog has been eradicated; submissions are "
            "graded and prioritised with a threat, harm and risk matrix.",
            evidence=("HMIC National Child Protection Inspection revisit, 2015",),
            **_meta(date(2016, 3, 24), "owner's claim, reported to the committee"),
        )
    )
    effectiveness = date(2017, 3, 2)
    diary.add(
        r.Discharge(
            reference="CRIME-2014-1",
            outcome=r.Outcome.CLOSED_BY_INSPECTORATE,
            accepted_by=HMIC,
            acceptor_role="inspectorate",
            **_meta(
                effectiveness,
                "PEEL Effectiveness 2016: graded as good in this area with no further "
                "recommendations",
            ),
        )
    )
    diary.add(
        r.Discharge(
            reference="CRIME-2014-2",
            outcome=r.Outcome.IMPLEMENTED,
            accepted_by=HMIC,
            acceptor_role="inspectorate",
            **_meta(
                effectiveness,
                "HMIC found this cause for concern eradicated (child protection revisit 2015, "
                "PEEL Effectiveness 2016)",
            ),
        )
    )


def _peel_2016(diary: Diary) -> None:
    efficiency = date(2016, 11, 3)
    diary.add(
        r.PublishReport(
            reference="PEEL-EFFICIENCY-2016",
            details=_report(
                "PEEL Efficiency 2016", efficiency, national=False, overall="outstanding"
            ),
            **_meta(efficiency, "HMIC's PEEL efficiency report on the force published"),
        )
    )
    diary.add(
        r.RecordInspection(
            reference="INSP-PEEL-EFFECTIVENESS-2016",
            details=r.InspectionDetails(
                title="PEEL Effectiveness 2016 (fieldwork October 2016)",
                body=BODY,
                inspectorates=(HMIC,),
                fieldwork_from=None,
                fieldwork_to=None,
                hot_debrief_on=None,
                expected_report="national PEEL Effectiveness publication, early 2017",
                national=True,
                sensitive=False,
            ),
            **_meta(date(2016, 10, 3), "HMIC's PEEL effectiveness inspection of all forces"),
        )
    )
    published = date(2017, 3, 2)
    diary.add(
        r.PublishReport(
            reference="PEEL-EFFECTIVENESS-2016",
            details=_report(
                "PEEL Effectiveness 2016",
                published,
                national=False,
                overall="good",
                inspection="INSP-PEEL-EFFECTIVENESS-2016",
                areas=(
                    r.AreaGrade("crime prevention", "good"),
                    r.AreaGrade("investigation", "good"),
                    r.AreaGrade("vulnerability", "requires-improvement"),
                    r.AreaGrade("serious and organised crime", "good"),
                ),
                findings=(
                    r.Finding("2.15", r.FindingKind.CAUSE_OF_CONCERN, _FINDING_2_15),
                    r.Finding("2.17", r.FindingKind.CAUSE_OF_CONCERN, _FINDING_2_17),
                ),
            ),
            **_meta(published, "HMIC's PEEL effectiveness report on the force published"),
        )
    )
    immediately = "recommendation of the report entered; 'immediately': due on publication"
    for reference, text, points, finding in (
        ("PEEL-EFF-2016-1", _RECOMMENDATION_2_16, _POINTS_2_16, "2.15"),
        ("PEEL-EFF-2016-2", _RECOMMENDATION_2_18, _POINTS_2_18, "2.17"),
    ):
        diary.add(
            r.Raise(
                reference=reference,
                text=text,
                points=points,
                report="PEEL-EFFECTIVENESS-2016",
                finding=finding,
                grade="amber",
                owner="Head of Public Protection",
                due_on=published,
                **_meta(published, immediately),
            )
        )
        diary.add(
            r.NoteProgress(
                reference=reference,
                note="Action plan agreed at the vulnerability improvement board.",
                **_meta(date(2017, 3, 16), "owner's update for the March 2017 committee"),
            )
        )


def _inspection(
    title: str,
    inspectorates: tuple[str, ...],
    fieldwork: tuple[date, date] | None,
    *,
    debrief: date | None = None,
    expected: str | None = None,
    national: bool = False,
    sensitive: bool = False,
) -> r.InspectionDetails:
    return r.InspectionDetails(
        title=title,
        body=BODY,
        inspectorates=inspectorates,
        fieldwork_from=fieldwork[0] if fieldwork else None,
        fieldwork_to=fieldwork[1] if fieldwork else None,
        hot_debrief_on=debrief,
        expected_report=expected,
        national=national,
        sensitive=sensitive,
    )


def _inspections(diary: Diary) -> None:
    counter_terrorism = (date(2016, 12, 13), date(2016, 12, 15))
    diary.add(
        r.RecordInspection(
            reference="INSP-CT-2016",
            details=_inspection(
                "Counter Terrorism Command & Control",
                (HMIC,),
                counter_terrorism,
                debrief=counter_terrorism[1],
                expected="none: due to the sensitive nature of the subject matter, no report "
                "or recommendations will be published",
                sensitive=True,
            ),
            **_meta(counter_terrorism[0], "inspectors in force"),
        )
    )
    custody = (date(2017, 2, 6), date(2017, 2, 9))
    joint = (HMI_PRISONS, HMIC, CQC)  # the lead first
    diary.add(
        r.RecordInspection(
            reference="INSP-CUSTODY-2017",
            details=_inspection("Custody (unannounced joint inspection)", joint, custody),
            **_meta(custody[0], "unannounced inspectors arrived in force"),
        )
    )
    diary.add(
        r.ReviseInspection(
            reference="INSP-CUSTODY-2017",
            details=_inspection(
                "Custody (unannounced joint inspection)",
                joint,
                custody,
                debrief=date(2017, 2, 10),
                expected="draft report in force during April 2017; final report published "
                "in the summer of 2017",
            ),
            **_meta(date(2017, 2, 10), "hot debrief held"),
        )
    )
    disclosure = (date(2017, 2, 20), date(2017, 2, 23))
    diary.add(
        r.RecordInspection(
            reference="INSP-DISCLOSURE-2017",
            details=_inspection(
                "Disclosure in criminal cases (joint inspection)",
                (HMIC, CPS_INSPECTORATE),
                disclosure,
                expected="in due course; date not known",
                national=True,
            ),
            **_meta(disclosure[0], "the force was selected for the joint inspection"),
        )
    )
    slavery = (date(2017, 2, 27), date(2017, 3, 1))
    diary.add(
        r.RecordInspection(
            reference="INSP-MSHT-2017",
            details=_inspection(
                "Modern Slavery & Human Trafficking",
                (HMIC,),
                slavery,
                debrief=slavery[1],
                expected="forthcoming; date not yet known",
                national=True,
            ),
            **_meta(
                slavery[0],
                "Home Secretary's commission to inspect all forces' response to the Modern "
                "Slavery Act 2015",
            ),
        )
    )
    announced = date(2017, 3, 6)
    diary.add(
        r.RecordInspection(
            reference="INSP-CDI-2017",
            details=_inspection(
                "Crime Data Integrity",
                (HMIC,),
                None,
                expected="audit of crime reports and fieldwork in March and April 2017; "
                "findings at a debrief in the first week of May 2017",
            ),
            **_meta(announced, "inspection announced"),
        )
    )
    diary.add(
        r.RecordInspection(
            reference="INSP-PEEL-SPRING-2017",
            details=_inspection(
                "PEEL Spring inspection 2017 (Efficiency and Legitimacy, with Leadership)",
                (HMIC,),
                (date(2017, 5, 22), date(2017, 5, 25)),
                national=True,
            ),
            **_meta(announced, "inspection announced: HMIC's twice-yearly visit to all forces"),
        )
    )


# --- the committee update ---------------------------------------------------------------------


def render(update: views.CommitteeUpdate) -> str:
    """The committee update as plain text, in the order of the paper (see
    :func:`recommendations.outputs.text.render_update`)."""
    from recommendations.outputs.text import render_update

    return render_update(update, body=BODY)


def committee_update(
    tracker: r.Tracker,
    *,
    as_at: date = COMMITTEE,
    since: date = PREVIOUS_COMMITTEE,
    audience: views.Audience = views.Audience.BODY,
) -> str:
    """The paper, as plain text: what happened since ``since``, the register as at ``as_at``,
    as ``audience`` may see it."""
    return render(tracker.committee_update(since=since, as_at=as_at, audience=audience))
