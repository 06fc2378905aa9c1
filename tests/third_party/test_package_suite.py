"""The example adapter's own test suite, run as its author runs it: ``pytest`` in its folder.

It is a separate distribution with its own test configuration (``examples/storage-adapter/
pyproject.toml``), so it runs in a process of its own rather than inside this suite. This
checks that it passes whole: ``eventsourcing``'s recorder and factory test cases, and the
contract of :mod:`recommendations.testing`, every case of each, none skipped.
"""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from recommendations.testing import StoreContract, ViewsContract

PACKAGE = Path(__file__).resolve().parents[2] / "examples" / "storage-adapter"


@pytest.fixture(autouse=True)
def _installed() -> None:
    if importlib.util.find_spec("recommendations_jsonl") is None or (
        importlib.util.find_spec("Crypto") is None
    ):
        pytest.fail(
            "the example adapter is not installed with its test extra: "
            'pip install -e "examples/storage-adapter[test]"'
        )


def _tests_of(*classes: type) -> set[str]:
    return {
        name
        for cls in classes
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if name.startswith("test")
    }


def test_the_package_suite_passes_whole(tmp_path: Path) -> None:
    from eventsourcing.tests import persistence as cases

    report = tmp_path / "junit.xml"
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}"],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-5000:] + ran.stderr[-2000:]
    outcomes: dict[tuple[str, str], str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        found = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        test_class = case.get("classname", "").rsplit(".", 1)[-1]
        outcomes[(test_class, case.get("name", ""))] = found[0] if found else "passed"
    assert set(outcomes.values()) == {"passed"}

    def passed(test_class: str) -> set[str]:
        return {name.split("[")[0] for (cls, name) in outcomes if cls == test_class}

    # every contract case, and every one of eventsourcing's recorder cases
    assert passed("TestJsonlStore") == _tests_of(StoreContract, ViewsContract)
    assert passed("TestApplicationRecorder") == _tests_of(cases.ApplicationRecorderTestCase) | {
        "test_insert_subscribe"  # its optional subscription case, run too
    }
    assert passed("TestAggregateRecorder") == _tests_of(cases.AggregateRecorderTestCase)
    assert passed("TestTrackingRecorder") == _tests_of(cases.TrackingRecorderTestCase)
    assert passed("TestProcessRecorder") == _tests_of(cases.ProcessRecorderTestCase)
    assert passed("TestFactory") == _tests_of(cases.InfrastructureFactoryTestCase)
    assert passed("TestNonInterleavingNotificationIds") == {"test"}
    assert len(outcomes) >= 80
