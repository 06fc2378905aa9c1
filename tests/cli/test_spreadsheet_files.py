"""Spreadsheet files at the edges: malformed files refused in one line, with nothing
recorded, and workbooks written whatever text the log holds."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import openpyxl
import pytest
from click.testing import Result

import recommendations as r
from recommendations import domain

from .helpers import RAISE, REPORT, invoke, ok

HEADERS = "Ref,Report,Recommendation,RAG,Owner"
ROW = "X1,PEEL-2016,Supervise DASH risk assessments.,Red,Head of Crime"


def _store(tmp_path: Path) -> str:
    store = f"sqlite:///{tmp_path / 'register.db'}"
    ok(invoke("--store", store, *REPORT))
    ok(invoke("--store", store, *RAISE))
    return store


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with a report and a recommendation, that the tests of refusals leave as it is."""
    return _store(tmp_path_factory.mktemp("shared"))


def _head(store: str) -> int:
    with r.Tracker(store) as tracker:
        return tracker.head()


def _refused(result: Result) -> str:
    """The one line a refused command wrote."""
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def _workbook(path: Path) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    sheet.append(["Ref", "Report", "Recommendation", "RAG", "Owner", "owner"])
    sheet.append(["X1", "PEEL-2016", "Supervise.", "Red", "Head of Crime", "Head of Justice"])
    book.save(path)
    return book


def _parts(workbook: bytes, cut: str | None = None) -> dict[str, bytes]:
    """The parts of a workbook's zip file, the one named ``cut`` cut in half."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return {n: d[: len(d) // 2] if cut and n.endswith(cut) else d for n, d in parts.items()}


def _zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


BAD_CSV = [
    (
        "a duplicated header",
        f"{HEADERS},Lead,OWNER\n{ROW},,Head of Justice\n".encode(),
        "rule 'header-unique': tracker-2017-03-30.csv, row 1, column G ('OWNER'): the same "
        "header as column E ('Owner'); rename one of them",
    ),
    (
        "an unterminated quote",
        f'{HEADERS}\nX1,PEEL-2016,"Supervise,Red,Head\nX2,PEEL-2016,Audit,Red,Head\n'.encode(),
        "rule 'csv-quoting': tracker-2017-03-30.csv, row 2, column C ('Recommendation'): a "
        "quoted cell that is not closed",
    ),
    (
        "text after a closing quote",
        f'{HEADERS}\nX1,PEEL-2016,Audit,"Red"dish,Head\n'.encode(),
        "rule 'csv-quoting': tracker-2017-03-30.csv, row 2, column D ('RAG'): a quoted cell",
    ),
    (
        "more cells than headers",
        f"{HEADERS}\n{ROW},,stray\n".encode(),
        "rule 'cell-without-header': tracker-2017-03-30.csv, row 2, column G: a value in a "
        "column with no header",
    ),
    (
        "a NUL byte",
        f"{HEADERS}\nX1,PEEL-2016,Super\0vise,Red,Head\n".encode(),
        "rule 'nul-byte': tracker-2017-03-30.csv, row 2, column C: a NUL byte",
    ),
    (
        "bytes that are neither UTF-8 nor Windows-1252",
        f"{HEADERS}\nX1,PEEL-2016,Audit,Red,Chef de la S".encode() + b"\x81ret\xe9\n",
        "rule 'utf-8': tracker-2017-03-30.csv, row 2, column E: not UTF-8 text (byte 71), "
        "nor Windows-1252",
    ),
    (
        "bytes that are not UTF-8, after a byte-order mark",
        b"\xef\xbb\xbfRef,Owner\nX1,S\xfbret\n",
        "rule 'utf-8': tracker-2017-03-30.csv, row 2, column B: not UTF-8 text (byte 17)",
    ),
    ("an empty file", b"", "rule 'file-empty': tracker-2017-03-30.csv is empty"),
    ("a byte-order mark alone", b"\xef\xbb\xbf\r\n", "rule 'file-empty'"),
    (
        "a file that is not a spreadsheet",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "rule 'nul-byte': tracker-2017-03-30.csv, row 3, column A: a NUL byte",
    ),
]


@pytest.mark.parametrize(("content", "said"), [c[1:] for c in BAD_CSV], ids=[c[0] for c in BAD_CSV])
def test_a_malformed_csv_is_refused_in_one_line_and_nothing_is_recorded(
    shared: str, tmp_path: Path, content: bytes, said: str
) -> None:
    store = shared
    head = _head(store)
    path = tmp_path / "tracker-2017-03-30.csv"
    path.write_bytes(content)
    for dry in ([], ["--dry-run"]):
        line = _refused(invoke("--store", store, "import", str(path), "--by", "Kath", *dry))
        assert said in line
    assert _head(store) == head


def test_a_malformed_workbook_is_refused_in_one_line_and_nothing_is_recorded(
    shared: str, tmp_path: Path
) -> None:
    store = shared
    head = _head(store)
    duplicated = tmp_path / "tracker-2017-03-30.xlsx"
    _workbook(duplicated)
    line = _refused(invoke("--store", store, "import", str(duplicated), "--by", "Kath"))
    assert line.endswith(
        "rule 'header-unique': tracker-2017-03-30.xlsx, sheet 'Tracker', row 1, column F "
        "('owner'): the same header as column E ('Owner'); rename one of them"
    )
    good = duplicated.read_bytes()
    for content in (
        b"",
        b"Ref,Owner\nX1,Head\n",
        b"PK\x03\x04 not really a zip",
        _zipped({"hello.txt": b"not a workbook"}),
        _zipped(_parts(good, cut="sheet1.xml")),  # a worksheet cut short
        _zipped({n: d for n, d in _parts(good).items() if not n.endswith("sheet1.xml")}),
    ):
        duplicated.write_bytes(content)
        line = _refused(invoke("--store", store, "import", str(duplicated), "--by", "Kath"))
        assert "rule 'file-readable': tracker-2017-03-30.xlsx cannot be read as an Excel" in line
    duplicated.write_bytes(good)
    line = _refused(
        invoke("--store", store, "import", str(duplicated), "--sheet", "Nope", "--dry-run")
    )
    assert "rule 'sheet-exists'" in line
    assert _head(store) == head


def test_a_cell_longer_than_the_csv_modules_limit_is_read_whole(tmp_path: Path) -> None:
    """The csv module refuses a field over 128 KiB; the import reads it, and the rules on
    what the log may hold judge it (a refusal is one line, and records nothing)."""
    store = _store(tmp_path)
    head = _head(store)
    text = "Supervise DASH risk assessments. " * 5000  # 165,000 characters
    path = tmp_path / "tracker-2017-03-30.csv"
    path.write_text(f"{HEADERS}\nX1,PEEL-2016,{text},Red,Head of Crime\n", encoding="utf-8")
    result = invoke("--store", store, "import", str(path), "--by", "Kath")
    if result.exit_code:  # refused by the rule on the length of a text, naming the row
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert "row 2" in errors[0] and "rule 'text-length'" in errors[0], result.stderr
        assert _head(store) == head
    else:
        with r.Tracker(store) as tracker:
            assert tracker.recommendation("X1").text == text.strip()


def _a_note_no_rule_would_take_now(store: str, note: str) -> None:
    """A note as an older store may hold it: decided on a plain note, then given ``note``
    and appended unchanged, past any rule on what a note may hold."""
    with r.Tracker(store) as tracker:
        history = tracker.events("2.16")
        decided = domain.decide(
            history,
            r.NoteProgress(
                reference="2.16",
                note="plain",
                effective_on=date(2017, 3, 30),
                by="Kath",
                reason="update",
            ),
            recorded_at=datetime.now(UTC),
        )
        tracker.append_log([attrs.evolve(decided, note=note)])


def test_every_workbook_holds_any_text_the_log_holds(tmp_path: Path) -> None:
    """A control character in a note (which XML cannot hold) is written ``_xHHHH_`` in the
    trail, the history and the export, and the import reads that escape back."""
    store = _store(tmp_path)
    note = "Audit\x07 begun\x1b[0m; \x00 _x0041_ kept"
    _a_note_no_rule_would_take_now(store, note)
    written = "Audit_x0007_ begun_x001B_[0m; _x0000_ _x005F_x0041_ kept"
    trail, history, export = (tmp_path / name for name in ("t.xlsx", "h.xlsx", "e.xlsx"))
    ok(invoke("--store", store, "trail", "-o", str(trail)))
    ok(invoke("--store", store, "history", "2.16", "-o", str(history)))
    ok(invoke("--store", store, "export", "-o", str(export)))
    for path, sheet in ((trail, "Trail"), (history, "Trail"), (export, "Trail")):
        book = openpyxl.load_workbook(path)
        cells = [c for row in book[sheet].iter_rows(values_only=True) for c in row]
        assert any(isinstance(c, str) and written in c for c in cells), path.name

    # a sheet holding the escape, as Excel writes one, is read back as the character
    sheet = tmp_path / "tracker-2017-03-31.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Progress"])
    book.active.append(["2.16", written])
    book.save(sheet)
    said = ok(invoke("--store", store, "import", str(sheet), "--by", "Kath", "--dry-run"))
    assert "would record 0 entries" in said


def test_an_export_imported_back_records_nothing_from_the_command_line(tmp_path: Path) -> None:
    """A formula, spaces at the ends and line separators other than CR and LF (which
    ``str.splitlines`` would break a row at): the CSV and the workbook the export writes,
    imported back, record nothing."""
    store = _store(tmp_path)
    owner = "=Head of\u2028Crime and\u2029 Justice "
    ok(invoke("--store", store, "assign", "2.16", owner, "--by", "Kath", "--reason", "lead"))
    folder, workbook = tmp_path / "export", tmp_path / "export.xlsx"
    ok(invoke("--store", store, "export", "--format", "csv", "-o", str(folder)))
    ok(invoke("--store", store, "export", "-o", str(workbook)))
    register = folder / "register.csv"
    rows = list(csv.DictReader(io.StringIO(register.read_text("utf-8-sig"), newline="")))
    assert rows[0]["owner"] == "'" + owner
    today = date.today().isoformat()
    for path, sheet in ((register, []), (workbook, ["--sheet", "Register"])):
        importing = ("import", str(path), *sheet, "--snapshot-date", today, "--by", "Kath")
        said = ok(invoke("--store", store, *importing))
        assert said.startswith("Nothing to import: the store already has everything"), said


@pytest.mark.parametrize("as_at", ["2016-12-08", "2017-03-30"])
def test_the_demonstrations_export_imported_back_would_record_nothing(
    shared_demo: str, tmp_path: Path, as_at: str
) -> None:
    """Every state a recommendation can be in (claimed, discharged with each outcome,
    superseded, overdue, deferred), on two dates."""
    folder, workbook = tmp_path / "export", tmp_path / "export.xlsx"
    ok(
        invoke(
            "--store", shared_demo, "export", "--format", "csv", "-o", str(folder), "--as-at", as_at
        )
    )
    ok(invoke("--store", shared_demo, "export", "-o", str(workbook), "--as-at", as_at))
    for path, sheet in ((folder / "register.csv", []), (workbook, ["--sheet", "Register"])):
        importing = ("import", str(path), *sheet, "--snapshot-date", as_at, "--dry-run")
        said = ok(invoke("--store", shared_demo, *importing))
        assert "would record 0 entries; nothing was recorded." in said, said
