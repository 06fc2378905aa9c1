"""The storage adapter registry: URLs, discovery through entry points, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import recommendations as r
from recommendations import stores
from recommendations.stores import StoreURL, adapter_for, available_stores


def test_a_url_is_taken_apart_and_its_password_never_shown() -> None:
    url = StoreURL.parse("PostgreSQL://clerk:s%40cret@db.example:6543/register?schema=audit")
    assert (url.scheme, url.username, url.password, url.host, url.port, url.path) == (
        "postgresql",
        "clerk",
        "s@cret",
        "db.example",
        6543,
        "/register",
    )
    assert url.query == {"schema": "audit"}
    assert url.redacted == "PostgreSQL://clerk:***@db.example:6543/register?schema=audit"
    assert StoreURL.parse("postgres://db/x").scheme == "postgresql"
    assert "s@cret" not in repr(url)


def test_passwords_are_redacted_wherever_they_hide() -> None:
    from recommendations.stores import redact

    hidden = [
        "postgresql:/clerk:hunter2@db/x",  # malformed, but still not shown
        "eventsourcing://eventsourcing.postgres?POSTGRES_PASSWORD=hunter2&POSTGRES_USER=u",
        "eventsourcing://m?SQLALCHEMY_URL=postgresql%2Bpsycopg%3A%2F%2Fu%3Ahunter2%40h%2Fdb",
        "eventsourcing://m?SQLALCHEMY_URL=postgresql://u:hunter2@h/db",
        "connection failed for postgresql://u:hunter2@h/db: refused",
    ]
    for text in hidden:
        assert "hunter2" not in redact(text), text
    assert redact("sqlite:///register.db") == "sqlite:///register.db"
    with pytest.raises(r.ConfigurationError) as caught:
        r.Tracker("postgresql:/clerk:hunter2@db/x")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "rule", "message"),
    [
        ("register.db", "store-url", "is not a store URL"),
        ("postgresql://db:notaport/x", "store-url", "Port could not be cast"),
        ("oracle://db/x", "store-scheme", "install a package that provides it"),
        ("memory://a?b=c", "store-url", "a name at most"),
        ("memory://a/b", "store-url", "a name at most"),
        ("postgresql://u:pw@[::1/db", "store-url", "Invalid IPv6"),
        ("postgresql://db", "store-url", "names no database"),
        ("postgresql://db/x?pool_size=many", "store-url", "must be a number"),
        ("postgresql://u:pw@db/x?colour=blue", "store-url", "unknown parameter 'colour'"),
        ("eventsourcing://", "store-url", "names no module"),
        ("eventsourcing://no_such_module_here", "store-module", "cannot be imported"),
        ("eventsourcing://eventsourcing.popo?PERSISTENCE_MODULE=x", "store-url", "named by"),
    ],
)
def test_bad_urls_are_refused_before_anything_opens(url: str, rule: str, message: str) -> None:
    with pytest.raises(r.ConfigurationError, match=message) as caught:
        r.Tracker(url)
    assert (caught.value.field, caught.value.rule) == ("store", rule)
    assert "pw@" not in str(caught.value)


def test_the_shipped_adapters_are_listed_with_their_packages() -> None:
    listed = {info.scheme: info for info in available_stores()}
    assert {"memory", "sqlite", "postgresql", "eventsourcing"} <= set(listed)
    assert listed["memory"].package == "recommendations-tracker"
    assert listed["sqlite"].package == "recommendations-tracker"
    assert listed["postgresql"].package == "recommendations-tracker-postgresql"
    assert listed["sqlite"].target == "recommendations_sqlite:SqliteStore"
    assert all(info.installed for info in listed.values() if info.scheme in stores._KNOWN)


def test_adapters_are_imported_only_when_a_url_names_them(tmp_path: Path) -> None:
    program = f"""
import json, sys
import recommendations as r
from recommendations.stores import available_stores
listed = [i.scheme for i in available_stores()]
with r.Tracker("memory://") as tracker:
    pass
before = sorted(m for m in sys.modules if m.startswith("recommendations_"))
with r.Tracker("sqlite:///{tmp_path / "x.db"}") as tracker:
    pass
after = sorted(m for m in sys.modules if m.startswith("recommendations_"))
print(json.dumps([listed, before, after]))
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    listed, before, after = json.loads(result.stdout)
    assert "postgresql" in listed
    assert before == []
    assert "recommendations_sqlite" in after
    assert not any(m.startswith("recommendations_postgresql") for m in after)


def test_a_shipped_adapter_that_is_not_installed_names_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if ``recommendations-tracker-postgresql`` were not installed: the entry points found are
    those of every installed distribution but that one."""
    found = stores._entry_points()
    monkeypatch.setattr(stores, "_loaded", {})
    monkeypatch.setattr(
        stores, "_entry_points", lambda: {k: v for k, v in found.items() if k != "postgresql"}
    )
    with pytest.raises(r.ConfigurationError) as caught:
        adapter_for("postgresql://db/register")
    assert (
        "install recommendations-tracker-postgresql (pip install "
        "recommendations-tracker-postgresql; in a clone of the project: "
        "pip install -e adapters/postgresql)"
    ) in str(caught.value)
    listed = {info.scheme: info for info in available_stores()}
    assert listed["postgresql"].installed is False
    assert listed["postgresql"].target is None


def _record_one(tracker: r.Tracker) -> None:
    tracker.execute(
        r.RecordInspection(
            reference="I",
            details=r.InspectionDetails(title="t", body="b", inspectorates=("HMIC",)),
            effective_on=tracker.basis().as_at,
            by="x",
            reason="y",
        )
    )


def test_memory_stores_are_private_or_shared_by_name() -> None:
    from recommendations._memory import forget

    with r.Tracker("memory://") as one, r.Tracker("memory://") as two:
        _record_one(one)
        assert two.head() == 0
    try:
        with r.Tracker("memory://Ledger") as one, r.Tracker("memory://ledger") as two:
            _record_one(one)
            assert two.head() == 1
    finally:
        forget("ledger")
