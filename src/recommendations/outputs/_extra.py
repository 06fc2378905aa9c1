"""The ``[paper]`` extra: matplotlib (the chart), WeasyPrint (the tagged PDF) and fpdf2 (the
PDF where WeasyPrint cannot run). Markdown, HTML and JSON papers need none of them: without
matplotlib, the HTML paper leaves the chart out and keeps the table of its figures."""

from __future__ import annotations

import importlib
import warnings

from recommendations._errors import ConfigurationError

__all__ = ["INSTALL", "has", "require"]

INSTALL = (
    "pip install 'recommendations-tracker[paper]' "
    "(in a clone of the project: pip install -e '.[paper]')"
)
"""How to install the extra, as every message that asks for it says."""


def has(module: str) -> bool:
    """Whether ``module`` can be imported (a library whose system libraries are missing
    counts as absent)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # see _tagged.missing
            importlib.import_module(module)
    except (ImportError, OSError):
        return False
    return True


def require(what: str, *, field: str, chart: bool = True, pdf: bool = False) -> None:
    """Raise :class:`~recommendations.ConfigurationError` (rule ``paper-extra``), naming
    the extra, unless what ``what`` needs is installed: matplotlib for a ``chart``, and
    WeasyPrint or fpdf2 for a ``pdf``."""
    lacking = []
    if chart and not has("matplotlib"):
        lacking.append("matplotlib")
    if pdf and not (has("weasyprint") or has("fpdf")):
        lacking.append("WeasyPrint or fpdf2")
    if lacking:
        raise ConfigurationError(
            f"{what} needs the paper extra ({' and '.join(lacking)} not installed): {INSTALL}",
            field=field,
            rule="paper-extra",
        )
