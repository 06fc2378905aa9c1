"""The committee paper: the update a committee is given, as a printable paper and a chart.

>>> from datetime import date
>>> from recommendations import Tracker
>>> from recommendations.paper import CommitteePaper
>>> with Tracker("memory://") as tracker:
...     paper = CommitteePaper.of(tracker, since=date(2016, 12, 8), as_at=date(2017, 3, 30))
>>> paper.series.empty
True

:class:`CommitteePaper` holds the figures of :meth:`Tracker.committee_update
<recommendations.Tracker.committee_update>` (inspections and reports since the previous
committee, counts by report and grade, reds, overdue items, what moved), the
recommendations by grade over time (:class:`GradeSeries`, from :func:`grade_series`) and a
title, and renders them as Markdown, HTML, PDF or JSON, with a chart as SVG or PNG.

:func:`grade_series` is pure, like the views. The chart and the PDF need the ``[paper]``
extra (matplotlib, WeasyPrint, fpdf2), imported only when they are used; the PDF is tagged
for PDF/UA-1 where WeasyPrint runs (:func:`pdf_renderer` says which renderer is used).
"""

from ._layout import Particulars
from ._paper import CommitteePaper, default_dates, pdf_renderer
from ._series import GradePoint, GradeSeries, SeriesGrade, grade_series

__all__ = [
    "CommitteePaper",
    "GradePoint",
    "GradeSeries",
    "Particulars",
    "SeriesGrade",
    "default_dates",
    "grade_series",
    "pdf_renderer",
]
