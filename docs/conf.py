"""Sphinx configuration for the recommendations documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. Nothing here
fetches anything over the network.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

try:
    import recommendations  # noqa: F401
except ImportError:  # building from a checkout without installing it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

project = "recommendations"
author = "The recommendations contributors"
copyright = "the recommendations contributors"
try:
    release = metadata.version("recommendations-tracker")
except metadata.PackageNotFoundError:
    release = "unreleased"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py", "Thumbs.db", ".DS_Store"]

myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "alabaster"
html_title = "recommendations"
html_theme_options = {
    "description": "Inspection and audit recommendations, tracked in an append-only log.",
    "fixed_sidebar": True,
}
