"""The SQLite storage adapter: the embedded default.

``sqlite:///register.db`` is a file relative to the working directory,
``sqlite:////srv/register.db`` one at an absolute path, and ``sqlite:///:memory:`` a
database in this process's memory that its threads share. The log is kept by
``eventsourcing.sqlite`` (one writer at a time, in WAL mode); a file also keeps the register,
its bitemporal history and the audit trail as plain tables that other programs can query
(see the view tables reference).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping

from recommendations.stores import (
    InProcessTables,
    LogSource,
    StoreAdapter,
    StoreURL,
    Tables,
    create_private,
)

from ._factory import Recorder
from ._views import SCHEMA_VERSION, SqliteTables, open_tables

__all__ = ["SCHEMA_VERSION", "SqliteStore", "SqliteTables"]

_memory_databases = itertools.count(1)


class SqliteStore(StoreAdapter):
    """``sqlite:///file.db``: the log and its view tables in one SQLite file."""

    scheme = "sqlite"
    summary = "a SQLite file: the embedded default (sqlite:///file.db, sqlite:///:memory:)"

    def settings(self, url: StoreURL) -> dict[str, str]:
        path = url.path
        if url.host or not path.startswith("/") or path == "/":
            raise url.refuse("names no file: write sqlite:///relative.db or sqlite:////abs.db")
        if url.query:
            raise url.refuse("a SQLite store takes no parameters")
        path = path[1:]
        if path == ":memory:":
            name = f"file:recommendations-{os.getpid()}-{next(_memory_databases)}"
            path = f"{name}?mode=memory&cache=shared"
        else:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise url.refuse(f"folder {folder!r} does not exist")
            # The settings are read just before the log is opened: a new database file is
            # made here, readable by its owner only (or with RECOMMENDATIONS_FILE_MODE),
            # and SQLite gives its -wal and -shm files the database's mode.
            create_private(path)
        return {
            "PERSISTENCE_MODULE": "recommendations_sqlite._factory:Factory",
            "SQLITE_DBNAME": path,
        }

    def open_tables(self, url: StoreURL, source: LogSource, settings: Mapping[str, str]) -> Tables:
        path = settings["SQLITE_DBNAME"]
        if "mode=memory" in path:
            # An in-memory database shared between threads locks whole tables: its views
            # stay in this process.
            return InProcessTables(source)
        views = open_tables(path, source.decode)
        if isinstance(source.recorder, Recorder):
            # A command's rows are written in the transaction that records it.
            source.recorder.views_within = views.within
        return views
