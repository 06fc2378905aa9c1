"""``eventsourcing``'s own test cases for recorders and factories, run on this module's.

These are the cases ``eventsourcing`` runs on its in-memory, SQLite and PostgreSQL
modules (``eventsourcing.tests.persistence``); each class here only says how to make a
recorder on a fresh file. Nothing is skipped: the optional subscription test runs too.
"""

from __future__ import annotations

import os
import tempfile
from unittest import TestCase

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.tests import persistence as cases
from eventsourcing.utils import Environment

from recommendations_jsonl.persistence import (
    JsonlAggregateRecorder,
    JsonlApplicationRecorder,
    JsonlFactory,
    JsonlProcessRecorder,
    JsonlTrackingRecorder,
)


class _FreshFile(TestCase):
    """Each recorder on a new file in a folder removed after the test."""

    def fresh_path(self) -> str:
        folder = self.enterContext(tempfile.TemporaryDirectory(prefix="jsonl-"))
        return os.path.join(folder, "log.jsonl")


class TestAggregateRecorder(_FreshFile, cases.AggregateRecorderTestCase):
    def create_recorder(self) -> AggregateRecorder:
        recorder = JsonlAggregateRecorder(self.fresh_path())
        self.addCleanup(recorder.close)
        return recorder


class TestApplicationRecorder(_FreshFile, cases.ApplicationRecorderTestCase[ApplicationRecorder]):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = JsonlApplicationRecorder(self.fresh_path())
        self.addCleanup(recorder.close)
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestApplicationRecorderWithoutFsync(TestApplicationRecorder):
    """The same, with ``JSONL_FSYNC=no``: the same answers, only less durable."""

    def create_recorder(self) -> ApplicationRecorder:
        recorder = JsonlApplicationRecorder(self.fresh_path(), fsync=False)
        self.addCleanup(recorder.close)
        return recorder


class TestTrackingRecorder(_FreshFile, cases.TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        recorder = JsonlTrackingRecorder(self.fresh_path())
        self.addCleanup(recorder.close)
        return recorder


class TestProcessRecorder(_FreshFile, cases.ProcessRecorderTestCase):
    def create_recorder(self) -> ProcessRecorder:
        recorder = JsonlProcessRecorder(self.fresh_path())
        self.addCleanup(recorder.close)
        return recorder


class TestNonInterleavingNotificationIds(_FreshFile, cases.NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = JsonlApplicationRecorder(self.fresh_path())
        self.addCleanup(recorder.close)
        return recorder


class CustomTrackingRecorder(JsonlTrackingRecorder):
    """A subclass the factory test asks for by class and by topic."""


class TestFactory(_FreshFile, cases.InfrastructureFactoryTestCase[JsonlFactory]):
    def setUp(self) -> None:
        self.env = Environment(
            "TestCase",
            {
                "PERSISTENCE_MODULE": "recommendations_jsonl.persistence",
                "JSONL_PATH": self.fresh_path(),
            },
        )
        super().setUp()

    def expected_factory_class(self) -> type[JsonlFactory]:
        return JsonlFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return JsonlAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return JsonlApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return JsonlTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return CustomTrackingRecorder

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return JsonlProcessRecorder
