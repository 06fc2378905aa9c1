"""The public pages in a real browser: `recommendations serve` started on 127.0.0.1 over a
SQLite file and a PostgreSQL database, driven by Chromium through Playwright.

A person's path through the register: open it, filter it, change the "as at" date, search,
open a recommendation and its report, download the CSV, read the committee paper; on each
main page axe-core (run in the page) finds no serious or critical violation, no sensitive
item or personal name is shown, text entered as markup shows as text, and the page cites
its basis and the checkpoint. Screenshots of the main pages are saved under
``build/web-screenshots/`` (git-ignored) for a person to look at.

The browser is Debian's Chromium at /usr/bin/chromium (``bash .ci/browser`` installs it).
Without it these tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import recommendations as r
from recommendations import demo

from .conftest import SCRIPT, seed

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "web-screenshots"
NEVER_SHOWN = ("Alex Owner", "Sam Secret", "Secret matter", "CT-2016", "Kath Jones")
"""An owner's name, a sensitive recommendation's owner, text and report, and an actor."""

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(
            f"no browser at {CHROMIUM}: run bash .ci/browser (CI never skips these tests)",
            pytrace=False,
        )
    pytest.skip(f"no browser at {CHROMIUM} (bash .ci/browser installs it)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve stopped: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"{base}/api/whoami", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"serve did not answer at {base} within {seconds} s")


@pytest.fixture(scope="module")
def demo_log() -> Iterator[r.Tracker]:
    """The demonstration, with a sensitive report, an owner's name and a text written as
    markup: recorded once, copied into each store the tests serve."""
    with r.Tracker("memory://") as tracker:
        demo.build(tracker)
        seed(tracker)
        yield tracker


@pytest.fixture(params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, demo_log: r.Tracker
) -> Iterator[tuple[str, str]]:
    """``recommendations serve`` over a copy of :func:`demo_log` in a fresh store: its
    address and the backend."""
    if request.param == "sqlite":
        store = f"sqlite:///{tmp_path / 'register.db'}"
    else:
        store = str(request.getfixturevalue("postgres_store_url"))
    with r.Tracker(store) as tracker:
        tracker.copy_from(demo_log)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recommendations",
            "--store",
            store,
            "serve",
            "--quiet",
            "--port",
            str(port),
            "--tokens",
            str(tmp_path / "no-tokens.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, request.param
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def _accessible(page: Page, name: str) -> None:
    """axe-core in the page: no serious or critical violation."""
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"


def _checked(page: Page, name: str, backend: str) -> None:
    """What every page must hold: its basis and checkpoint, and nothing never shown."""
    html = page.content()
    for secret in NEVER_SHOWN:
        assert secret not in html, f"{name} shows {secret!r}"
    footer = page.locator("footer.basis")
    expect(footer).to_contain_text("up to log position")
    expect(footer.locator(".fingerprint")).to_have_text(
        re.compile(r"^[0-9a-f]{4}( [0-9a-f]{4}){3}$")
    )
    _accessible(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-{name}.png"), full_page=True)


def test_a_person_reads_the_register_in_a_browser(
    served: tuple[str, str], browser: Browser, tmp_path: Path
) -> None:
    base, backend = served
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[Any] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # The register, today.
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_contain_text("Register of recommendations as at")
    rows = page.locator("#register tbody tr")
    assert rows.count() > 60
    expect(page.locator("#register")).to_contain_text(SCRIPT)  # markup shown as text
    _checked(page, "register", backend)

    # Filter by grade: every row shown is amber.
    page.select_option("#grade", "amber")
    page.click("form.filters button")
    page.wait_for_url("**grade=amber**")
    grades = page.locator("#register tbody tr td:nth-child(4)").all_inner_texts()
    assert grades
    assert set(grades) == {"Amber"}
    page.select_option("#grade", "")

    # The register as at the end of 2016: the 2016 PEEL report's recommendations were not
    # raised yet.
    page.fill("#as_at", "2016-12-31")
    page.click("form.filters button")
    page.wait_for_url("**as_at=2016-12-31**")
    expect(page.locator("h1")).to_contain_text("as at 2016-12-31")
    assert "PEEL-EFFECTIVENESS-2016-1" not in page.locator("#register").inner_text()

    # Search the text.
    page.goto(f"{base}/")
    page.fill("#site-search", "right skills")
    page.press("#site-search", "Enter")
    page.wait_for_url("**q=right+skills**")
    expect(page.locator("#register tbody tr")).to_have_count(1)

    # Open the item, with its dated history.
    page.click("#register a:text-is('CB-21')")
    page.wait_for_url("**/recommendations/CB-21**")
    expect(page.locator("h1")).to_have_text("Recommendation CB-21")
    assert page.locator("#history tbody tr").count() >= 4
    expect(page.locator("#history")).to_contain_text("strikes it out")
    _checked(page, "recommendation", backend)

    if backend == "sqlite":  # the same pages on any store: looked at once
        _report_and_paper(page, base, backend)

    # The CSV of the filtered register, on the page's basis.
    page.goto(f"{base}/?grade=red")
    with page.expect_download() as downloading:
        page.click("text=Download these rows as CSV")
    saved = tmp_path / "register.csv"
    downloading.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    # the codes, each with the policy's label (and the report's title) beside it
    assert text.startswith("reference,report,report_title,grade,grade_label,status,status_label,")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert all((row["grade"], row["grade_label"]) == ("red", "Red") for row in rows)
    assert "CT-1" not in text

    # A sensitive reference is not found, and says nothing of itself.
    answer = page.goto(f"{base}/recommendations/CT-1")
    assert answer is not None and answer.status == 404
    assert "Secret" not in page.content()

    assert dialogs == []  # no script ran from the text written as markup
    context.close()


def _report_and_paper(page: Page, base: str, backend: str) -> None:
    """From a recommendation's page to its report; then the committee paper."""
    page.click("dl.facts a")
    page.wait_for_url("**/reports/CORE-BUSINESS-2014**")
    expect(page.locator("#recommendations tbody tr").first).to_be_visible()
    _checked(page, "report", backend)
    page.click("header nav a:text-is('Reports')")
    page.wait_for_url("**/reports/")
    expect(page.locator("#reports")).to_contain_text("CORE-BUSINESS-2014")
    _checked(page, "reports", backend)

    # The committee paper (public).
    page.goto(f"{base}/committee?since=2016-12-08&as_at=2017-03-30")
    expect(page.locator("h1").first).to_be_visible()
    html = page.content()
    for secret in NEVER_SHOWN:
        assert secret not in html
    _accessible(page, "committee")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-committee.png"), full_page=True)


def test_the_register_and_history_files_are_accessible(browser: Browser) -> None:
    """The register and a history written as HTML files (the same document as their PDF):
    axe-core finds no serious or critical violation in either."""
    from recommendations import exports

    with r.Tracker("memory://") as tracker:
        demo.build(tracker)
        register = tracker.register(as_at=demo.COMMITTEE)
        files = {
            "register-file": exports.render_register(register, "html"),
            "history-file": exports.render_trail(tracker.history("CB-21"), "html"),
        }
    page = browser.new_page()
    try:
        for name, written in files.items():
            page.set_content(written.decode("utf-8"))
            expect(page.locator("table caption").first).to_contain_text("up to log position")
            _accessible(page, name)
    finally:
        page.close()
