"""The library's loggers, all under ``recommendations``, silent unless the application
configures logging (the package logger has a :class:`logging.NullHandler`).

======================================  ====================================================
logger                                  what it logs
======================================  ====================================================
``recommendations.store``               a store opened (its URL without the password)
``recommendations.service``             a command that met another writer: each retry
                                        (INFO) and giving up (WARNING)
``recommendations.views``               catching the views up (DEBUG, a page at a time) and
                                        rebuilding them (INFO at the start and end, DEBUG as
                                        it goes)
``recommendations.integrity``           the result of verifying the log's Merkle tree
``recommendations.imports``             an import's batch: planned, then recorded
``recommendations.paper``               which renderer made the PDF, and why not WeasyPrint
======================================  ====================================================

Messages are formatted only when a handler takes them (``logger.info("...%s", value)``).
"""

from __future__ import annotations

import logging

__all__ = ["LOGGER_NAMES", "imports", "integrity", "paper", "service", "store", "views"]

package = logging.getLogger("recommendations")
package.addHandler(logging.NullHandler())

store = logging.getLogger("recommendations.store")
service = logging.getLogger("recommendations.service")
views = logging.getLogger("recommendations.views")
integrity = logging.getLogger("recommendations.integrity")
imports = logging.getLogger("recommendations.imports")
paper = logging.getLogger("recommendations.paper")

LOGGER_NAMES = tuple(logger.name for logger in (store, service, views, integrity, imports, paper))
"""The name of every logger the library logs to."""
