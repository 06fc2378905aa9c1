"""The PostgreSQL store's URL, its errors, and the log's positions under concurrent writers."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from urllib.parse import quote

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import Environment

import recommendations as r
from recommendations.stores import StoreURL, adapter_for
from recommendations_postgresql import PostgresStore
from tests.postgres import ENV_URL, PostgresDatabase, PostgresServer

# --- the URL ------------------------------------------------------------------------------------


def _settings(url: str) -> dict[str, str]:
    return PostgresStore().settings(StoreURL.parse(url))


def test_a_url_gives_the_connection_settings() -> None:
    settings = _settings(
        "postgres://clerk:s%2Fcr%40t@db.example:6543/register?schema=audit&pool_size=2"
    )
    assert adapter_for("postgres://db/x").scheme == "postgresql"
    assert settings == {
        "PERSISTENCE_MODULE": "recommendations_postgresql._factory:Factory",
        "POSTGRES_DBNAME": "register",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "clerk",
        "POSTGRES_PASSWORD": "s/cr@t",
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_SCHEMA": "audit",
        "POSTGRES_POOL_SIZE": "2",
    }
    assert _settings("postgresql://h/d?connect_timeout=3")["POSTGRES_CONNECT_TIMEOUT"] == "3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://h/d?connect_timeout=1.5", "'connect_timeout' must be a number of seconds"),
        ("postgresql://h/d?pool_size=-1", "'pool_size' must be a number of connections"),
        ("postgresql://h/d?lock_timeout=", "'lock_timeout' must be a number of seconds"),
        ("postgresql://h/a/b", "names no database"),
    ],
)
def test_a_url_the_adapter_cannot_use_is_refused(url: str, message: str) -> None:
    with pytest.raises(r.ConfigurationError, match=message) as caught:
        _settings(url)
    assert (caught.value.field, caught.value.rule) == ("store", "store-url")


# --- a store that cannot be opened ------------------------------------------------------------


def _refused(url: str) -> r.StoreError:
    with pytest.raises(r.StoreError) as caught:
        r.Tracker(url)
    assert caught.value.rule == "store-available"
    return caught.value


def _no_secret(error: BaseException, password: str) -> None:
    for shown in (str(error), repr(error)):
        assert password not in shown
        assert quote(password, safe="") not in shown


def test_a_wrong_password_is_refused_with_the_servers_reason(
    postgres_database: PostgresDatabase,
) -> None:
    error = _refused(postgres_database.url().replace("@127.0.0.1", "x@127.0.0.1"))
    assert "password authentication failed" in str(error)
    assert ":***@" in str(error)
    _no_secret(error, postgres_database.server.password)


def test_a_missing_database_is_named(postgres_server: PostgresServer) -> None:
    error = _refused(postgres_server.url("no_such_register"))
    assert 'database "no_such_register" does not exist' in str(error)
    assert "create the database first" in str(error)
    _no_secret(error, postgres_server.password)


def test_a_server_that_does_not_answer_is_refused_at_once() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = _refused(f"postgresql://clerk:hunter2@127.0.0.1:{port}/register")
    assert "Connection refused" in str(error)
    assert "hunter2" not in str(error)


@pytest.mark.skipif(
    bool(os.environ.get(ENV_URL)),
    reason=f"{ENV_URL} names a server whose roles this test cannot set",
)
def test_a_schema_the_user_may_not_create_is_refused(
    postgres_database: PostgresDatabase,
) -> None:
    admin = {**postgres_database.server.admin, "dbname": postgres_database.name}
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f"ALTER DATABASE {postgres_database.name} OWNER TO {admin['user']}")
        connection.execute(f"REVOKE CREATE ON DATABASE {postgres_database.name} FROM PUBLIC")
        connection.execute(f"GRANT CREATE ON SCHEMA public TO {postgres_database.server.user}")
    error = _refused(postgres_database.url(schema="audit"))
    assert "permission denied" in str(error)
    assert "may not create it" in str(error)


# --- positions ---------------------------------------------------------------------------------


def _recorder(url: str) -> tuple[r.Tracker, PostgresApplicationRecorder]:
    tracker = r.Tracker(url)
    recorder = tracker._app.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    return tracker, recorder


def _entry(item: uuid.UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(originator_id=item, originator_version=version, topic="t", state=b"{}")


def test_a_writer_that_loses_a_race_leaves_no_gap(postgres_database: PostgresDatabase) -> None:
    tracker, recorder = _recorder(postgres_database.url())
    with tracker:
        item = uuid.uuid4()
        assert recorder.insert_events([_entry(item)]) == [1]
        for _ in range(3):
            with pytest.raises(IntegrityError):
                recorder.insert_events([_entry(uuid.uuid4()), _entry(item)])
        assert recorder.insert_events([_entry(item, 2), _entry(uuid.uuid4())]) == [2, 3]
        assert [n.id for n in recorder.select_notifications(start=1, limit=10)] == [1, 2, 3]


def test_positions_become_visible_in_order_under_concurrent_writers(
    postgres_database: PostgresDatabase,
) -> None:
    """A reader following the log (always asking for what comes after the last position it
    saw) misses nothing while writers insert batches at once: no position ever becomes
    visible before a smaller one."""
    url = postgres_database.url()
    writers, batches = 4, 60
    opened = [_recorder(url) for _ in range(writers + 1)]
    reader = opened[-1][1]
    done = threading.Event()
    errors: list[BaseException] = []
    followed: list[int] = []

    def write(recorder: PostgresApplicationRecorder, n: int) -> None:
        try:
            for i in range(batches):
                recorder.insert_events([_entry(uuid.uuid4()) for _ in range(1 + (n + i) % 3)])
        except BaseException as error:  # reported below
            errors.append(error)

    def follow() -> None:
        last = 0
        while True:
            finished = done.is_set()
            page = reader.select_notifications(start=last, limit=500, inclusive_of_start=False)
            followed.extend(n.id for n in page)
            if page:
                last = page[-1].id
            elif finished:
                return

    threads = [
        threading.Thread(target=write, args=(recorder, n))
        for n, (_, recorder) in enumerate(opened[:writers])
    ]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    follower.join()
    for tracker, _ in opened:
        tracker.close()
    assert errors == []
    expected = sum(1 + (n + i) % 3 for n in range(writers) for i in range(batches))
    assert followed == list(range(1, expected + 1))


def test_a_plain_eventsourcing_writer_on_the_same_table_does_not_collide(
    postgres_database: PostgresDatabase,
) -> None:
    """The log's sequence is kept ahead of the positions, so a writer that still draws from
    it (``eventsourcing.postgres`` itself) takes the next free one."""
    server = postgres_database.server
    tracker, recorder = _recorder(postgres_database.url())
    with tracker:
        assert recorder.insert_events([_entry(uuid.uuid4()) for _ in range(3)]) == [1, 2, 3]
        twice = _entry(uuid.UUID(int=0))
        with pytest.raises(IntegrityError):  # a failed insert moves the sequence on, not back
            recorder.insert_events([_entry(uuid.uuid4()), twice, twice])
        plain = PostgresFactory(
            Environment(
                "Recommendations",  # the tracker's application, so the same table
                {
                    "POSTGRES_DBNAME": postgres_database.name,
                    "POSTGRES_HOST": server.host,
                    "POSTGRES_PORT": str(server.port),
                    "POSTGRES_USER": server.user,
                    "POSTGRES_PASSWORD": server.password,
                },
            )
        )
        other = plain.application_recorder()
        try:
            assert isinstance(other, PostgresApplicationRecorder)
            assert other.events_table_name == recorder.events_table_name
            ids = other.insert_events([_entry(uuid.uuid4())])
            assert ids is not None and ids[0] > 3
            assert recorder.insert_events([_entry(uuid.uuid4())]) == [ids[0] + 1]
        finally:
            plain.close()
