"""On a PostgreSQL database whose default collation is not C, the register still lists its
rows by reference in code point order from every source, as on every other store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg import sql

import recommendations as r
from tests.conftest import Clock
from tests.integration.test_register_order import _REFERENCES, _build
from tests.postgres import PostgresServer


def test_rows_are_in_code_point_order_on_a_database_of_another_collation(
    postgres_server: PostgresServer,
) -> None:
    name = "rec_icu_collation"
    with psycopg.connect(**postgres_server.admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(
            sql.SQL(
                "CREATE DATABASE {} OWNER {} TEMPLATE template0 "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            ).format(sql.Identifier(name), sql.Identifier(postgres_server.user))
        )
    try:
        clock = Clock(datetime(2017, 3, 2, 9, tzinfo=UTC))
        with r.Tracker(postgres_server.url(name), clock=clock) as tracker:
            with tracker.tables._session() as session:  # type: ignore[attr-defined]
                collation = session.execute(
                    "SELECT datcollate, daticulocale FROM pg_database "
                    "WHERE datname = current_database()"
                ).fetchone()
            assert collation[1] == "en-US"  # not C: its own order puts "alpha" before "Zeta"
            _build(tracker, clock)
            late = tracker.basis().known_at + timedelta(seconds=1)
            bases: list[dict[str, object]] = [
                {},
                {"as_at": date(2017, 4, 1), "known_at": late},
                {"as_at": date(2017, 6, 1), "position": tracker.head() - 1},
            ]
            for basis in bases:
                references = [row.reference for row in tracker.register(**basis)]  # type: ignore[arg-type]
                assert references == sorted(_REFERENCES), basis
                streamed = [line.reference for line in tracker.stream_register(**basis)]  # type: ignore[arg-type]
                assert streamed == sorted(_REFERENCES), basis
    finally:
        postgres_server.drop_database(name)
