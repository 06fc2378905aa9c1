"""The committee paper of 30 March 2017 as PDF, chart, HTML, Markdown and JSON, each read
back with a reader of its format and checked for what the committee was told."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest
from PIL import Image
from pypdf import PdfReader

import recommendations as r
from recommendations import views
from recommendations.outputs._fpdf import render_pdf
from recommendations.outputs.document import Figure
from recommendations.paper import CommitteePaper
from recommendations.paper._layout import document
from recommendations.paper._series import DISCHARGED_COLOUR

from .scenario import COMMITTEE, PREVIOUS_COMMITTEE

SVG = "{http://www.w3.org/2000/svg}"
TITLE = "West Midlands Police: update on inspection recommendations"
HOSTILE = "Stop <script>alert('x')</script> & “quote” – dash"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- a small tracker whose texts are hostile to every format -----------------------------------


@pytest.fixture(scope="module")
def hostile() -> Iterator[r.Tracker]:
    with r.Tracker("memory://") as tracker:
        meta = {"by": "Risk manager", "reason": "entered", "effective_on": date(2017, 3, 2)}
        tracker.execute(
            r.PublishReport(
                reference="R<1>",
                details=r.ReportDetails(
                    title="Review of “data” – <b>bold</b> & $5 costs",
                    body="A & B Police",
                    inspectorates=("HMIC",),
                    published_on=date(2017, 3, 2),
                    scale=tracker.policy.scale("peel"),
                    overall_grade="good",
                ),
                **meta,
            )
        )
        tracker.execute(
            r.Raise(
                reference="H-1",
                report="R<1>",
                text=HOSTILE,
                points=("first | point", "*second* [point](x)"),
                grade="red",
                owner="Head of <Ops>",
                owner_name="Sam O’Neil",
                due_on=date(2017, 3, 20),
                **meta,
            )
        )
        tracker.execute(
            r.Raise(
                reference="H-2",
                report="R<1>",
                text="Keep this one from the public.",
                grade="amber",
                sensitive=True,
                **meta,
            )
        )
        yield tracker


@pytest.fixture(scope="module")
def hostile_paper(hostile: r.Tracker) -> CommitteePaper:
    return CommitteePaper.of(hostile, since=date(2016, 12, 8), as_at=date(2017, 3, 30))


# --- the figures -------------------------------------------------------------------------------


def test_the_paper_holds_the_update_of_the_tracker(
    paper: CommitteePaper, scenario: r.Tracker
) -> None:
    update = scenario.committee_update(
        since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, known_at=paper.update.basis.known_at
    )
    assert paper.update == update
    assert paper.title == TITLE
    again = CommitteePaper.from_log(scenario.log(), since=PREVIOUS_COMMITTEE, basis=update.basis)
    assert again.checkpoint is None  # a log held in memory has no tree to state
    assert again == attrs.evolve(paper, checkpoint=None)
    # the chart's last point is the register the update shows
    last = paper.series.points[-1]
    assert last.on == COMMITTEE
    assert last.total == len(update.rows)
    assert paper.series.dates[0] == date(2014, 9, 30)
    points = {p.reference: p.points for p in paper.particulars}
    assert len(points["PEEL-EFF-2016-2"]) == 3


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_is_a4_with_real_text_of_the_paper(pdf_file: Path) -> None:
    reader = PdfReader(pdf_file)
    assert len(reader.pages) >= 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
    text = _words(_pdf_text(pdf_file))
    assert TITLE in text
    assert "Committee of 30 March 2017; previous committee 8 December 2016." in text
    for reference in ("PEEL-EFF-2016-1", "PEEL-EFF-2016-2", "CB-06", "CB-21", "UC-21"):
        assert reference in text
    assert "There are currently no recommendations graded Red." in text
    assert "0 Red, 9 Amber, 55 Green" in text
    assert "Regraded Amber → Green" in text
    assert "Counter Terrorism Command & Control" in text
    assert "Head of Covert Operations" in text
    assert "Latest update: The response from the WMP Lead" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE


def test_pdf_breaks_the_register_across_pages_with_its_headings(pdf_file: Path) -> None:
    reader = PdfReader(pdf_file)
    pages = [_words(page.extract_text()) for page in reader.pages]
    appendix = next(i for i, text in enumerate(pages) if "Appendix: the register" in text)
    later = [text for text in pages[appendix + 1 :] if "CB-" in text or "UC-" in text]
    assert later, "the register goes on over the page"
    for text in later:
        assert "Reference Report Grade Status Owner Due Overdue" in text


def test_pdf_draws_the_chart_as_a_figure_with_its_caption_as_alternative_text(
    pdf_file: Path, paper: CommitteePaper
) -> None:
    import pikepdf

    caption = next(
        block.caption
        for section in document(paper).sections
        for block in section.blocks
        if isinstance(block, Figure)
    )
    with pikepdf.open(pdf_file) as pdf:
        assert str(pdf.docinfo["/Producer"]).startswith("WeasyPrint")
        figures = [
            str(element.Alt)
            for element in _elements(pdf.Root.StructTreeRoot)
            if element.get("/S") == "/Figure"
        ]
    assert figures == [caption]


def _elements(element: object) -> Iterator[Any]:
    import pikepdf

    assert isinstance(element, pikepdf.Dictionary)
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


@pytest.fixture(scope="module")
def fallback_file(paper: CommitteePaper, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The paper as the pure-Python fallback renders it."""
    path = tmp_path_factory.mktemp("fallback") / "committee-paper.pdf"
    path.write_bytes(paper.pdf(renderer="fpdf2"))
    return path


def test_the_fallback_pdf_embeds_the_chart_as_an_image(fallback_file: Path) -> None:
    reader = PdfReader(fallback_file)
    assert reader.metadata is not None
    assert str(reader.metadata.producer).startswith("fpdf2 ")
    images = []
    for page in reader.pages:
        resources = page["/Resources"]
        xobjects = resources.get("/XObject", {}) if resources else {}
        for name in xobjects:
            item = xobjects[name].get_object()
            if item["/Subtype"] == "/Image":
                images.append((item["/Width"], item["/Height"]))
    assert (1600, 800) in images
    assert [image.image.size for image in reader.pages[0].images] == [(1600, 800)]


def test_pdf_has_an_outline_of_the_sections(pdf_file: Path) -> None:
    reader = PdfReader(pdf_file)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:4] == [
        "Summary",
        "Recommendations by kind",
        "Inspections since the previous committee",
        "Inspections announced",
    ]
    assert "Outstanding recommendations graded Red" in titles


def test_pdf_prints_typographic_characters(hostile_paper: CommitteePaper, tmp_path: Path) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(hostile_paper.pdf())
    text = _words(_pdf_text(path))
    assert "“quote” – dash" in text
    assert "<script>" in text
    assert "Sam O’Neil" in text


def test_pdf_falls_back_to_the_core_font(hostile_paper: CommitteePaper, tmp_path: Path) -> None:
    path = tmp_path / "core.pdf"
    path.write_bytes(
        render_pdf(
            document(hostile_paper),
            chart_png=hostile_paper.chart("png"),
            created=hostile_paper.update.basis.known_at,
            unicode_font=False,
        )
    )
    reader = PdfReader(path)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique"}
    assert "/Helvetica" in fonts
    text = _words(_pdf_text(path))
    assert '"quote" - dash' in text
    assert "Sam O'Neil" in text


# --- the chart as SVG --------------------------------------------------------------------------


def _svg_texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()).strip() for node in root.iter(f"{SVG}text")]


def _bars(root: ET.Element) -> dict[str, tuple[float, float]]:
    """Each bar's id and its top and bottom (SVG y grows downwards)."""
    bars = {}
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id", "")
        if gid.startswith("bar-"):
            [path] = list(group.iter(f"{SVG}path"))
            ys = [float(y) for y in re.findall(r"[-\d.]+ ([-\d.]+)", path.get("d", ""))]
            bars[gid] = (min(ys), max(ys))
    return bars


def test_svg_keeps_its_text_as_text(svg_file: Path, paper: CommitteePaper) -> None:
    root = ET.parse(svg_file).getroot()
    texts = _svg_texts(root)
    for label in ("Red", "Amber", "Green", "Discharged", "Grade"):
        assert label in texts
    assert "Recommendations" in texts
    assert "Month end, and committee dates" in texts
    assert "Recommendations by grade, Sep 2014 to 30 Mar 2017" in texts
    assert "Sep 2014" in texts
    assert "8 Dec 2016" in texts  # the previous committee
    assert "30 Mar 2017" in texts  # this one
    assert any(text.startswith("Previous committee") for text in texts)
    assert len(paper.series.points) == 32


def test_svg_bars_match_the_series(svg_file: Path, paper: CommitteePaper) -> None:
    root = ET.parse(svg_file).getroot()
    bars = _bars(root)
    series = paper.series
    expected = {}
    for index, point in enumerate(series.points):
        for grade, count in enumerate(point.by_grade):
            if count:
                expected[f"bar-g{grade}-p{index}"] = count
        if point.discharged:
            expected[f"bar-discharged-p{index}"] = point.discharged
    assert set(bars) == set(expected)
    unit = {round((bottom - top) / expected[gid], 3) for gid, (top, bottom) in bars.items()}
    assert max(unit) - min(unit) < 0.01  # one recommendation is as high in every bar
    # stacked: each layer starts where the one below it ends, red at the bottom
    for index in range(len(series.points)):
        layers = [f"bar-g{g}-p{index}" for g in range(len(series.grades))]
        layers.append(f"bar-discharged-p{index}")
        stack = [bars[gid] for gid in layers if gid in bars]
        for below, above in itertools.pairwise(stack):
            assert abs(below[0] - above[1]) < 0.01
    # the fill of each bar is its grade's colour
    fills = {
        group.get("id"): path.get("style", "")
        for group in root.iter(f"{SVG}g")
        if group.get("id", "").startswith("bar-g0-")
        for path in group.iter(f"{SVG}path")
    }
    assert fills
    assert all("fill: #c62828" in style for style in fills.values())


def test_svg_marks_the_previous_committee(svg_file: Path, paper: CommitteePaper) -> None:
    root = ET.parse(svg_file).getroot()
    ids = {group.get("id") for group in root.iter(f"{SVG}g")}
    assert {"marker-line", "marker-label"} <= ids
    assert paper.series.at(PREVIOUS_COMMITTEE) is not None


# --- the chart as PNG --------------------------------------------------------------------------


def test_png_is_a4_wide_in_the_grades_colours(png_file: Path, paper: CommitteePaper) -> None:
    with Image.open(png_file) as image:
        assert image.format == "PNG"
        assert image.size == (1600, 800)
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    for grade in paper.series.grades:
        assert _rgb(grade.colour) in colours, grade.code
    assert _rgb(DISCHARGED_COLOUR) in colours


def test_charts_drawn_at_once_in_threads_are_the_same(paper: CommitteePaper) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        charts = list(pool.map(lambda _: paper.chart("svg"), range(3)))
    assert charts[0] == charts[1] == charts[2]
    assert b"<text" in charts[0]


# --- HTML --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """What a browser would make of the page: headings, sections, tags, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self.in_figure_svg = False
        self._figure = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "section":
            self.sections.append(dict(attrs).get("id") or "")
        if tag == "h2":
            self._heading = []
        if tag == "figure":
            self._figure = True
        if tag == "svg" and self._figure:
            self.in_figure_svg = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None
        if tag == "figure":
            self._figure = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_html_has_the_sections_of_the_paper(html_file: Path) -> None:
    html = html_file.read_text(encoding="utf-8")
    page = _parse(html)
    assert page.headings == [
        "Summary",
        "Recommendations by kind",
        "Inspections since the previous committee",
        "Inspections announced",
        "Inspection reports received since the previous committee",
        "Outstanding recommendations graded Red",
        "Overdue recommendations",
        "Closures proposed, awaiting acceptance",
        "Deadlines moved",
        "Overview of the reports",
        "Changes since the previous committee",
        "Recommendations by grade over time",
        "The log this paper was built on",
        "Appendix: the register as at 30 March 2017",
    ]
    assert page.sections[0] == "summary"
    assert page.in_figure_svg  # the chart is inline
    assert "script" not in page.tags
    assert "img" not in page.tags  # nothing to fetch: one self-contained page
    text = _words(" ".join(page.text))
    assert TITLE in text
    assert "UC-21" in text
    assert "There are currently no recommendations graded Red." in text
    assert "@page" in html
    assert "size: A4" in html
    assert 'http-equiv="refresh"' not in html


def test_html_escapes_everything_from_the_log(hostile_paper: CommitteePaper) -> None:
    html = hostile_paper.html()
    page = _parse(html)
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    text = " ".join(page.text)
    assert HOSTILE in text
    assert "Review of “data” – <b>bold</b> & $5 costs" in text
    assert "Head of <Ops> (Sam O’Neil)" in text


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_has_the_sections_and_the_figures(paper: CommitteePaper) -> None:
    text = paper.markdown()
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == "Summary"
    assert "Appendix: the register as at 30 March 2017" in headings
    assert text.startswith(f"# {TITLE}\n")
    assert "| UC-21 | Undercover Policing | Amber | Open | Head of Covert Operations |" in text
    # without a chart file, the figures of the chart are a table
    assert "| 30 Mar 2017 | 0 | 9 | 55 | 2 | 66 |" in text
    assert "![" not in text
    linked = paper.markdown(chart="chart (1).svg")
    assert "](chart%20%281%29.svg)" in linked


def test_markdown_escapes_markup_from_the_log(hostile_paper: CommitteePaper) -> None:
    text = hostile_paper.markdown()
    assert "<script>" not in text
    assert r"\<script\>" in text
    assert r"first \| point" in text
    assert r"\*second\* \[point\](x)" in text


# --- JSON --------------------------------------------------------------------------------------


def test_json_round_trips(paper: CommitteePaper) -> None:
    text = paper.json()
    data = json.loads(text)
    assert data["format"] == "recommendations.committee-paper"
    assert data["version"] == 2  # 2: with the checkpoint
    assert data["update"]["basis"]["as_at"] == "2017-03-30"
    assert data["update"]["since"] == "2016-12-08"
    counts = {c["report"]["reference"]: c for c in data["update"]["counts"]}
    core = counts["CORE-BUSINESS-2014"]
    assert (core["total"], core["national"]) == (39, 39)
    assert {g["grade"]: g["count"] for g in core["by_grade"]} == {"amber": 6, "green": 33}
    assert data["series"]["points"][-1] == {
        "on": "2017-03-30",
        "by_grade": [0, 9, 55],
        "ungraded": 0,
        "discharged": 2,
    }
    assert CommitteePaper.from_json(text) == paper
    assert CommitteePaper.from_json(text.encode("utf-8")) == paper


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "something else"}',
        '{"format": "recommendations.committee-paper", "version": 99}',
        '{"format": "recommendations.committee-paper", "version": 1, "title": "x"}',
    ],
)
def test_json_that_is_not_a_paper_is_refused(text: str) -> None:
    with pytest.raises(r.RuleViolation) as refused:
        CommitteePaper.from_json(text)
    assert (refused.value.field, refused.value.rule) == ("json", "committee-paper-json")


# --- render, audiences, an empty store ---------------------------------------------------------


def test_render_gives_each_format_the_same_every_time(
    paper: CommitteePaper, hostile_paper: CommitteePaper, html_file: Path
) -> None:
    assert paper.render("md").decode("utf-8") == paper.markdown()
    assert paper.render("json").decode("utf-8") == paper.json()
    assert paper.render("html").decode("utf-8") == html_file.read_text(encoding="utf-8")
    # the small paper: each PDF renderer, twice
    assert hostile_paper.render("pdf") == hostile_paper.pdf(renderer="weasyprint")
    assert hostile_paper.pdf(renderer="fpdf2") == hostile_paper.pdf(renderer="fpdf2")
    with pytest.raises(r.ConfigurationError) as unknown:
        paper.render("docx")  # type: ignore[arg-type]
    assert (unknown.value.field, unknown.value.rule) == ("format", "known-format")
    with pytest.raises(r.ConfigurationError):
        paper.chart("gif")  # type: ignore[arg-type]


def test_the_public_paper_says_so_and_leaves_out_what_is_sensitive(
    scenario: r.Tracker, hostile: r.Tracker
) -> None:
    public = CommitteePaper.of(
        scenario, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE, audience=views.Audience.PUBLIC
    )
    text = public.markdown()
    assert "Public version: 1 sensitive item withheld; owners shown by role only." in text
    assert "Counter Terrorism" not in text
    assert public.series.points[-1].total == len(public.update.rows)

    small = CommitteePaper.of(
        hostile, since=date(2016, 12, 8), as_at=date(2017, 3, 30), audience=views.Audience.PUBLIC
    )
    assert [row.reference for row in small.update.rows] == ["H-1"]
    assert small.series.points[-1].total == 1  # the sensitive one is not in the chart either
    everything = small.markdown() + small.html() + small.json()
    assert "Keep this one from the public" not in everything
    assert "H-2" not in everything
    assert "Sam O’Neil" not in everything
    full = CommitteePaper.of(hostile, since=date(2016, 12, 8), as_at=date(2017, 3, 30))
    assert full.series.points[-1].total == 2


def test_an_empty_store_gives_a_paper_that_says_there_is_nothing(tmp_path: Path) -> None:
    with r.Tracker("memory://") as tracker:
        paper = CommitteePaper.of(tracker, since=PREVIOUS_COMMITTEE, as_at=COMMITTEE)
    assert paper.series.empty
    assert paper.title == "Update on inspection recommendations"
    text = paper.markdown()
    assert "Nothing is recorded as at 30 March 2017" in text
    assert "The register is empty." in text
    path = tmp_path / "empty.pdf"
    path.write_bytes(paper.pdf())
    assert "Nothing is recorded as at 30 March 2017" in _words(_pdf_text(path))
    root = ET.fromstring(paper.chart("svg"))
    assert "No recommendations recorded by 30 March 2017" in _svg_texts(root)
    assert _bars(root) == {}
    page = _parse(paper.html())
    assert "Summary" in page.headings
    assert CommitteePaper.from_json(paper.json()) == paper


def test_importing_the_paper_loads_none_of_its_extras_libraries() -> None:
    code = (
        "import sys, recommendations.paper; print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('matplotlib', 'fpdf', 'weasyprint', 'pydyf')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_markdown_html_and_pdf_print_the_checkpoint_of_the_log(
    paper: CommitteePaper, pdf_file: Path
) -> None:
    stated = paper.checkpoint
    assert stated is not None and stated.size == paper.update.basis.position
    parser = _Page()
    parser.feed(paper.html())
    pdf = _words(_pdf_text(pdf_file))
    for text in (paper.markdown(), _words(" ".join(parser.text)), pdf):
        assert f"Log checkpoint: {stated.size} entries, fingerprint {stated.fingerprint}." in text
        for part in (stated.fingerprint, stated.origin, stated.root):
            assert part in text
        assert "The log this paper was built on" in text
        assert "Not signed" in text
