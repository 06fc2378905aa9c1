"""The fields real registers need, through the command line on SQLite: priority,
management's response, the body a recommendation is addressed to, the outcome "not
implemented", several bodies in one store (--body) and the roll-up of a national
recommendation across them."""

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


def _report(reference: str, body: str, on: str, *extra: str) -> None:
    _do(
        "publish-report",
        reference,
        "--title",
        f"Report {reference}",
        "--body",
        body,
        "--inspectorate",
        "Inspectorate",
        *extra,
        on=on,
    )


def _raise(reference: str, on: str, *extra: str, report: str = "REP-1", text: str = "") -> None:
    _do("raise", reference, "--report", report, "--text", text or f"Do {reference}", *extra, on=on)


def _register(*args: str) -> list[dict[str, str]]:
    text = ok(invoke("--store", STORE, "register", *args, "--format", "csv"))
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _json(*args: str) -> Any:
    return json.loads(ok(invoke("--store", STORE, *args, "--format", "json")))


def _discharge(reference: str, outcome: str, on: str) -> None:
    _do(
        "discharge",
        reference,
        "--outcome",
        outcome,
        "--accepted-by",
        "Chair",
        "--acceptor-role",
        "audit-committee",
        on=on,
    )


def test_priority_and_response_in_the_audit_office_preset() -> None:
    _do("init", "--preset", "audit-office", on="2019-01-01")
    _report("REP-1", "Finance directorate", "2019-02-01")
    _raise("IA-1", "2019-02-01", "--priority", "1", "--response", "agreed", "--owner", "CFO")
    _raise(
        "IA-2",
        "2019-02-01",
        "--priority",
        "2",
        "--response",
        "partly-agreed",
        "--response-text",
        "Agreed for the main sites only.",
    )
    _raise("IA-3", "2019-02-01")
    assert "rule 'priority-configured'" in _refused(
        "raise", "IA-4", "--report", "REP-1", "--text", "x", "--priority", "high", on="2019-02-01"
    )
    _do("prioritise", "IA-3", "3", on="2019-02-10")
    _do("respond", "IA-3", "not-agreed", "--text", "The risk is accepted.", on="2019-02-12")
    assert "rule 'no-change'" in _refused("prioritise", "IA-3", "3", on="2019-02-13")
    assert "rule 'priority-configured'" in _refused("prioritise", "IA-3", "4", on="2019-02-13")
    rows = _register("--as-at", "2019-03-01")
    assert [(r["reference"], r["priority"], r["response"], r["response_text"]) for r in rows] == [
        ("IA-1", "1", "agreed", ""),
        ("IA-2", "2", "partly-agreed", "Agreed for the main sites only."),
        ("IA-3", "3", "not-agreed", "The risk is accepted."),
    ]
    # as at a day before the priority was given, IA-3 had none
    earlier = _register("--as-at", "2019-02-05", "--priority", "3")
    assert earlier == []
    assert [r["reference"] for r in _register("--as-at", "2019-03-01", "--priority", "1")] == [
        "IA-1"
    ]
    table = ok(invoke("--store", STORE, "register", "--as-at", "2019-03-01"))
    assert "Priority" in table and "Response" in table and "partly-agreed" in table
    trail = ok(invoke("--store", STORE, "history", "IA-3", "--format", "csv"))
    assert "Prioritised" in trail and "ResponseRecorded" in trail
    assert "priority: 3" in trail and "The risk is accepted." in trail
    # a priority is corrected like any other entry
    _do(
        "correct",
        "IA-3",
        "2",
        "--what-was-wrong",
        "the committee gave priority 2",
        "--set",
        "priority=2",
        on="2019-02-10",
    )
    assert [r["priority"] for r in _register("--as-at", "2019-03-01")] == ["1", "2", "2"]
    shown = ok(invoke("--store", STORE, "config"))
    assert "[priorities]" in shown and '"1" = "Priority 1 (high)"' in shown


def test_a_store_without_priorities_refuses_one_and_shows_no_column() -> None:
    _report("REP-1", "Force", "2019-02-01")
    _raise("R-1", "2019-02-01")
    assert "rule 'priority-configured'" in _refused("prioritise", "R-1", "1", on="2019-02-02")
    table = ok(invoke("--store", STORE, "register", "--as-at", "2019-03-01"))
    assert "Priority" not in table and "Addressed" not in table


def test_addressed_to_another_body() -> None:
    _report("REP-1", "Home Office", "2019-02-01")
    _raise("R-1", "2019-02-01", "--addressed-to", "College of Policing")
    _raise("R-2", "2019-02-01")
    assert "rule 'addressed-body'" in _refused(
        "raise", "R-3", "--report", "REP-1", "--text", "x", "--scope", "addressed", on="2019-02-01"
    )
    assert "rule 'addressed-body'" in _refused(
        "raise",
        "R-4",
        "--report",
        "REP-1",
        "--text",
        "x",
        "--scope",
        "body",
        "--addressed-to",
        "College of Policing",
        on="2019-02-01",
    )
    rows = _register("--as-at", "2019-03-01")
    assert [(r["reference"], r["scope"], r["addressed_to"]) for r in rows] == [
        ("R-1", "addressed", "College of Policing"),
        ("R-2", "body", ""),
    ]
    listed = _json("register", "--as-at", "2019-03-01", "--body", "College of Policing")
    rows_listed = [row for row in listed if "reference" in row]
    assert [row["reference"] for row in rows_listed] == ["R-1"]
    assert rows_listed[0]["addressed_to"] == "College of Policing"
    table = ok(invoke("--store", STORE, "register", "--as-at", "2019-03-01"))
    assert "Addressed to" in table and "College of Policing" in table
    for format_ in ("md", "html"):
        shown = ok(
            invoke("--store", STORE, "register", "--as-at", "2019-03-01", "--format", format_)
        )
        assert "Addressed to" in shown and "College of Policing" in shown, format_


def test_not_implemented_is_an_outcome_the_policy_must_allow() -> None:
    _do("init", "--preset", "audit-office", on="2019-01-01")
    _report("REP-1", "Finance directorate", "2019-02-01")
    _raise("IA-1", "2019-02-01")
    _raise("IA-2", "2019-02-01")
    _discharge("IA-1", "not-implemented", "2019-05-01")
    _discharge("IA-2", "implemented", "2019-05-01")
    update = _json("committee-update", "--since", "2019-01-15", "--as-at", "2019-06-01")["update"]
    (count,) = update["counts"]
    assert (count["total"], count["discharged"], count["not_implemented"]) == (2, 2, 1)
    paper = ok(
        invoke(
            "--store", STORE, "committee-update", "--since", "2019-01-15", "--as-at", "2019-06-01"
        )
    )
    assert "2 discharged (1 closed not implemented)" in " ".join(paper.split())
    # the default policy does not offer it
    other = ["--store", "sqlite:///other.db"]
    ok(
        invoke(
            *other,
            "publish-report",
            "REP-1",
            "--title",
            "Report",
            "--body",
            "Force",
            "--inspectorate",
            "HMIC",
            "--effective",
            "2019-02-01",
            *ENTRY,
        )
    )
    ok(
        invoke(
            *other,
            "raise",
            "R-1",
            "--report",
            "REP-1",
            "--text",
            "x",
            "--effective",
            "2019-02-01",
            *ENTRY,
        )
    )
    refused = invoke(
        *other,
        "discharge",
        "R-1",
        "--outcome",
        "not-implemented",
        "--accepted-by",
        "HMIC",
        "--acceptor-role",
        "inspectorate",
        "--effective",
        "2019-03-01",
        *ENTRY,
    )
    assert refused.exit_code == 1 and "rule 'outcome-configured'" in refused.stderr


def _national_store() -> None:
    _do("init", "--preset", "audit-office", on="2019-01-01")
    _report("NAT-1", "All councils", "2019-02-01", "--national")
    words = "Publish a register of gifts and hospitality."
    for number, body in enumerate(("Ashby", "Brent", "Crewe", "Dover"), start=1):
        _raise(f"NAT-1/{number}", "2019-02-01", "--addressed-to", body, report="NAT-1", text=words)
    _raise("NAT-1/other", "2019-02-01", "--addressed-to", "Ashby", report="NAT-1")
    _report("LOC-1", "Ashby", "2019-02-01")
    _raise("LOC-1/1", "2019-02-01", report="LOC-1")
    _discharge("NAT-1/1", "implemented", "2019-06-01")
    _discharge("NAT-1/3", "not-implemented", "2019-06-01")


def test_rollup_of_a_national_recommendation() -> None:
    _national_store()
    rolled = _json("rollup", "NAT-1/2", "--as-at", "2019-07-01")
    assert [(b["body"], b["reference"], b["status"], b["outcome"]) for b in rolled["bodies"]] == [
        ("Ashby", "NAT-1/1", "discharged", "implemented"),
        ("Brent", "NAT-1/2", "open", None),
        ("Crewe", "NAT-1/3", "discharged", "not-implemented"),
        ("Dover", "NAT-1/4", "open", None),
    ]
    assert rolled["totals"] == {
        "total": 4,
        "implemented": 1,
        "open": 2,
        "not_implemented": 1,
        "closed_other": 0,
    }
    before = _json("rollup", "NAT-1/2", "--as-at", "2019-03-01")
    assert before["totals"]["open"] == 4
    table = ok(invoke("--store", STORE, "rollup", "NAT-1/1", "--as-at", "2019-07-01"))
    assert "1 implemented, 2 open, 1 closed not implemented" in " ".join(table.split())
    missing = invoke("--store", STORE, "rollup", "NAT-9")
    assert missing.exit_code == 1 and "rule 'exists'" in missing.stderr
    # the new entries are leaves of the Merkle tree like any other
    _do("prioritise", "NAT-1/2", "3", on="2019-06-02")
    _do("respond", "NAT-1/2", "partly-agreed", "--text", "In part.", on="2019-06-02")
    ok(invoke("--store", STORE, "seal"))
    said = ok(invoke("--store", STORE, "verify"))
    assert "entries give the tree the store keeps" in said, said
    proof = invoke("--store", STORE, "prove", "NAT-1/2", "-o", "nat-1-2.json")
    assert proof.exit_code == 0, proof.stderr


def test_body_filter_on_the_register_the_trail_the_paper_and_the_export(tmp_path: Path) -> None:
    _national_store()
    ashby = _register("--as-at", "2019-07-01", "--body", "Ashby")
    assert [r["reference"] for r in ashby] == ["LOC-1/1", "NAT-1/1", "NAT-1/other"]
    trail = list(
        csv.DictReader(
            io.StringIO(
                ok(invoke("--store", STORE, "trail", "--body", "Brent", "--format", "csv")).lstrip(
                    "\ufeff"
                )
            )
        )
    )
    assert {row["reference"] for row in trail} == {"configuration", "reminders", "NAT-1", "NAT-1/2"}
    whole = ok(invoke("--store", STORE, "trail", "--format", "csv"))
    assert "LOC-1/1" in whole and "LOC-1/1" not in str(trail)
    update = _json(
        "committee-update", "--since", "2019-01-15", "--as-at", "2019-07-01", "--body", "Crewe"
    )["update"]
    (count,) = update["counts"]
    assert (count["report"]["reference"], count["total"], count["not_implemented"]) == (
        "NAT-1",
        1,
        1,
    )
    ok(invoke("--store", STORE, "export", "-o", "ashby.json", "--body", "Ashby"))
    exported = json.loads((tmp_path / "ashby.json").read_text("utf-8"))
    text = json.dumps(exported)
    assert "NAT-1/1" in text and "LOC-1/1" in text and "NAT-1/2" not in text
