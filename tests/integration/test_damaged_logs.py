"""A store the views cannot follow, or a log edited behind the library's back: reads answer
from what the views hold and say so; a damaged log is one clear error naming the position.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import attrs
import psycopg
import pytest

import recommendations as r
from recommendations import domain
from tests.conftest import Clock, report_details, who

NUL = "moved\x00by a tool"


def start(tracker: r.Tracker) -> None:
    """A report (position 1) and a recommendation raised from it (position 2)."""
    tracker.execute(
        r.PublishReport(reference="PEEL-EFF-2016", details=report_details(), **who(3, 2))
    )
    tracker.execute(
        r.Raise(
            reference="2.16", report="PEEL-EFF-2016", text="Supervise.", grade="amber", **who(3, 2)
        )
    )


def bypassing_the_domain(tracker: r.Tracker, reason: str) -> None:
    """A progress note on 2.16 recorded straight through the recorder, as an older version
    or another writer might have: nothing checks what it holds."""
    log = tracker.events("2.16")
    note = r.NoteProgress(reference="2.16", note="under way", **who(4, 1))
    event = domain.decide(log, note, recorded_at=log[-1].recorded_at + timedelta(minutes=1))
    tracker._app.save(attrs.evolve(event, reason=reason))


def refuse_in_the_views(store_url: str, reason: str) -> None:
    """Make the view tables refuse any entry given for ``reason``, as an engine refuses a
    value it cannot hold (a trigger: the engine's own refusal, no mock)."""
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            connection.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
                f"WHEN NEW.reason = '{reason}' BEGIN SELECT RAISE(ABORT, 'not here'); END"
            )
        return
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.reason = '{reason}' THEN RAISE EXCEPTION 'not here'; END IF; "
            "RETURN NEW; END $$"
        )
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON rec_audit_trail "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        )


def check_reads_answer_from_the_views(tracker: r.Tracker, position: int) -> None:
    """The register, history and trail answer; the register's basis is ``position``, the
    last the views applied, and a warning names it and the position they could not apply."""
    with pytest.warns(r.TablesBehindWarning) as warned:
        register = tracker.register()
    assert register.basis.position == position
    assert [row.reference for row in register] == ["2.16"]
    behind = warned[0].message
    assert isinstance(behind, r.TablesBehindWarning)
    assert behind.position == position
    assert f"position {position + 1}" in behind.reason
    assert tracker.tables_behind is not None
    with pytest.warns(r.TablesBehindWarning):
        history = tracker.history("2.16")
    assert [e.position for e in history.entries][:2] == [2, 3]
    with pytest.warns(r.TablesBehindWarning):
        assert len(tracker.trail().entries) >= 3


def check_commands_still_record(tracker: r.Tracker, head: int) -> None:
    """A command is recorded, and says it is though the views are behind."""
    with pytest.raises(r.TablesBehind) as behind:
        tracker.execute(r.Regrade(reference="2.16", grade="green", **who(4, 5)))
    assert [done.position for done in behind.value.recorded] == [head + 1]
    assert isinstance(behind.value, r.StoreError)  # old callers still catch it
    assert tracker.head() == head + 1
    assert tracker.recommendation("2.16").grade == "green"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_an_entry_the_views_refuse_blocks_no_read(
    engine: str, request: pytest.FixtureRequest, tmp_path: Any, clock: Clock
) -> None:
    store_url = (
        request.getfixturevalue("postgres_store_url")
        if engine == "postgresql"
        else f"sqlite:///{tmp_path / 'register.db'}"
    )
    with r.Tracker(store_url, clock=clock) as tracker:
        start(tracker)
        refuse_in_the_views(store_url, "refused")
        bypassing_the_domain(tracker, "refused")  # position 3
        check_reads_answer_from_the_views(tracker, 2)
        check_commands_still_record(tracker, 3)
        with pytest.raises(r.StoreError, match="position 3") as failed:
            tracker.tables.rebuild()
        assert "position 3" in str(failed.value) and "\n" not in str(failed.value)
        assert tracker.tables.position() == 2  # left as they were


def test_a_nul_byte_postgresql_cannot_hold_blocks_no_read(
    postgres_store_url: str, clock: Clock
) -> None:
    with r.Tracker(postgres_store_url, clock=clock) as tracker:
        start(tracker)
        bypassing_the_domain(tracker, NUL)  # position 3: text PostgreSQL refuses
        check_reads_answer_from_the_views(tracker, 2)
        check_commands_still_record(tracker, 3)
        with pytest.raises(r.StoreError, match="position 3"):
            tracker.tables.rebuild()
        # The fold reads the log itself: it has every entry.
        assert tracker.register_by_fold().basis.position == 4


def test_views_current_again_say_nothing(tracker: r.Tracker) -> None:
    start(tracker)
    tracker.register()
    assert tracker.tables_behind is None


# --- a log edited by hand ----------------------------------------------------------------


def _recorded_time_moved_back(store_url: str) -> None:
    """Entry 2 of 2.16 (position 3) recorded, by hand, an hour before its entry 1."""
    item = domain.recommendation_id("2.16")
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            (state,) = connection.execute(
                "SELECT state FROM stored_events WHERE originator_id = ? "
                "AND originator_version = 2",
                (item.hex,),
            ).fetchone()
            connection.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? "
                "AND originator_version = 2",
                (_earlier(bytes(state)), item.hex),
            )
        return
    with psycopg.connect(store_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT state FROM recommendations_events WHERE originator_id = %s "
            "AND originator_version = 2",
            (item,),
        ).fetchone()
        assert row is not None
        connection.execute(
            "UPDATE recommendations_events SET state = %s WHERE originator_id = %s "
            "AND originator_version = 2",
            (_earlier(bytes(row[0])), item),
        )


def _earlier(state: bytes) -> bytes:
    import orjson

    fields = orjson.loads(state)
    fields["recorded_at"] = "2017-03-01T08:00:00+00:00"
    return orjson.dumps(fields)


def _first_entry_deleted(store_url: str) -> None:
    item = domain.recommendation_id("2.16")
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            connection.execute(
                "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 1",
                (item.hex,),
            )
        return
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM recommendations_events WHERE originator_id = %s "
            "AND originator_version = 1",
            (item,),
        )


@pytest.mark.parametrize("edit", [_recorded_time_moved_back, _first_entry_deleted])
def test_a_log_edited_by_hand_is_one_clear_error(store_url: str, clock: Clock, edit: Any) -> None:
    if store_url == "memory://":
        pytest.skip("a memory store cannot be edited from outside")
    with r.Tracker(store_url, clock=clock) as tracker:
        start(tracker)
        tracker.execute(r.Regrade(reference="2.16", grade="green", **who(3, 30)))  # position 3
    edit(store_url)
    with r.Tracker(store_url, clock=clock) as tracker:
        for read in (
            tracker.trail,
            tracker.register_by_fold,
            lambda: tracker.history("2.16"),
            tracker.tables.rebuild,
        ):
            with pytest.raises(r.LogNotIntact) as broken:
                read()
            error = broken.value
            assert error.rule == "log-intact"
            assert error.item == domain.recommendation_id("2.16")
            assert error.position in (2, 3)  # where that item's log breaks
            assert f"position {error.position}" in str(error)
            assert isinstance(error, r.StoreError)


# --- a store that fails while saving ----------------------------------------------------


def test_a_save_the_store_fails_records_nothing_and_says_so(tmp_path: Any, clock: Clock) -> None:
    path = tmp_path / "register.db"
    with r.Tracker(f"sqlite:///{path}", clock=clock) as tracker:
        start(tracker)
        with sqlite3.connect(path) as connection:  # the engine fails on the next entry
            connection.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON stored_events "
                "BEGIN INSERT INTO no_room_left VALUES (1); END"
            )
        regrade = r.Regrade(reference="2.16", grade="green", **who(4, 5))
        for command_id in (None, "regrade-1"):
            with pytest.raises(r.StoreError) as failed:
                tracker.execute(regrade, command_id=command_id)
            # asked afterwards, the log holds nothing of it: neither recorded nor unknown
            assert not isinstance(failed.value, r.TablesBehind | r.OutcomeUnknown)
            assert "no_room_left" in str(failed.value)
            assert tracker.head() == 2
        with sqlite3.connect(path) as connection:
            connection.execute("DROP TRIGGER refuse")
        first = tracker.execute(regrade, command_id="regrade-1")
        assert tracker.execute(regrade, command_id="regrade-1") == first
        assert [type(e).__name__ for e in tracker.events("2.16")] == ["Raised", "Regraded"]
