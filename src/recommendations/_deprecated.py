"""Public names that were renamed, kept as deprecated aliases of the new ones.

Reading an old name gives the very object the new name does (so ``isinstance`` and
``except`` keep working) and warns with a :class:`DeprecationWarning` that names the new one.
The library itself never uses them (a test checks).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["RENAMED", "aliases"]

RENAMED: Mapping[str, Mapping[str, str]] = {
    "recommendations": {
        "Recorded": "Positioned",
        "LoggedEvent": "Positioned",
        "ViewsBehind": "TablesBehind",
        "ViewsBehindWarning": "TablesBehindWarning",
    },
    "recommendations.views": {"Logged": "Positioned"},
    "recommendations.stores": {"Views": "Tables", "InProcessViews": "InProcessTables"},
    "recommendations.sqlviews": {"SqlViews": "SqlTables"},
    "recommendations.Tracker": {"views": "tables", "views_behind": "tables_behind"},
    "recommendations.stores.StoreAdapter": {"open_views": "open_tables"},
}
"""Every old name, by the module (or class) it was read from, with its new name."""


def warn(where: str, old: str) -> None:
    """Warn that ``where.old`` is deprecated, naming its new name."""
    new = RENAMED[where][old]
    warnings.warn(
        f"{where}.{old} is deprecated: it is now {where}.{new}",
        DeprecationWarning,
        stacklevel=3,
    )


def aliases(module: str, new: Callable[[str], Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` that answers its old names with what
    ``new(name)`` gives for the new name, with a warning, and raises AttributeError for the
    rest."""
    renamed = RENAMED[module]

    def __getattr__(name: str) -> Any:
        if name in renamed:
            warn(module, name)
            return new(renamed[name])
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
