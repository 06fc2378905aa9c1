"""What holding one transaction open across batches needs of every SQL store, whatever
its engine: the connection held by a thread, the datastore given the means to hold one,
the recorder's ``held()``, and the driver's errors as ``eventsourcing``'s own.

Each engine's factory keeps only its part: how the transaction is begun, committed and
rolled back, and how a savepoint is made within it (see ``recommendations_sqlite._factory``
and ``recommendations_postgresql._factory``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Generic, TypeVar

from eventsourcing.persistence import PersistenceError

from ._tree import TreeWriter

__all__ = ["Holding", "give_holding", "held_by", "persistence_error"]

_C = TypeVar("_C")


def persistence_error(
    error: Exception,
    errors: Sequence[tuple[type[Exception], type[PersistenceError]]],
    message: Callable[[Exception], Any] = lambda error: error,
) -> PersistenceError:
    """The ``eventsourcing`` error its own transactions raise for the driver's ``error``:
    the first of ``errors`` (driver's class, ``eventsourcing``'s) it is an instance of,
    made from ``message(error)``."""
    for driver, translated in errors:
        if isinstance(error, driver):
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
    def _holding(self, connection: _C) -> Iterator[None]:
        """``connection`` is the one this thread holds its transaction on, until the block
        ends."""
        self._held.connection = connection
        try:
            yield
        finally:
            self._held.connection = None


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
def held_by(tree: TreeWriter, hold: AbstractContextManager[Any]) -> Iterator[None]:
    """A recorder's ``held()``: the datastore's ``hold``, with the tree's memory of the
    batches inserted meanwhile dropped if it rolls back."""
    try:
        with hold:
            yield
    except BaseException:
        tree.forget()  # what it remembered since was rolled back
        raise
