"""What holding one transaction open across batches needs of every SQL store, whatever
its engine: the connection held by a thread, the datastore given the means to hold one,
the recorder's ``held()``, and the driver's errors as ``eventsourcing``'s own.

Each engine's factory keeps only its part: how the transaction is begun, committed and
rolled back, and how a savepoint is made within it (see ``recommendations_sqlite._factory``
and ``recommendations_postgresql._factory``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import ModuleType
from typing import Any, Generic, TypeVar

from eventsourcing import persistence
from eventsourcing.persistence import OperationalError, PersistenceError

from ._tree import TreeWriter

__all__ = ["Holding", "give_holding", "held_by", "persistence_error"]

_C = TypeVar("_C")


_PEP_249 = (
    "InterfaceError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "DatabaseError",  # (last: the others derive from it)
)
"""The errors every DB-API driver has, each with ``eventsourcing``'s of the same name."""


def persistence_error(
    error: Exception, driver: ModuleType, message: Callable[[Exception], Any] = lambda e: e
) -> PersistenceError:
    """The ``eventsourcing`` error its own transactions raise for ``error``, one of the
    ``driver`` module's: the one of the same name as the first DB-API error class it is an
    instance of, made from ``message(error)``."""
    for name in _PEP_249:
        if isinstance(error, getattr(driver, name)):
            translated: type[PersistenceError] = getattr(persistence, name)
            return translated(message(error))
    return PersistenceError(message(error))


class Holding(Generic[_C]):
    """A datastore's means to hold one transaction open in a thread: the connection it is
    held on, per thread (``None`` in a thread that holds none)."""

    _held: threading.local

    def _held_connection(self) -> _C | None:
        held = getattr(self, "_held", None)
        return getattr(held, "connection", None) if held is not None else None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """One transaction (the engine's :meth:`_held_transaction`) held open in this
        thread until the block ends: committed then, rolled back if it raises. Within a
        block that holds one already, that one (the outer block commits)."""
        if self._held_connection() is not None:
            yield
            return
        with self._held_transaction() as connection:
            self._held.connection = connection
            try:
                yield
            finally:
                self._held.connection = None

    def _held_transaction(self) -> AbstractContextManager[_C]:
        """The engine's part: a transaction begun on a connection of its own, yielded;
        committed when the block ends, rolled back if it raises."""
        raise NotImplementedError


def give_holding(datastore: object, plain: type, holding: type, **state: Any) -> None:
    """Give ``datastore``, if it is exactly of the ``plain`` class its factory makes, the
    means to hold a transaction open: it becomes a ``holding`` (a subclass of ``plain`` and
    :class:`Holding`, adding no state of its own but ``state``, set here once)."""
    if type(datastore) is plain:
        datastore.__class__ = holding
    if isinstance(datastore, holding) and not hasattr(datastore, "_held"):
        datastore._held = threading.local()  # type: ignore[attr-defined]
        for name, value in state.items():
            setattr(datastore, name, value)


@contextmanager
def held_by(tree: TreeWriter, datastore: object) -> Iterator[None]:
    """A recorder's ``held()``: the ``datastore``'s :meth:`Holding.hold`, with the tree's
    memory of the batches inserted meanwhile dropped if it rolls back."""
    if not isinstance(datastore, Holding):
        raise OperationalError("this store's datastore cannot hold a transaction")
    try:
        with datastore.hold():
            yield
    except BaseException:
        tree.forget()  # what it remembered since was rolled back
        raise
