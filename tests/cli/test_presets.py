"""Each preset, through the command line alone: `init --preset`, a report and its items,
the register and the committee update, with their figures checked."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import invoke, ok

ENTRY = ["--by", "Clerk", "--reason", "minutes"]
STORE = "sqlite:///r.db"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _do(*args: str, on: str) -> str:
    return ok(invoke("--store", STORE, *args, "--effective", on, *ENTRY))


def _refused(*args: str, on: str) -> str:
    result = invoke("--store", STORE, *args, "--effective", on, *ENTRY)
    assert result.exit_code == 1, result.output
    return result.stderr


def _report(on: str, *extra: str, body: str = "Force") -> None:
    _do(
        "publish-report",
        "REP-1",
        "--title",
        "Report one",
        "--body",
        body,
        "--inspectorate",
        "Inspectorate",
        *extra,
        on=on,
    )


def _raise(reference: str, on: str, *extra: str) -> None:
    _do("raise", reference, "--report", "REP-1", "--text", f"Do {reference}", *extra, on=on)


def _register(*args: str) -> list[dict[str, str]]:
    text = ok(invoke("--store", STORE, "register", *args, "--format", "csv"))
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _update(since: str, as_at: str) -> dict[str, Any]:
    text = ok(
        invoke(
            "--store",
            STORE,
            "committee-update",
            "--since",
            since,
            "--as-at",
            as_at,
            "--format",
            "json",
        )
    )
    update: dict[str, Any] = json.loads(text)["update"]
    return update


def _grades(update: dict[str, Any]) -> dict[str, int]:
    (count,) = update["counts"]
    return {grade["grade"]: grade["count"] for grade in count["by_grade"]}


def test_hmicfrs(tmp_path: Path) -> None:
    _do("init", "--preset", "hmicfrs", on="2019-01-01")
    assert Path("r.db").exists()
    _report("2019-02-01", "--overall-grade", "adequate")  # a PEEL grade of 2021 on
    _raise("A", "2019-02-01", "--grade", "amber")
    _raise("B", "2019-02-01", "--grade", "not-ours", "--scope", "national")
    _raise("C", "2019-02-01", "--grade", "red", "--kind", "area-for-improvement")
    rows = _register("--as-at", "2019-03-01")
    assert [(r["reference"], r["grade"], r["kind"]) for r in rows] == [
        ("A", "amber", "recommendation"),
        ("B", "not-ours", "recommendation"),
        ("C", "red", "area-for-improvement"),
    ]
    theirs = _register("--as-at", "2019-03-01", "--grade", "Not this force's responsibility")
    assert [r["reference"] for r in theirs] == ["B"]
    update = _update("2019-01-15", "2019-03-01")
    (count,) = update["counts"]
    assert count["total"] == 2  # B is another body's to act on: not in the body's totals
    assert _grades(update) == {"red": 1, "amber": 1}
    assert [row["reference"] for row in update["reds"]] == ["C"]
    assert len(update["rows"]) == 3  # but still on the register
    assert "rule 'acceptor-allowed'" in _refused(
        "discharge",
        "A",
        "--outcome",
        "implemented",
        "--accepted-by",
        "Chief Constable",
        "--acceptor-role",
        "body",
        on="2019-04-01",
    )


def test_hmics(tmp_path: Path) -> None:
    _do("init", "--preset", "hmics", on="2019-01-01")
    _report("2019-02-01")
    _raise("A", "2019-02-01", "--grade", "draft", "--owner", "Head of Custody")
    _raise("B", "2019-02-01", "--grade", "submitted", "--due", "2019-12-31")
    _raise("C", "2019-02-01", "--kind", "area-for-development", "--grade", "agreed")
    assert _register("--as-at", "2019-06-01", "--overdue") == []
    # A year after publication, the items with no due date are overdue; B by its date.
    late = _register("--as-at", "2020-03-01", "--overdue")
    assert [r["reference"] for r in late] == ["A", "B", "C"]
    on_the_day = _register("--as-at", "2020-02-01", "--overdue")
    assert [r["reference"] for r in on_the_day] == ["B"]
    # The body proposes closure; the inspectorate, and only it, accepts it.
    _do("regrade", "A", "agreed", on="2019-09-01")
    _do("claim", "A", "Plan carried out.", on="2019-10-01")
    assert "rule 'acceptor-allowed'" in _refused(
        "discharge",
        "A",
        "--outcome",
        "implemented",
        "--accepted-by",
        "Chief Constable",
        "--acceptor-role",
        "body",
        on="2019-11-01",
    )
    _do(
        "discharge",
        "A",
        "--outcome",
        "implemented",
        "--accepted-by",
        "HMICS",
        "--acceptor-role",
        "inspectorate",
        on="2019-11-01",
    )
    update = _update("2019-12-01", "2020-03-01")
    assert [row["reference"] for row in update["overdue"]] == ["B", "C"]
    (count,) = update["counts"]
    assert (count["total"], count["discharged"]) == (3, 1)
    assert _grades(update) == {"submitted": 1, "agreed": 1}
    paper = ok(
        invoke(
            "--store", STORE, "committee-update", "--since", "2019-10-15", "--as-at", "2020-03-01"
        )
    )
    (row,) = [line for line in paper.splitlines() if line.startswith("| A | Report one |")]
    assert row.split(" | ")[3] == "Closed"  # the status, by the preset's label
    assert "Discharged (Implemented)" in paper
    assert update["statuses"][1] == {"code": "claimed", "label": "Closure proposed"}
    shown = ok(invoke("--store", STORE, "config"))
    assert 'claimed = "Closure proposed"' in shown.replace('"claimed"', "claimed")


def test_gao(tmp_path: Path) -> None:
    _do("init", "--preset", "gao", on="2019-01-01")
    _report("2019-02-01", body="Department of Veterans Affairs")
    _raise("GAO-19-1", "2019-02-01", "--priority", "priority", "--grade", "open")
    _raise("GAO-19-2", "2019-02-01", "--grade", "open")
    _do("regrade", "GAO-19-2", "open-partially-addressed", on="2019-05-01")
    rows = _register("--as-at", "2019-06-01")
    assert [(r["reference"], r["priority"], r["grade"], r["body"]) for r in rows] == [
        ("GAO-19-1", "priority", "open", "Department of Veterans Affairs"),
        (
            "GAO-19-2",
            "",
            "open-partially-addressed",
            "Department of Veterans Affairs",
        ),
    ]
    assert "rule 'kind-configured'" in _refused(
        "raise",
        "GAO-19-3",
        "--report",
        "REP-1",
        "--text",
        "x",
        "--kind",
        "priority-recommendation",
        on="2019-02-01",
    )
    partly = _register("--as-at", "2019-06-01", "--grade", "open - partially addressed")
    assert [r["reference"] for r in partly] == ["GAO-19-2"]
    assert "rule 'outcome-configured'" in _refused(
        "discharge",
        "GAO-19-1",
        "--outcome",
        "closed-by-inspectorate",
        "--accepted-by",
        "GAO",
        "--acceptor-role",
        "gao",
        on="2019-07-01",
    )
    _do("regrade", "GAO-19-1", "closed-implemented", on="2019-07-01")
    _do(
        "discharge",
        "GAO-19-1",
        "--outcome",
        "implemented",
        "--accepted-by",
        "GAO",
        "--acceptor-role",
        "gao",
        on="2019-07-01",
    )
    update = _update("2019-03-01", "2019-08-01")
    (count,) = update["counts"]
    assert (count["total"], count["discharged"]) == (2, 1)
    assert _grades(update) == {"open-partially-addressed": 1}
    assert [(m["reference"], m["event"]) for m in update["movements"]] == [
        ("GAO-19-2", "Regraded"),
        ("GAO-19-1", "Regraded"),
        ("GAO-19-1", "Discharged"),
    ]


def test_audit_office(tmp_path: Path) -> None:
    _do("init", "--preset", "audit-office", on="2019-01-01")
    _report("2019-02-01", "--overall-grade", "limited", body="Finance directorate")
    _raise(
        "IA-1",
        "2019-02-01",
        "--priority",
        "1",
        "--response",
        "agreed",
        "--grade",
        "in-progress",
        "--owner",
        "Director of Finance",
        "--owner-name",
        "Sam Patel",
        "--due",
        "2019-06-30",
    )
    _raise(
        "IA-2",
        "2019-02-01",
        "--priority",
        "2",
        "--response",
        "partly-agreed",
        "--grade",
        "in-progress",
        "--due",
        "2019-09-30",
    )
    _raise("IA-3", "2019-02-01", "--priority", "3", "--grade", "not-started")
    _do("respond", "IA-3", "not-agreed", "--text", "The risk is accepted.", on="2019-02-15")
    rows = _register("--as-at", "2019-07-01")
    assert [(r["reference"], r["priority"], r["response"], r["owner"]) for r in rows] == [
        ("IA-1", "1", "agreed", "Director of Finance"),
        ("IA-2", "2", "partly-agreed", ""),
        ("IA-3", "3", "not-agreed", ""),
    ]
    overdue = _register("--as-at", "2019-07-01", "--overdue")
    assert [r["reference"] for r in overdue] == ["IA-1"]
    update = _update("2019-01-15", "2019-07-01")
    assert _grades(update) == {"not-started": 1, "in-progress": 2}
    assert [row["reference"] for row in update["reds"]] == ["IA-3"]
    assert [row["reference"] for row in update["overdue"]] == ["IA-1"]
    assert "rule 'acceptor-allowed'" in _refused(
        "discharge",
        "IA-1",
        "--outcome",
        "implemented",
        "--accepted-by",
        "HMIC",
        "--acceptor-role",
        "inspectorate",
        on="2019-07-02",
    )


def test_an_unknown_preset_is_refused_and_makes_no_store(tmp_path: Path) -> None:
    said = _refused("init", "--preset", "ofsted", on="2019-01-01")
    assert "rule 'known-preset'" in said
    assert not Path("r.db").exists()
