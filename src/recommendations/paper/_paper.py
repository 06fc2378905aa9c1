"""The committee paper: the update of :meth:`Tracker.committee_update
<recommendations.Tracker.committee_update>`, a chart of recommendations by grade over time,
and a title, rendered as Markdown, HTML, PDF or JSON."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs
from attrs import frozen

from recommendations._errors import ConfigurationError, RuleViolation, StoreError
from recommendations.domain import DEFAULT_POLICY, Policy, RecommendationEvent, project
from recommendations.integrity._stated import LogCheckpoint
from recommendations.outputs._registry import PdfRenderer
from recommendations.views import (
    DEFAULT_AUDIENCE_POLICY,
    Audience,
    AudiencePolicy,
    Basis,
    CommitteeUpdate,
    Positioned,
    Sensitivity,
    build_committee_update,
    for_audience,
    of_body,
)

from ._layout import Particulars
from ._series import GradeSeries, grade_series

if TYPE_CHECKING:
    import cattrs

    from recommendations import Tracker
    from recommendations.integrity import SigningKey
    from recommendations.outputs.document import Document

__all__ = ["MAX_POINTS", "CommitteePaper", "Particulars", "default_dates", "pdf_renderer"]

MAX_POINTS = 36
"""At most this many month ends in a paper's chart by default (then every second, third...)."""

_FORMAT = "recommendations.committee-paper"
_VERSION = 2
"""Version 2 added the ``checkpoint``; version 1 papers are read as having none."""
_READS = (1, 2)

PaperFormat = str
"""The name of a format the paper is made in (see :func:`recommendations.outputs.formats`)."""
ChartFormat = Literal["svg", "png"]


def pdf_renderer() -> PdfRenderer:
    """The renderer :meth:`CommitteePaper.pdf` uses by default here: ``"weasyprint"`` (a
    tagged PDF/UA-1 file) where WeasyPrint and its system libraries are installed, else
    ``"fpdf2"`` (pure Python; tags only the document and the chart)."""
    from recommendations.outputs.pdf import pdf_renderer as chosen

    return chosen()


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def default_dates(
    first: date | None, since: date, as_at: date, *, limit: int = MAX_POINTS
) -> tuple[date, ...]:
    """The dates a paper's chart shows: the previous committee (``since``), each month end
    from that of ``first`` (the first recommendation's effective date) to the last before
    ``as_at``, and ``as_at``.

    More than ``limit`` month ends are thinned to every second, third, ... month, always
    keeping the latest.

    >>> [str(d) for d in default_dates(date(2016, 10, 3), date(2016, 12, 8), date(2017, 1, 12))]
    ['2016-10-31', '2016-11-30', '2016-12-08', '2016-12-31', '2017-01-12']
    """
    chosen = {since, as_at} if since < as_at else {as_at}
    if first is None or first > as_at:
        return tuple(sorted(chosen))
    ends = []
    year, month = first.year, first.month
    while (end := _month_end(year, month)) < as_at:
        ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = -(-len(ends) // limit) if ends else 1
    chosen.update(ends[::-1][::step])
    return tuple(sorted(chosen))


def _title(update: CommitteeUpdate) -> str:
    bodies = {c.report.details.body for c in update.counts}
    bodies |= {i.details.body for i in update.inspections + update.announced}
    if len(bodies) == 1:
        return f"{bodies.pop()}: update on inspection recommendations"
    return "Update on inspection recommendations"


def _particulars(log: Iterable[Positioned], update: CommitteeUpdate) -> tuple[Particulars, ...]:
    shown = {row.reference for row in update.rows}
    items: dict[object, list[RecommendationEvent]] = {}
    for logged in log:
        if isinstance(logged.event, RecommendationEvent):
            items.setdefault(logged.event.originator_id, []).append(logged.event)
    found = []
    for events in items.values():
        events.sort(key=lambda e: e.originator_version)
        state = project(events, as_at=update.as_at, known_at=update.basis.known_at)
        if state is not None and state.reference in shown:
            found.append(
                Particulars(
                    reference=state.reference, points=state.points, last_note=state.last_note
                )
            )
    return tuple(sorted(found, key=lambda p: p.reference))


def _format_error(value: object, allowed: Sequence[str], field: str) -> ConfigurationError:
    return ConfigurationError(
        f"{value!r} is not a format this paper is made in (choose {', '.join(allowed)})",
        field=field,
        rule="known-format",
    )


@frozen(kw_only=True)
class CommitteePaper:
    """A committee paper: the figures of :class:`~recommendations.views.CommitteeUpdate`,
    the recommendations by grade over time (:class:`GradeSeries`) and a title.

    Make one with :meth:`of`, then render it: :meth:`markdown`, :meth:`html` (one printable
    page, the chart inline as SVG), :meth:`pdf` (A4, the chart as an image), :meth:`json`
    (the figures, for other programs; :meth:`from_json` reads them back) or :meth:`chart`.
    ``particulars`` holds each recommendation's points and latest progress note.

    Everything in it is on the update's basis (``update.basis``): what was true on the
    committee's date, as known at one moment, up to one log position, for one audience
    (``update.disclosure``). Rendering it again later gives the same paper.

    ``checkpoint`` is the checkpoint of the log at exactly that position (its size is
    ``update.basis.position``), which every format prints: keep it with the minutes, and
    ``recommendations verify --checkpoint`` proves later that the log the paper was built
    on is still the log. ``None`` when the store keeps no tree over those entries.
    """

    update: CommitteeUpdate
    series: GradeSeries
    title: str
    particulars: tuple[Particulars, ...] = ()
    checkpoint: LogCheckpoint | None = None

    @classmethod
    def of(
        cls,
        tracker: Tracker,
        *,
        since: date,
        as_at: date | None = None,
        known_at: datetime | None = None,
        position: int | None = None,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        title: str | None = None,
        dates: Sequence[date] | None = None,
        keys: Sequence[SigningKey] = (),
        checkpoint: bool = True,
        body: str | None = None,
    ) -> CommitteePaper:
        """The paper for a committee on ``as_at`` (default: today), the previous one having
        met on ``since``, as known at ``known_at`` (default: now), for ``audience``; with
        ``body``, of that body's part of a store of several
        (:func:`~recommendations.views.of_body`).

        The chart shows ``dates`` (default: :func:`default_dates`, from the first
        recommendation's month end to ``as_at``). For the public, sensitive recommendations
        are left out of the chart as they are out of the update. ``title`` defaults to the
        body's name and "update on inspection recommendations".

        The paper carries the checkpoint of the log at its basis position, signed with
        ``keys`` if any (it is not kept in the store: the paper is its copy), unless
        ``checkpoint`` is false or the store keeps no tree over those entries.
        """
        basis = tracker.basis(as_at=as_at, known_at=known_at, position=position)
        paper = cls.from_log(
            tracker.log() if body is None else of_body(tracker.log(), body),
            since=since,
            basis=basis,
            audience=audience,
            policy=policy,
            title=title,
            dates=dates,
            configuration=tracker.reading_policy(basis.as_at, basis.known_at),
        )
        if not checkpoint:
            return paper
        try:
            stated = tracker.integrity.checkpoint_at(paper.update.basis.position, keys=keys)
        except StoreError as error:
            if error.rule not in ("tree-kept", "tree-covers-basis"):
                raise
            return paper
        return attrs.evolve(paper, checkpoint=stated)

    @classmethod
    def from_log(
        cls,
        log: Iterable[Positioned],
        *,
        since: date,
        basis: Basis,
        audience: Audience = Audience.BODY,
        policy: AudiencePolicy = DEFAULT_AUDIENCE_POLICY,
        title: str | None = None,
        dates: Sequence[date] | None = None,
        configuration: Policy = DEFAULT_POLICY,
    ) -> CommitteePaper:
        """The paper from a log held in memory, on ``basis``: what :meth:`of` makes of a
        tracker's log. Sensitivity is judged on the whole of ``log``; ``configuration`` is
        the store's policy in force on the basis (what is overdue, what is counted)."""
        everything = list(log)
        update = for_audience(
            build_committee_update(everything, since=since, basis=basis, policy=configuration),
            audience,
            policy,
            sensitive=Sensitivity.of(logged.event for logged in everything),
        )
        return cls._assemble(update, everything, title=title, dates=dates)

    @classmethod
    def _assemble(
        cls,
        update: CommitteeUpdate,
        everything: list[Positioned],
        *,
        title: str | None,
        dates: Sequence[date] | None,
    ) -> CommitteePaper:
        """The paper of ``update``, with its series and particulars from ``everything`` (the
        whole log: cut here to the update's basis)."""
        basis = update.basis
        log = [logged for logged in everything if logged.position <= basis.position]
        withhold = None
        if update.disclosure.audience is Audience.PUBLIC:
            withhold = Sensitivity.of(logged.event for logged in everything)
        if dates is None:
            first = min((row.raised_on for row in update.rows), default=None)
            dates = default_dates(first, update.since, basis.as_at)
        series = grade_series(log, dates=dates, known_at=basis.known_at, withhold=withhold)
        return cls(
            update=update,
            series=series,
            title=title if title is not None else _title(update),
            particulars=_particulars(log, update),
        )

    # --- rendering ------------------------------------------------------------------------

    def chart(self, format: ChartFormat = "svg") -> bytes:
        """The chart of recommendations by grade over time, as SVG (text kept as text) or
        PNG, with the previous committee marked. Needs the ``[paper]`` extra (matplotlib):
        without it, raises :class:`~recommendations.ConfigurationError` (rule
        ``paper-extra``)."""
        from recommendations.outputs._extra import require

        if format not in ("svg", "png"):
            raise _format_error(format, ("svg", "png"), "format")
        require("the chart", field="chart")
        from ._chart import draw

        update = self.update
        last = self.series.points[-1].on if self.series.points else update.as_at
        first = self.series.points[0].on if self.series.points else update.as_at
        span = f"{first:%b %Y} to {last.day} {last:%b %Y}" if first != last else f"{last}"
        return draw(
            self.series,
            title=f"Recommendations by grade, {span}",
            markers=[(update.since, "Previous committee")],
            format=format,
        )

    def document(self) -> Document:
        """The paper laid out as a :class:`~recommendations.outputs.document.Document`,
        before any format is chosen: what its Markdown, HTML and PDF are written from, and
        what a format of documents writes (see :meth:`Format.of_documents
        <recommendations.outputs.Format.of_documents>`)."""
        from ._layout import document

        return document(self)

    def markdown(self, *, chart: str | None = None) -> str:
        """The paper as Markdown (CommonMark with tables). ``chart`` is the file name or
        address of the chart, saved by the caller (``paper.chart("svg")``), to link where it
        belongs; the figures behind it are in a table either way."""
        from recommendations.outputs.markdown import render_markdown

        from ._layout import document

        return render_markdown(document(self), chart=chart)

    def html(self) -> str:
        """The paper as one self-contained HTML page, styled for print (A4), with the chart
        inline as SVG (without the ``[paper]`` extra, without the chart: the table of its
        figures is in the paper either way). Every text from the log is escaped."""
        from recommendations.outputs._extra import has
        from recommendations.outputs.html import render_html

        from ._layout import document

        chart = self.chart("svg").decode("utf-8") if has("matplotlib") else None
        return render_html(document(self), chart_svg=chart, created=self.update.basis.known_at)

    def pdf(self, *, renderer: PdfRenderer | None = None) -> bytes:
        """The paper as a PDF on A4, with real text, page numbers, tables that carry their
        headings over page breaks, and the chart.

        ``renderer`` ``"weasyprint"`` (the default wherever WeasyPrint and its system
        libraries are installed) makes a tagged PDF that meets PDF/UA-1: headings, lists,
        tables with header cells, the chart as a figure with alternative text, the
        document's language and title, in reading order, fonts embedded. ``"fpdf2"``, the
        pure-Python fallback, tags only the document and the chart. :func:`pdf_renderer`
        says which is the default here; the PDF's producer names the one that made it.

        Needs the ``[paper]`` extra: without it, raises
        :class:`~recommendations.ConfigurationError` (rule ``paper-extra``)."""
        from recommendations.outputs._extra import require
        from recommendations.outputs._tagged import missing
        from recommendations.outputs.pdf import render_document

        from ._layout import document

        require("the PDF", field="format", pdf=True)
        chosen = renderer if renderer is not None else pdf_renderer()
        created = self.update.basis.known_at
        if chosen == "weasyprint" and missing() is None:
            svg = self.chart("svg").decode("utf-8")
            return render_document(document(self), created=created, renderer=chosen, chart_svg=svg)
        if chosen == "fpdf2":
            png = self.chart("png")
            return render_document(document(self), created=created, renderer=chosen, chart_png=png)
        return render_document(document(self), created=created, renderer=chosen)

    def json(self) -> str:
        """The paper's figures as JSON: the update, the series, the title and particulars,
        dates as ``YYYY-MM-DD`` and times in ISO 8601 with their offset."""
        import orjson

        data: dict[str, Any] = {"format": _FORMAT, "version": _VERSION}
        data.update(_converter().unstructure(self, CommitteePaper))
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")

    @classmethod
    def from_json(cls, text: str | bytes) -> CommitteePaper:
        """The paper :meth:`json` wrote. Raises :class:`~recommendations.RuleViolation`
        (field ``json``) if ``text`` is not one."""
        import cattrs
        import orjson

        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise RuleViolation(
                f"not JSON: {error}", field="json", rule="committee-paper-json"
            ) from error
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise RuleViolation(
                f"not a committee paper: its format is not {_FORMAT!r}",
                field="json",
                rule="committee-paper-json",
            )
        if data.get("version") not in _READS:
            raise RuleViolation(
                f"committee paper version {data.get('version')!r}; this library reads "
                f"versions {', '.join(map(str, _READS))}",
                field="json",
                rule="committee-paper-json",
            )
        del data["format"], data["version"]
        try:
            paper: CommitteePaper = _converter().structure(data, CommitteePaper)
        except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
            raise RuleViolation(
                f"the committee paper cannot be read: {error}",
                field="json",
                rule="committee-paper-json",
            ) from error
        return paper

    def render(self, format: PaperFormat) -> bytes:
        """The paper in ``format``, one of the formats of :mod:`recommendations.outputs`
        that makes it (``md``, ``html`` and ``json`` as UTF-8, ``pdf``...)."""
        from recommendations.outputs import formats_for

        for made in formats_for("paper"):
            if made.name == format and made.write_paper is not None:
                return made.write_paper(self)
        names = tuple(f.name for f in formats_for("paper"))
        raise _format_error(format, names, "format")


def _converter() -> cattrs.Converter:
    """The library's converter (dates, times, UUIDs and enums as the stored form has
    them), imported when a paper is first read or written as JSON."""
    from recommendations._serialization import make_converter

    return make_converter()
