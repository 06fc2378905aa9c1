"""One view engine for every SQL store: the register, its bitemporal history and the audit
trail kept in tables beside the log, over a DB-API connection.

:class:`SqlTables` is the whole algorithm (catching up, rebuilding, the as-at register, the
digest); a store adapter gives it a :class:`Dialect` for its engine: how to connect, its
column types and indexes, the as-at query, bulk writes and value conversions. The SQLite
and PostgreSQL adapters are two such dialects; see the how-to on writing one.
"""

from ._dialect import Dialect, time_text
from ._engine import SCHEMA_VERSION, TABLES, SqlTables, plain

__all__ = ["SCHEMA_VERSION", "TABLES", "Dialect", "SqlTables", "plain", "time_text"]
