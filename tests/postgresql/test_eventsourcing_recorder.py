"""``eventsourcing``'s own tests of an application recorder, on this adapter's recorder (the
one that numbers entries without gaps), in a fresh database per test."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from eventsourcing.utils import Environment

from recommendations_postgresql._factory import Factory
from tests.postgres import PostgresDatabase


class _OnPostgres:
    """Recorders made by the adapter's factory, on the test's database."""

    database: PostgresDatabase
    factories: list[Factory]

    @pytest.fixture(autouse=True)
    def _database(self, postgres_database: PostgresDatabase) -> Any:
        self.database = postgres_database
        self.factories = []
        yield
        for factory in self.factories:
            factory.close()

    def create_recorder(self) -> PostgresApplicationRecorder:
        server = self.database.server
        factory = Factory(
            Environment(
                "Recommendations",
                {
                    "POSTGRES_DBNAME": self.database.name,
                    "POSTGRES_HOST": server.host,
                    "POSTGRES_PORT": str(server.port),
                    "POSTGRES_USER": server.user,
                    "POSTGRES_PASSWORD": server.password,
                },
            )
        )
        self.factories.append(factory)
        recorder = factory.application_recorder()
        assert isinstance(recorder, PostgresApplicationRecorder)
        return recorder


class TestApplicationRecorder(
    _OnPostgres, ApplicationRecorderTestCase[PostgresApplicationRecorder]
):
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = True  # positions without gaps

    # Not run: a measurement that asserts nothing, and 100,000 entries that take minutes
    # (test_concurrent_throughput writes concurrently too).
    test_performance = None
    test_concurrent_no_conflicts = None


class TestNonInterleavingPositions(_OnPostgres, NonInterleavingNotificationIDsBaseCase):
    pass
