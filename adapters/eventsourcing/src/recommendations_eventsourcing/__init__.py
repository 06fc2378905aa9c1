"""Storage in any ``eventsourcing`` persistence module, named in the URL.

``eventsourcing://MODULE?KEY=VALUE&...`` opens the store that the persistence module
``MODULE`` keeps, with the query parameters as its settings: the way to an engine this
project does not ship an adapter for. For example, with ``eventsourcing-sqlalchemy``
installed::

    eventsourcing://eventsourcing_sqlalchemy?SQLALCHEMY_URL=postgresql%2Bpsycopg://u@h/db

The module must be importable and hold one ``InfrastructureFactory``; its views are
kept in this process (:class:`recommendations.stores.InProcessTables`). A module whose
positions can become visible out of order (see :class:`recommendations.stores.StoreAdapter`)
is not safe for readers that catch up while others write.
"""

from __future__ import annotations

import importlib
import re

from recommendations.stores import StoreAdapter, StoreURL

__all__ = ["EventsourcingStore"]

_MODULE = re.compile(r"^[A-Za-z_][\w.]*$")


class EventsourcingStore(StoreAdapter):
    """``eventsourcing://module?SETTING=value``: any ``eventsourcing`` persistence module."""

    scheme = "eventsourcing"
    summary = "any eventsourcing persistence module, by name (eventsourcing://module?KEY=value)"

    def settings(self, url: StoreURL) -> dict[str, str]:
        # The module is the URL's "host": take it from the raw text, whose case and
        # underscores urlsplit may not keep.
        module = url.url.split("://", 1)[1].split("?", 1)[0].strip("/")
        if not module or not _MODULE.match(module):
            raise url.refuse("names no module: write eventsourcing://package.module?KEY=value")
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise url.refuse(
                f"the persistence module {module!r} cannot be imported ({error}): install the "
                "package that provides it",
                rule="store-module",
            ) from error
        settings = {key.upper(): value for key, value in url.query.items()}
        if "PERSISTENCE_MODULE" in settings:
            raise url.refuse("the module is named by the URL, not by PERSISTENCE_MODULE")
        settings["PERSISTENCE_MODULE"] = module
        return settings
