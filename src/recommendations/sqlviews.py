"""The old name of :mod:`recommendations.sqltables`, kept so that code written against it
still imports: importing it warns with a :class:`DeprecationWarning`, and every name reads
as the same object from its new home (``SqlViews``, the old name of
:class:`~recommendations.sqltables.SqlTables`, with a warning of its own)."""

import warnings
from typing import Any

from recommendations import sqltables
from recommendations._deprecated import aliases
from recommendations.sqltables import SCHEMA_VERSION, TABLES, Dialect, SqlTables, plain, time_text

__all__ = ["SCHEMA_VERSION", "TABLES", "Dialect", "SqlTables", "plain", "time_text"]

warnings.warn(
    "recommendations.sqlviews is deprecated: it is now recommendations.sqltables",
    DeprecationWarning,
    stacklevel=2,
)


def _new(name: str) -> Any:
    return getattr(sqltables, name)


__getattr__ = aliases(__name__, _new)
