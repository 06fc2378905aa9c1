"""Run every Python code block of the documentation as a test.

Each page is one namespace: its blocks run in order, as a reader would type them. A page
runs in a scratch working directory, so the SQLite files it names are made and removed
there, and any tracker a page leaves open is closed afterwards.
"""

from __future__ import annotations

import os
import tempfile
from doctest import ELLIPSIS
from pathlib import Path
from typing import Any

from sybil import Sybil
from sybil.parsers.myst import PythonCodeBlockParser

_ROOT = Path(__file__).parent.parent


def _enter_scratch_folder(namespace: dict[str, Any]) -> None:
    folder = tempfile.TemporaryDirectory(prefix="recommendations-docs-")
    namespace["_docs_folder"] = (folder, os.getcwd())
    namespace["EXAMPLE"] = str(_ROOT / "examples" / "west_midlands_2017.py")
    os.chdir(folder.name)


def _leave_scratch_folder(namespace: dict[str, Any]) -> None:
    from recommendations import Tracker

    for value in list(namespace.values()):
        if isinstance(value, Tracker):
            value.close()
    folder, previous = namespace.pop("_docs_folder")
    os.chdir(previous)
    folder.cleanup()


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=ELLIPSIS)],
    patterns=["*.md"],
    excludes=["_build/*"],
    setup=_enter_scratch_folder,
    teardown=_leave_scratch_folder,
).pytest()
