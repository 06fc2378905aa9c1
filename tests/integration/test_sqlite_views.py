"""The materialised views in a SQLite store: plain SQL, exactly once, resumable, rebuildable."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from eventsourcing.persistence import StoredEvent

import recommendations as r
from recommendations import domain, scenarios, views
from recommendations.exports import render_register
from recommendations_sqlite._views import SCHEMA_VERSION, TABLES, SqliteTables

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "west_midlands_2017.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("west_midlands_2017_views", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("views") / "west-midlands.db"
    with r.Tracker(f"sqlite:///{path}") as tracker:
        _example().build(tracker)
    return path


def _copy(store: Path, copy: Path) -> Path:
    """A copy of the store's database, to change without touching the shared one."""
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    return copy


def test_other_programs_can_read_the_register_with_plain_sql(store: Path) -> None:
    with r.Tracker(f"sqlite:///{store}") as tracker:
        assert tracker.tables is not None
        tracker.tables.catch_up()
    with sqlite3.connect(store) as connection:
        grades = dict(
            connection.execute(
                "SELECT grade, count(*) FROM rec_register WHERE report = 'CORE-BUSINESS-2014' "
                "GROUP BY grade"
            ).fetchall()
        )
        as_at = connection.execute(
            "SELECT count(*) FROM rec_register_history WHERE report = 'CORE-BUSINESS-2014' "
            "AND grade = 'green' AND valid_from <= '2016-12-31' AND '2016-12-31' < valid_to "
            "AND recorded_to = '9999-12-31 23:59:59.999999'"
        ).fetchone()[0]
        trail = connection.execute(
            "SELECT event_type, actor FROM rec_audit_trail WHERE reference = 'UC-21' "
            "ORDER BY position"
        ).fetchall()
    connection.close()
    assert grades == {"green": 33, "amber": 6}
    assert as_at < 33  # fewer greens at the end of 2016 (three went green in 2017)
    assert trail[0][0] == "Raised"
    assert {row[0] for row in trail} >= {"Raised", "ProgressNoted"}


def test_the_sql_register_equals_the_fold_at_every_committee(store: Path) -> None:
    with r.Tracker(f"sqlite:///{store}") as tracker:
        for as_at in (date(2014, 12, 18), date(2015, 6, 30), date(2016, 12, 8), date(2017, 3, 30)):
            sql = tracker.register(as_at=as_at)
            fold = tracker.register_by_fold(
                as_at=as_at, known_at=sql.basis.known_at, position=sql.basis.position
            )
            assert sql == fold
            assert len(sql) > 0


def test_a_rebuild_gives_identical_rows(store: Path) -> None:
    with r.Tracker(f"sqlite:///{store}") as tracker:
        assert tracker.tables is not None
        tracker.tables.catch_up()
        before = tracker.tables.digest()
        applied = tracker.tables.rebuild()
        assert applied == tracker.head()
        assert tracker.tables.digest() == before
        assert tracker.tables.catch_up() == 0  # nothing is applied twice


def test_views_resume_where_they_stopped_after_a_crash(store: Path, tmp_path: Path) -> None:
    copy = _copy(store, tmp_path / "copy.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        tracker.tables.catch_up()
        expected = tracker.tables.digest()
        decoded = 0

        def failing_decode(stored: StoredEvent) -> domain.Event:
            nonlocal decoded
            decoded += 1
            if decoded > 150:
                raise RuntimeError("the machine went down")
            return tracker._decode(stored)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(copy, isolation_level=None, check_same_thread=False)

        crashing = SqliteTables(connect, failing_decode)
        with crashing._write() as cursor:
            for table in (*TABLES, "rec_register_history_periods"):
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("DELETE FROM rec_tracking")
        with pytest.raises(RuntimeError, match="went down"):
            crashing.catch_up(page_size=100)
        stopped_at = crashing.position()
        crashing.close()
        assert 0 < stopped_at < tracker.head()
        assert stopped_at % 100 == 0  # whole pages only: the failed page left nothing
        resumed = tracker.tables.catch_up()
        assert resumed == tracker.head() - stopped_at
        assert tracker.tables.digest() == expected


def test_two_readers_catching_up_apply_each_entry_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    with r.Tracker(url) as writer, r.Tracker(url) as other:
        _example().build(writer)
        assert writer.tables is not None and other.tables is not None
        # The writer applied each entry as it recorded it; the other tracker finds nothing
        # left to apply, and neither applies anything twice.
        assert (writer.tables.position(), other.tables.position()) == (writer.head(),) * 2
        assert (writer.tables.catch_up(), other.tables.catch_up()) == (0, 0)
        with sqlite3.connect(tmp_path / "two.db") as connection:
            trail = connection.execute("SELECT count(*) FROM rec_audit_trail").fetchone()[0]
        connection.close()
        assert trail == writer.head()


def test_view_tables_of_another_layout_are_made_again(store: Path, tmp_path: Path) -> None:
    copy = _copy(store, tmp_path / "old.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        expected = tracker.tables.digest()
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE rec_tracking SET position = 1 WHERE view = 'schema'")
        connection.execute("DROP TABLE rec_register_history")
        connection.execute("CREATE TABLE rec_register_history (reference TEXT)")
    connection.close()
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        assert tracker.tables.position() == 0  # made again, empty
        assert len(tracker.register()) > 0  # reading catches up
        assert tracker.tables.digest() == expected


def test_the_current_register_is_read_again_from_memory(store: Path) -> None:
    with r.Tracker(f"sqlite:///{store}") as tracker:
        first = tracker.register()
        again = tracker.register()
        assert again.rows == first.rows
        assert tracker.register(where=r.views.RegisterFilter(grade="red")).rows == tuple(
            row for row in first.rows if row.grade == "red"
        )


def test_extreme_times_are_answered_like_the_fold(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'times.db'}"
    with r.Tracker(url) as tracker:
        _example().build(tracker)
        for known_at in (
            datetime.max.replace(tzinfo=UTC),
            datetime(6100, 1, 1, tzinfo=UTC),
            datetime(999, 1, 1, tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
        ):
            for as_at in (date(2015, 6, 30), date(2017, 3, 30)):
                sql = tracker.register(as_at=as_at, known_at=known_at)
                fold = tracker.register_by_fold(
                    as_at=as_at, known_at=known_at, position=sql.basis.position
                )
                assert sql == fold, (known_at, as_at)
        assert (
            len(
                tracker.register(as_at=date(2015, 6, 30), known_at=datetime.max.replace(tzinfo=UTC))
            )
            > 0
        )


def test_a_rebuild_repairs_what_a_running_tracker_shows(store: Path, tmp_path: Path) -> None:
    copy = _copy(store, tmp_path / "damaged.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        before = tracker.register().rows
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE rec_register SET grade = 'WRONG'")
    connection.close()
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert {row.grade for row in tracker.register()} == {"WRONG"}  # read, and kept
        assert tracker.tables is not None
        tracker.tables.rebuild()
        assert tracker.register().rows == before


# The documented as-at query of docs/reference/view-tables.md, with named parameters.
_AS_AT = (
    "SELECT reference, grade, status FROM rec_register_history "
    "WHERE valid_from <= :day AND (valid_to IS NULL OR :day < valid_to) "
    "AND recorded_from <= :known AND (recorded_to IS NULL OR :known < recorded_to) "
    "ORDER BY reference"
)


def test_a_known_at_pasted_from_an_export_gives_the_register_in_plain_sql(store: Path) -> None:
    with r.Tracker(f"sqlite:///{store}") as tracker:
        times = sorted({x.event.recorded_at for x in tracker.log()})
        for known_at in (times[len(times) // 3], times[len(times) // 2], times[-1]):
            for as_at in (date(2015, 6, 30), date(2017, 3, 30), date.max):
                register = tracker.register(as_at=as_at, known_at=known_at)
                csv = render_register(register, "csv").decode("utf-8-sig").splitlines()
                header, first = csv[0].split(","), csv[1].split(",")
                pasted = first[header.index("basis_known_at")]
                day = first[header.index("basis_as_at")]
                with sqlite3.connect(store) as connection:
                    found = connection.execute(_AS_AT, {"day": day, "known": pasted}).fetchall()
                connection.close()
                expected = [(row.reference, row.grade, row.status.value) for row in register]
                assert found == sorted(expected), (pasted, day)


def test_a_correction_names_the_log_position_of_the_entry_it_corrects(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'corrected.db'}"
    with r.Tracker(url) as tracker:
        _example().build(tracker)
        reference = tracker.register().rows[0].reference
        target = tracker.history(reference).entries[-1]
        recorded = tracker.execute(
            r.Correct(
                reference=reference,
                version=target.version,
                what_was_wrong="recorded against the wrong recommendation",
                strike=True,
                effective_on=date(2017, 3, 30),
                by="clerk",
                reason="test",
            )
        )
    with sqlite3.connect(tmp_path / "corrected.db") as connection:
        corrects = connection.execute(
            "SELECT c.corrects, t.reference, t.version FROM rec_audit_trail c "
            "JOIN rec_audit_trail t ON t.position = c.corrects WHERE c.position = ?",
            (recorded.position,),
        ).fetchone()
    connection.close()
    assert corrects == (target.position, reference, target.version)


def test_view_tables_of_the_earlier_layout_are_made_again_on_open(
    store: Path, tmp_path: Path
) -> None:
    copy = _copy(store, tmp_path / "layout2.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        expected = tracker.tables.digest()
    # Layout 2 ended open periods with sentinels and kept recorded times without an offset.
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE rec_tracking SET position = 2 WHERE view = 'schema'")
        connection.execute("DROP TRIGGER rec_register_history_closed")
        connection.execute(
            "UPDATE rec_register_history SET valid_to = coalesce(valid_to, '9999-12-31'), "
            "recorded_to = coalesce(recorded_to, '9999-12-31 23:59:59.999999'), "
            "recorded_from = replace(replace(recorded_from, 'T', ' '), '+00:00', '')"
        )
    connection.close()
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        assert len(tracker.register()) > 0  # reading catches up
        assert tracker.tables.digest() == expected
    with sqlite3.connect(copy) as connection:
        left = connection.execute(
            "SELECT count(*) FROM rec_register_history WHERE valid_to = '9999-12-31' "
            "OR recorded_to LIKE '9999%' OR recorded_from NOT LIKE '%+00:00'"
        ).fetchone()
        version = connection.execute(
            "SELECT position FROM rec_tracking WHERE view = 'schema'"
        ).fetchone()
    connection.close()
    assert left == (0,)
    assert version == (SCHEMA_VERSION,)


def test_an_earlier_known_at_is_read_through_the_period_index_as_the_fold(tmp_path: Path) -> None:
    """A basis made from a known-at time before the views' position leaves out no entry
    recorded by then, so the register is found through the period index; it is the fold's.
    A position that leaves out entries recorded by then is read by the exact test alone."""
    with r.Tracker(f"sqlite:///{tmp_path / 'demo.db'}") as tracker:
        scenarios.play(scenarios.read(), tracker)
        times = [entry.event.recorded_at for entry in tracker.log()]
        tables = tracker.tables
        assert isinstance(tables, SqliteTables)

        def cut(basis: views.Basis) -> bool:
            with tables._transaction(tables._dialect.begin_read) as cursor:
                return tables._cut_by_known(cursor, basis)

        indexed = []
        for known_at in (times[10], times[len(times) // 3], times[len(times) // 2], times[-2]):
            for as_at in (date(2016, 6, 30), date(2017, 1, 15), date(2017, 3, 30)):
                sql = tracker.register(as_at=as_at, known_at=known_at)
                assert sql.basis.position < tracker.head()
                indexed.append(cut(sql.basis))
                fold = tracker.register_by_fold(
                    as_at=as_at, known_at=known_at, position=sql.basis.position
                )
                assert sql == fold, (known_at, as_at)
        assert all(indexed) and len(indexed) == 12
        halfway = len(times) // 2
        basis = views.Basis(as_at=date(2017, 3, 30), known_at=times[-1], position=halfway)
        assert not cut(basis)
        sql = tracker.register(as_at=date(2017, 3, 30), known_at=times[-1], position=halfway)
        assert sql == tracker.register_by_fold(
            as_at=date(2017, 3, 30), known_at=times[-1], position=halfway
        )


def test_the_margin_for_writers_out_of_order_is_the_service_s() -> None:
    from recommendations._service._store import DISORDER
    from recommendations.sqltables._engine import _DISORDER

    assert _DISORDER == DISORDER


def _periods_as_indexed(path: Path) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """The period index's rows, and the rows it should hold: each history row's periods
    computed in SQL as the index computes them."""
    from recommendations_sqlite._views import _PERIODS

    with sqlite3.connect(path) as connection:
        indexed = connection.execute(
            "SELECT * FROM rec_register_history_periods ORDER BY id"
        ).fetchall()
        expected = connection.execute(
            f"SELECT id, {_PERIODS.format('')} FROM rec_register_history ORDER BY id"
        ).fetchall()
    connection.close()
    return indexed, expected


def test_a_rebuild_makes_the_period_index_again_and_catching_up_keeps_it(
    store: Path, tmp_path: Path
) -> None:
    copy = _copy(store, tmp_path / "periods.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        tracker.tables.catch_up()
        before = _periods_as_indexed(copy)
        tracker.tables.rebuild()
        indexed, expected = _periods_as_indexed(copy)
        assert indexed == expected == before[1]
        # An entry closing open rows moves their recorded ends in the index made again.
        reference = tracker.register().rows[0].reference
        closed = tracker.execute(
            r.Regrade(
                reference=reference,
                grade="red",
                effective_on=date(2017, 3, 30),
                by="inspector",
                reason="test",
            )
        )
        assert closed.position == tracker.head()
        indexed, expected = _periods_as_indexed(copy)
        assert indexed == expected
        assert len(expected) > len(before[1])
        with sqlite3.connect(copy) as connection:
            moved = connection.execute(
                "SELECT count(*) FROM rec_register_history WHERE position_to = ?",
                (closed.position,),
            ).fetchone()[0]
        connection.close()
        assert moved > 0


def test_a_rebuild_makes_a_period_index_dropped_outside_the_library_again(
    store: Path, tmp_path: Path
) -> None:
    copy = _copy(store, tmp_path / "no-periods.db")
    with sqlite3.connect(copy) as connection:
        connection.execute("DROP TABLE rec_register_history_periods")
    connection.close()
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        tracker.tables.rebuild()
    indexed, expected = _periods_as_indexed(copy)
    assert indexed == expected
    assert len(expected) > 0


def test_a_rebuild_writes_through_a_larger_page_cache_and_puts_it_back(
    store: Path, tmp_path: Path
) -> None:
    copy = _copy(store, tmp_path / "cache.db")
    with r.Tracker(f"sqlite:///{copy}") as tracker:
        assert tracker.tables is not None
        expected = tracker.tables.digest()
        seen: list[int] = []

        def decode(stored: StoredEvent) -> domain.Event | None:
            if not seen:  # within the rebuild's transaction, on its connection
                seen.append(tables._connection.execute("PRAGMA cache_size").fetchone()[0])
            return tracker._decode(stored)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(copy, isolation_level=None, check_same_thread=False)

        tables = SqliteTables(connect, decode)
        try:
            tables.position()  # opens its connection
            default = tables._connection.execute("PRAGMA cache_size").fetchone()[0]
            assert tables.rebuild() == tracker.head()
            after = tables._connection.execute("PRAGMA cache_size").fetchone()[0]
            assert tables.digest() == expected
        finally:
            tables.close()
    assert seen == [-65536]
    assert after == default != -65536
