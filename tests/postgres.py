"""A throwaway PostgreSQL server for the tests, and a fresh database for each test.

Load it as a pytest plugin (``pytest_plugins = ["tests.postgres"]`` in ``tests/conftest.py``,
or ``-p tests.postgres`` on the command line). It gives:

``postgres_server`` (session)
    A PostgreSQL cluster made for this session: ``initdb`` into a temporary folder, a unix
    socket there for the administrator (trusted) and TCP on a free port of 127.0.0.1 for
    everyone else (password required, to exercise ``user:password`` URLs). Durability is
    off (``fsync``, ``synchronous_commit``, ``full_page_writes``): nothing here must
    survive a crash. It is stopped and removed at the end of the session, and a cluster
    that a crashed earlier session left behind is stopped and removed before a new one
    starts. PostgreSQL refuses to run as root: as root, the cluster belongs to the
    ``postgres`` system user and its programs run through ``runuser``.

    If ``RECOMMENDATIONS_TEST_POSTGRES`` holds a URL (``postgresql://user:pw@host:port/db``),
    that server is used instead; its user must be allowed to create databases.

    If no server can be had, the tests that need one fail in CI (``CI`` is set: a missing
    server must never pass unnoticed) and are skipped elsewhere, with the reason.

``postgres_database`` (function)
    A fresh, empty database owned by the password-protected test role, dropped after the
    test: ``.url(**query)`` names it (as many times, with as many parameter sets, as a test
    needs trackers on it), ``.connect()`` opens a psycopg connection to it for plain SQL.

``postgres_store_url`` (function)
    ``postgres_database.url()``: ``postgresql://user:password@127.0.0.1:PORT/DBNAME``.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, unquote, urlencode, urlsplit

import psycopg
import pytest
from psycopg import sql

__all__ = [
    "ENV_URL",
    "PostgresDatabase",
    "PostgresServer",
    "postgres_database",
    "postgres_server",
    "postgres_store_url",
]

ENV_URL = "RECOMMENDATIONS_TEST_POSTGRES"
"""An environment variable naming a server to use instead of a throwaway one."""

_PREFIX = "recommendations-pg-"
_OWNER_FILE = "owner.pid"
_ROLE = "recommendations"
# Characters a URL must quote, so that every test's URL exercises the quoting.
_PASSWORD_TAIL = "/:@%?"
_ADMIN = "postgres"
_START_ATTEMPTS = 3


class ServerUnavailable(Exception):
    """No PostgreSQL server could be had; the message says why."""


class PostgresServer:
    """A PostgreSQL server the tests may create databases on."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str,
        password: str,
        admin: dict[str, Any],
        folder: Path | None = None,
        started_in: float | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        """The role tests connect as (it owns their databases)."""
        self.password = password
        self.admin = admin
        """psycopg connection parameters of a role that may create and drop databases."""
        self.folder = folder
        """The throwaway cluster's folder (``None`` for a server named by the environment)."""
        self.started_in = started_in
        """Seconds ``initdb`` and the start took (``None`` for a server named by the
        environment)."""
        self._names = itertools.count(1)
        # CREATE DATABASE copies template0 (a few MB): one is made ahead, in the background,
        # while the test before runs.
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-databases")
        self._ahead: Future[str] | None = None
        self._lock = threading.Lock()

    def url(self, dbname: str, *, password: str | None = None, **query: str) -> str:
        """A store URL for ``dbname`` on this server, as the test role."""
        secret = self.password if password is None else password
        netloc = f"{quote(self.user, safe='')}:{quote(secret, safe='')}@{self.host}:{self.port}"
        tail = f"?{urlencode(query)}" if query else ""
        return f"postgresql://{netloc}/{dbname}{tail}"

    def connect(self, dbname: str) -> psycopg.Connection[Any]:
        """A psycopg connection to ``dbname`` as the test role (autocommit)."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            autocommit=True,
            connect_timeout=10,
        )

    def create_database(self) -> str:
        """A new, empty database owned by the test role; its name."""
        with self._lock:
            ahead, self._ahead = self._ahead, None
            name = ahead.result() if ahead is not None else self._create()
            self._ahead = self._maker.submit(self._create)
        return name

    def close(self) -> None:
        """Drop the database made ahead, if any."""
        with self._lock:
            ahead, self._ahead = self._ahead, None
            self._maker.shutdown(wait=True)
        if ahead is not None and ahead.exception() is None:
            self.drop_database(ahead.result())

    def _create(self) -> str:
        name = f"rec_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(**self.admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(self.user)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing whatever connections a test left open to it."""
        with psycopg.connect(**self.admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class PostgresDatabase:
    """One fresh database on the test server."""

    def __init__(self, server: PostgresServer, name: str) -> None:
        self.server = server
        self.name = name

    def url(self, **query: str) -> str:
        """A store URL naming this database; ``query`` adds URL parameters
        (``schema``, ``pool_size``, ...). Call it once per tracker, or reuse one URL:
        every URL names the same database."""
        return self.server.url(self.name, **query)

    def connect(self) -> psycopg.Connection[Any]:
        """A psycopg connection to this database as the test role, for plain SQL."""
        return self.server.connect(self.name)


# --- the throwaway cluster ------------------------------------------------------------------


def _binaries() -> Path:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda folder: int(Path(folder).parent.name.split(".")[0]),
    )
    candidates += ["/usr/local/pgsql/bin"]
    for folder in reversed(candidates):
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    raise ServerUnavailable(
        "the PostgreSQL server programs (initdb, pg_ctl) are not on PATH nor in "
        "/usr/lib/postgresql/*/bin: install the PostgreSQL server, or set "
        f"{ENV_URL}=postgresql://user:password@host:port/dbname to use a running one"
    )


def _as_owner() -> tuple[list[str], pwd.struct_passwd | None]:
    """How to run a server program: the command prefix, and the system user that owns the
    cluster when the tests run as root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return [], None
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        raise ServerUnavailable(
            "the tests run as root, and PostgreSQL refuses to; it runs as the 'postgres' "
            "system user, which does not exist here (useradd --system postgres)"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailable("the tests run as root, and 'runuser' is not installed")
    return [runuser, "-u", owner.pw_name, "--"], owner


def _run(command: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment["LC_ALL"] = "C"
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=timeout, env=environment
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_cluster(folder: Path, prefix: list[str], binaries: Path) -> None:
    """Stop the cluster in ``folder`` if it runs, and remove the folder."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        pg_ctl = str(binaries / "pg_ctl")
        _run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned(prefix: list[str], binaries: Path) -> None:
    """Stop and remove the clusters of sessions that ended without cleaning up (killed,
    crashed): those whose owner process no longer runs."""
    for found in _base().glob(f"{_PREFIX}*"):
        try:
            owner = int((found / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            # No owner yet: a session may be making it right now, unless it is old.
            with contextlib.suppress(OSError):
                if time.time() - found.stat().st_mtime > 3600:
                    _remove_cluster(found, prefix, binaries)
            continue
        if not _alive(owner):
            _remove_cluster(found, prefix, binaries)


def _base() -> Path:
    """Where clusters are made: ``/tmp`` when there is one (every user can reach it, and a
    unix socket's path must stay short), else the temporary folder."""
    tmp = Path("/tmp")
    return tmp if tmp.is_dir() else Path(tempfile.gettempdir())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_tail(path: Path) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-15:])
    return ""


def _start_cluster(
    folder: Path, prepare: Callable[[Path, pwd.struct_passwd | None], None] | None = None
) -> PostgresServer:
    """initdb into ``folder``/data and start it; the server, with its test role made.
    ``prepare`` is called first with the data folder (not made yet) and the system user
    that will own the cluster (``None``: this process's user)."""
    began = time.perf_counter()
    binaries = _binaries()
    prefix, owner = _as_owner()
    (folder / _OWNER_FILE).write_text(str(os.getpid()))
    _remove_abandoned(prefix, binaries)
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    folder.chmod(0o700)
    data = folder / "data"
    if prepare is not None:
        prepare(data, owner)
    made = _run(
        [
            *prefix,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            _ADMIN,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    if made.returncode != 0:
        raise ServerUnavailable(f"initdb failed ({made.returncode}): {made.stderr.strip()}")
    log = folder / "server.log"
    failure = ""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "password_encryption": "scram-sha-256",
        }
        options = " ".join(f"-c {key}={value}" for key, value in settings.items())
        pg_ctl = str(binaries / "pg_ctl")
        started = _run(
            [
                *prefix,
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
        )
        if started.returncode == 0:
            break
        failure = f"pg_ctl start failed: {started.stderr.strip()} {_log_tail(log)}"
    else:
        raise ServerUnavailable(failure)
    admin: dict[str, Any] = {
        "host": str(folder),
        "port": port,
        "user": _ADMIN,
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    password = secrets.token_urlsafe(12) + _PASSWORD_TAIL
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(_ROLE), sql.Literal(password)
            )
        )
    return PostgresServer(
        host="127.0.0.1",
        port=port,
        user=_ROLE,
        password=password,
        admin=admin,
        folder=folder,
        started_in=time.perf_counter() - began,
    )


def _stop_cluster(folder: Path) -> None:
    """Stop the cluster in ``folder`` and remove it (only the folder if there is no
    cluster: the server programs may be what was missing)."""
    try:
        prefix, _ = _as_owner()
        binaries = _binaries()
    except ServerUnavailable:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_cluster(folder, prefix, binaries)


def _server_from_environment(url: str) -> PostgresServer:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise ServerUnavailable(
            f"{ENV_URL} must be postgresql://user:password@host:port/dbname, not {url!r}"
        )
    user = unquote(parts.username or "") or os.environ.get("USER", "postgres")
    password = unquote(parts.password or "")
    admin: dict[str, Any] = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": user,
        "password": password,
        "dbname": parts.path.strip("/") or "postgres",
        "connect_timeout": 10,
    }
    try:
        with psycopg.connect(**admin, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        raise ServerUnavailable(f"the server {ENV_URL} names cannot be reached: {error}") from None
    return PostgresServer(
        host=parts.hostname, port=parts.port or 5432, user=user, password=password, admin=admin
    )


def _unavailable(reason: str) -> NoReturn:
    message = f"no PostgreSQL server for the tests: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def running_server(
    named: str | None = None,
    *,
    prepare: Callable[[Path, pwd.struct_passwd | None], None] | None = None,
) -> Iterator[PostgresServer]:
    """A server for as long as the ``with`` block lasts: the one ``named`` (a URL), or a
    throwaway cluster, stopped and removed afterwards. Raises :class:`ServerUnavailable`
    if there is none. The benchmarks use it too. ``prepare(data, owner)`` is called
    before a throwaway cluster's ``initdb`` (to put its data folder somewhere of its own,
    say)."""
    folder = None if named else Path(tempfile.mkdtemp(prefix=_PREFIX, dir=_base()))
    try:
        try:
            server = _server_from_environment(named) if named else _start_cluster(folder, prepare)
        except (OSError, psycopg.Error, subprocess.SubprocessError) as error:
            raise ServerUnavailable(str(error)) from error
        try:
            yield server
        finally:
            server.close()
    finally:
        if folder is not None:
            _stop_cluster(folder)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (see the module's docstring)."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_server(os.environ.get(ENV_URL)))
        except ServerUnavailable as error:
            _unavailable(str(error))
        yield server


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[PostgresDatabase]:
    """A fresh, empty database for this test, dropped afterwards."""
    name = postgres_server.create_database()
    try:
        yield PostgresDatabase(postgres_server, name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def postgres_store_url(postgres_database: PostgresDatabase) -> str:
    """The store URL of a fresh, empty PostgreSQL database."""
    return postgres_database.url()
