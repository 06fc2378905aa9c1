"""The ``[paper]`` extra: without matplotlib, WeasyPrint and fpdf2 the command line still
builds the demonstration and writes Markdown and HTML papers, and a chart or a PDF is
refused in one line naming the extra (exit status 2); where WeasyPrint is installed but its
system libraries are not, the PDF falls back to fpdf2 and says so.

First in a fresh virtual environment that holds the core distribution, the SQLite adapter
and their declared dependencies only (linked from this environment: nothing is downloaded
or built). Then, for breadth, in this environment with the libraries hidden from a real
``recommendations`` process by an import hook that makes importing them fail as it does
where they are not installed (``ModuleNotFoundError``), or, for WeasyPrint without Pango,
as cffi fails to open a missing library (``OSError``).
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from pypdf import PdfReader

from tests.cli.helpers import clean_env

_HOOK = """
import importlib.abc, sys

HIDDEN = set(sys.argv[1].split(",")) - {""}
BROKEN = set(sys.argv[2].split(",")) - {""}


class _Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if top in BROKEN:
            raise OSError("cannot load library 'libpango-1.0-0': cannot open shared object file")
        return None


sys.meta_path.insert(0, _Hide())
from recommendations.cli import main

sys.exit(main(sys.argv[3:]))
"""

PAPER_LIBRARIES = "matplotlib,weasyprint,fpdf"
INSTALL = (
    "pip install 'recommendations[paper]' (in a clone of the project: pip install -e '.[paper]')"
)
SINCE = ("--since", "2016-12-08", "--as-at", "2017-03-30")


def _run(
    *args: str, cwd: Path, hidden: str = "", broken: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _HOOK, hidden, broken, *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: Requirement) -> str:
    return re.sub(r"[-_.]+", "-", requirement.name).lower()


def _core_closure() -> set[str]:
    """The core distribution, the SQLite adapter, and everything they need without extras
    on this platform: the core's own requirements read from pyproject.toml, the others'
    from what is installed."""
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {"recommendations"}
    todo = [Requirement(r) for r in core] + [Requirement("recommendations-sqlite")]
    while todo:
        requirement = todo.pop()
        name = _name(requirement)
        if name in wanted:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an extra's, or another platform's or Python's
        wanted.add(name)
        todo.extend(Requirement(r) for r in importlib.metadata.requires(name) or [])
    return wanted


def _linked_venv(folder: Path) -> Path:
    """A new virtual environment whose site-packages links the files of the core closure
    only; its interpreter."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    target = Path(
        sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)})
    )
    here = Path(sysconfig.get_path("purelib"))
    for name in _core_closure():
        files = importlib.metadata.distribution(name).files or []
        for top in {Path(str(f)).parts[0] for f in files}:
            if top != ".." and (here / top).exists() and not (target / top).exists():
                (target / top).symlink_to(here / top)
    return folder / "bin" / "python"


def test_the_core_alone_runs_the_demo_and_names_the_extra(tmp_path: Path) -> None:
    python = _linked_venv(tmp_path / "venv")
    check = (
        "import importlib.util as u; "
        "print([m for m in ('matplotlib', 'weasyprint', 'fpdf') if u.find_spec(m)])"
    )
    assert (
        subprocess.run(
            [python, "-c", check], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "[]"
    )
    env = clean_env()
    command = [python, "-m", "recommendations", "--store", "sqlite:///demo.db"]
    demo = subprocess.run(
        [*command, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    assert "HMIC" in demo.stdout
    pdf = subprocess.run(
        [*command, "committee-update", *SINCE, "-o", "paper.pdf"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert pdf.returncode == 2
    assert pdf.stderr.splitlines() == [
        "error: the PDF paper needs the paper extra (matplotlib and WeasyPrint or fpdf2 not "
        f"installed): {INSTALL}"
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration, built by a process without the paper's libraries."""
    folder = tmp_path_factory.mktemp("extra")
    done = _run("--store", "sqlite:///demo.db", "demo", cwd=folder, hidden=PAPER_LIBRARIES)
    assert done.returncode == 0, done.stderr
    assert "HMIC" in done.stdout  # its committee paper, as Markdown
    return folder


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("-o", "paper.pdf"), "the PDF paper"),
        (("--format", "pdf", "-o", "-"), "the PDF paper"),
        (("-o", "paper.md", "--chart", "chart.svg"), "the chart"),
    ],
)
def test_a_chart_or_a_pdf_without_the_extra_is_refused_in_one_line(
    store: Path, args: tuple[str, ...], what: str
) -> None:
    done = _run(
        "--store", "sqlite:///demo.db", "committee-update", *SINCE, *args,
        cwd=store, hidden=PAPER_LIBRARIES,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: {what} needs the paper extra (matplotlib and WeasyPrint or fpdf2 not "
        f"installed): {INSTALL}"
        if what == "the PDF paper"
        else f"error: {what} needs the paper extra (matplotlib not installed): {INSTALL}"
    ]
    assert done.stdout == ""
    assert not (store / "paper.pdf").exists()
    assert not (store / "paper.md").exists()


def test_markdown_and_html_papers_need_no_extra(store: Path) -> None:
    for name in ("paper.md", "paper.html"):
        done = _run(
            "--store", "sqlite:///demo.db", "committee-update", *SINCE, "-o", name,
            cwd=store, hidden=PAPER_LIBRARIES,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    html = (store / "paper.html").read_text(encoding="utf-8")
    assert "<svg" not in html
    assert "The figures are under “Recommendations by grade over time”." in html
    assert '<section id="series">' in html  # the table the chart would draw
    assert "Recommendations by grade over time" in (store / "paper.md").read_text()


def test_without_pango_the_pdf_falls_back_to_fpdf2_and_says_so(store: Path) -> None:
    done = _run(
        "--store", "sqlite:///demo.db", "-v", "committee-update", *SINCE, "-o", "fallback.pdf",
        cwd=store, broken="weasyprint",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Rendered the PDF with fpdf2, as WeasyPrint cannot run here" in done.stderr
    assert "cannot load its system libraries" in done.stderr  # the log says why (-v)
    reader = PdfReader(store / "fallback.pdf")
    assert reader.metadata is not None
    assert str(reader.metadata.producer).startswith("fpdf2 ")
