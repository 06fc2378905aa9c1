"""Writers in processes of their own, for the tests of contention.

Kept apart from the test modules, so that a process imports little more than the library:
:func:`context` gives processes forked from a server that imported this module (and so
the library and the SQLite and PostgreSQL adapters) once, each a fresh process that shares
nothing with the test but what it is given.
"""

from __future__ import annotations

import multiprocessing
from datetime import date
from multiprocessing.context import ForkServerContext
from typing import Any

import recommendations as r
from recommendations.stores import adapter_for

for _url in ("sqlite:///warm.db", "postgresql://warm/warm"):
    adapter_for(_url)  # found and imported once, in the server the writers are forked from


def context() -> ForkServerContext:
    """Where writer processes come from."""
    forked = multiprocessing.get_context("forkserver")
    forked.set_forkserver_preload([__name__])
    return forked


def note_progress(url: str, n: int, each: int, gate: Any, results: Any) -> None:
    """Wait for the other writers, then note progress on 2.16 ``each`` times (every other
    note with a command id, sent twice: nothing doubled); put ``(n, outcomes)`` on
    ``results``, each outcome ``"ok"`` or the error's one line."""
    outcomes: list[str] = []
    when = {"effective_on": date(2017, 4, 1), "by": "Kath Holder", "reason": "committee"}
    try:
        # A generous bound: on a machine shared by many, an attempt can take a second.
        with r.Tracker(url, retry_for=120) as tracker:
            tracker.head()  # the store is open before the race
            gate.wait(timeout=60)
            for i in range(each):
                command = r.NoteProgress(reference="2.16", note=f"w{n}-{i}", **when)
                if i % 2:
                    first = tracker.execute(command, command_id=f"note-{n}-{i}")
                    again = tracker.execute(command, command_id=f"note-{n}-{i}")
                    outcomes.append("ok" if again == first else f"doubled: {again}")
                else:
                    tracker.execute(command)
                    outcomes.append("ok")
    except r.RecommendationsError as error:
        outcomes.append(f"{type(error).__name__}: {error}")
    results.put((n, outcomes))


def copy_log(source: str, target: str, batch: int, reports: Any) -> None:
    """Copy ``source``'s log into ``target``, ``batch`` records to a transaction, then catch
    the views up, as ``recommendations copy`` does; put how many records the target holds
    on ``reports`` after each batch, and ``"done"`` at the end."""
    with r.Tracker(source) as origin, r.Tracker(target) as copy:
        reports.put(copy.head())
        copy.copy_from(origin, batch=batch, progress=reports.put)
        copy.tables.catch_up()
    reports.put("done")
