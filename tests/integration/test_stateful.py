"""Random command sequences, backdated and corrected, against a deliberately simple model.

The model below re-states the lifecycle in a few dozen lines of plain Python, with dicts
instead of the domain's classes, and predicts for every command whether it is recorded and
what every recommendation then looks like. At every step the machine checks that:

- the tracker recorded a command exactly when the model accepted it;
- the state the writing tracker reads equals what the model predicts, and equals the state a
  fresh reader replays from the stored log on disk (whole log and per recommendation);
- ``version`` counts the entries of each recommendation's log;
- no stored log, as known at any time, holds a timeline that breaks a rule;
- the incremental rule check (from the timeline as last checked) accepts and refuses every
  command exactly as the full check of the whole timeline does, naming the same rule;
- at the end, the state as known at every earlier step is still what it was then.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import recommendations as r
from recommendations import domain
from recommendations.domain._decide import check_timeline
from recommendations.views import ItemHistory, segments
from tests.conftest import Clock, report_details

REFS = ("A", "B", "C")
BASE = date(2020, 1, 1)
GRADES = ("red", "amber", "green", "purple")  # purple is not on the scale
OWNERS = ("Ann", "Bob")
ROLES = ("inspectorate", "body")  # a body may not accept a recommendation's discharge
ACCEPTING = ("inspectorate", "oversight-board")

refs = st.sampled_from(REFS)
days = st.integers(min_value=0, max_value=40)
maybe_due = st.none() | days


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


# --- the model -------------------------------------------------------------------------------


@attrs.frozen
class Entry:
    v: int
    eff: date
    kind: str
    data: dict[str, Any]


def _amended(entries: list[Entry]) -> list[Entry]:
    kept: dict[int, Entry | None] = {}
    for entry in entries:
        if entry.kind == "correct":
            kept[entry.data["target"]] = entry.data["replacement"]
        else:
            kept[entry.v] = entry
    return [e for e in kept.values() if e is not None]


def model_fold(
    entries: list[Entry], *, new: int | None = None, as_at: date | None = None
) -> tuple[bool, dict[str, Any] | None]:
    """(whether the timeline keeps every rule, the state at its end)."""
    state: dict[str, Any] | None = None
    for e in sorted(_amended(entries), key=lambda e: (e.eff, e.v)):
        if as_at is not None and e.eff > as_at:
            break
        fresh = e.v == new
        d = e.data
        if e.kind == "raise":
            if d["grade"] not in (None, "red", "amber", "green"):
                return False, state
            if d["due"] is not None and d["due"] < e.eff:
                return False, state
            state = {
                "grade": d["grade"],
                "owner": d["owner"],
                "due": d["due"],
                "status": "open",
                "raised": e.eff,
            }
            continue
        if state is None:
            return False, state
        if state["status"] == "discharged" and e.kind != "reopen":
            return False, state
        if e.kind == "assign":
            if fresh and d["owner"] == state["owner"]:
                return False, state
            state["owner"] = d["owner"]
        elif e.kind == "regrade":
            if d["grade"] not in ("red", "amber", "green") or (
                fresh and d["grade"] == state["grade"]
            ):
                return False, state
            state["grade"] = d["grade"]
        elif e.kind == "deadline":
            if d["due"] is not None and d["due"] < state["raised"]:
                return False, state
            if fresh and d["due"] == state["due"]:
                return False, state
            state["due"] = d["due"]
        elif e.kind == "claim":
            if state["owner"] is None or state["status"] == "claimed":
                return False, state
            state["status"] = "claimed"
        elif e.kind == "reject":
            if state["status"] != "claimed":
                return False, state
            state["status"] = "open"
        elif e.kind == "discharge":
            if d["role"] not in ACCEPTING:
                return False, state
            state["status"] = "discharged"
        elif e.kind == "reopen":
            if state["status"] != "discharged":
                return False, state
            state["status"] = "open"
    return True, state


FIELDS = {  # correctable fields the machine tries, by kind of entry
    "raise": {"effective_on", "grade", "owner"},
    "assign": {"effective_on", "owner"},
    "regrade": {"effective_on", "grade"},
}


def _correct_entry(entry: Entry, field: str, value: Any) -> Entry:
    if field == "effective_on":
        return attrs.evolve(entry, eff=value)
    return attrs.evolve(entry, data={**entry.data, field: value})


# --- the machine -----------------------------------------------------------------------------


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="recommendations-stateful-"))
        self.url = f"sqlite:///{self.folder / 'register.db'}"
        self.clock = Clock(datetime(2021, 1, 1, tzinfo=UTC))
        self.tracker = r.Tracker(self.url, clock=self.clock)
        self.tracker.execute(
            r.PublishReport(
                reference="R",
                details=report_details(published_on=date(2019, 12, 1)),
                effective_on=date(2019, 12, 1),
                by="clerk",
                reason="received",
            )
        )
        self.logs: dict[str, list[Entry]] = {ref: [] for ref in REFS}
        self.checked: dict[str, domain.Checked] = {}
        self.report = self.tracker.report("R")
        self.snapshots: list[tuple[datetime, dict[str, dict[str, Any] | None]]] = []

    def teardown(self) -> None:
        recorded = sum(len(entries) for entries in self.logs.values())
        event(f"entries recorded: {min(recorded // 5 * 5, 30)}+")
        corrections = sum(e.kind == "correct" for log in self.logs.values() for e in log)
        event(f"corrections recorded: {corrections}")
        try:
            views = self.tracker.tables
            assert views is not None
            views.catch_up()
            incremental = views.digest()
            views.rebuild()
            assert views.digest() == incremental  # a rebuild item by item gives the same rows
            for known_at, expected in self.snapshots:
                for ref, state in expected.items():
                    if state is None:
                        continue
                    got = self.tracker.recommendation(ref, known_at=known_at)
                    assert self._view(got) == state, (ref, known_at)
        finally:
            self.tracker.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers

    @staticmethod
    def _view(state: domain.Recommendation) -> dict[str, Any]:
        status = {"open": "open", "claimed": "claimed", "discharged": "discharged"}
        return {
            "grade": state.grade,
            "owner": state.owner,
            "due": state.due_on,
            "status": status[state.status.value],
            "raised": state.raised_on,
        }

    def _expect(self) -> dict[str, dict[str, Any] | None]:
        return {ref: model_fold(entries)[1] for ref, entries in self.logs.items()}

    def _both_checks(self, ref: str, command: Any) -> None:
        """Decide ``command`` on the stored log with the full check and with the
        incremental one (from the timeline as checked when the last entry was recorded):
        the same event, or the same refusal; keep what the incremental one leaves."""
        try:
            history = self.tracker.events(ref)
        except r.NotFound:
            history = []
        at = self.clock.now + self.clock.step  # the time the tracker records it at
        outcomes = []
        for decide in (
            lambda: (domain.decide(history, command, recorded_at=at, report=self.report), None),
            lambda: domain.decide_checked(
                history,
                command,
                recorded_at=at,
                report=self.report,
                checked=self.checked.get(ref),
            ),
        ):
            try:
                decided, checked = decide()
            except r.RecommendationsError as error:
                outcomes.append(("refused", type(error), error.field, error.rule, str(error)))
            else:
                outcomes.append(("accepted", decided))
        assert outcomes[0] == outcomes[1], (command, outcomes)
        kept = self.checked.get(ref)
        event(
            "checked from the timeline kept"
            if kept is not None and kept.fits(history)
            else "checked in full"
        )
        if outcomes[1][0] == "accepted":
            assert checked is not None
            self.pending = checked

    def _run(self, ref: str, command: Any, accepted: bool, entry: Entry | None) -> None:
        self.pending: domain.Checked | None = None
        before = len(list(self.tracker.log()))
        self._both_checks(ref, command)
        try:
            recorded = self.tracker.execute(command)
        except r.RecommendationsError as error:
            assert not accepted, f"refused but the model accepts: {error}"
            assert error.reference == ref and error.rule is not None
            assert len(list(self.tracker.log())) == before
            return
        assert accepted, f"recorded but the model refuses: {command}"
        assert entry is not None
        assert self.pending is not None, "recorded but both checks refuse it"
        if self.pending.last == recorded.event:
            self.checked[ref] = self.pending
        else:  # recorded otherwise (at another time): the next check is a full one
            self.checked.pop(ref, None)
        self.logs[ref].append(entry)
        self.snapshots.append((recorded.event.recorded_at, self._expect()))

    def _command(self, ref: str, kind: str, eff: int, data: dict[str, Any]) -> None:
        entries = self.logs[ref]
        entry = Entry(v=len(entries) + 1, eff=day(eff), kind=kind, data=data)
        if kind == "raise":
            accepted = not entries and model_fold([entry], new=1)[0]
        else:
            accepted = bool(entries) and model_fold([*entries, entry], new=entry.v)[0]
        common = {"reference": ref, "effective_on": day(eff), "by": "clerk", "reason": "why"}
        command: Any
        if kind == "raise":
            command = r.Raise(
                report="R",
                text=f"do {ref}",
                grade=data["grade"],
                owner=data["owner"],
                due_on=data["due"],
                **common,
            )
        elif kind == "assign":
            command = r.Assign(owner=data["owner"], **common)
        elif kind == "regrade":
            command = r.Regrade(grade=data["grade"], **common)
        elif kind == "note":
            command = r.NoteProgress(note="progress", **common)
        elif kind == "deadline":
            command = r.ChangeDeadline(due_on=data["due"], **common)
        elif kind == "claim":
            command = r.ClaimImplementation(note="done", **common)
        elif kind == "reject":
            command = r.RejectClaim(**common)
        elif kind == "discharge":
            command = r.Discharge(
                outcome=r.Outcome.IMPLEMENTED,
                accepted_by="Inspector",
                acceptor_role=data["role"],
                **common,
            )
        else:
            command = r.Reopen(**common)
        self._run(ref, command, accepted, entry)

    # -- rules

    @initialize(data=st.data())
    def raise_some(self, data: st.DataObject) -> None:
        """Start with most references raised early, so later commands have something to act
        on; ``raise_`` below still tries duplicates and bad values."""
        for ref in REFS[:-1]:
            eff = data.draw(st.integers(min_value=0, max_value=8), label=f"{ref} raised")
            due = data.draw(st.none() | st.integers(min_value=eff, max_value=40))
            self._command(
                ref,
                "raise",
                eff,
                {
                    "grade": data.draw(st.sampled_from((None, "red", "amber", "green"))),
                    "owner": data.draw(st.none() | st.sampled_from(OWNERS)),
                    "due": None if due is None else day(due),
                },
            )

    @rule(
        ref=refs,
        eff=days,
        grade=st.sampled_from((None, *GRADES)),
        owner=st.none() | st.sampled_from(OWNERS),
        due=maybe_due,
    )
    def raise_(
        self, ref: str, eff: int, grade: str | None, owner: str | None, due: int | None
    ) -> None:
        self._command(
            ref,
            "raise",
            eff,
            {"grade": grade, "owner": owner, "due": None if due is None else day(due)},
        )

    @rule(ref=refs, eff=days, owner=st.sampled_from(OWNERS))
    def assign(self, ref: str, eff: int, owner: str) -> None:
        self._command(ref, "assign", eff, {"owner": owner})

    @rule(ref=refs, eff=days, grade=st.sampled_from(GRADES))
    def regrade(self, ref: str, eff: int, grade: str) -> None:
        self._command(ref, "regrade", eff, {"grade": grade})

    @rule(ref=refs, eff=days)
    def note(self, ref: str, eff: int) -> None:
        self._command(ref, "note", eff, {})

    @rule(ref=refs, eff=days, due=maybe_due)
    def change_deadline(self, ref: str, eff: int, due: int | None) -> None:
        self._command(ref, "deadline", eff, {"due": None if due is None else day(due)})

    @rule(ref=refs, eff=days)
    def claim(self, ref: str, eff: int) -> None:
        self._command(ref, "claim", eff, {})

    @rule(ref=refs, eff=days)
    def reject_claim(self, ref: str, eff: int) -> None:
        self._command(ref, "reject", eff, {})

    @rule(ref=refs, eff=days, role=st.sampled_from(ROLES))
    def discharge(self, ref: str, eff: int, role: str) -> None:
        self._command(ref, "discharge", eff, {"role": role})

    @rule(ref=refs, eff=days)
    def reopen(self, ref: str, eff: int) -> None:
        self._command(ref, "reopen", eff, {})

    @precondition(lambda self: any(self.logs.values()))
    @rule(data=st.data(), eff=days)
    def correct(self, data: st.DataObject, eff: int) -> None:
        ref = data.draw(st.sampled_from([ref for ref in REFS if self.logs[ref]]))
        entries = self.logs[ref]
        version = data.draw(st.integers(min_value=1, max_value=len(entries) + 1))
        choice = data.draw(st.sampled_from(["strike", "effective_on", "grade", "owner"]))
        value: Any = None
        if choice == "effective_on":
            value = day(data.draw(days))
        elif choice == "grade":
            value = data.draw(st.sampled_from(GRADES))
        elif choice == "owner":
            value = data.draw(st.sampled_from(OWNERS))
        command = r.Correct(
            reference=ref,
            version=version,
            what_was_wrong="typo",
            changes={} if choice == "strike" else {choice: value},
            strike=choice == "strike",
            effective_on=day(eff),
            by="clerk",
            reason="why",
        )
        accepted, entry = self._predict_correction(entries, version, choice, value, day(eff))
        self._run(ref, command, accepted, entry)

    def _predict_correction(
        self, entries: list[Entry], version: int, choice: str, value: Any, eff: date
    ) -> tuple[bool, Entry | None]:
        if version > len(entries) or entries[version - 1].kind == "correct":
            return False, None
        current = {e.v: e for e in _amended(entries)}.get(version)
        if current is None:  # struck out already
            return False, None
        raised_on = {e.v: e for e in _amended(entries)}[1].eff
        if eff < raised_on:
            return False, None
        if choice == "strike":
            if current.kind == "raise":
                return False, None
            replacement = None
        else:
            if choice not in FIELDS.get(current.kind, {"effective_on"}):
                return False, None
            replacement = _correct_entry(current, choice, value)
            if replacement == current:
                return False, None
        entry = Entry(
            v=len(entries) + 1,
            eff=eff,
            kind="correct",
            data={"target": version, "replacement": replacement},
        )
        ok, _ = model_fold([*entries, entry])
        return ok, entry

    @rule(eff=days, overdue=st.none() | st.integers(min_value=1, max_value=20))
    def configure(self, eff: int, overdue: int | None) -> None:
        """A change of the store's policy: the overdue rule only, so that the model of each
        item (raised on the default scale) still holds; the registers below judge what is
        overdue by the policy in force on the day asked about."""
        policy = attrs.evolve(domain.DEFAULT_POLICY, overdue_after_days=overdue)
        command = domain.Configure(policy=policy, effective_on=day(eff), by="clerk", reason="why")
        try:
            self.tracker.execute(command)
        except r.RuleViolation as refused:
            assert refused.rule == "no-change"
            return
        in_force = self.tracker.configuration(as_at=day(eff))
        assert in_force == policy

    @precondition(lambda self: bool(self.snapshots))
    @rule(data=st.data(), as_at=days)
    def materialised_register_equals_the_fold(self, data: st.DataObject, as_at: int) -> None:
        """The SQL views, caught up, answer any (V, K) exactly as a fold of the log does."""
        known_at = data.draw(st.sampled_from([moment for moment, _ in self.snapshots]))
        known_at += data.draw(st.sampled_from([timedelta(0), -timedelta(microseconds=1)]))
        sql = self.tracker.register(as_at=day(as_at), known_at=known_at)
        fold = self.tracker.register_by_fold(as_at=day(as_at), known_at=known_at)
        assert sql == fold

    @rule(ref=refs, as_at=days)
    def look_back(self, ref: str, as_at: int) -> None:
        ok, expected = model_fold(self.logs[ref], as_at=day(as_at))
        assert ok
        if expected is None:
            try:
                self.tracker.recommendation(ref, as_at=day(as_at))
            except r.NotFound:
                return
            raise AssertionError(f"{ref} exists as at {day(as_at)} but the model says not")
        got = self.tracker.recommendation(ref, as_at=day(as_at))
        assert self._view(got) == expected

    # -- invariants

    @invariant()
    def tracker_agrees_with_the_model_and_with_a_fresh_replay(self) -> None:
        with r.Tracker(self.url) as reader:
            replayed = {s.reference: s for s in reader.recommendations()}
            for ref, entries in self.logs.items():
                ok, expected = model_fold(entries)
                assert ok
                if not entries:
                    assert ref not in replayed
                    continue
                live = self.tracker.recommendation(ref)
                assert expected is not None and self._view(live) == expected
                assert live.version == len(entries)
                assert replayed[ref] == live
                stored = reader.events(ref)
                assert [e.originator_version for e in stored] == list(range(1, len(entries) + 1))
                assert domain.project(stored) == live

    @invariant()
    def the_current_register_equals_the_fold(self) -> None:
        sql = self.tracker.register()
        basis = sql.basis
        fold = self.tracker.register_by_fold(
            as_at=basis.as_at, known_at=basis.known_at, position=basis.position
        )
        assert sql == fold

    @invariant()
    def no_stored_timeline_breaks_a_rule(self) -> None:
        for ref, entries in self.logs.items():
            if not entries:
                continue
            stored = self.tracker.events(ref)
            for known in range(1, len(stored) + 1):  # the log as known after each entry
                check_timeline(ref, stored[:known], set(), fresh=False)
                assert model_fold(entries[:known])[0]
            # The views' incremental path gives the segments a full fold gives.
            item = ItemHistory.of([])
            for entry in stored:
                item.add(entry)
                assert item.segments == segments(item.log)


Lifecycle.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
test_lifecycle = Lifecycle.TestCase
