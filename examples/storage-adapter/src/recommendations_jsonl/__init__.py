"""A storage adapter for ``recommendations``: the log in an append-only JSON-lines file.

``jsonl:///register.jsonl`` is a file relative to the working directory,
``jsonl:////srv/tracker/register.jsonl`` one at an absolute path. The file is created on
first use (its folder must exist) and can be shared by any number of threads and processes
on one machine: each transaction is one line, appended under a file lock (see
:mod:`recommendations_jsonl.persistence`, the ``eventsourcing`` persistence module that
keeps it).

Installed, the package registers the ``jsonl`` scheme in the entry-point group
``recommendations.stores``; ``recommendations`` imports it only when a URL names it. Its
views are the library's default, :class:`recommendations.stores.InProcessTables`: each
tracker folds the log in its own memory, catching up with what other processes wrote.
"""

from __future__ import annotations

import os

from recommendations.stores import StoreAdapter, StoreURL

__all__ = ["PERSISTENCE_MODULE", "JsonlStore"]

PERSISTENCE_MODULE = f"{__name__}.persistence"
"""The ``eventsourcing`` persistence module that keeps the log (imported when a store opens)."""


class JsonlStore(StoreAdapter):
    """``jsonl:///file.jsonl``: the log as JSON lines in one file, shared by processes."""

    scheme = "jsonl"
    summary = "an append-only JSON-lines file, shared by processes (jsonl:///log.jsonl)"

    def settings(self, url: StoreURL) -> dict[str, str]:
        path = url.path
        if url.host or not path.startswith("/") or path == "/":
            raise url.refuse(
                "names no file: write jsonl:///relative.jsonl or jsonl:////absolute.jsonl"
            )
        if url.query:
            raise url.refuse("a JSON-lines store takes no parameters")
        path = os.path.abspath(path[1:])
        if os.path.isdir(path):
            raise url.refuse(f"{path!r} is a folder, not a file")
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise url.refuse(f"folder {folder!r} does not exist")
        return {"PERSISTENCE_MODULE": PERSISTENCE_MODULE, "JSONL_PATH": path}
