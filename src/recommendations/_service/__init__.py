"""The application service in parts, each with one job; :class:`~recommendations.Tracker`
wires them together over one store.

- :class:`LogStore` (``_store``): the log underneath, an ``eventsourcing`` application,
  read and written through one object, its engine's errors translated;
- :class:`ItemLogs` (``_item_logs``): the item logs kept for deciding;
- :class:`Decider` (``_deciding``): what commands would record, on the logs of the items
  they are about, with the references taken and the recorded time; nothing saved;
- :class:`Retrying` (``_retrying``) and :class:`CommandIds` (``_command_ids``): how a
  command that met another writer is tried again, and what a command id stands for;
- :class:`Writer` (``_writing``): decide, save in one transaction, retry;
- :class:`Reads` (``_reads``): items, the whole log and the register;
- :class:`Copier` (``_copying``): appending and copying whole logs;
- :class:`CatchUp` (``_catch_up``): the views brought up to the log;
- :class:`EmptyStore` (``_empty``): the answers and decisions of a store holding nothing.
"""

from __future__ import annotations

from ._catch_up import CatchUp
from ._command_ids import CommandIds
from ._copying import Copier, check_batch
from ._deciding import Decider
from ._empty import EmptyStore
from ._item_logs import ItemLogs
from ._reads import Reads
from ._retrying import Retrying
from ._store import LogStore
from ._values import Decided, Positioned
from ._writing import Writer

__all__ = [
    "CatchUp",
    "CommandIds",
    "Copier",
    "Decided",
    "Decider",
    "EmptyStore",
    "ItemLogs",
    "LogStore",
    "Positioned",
    "Reads",
    "Retrying",
    "Writer",
    "check_batch",
]
