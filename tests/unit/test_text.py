"""What a command's text and references may hold: decided with no storage at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommendations import NotFound, RuleViolation, domain
from recommendations.domain import (
    Assign,
    ChangeDeadline,
    ClaimImplementation,
    Correct,
    Discharge,
    InspectionDetails,
    NoteProgress,
    Outcome,
    PublishReport,
    Raise,
    RecordInspection,
    Regrade,
    RejectClaim,
    Reopen,
    ReportDetails,
    ReviseInspection,
    ReviseReport,
)
from recommendations.domain._text import REFERENCE_FIELDS, text_problem

NOW = datetime(2017, 6, 1, 9, tzinfo=UTC)
META: dict[str, Any] = {"effective_on": date(2017, 3, 2), "by": "Kath Jones", "reason": "why"}


def report_details(**changes: Any) -> ReportDetails:
    fields: dict[str, Any] = {
        "title": "PEEL: Police effectiveness 2016",
        "body": "West Midlands Police",
        "inspection": "INS-1",
        "inspectorates": ("HMIC",),
        "published_on": date(2017, 3, 2),
        "scale": domain.PEEL,
        "overall_grade": "good",
        "area_grades": (domain.AreaGrade("vulnerability", "good"),),
        "findings": (domain.Finding("2.15", domain.FindingKind.CAUSE_OF_CONCERN, "DASH"),),
    }
    fields.update(changes)
    return ReportDetails(**fields)


def inspection_details(**changes: Any) -> InspectionDetails:
    fields: dict[str, Any] = {
        "title": "PEEL effectiveness inspection",
        "body": "West Midlands Police",
        "inspectorates": ("HMIC",),
        "expected_report": "PEEL-EFF-2016",
    }
    fields.update(changes)
    return InspectionDetails(**fields)


COMMANDS: list[Any] = [
    Raise(
        reference="CB-21",
        text="Ensure supervision",
        report="PEEL-EFF-2016",
        points=("first point",),
        finding="2.15",
        grade="amber",
        owner="Head of Public Protection",
        owner_name="Jo Bloggs",
        response=domain.Response.PARTLY_AGREED,
        response_text="Agreed for two sites",
        addressed_to="College of Policing",
        **META,
    ),
    Assign(reference="CB-21", owner="ACC", owner_name="Jo Bloggs", **META),
    Regrade(reference="CB-21", grade="green", **META),
    NoteProgress(reference="CB-21", note="audit begun", evidence=("audit.pdf",), **META),
    ChangeDeadline(reference="CB-21", due_on=None, **META),
    ClaimImplementation(reference="CB-21", note="done", evidence=("audit.pdf",), **META),
    RejectClaim(reference="CB-21", **META),
    Discharge(
        reference="CB-21",
        outcome=Outcome.SUPERSEDED,
        accepted_by="HMIC",
        acceptor_role="inspectorate",
        superseded_by="CB-22",
        **META,
    ),
    Reopen(reference="CB-21", **META),
    Correct(
        reference="CB-21",
        version=1,
        what_was_wrong="typo",
        changes={"text": "Ensure supervision.", "owner": "ACC"},
        **META,
    ),
    RecordInspection(reference="INS-1", details=inspection_details(), **META),
    ReviseInspection(reference="INS-1", details=inspection_details(), **META),
    PublishReport(reference="PEEL-EFF-2016", details=report_details(), **META),
    ReviseReport(reference="PEEL-EFF-2016", details=report_details(), **META),
    domain.ChangePlanStatus(reference="PEEL-EFF-2016", status="agreed", **META),
    domain.Configure(
        policy=domain.Policy(
            scales=(domain.GradingScale.of("rag", "Red", "Amber", "Green", "White"), domain.PEEL),
            kinds=domain.DEFAULT_POLICY.kinds,
        ),
        **META,
    ),
    domain.Prioritise(reference="CB-21", priority="2", **META),
    domain.RecordResponse(
        reference="CB-21",
        response=domain.Response.AGREED,
        response_text="Agreed in full",
        **META,
    ),
]


def decide(command: Any) -> Any:
    """Decide ``command`` on an empty log: the text rules come before any other."""
    if isinstance(command, domain.SourceCommand):
        return domain.decide_source([], command, recorded_at=NOW)
    if isinstance(command, domain.Configure):
        return domain.decide_configuration([], command, recorded_at=NOW)
    return domain.decide([], command, recorded_at=NOW)


def _places(
    value: Any, path: tuple[str, ...] = (), outer: str | None = None
) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """Every string a command holds: the path to it, the field its error names, and
    whether it is a reference."""
    for attribute in attrs.fields(type(value)):
        inner = getattr(value, attribute.name)
        here = (*path, attribute.name)
        name = outer or attribute.name
        reference = attribute.name in REFERENCE_FIELDS
        if isinstance(inner, str):
            yield here, name, reference
        elif isinstance(inner, tuple) and inner and isinstance(inner[0], str):
            yield (*here, "0"), name, reference
        elif attribute.name == "details":
            yield from _places(inner, here)
        elif attribute.name in ("findings", "area_grades") and inner:
            yield from _places(inner[0], (*here, "0"), attribute.name)


def _replace(value: Any, path: tuple[str, ...], new: Any) -> Any:
    if isinstance(value, tuple):
        index = int(path[0])
        item = new if not path[1:] else _replace(value[index], path[1:], new)
        return (*value[:index], item, *value[index + 1 :])
    if not path[1:]:
        return attrs.evolve(value, **{path[0]: new})
    return attrs.evolve(value, **{path[0]: _replace(getattr(value, path[0]), path[1:], new)})


PLACES = [
    pytest.param(command, path, name, reference, id=f"{type(command).__name__}-{'.'.join(path)}")
    for command in COMMANDS
    for path, name, reference in _places(command)
]
CORRECTABLE = ("text", "owner", "owner_name", "reason", "actor", "grade", "superseded_by")

BAD_IN_TEXT = {
    "NUL": "\x00",
    "BEL": "\x07",
    "ESC": "\x1b",
    "vertical tab": "\x0b",
    "carriage return": "\r",
    "DEL": "\x7f",
    "C1 control": "\x9b",
    "lone surrogate": "\ud800",
    "U+FFFE": "\ufffe",
    "U+FFFF": "\uffff",
    "U+FDD0": "\ufdd0",
    "plane-1 noncharacter": "\U0001ffff",
}
INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "right-to-left override": "\u202e",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
}


def test_every_command_has_its_strings_listed() -> None:
    kinds = {type(command) for command in COMMANDS}
    assert kinds == set(domain.Command.__args__)  # type: ignore[attr-defined]
    assert len(PLACES) > 60


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_the_examples_pass_the_text_rules(command: Any) -> None:
    assert text_problem(command) is None


def _spoilt_places() -> Iterator[Any]:
    """Each place with NUL and one more bad character, taken in turn: every place and
    every character is tried, without trying each with each."""
    kinds = list(BAD_IN_TEXT.items())
    for index, place in enumerate(PLACES):
        for label, bad in (kinds[0], kinds[1 + index % (len(kinds) - 1)]):
            yield pytest.param(*place.values, bad, id=f"{place.id}-{label}")


@pytest.mark.parametrize(("command", "path", "name", "reference", "bad"), list(_spoilt_places()))
def test_every_string_of_every_command_refuses_control_characters(
    command: Any, path: tuple[str, ...], name: str, reference: bool, bad: str
) -> None:
    spoilt = _replace(command, path, f"ok{bad}ok")
    with pytest.raises(RuleViolation) as caught:
        decide(spoilt)
    rule = "reference-characters" if reference else "text-characters"
    assert (caught.value.field, caught.value.rule) == (name, rule)
    assert "\n" not in str(caught.value) and bad not in str(caught.value)
    assert f"U+{ord(bad):04X}" in str(caught.value)


@pytest.mark.parametrize("bad", BAD_IN_TEXT.values(), ids=BAD_IN_TEXT.keys())
def test_each_bad_character_is_refused_in_text_and_in_references(bad: str) -> None:
    for field in ("text", "reference"):
        with pytest.raises(RuleViolation) as caught:
            decide(attrs.evolve(COMMANDS[0], **{field: f"ok{bad}ok"}))
        assert caught.value.field == field


@pytest.mark.parametrize(("command", "path", "name", "reference"), PLACES)
def test_every_string_of_every_command_has_a_length_limit(
    command: Any, path: tuple[str, ...], name: str, reference: bool
) -> None:
    spoilt = _replace(command, path, "x" * 1_000_000)
    with pytest.raises(RuleViolation) as caught:
        decide(spoilt)
    rule = "reference-length" if reference else "text-length"
    assert (caught.value.field, caught.value.rule) == (name, rule)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300
    assert "1,000,000" in str(caught.value)


@pytest.mark.parametrize("name", CORRECTABLE)
@pytest.mark.parametrize("bad", ["\x00", "\x07", "\ud800", "x" * 1_000_000])
def test_a_correction_checks_the_values_it_gives(name: str, bad: str) -> None:
    command = Correct(
        reference="CB-21", version=1, what_was_wrong="typo", changes={name: bad}, **META
    )
    with pytest.raises(RuleViolation) as caught:
        decide(command)
    assert caught.value.field == name
    assert str(caught.value.rule).split("-")[-1] in ("characters", "length")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("text", domain.TEXT_LIMIT),
        ("reason", domain.TEXT_LIMIT),
        ("by", domain.NAME_LIMIT),
        ("owner", domain.NAME_LIMIT),
        ("reference", domain.REFERENCE_LIMIT),
        ("report", domain.REFERENCE_LIMIT),
    ],
)
def test_the_limits_are_inclusive(field: str, limit: int) -> None:
    raising = COMMANDS[0]
    at_limit = attrs.evolve(raising, **{field: "x" * limit})
    assert text_problem(at_limit) is None
    over = attrs.evolve(raising, **{field: "x" * (limit + 1)})
    problem = text_problem(over)
    assert problem is not None and problem.field == field


@pytest.mark.parametrize(
    "text",
    [
        "line one\nline two",
        "a\ttab",
        "emoji \U0001f469\u200d\U0001f4bb with a joiner",
        "\u202bright-to-left embedding\u202c in text",
        "soft\u00adhyphen",
        "Ünïcödé ＦＵＬＬＷＩＤＴＨ ﬁ",
        "",
    ],
)
def test_free_text_keeps_newlines_tabs_and_formatting_characters(text: str) -> None:
    assert text_problem(attrs.evolve(COMMANDS[3], note=text)) is None


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("CB-21", "CB-21"),
        ("  CB-21\t", "CB-21"),
        ("\uff23\uff22-21", "CB-21"),  # fullwidth
        ("\ufb01nding 1", "finding 1"),  # a ligature
        ("CB\u00a021", "CB 21"),  # a no-break space
        ("\u3000CB-21\u3000", "CB-21"),  # ideographic spaces around it
    ],
)
def test_references_are_taken_in_normal_form(given: str, normal: str) -> None:
    raising = Raise(reference=given, text="t", report=given, finding=given, **META)
    assert (raising.reference, raising.report, raising.finding) == (normal, normal, normal)
    assert (
        Discharge(
            reference=given,
            outcome=Outcome.SUPERSEDED,
            accepted_by="HMIC",
            acceptor_role="inspectorate",
            superseded_by=given,
            **META,
        ).superseded_by
        == normal
    )
    correction = Correct(
        reference=given,
        version=1,
        what_was_wrong="w",
        changes={"superseded_by": given, "text": given},
        **META,
    )
    assert dict(correction.changes) == {"superseded_by": normal, "text": given}
    details = report_details(
        inspection=given,
        findings=(domain.Finding(given, domain.FindingKind.CAUSE_OF_CONCERN, "t"),),
    )
    published = PublishReport(reference=given, details=details, **META)
    assert (published.details.inspection, published.details.findings[0].reference) == (
        normal,
        normal,
    )
    revised = attrs.evolve(
        RecordInspection(reference="I", details=inspection_details(expected_report=given), **META),
        reference=given,
    )
    # An expected report is said in words ("draft in April"): a title, not a reference.
    assert (revised.reference, revised.details.expected_report) == (normal, given)


@pytest.mark.parametrize("bad", [*INVISIBLE.values(), "\n", "\t", "\x07", "\u2028", "\u2029"])
@pytest.mark.parametrize("field", ["reference", "report", "finding", "superseded_by", "inspection"])
def test_references_refuse_invisible_and_control_characters(field: str, bad: str) -> None:
    reference = f"CB{bad}21"
    command: Any
    if field in ("reference", "report", "finding"):
        command = attrs.evolve(COMMANDS[0], **{field: reference})
    elif field == "superseded_by":
        command = attrs.evolve(COMMANDS[7], superseded_by=reference)
    else:
        command = attrs.evolve(COMMANDS[12], details=report_details(inspection=reference))
    with pytest.raises(RuleViolation) as caught:
        decide(command)
    assert (caught.value.field, caught.value.rule) == (field, "reference-characters")
    assert "\n" not in str(caught.value)


def test_a_long_reference_is_refused_in_one_short_line() -> None:
    with pytest.raises(RuleViolation) as caught:
        decide(attrs.evolve(COMMANDS[3], reference="x" * 10_000))
    assert (caught.value.field, caught.value.rule) == ("reference", "reference-length")
    assert len(str(caught.value)) < 200


def test_normal_references_keep_the_ids_they_always_had() -> None:
    assert domain.recommendation_id("CB-21") == uuid.UUID("8c860e07-b107-54de-addf-b5cd1693c4d6")
    assert domain.report_id("PEEL-EFF-2016") == uuid.UUID("d66cc69f-b7e5-516a-acc2-243235813729")
    assert domain.inspection_id("INS-1") == uuid.UUID("9edbcc62-2bdb-5c2a-a1be-f6eac31fcfd7")
    assert domain.normal_reference("CB-21") == "CB-21"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("CB-21", "cb-21", True),
        ("CB-21", "\uff43\uff42-21", True),
        ("STRASSE-1", "straße-1", True),
        ("CB-21", "CB-22", False),
        ("CB-21", "CB 21", False),
    ],
)
def test_reference_keys_ignore_case(one: str, other: str, same: bool) -> None:
    assert (domain.reference_key(one) == domain.reference_key(other)) is same


@given(st.text(max_size=60))
def test_any_note_is_recorded_unchanged_or_refused_naming_the_field(note: str) -> None:
    command = NoteProgress(reference="CB-21", note=note, **META)
    raised = domain.decide([], COMMANDS[0], recorded_at=NOW, report=_report())
    try:
        event = domain.decide([raised], command, recorded_at=NOW)
    except RuleViolation as error:
        assert error.field == "note"
        assert error.rule in ("required", "text-characters")
    else:
        assert isinstance(event, domain.ProgressNoted) and event.note == note


@given(st.text(max_size=30))
def test_any_reference_is_taken_in_normal_form_or_refused(reference: str) -> None:
    command = Regrade(reference=reference, grade="green", **META)
    try:
        decide(command)
    except RuleViolation as error:
        assert error.field == "reference"
        assert error.rule in ("required", "reference-characters")
    except NotFound as error:  # a valid reference with no log
        assert error.reference == domain.normal_reference(reference)
    assert command.reference == domain.normal_reference(command.reference)


def _report() -> domain.Report:
    published = domain.decide_source(
        [],
        PublishReport(reference="PEEL-EFF-2016", details=report_details(inspection=None), **META),
        recorded_at=NOW,
    )
    report = domain.project_report([published])  # type: ignore[list-item]
    assert report is not None
    return report
