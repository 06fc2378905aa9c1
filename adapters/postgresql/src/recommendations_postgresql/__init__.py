"""The PostgreSQL storage adapter: for when one machine's SQLite file is not enough.

``postgresql://user:password@host:5432/dbname`` (or ``postgres://``) opens the database
``dbname``; the log is kept by ``eventsourcing.postgres`` on psycopg 3, whose exclusive
table lock per insert makes positions visible in commit order, and the register, its
bitemporal history and the audit trail are kept in tables beside it
(:class:`PostgresTables`). Query parameters:

=====================  =================================================================
``schema``             the schema the tables live in, made if missing (default ``public``)
``pool_size``          connections kept open (default 5)
``max_overflow``       connections opened beyond the pool under load (default 10)
``connect_timeout``    seconds to wait for the server, or for a free connection (default 10)
``lock_timeout``       seconds a writer waits for the log's table lock (default: no limit)
=====================  =================================================================

Without a user or password in the URL, libpq's defaults apply (``PGUSER``, ``PGPASSWORD``,
``~/.pgpass``), as with ``psql``. Opening a store connects once to check it: a wrong
password, a missing database or a server that does not answer raise a
:class:`~recommendations.StoreError` (rule ``store-available``) with the server's reason.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder

from recommendations.stores import InProcessTables, LogSource, StoreAdapter, StoreURL, Tables

from ._factory import DEFAULT_CONNECT_TIMEOUT, Recorder, connection_parameters
from ._views import SCHEMA_VERSION, PostgresTables

__all__ = ["SCHEMA_VERSION", "PostgresStore", "PostgresTables"]

_PARAMETERS = {
    "schema": "POSTGRES_SCHEMA",
    "pool_size": "POSTGRES_POOL_SIZE",
    "max_overflow": "POSTGRES_MAX_OVERFLOW",
    "connect_timeout": "POSTGRES_CONNECT_TIMEOUT",
    "lock_timeout": "POSTGRES_LOCK_TIMEOUT",
}
_UNITS = {
    "pool_size": "connections",
    "max_overflow": "connections",
    "connect_timeout": "seconds",
    "lock_timeout": "seconds",
}


class PostgresStore(StoreAdapter):
    """``postgresql://user:password@host:port/dbname``: the log and its view tables in a
    PostgreSQL database."""

    scheme = "postgresql"
    summary = "a PostgreSQL database, through eventsourcing.postgres and psycopg 3"

    def settings(self, url: StoreURL) -> dict[str, str]:
        dbname = url.path.strip("/")
        if not dbname or "/" in dbname:
            raise url.refuse("names no database: write postgresql://user@host:5432/dbname")
        unknown = sorted(set(url.query) - set(_PARAMETERS))
        if unknown:
            raise url.refuse(
                f"unknown parameter {unknown[0]!r} (known: {', '.join(sorted(_PARAMETERS))})"
            )
        settings = {
            "PERSISTENCE_MODULE": "recommendations_postgresql._factory:Factory",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": url.host or os.environ.get("PGHOST", "localhost"),
            "POSTGRES_PORT": str(url.port or os.environ.get("PGPORT", "5432")),
            "POSTGRES_USER": url.username or os.environ.get("PGUSER") or getpass.getuser(),
            "POSTGRES_PASSWORD": url.password or os.environ.get("PGPASSWORD", ""),
            "POSTGRES_CONNECT_TIMEOUT": str(DEFAULT_CONNECT_TIMEOUT),
        }
        for key, value in url.query.items():
            if key != "schema" and not value.isdigit():
                raise url.refuse(
                    f"parameter {key!r} must be a number of {_UNITS[key]} (a whole number), "
                    f"not {value!r}"
                )
            settings[_PARAMETERS[key]] = value
        return settings

    def open_tables(self, url: StoreURL, source: LogSource, settings: Mapping[str, str]) -> Tables:
        recorder = source.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):  # pragma: no cover
            return InProcessTables(source)
        parameters = connection_parameters(settings)

        def connect() -> psycopg.Connection[tuple[object, ...]]:
            return psycopg.connect(
                **parameters, autocommit=True, application_name="recommendations views"
            )

        views = PostgresTables(
            connect,
            source.decode,
            schema=recorder.datastore.schema,
            events=recorder.events_table_name,
            label=self.describe(url),
        )
        if isinstance(recorder, Recorder):
            # A command's rows are written in the transaction that records it.
            recorder.views_within = views.within
        return views
