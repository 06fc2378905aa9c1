"""The demonstration: West Midlands Police and HMIC, as the Joint Audit Committee saw them
on 30 March 2017.

The scenario is a data file shipped with the package (:data:`FILE`, one command a line
with the moment it was recorded: see :mod:`recommendations.scenarios`), holding the
inspections, reports and recommendations of the committee paper "HMIC Update" (Joint
Audit Committee of the West Midlands Police and Crime Commissioner, agenda item 06, 30 March
2017), with a history up to that committee. ``recommendations demo`` builds it into a store
and prints the committee update of 30 March 2017; ``examples/west_midlands_2017.py`` does
the same as a short script.

- :func:`diary` lists every entry of the scenario in the order it was made, and
  :func:`build` records them all in a tracker (refused with
  :class:`~recommendations.ConfigurationError` before anything is recorded if the store
  holds any entry); :func:`install` builds it only if the store does not hold it yet.
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

The dates above are *effective* dates, when things happened. Each entry is also
*recorded* on the day it was entered, from 09:00 UTC, a minute apart (invented too, like
the days above): the history from 2014 and 2015 was entered when the force moved its
tracker onto the log, on 1 March 2016, and every later entry on the day it was entered in
the world; an entry backdated to a committee is recorded days after it,
and shows up in the log after entries effective later. So the store answers "as the
committee knew it then": ``recommendations register --known-at 2017-01-15`` is the register
as known on 15 January 2017 (CB-12 already green, CB-21's mistaken green struck out, CB-03
not yet green).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import recommendations as r
from recommendations import scenarios, views

__all__ = [
    "COMMITTEE",
    "FILE",
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

TRACKER_MANAGER = "Organisational Risk and Learning Manager"
"""Who makes the entries: the paper's contact officer, by role."""

COMMITTEE = date(2017, 3, 30)
"""The Joint Audit Committee the paper was written for."""

PREVIOUS_COMMITTEE = date(2016, 12, 8)
"""Invented: the paper says only "since the previous committee"."""

FILE = scenarios.DEMO
"""The scenario's file among the package's data: one command a line, with the day and time
it was recorded (see :mod:`recommendations.scenarios`)."""


class Diary:
    """The scenario's entries: the lines of its file (:data:`FILE`), in the order made."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [line for line in lines if line.strip()]

    def __len__(self) -> int:
        return len(self.lines)

    def play(
        self,
        tracker: r.Tracker,
        *,
        limit: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Record the entries (only the first ``limit``, if given) into ``tracker``, whose
        store must be empty, each at the time its line says (see
        :func:`recommendations.scenarios.play`); ``progress`` is called with (entries
        decided, entries to decide) after each one."""
        scenarios.play(self.lines, tracker, limit=limit, progress=progress)


def build(tracker: r.Tracker) -> None:
    """Record the paper's inspections, reports and recommendations, up to 30 March 2017.

    Raises :class:`~recommendations.ConfigurationError` (rule ``scenario-empty-store``)
    before recording anything if the store holds any entry.
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
    """Every entry of the scenario, in the order it was made: the lines of :data:`FILE`."""
    return Diary(scenarios.read(FILE))


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
