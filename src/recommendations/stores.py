"""Storage adapters: how a store URL becomes an event store and its materialised views.

A store is named by a URL whose scheme names an adapter: ``memory://``,
``sqlite:///register.db``, ``postgresql://user@host:5432/db``, or any scheme a third-party
package adds. Adapters are found through the entry-point group
``recommendations.stores`` (:data:`ENTRY_POINT_GROUP`); the built-in ones register the same
way as anyone else's, and each is imported only when a URL names it.

An adapter does two things (see :class:`StoreAdapter`):

- :meth:`~StoreAdapter.settings` turns the URL into the settings of an ``eventsourcing``
  persistence module (``PERSISTENCE_MODULE`` and its own keys), which keeps the log;
- :meth:`~StoreAdapter.open_tables` gives the :class:`Tables`, the materialised register and
  item logs, kept in the adapter's engine. The default keeps them in this process
  (:class:`InProcessTables`, the reference implementation), which suits any engine.

>>> sorted(info.scheme for info in available_stores() if info.installed)[:1]
['memory']

:mod:`recommendations.testing` holds the contract every adapter passes; the how-to "Write a
storage adapter" walks through one.
"""

from __future__ import annotations

import re
import threading
import uuid
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import parse_qsl, unquote, urlsplit

from attrs import field, frozen
from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from . import _deprecated, domain, views
from ._errors import ConfigurationError, LogNotIntact, StoreError
from ._files import FILE_MODE_ENV, create_private, file_mode

__all__ = [
    "DEFAULT_STORE",
    "ENTRY_POINT_GROUP",
    "FILE_MODE_ENV",
    "AdapterInfo",
    "InProcessTables",
    "LogSource",
    "StoreAdapter",
    "StoreURL",
    "Tables",
    "adapter_for",
    "available_stores",
    "cannot_apply",
    "create_private",
    "file_mode",
    "primitive",
    "rebuilt",
    "redact",
]

DEFAULT_STORE = "sqlite:///recommendations.db"
"""A SQLite file in the working directory: the embedded default."""

ENTRY_POINT_GROUP = "recommendations.stores"
"""The entry-point group adapters register in: ``scheme = "package.module:AdapterClass"``."""

_KNOWN: dict[str, tuple[str, str]] = {
    "memory": ("recommendations-tracker", "in this process only, gone when it ends"),
    "sqlite": ("recommendations-tracker", "a SQLite file: the embedded default"),
    "postgresql": ("recommendations-tracker-postgresql", "a PostgreSQL database (psycopg 3)"),
    "eventsourcing": (
        "recommendations-tracker-eventsourcing",
        "any eventsourcing persistence module, by name",
    ),
}
"""The adapters this project ships, so that a missing one is named with its distribution
(``memory`` and ``sqlite`` ship in the core's own)."""

_FOLDERS = {"postgresql": "adapters/postgresql", "eventsourcing": "adapters/eventsourcing"}
"""Where a clone of the project keeps the adapters that are distributions of their own."""

_ALIASES = {"postgres": "postgresql"}


_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][\w+.-]*:/{0,3}[^:/@\s]*:)[^@\s]*@")
_SECRETS = re.compile(
    r"(?P<head>\b[\w.-]*(?:password|passwd|secret|token|key)[\w.-]*=)[^&\s]+", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` with every password in a URL (``scheme://user:***@host``), and every value
    of a setting named like a password, secret, token or key, replaced by ``***``: for
    messages and logs. Nested URLs are covered too, quoted or not."""
    text = _CREDENTIALS.sub(lambda m: m["head"] + "***@", text)
    text = re.sub(
        r"(?P<head>[A-Za-z][\w+.-]*%3A%2F%2F[^%@\s]*%3A)[^@\s]*?%40",
        lambda m: m["head"] + "***%40",
        text,
        flags=re.IGNORECASE,
    )
    return _SECRETS.sub(lambda m: m["head"] + "***", text)


@frozen
class StoreURL:
    """A store URL taken apart: ``scheme://user:password@host:port/path?key=value``.

    ``path`` keeps its leading slash (``sqlite:///a.db`` has path ``/a.db``); ``query``
    holds the decoded query parameters, the last value of a repeated key winning.
    """

    url: str = field(repr=redact)
    scheme: str
    username: str | None
    password: str | None = field(repr=lambda value: "None" if value is None else "'***'")
    host: str | None
    port: int | None
    path: str
    query: Mapping[str, str] = field(factory=dict, repr=lambda value: redact(repr(value)))

    @classmethod
    def parse(cls, url: str) -> StoreURL:
        """Split ``url``, or raise :class:`~recommendations.ConfigurationError`."""
        if not isinstance(url, str) or "://" not in url:
            raise ConfigurationError(
                f"{redact(url) if isinstance(url, str) else url!r} is not a store URL "
                f"(try {DEFAULT_STORE!r} or 'memory://')",
                field="store",
                rule="store-url",
            )
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ConfigurationError(
                f"{redact(url)!r}: {error}", field="store", rule="store-url"
            ) from error
        scheme = parts.scheme.lower()
        return cls(
            url=url,
            scheme=_ALIASES.get(scheme, scheme),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=unquote(parts.hostname) if parts.hostname else None,
            port=port,
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        )

    @property
    def redacted(self) -> str:
        """The URL with any password replaced by ``***``, for messages and logs."""
        return redact(self.url)

    def refuse(self, message: str, *, rule: str = "store-url") -> ConfigurationError:
        """A :class:`~recommendations.ConfigurationError` about this URL (to raise)."""
        return ConfigurationError(f"{self.redacted!r}: {message}", field="store", rule=rule)


@frozen
class LogSource:
    """What views read the log through: the store's recorder and the tracker's decoder.

    ``recorder.select_notifications(start, limit, inclusive_of_start=False)`` pages through
    the log in position order; ``decode`` turns a stored event into a domain event (with the
    tracker's mapper, cipher and compression).
    """

    recorder: ApplicationRecorder
    decode: Callable[[StoredEvent], domain.Event | None]
    """``None`` for an entry that is not a domain event (the record of a command id): views
    show nothing for it, but move past it."""

    def after(
        self, position: int, *, page_size: int = 1000
    ) -> Iterator[tuple[int, domain.Event | None]]:
        """Every entry after ``position``, with its position, in log order."""
        while True:
            page = self.recorder.select_notifications(
                start=position, limit=page_size, inclusive_of_start=False
            )
            for notification in page:
                yield notification.id, self.decode(notification)
            if len(page) < page_size:
                return
            position = page[-1].id


@runtime_checkable
class Tables(Protocol):
    """The materialised tables an adapter keeps for one store (the register, its history
    and the audit trail, as rows): materialised copies of the pure views of
    :mod:`recommendations.views`.

    Every answer must equal the pure fold of the log it reflects
    (:func:`recommendations.views.build_register`): :mod:`recommendations.testing` checks it.
    """

    def position(self) -> int:
        """The last log position the views include."""

    def catch_up(self, *, recorded: Sequence[tuple[int, domain.Event | None]] = ()) -> int:
        """Apply every entry recorded since the last catch-up; how many were applied.

        ``recorded`` are entries the caller has just recorded, with their positions: views
        may apply them as they are, without reading them back, when they follow on from
        the views' own position (and must read the log otherwise).

        Entries are applied in position order, each exactly once, and none is skipped
        while writers are in flight: an adapter must only ever expose positions whose
        predecessors are committed (see :class:`StoreAdapter`).

        An entry the views cannot apply (their engine refuses it, or the engine fails) must
        not take the entries before it down with it: apply those, stay at the last
        position applied, and raise :func:`cannot_apply`'s error naming the entry's
        position. Reads then answer from what the views hold.
        """

    def rebuild(self) -> int:
        """Drop the views and apply the whole log again; how many entries were applied."""

    def register(
        self, basis: views.Basis, where: views.RegisterFilter
    ) -> tuple[int, list[views.RegisterRow]]:
        """The register on ``basis`` and the position it reflects: ``basis.position``, or
        the views' own position if they had not reached it."""

    def item_log(self, item: uuid.UUID) -> list[views.Positioned]:
        """One item's entries with their log positions, in version order."""

    def close(self) -> None:
        """Release the views' connections."""


_TUPLE_TABLES: set[type] = set()
_TUPLE_TABLES_LOCK = threading.Lock()


def item_log(tables: Tables, item: uuid.UUID) -> list[views.Positioned]:
    """``tables.item_log(item)``, as :class:`~recommendations.Positioned` entries: how the
    library reads an item's log. Tables written before ``item_log`` returned them gave
    ``(position, event)`` pairs; those still read, converted, with a
    :class:`DeprecationWarning` once per tables class (deprecated: such tables are to
    return :class:`~recommendations.Positioned` entries)."""
    logged: Sequence[Any] = tables.item_log(item)
    if all(isinstance(entry, views.Positioned) for entry in logged):
        return list(logged)
    kind = type(tables)
    with _TUPLE_TABLES_LOCK:
        warn = kind not in _TUPLE_TABLES
        _TUPLE_TABLES.add(kind)
    if warn:
        warnings.warn(
            f"{kind.__module__}.{kind.__qualname__}.item_log returns (position, event) pairs, "
            "which is deprecated: it is to return recommendations.Positioned entries",
            DeprecationWarning,
            stacklevel=2,
        )
    return [
        entry
        if isinstance(entry, views.Positioned)
        else views.Positioned(position=entry[0], event=entry[1])
        for entry in logged
    ]


class InProcessTables:
    """Tables kept in this process's memory: the reference implementation of :class:`Tables`.

    Catching up reads new entries through the :class:`LogSource`; the register is the pure
    fold of the entries held, with the current one kept until the log moves on. Any engine
    can use it; an engine with tables of its own usually keeps its views there instead, so
    that other programs can read them.
    """

    def __init__(self, source: LogSource) -> None:
        self._source = source
        self._lock = threading.RLock()
        self._position = 0
        self._entries: list[views.Positioned] = []
        self._items: dict[uuid.UUID, list[views.Positioned]] = {}
        self._current: tuple[views.Basis, list[views.RegisterRow]] | None = None

    def position(self) -> int:
        with self._lock:
            return self._position

    def catch_up(self, *, recorded: Sequence[tuple[int, domain.Event | None]] = ()) -> int:
        with self._lock:
            applied = 0
            entries: Iterable[tuple[int, domain.Event | None]] = (
                recorded
                if recorded and recorded[0][0] == self._position + 1
                else self._source.after(self._position)
            )
            try:
                for position, event in entries:
                    if event is not None:
                        entry = views.Positioned(position=position, event=event)
                        self._entries.append(entry)
                        self._items.setdefault(event.originator_id, []).append(entry)
                    self._position = position
                    applied += 1
            except StoreError:
                raise  # reading the log failed: the store's own error says why
            except Exception as error:  # an entry read back but not held: name it
                raise cannot_apply(self._position + 1, None, error) from error
            return applied

    def rolled_back(self, position: int) -> None:
        """The log was rolled back to ``position``: drop the entries held after it."""
        with self._lock:
            if self._position <= position:
                return
            kept = [e for e in self._entries if e.position <= position]
            self._entries[:] = kept
            self._items.clear()
            for entry in kept:
                self._items.setdefault(entry.event.originator_id, []).append(entry)
            self._position = position
            self._current = None

    def rebuild(self) -> int:
        with self._lock:
            self._position = 0
            self._entries.clear()
            self._items.clear()
            self._current = None
            return self.catch_up()

    def register(
        self, basis: views.Basis, where: views.RegisterFilter
    ) -> tuple[int, list[views.RegisterRow]]:
        with self._lock:
            reached = self._position
            position = min(basis.position, reached)
            at = views.Basis(as_at=basis.as_at, known_at=basis.known_at, position=position)
            cached = self._current
            if cached is not None and cached[0] == at:
                rows = cached[1]
            else:
                rows = list(views.build_register(self._entries, at).rows)
                self._current = (at, rows)
        return position, [row for row in rows if where(row)]

    def item_log(self, item: uuid.UUID) -> list[views.Positioned]:
        with self._lock:
            return sorted(self._items.get(item, []), key=lambda pe: pe.event.originator_version)

    def close(self) -> None:
        with self._lock:
            self._position = 0
            self._entries.clear()
            self._items.clear()
            self._current = None


class StoreAdapter(ABC):
    """What a storage adapter supplies. Subclass it, and register the subclass under its
    scheme in the entry-point group ``recommendations.stores``::

        [project.entry-points."recommendations.stores"]
        mystore = "my_package:MyStore"

    The log itself is kept by an ``eventsourcing`` persistence module, named by
    :meth:`settings`; it must give every committed entry a position (notification id) such
    that no position becomes visible before a smaller one is committed, so that readers
    catching up never skip an entry (SQLite's one writer at a time and PostgreSQL's table
    lock both do). The views default to :class:`InProcessTables`.
    """

    scheme: ClassVar[str]
    """The URL scheme this adapter answers to."""
    summary: ClassVar[str] = ""
    """One line saying what the store is. (``recommendations stores`` lists adapters without
    importing them, so it shows the distribution's summary instead.)"""

    @abstractmethod
    def settings(self, url: StoreURL) -> dict[str, str]:
        """The ``eventsourcing`` settings that open the store ``url`` names: at least
        ``PERSISTENCE_MODULE``. Raise ``url.refuse(...)`` for a URL it cannot open."""

    def open_tables(self, url: StoreURL, source: LogSource, settings: Mapping[str, str]) -> Tables:
        """The materialised tables of the store (``settings`` are what :meth:`settings`
        returned).

        An adapter written for an earlier release that overrides ``open_views`` instead is
        still called, with a :class:`DeprecationWarning`.
        """
        legacy = getattr(type(self), "open_views", None)
        if legacy is not None:
            _deprecated.warn("recommendations.stores.StoreAdapter", "open_views")
            tables: Tables = legacy(self, url, source, settings)
            return tables
        return InProcessTables(source)

    def describe(self, url: StoreURL) -> str:
        """The store, for messages: the URL without its password."""
        return url.redacted


@frozen
class AdapterInfo:
    """An adapter as :func:`available_stores` lists it."""

    scheme: str
    package: str
    """The distribution that provides it (or should, if it is not installed)."""
    target: str | None
    """Its entry point, ``module:attribute`` (``None`` when not installed)."""
    installed: bool
    summary: str


def _entry_points() -> dict[str, EntryPoint]:
    """Installed adapters by scheme. Two distributions claiming one scheme are refused:
    which one a URL would open must never depend on the order of ``sys.path``."""
    found: dict[str, EntryPoint] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        scheme = entry.name.lower()
        other = found.get(scheme)
        if other is not None and other.value != entry.value:
            raise ConfigurationError(
                f"two installed packages provide the store scheme {scheme!r}: "
                f"{_provider(other)} and {_provider(entry)}; uninstall one",
                field="store",
                rule="one-adapter-per-scheme",
            )
        found[scheme] = entry
    if "memory" not in found:  # built in: there even without installed metadata
        found["memory"] = EntryPoint(
            name="memory", value="recommendations._memory:MemoryStore", group=ENTRY_POINT_GROUP
        )
    return found


def _provider(entry: EntryPoint) -> str:
    return f"{entry.dist.name if entry.dist is not None else '?'} ({entry.value})"


def available_stores() -> list[AdapterInfo]:
    """Every adapter installed, and the ones this project ships that are not, by scheme.

    Listing imports no adapter.
    """
    installed = _entry_points()
    listed: list[AdapterInfo] = []
    for scheme, entry in installed.items():
        package, summary = _KNOWN.get(scheme, ("", ""))
        if entry.dist is not None and scheme != "memory":
            package = entry.dist.name
            summary = summary or (entry.dist.metadata["Summary"] or "")
        listed.append(
            AdapterInfo(
                scheme=scheme, package=package, target=entry.value, installed=True, summary=summary
            )
        )
    for scheme, (package, summary) in _KNOWN.items():
        if scheme not in installed:
            listed.append(
                AdapterInfo(
                    scheme=scheme, package=package, target=None, installed=False, summary=summary
                )
            )
    return sorted(listed, key=lambda info: info.scheme)


def cannot_apply(position: int, event: domain.Event | None, error: BaseException) -> StoreError:
    """The error of views that cannot apply the entry at log ``position`` (``event``, if it
    could be read) because of ``error``: a :class:`~recommendations.StoreError` (rule
    ``views-current``) naming the position, the entry and the reason. A log changed outside
    the library (:class:`~recommendations.LogNotIntact`) is returned as it is.

    Tables raise it from :meth:`Tables.catch_up` having applied every entry before it, so
    that reads answer from what they hold (see :class:`Tables`).
    """
    if isinstance(error, LogNotIntact):
        return error
    reason = error.detail if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"
    reference = getattr(event, "reference", None)
    what = (
        f" (entry {event.originator_version} of {reference or event.originator_id})"
        if event is not None
        else ""
    )
    return StoreError(
        f"the views cannot apply the entry at log position {position}{what}: "
        f"{redact(' '.join(reason.split()))}",
        reference=reference if isinstance(reference, str) else None,
        rule="views-current",
    )


def rebuilt(views: Tables, rebuild: Callable[[], int]) -> int:
    """Run ``rebuild`` (drop the views' rows and apply the whole log again, in one
    transaction; how many entries it applied), then catch up with what was recorded
    meanwhile: the total applied. For adapters whose views keep tables of their own.

    If the rebuild fails it must have rolled back, leaving the views as they were: the error
    raised names the entry that catching up from there cannot apply, where that is what
    failed (a log changed outside this library is :class:`~recommendations.LogNotIntact`).
    """
    try:
        applied = rebuild()
    except LogNotIntact:
        raise
    except Exception as error:
        raise _rebuild_failed(views, error) from error
    return applied + views.catch_up()


def _rebuild_failed(views: Tables, error: Exception) -> StoreError:
    try:
        views.catch_up()
    except StoreError as stuck:
        return StoreError(
            f"the views could not be rebuilt, and were left as they were: {stuck.detail}",
            reference=stuck.reference,
            rule="views-current",
        )
    except Exception:  # the rebuild's own error is the one to report
        pass
    reason = error.detail if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"
    return StoreError(
        f"the views could not be rebuilt, and were left as they were: {reason}",
        rule="views-current",
    )


_AS_IS = frozenset({str, int, bool, float, type(None)})
"""Types whose values are their own primitives (exactly these: not a subclass)."""


def primitive(value: Any) -> Any:
    """``value`` as JSON-ready primitives, as the stored form writes it (dates as ISO text,
    attrs classes as dictionaries): for views that keep an entry's details as JSON."""
    kind = type(value)
    if kind in _AS_IS:  # most of an entry's fields: as the converter gives them back
        return value
    if kind is date:
        return value.isoformat()
    from ._serialization import _CONVERTER

    return _CONVERTER.unstructure(value)


_loaded: dict[str, StoreAdapter] = {}
_loading = threading.Lock()


def adapter_for(url: str | StoreURL) -> StoreAdapter:
    """The adapter for ``url``'s scheme, imported now if it was not already.

    Raises :class:`~recommendations.ConfigurationError` naming the package to install if no
    installed package provides the scheme, and :class:`~recommendations.StoreError` if the
    one that does cannot be loaded.
    """
    parsed = url if isinstance(url, StoreURL) else StoreURL.parse(url)
    scheme = parsed.scheme
    with _loading:
        if scheme in _loaded:
            return _loaded[scheme]
        entry = _entry_points().get(scheme)
        if entry is None:
            known = sorted(_entry_points())
            hint = (
                f"install {_KNOWN[scheme][0]} (pip install {_KNOWN[scheme][0]}"
                + (
                    f"; in a clone of the project: pip install -e {_FOLDERS[scheme]})"
                    if scheme in _FOLDERS
                    else ")"
                )
                if scheme in _KNOWN
                else "install a package that provides it"
            )
            raise ConfigurationError(
                f"no storage adapter for scheme {scheme!r} in {parsed.redacted!r}: {hint}; "
                f"installed: {', '.join(known) or 'none'}",
                field="store",
                rule="store-scheme",
            )
        try:
            target: Any = entry.load()
            adapter = target() if isinstance(target, type) else target
        except Exception as error:
            raise StoreError(
                f"the storage adapter {entry.value!r} for scheme {scheme!r} failed to load: "
                f"{type(error).__name__}: {error}",
                rule="adapter-loads",
            ) from error
        if not isinstance(adapter, StoreAdapter):
            raise StoreError(
                f"the entry point {entry.value!r} for scheme {scheme!r} is not a StoreAdapter",
                rule="adapter-loads",
            )
        _loaded[scheme] = adapter
        return adapter


def _new(name: str) -> Any:
    return globals()[name]


__getattr__ = _deprecated.aliases(__name__, _new)
"""``Views`` and ``InProcessViews``, the old names of :class:`Tables` and
:class:`InProcessTables`, still read (with a warning)."""
