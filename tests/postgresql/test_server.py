"""The throwaway server the PostgreSQL tests run on (``tests/postgres.py``)."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.postgres import (
    ENV_URL,
    PostgresDatabase,
    PostgresServer,
    _as_owner,
    _base,
    _binaries,
    _remove_abandoned,
    _start_cluster,
    _stop_cluster,
)

_LOCAL = pytest.mark.skipif(
    bool(os.environ.get(ENV_URL)), reason=f"{ENV_URL} names a server this session did not make"
)


@_LOCAL
def test_the_cluster_runs_as_the_postgres_user_when_the_tests_run_as_root(
    postgres_server: PostgresServer,
) -> None:
    assert postgres_server.folder is not None
    data = postgres_server.folder / "data"
    postmaster = int((data / "postmaster.pid").read_text().splitlines()[0])
    runs_as = Path(f"/proc/{postmaster}").stat().st_uid
    if os.geteuid() == 0:
        assert runs_as == pwd.getpwnam("postgres").pw_uid
        assert data.stat().st_uid == runs_as
    else:
        assert runs_as == os.geteuid()
    with psycopg.connect(**postgres_server.admin) as connection:
        settings = dict(
            connection.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('fsync', 'synchronous_commit', 'full_page_writes', 'listen_addresses')"
            ).fetchall()
        )
    assert settings == {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "listen_addresses": "127.0.0.1",
    }


def test_a_database_is_fresh_and_belongs_to_the_test_role(
    postgres_database: PostgresDatabase,
) -> None:
    with postgres_database.connect() as connection:
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
        owner = connection.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert tables == (0,)
    assert owner == (postgres_database.server.user,)
    assert postgres_database.url().startswith(f"postgresql://{postgres_database.server.user}:")
    assert postgres_database.url().endswith(f"/{postgres_database.name}")


@_LOCAL
def test_tcp_needs_the_password(postgres_database: PostgresDatabase) -> None:
    server = postgres_database.server
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=server.host,
            port=server.port,
            user=server.user,
            password="not the password",
            dbname=postgres_database.name,
        )


def test_a_dropped_database_is_gone_even_with_connections_left_open(
    postgres_server: PostgresServer,
) -> None:
    name = postgres_server.create_database()
    left_open = postgres_server.connect(name)
    postgres_server.drop_database(name)
    with psycopg.connect(**postgres_server.admin) as connection:
        found = connection.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    assert found == (0,)
    with pytest.raises(psycopg.OperationalError):
        left_open.execute("SELECT 1")  # the server closed it
    left_open.close()


@_LOCAL
def test_a_cluster_a_crashed_session_left_running_is_removed(
    postgres_server: PostgresServer,
) -> None:
    """A session killed before its finalizer ran leaves a running cluster and its folder;
    the next session stops and removes it."""
    folder = Path(tempfile.mkdtemp(prefix="recommendations-pg-", dir=_base()))
    try:
        abandoned = _start_cluster(folder)
        gone = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        (folder / "owner.pid").write_text(gone.stdout.strip())  # a process that has ended
        with psycopg.connect(**abandoned.admin) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        prefix, _ = _as_owner()
        _remove_abandoned(prefix, _binaries())
        assert not folder.exists()
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", abandoned.port)) != 0  # stopped
        # the running session's own cluster is left alone
        assert postgres_server.folder is not None and postgres_server.folder.exists()
    finally:
        _stop_cluster(folder)


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_without_a_server_the_tests_fail_in_ci_and_are_skipped_elsewhere(
    tmp_path: Path, ci: str, outcome: str
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "test_needs_postgres.py").write_text("def test_it(postgres_store_url):\n    pass\n")
    environment = {
        **os.environ,
        "CI": ci,
        ENV_URL: f"postgresql://clerk:hunter2@127.0.0.1:{port}/postgres",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.postgres", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull, "-rfs", str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert outcome in result.stdout, result.stdout + result.stderr
    assert (result.returncode != 0) == bool(ci)
    assert "no PostgreSQL server for the tests" in result.stdout
    assert "Connection refused" in result.stdout
