"""What the tests of the service's parts share: a log in memory and a few commands."""

from __future__ import annotations

from datetime import UTC, date, datetime

import recommendations as r
from recommendations._service import LogStore
from recommendations.stores import StoreURL, adapter_for
from tests.conftest import report_details, who

NOW = datetime(2017, 4, 10, 9, tzinfo=UTC)


def still() -> datetime:
    """A clock that stands still."""
    return NOW


def memory_log() -> LogStore:
    """A new, private log in this process's memory."""
    url = StoreURL.parse("memory://")
    return LogStore(adapter_for(url).settings(url), "memory://")


def publish(reference: str = "PEEL-2016") -> r.PublishReport:
    return r.PublishReport(
        reference=reference,
        details=report_details(),
        effective_on=date(2017, 3, 2),
        by="Kath Holder",
        reason="published",
    )


def raise_(reference: str = "2.16", report: str = "PEEL-2016") -> r.Raise:
    return r.Raise(
        reference=reference,
        report=report,
        text="Ensure effective supervision.",
        grade="amber",
        **who(3, 2),  # type: ignore[arg-type]
    )


def regrade(reference: str = "2.16", grade: str = "green") -> r.Regrade:
    return r.Regrade(reference=reference, grade=grade, **who(3, 30))  # type: ignore[arg-type]
