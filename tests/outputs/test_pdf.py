"""The register and the audit trail as PDF: the format added as one module
(:mod:`recommendations.outputs.pdf`), through the paper's tagged WeasyPrint path, with
fpdf2 where WeasyPrint cannot run."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pdfua
import pikepdf
import pypdf
import pytest

import recommendations as r
from recommendations import exports, outputs
from recommendations.outputs import pdf
from recommendations.outputs.document import Count, Table
from tests.conftest import report_details, who
from tests.paper.pdfua_rules import check

HOSTILE = "<b>Supervise</b> & [red]review[/red] the *risk* assessment"


@pytest.fixture(scope="module")
def tracker() -> Iterator[r.Tracker]:
    with r.Tracker("memory://") as tracker:
        report = "PEEL-EFF-2016"
        tracker.execute(r.PublishReport(reference=report, details=report_details(), **who(3, 2)))
        for reference, text in (("2.16", HOSTILE), ("2.18", "Ensure training.")):
            tracker.execute(
                r.Raise(reference=reference, report=report, text=text, grade="amber", **who(3, 2))
            )
        tracker.execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))
        yield tracker


KNOWN = datetime(2030, 1, 1, tzinfo=UTC)


def test_the_registry_lists_pdf_for_the_register_the_trail_and_the_paper() -> None:
    assert "pdf" in outputs.names_for("register") and "pdf" in outputs.names_for("paper")
    assert outputs.suffixes_for("trail")[".pdf"] == "pdf"
    assert outputs.format_named("pdf", "trail").binary
    assert "pdf" in exports.FORMATS


def test_the_register_as_a_tagged_pdf_meets_pdfua(tracker: r.Tracker, tmp_path: Path) -> None:
    register = tracker.register(as_at=date(2017, 3, 30), known_at=KNOWN)
    path = tmp_path / "register.pdf"
    path.write_bytes(exports.render_register(register, "pdf"))
    assert check(path) == []
    assert pdfua.validate(str(path)).exit_code == 0
    with pikepdf.open(path) as read:
        assert str(read.docinfo["/Title"]) == "Register"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert "".join(HOSTILE.split()) in "".join(text.split())  # as typed, never markup
    assert "As at 2017-03-30" in text and "2 rows." in text


def test_the_same_register_gives_the_same_file(tracker: r.Tracker) -> None:
    register = tracker.register(as_at=date(2017, 3, 30), known_at=KNOWN)
    assert exports.render_register(register, "pdf") == exports.render_register(register, "pdf")


def test_the_trail_by_fpdf2_where_weasyprint_cannot_run(tracker: r.Tracker) -> None:
    trail = tracker.trail(known_at=KNOWN)
    laid_out = pdf.view_document(trail, "Audit trail")
    blocks = laid_out.sections[0].blocks
    assert isinstance(blocks[0], Table) and isinstance(blocks[1], Count)
    assert blocks[0].caption == exports.basis_sentence(trail)  # the basis, as its caption
    made = pdf.render_document(laid_out, created=KNOWN, renderer="fpdf2")
    assert blocks[1].rows.count == len(trail) == 4  # counted as the table was written
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(made)).pages)
    assert made.startswith(b"%PDF-") and "grade: amber → green" in text and "4 rows." in text
    assert "As known at 2030-01-01" in text


def test_an_empty_register_says_so(tracker: r.Tracker) -> None:
    empty = tracker.register(as_at=date(2010, 1, 1), known_at=KNOWN)
    laid_out = pdf.view_document(empty, "Register")
    assert [type(block).__name__ for block in laid_out.sections[0].blocks] == [
        "Basis",
        "Count",
    ]


def test_another_renderer_is_refused(tracker: r.Tracker) -> None:
    trail = tracker.trail(known_at=KNOWN)
    with pytest.raises(r.ConfigurationError) as refused:
        pdf.render_document(pdf.view_document(trail, "Trail"), created=KNOWN, renderer="x")  # type: ignore[arg-type]
    assert refused.value.rule == "known-renderer"


def test_the_checkpoint_is_printed_under_the_basis(tracker: r.Tracker) -> None:
    trail = tracker.trail(known_at=KNOWN)
    stated = tracker.integrity.checkpoint_at(trail.basis.position)
    out = io.BytesIO()
    exports.write_trail(trail, "pdf", out, checkpoint=stated)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert stated.fingerprint in text and stated.root in "".join(text.split())
    with pytest.raises(r.ConfigurationError, match="only json or pdf carries"):
        exports.write_trail(trail, "md", io.BytesIO(), checkpoint=stated)
