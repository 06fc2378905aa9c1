"""The ``[paper]`` extra: without matplotlib, WeasyPrint and fpdf2 the command line still
builds the demonstration and writes Markdown and HTML papers, and a chart or a PDF is
refused in one line naming the extra (exit status 2); where WeasyPrint is installed but its
system libraries are not, the PDF falls back to fpdf2 and says so.

The first run in a fresh virtual environment into which ``pip install <clone>`` put the
core distribution (``recommendations-tracker``, not editable) and its declared dependencies
only: its console script ``recommendations demo`` records the demonstration on SQLite, which
ships in the core. Installing it takes most of this file's time (under a minute). The last
runs here, with an import hook that makes importing WeasyPrint fail as it does where Pango
is missing: cffi cannot open the library (``OSError``).
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.helpers import clean_env

_HOOK = """
import importlib.abc, sys

BROKEN = set(sys.argv[1].split(",")) - {""}


class _Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BROKEN:
            raise OSError("cannot load library 'libpango-1.0-0': cannot open shared object file")
        return None


sys.meta_path.insert(0, _Hide())
from recommendations.cli import main

sys.exit(main(sys.argv[2:]))
"""

INSTALL = (
    "pip install 'recommendations-tracker[paper]' "
    "(in a clone of the project: pip install -e '.[paper]')"
)
SINCE = ("--since", "2016-12-08", "--as-at", "2017-03-30")
EARLY = ("--since", "2014-10-01", "--as-at", "2014-10-31")
"""A small paper: the first report of the demonstration."""


def _run(*args: str, cwd: Path, broken: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _HOOK, broken, *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


ROOT = Path(__file__).resolve().parents[2]


def _installed_venv(folder: Path) -> Path:
    """A new virtual environment into which pip installed this clone, not editable, as a
    user would: the core distribution alone, with its declared dependencies from the index
    pip is configured with here (the SQLite adapter ships inside it); its interpreter."""
    venv.EnvBuilder(with_pip=True, symlinks=True).create(folder)
    python = folder / "bin" / "python"
    env = clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [python, "-m", "pip", "install", "-q", str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return python


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fresh environment's interpreter, and a folder where it built the demonstration
    (``demo.db``)."""
    folder = tmp_path_factory.mktemp("core")
    python = _installed_venv(folder / "venv")
    check = (
        "import importlib.util as u; "
        "print([m for m in ('matplotlib', 'weasyprint', 'fpdf', 'recommendations_postgresql') "
        "if u.find_spec(m)])"
    )
    found = subprocess.run([python, "-c", check], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
    where = "import recommendations_sqlite as s; print(s.__file__)"
    installed = subprocess.run([python, "-c", where], capture_output=True, text=True, check=True)
    assert Path(installed.stdout.strip()).is_relative_to(folder / "venv")  # not the clone's
    demo = _core(python, folder, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "HMIC" in demo.stdout  # its committee paper, as Markdown
    return python, folder


def _core(python: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``recommendations ARGS`` on the demonstration, run by the core alone (its console
    script)."""
    return subprocess.run(
        [python.parent / "recommendations", "--store", "sqlite:///demo.db", *args],
        cwd=folder,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("-o", "paper.pdf"), "the PDF paper"),
        (("--format", "pdf", "-o", "-"), "the PDF paper"),
        (("-o", "paper.md", "--chart", "chart.svg"), "the chart"),
    ],
)
def test_a_chart_or_a_pdf_without_the_extra_is_refused_in_one_line(
    core: tuple[Path, Path], args: tuple[str, ...], what: str
) -> None:
    python, folder = core
    done = _core(python, folder, "committee-update", *SINCE, *args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: {what} needs the paper extra (matplotlib and WeasyPrint or fpdf2 not "
        f"installed): {INSTALL}"
        if what == "the PDF paper"
        else f"error: {what} needs the paper extra (matplotlib not installed): {INSTALL}"
    ]
    assert done.stdout == ""
    assert not (folder / "paper.pdf").exists()
    assert not (folder / "paper.md").exists()


def test_markdown_and_html_papers_need_no_extra(core: tuple[Path, Path]) -> None:
    python, folder = core
    for name in ("paper.md", "paper.html"):
        done = _core(python, folder, "committee-update", *SINCE, "-o", name)
        assert done.returncode == 0, done.stderr
    html = (folder / "paper.html").read_text(encoding="utf-8")
    assert "<svg" not in html
    assert "The figures are under “Recommendations by grade over time”." in html
    assert '<section id="series">' in html  # the table the chart would draw
    assert "Recommendations by grade over time" in (folder / "paper.md").read_text()


def test_without_pango_the_pdf_falls_back_to_fpdf2_and_says_so(
    core: tuple[Path, Path],
) -> None:
    _, store = core
    done = _run(
        "--store", "sqlite:///demo.db", "-v", "committee-update", *EARLY, "-o", "fallback.pdf",
        cwd=store, broken="weasyprint",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Rendered the PDF with fpdf2, as WeasyPrint cannot run here" in done.stderr
    assert "cannot load its system libraries" in done.stderr  # the log says why (-v)
    reader = PdfReader(store / "fallback.pdf")
    assert reader.metadata is not None
    assert str(reader.metadata.producer).startswith("fpdf2 ")


def test_weasyprint_warning_on_import_of_an_optional_library_is_not_an_error(
    tmp_path: Path,
) -> None:
    """Without the optional HarfBuzz-Subset library, importing WeasyPrint warns that a
    later release will need it (a DeprecationWarning), and renders all the same: the paper
    takes it as usable, even where warnings are errors. A stand-in package that warns as
    WeasyPrint does on such a machine shows it."""
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import warnings\n"
        "warnings.warn('HarfBuzz-Subset will be required by future versions of WeasyPrint.',"
        " category=DeprecationWarning)\n"
    )
    code = "from recommendations.outputs._tagged import missing; print(missing())"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "None", "")
