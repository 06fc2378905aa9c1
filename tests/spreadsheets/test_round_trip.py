"""The library's own exports, imported back into the store they came from, record nothing:
whatever the owners, names, texts and notes hold (formula prefixes, spaces and blank lines
at either end, tabs, carriage returns, quotes, commas, markup, other scripts, long text).

The rule that makes it so (written in ``recommendations._cells``, stated in the how-to on
moving a spreadsheet tracker) is tested here on its own too.
"""

from __future__ import annotations

import doctest
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import recommendations as r
from recommendations import _cells, domain, exports
from recommendations.spreadsheets import ImportPlan, plan_import, read_sheet
from tests.conftest import Clock, report_details

ON = date(2017, 3, 2)
AS_AT = date(2017, 3, 30)
BY = "Kath Jones"

HOSTILE = (
    '=HYPERLINK("http://example.org","x")',
    "+44 121 626 5000",
    "-1",
    "@SUM(A1:A2)",
    "'quoted",
    "''twice",
    "\tHead of Crime",
    "\rHead of Crime",
    "Head of Crime\t",
    " Head of Crime ",
    "Head of Crime\r\nand Justice",
    "Head of Crime  \nand Justice",
    "\nHead of Crime\n",
    'Head "of" Crime, and Justice',
    "<b>Head</b> & <i>Crime</i>",
    "Chef de la Sûreté, 刑事部長 \u2028 ok",
    "literal _x0041_ and _x005F_",
)
"""Values that a careless writer or reader changes on the way through a spreadsheet."""

LONG = "long: " + "Supervise risk assessments, 'daily'; \"weekly\".\n" * 40
"""A text of 2,000 characters, over many lines."""


def _tracker(clock: Clock | None = None) -> r.Tracker:
    return r.Tracker("memory://", clock=clock or Clock(datetime(2017, 4, 10, 9, tzinfo=UTC)))


def _meta(on: date = ON) -> dict[str, object]:
    return {"effective_on": on, "by": BY, "reason": "committee"}


def _build(tracker: r.Tracker, values: list[tuple[str, str, str | None, str]]) -> None:
    """A report and one recommendation per ``(owner, text, owner name, note)``."""
    tracker.execute(r.PublishReport(reference="PEEL-2016", details=report_details(), **_meta()))  # type: ignore[arg-type]
    for number, (owner, text, name, note) in enumerate(values, start=1):
        reference = f"=R{number}" if number % 2 else f"R-{number}"
        tracker.execute(
            r.Raise(
                reference=reference,
                report="PEEL-2016",
                text=text,
                grade="amber",
                owner=owner,
                owner_name=name,
                due_on=date(2017, 6, 30) if number % 2 else None,
                **_meta(),  # type: ignore[arg-type]
            )
        )
        tracker.execute(r.NoteProgress(reference=reference, note=note, **_meta(AS_AT)))  # type: ignore[arg-type]


def _build_as_recorded(tracker: r.Tracker, values: list[tuple[str, str, str | None, str]]) -> None:
    """As :func:`_build`, the values given to entries decided on plain ones and appended
    unchanged: a store's log as written long ago, whatever rules hold now."""
    tracker.execute(r.PublishReport(reference="PEEL-2016", details=report_details(), **_meta()))  # type: ignore[arg-type]
    report = tracker.report("PEEL-2016")
    at = datetime(2017, 4, 10, 9, tzinfo=UTC)
    for number, (owner, text, name, note) in enumerate(values, start=1):
        reference = f"=R{number}" if number % 2 else f"R-{number}"
        plain = r.Raise(
            reference=reference,
            report="PEEL-2016",
            text="plain",
            grade="amber",
            owner="plain",
            owner_name="plain",
            due_on=date(2017, 6, 30) if number % 2 else None,
            **_meta(),  # type: ignore[arg-type]
        )
        raised = domain.decide([], plain, recorded_at=at + timedelta(minutes=number), report=report)
        raised = attrs.evolve(raised, text=text, owner=owner, owner_name=name)
        noting = r.NoteProgress(reference=reference, note="plain", **_meta(AS_AT))  # type: ignore[arg-type]
        noted = domain.decide(
            [raised], noting, recorded_at=at + timedelta(minutes=number, seconds=1)
        )
        tracker.append_log([raised, attrs.evolve(noted, note=note)])


def _imported_again(tracker: r.Tracker, folder: Path, format: str) -> ImportPlan:
    """The plan of importing the register's export in ``format`` into ``tracker``."""
    data = exports.render_register(tracker.register(as_at=AS_AT), format)
    path = folder / f"register-{AS_AT}.{format}"
    path.write_bytes(data)
    sheet = "Register" if format == "xlsx" else None
    return plan_import(tracker, read_sheet(path, sheet=sheet), by=BY)


def _nothing(plan: ImportPlan) -> None:
    assert plan.errors == (), [str(e) for e in plan.errors]
    assert plan.describe() == []
    differs = [str(w) for w in plan.warnings if "differs" in w.message]
    assert differs == []


@pytest.fixture
def hostile() -> Iterator[r.Tracker]:
    """A store whose owners, names, texts and notes hold every value of :data:`HOSTILE`."""
    clock = Clock(datetime(2017, 4, 10, 9, tzinfo=UTC))
    with _tracker(clock) as tracker:
        names = [None, *HOSTILE]
        texts = [LONG, *HOSTILE]
        _build_as_recorded(
            tracker,
            [
                (value, texts[i % len(texts)], names[i % len(names)], texts[-1 - i])
                for i, value in enumerate(HOSTILE)
            ],
        )
        clock.jump_to(datetime(2017, 5, 2, 9, tzinfo=UTC))  # every entry known by now
        assert len(tracker.register(as_at=AS_AT).rows) == len(HOSTILE)
        yield tracker


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_imported_back_records_nothing(
    hostile: r.Tracker, tmp_path: Path, format: str
) -> None:
    _nothing(_imported_again(hostile, tmp_path, format))


def test_the_csv_export_escapes_what_the_import_would_not_read_back(hostile: r.Tracker) -> None:
    text = exports.render_register(hostile.register(as_at=AS_AT), "csv").decode("utf-8-sig")
    assert "\r\n'=R1,PEEL-2016," in text  # a formula: after an apostrophe
    assert ",'\tHead of Crime," in text
    assert ",' Head of Crime ," in text
    assert ",'''twice," in text


def test_text_escaped_in_a_workbook_is_read_back() -> None:
    """What XML cannot hold is written ``_xHHHH_``, a literal ``_xHHHH_`` keeps its
    underscore as ``_x005F_``, and a lone surrogate's escape is left as written."""
    assert _cells.escaped("a\x00b\x1fc\rd\ufffe") == "a_x0000_b_x001F_c_x000D_d_xFFFE_"
    assert _cells.unescaped("_x005F_x0041_ _x0041_ _xD800_") == "_x0041_ A _xD800_"
    for text in ("a\x01\x7f\x0b\r\n\t_x0001__x005f_", "_x", "_x004_", "plain"):
        assert _cells.unescaped(_cells.escaped(text)) == text
    failures, tried = doctest.testmod(_cells)
    assert tried and not failures


def test_a_cell_after_an_apostrophe_is_read_as_written() -> None:
    for text in (*HOSTILE, LONG, "", "'", " ", "\r\n"):
        for formulas in (True, False):
            assert _cells.read(_cells.written(text, formulas=formulas)) == text
    assert _cells.read("  Head of Crime \r\n") == "Head of Crime"
    assert _cells.written("Head of Crime", formulas=True) == "Head of Crime"
    assert _cells.written("=1", formulas=False) == "=1"


# --- the property ---------------------------------------------------------------------------

_PREFIXES = ["", "=", "+", "-", "@", "'", "\t", "\r", "\n", " ", "\r\n", '"', ",", "<b>", "_x0041_"]
_CHARACTERS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"],
)
hostile_text = st.one_of(
    st.builds(
        lambda before, middle, after: before + middle + after,
        st.sampled_from(_PREFIXES),
        st.text(_CHARACTERS, max_size=20),
        st.sampled_from(_PREFIXES),
    ),
    st.sampled_from(HOSTILE),
)
long_text = hostile_text | st.just(LONG)


@settings(max_examples=15)
@given(
    values=st.lists(
        st.tuples(hostile_text, long_text, st.none() | hostile_text, long_text),
        min_size=1,
        max_size=3,
    )
)
def test_any_export_imported_back_into_its_store_records_nothing(
    values: list[tuple[str, str, str | None, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with _tracker() as tracker:
            try:
                _build(tracker, values)
            except r.RuleViolation:
                pass  # a value today's rules refuse: as an older log may hold it, below
            else:
                for format in ("csv", "xlsx"):
                    _nothing(_imported_again(tracker, Path(folder), format))
                return
        if any(not value.strip() for row in values for value in row if value is not None):
            reject()  # a blank owner, text or note was never recorded, by any rules
        with _tracker() as tracker:
            _build_as_recorded(tracker, values)
            for format in ("csv", "xlsx"):
                _nothing(_imported_again(tracker, Path(folder), format))
