"""The PostgreSQL store on the West Midlands scenario: the view tables equal the fold on every
basis, and every other answer equals the memory store's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from psycopg import sql

import recommendations as r
from recommendations import demo, domain, views
from recommendations_postgresql import PostgresTables
from tests.postgres import PostgresDatabase, PostgresServer

_START = datetime(2017, 4, 10, 9, tzinfo=UTC)


class _Clock:
    """Recorded time the test controls: a minute on at each reading."""

    def __init__(self) -> None:
        self.now = _START
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(minutes=1)
            return self.now


@pytest.fixture(scope="module")
def built(postgres_server: PostgresServer) -> Iterator[str]:
    """A database holding the scenario, shared by this module's tests: they only read it."""
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    with r.Tracker(url, clock=_Clock()) as tracker:
        demo.build(tracker)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def postgres(built: str) -> Iterator[r.Tracker]:
    with r.Tracker(built, clock=_Clock()) as tracker:
        yield tracker


@pytest.fixture(scope="module")
def memory() -> Iterator[r.Tracker]:
    """The same scenario with the same recorded times, in memory: the reference."""
    with r.Tracker("memory://", clock=_Clock()) as tracker:
        demo.build(tracker)
        yield tracker


def _bases(tracker: r.Tracker) -> Iterator[views.Basis]:
    logged = list(tracker.log())
    times = [x.event.recorded_at for x in logged]
    head = tracker.head()
    days = sorted({x.event.effective_on for x in logged})
    for as_at in [*days[:: max(1, len(days) // 8)], date(2030, 1, 1), date.max, date.min]:
        for known_at in (
            times[0] - timedelta(microseconds=1),
            times[0],
            times[len(times) // 3],
            times[len(times) // 2] + timedelta(seconds=30),
            times[-1],
            datetime.max.replace(tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
        ):
            for position in (0, 1, head // 4, head // 2, head - 1, head):
                yield views.Basis(as_at=as_at, known_at=known_at, position=position)


def test_the_log_reads_back_as_the_memory_store_holds_it(
    postgres: r.Tracker, memory: r.Tracker
) -> None:
    assert [(x.position, x.event) for x in postgres.log()] == [
        (x.position, x.event) for x in memory.log()
    ]
    assert postgres.head() == memory.head() == len(demo.diary())


def test_the_register_is_the_fold_on_every_basis(postgres: r.Tracker) -> None:
    assert postgres.tables.catch_up() == 0
    logged = list(postgres.log())
    checked = 0
    for basis in _bases(postgres):
        got = postgres.register(as_at=basis.as_at, known_at=basis.known_at, position=basis.position)
        # The basis names the last position the answer includes (see _included).
        assert got.basis == attrs.evolve(basis, position=_included(logged, basis)), basis
        assert got == views.build_register(logged, got.basis), basis
        assert got.rows == views.build_register(logged, basis).rows, basis
        checked += len(got)
    assert checked > 5_000  # the bases reach far into the scenario, not only its edges
    # and the fold the tracker computes itself agrees
    basis = postgres.basis(as_at=demo.COMMITTEE)
    assert postgres.register(
        as_at=basis.as_at, known_at=basis.known_at
    ) == postgres.register_by_fold(as_at=basis.as_at, known_at=basis.known_at)


def test_filtered_registers_are_the_folds(postgres: r.Tracker) -> None:
    known_at = postgres.basis().known_at
    for where in (
        views.RegisterFilter(grade="green"),
        views.RegisterFilter(report="CORE-BUSINESS-2014", status=r.Status.OPEN),
        views.RegisterFilter(overdue=True),
        views.RegisterFilter(scope=r.Scope.NATIONAL),
    ):
        for as_at in (date(2015, 6, 30), demo.COMMITTEE):
            got = postgres.register(as_at=as_at, known_at=known_at, where=where)
            assert got == postgres.register_by_fold(as_at=as_at, known_at=known_at, where=where)
            assert got == memory_register(postgres, as_at, known_at, where)


def memory_register(
    tracker: r.Tracker, as_at: date, known_at: datetime, where: views.RegisterFilter
) -> views.Register:
    """The register of ``tracker``'s log, folded in memory without the tracker."""
    logged = list(tracker.log())
    basis = views.Basis(as_at=as_at, known_at=known_at, position=tracker.head())
    basis = attrs.evolve(basis, position=_included(logged, basis))
    return views.build_register(logged, basis, where)


def _included(logged: list[r.Positioned], basis: views.Basis) -> int:
    """The last position up to ``basis.position`` recorded by ``basis.known_at``."""
    return max(
        (
            x.position
            for x in logged
            if x.position <= basis.position and x.event.recorded_at <= basis.known_at
        ),
        default=0,
    )


def test_histories_trails_and_the_committee_update_equal_the_memory_stores(
    postgres: r.Tracker, memory: r.Tracker
) -> None:
    known_at = _START + timedelta(days=365)
    references = [row.reference for row in memory.register(known_at=known_at)]
    assert len(references) > 60
    for reference in references:
        assert postgres.history(reference, known_at=known_at) == memory.history(
            reference, known_at=known_at
        )
    assert postgres.trail(known_at=known_at) == memory.trail(known_at=known_at)
    for audience in views.Audience:
        assert postgres.committee_update(
            since=demo.PREVIOUS_COMMITTEE,
            as_at=demo.COMMITTEE,
            known_at=known_at,
            audience=audience,
        ) == memory.committee_update(
            since=demo.PREVIOUS_COMMITTEE,
            as_at=demo.COMMITTEE,
            known_at=known_at,
            audience=audience,
        )


def test_other_programs_can_read_the_views_with_plain_sql(
    built: str, postgres: r.Tracker, postgres_server: PostgresServer
) -> None:
    name = built.rsplit("/", 1)[1]
    with postgres_server.connect(name) as connection:
        grades = dict(
            connection.execute(
                "SELECT grade, count(*) FROM rec_register "
                "WHERE report = 'CORE-BUSINESS-2014' GROUP BY grade"
            ).fetchall()
        )
        as_at = connection.execute(
            "SELECT count(*) FROM rec_register_history WHERE report = 'CORE-BUSINESS-2014' "
            "AND grade = 'green' AND daterange(valid_from, valid_to) @> date '2016-12-31' "
            "AND recorded_to IS NULL"
        ).fetchone()
        trail = connection.execute(
            "SELECT event_type, actor, details FROM rec_audit_trail WHERE reference = 'UC-21' "
            "ORDER BY position"
        ).fetchall()
        connection.execute("SET enable_seqscan = off")  # the tables are small
        assert isinstance(postgres.tables, PostgresTables)
        statement, parameters = postgres.tables._dialect.history(
            views.Basis(as_at=demo.COMMITTEE, known_at=datetime.now(UTC), position=100),
            "reference",
            indexed=True,
        )
        plans = [
            "\n".join(row[0] for row in connection.execute(query, parameters).fetchall())
            for query, parameters in (
                (
                    "EXPLAIN SELECT reference FROM rec_register_history "
                    "WHERE daterange(valid_from, valid_to) @> date '2016-12-31' "
                    "AND tstzrange(recorded_from, recorded_to) @> now()",
                    None,
                ),
                (
                    "EXPLAIN " + statement,
                    parameters,
                ),
            )
        ]
    assert grades == {"green": 33, "amber": 6}
    assert as_at is not None and as_at[0] < 33  # three went green in 2017
    assert trail[0][0] == "Raised"
    assert {row[1] for row in trail} == {demo.TRACKER_MANAGER}
    assert isinstance(trail[0][2], dict)  # details are jsonb
    for plan in plans:  # the period index finds the rows
        assert "rec_register_history_periods" in plan, plan


def test_a_rebuild_gives_the_same_rows(built: str) -> None:
    with r.Tracker(built) as tracker:
        assert isinstance(tracker.tables, PostgresTables)
        before = tracker.tables.digest()
        assert tracker.tables.rebuild() == tracker.head()
        assert tracker.tables.digest() == before
        assert tracker.tables.catch_up() == 0  # nothing is applied twice


def test_extreme_times_are_answered_like_the_fold(postgres: r.Tracker) -> None:
    for known_at in (
        datetime.max.replace(tzinfo=UTC),
        datetime(6100, 1, 1, tzinfo=UTC),
        datetime(999, 1, 1, tzinfo=timezone(timedelta(hours=13))),
        datetime.min.replace(tzinfo=UTC),
    ):
        for as_at in (date.min, date(2015, 6, 30), demo.COMMITTEE, date.max):
            got = postgres.register(as_at=as_at, known_at=known_at)
            assert got == postgres.register_by_fold(
                as_at=as_at, known_at=known_at, position=got.basis.position
            )
    everything = postgres.register(as_at=date.max, known_at=datetime.max.replace(tzinfo=UTC))
    assert len(everything) > 60


# --- a store of its own ---------------------------------------------------------------------


def _scenario(tracker: r.Tracker, count: int | None = None) -> None:
    demo.diary().play(tracker, limit=count)


def test_two_trackers_see_each_others_writes(postgres_database: PostgresDatabase) -> None:
    url = postgres_database.url()
    clock = _Clock()  # one time for both, as on one machine
    with r.Tracker(url, clock=clock) as first, r.Tracker(url, clock=clock) as second:
        _scenario(first, 40)
        assert second.head() == 40
        seen = second.register(as_at=demo.COMMITTEE)
        assert seen.rows
        assert seen == first.register(as_at=demo.COMMITTEE, known_at=seen.basis.known_at)
        reference = first.register().rows[0].reference
        recorded = second.execute(
            r.NoteProgress(
                reference=reference,
                note="seen from the other tracker",
                effective_on=demo.COMMITTEE,
                by="clerk",
                reason="test",
            )
        )
        assert first.events(reference)[-1] == recorded.event
        assert first.history(reference).entries[-1].position == recorded.position
        assert first.register().basis.position == recorded.position


def test_views_catch_up_after_another_tracker_writes_and_apply_each_entry_once(
    postgres_database: PostgresDatabase,
) -> None:
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as reader:
        before = reader.tables.position()
        with r.Tracker(url, clock=_Clock()) as writer:
            _scenario(writer, 60)
        assert reader.tables.position() == 60  # the writer applied them, in the same tables
        assert reader.tables.catch_up() == 0
        assert before == 0
    with postgres_database.connect() as connection:
        trail = connection.execute("SELECT count(*) FROM rec_audit_trail").fetchone()
    assert trail == (60,)


def test_views_resume_where_they_stopped_after_a_crash(
    postgres_database: PostgresDatabase,
) -> None:
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        _scenario(tracker)
        assert isinstance(tracker.tables, PostgresTables)
        expected = tracker.tables.digest()
        decoded = 0

        def failing_decode(stored: StoredEvent) -> domain.Event | None:
            nonlocal decoded
            decoded += 1
            if decoded > 150:
                raise RuntimeError("the machine went down")
            return tracker._decode_domain(stored)

        crashing = PostgresTables(postgres_database.connect, failing_decode)
        with crashing._write() as cursor:
            for table in ("rec_register", "rec_register_history", "rec_audit_trail"):
                cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            cursor.execute("UPDATE rec_tracking SET position = 0 WHERE view = 'views'")
        with pytest.raises(RuntimeError, match="went down"):
            crashing.catch_up(page_size=50)
        stopped_at = crashing.position()
        crashing.close()
        assert 0 < stopped_at < tracker.head()
        assert stopped_at % 50 == 0  # whole pages only: the failed page left nothing
        assert tracker.tables.catch_up() == tracker.head() - stopped_at
        assert tracker.tables.digest() == expected


def test_view_tables_of_another_layout_are_made_again(
    postgres_database: PostgresDatabase,
) -> None:
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        _scenario(tracker, 30)
        assert isinstance(tracker.tables, PostgresTables)
        expected = tracker.tables.digest()
    with postgres_database.connect() as connection:
        connection.execute("UPDATE rec_tracking SET position = 0 WHERE view = 'schema'")
        connection.execute("DROP TABLE rec_register_history")
        connection.execute("CREATE TABLE rec_register_history (reference text)")
    with r.Tracker(url) as tracker:
        assert isinstance(tracker.tables, PostgresTables)
        assert tracker.tables.position() == 0  # made again, empty
        assert len(tracker.register()) > 0  # reading catches up
        assert tracker.tables.digest() == expected
    with postgres_database.connect() as connection:
        connection.execute("UPDATE rec_tracking SET position = 99 WHERE view = 'schema'")
    with pytest.raises(r.StoreError, match="layout 99, newer than") as caught:
        r.Tracker(url)
    assert caught.value.rule == "views-schema"


def test_a_rebuild_repairs_rows_changed_outside_the_library(
    postgres_database: PostgresDatabase,
) -> None:
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        _scenario(tracker, 80)
        before = tracker.register().rows
        with postgres_database.connect() as connection:
            connection.execute("UPDATE rec_register SET grade = 'WRONG'")
            connection.execute("DELETE FROM rec_register_history WHERE recorded_to IS NULL")
        with r.Tracker(url) as other:  # this tracker keeps the register it read in memory
            assert {row.grade for row in other.register()} == {"WRONG"}
        reference = next(row.reference for row in before if row.status is r.Status.OPEN)
        with pytest.raises(r.StoreError, match="lack an open history row") as caught:
            tracker.execute(
                r.Assign(
                    reference=reference,
                    owner="Head of Assurance",
                    effective_on=demo.COMMITTEE,
                    by="clerk",
                    reason="test",
                )
            )
        # one transaction: the views could not follow, so the entry was not recorded either
        assert caught.value.rule == "views-current" and "nothing was recorded" in str(caught.value)
        assert tracker.recommendation(reference).owner != "Head of Assurance"
        tracker.tables.rebuild()
        assert tracker.register().rows == tracker.register_by_fold().rows
        tracker.execute(
            r.Assign(
                reference=reference,
                owner="Head of Assurance",
                effective_on=demo.COMMITTEE,
                by="clerk",
                reason="test",
            )
        )
        assert tracker.recommendation(reference).owner == "Head of Assurance"
        assert tracker.register(where=views.RegisterFilter(reference=reference)).rows[0].owner == (
            "Head of Assurance"
        )


def test_a_schema_parameter_keeps_a_separate_store_in_that_schema(
    postgres_database: PostgresDatabase,
) -> None:
    with (
        r.Tracker(postgres_database.url(schema="audit"), clock=_Clock()) as audit,
        r.Tracker(postgres_database.url(), clock=_Clock()) as public,
    ):
        _scenario(audit, 25)
        _scenario(public, 10)
        assert (audit.head(), public.head()) == (25, 10)
        seen = audit.register()
        assert seen == audit.register_by_fold(known_at=seen.basis.known_at)
    with postgres_database.connect() as connection:
        tables = connection.execute(
            "SELECT schemaname, count(*) FROM pg_tables WHERE tablename LIKE 'rec%%' "
            "GROUP BY schemaname ORDER BY schemaname"
        ).fetchall()
        positions = connection.execute(
            "SELECT (SELECT position FROM audit.rec_tracking WHERE view = 'views'), "
            "(SELECT position FROM public.rec_tracking WHERE view = 'views')"
        ).fetchone()
    # the log's table, the five view tables (what is sensitive among them) and the Merkle
    # tree's three (tiles, persons, checkpoints), in each schema
    assert tables == [("audit", 9), ("public", 9)]
    assert positions == (25, 10)


def test_the_views_answer_in_utc_whatever_the_servers_time_zone(
    postgres_database: PostgresDatabase,
) -> None:
    with postgres_database.connect() as connection:
        connection.execute(
            f"ALTER DATABASE {postgres_database.name} SET timezone = 'Pacific/Chatham'"
        )
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        _scenario(tracker, 30)
        assert isinstance(tracker.tables, PostgresTables)
        digest = tracker.tables.digest()
    with postgres_database.connect() as connection:
        zone = connection.execute("SHOW timezone").fetchone()
        connection.execute(f"ALTER DATABASE {postgres_database.name} SET timezone = 'UTC'")
    assert zone == ("Pacific/Chatham",)
    with r.Tracker(url) as tracker:
        assert isinstance(tracker.tables, PostgresTables)
        assert tracker.tables.digest() == digest
        tracker.tables.rebuild()
        assert tracker.tables.digest() == digest


def test_the_views_connection_is_opened_again_after_it_breaks(
    postgres_database: PostgresDatabase, postgres_server: PostgresServer
) -> None:
    url = postgres_database.url()
    with r.Tracker(url, clock=_Clock()) as tracker:
        _scenario(tracker, 20)
        with psycopg.connect(**postgres_server.admin, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'recommendations views' AND datname = %s",
                (postgres_database.name,),
            )
        with pytest.raises(r.StoreError) as caught:
            tracker.tables.position()
        assert caught.value.rule == "store-available"
        assert "terminat" in str(caught.value)
        assert tracker.tables.position() == 20  # a new connection
