"""The contract of :mod:`recommendations.testing`, run for the in-tree adapters.

PostgreSQL runs it in ``tests/postgresql``; the example third-party adapter in
``examples/storage-adapter``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from urllib.parse import quote

import pytest

from recommendations._memory import forget
from recommendations.testing import StoreContract, ViewsContract

_names = itertools.count(1)


class TestMemory(StoreContract, ViewsContract):
    shared_between_processes = False

    @pytest.fixture
    def store_url(self) -> str:
        name = f"contract-{next(_names)}"
        yield f"memory://{name}"  # type: ignore[misc]
        forget(name)


class TestSqlite(StoreContract, ViewsContract):
    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'register.db'}"


class TestEventsourcingModule(StoreContract, ViewsContract):
    """Any ``eventsourcing`` persistence module by name: here its SQLite one."""

    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return (
            "eventsourcing://eventsourcing.sqlite?SQLITE_DBNAME="
            f"{quote(str(tmp_path / 'log.db'), safe='')}"
        )


class TestSqlalchemyModule(StoreContract, ViewsContract):
    """A persistence module this project does not ship: ``eventsourcing_sqlalchemy``, on a
    SQLite file through SQLAlchemy."""

    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        database = quote(f"sqlite:///{tmp_path / 'log.db'}", safe="")
        return f"eventsourcing://eventsourcing_sqlalchemy?SQLALCHEMY_URL={database}"
