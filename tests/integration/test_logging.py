"""The library's log: named loggers under ``recommendations``, silent by default, saying
what an application embedding it wants to see, and shown by the command line's ``-v``."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import recommendations as r
from recommendations._logging import LOGGER_NAMES
from recommendations.spreadsheets import ColumnMapping, apply_import, plan_import, read_sheet
from recommendations.stores import StoreURL
from tests.cli.helpers import entry, invoke
from tests.conftest import Clock, report_details, who
from tests.spreadsheets.sheets import MAPPING_TOML, Q1, QUARTERS, write_csv

FIRST = datetime(2018, 1, 8, 9, tzinfo=UTC)


def _records(caplog: pytest.LogCaptureFixture, name: str) -> list[tuple[int, str]]:
    return [(rec.levelno, rec.getMessage()) for rec in caplog.records if rec.name == name]


def _fill(url: str) -> None:
    with r.Tracker(url) as tracker:
        tracker.execute_many(
            [
                r.PublishReport(
                    reference="PEEL-2016",
                    details=report_details(),
                    effective_on=date(2017, 3, 2),
                    by="Kath Holder",
                    reason="published",
                ),
                r.Raise(
                    reference="2.16",
                    report="PEEL-2016",
                    text="Ensure effective supervision.",
                    grade="amber",
                    **who(3, 2),
                ),
            ]
        )


def test_the_loggers_are_named_under_the_package_and_silent_by_default() -> None:
    assert LOGGER_NAMES == (
        "recommendations.store",
        "recommendations.service",
        "recommendations.views",
        "recommendations.integrity",
        "recommendations.imports",
        "recommendations.paper",
    )
    handlers = logging.getLogger("recommendations").handlers
    assert any(isinstance(handler, logging.NullHandler) for handler in handlers)
    # Without a NullHandler, Python would print a warning on standard error by itself.
    code = (
        "import logging, recommendations; "
        "logging.getLogger('recommendations.service').warning('gave up')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_store_opened_its_views_caught_up_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    caplog.set_level(logging.DEBUG, logger="recommendations")
    _fill(url)
    with r.Tracker(url) as tracker:
        tracker.tables.rebuild()
    assert _records(caplog, "recommendations.store")[0] == (
        logging.INFO,
        f"opened the store {url}",
    )
    views = _records(caplog, "recommendations.views")
    # the entries' own transaction writes their view rows: no catching up after them
    assert (logging.DEBUG, "views applied up to log position 2, in the entries' transaction") in (
        views
    )
    assert views[-2:] == [
        (logging.INFO, "rebuilding the views from the whole log"),
        (logging.INFO, "rebuilt the views: 2 entries applied, up to log position 2"),
    ]


def test_a_password_in_the_store_url_is_never_logged(
    postgres_store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = StoreURL.parse(postgres_store_url)
    assert url.password
    caplog.set_level(logging.INFO, logger="recommendations")
    with r.Tracker(postgres_store_url) as tracker:
        tracker.head()
    assert url.password not in caplog.text
    assert _records(caplog, "recommendations.store") == [
        (logging.INFO, f"opened the store {url.redacted}")
    ]


class _Interleaved:
    """A clock that lets another writer record on 2.16 the first ``times`` times it is
    read: between this writer reading the log and saving its entry."""

    def __init__(self, other: r.Tracker, times: int) -> None:
        self.other, self.left = other, times

    def __call__(self) -> datetime:
        if self.left:
            self.left -= 1
            self.other.execute(r.NoteProgress(reference="2.16", note="theirs", **who(4, 1)))
        return datetime.now(UTC)


def test_retries_and_giving_up_are_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    _fill(url)
    caplog.set_level(logging.INFO, logger="recommendations")
    with r.Tracker(url) as other, r.Tracker(url, clock=_Interleaved(other, 3)) as mine:
        mine.execute(r.NoteProgress(reference="2.16", note="mine", **who(4, 2)))
    retries = _records(caplog, "recommendations.service")
    assert retries
    assert all(level == logging.INFO for level, _ in retries)
    assert all(m.startswith("2.16 met another writer: deciding it again in") for _, m in retries)
    caplog.clear()
    with r.Tracker(url) as other, r.Tracker(url, clock=_Interleaved(other, 1), retries=0) as mine:
        mine.head()
        with pytest.raises(r.ConcurrencyError):
            mine.execute(r.NoteProgress(reference="2.16", note="mine", **who(4, 2)))
    assert _records(caplog, "recommendations.service") == [
        (
            logging.WARNING,
            "2.16: another writer recorded an entry for the same item first; gave up",
        )
    ]


def test_an_imports_batch_and_a_verification_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "mapping.toml").write_text(MAPPING_TOML, encoding="utf-8")
    mapping = ColumnMapping.load(tmp_path / "mapping.toml")
    path = write_csv(tmp_path / f"tracker-{Q1}.csv", QUARTERS[Q1])
    caplog.set_level(logging.INFO, logger="recommendations")
    with r.Tracker(f"sqlite:///{tmp_path / 'register.db'}", clock=Clock(FIRST)) as tracker:
        plan = plan_import(tracker, read_sheet(path, mapping), by="Kath Jones")
        result = apply_import(tracker, plan)
        verified = tracker.integrity.verify()
    source = plan.source
    assert _records(caplog, "recommendations.imports") == [
        (logging.INFO, f"importing {source}: {len(plan.commands)} commands in one batch"),
        (logging.INFO, f"imported {source}: {len(result.recorded)} entries recorded"),
    ]
    assert _records(caplog, "recommendations.integrity") == [
        (logging.INFO, f"verified {verified.head} entries: 0 problems")
    ]


def test_the_command_line_shows_the_log_with_v_and_the_detail_with_vv(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    _fill(url)
    quiet = invoke("--store", url, "rebuild")
    assert quiet.exit_code == 0, quiet.output
    assert "recommendations.store" not in quiet.stderr
    told = invoke("--store", url, "-v", "rebuild")
    assert told.exit_code == 0, told.output
    assert f"INFO recommendations.store: opened the store {url}" in told.stderr.splitlines()
    assert "INFO recommendations.views: rebuilt the views: 2 entries applied" in told.stderr
    assert "DEBUG" not in told.stderr
    detailed = invoke("--store", url, "-vv", "note", "2.16", "In hand.", *entry())
    assert detailed.exit_code == 0, detailed.output
    assert (
        "DEBUG recommendations.views: views applied up to log position 4, in the entries' "
        "transaction" in detailed.stderr
    )
    assert logging.getLogger("recommendations").handlers == [
        handler
        for handler in logging.getLogger("recommendations").handlers
        if isinstance(handler, logging.NullHandler)
    ]  # the command took its handler away when it ended
