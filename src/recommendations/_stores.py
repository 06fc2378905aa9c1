"""Store URLs: which engine keeps the log, and where.

========================  ===============================================================
URL                       store
========================  ===============================================================
``memory://``             in this process only, gone when it ends (tests, trials)
``sqlite:///register.db`` a SQLite file, relative to the working directory
``sqlite:////abs/x.db``   a SQLite file at an absolute path
``sqlite:///:memory:``    an SQLite database in memory, shared by this process's threads
========================  ===============================================================
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import urlsplit

from ._errors import ConfigurationError

__all__ = ["DEFAULT_STORE", "store_environment"]

DEFAULT_STORE = "sqlite:///recommendations.db"
"""A SQLite file in the working directory: the embedded default."""

_memory_databases = itertools.count(1)


def store_environment(url: str) -> dict[str, str]:
    """The ``eventsourcing`` settings that open the store ``url`` names."""
    if not isinstance(url, str) or "://" not in url:
        raise ConfigurationError(
            f"{url!r} is not a store URL (try {DEFAULT_STORE!r} or 'memory://')",
            field="store",
            rule="store-url",
        )
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        if not path.startswith("/") or path == "/":
            raise ConfigurationError(
                f"{url!r} names no file: write sqlite:///relative.db or sqlite:////abs.db",
                field="store",
                rule="store-url",
            )
        path = path[1:]
        if path == ":memory:":
            name = f"file:recommendations-{os.getpid()}-{next(_memory_databases)}"
            path = f"{name}?mode=memory&cache=shared"
        else:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise ConfigurationError(
                    f"{url!r}: folder {folder!r} does not exist",
                    field="store",
                    rule="store-url",
                )
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    raise ConfigurationError(
        f"no store for scheme {scheme!r} in {url!r} (known: memory, sqlite)",
        field="store",
        rule="store-scheme",
    )
