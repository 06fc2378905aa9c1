"""The contract of :mod:`recommendations.testing`, on a fresh PostgreSQL database per test."""

from __future__ import annotations

import pytest

from recommendations.testing import StoreContract, ViewsContract
from tests.postgres import PostgresDatabase


class TestPostgres(StoreContract, ViewsContract):
    @pytest.fixture
    def store_url(self, postgres_database: PostgresDatabase) -> str:
        return postgres_database.url()
