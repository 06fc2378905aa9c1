"""What the text of a command may hold, and what a reference is.

Every string a command carries (its ``text``, ``reason``, ``by``, owners, notes, the titles
and body names of its details, ...) is checked here, once, by walking the command's fields:

===========================  =========================================================
rule                         what it says
===========================  =========================================================
``text-characters``          free text holds no control character but newline and
                             tab (Unicode category Cc), no lone surrogate (Cs) and
                             no noncharacter (U+FDD0 to U+FDEF, U+FFFE, U+FFFF and
                             their like in every plane)
``text-length``              a name (an actor, owner, role, body, inspectorate,
                             grade, area) has at most :data:`NAME_LIMIT` characters,
                             a title, a piece of evidence or an expected report
                             :data:`TITLE_LIMIT`, and
                             free text (a text, point, note, reason, what was wrong,
                             a finding's text) :data:`TEXT_LIMIT`
``reference-characters``     a reference holds no control character at all (not even
                             newline or tab), no invisible formatting character
                             (Unicode category Cf: zero-width spaces and joiners,
                             bidirectional overrides, the byte-order mark), no line
                             or paragraph separator, surrogate or noncharacter
``reference-length``         a reference has at most :data:`REFERENCE_LIMIT`
                             characters
===========================  =========================================================

A reference is any field that names a recommendation, report, inspection or finding:
``reference``, ``report``, ``inspection``, ``superseded_by``, ``finding`` (an
inspection's ``expected_report`` says in words what report is expected, so it is a
title). Before anything is checked, a command puts each of them in its
normal form (:func:`normal_reference`): Unicode NFKC, surrounding whitespace trimmed. So a
fullwidth ``ＣＢ-21`` or ``" CB-21 "`` names ``CB-21``; a reference already in normal form
is unchanged (and so is the id derived from it). Two references that differ only by case
(:func:`reference_key`) name the same thing to a person: the tracker refuses the second
(rule ``reference-unique-ignoring-case``), naming the first.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import attrs

__all__ = [
    "NAME_LIMIT",
    "REFERENCE_FIELDS",
    "REFERENCE_LIMIT",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "TextProblem",
    "abridged",
    "normal_reference",
    "reference_key",
    "reference_problem",
    "text_problem",
]

REFERENCE_LIMIT = 100
"""The most characters a reference may have."""
NAME_LIMIT = 200
"""The most characters a name (actor, owner, role, body, inspectorate, grade) may have."""
TITLE_LIMIT = 1_000
"""The most characters a title or one piece of evidence may have."""
TEXT_LIMIT = 20_000
"""The most characters free text (a text, point, note, reason) may have."""

REFERENCE_FIELDS = frozenset({"reference", "report", "inspection", "superseded_by", "finding"})
"""The fields that name a recommendation, report, inspection or finding."""

_TEXT_FIELDS = frozenset({"text", "points", "note", "reason", "what_was_wrong", "response_text"})
_TITLE_FIELDS = frozenset({"title", "evidence", "expected_report"})
_REFUSED_IN_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
"""Cc but newline and tab, Cs, and the noncharacters: what free text never holds."""


def normal_reference(value: Any) -> Any:
    """A reference in normal form: Unicode NFKC, surrounding whitespace trimmed.

    Anything but a string is returned as it is, for the type check to judge.

    >>> normal_reference(" \\uff23\\uff22-21 ")
    'CB-21'
    """
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).strip()


def reference_key(reference: str) -> str:
    """What two references that differ only by case share (NFKC, then case folded).

    >>> reference_key("CB-21") == reference_key("cb-21")
    True
    """
    return unicodedata.normalize("NFKC", normal_reference(reference).casefold())


def abridged(value: str, limit: int = 40) -> str:
    """``value``, or its first ``limit`` characters and an ellipsis: fit for a message."""
    return value if len(value) <= limit else value[:limit] + "…"


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


@attrs.frozen
class TextProblem:
    """A field that breaks a text rule: which field, which rule, and what is wrong."""

    field: str
    rule: str
    message: str


_KINDS = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def reference_problem(field: str, value: str) -> TextProblem | None:
    """What is wrong with ``value`` as a reference held in ``field``, or ``None``."""
    if len(value) > REFERENCE_LIMIT:
        return TextProblem(
            field,
            "reference-length",
            f"a reference has at most {REFERENCE_LIMIT} characters, this one {len(value):,}",
        )
    if value.isascii() and value.isprintable():  # the usual case, at C speed
        return None
    for position, char in enumerate(value, start=1):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp") or _noncharacter(ord(char)):
            kind = _KINDS.get(category, "a noncharacter")
            return TextProblem(
                field,
                "reference-characters",
                f"a reference holds {kind}, {_describe(char)}, at character {position}",
            )
    return None


def _limit(field: str) -> int:
    if field in _TEXT_FIELDS:
        return TEXT_LIMIT
    if field in _TITLE_FIELDS:
        return TITLE_LIMIT
    return NAME_LIMIT


def _free_text_problem(field: str, value: str, limit: int) -> TextProblem | None:
    if len(value) > limit:
        return TextProblem(
            field,
            "text-length",
            f"{field} has at most {limit:,} characters, this one {len(value):,}",
        )
    if value.isprintable():  # no Cc, Cs or noncharacter (Cn) at all: the usual case
        return None
    found = _REFUSED_IN_TEXT.search(value)
    if found is None:
        return None
    return TextProblem(
        field,
        "text-characters",
        f"{field} holds a control character or noncharacter, {_describe(found.group())}, "
        f"at character {found.start() + 1} (only newline and tab are allowed)",
    )


def _walk(field: str, value: Any, *, rules: str | None = None) -> TextProblem | None:
    """Check ``value``, named ``field`` in a message, by the rules of field ``rules``."""
    rules = rules or field
    if isinstance(value, str):
        if rules in REFERENCE_FIELDS:
            return reference_problem(field, value)
        return _free_text_problem(field, value, _limit(rules))
    if isinstance(value, tuple):
        for item in value:
            found = _walk(field, item, rules=rules)
            if found is not None:
                return found
        return None
    if type(value) in _PLAIN or isinstance(value, enum.Enum) or not attrs.has(type(value)):
        return None
    return _fields(value, outer=field)


_PLAIN = frozenset({type(None), bool, int, float, date, datetime})
"""Types that hold no text (exactly these), told apart at once."""


def _fields(value: Any, *, outer: str | None = None) -> TextProblem | None:
    """The first string of an attrs ``value`` (recursively) that breaks a text rule.

    The fields of a value held in another one's field (a report's findings, its area
    grades, its scale) are named by that field (``findings``) in the message, and checked
    by the rules of their own name.
    """
    for attribute in attrs.fields(type(value)):
        found = _walk(outer or attribute.name, getattr(value, attribute.name), rules=attribute.name)
        if found is not None:
            return found
    return None


def _changes_problem(changes: Any) -> TextProblem | None:
    """A correction's changes, each value checked by the rules of the field it changes."""
    if not isinstance(changes, tuple):
        return None
    for pair in changes:
        if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str):
            found = _walk(pair[0], pair[1])
            if found is not None:
                return found
    return None


def text_problem(command: Any) -> TextProblem | None:
    """The first string field of ``command`` that breaks a text or reference rule.

    The command's own ``reference`` is checked first; nested values (a report's details,
    its findings, a correction's changes) are walked too. Fields of nested values keep
    their own names (``title``, ``body``), but those of the items of a tuple take the
    tuple's (``findings``, ``area_grades``).
    """
    reference = getattr(command, "reference", None)
    if isinstance(reference, str):
        found = reference_problem("reference", reference)
        if found is not None:
            return found
    for attribute in attrs.fields(type(command)):
        if attribute.name == "reference":
            continue  # checked first
        inner = getattr(command, attribute.name)
        if attribute.name == "details" and attrs.has(type(inner)):
            found = _fields(inner)
        elif attribute.name == "changes":
            found = _changes_problem(inner)
        else:
            found = _walk(attribute.name, inner)
        if found is not None:
            return found
    return None
