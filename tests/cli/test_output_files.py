"""Where outputs may be written: never over the store, over another format only with
--force, whole or not at all, and readable by their owner only."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from recommendations import Tracker
from recommendations._files import check_output, output_file

from .helpers import copy_database, invoke, run

SINCE = ("--since", "2016-12-08", "--as-at", "2017-03-30")

COMMANDS: dict[str, tuple[list[str], str]] = {
    "register-csv": (["register", "--as-at", "2017-03-30", "--format", "csv"], "csv"),
    "register-xlsx": (["register", "--format", "xlsx"], "xlsx"),
    "register-table": (["register", "--format", "table"], "txt"),
    "history-json": (["history", "CB-21", "--format", "json"], "json"),
    "trail-html": (["trail", "--format", "html"], "html"),
    "trail-md": (["trail", "--format", "md"], "md"),
    "paper-pdf": (["committee-update", *SINCE, "--format", "pdf"], "pdf"),
    "paper-md": (["committee-update", *SINCE, "--format", "md"], "md"),
    "export-json": (["export", "--format", "json"], "json"),
    "export-xlsx": (["export", "--format", "xlsx"], "xlsx"),
}
"""Every command that writes a file, in the formats whose content tells them apart."""

SQLITE = b"SQLite format 3\x00" + bytes(100)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
TEXT = b"Minutes of the audit committee\nKeep this file.\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _workbook() -> bytes:
    import io

    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


SAME = {
    "csv": b"\xef\xbb\xbfreference,report,grade\r\nCB-21,PEEL,red\r\n",
    "xlsx": _workbook(),
    "txt": "            Register\n┏━━━━━━━━━━━┓\n┃ Reference ┃\n".encode(),
    "json": b'[\n  {"reference": "CB-21"}\n]\n',
    "html": b"<!DOCTYPE html>\n<html><body></body></html>\n",
    "md": b"# Audit trail\n\n| Position |\n",
    "pdf": PDF,
}
"""A file of each format an output may replace."""

CHEAP = ("register-csv", "register-xlsx", "register-table", "history-json", "trail-md")
"""The commands quick enough to run to the end for every kind of file in their way."""


@pytest.fixture
def store(demo_file: Path, tmp_path: Path) -> Path:
    return copy_database(demo_file, tmp_path / "store.db")


def _write(store: Path, args: list[str], target: Path, *more: str) -> tuple[int, str]:
    result = invoke("--store", f"sqlite:///{store}", *args, "-o", str(target), *more)
    return result.exit_code, result.stderr


def _entries(store: Path) -> int:
    with Tracker(f"sqlite:///{store}") as tracker:
        return tracker.head()


@pytest.mark.parametrize("command", COMMANDS)
def test_no_output_replaces_the_store_or_its_side_files(
    command: str, store: Path, tmp_path: Path
) -> None:
    args, _ending = COMMANDS[command]
    head = _entries(store)
    before = digest(store)
    (tmp_path / "link.db").symlink_to(store)
    os.link(store, tmp_path / "hard.db")
    for target in ("store.db", "store.db-wal", "store.db-shm", "link.db", "hard.db"):
        for force in ((), ("--force",)):
            status, said = _write(store, args, tmp_path / target, *force)
            assert status == 1, (target, force, said)
            assert "rule 'output-not-store'" in said
            assert said.count("\n") == 1, said
    assert digest(store) == before
    assert _entries(store) == head
    assert not (tmp_path / "store.db-wal").exists() or (tmp_path / "store.db-wal").stat().st_size
    assert (tmp_path / "link.db").is_symlink()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_of_another_format_is_replaced_only_with_force(
    command: str, store: Path, tmp_path: Path
) -> None:
    args, ending = COMMANDS[command]
    others = {"foreign-sqlite": SQLITE, "pdf": PDF, "text": TEXT, "zip": b"PK\x03\x04" + bytes(30)}
    if ending == "pdf":
        others["pdf"] = SAME["md"]
    for name, content in others.items():
        target = tmp_path / f"{name}.{ending}"
        target.write_bytes(content)
        status, said = _write(store, args, target)
        assert status == 1, (name, said)
        assert "rule 'output-overwrites'" in said and "--force" in said
        assert target.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", CHEAP)
def test_with_force_any_file_but_the_store_is_replaced(
    command: str, store: Path, tmp_path: Path
) -> None:
    args, ending = COMMANDS[command]
    for name, content in {"foreign-sqlite": SQLITE, "pdf": PDF, "text": TEXT}.items():
        target = tmp_path / f"{name}.{ending}"
        target.write_bytes(content)
        status, said = _write(store, args, target, "--force")
        assert status == 0, said
        assert target.read_bytes() != content


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_of_the_same_format_or_an_empty_one_may_be_replaced(
    command: str, store: Path, tmp_path: Path
) -> None:
    """Checked before anything is read (so a refusal costs nothing); the commands that are
    quick are run to the end."""
    args, ending = COMMANDS[command]
    for content in (SAME[ending], b""):
        target = tmp_path / f"same.{ending}"
        target.write_bytes(content)
        if command in CHEAP:
            status, said = _write(store, args, target)
            assert status == 0, said
            assert target.read_bytes() not in (content, b"")
        else:
            check_output(target, ending if ending != "txt" else "table", stores=[store])


def test_a_symbolic_link_to_an_output_stays_a_link(store: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    (tmp_path / "link.csv").symlink_to(real)
    args = ["register", "--format", "csv"]
    assert _write(store, args, tmp_path / "link.csv")[0] == 0
    assert (tmp_path / "link.csv").is_symlink()
    assert real.read_bytes().startswith(b"\xef\xbb\xbfreference,")


def test_the_chart_is_checked_like_any_output(store: Path, tmp_path: Path) -> None:
    paper = ["committee-update", *SINCE]
    chart = tmp_path / "chart.svg"
    chart.write_bytes(TEXT)
    status, said = _write(store, paper, tmp_path / "paper.md", "--chart", str(chart))
    assert status == 1 and "field 'chart': rule 'output-overwrites'" in said
    assert chart.read_bytes() == TEXT
    both = str(tmp_path / "p.svg")
    status, said = _write(store, [*paper, "--format", "md"], Path(both), "--chart", both)
    assert status == 2 and "name two files" in said
    (tmp_path / "store.svg").symlink_to(store)
    status, said = _write(store, paper, tmp_path / "x.md", "--chart", str(tmp_path / "store.svg"))
    assert status == 1 and "rule 'output-not-store'" in said


def test_a_csv_export_checks_each_file(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "trail.csv").write_bytes(PDF)
    status, said = _write(store, ["export", "--format", "csv"], folder)
    assert status == 1 and "rule 'output-overwrites'" in said
    assert (folder / "trail.csv").read_bytes() == PDF


# --- private files ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("command", ["register-csv", "export-json"])
def test_outputs_are_readable_by_their_owner_only(
    command: str, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, ending = COMMANDS[command]
    monkeypatch.setattr(os, "umask", os.umask)  # restored whatever the test does
    old = os.umask(0o022)
    try:
        target = tmp_path / f"out.{ending}"
        assert _write(store, args, target)[0] == 0
        assert _mode(target) == 0o600
        target.chmod(0o644)
        assert _write(store, args, target)[0] == 0  # replaced: private again
        assert _mode(target) == 0o600
        wider = invoke(
            "--store",
            f"sqlite:///{store}",
            *args,
            "-o",
            str(target),
            env={"RECOMMENDATIONS_STORE": None, "RECOMMENDATIONS_FILE_MODE": "0640"},
        )
        assert wider.exit_code == 0, wider.stderr
        assert _mode(target) == 0o640
    finally:
        os.umask(old)


def test_a_mode_that_is_not_one_is_refused(store: Path, tmp_path: Path) -> None:
    for given in ("rw", "0200", "1777", "0000"):
        result = invoke(
            "--store",
            f"sqlite:///{store}",
            "register",
            "-o",
            str(tmp_path / "r.csv"),
            env={"RECOMMENDATIONS_STORE": None, "RECOMMENDATIONS_FILE_MODE": given},
        )
        assert result.exit_code == 1
        assert "field 'RECOMMENDATIONS_FILE_MODE': rule 'file-mode'" in result.stderr
    assert not (tmp_path / "r.csv").exists()


def test_a_new_sqlite_store_and_its_side_files_are_private(tmp_path: Path) -> None:
    """Made by the real command under the usual umask: SQLite gives the -wal and -shm files
    the database's mode, so they are private too (checked while the store is open)."""
    result = run(
        "--store",
        "sqlite:///new.db",
        "record-inspection",
        "INSP-1",
        "--title",
        "An inspection",
        "--body",
        "A force",
        "--inspectorate",
        "HMIC",
        "--by",
        "Risk manager",
        "--reason",
        "announced",
        "--effective",
        "2017-03-01",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert _mode(tmp_path / "new.db") == 0o600
    with Tracker(f"sqlite:///{tmp_path / 'new.db'}") as tracker:
        tracker.tables.catch_up()
        side = [tmp_path / "new.db-wal", tmp_path / "new.db-shm"]
        assert [p.exists() for p in side] == [True, True]
        assert [_mode(p) for p in side] == [0o600, 0o600]


def test_a_new_store_takes_the_mode_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOMMENDATIONS_FILE_MODE", "640")
    with Tracker(f"sqlite:///{tmp_path / 'shared.db'}") as tracker:
        tracker.tables.catch_up()
        assert _mode(tmp_path / "shared.db") == 0o640
        assert _mode(tmp_path / "shared.db-wal") == 0o640


def test_an_existing_store_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    with Tracker(f"sqlite:///{path}"):
        pass
    assert _mode(path) == 0o644


def test_nothing_is_left_when_writing_fails(tmp_path: Path) -> None:
    """An output that fails half way leaves the file it would replace as it was, and no
    temporary file."""
    target = tmp_path / "register.csv"
    target.write_bytes(b"reference,grade\r\nCB-21,red\r\n")

    def fail_half_way() -> None:
        with output_file(target, "csv") as file:
            file.write(b"reference,grade\r\n")
            raise RuntimeError("the log could not be read")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert target.read_bytes() == b"reference,grade\r\nCB-21,red\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["register.csv"]


@pytest.mark.parametrize(
    "args",
    [["checkpoint"], ["prove", "CB-21"], ["verifier"]],
    ids=["checkpoint", "prove", "verifier"],
)
def test_the_commands_of_verifiable_history_never_write_over_the_store(
    store: Path, args: list[str]
) -> None:
    before = digest(store)
    code, stderr = _write(store, args, store)
    assert code == 1, stderr
    assert "rule 'output-not-store'" in stderr
    assert digest(store) == before
    target = store.parent / f"{args[0]}.out"
    code, stderr = _write(store, args, target)
    assert code == 0, stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
