"""Text from the log shows as typed in every Markdown and HTML output, and never becomes
markup: each output is rendered by a real CommonMark renderer (markdown-it-py) or parsed as
HTML, and checked for elements, attributes and links that came from the data."""

from __future__ import annotations

import doctest
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import recommendations as r
from recommendations import _escaping, exports, views
from recommendations._escaping import markdown_text
from recommendations.outputs.document import (
    Bullets,
    Cell,
    Document,
    Figure,
    Heading,
    Paragraph,
    Section,
    Table,
)
from recommendations.outputs.html import render_html
from recommendations.outputs.markdown import render_markdown
from recommendations.paper import CommitteePaper
from tests.conftest import report_details, who
from tests.logs import PureLog

HOSTILE_PIECES = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "<a href='javascript:alert(1)'>link</a>",
    "[click](javascript:alert(1))",
    "![i](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<https://evil.example/>",
    "[ref]: javascript:alert(1)",
    "[ref]",
    "<!-- hidden -->",
    "<br>",
    "`code`",
    "```",
    "~~~",
    "|",
    " | ",
    "\n",
    "\n\n",
    "\t",
    "    ",
    "*",
    "**bold**",
    "_under_",
    "# ",
    "#",
    "- ",
    "+ ",
    "* ",
    "1. ",
    "2) ",
    "> ",
    "---",
    "===",
    ":::",
    "&amp;",
    "&lt;script&gt;",
    "&#106;avascript:",
    "\\",
    "~~struck~~",
    "$x$",
    "{role}`x`",
    "(",
    ")",
    "x",
    "word",
]

hostile = st.lists(
    st.sampled_from(HOSTILE_PIECES)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=3),
    max_size=8,
).map("".join)
"""Text as hostile as a person can type: HTML, links, Markdown markup, pipes, line breaks."""

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
"""CommonMark (raw HTML passed through, as most sites do) with GitHub's tables."""

MARKDOWN_TAGS = frozenset(
    {"h1", "h2", "h3", "p", "em", "ul", "li", "hr", "br", "table", "thead", "tbody", "tr"}
    | {"th", "td"}
)
"""Every element the library's own Markdown makes: anything else came from the data."""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in ("style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment in the page: {data!r}")


def _parsed(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def _words(text: str) -> str:
    return " ".join(text.split())


def _visible(page: _Page) -> str:
    return _words(" ".join(page.text))


def _check_markdown(markdown: str, *texts: str) -> None:
    """``markdown`` renders with only the library's own elements, no attribute, and shows
    each of ``texts`` as typed (spaces and line breaks aside)."""
    page = _parsed(RENDERER.render(markdown))
    for tag, attributes in page.tags:
        assert tag in MARKDOWN_TAGS, (tag, markdown)
        assert attributes == [], (tag, attributes, markdown)
    shown = _visible(page)
    for text in texts:
        assert _words(text) in shown, (text, markdown)


def _check_html(html: str, tags: frozenset[str], *texts: str) -> None:
    page = _parsed(html)
    for tag, attributes in page.tags:
        assert tag in tags, tag
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("href", "src"), (tag, name)
            assert "javascript:" not in (value or ""), (tag, name)
    shown = _visible(page)
    for text in texts:
        assert _words(text) in shown, text


def test_the_escaping_examples_hold() -> None:
    assert doctest.testmod(_escaping).failed == 0


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "1. not a list\n- nor this\n> nor a quote",
        "a | b\nc",
        "&lt;script&gt; stays as typed",
    ],
)
def test_hostile_text_shows_as_typed(text: str) -> None:
    _check_markdown(markdown_text(text), text)
    assert "\n" not in markdown_text(text)


@settings(max_examples=100)
@given(hostile)
def test_escaped_text_is_text_in_every_markdown_position(text: str) -> None:
    escaped = markdown_text(text)
    assert "\n" not in escaped
    for markdown in (
        escaped,
        f"*{escaped}*",
        f"# {escaped}",
        f"### {escaped}",
        f"- {escaped}",
        f"| {escaped} | b |\n| --- | --- |\n| {escaped} | b |",
    ):
        _check_markdown(markdown, text)


# --- the register and trails ---------------------------------------------------------------------

BASIS = views.Basis(as_at=date(2017, 3, 30), known_at=datetime(2017, 4, 10, tzinfo=UTC), position=9)


def _register(text: str, owner: str, reference: str) -> views.Register:
    row = views.RegisterRow(
        reference=reference,
        text=text,
        kind="recommendation",
        body="Force",
        inspectorates=("HMIC",),
        inspection=None,
        report=text,
        finding=None,
        scope=r.Scope.BODY,
        sensitive=False,
        owner=owner,
        owner_name=owner,
        grade="amber",
        status=r.Status.OPEN,
        due_on=None,
        original_due_on=None,
        deferrals=0,
        overdue=False,
        raised_on=date(2017, 3, 2),
        last_changed_on=date(2017, 3, 2),
    )
    return views.Register(basis=BASIS, rows=(row,))


def _trail(reason: str, note: str, reference: str) -> views.Trail:
    entry = views.TrailEntry(
        position=1,
        subject="recommendation",
        reference=reference,
        version=2,
        event="ProgressNoted",
        effective_on=date(2017, 3, 30),
        recorded_at=datetime(2017, 4, 10, tzinfo=UTC),
        actor=note,
        reason=reason,
        changes=(views.Change("last_note", None, note),),
        details=(views.Detail("note", note),),
    )
    return views.Trail(basis=BASIS, entries=(entry,))


@settings(max_examples=40)
@given(hostile, hostile, hostile)
def test_markdown_registers_and_trails_show_text_as_typed(a: str, b: str, c: str) -> None:
    register = exports.render_register(_register(a, b, c), "md", title=a).decode()
    _check_markdown(register, a, b, c)
    trail = exports.render_trail(_trail(a, b, c), "md", title=b).decode()
    _check_markdown(trail, a, b, c)


@settings(max_examples=40)
@given(hostile, hostile, hostile)
def test_html_registers_and_trails_escape_text(a: str, b: str, c: str) -> None:
    tags = frozenset({"html", "head", "meta", "title", "style", "body", "h1", "table", "p"})
    tags |= {"caption", "thead", "tbody", "tr", "th", "td"}
    # laid out as a document, as the paper is: its header, sections, column widths, footer
    tags |= {"header", "main", "section", "h2", "colgroup", "col", "br", "footer"}
    _check_html(exports.render_register(_register(a, b, c), "html", title=a).decode(), tags, a, b)
    _check_html(exports.render_trail(_trail(a, b, c), "html", title=b).decode(), tags, a, b, c)


# --- the committee paper ----------------------------------------------------------------------


def _document(texts: list[str]) -> Document:
    t = iter(texts)
    return Document(
        title=next(t),
        lines=(next(t), next(t)),
        version="Public version",
        sections=(
            Section(
                key="summary",
                heading=next(t),
                blocks=(
                    Heading(next(t)),
                    Paragraph(next(t)),
                    Paragraph(next(t), note=True),
                    Bullets((next(t), next(t))),
                    Table(
                        header=(next(t), "Grade"),
                        rows=((Cell(next(t)), Cell(next(t), colour="#ff0000")),),
                        widths=(3.0, 1.0),
                    ),
                    Figure(next(t)),
                ),
            ),
        ),
        footer=next(t),
    )


@settings(max_examples=40)
@given(st.lists(hostile, min_size=14, max_size=14))
def test_every_text_of_the_paper_shows_as_typed(texts: list[str]) -> None:
    doc = _document(texts)
    _check_markdown(render_markdown(doc), *texts)
    tags = frozenset({"html", "head", "meta", "title", "style", "body", "header", "h1", "p"})
    tags |= {"main", "section", "h2", "h3", "ul", "li", "table", "colgroup", "col", "thead"}
    tags |= {"tbody", "tr", "th", "td", "span", "br", "figure", "figcaption", "footer"}
    _check_html(render_html(doc, chart_svg=""), tags, *texts)


def test_a_grade_colour_is_a_colour_or_nothing() -> None:
    hostile_colour = "red;background-image:url(https://evil.example/x.png)"
    doc = attrs.evolve(_document(["x"] * 14), sections=())
    table = Table(
        header=("Grade",),
        rows=((Cell("Red", colour=hostile_colour),), (Cell("Amber", colour="#ffbf00"),)),
        widths=(1.0,),
    )
    doc = attrs.evolve(doc, sections=(Section(key="s", heading="S", blocks=(table,)),))
    html = render_html(doc, chart_svg="")
    assert "evil" not in html
    assert "background:#ffbf00" in html


HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) | `a` *b*\n1. c"


def test_the_paper_from_a_log_shows_hostile_text_as_typed() -> None:
    log = PureLog(datetime(2017, 4, 10, 9, tzinfo=UTC))
    details = r.InspectionDetails(
        title=f"Custody {HOSTILE}",
        body="Force",
        inspectorates=("HMIC",),
        fieldwork_from=date(2017, 3, 20),
        fieldwork_to=date(2017, 3, 22),
        expected_report=HOSTILE.replace("\n", " "),  # a reference: one line
    )
    log.execute(r.RecordInspection(reference="I-1", details=details, **who(3, 1)))
    log.execute(
        r.PublishReport(
            reference="PEEL", details=report_details(title=f"PEEL {HOSTILE}"), **who(3, 2)
        )
    )
    log.execute(
        r.Raise(
            reference="2.16",
            text=HOSTILE,
            report="PEEL",
            grade="red",
            owner=f"Head {HOSTILE}",
            due_on=date(2017, 3, 10),
            **who(3, 2),
        )
    )
    paper = CommitteePaper.from_log(
        log.entries, since=date(2017, 3, 1), basis=log.basis(as_at=date(2017, 3, 30))
    )
    markdown = paper.markdown()
    _check_markdown(markdown, HOSTILE, f"PEEL {HOSTILE}", f"Custody {HOSTILE}")
    assert not re.search(r"(?<!\\)<img", markdown)
    html = paper.html()
    assert "<img" not in html and "javascript:" in html  # shown as text, never a link
    assert _words(HOSTILE) in _visible(_parsed(html))
