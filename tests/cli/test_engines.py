"""Every command, end to end, on each engine (a SQLite file and a PostgreSQL database),
through the real command in a new process: one fresh store per engine, filled and read the
way a tracker's keeper would, each answer read back with the reader its format has.

Importing (``test_import.py``) and the demonstration (``test_reading.py``) run on both
engines in the same way, on stores of their own.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
from PIL import Image
from pypdf import PdfReader

import recommendations as r
from recommendations.paper import CommitteePaper

from .helpers import RAISE, REPORT, entry, head, ok, run, run_together, table_rows

OWNER = "Head of [red]Crime[/red]"
"""An owner whose name holds what ``rich`` would read as markup: it must show as typed."""

DISCHARGE = [
    "discharge",
    "2.16",
    "--outcome",
    "implemented",
    "--accepted-by",
    "HMIC",
    "--acceptor-role",
    "inspectorate",
]
STEPS: list[tuple[list[str], str]] = [
    (
        [
            "record-inspection",
            "INSP-PEEL-2016",
            "--title",
            "PEEL effectiveness",
            "--body",
            "West Midlands Police",
            "--inspectorate",
            "HMIC",
            "--fieldwork-from",
            "2016-10-03",
            "--fieldwork-to",
            "2016-10-07",
            "--hot-debrief",
            "2016-10-07",
            "--expected-report",
            "early 2017",
            "--national",
            *entry(reason="inspection", on="2016-10-03"),
        ],
        "Recorded InspectionRecorded: inspection 'INSP-PEEL-2016', entry 1, effective "
        "2016-10-03, at log position 1 ",
    ),
    ([*REPORT, "--inspection", "INSP-PEEL-2016"], "Recorded ReportPublished: report 'PEEL-2016'"),
    (RAISE, "Recorded Raised: recommendation '2.16', entry 1, effective 2017-03-02"),
    (["assign", "2.16", OWNER, *entry()], "Recorded Assigned: recommendation '2.16', entry 2"),
    (["regrade", "2.16", "green", *entry()], "Recorded Regraded"),
    (["note", "2.16", "Plan agreed.", "--evidence", "minutes", *entry()], "ProgressNoted"),
    (["change-deadline", "2.16", "2017-06-30", *entry()], "Recorded DeadlineChanged"),
    (["claim", "2.16", "Done.", "--evidence", "audit", *entry()], "ImplementationClaimed"),
    (["reject-claim", "2.16", *entry(reason="one district only")], "ClaimRejected"),
    (["claim", "2.16", "Done everywhere.", *entry()], "Recorded ImplementationClaimed"),
    ([*DISCHARGE, *entry()], "Recorded Discharged: recommendation '2.16', entry 9"),
    (["reopen", "2.16", *entry(reason="revisit")], "Recorded Reopened"),
    (
        [
            "correct",
            "2.16",
            "5",
            "--set",
            "due_on=2017-07-31",
            "--what-was-wrong",
            "mistyped",
            *entry(),
        ],
        "Recorded Corrected: recommendation '2.16', entry 11",
    ),
    (
        ["correct", "2.16", "4", "--strike", "--what-was-wrong", "not said", *entry()],
        "Recorded Corrected: recommendation '2.16', entry 12",
    ),
    (["change-deadline", "2.16", "none", *entry(on="2017-03-31")], "DeadlineChanged"),
]
"""Every command that records, in an order the lifecycle allows, and what each says."""

PAPER = ("committee-update", "--since", "2017-03-01", "--as-at", "2017-03-31")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = self._in and tag != "td"

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


def _html_cells(text: str) -> list[str]:
    parser = _Cells()
    parser.feed(text)
    return parser.cells


def _svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return [
        "".join(node.itertext()).strip() for node in root.iter("{http://www.w3.org/2000/svg}text")
    ]


def test_every_command_end_to_end(store: str, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
        return run("--store", store, *args, cwd=tmp_path)

    # --- recording: one entry each, at the next position of the log, then the record of the
    # command id it was recorded under ----------------------------------------------------
    for position, (args, said) in zip(range(1, 2 * len(STEPS), 2), STEPS, strict=True):
        out = ok(cli(*args))
        assert said in out, (args, out)
        assert f"at log position {position} (recorded " in out, (args, out)
    last = 2 * len(STEPS)

    refused = cli("regrade", "2.16", "purple", *entry())
    assert refused.returncode == 1
    assert refused.stderr.decode() == (
        "error: recommendation '2.16': field 'grade': rule 'grade-on-scale': 'purple' is not "
        "on scale 'rag' (red, amber, green)\n"
    )
    assert refused.stdout == b""
    assert head(store) == last  # nothing was recorded

    # --- reading: everything at once (nothing here writes) ----------------------------------
    (tmp_path / "charts").mkdir()
    march = ("register", "--as-at", "2017-03-31")
    files = ("reg.csv", "reg.json", "reg.xlsx", "reg.md", "reg.html", "reg.txt")
    reads = {
        "table": march,
        **{name: (*march, "-o", name) for name in files},
        "filtered": (
            *march,
            "--format",
            "json",
            "--grade",
            "GREEN",
            "--status",
            "Open",
            "--report",
            "peel: Effectiveness 2016",
        ),
        "none": (*march, "--grade", "Amber"),
        "before": ("register", "--as-at", "2017-03-02", "--format", "json"),
        "history.json": ("history", "2.16", "--format", "json"),
        "history": ("history", "2.16"),
        "trail.csv": ("trail", "--format", "csv"),
        "trail.txt": ("trail", "-o", "trail.txt"),
        "paper.md": (*PAPER, "-o", "paper.md", "--chart", "chart.svg"),
        "paper.pdf": (*PAPER, "-o", "paper.pdf", "--chart", "charts/chart.png"),
        "paper.html": (*PAPER, "--format", "html"),
        "paper.json": (*PAPER, "-o", "paper.json"),
        "all.json": ("export", "-o", "all.json", "--as-at", "2017-03-31"),
        "all.xlsx": ("export", "-o", "all.xlsx"),
        "folder": ("export", "--format", "csv", "-o", "folder"),
        "stores": ("stores",),
    }
    results = run_together(*(("--store", store, *args) for args in reads.values()), cwd=tmp_path)
    answer = dict(zip(reads, results, strict=True))
    for name, result in answer.items():
        assert result.returncode == 0, (name, result.stderr)

    # the register: a table, and every format, chosen by the file's name
    table = answer["table"].stdout.decode()
    title = "PEEL: effectiveness 2016"
    expected = ["2.16", "PEEL-2016", title, "Green", "Open", "", OWNER, "", "no"]
    assert table_rows(table) == [expected]
    assert f"up to log position {last}." in table
    for name in files:
        assert answer[name].stderr.decode() == f"Wrote the register (1 row) to {name}.\n"
    [row] = list(csv.DictReader(io.StringIO((tmp_path / "reg.csv").read_text("utf-8-sig"))))
    assert (row["reference"], row["owner"], row["basis_position"]) == ("2.16", OWNER, str(last))
    [row] = json.loads((tmp_path / "reg.json").read_text())
    assert (row["grade"], row["status"], row["due_on"], row["owner_name"]) == (
        "green",
        "open",
        None,
        None,
    )
    sheet = list(openpyxl.load_workbook(tmp_path / "reg.xlsx")["Register"].values)
    assert dict(zip(sheet[0], sheet[1], strict=True))["owner"] == OWNER
    assert "| 2.16 | PEEL-2016 |" in (tmp_path / "reg.md").read_text()
    assert OWNER in _html_cells((tmp_path / "reg.html").read_text())
    written = (tmp_path / "reg.txt").read_text()
    assert table_rows(written) == [expected]
    assert all(line == line.rstrip() for line in written.splitlines())
    assert [row["reference"] for row in json.loads(answer["filtered"].stdout)] == ["2.16"]
    assert (
        answer["none"]
        .stdout.decode()
        .startswith("No rows: no recommendation matches --grade amber.\nAs at 2017-03-31")
    )
    [before] = json.loads(answer["before"].stdout)
    assert (before["grade"], before["owner_name"], before["due_on"]) == (
        "amber",
        "Jo Bloggs",
        "2017-03-02",
    )

    # the history of one recommendation and the trail of the whole log
    entries = json.loads(answer["history.json"].stdout)
    assert [e["version"] for e in entries] == list(range(1, 14))
    assert entries[3]["struck_out"] is True
    assert entries[4]["corrected_by"] == [11]
    rows = table_rows(answer["history"].stdout.decode())
    assert [row[2] for row in rows] == [str(v) for v in range(1, 14)]
    assert rows[1][-1] == (
        f"owner: Head of Public Protection → {OWNER}; owner_name: Jo Bloggs → (none)"
    )
    assert rows[3][-1].endswith("[struck out by entry 12]")
    trail = list(csv.DictReader(io.StringIO(answer["trail.csv"].stdout.decode("utf-8-sig"))))
    assert [int(e["position"]) for e in trail] == list(range(1, last + 1, 2))
    assert len(table_rows((tmp_path / "trail.txt").read_text())) == len(STEPS)

    # the committee paper in each format, with its chart
    markdown = (tmp_path / "paper.md").read_text()
    assert "](chart.svg)" in markdown
    assert "| 2.16 |" in markdown
    texts = _svg_texts((tmp_path / "chart.svg").read_bytes())
    assert {"Red", "Amber", "Green", "Grade"} <= set(texts)
    pdf = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "paper.pdf").pages)
    assert "PEEL: effectiveness 2016" in pdf
    assert "2.16" in pdf
    with r.Tracker(store) as tracker:
        paper = CommitteePaper.of(tracker, since=date(2017, 3, 1), as_at=date(2017, 3, 31))
    with Image.open(tmp_path / "charts" / "chart.png") as image:
        assert image.format == "PNG"
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    green = next(g.colour for g in paper.series.grades if g.code == "green")
    assert tuple(int(green[i : i + 2], 16) for i in (1, 3, 5)) in colours
    html = answer["paper.html"].stdout.decode()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert OWNER in _html_cells(html)
    figures = json.loads((tmp_path / "paper.json").read_text())
    assert figures["format"] == "recommendations.committee-paper"
    assert figures["update"]["basis"]["position"] == last

    # exports, the adapters
    document = json.loads((tmp_path / "all.json").read_text())
    assert (len(document["register"]), len(document["trail"])) == (1, len(STEPS))
    assert document["basis"]["position"] == last
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames == [
        "Register",
        "Trail",
        "Basis",
    ]
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["register.csv", "trail.csv"]
    listed = answer["stores"].stdout.decode()
    assert all(scheme in listed for scheme in ("memory://", "sqlite://", "postgresql://"))

    # --- the views, rebuilt -----------------------------------------------------------------
    rebuilt = ok(cli("rebuild"))
    assert rebuilt.startswith("Rebuilt the views of ")
    assert f": {last} entries applied." in rebuilt
    assert head(store) == last  # reading wrote nothing


def test_copy_moves_the_demonstration_to_each_engine(
    store: str, demo_file: Path, tmp_path: Path, console_script: Path
) -> None:
    """`copy --from` gives the same log, position for position, and the same register;
    copying again finds nothing left to copy."""
    source = f"sqlite:///{demo_file}"
    done = subprocess.run(
        [str(console_script), "--store", store, "copy", "--from", source],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Copied ")
    with r.Tracker(source) as origin, r.Tracker(store) as copy:
        assert list(copy.log()) == list(origin.log())
        assert copy.head() == origin.head()
        basis = {"as_at": date(2017, 3, 30), "known_at": origin.basis().known_at}
        assert copy.register(**basis).rows == origin.register(**basis).rows
    again = subprocess.run(
        [str(console_script), "--store", store, "copy", "--from", source],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr  # a finished copy: nothing left to copy
    assert again.stdout.startswith("Nothing to copy: "), again.stdout
