"""What a tracker's store can say about its own history: seal, verify, checkpoint.

:class:`Integrity` works on any recorder that keeps the tree (memory, SQLite, PostgreSQL;
see :mod:`._recorders`). A store whose recorder does not (an ``eventsourcing://`` store)
gets its tree computed on read, from the log alone, every time it is asked: it proves what
the log holds now, and nothing about what it held before.
"""

from __future__ import annotations

import base64
import itertools
import multiprocessing
import os
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs
from attrs import field, frozen
from eventsourcing.persistence import ApplicationRecorder, Notification

from recommendations._errors import StoreError
from recommendations._logging import integrity as _log

from . import _parallel
from ._bundle import make_bundle
from ._checkpoint import SigningKey, checkpoint_note
from ._leaf import LeafError, LeafHasher, leaf_bytes, leaf_hash, persons_in
from ._merkle import Frontier
from ._recorders import MemoryTables, TreeRecorder, TreeTables
from ._stated import LogCheckpoint
from ._tree import HASH, NODE_LEVELS, LeafRow, NodeRow, StoredNodes, TreeWriter, frontier_of
from .verifier import fingerprint

__all__ = ["Integrity", "Problem", "StoredCheckpoint", "Verification"]


MAX_WORKERS = 4
"""At most this many processes share a verification."""
WORKERS_FROM = 65536
"""A log shorter than this is verified in one process (starting workers costs more)."""
WORKER_PAGES = 8
"""Pages a worker takes at a time."""
MAX_PROBLEMS = 50
"""A verification keeps the first problems of each kind, and counts the rest."""


@frozen
class Problem:
    """One thing a verification found wrong, and where."""

    kind: str
    """``altered``, ``moved``, ``deleted``, ``inserted``, ``truncated``, ``unsealed``,
    ``tree`` (a stored node that does not match its leaves), ``checkpoint``, or for a
    checkpoint given, ``signature``, ``unknown-key`` or ``origin``."""
    position: int | None
    detail: str
    item: str | None = None
    version: int | None = None
    fields: tuple[str, ...] = ()
    """The fields found to differ, where the tree remembers them."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "position": self.position,
            "item": self.item,
            "version": self.version,
            "fields": list(self.fields),
            "detail": self.detail,
        }


@frozen
class StoredCheckpoint:
    """A checkpoint: the tree's size and root at a moment, and its note."""

    size: int
    root: bytes
    note: str = ""
    made_at: str = ""
    label: str = ""
    origin: str = ""
    """The origin it names, where it was read from a note (a checkpoint given)."""
    signed_by: tuple[str, ...] = ()
    """The names of the keys given whose good signature it carries."""

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


@frozen
class Verification:
    """What :meth:`Integrity.verify` found: ``ok`` when every check held."""

    head: int
    """The last position of the log when the check began."""
    size: int
    """How many leaves the stored tree has."""
    root: bytes
    """The root of the tree recomputed from the log (over ``head`` entries)."""
    problems: tuple[Problem, ...]
    counts: dict[str, int]
    checkpoints: tuple[tuple[StoredCheckpoint, bool], ...] = field(default=())
    computed_on_read: bool = False

    @property
    def ok(self) -> bool:
        return not self.counts

    def with_problems(self, problems: Sequence[Problem]) -> Verification:
        """This verification with ``problems`` found besides (a checkpoint's signature or
        origin), first."""
        if not problems:
            return self
        counts = dict(self.counts)
        for problem in problems:
            counts[problem.kind] = counts.get(problem.kind, 0) + 1
        return attrs.evolve(self, problems=(*problems, *self.problems), counts=counts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.head,
            "tree_size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "computed_on_read": self.computed_on_read,
            "problems": [p.as_dict() for p in self.problems],
            "counts": dict(sorted(self.counts.items())),
            "checkpoints": [
                {
                    "size": c.size,
                    "root": c.root_b64,
                    "fingerprint": fingerprint(c.root),
                    "label": c.label,
                    "origin": c.origin or None,
                    "signed_by": list(c.signed_by),
                    "holds": holds,
                }
                for c, holds in self.checkpoints
            ],
        }


class _Findings:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.counts: dict[str, int] = {}

    def add(self, problem: Problem) -> None:
        seen = self.counts.get(problem.kind, 0)
        self.counts[problem.kind] = seen + 1
        if seen < MAX_PROBLEMS:
            self.problems.append(problem)


def _hex(item: Any) -> str:
    if isinstance(item, uuid.UUID):
        return item.hex
    text = str(item)
    if len(text) == 32:
        return text
    try:
        return uuid.UUID(text).hex
    except ValueError:  # a row written behind the library's back
        return text


def _origin(tables: TreeTables) -> str:
    first = tables.hashes(0, 0, 1)
    return "recommendations/" + (first[0].hex()[:16] if first else "empty")


class _Row(NamedTuple):
    """A stored entry as a recorder's plain rows give it (what verify reads)."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


class Integrity:
    """The tree of one store's log: what a :class:`~recommendations.Tracker` exposes as
    ``tracker.integrity``."""

    def __init__(self, recorder: ApplicationRecorder, label: str = "") -> None:
        self._recorder = recorder
        self.label = label
        self.computed_on_read = not isinstance(recorder, TreeRecorder)
        self._scratch: MemoryTables | None = None

    # --- the tables -----------------------------------------------------------------------

    def _tables(self, *, write: bool) -> Any:
        if isinstance(self._recorder, TreeRecorder):
            return self._recorder.tree_tables(write=write)
        return self._computed()

    def _computed(self) -> Any:
        """For a recorder without the tree: one built now, from the log, in memory."""
        tables = MemoryTables()
        names = set()
        for page in self._pages(0, self._head()):
            names |= persons_in(n.state for n in page)
        # salts are made here for this reading only: commitments differ from read to read
        tables.salts(names, create=True)
        writer = TreeWriter()
        for page in self._pages(0, self._head()):
            # the tree covers the log up to its first gap: verify reports what follows
            first = tables.tree_size() + 1
            entries = [
                (n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for i, n in enumerate(page)
                if n.id == first + i
            ]
            writer.add(tables, entries)
            writer.committed()
            if len(entries) < len(page):
                break
        return tables.transaction()

    def _head(self) -> int:
        return self._recorder.max_notification_id() or 0

    def _pages(self, after: int, head: int, size: int = 5000) -> Iterator[Sequence[Notification]]:
        """The log's entries after ``after`` up to ``head``, a page at a time: through the
        recorder's plain rows when it offers them (``tree_rows``), else its notifications."""
        rows = getattr(self._recorder, "tree_rows", None)
        position = after
        while position < head:
            page: Sequence[Any] = (
                [_Row(*row) for row in rows(position, head, size)]
                if rows is not None
                else self._recorder.select_notifications(
                    start=position, limit=size, stop=head, inclusive_of_start=False
                )
            )
            if not page:
                return
            yield page
            position = page[-1].id

    # --- sealing ----------------------------------------------------------------------------

    def seal(self, *, batch: int = 5000, progress: Callable[[int], None] | None = None) -> int:
        """Build the tree for the entries that have none (a store made before the tree);
        how many leaves were added. Each batch is one transaction, with appends held off."""
        if self.computed_on_read:
            return 0
        added = 0
        self.bring_to_tiles()
        while True:
            with self._tables(write=True) as tables:
                size = tables.tree_size()
                page = self._recorder.select_notifications(
                    start=size, limit=batch, inclusive_of_start=False
                )
                if not page:
                    break
                if page[0].id != size + 1:
                    raise StoreError(
                        f"the log has no entry at position {size + 1}, after the tree's "
                        f"last leaf: run recommendations verify",
                        field="position",
                        rule="positions-gapless",
                    )
                recorder = self._recorder
                assert isinstance(recorder, TreeRecorder)
                recorder.tree.forget()
                done = recorder.tree.add(
                    tables,
                    [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in page],
                )
                if not done:  # pragma: no cover - guarded by the size read above
                    break
            recorder.tree.committed()
            added += len(page)
            if progress is not None:
                progress(added)
            if len(page) < batch:
                break
        return added

    def bring_to_tiles(self) -> int:
        """Rewrite a tree kept in its earlier form (a row per leaf and per node kept, as
        stores sealed before the tiles hold it) as tiles, in one transaction with appends
        held off; how many leaves it held (0 when there was nothing to rewrite). The
        hashes are moved, not recomputed: ``verify`` checks them against the log after.
        :meth:`seal` does this first."""
        if self.computed_on_read:
            return 0
        with self._tables(write=True) as tables:
            bring = getattr(tables, "bring_to_tiles", None)
            return int(bring()) if bring is not None else 0

    def adopt_persons(self, source: Integrity) -> None:
        """Keep the persons' salts of ``source``'s store, so that a log copied from it
        gives the same leaves, and the same tree."""
        if self.computed_on_read or source.computed_on_read:
            return
        with source._tables(write=False) as tables:
            salts = tables.all_salts()
        with self._tables(write=True) as tables:
            tables.adopt_salts(salts)

    # --- the root ---------------------------------------------------------------------------

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """The size and root of the stored tree (of its first ``size`` leaves if given)."""
        with self._tables(write=False) as tables:
            whole = tables.tree_size()
            size = whole if size is None else size
            if size > whole or size < 0:
                raise StoreError(
                    f"the tree has {whole} leaves, not {size}", field="size", rule="tree-size"
                )
            return size, frontier_of(tables, size).root()

    def checkpoints(self) -> list[StoredCheckpoint]:
        """The checkpoints kept in the store, by size."""
        with self._tables(write=False) as tables:
            return [
                StoredCheckpoint(size=s, root=r, note=n, made_at=m, label="stored")
                for s, r, n, m in tables.checkpoints()
            ]

    def keep_checkpoint(self, size: int, root: bytes, note: str) -> None:
        """Keep a checkpoint made of this store's tree in the store."""
        made = datetime.now(UTC).isoformat()
        with self._tables(write=True) as tables:
            tables.add_checkpoint(size, root, note, made)

    def origin(self) -> str:
        """The checkpoints' origin line: ``recommendations/`` and the first 16 hex digits
        of the first entry's leaf hash, the same in every copy of the log."""
        with self._tables(write=False) as tables:
            return _origin(tables)

    def checkpoint(
        self, *, keys: Sequence[SigningKey] = (), origin: str | None = None, keep: bool = True
    ) -> str:
        """A checkpoint of the tree as it stands (signed with ``keys`` if any), kept in the
        store unless ``keep`` is false: the C2SP checkpoint note."""
        size, root = self.root()
        note: str = checkpoint_note(origin or self.origin(), size, root, keys=keys)
        if keep and not self.computed_on_read:
            self.keep_checkpoint(size, root, note)
        return note

    def checkpoint_at(
        self, size: int, *, keys: Sequence[SigningKey] = (), origin: str | None = None
    ) -> LogCheckpoint:
        """The checkpoint of the log's first ``size`` entries (signed with ``keys`` if any),
        without keeping it in the store: what an answer read up to position ``size`` states.

        Raises :class:`~recommendations.StoreError` when the store keeps no tree (rule
        ``tree-kept``: a tree computed on each read proves nothing later) or its tree does
        not cover ``size`` entries (rule ``tree-covers-basis``: run ``recommendations
        seal``).
        """
        if self.computed_on_read:
            raise StoreError(
                f"{self.label or 'this store'} keeps no Merkle tree (it is computed from the "
                "log on each read), so no checkpoint of it can be checked later",
                field="checkpoint",
                rule="tree-kept",
            )
        with self._tables(write=False) as tables:
            whole = tables.tree_size()
            if not 0 <= size <= whole:
                raise StoreError(
                    f"the tree covers the first {whole} entries of the log, not the {size} "
                    "this answer was read from: run recommendations seal",
                    field="checkpoint",
                    rule="tree-covers-basis",
                )
            root = frontier_of(tables, size).root()
            origin = _origin(tables) if origin is None else origin
        return LogCheckpoint.from_note(checkpoint_note(origin, size, root, keys=keys))

    def prove(
        self,
        reference: str,
        entries: Sequence[tuple[int, uuid.UUID]],
        *,
        checkpoint: str,
        earlier: str | None = None,
    ) -> dict[str, Any]:
        """The proof bundle of one item's entries (``(position, item id)`` pairs) against
        ``checkpoint``, with the consistency proof from ``earlier`` if given."""
        if not entries:
            raise StoreError(
                "has no entries in this store to prove",
                reference=reference,
                field="reference",
                rule="proof-bundle",
            )
        with self._tables(write=False) as tables:
            salts = tables.all_salts()
            shown = []
            for position, _ in entries:
                page = self._recorder.select_notifications(start=position, limit=1)
                if not page or page[0].id != position:
                    raise StoreError(
                        f"the log has no entry at position {position}: run recommendations verify",
                        reference=reference,
                        field="position",
                        rule="proof-bundle",
                    )
                n = page[0]
                data = leaf_bytes(
                    n.id, n.originator_id, n.originator_version, n.topic, n.state, salts
                )
                shown.append((position, data))
            bundle: dict[str, Any] = make_bundle(
                reference=reference,
                item_id=str(entries[0][1]),
                entries=shown,
                nodes=StoredNodes(tables),
                checkpoint=checkpoint,
                earlier=earlier,
            )
            return bundle

    # --- verifying --------------------------------------------------------------------------

    def verify(
        self,
        checkpoints: Sequence[StoredCheckpoint] = (),
        *,
        page_size: int = 5000,
        workers: int | None = None,
    ) -> Verification:
        """Recompute every leaf from the stored entries and the tree from the leaves, and
        compare them with the stored tree, the stored checkpoints and ``checkpoints``.

        ``workers`` processes share the work on a store they can open on their own (a
        SQLite file): by default one per core, up to :data:`MAX_WORKERS`, on a log of at
        least :data:`WORKERS_FROM` entries; 1 does it all in this process."""
        findings = _Findings()
        head = self._head()
        with self._tables(write=False) as tables:
            size = tables.tree_size()
            salts = tables.all_salts()
            expected = sorted(
                [
                    *(
                        StoredCheckpoint(size=s, root=r, note=n, made_at=m, label="stored")
                        for s, r, n, m in tables.checkpoints()
                    ),
                    *checkpoints,
                ],
                key=lambda c: c.size,
            )
            checked: list[tuple[StoredCheckpoint, bool]] = []
            frontier = Frontier()
            pending = 0

            def check_checkpoints() -> None:
                nonlocal pending
                while pending < len(expected) and expected[pending].size <= frontier.size:
                    point = expected[pending]
                    pending += 1
                    if point.size < frontier.size:
                        continue  # pragma: no cover - sizes are met one by one
                    holds = frontier.root() == point.root
                    checked.append((point, holds))
                    if not holds:
                        findings.add(
                            Problem(
                                kind="checkpoint",
                                position=point.size,
                                detail=(
                                    f"the {point.label or 'given'} checkpoint of size "
                                    f"{point.size} has root {point.root_b64}; the log's first "
                                    f"{point.size} entries give "
                                    f"{base64.b64encode(frontier.root()).decode()}: history up "
                                    "to there was rewritten (or the checkpoint is of another "
                                    "log)"
                                ),
                            )
                        )

            check_checkpoints()
            earlier = getattr(tables, "earlier_form", None)
            earlier_size = earlier() if earlier is not None else None
            if earlier_size:
                findings.add(
                    Problem(
                        kind="unsealed",
                        position=1,
                        detail=f"the tree of the first {earlier_size} entries is kept in its "
                        "earlier form (a row per leaf), which verify does not read: run "
                        "recommendations seal to bring it to tiles",
                    )
                )
            elif size == 0 and head > 0:
                findings.add(
                    Problem(
                        kind="unsealed",
                        position=1,
                        detail=f"the log has {head} entries and no tree: run recommendations seal",
                    )
                )
            nodes: list[NodeRow] = []
            # Whole pages at a time while the log and the tree agree (each leaf hash
            # recomputed, compared a page at once, and the page's subtrees level by level);
            # from the first page where they do not, entry by entry, to say what differs.
            hasher = LeafHasher(salts)
            page = 1 << (max(page_size, 2).bit_length() - 1)

            def take(rows: list[tuple[Any, ...]]) -> bool:
                """Take one page of rows into the frontier if it agrees with the tree."""
                nonlocal nodes
                start, count = frontier.size, len(rows)
                if not rows or rows[0][0] != start + 1 or rows[-1][0] != start + count:
                    return False
                stored = tables.block(0, start, start + count)
                if len(stored) != count * HASH:
                    return False
                hashes = _parallel.leaf_hashes(hasher, rows)
                if hashes is None or b"".join(hashes) != stored:
                    return False
                cuts = [p.size for p in expected[pending:] if start < p.size <= start + count]
                if cuts:
                    done = 0
                    for cut in cuts:
                        nodes += frontier.append_many(hashes[done : cut - start], NODE_LEVELS)
                        done = cut - start
                        check_checkpoints()
                    nodes += frontier.append_many(hashes[done:], NODE_LEVELS)
                elif count & (count - 1) == 0 and start % count == 0:
                    top = count.bit_length() - 1
                    add(top, self._check_subtrees(tables, start, hashes, findings))
                else:
                    nodes += frontier.append_many(hashes, NODE_LEVELS)
                after_page()
                return True

            def add(top: int, root: bytes) -> None:
                """Append a whole aligned page's root, keeping the nodes it completes."""
                nodes.extend(
                    n
                    for n in frontier.append_subtree(top, root)
                    if n[0] > top and n[0] % NODE_LEVELS == 0
                )

            def after_page() -> None:
                nonlocal nodes
                check_checkpoints()
                if len(nodes) >= page_size // 8:
                    self._check_nodes(tables, nodes, findings)
                    nodes = []

            # Whole pages at a time while the log and the tree agree (each leaf hash
            # recomputed, compared a page at once, and the page's subtrees level by level),
            # shared with worker processes where the store allows; from the first page
            # where they do not agree, entry by entry, to say what differs.
            agree = True
            cuts = {p.size for p in expected}
            shared = self._worker_roots(salts, min(head, size), page, cuts, workers)
            try:
                for start, root in shared:
                    if start != frontier.size:  # pragma: no cover - pages come in order
                        agree = False
                        break
                    if root is not None:
                        add(page.bit_length() - 1, root)
                        after_page()
                    elif not take(next(self._row_pages(start, head, page), [])):
                        agree = False
                        break
            finally:
                shared.close()  # no more pages asked of the workers
            if agree:
                for rows in self._row_pages(frontier.size, head, page):
                    if not take(rows):
                        break
            after = frontier.size
            events = self._entries(after, head, page_size)
            leaves = self._leaves(tables, after, size, page_size)
            event = next(events, None)
            leaf = next(leaves, None)
            while event is not None or leaf is not None:
                if leaf is None or (event is not None and event.id < leaf[0]):
                    assert event is not None
                    if event.id > size:
                        findings.add(
                            Problem(
                                kind="inserted" if size else "unsealed",
                                position=event.id,
                                item=_hex(event.originator_id),
                                version=event.originator_version,
                                detail=(
                                    f"the entry at position {event.id} is not in the tree, "
                                    f"which ends at {size}"
                                    + (
                                        ": added behind the library's back"
                                        if size
                                        else ": run recommendations seal"
                                    )
                                ),
                            )
                        )
                    else:
                        findings.add(
                            Problem(
                                kind="inserted",
                                position=event.id,
                                item=_hex(event.originator_id),
                                version=event.originator_version,
                                detail=f"the tree has no leaf for the entry at position "
                                f"{event.id}: it was inserted, or its leaf deleted",
                            )
                        )
                    # beyond the tree nothing was committed to: no leaf to recompute
                    hashed = b"" if event.id > size else self._leaf(event, salts, findings)
                    event = next(events, None)
                elif event is None or leaf[0] < event.id:
                    position, hashed, item, version, _ = leaf
                    if position > head:
                        findings.add(
                            Problem(
                                kind="truncated",
                                position=position,
                                item=item,
                                version=version,
                                detail=f"the log ends at position {head}, the tree at "
                                f"{size}: entries {head + 1} to {size} were removed from the "
                                "end",
                            )
                        )
                        break
                    findings.add(
                        Problem(
                            kind="deleted",
                            position=position,
                            item=item,
                            version=version,
                            detail=f"the entry at position {position} (item {item}, version "
                            f"{version}, as the tree remembers it) is gone from the log",
                        )
                    )
                    leaf = next(leaves, None)
                else:
                    hashed = self._leaf(event, salts, findings)
                    stored = leaf[1]
                    if hashed and hashed != stored:  # (no hash: reported already)
                        findings.add(self._difference(event, leaf, salts))
                    event = next(events, None)
                    leaf = next(leaves, None)
                nodes.extend(n for n in frontier.append(hashed) if n[0] and n[0] % NODE_LEVELS == 0)
                check_checkpoints()
                if len(nodes) >= page_size // 8:
                    self._check_nodes(tables, nodes, findings)
                    nodes = []
            self._check_nodes(tables, nodes, findings)
            for point in expected[pending:]:
                checked.append((point, False))
                findings.add(
                    Problem(
                        kind="checkpoint",
                        position=point.size,
                        detail=f"the {point.label or 'given'} checkpoint has size "
                        f"{point.size}, more than the log's {frontier.size} entries: the log "
                        "was truncated (or the checkpoint is of another log)",
                    )
                )
        _log.info("verified %d entries: %d problems", head, len(findings.problems))
        return Verification(
            head=head,
            size=size,
            root=frontier.root(),
            problems=tuple(findings.problems),
            counts=findings.counts,
            checkpoints=tuple(checked),
            computed_on_read=self.computed_on_read,
        )

    def _entries(self, after: int, head: int, page_size: int) -> Iterator[Notification]:
        for page in self._pages(after, head, page_size):
            yield from page

    def _worker_roots(
        self, salts: dict[str, bytes], head: int, page: int, cuts: set[int], workers: int | None
    ) -> Generator[tuple[int, bytes | None], None, None]:
        """For each whole aligned page of the first ``head`` entries, while worker processes
        can take them: its start and its root if the log and the tree agree there (``None``
        when the page is to be taken here: it differs, or a checkpoint falls inside it).
        Nothing if no worker can be started: the pages are then all taken here."""
        source = getattr(self._recorder, "tree_source", None)
        location = source() if source is not None else None
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if head >= WORKERS_FROM else 1
        if location is None or workers < 2 or head < 2 * page:
            return
        path, table = location
        starts = range(0, head - head % page, page)
        chunk = max(1, min(WORKER_PAGES, len(starts) // (workers * 4)))
        groups = [starts[i : i + chunk] for i in range(0, len(starts), chunk)]
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        try:
            executor = ProcessPoolExecutor(workers, mp_context=context)
        except (OSError, ValueError):  # no processes may be started here
            return
        try:
            results = executor.map(
                _parallel.page_roots,
                itertools.repeat(path),
                itertools.repeat(table),
                itertools.repeat(salts),
                itertools.repeat(page),
                itertools.repeat(cuts),
                [(group.start, group.stop) for group in groups],
            )
            for group, roots in zip(groups, results, strict=True):
                yield from zip(group, roots, strict=True)
        except (BrokenProcessPool, OSError):  # a worker died: the rest is taken here
            return
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def _row_pages(self, after: int, head: int, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The log's entries after ``after`` up to ``head`` as plain rows (position, item
        id, version, topic, state), a page at a time."""
        rows = getattr(self._recorder, "tree_rows", None)
        position = after
        while position < head:
            page: list[tuple[Any, ...]] = (
                rows(position, head, size)
                if rows is not None
                else [
                    (n.id, n.originator_id, n.originator_version, n.topic, n.state)
                    for n in self._recorder.select_notifications(
                        start=position, limit=size, stop=head, inclusive_of_start=False
                    )
                ]
            )
            if not page:
                return
            yield page
            position = page[-1][0]

    @staticmethod
    def _leaves(tables: TreeTables, after: int, size: int, page_size: int) -> Iterator[LeafRow]:
        while after < size:
            page = tables.leaves(after, page_size)
            if not page:
                return
            yield from page
            after = page[-1][0]

    def _check_subtrees(
        self, tables: TreeTables, start: int, hashes: list[bytes], findings: _Findings
    ) -> bytes:
        """Compare the stored nodes inside the aligned perfect subtree of ``hashes`` (the
        leaves from index ``start``) with the ones they give, level by level; its root."""
        levels = _parallel.subtree_levels(hashes)
        for level in range(NODE_LEVELS, len(levels), NODE_LEVELS):
            row, first = levels[level], start >> level
            stored = tables.nodes_at(level, first, first + len(row))
            if [value for _, value in stored] != row:
                computed = [(level, first + i, value) for i, value in enumerate(row)]
                self._check_nodes(tables, computed, findings)
        return levels[-1][0]

    @staticmethod
    def _leaf(event: Notification, salts: dict[str, bytes], findings: _Findings | None) -> bytes:
        try:
            data = leaf_bytes(
                event.id,
                event.originator_id,
                event.originator_version,
                event.topic,
                event.state,
                salts,
            )
        except LeafError as error:
            if findings is None:  # an entry the tree does not cover: reported already
                return b""
            findings.add(
                Problem(
                    kind="altered",
                    position=event.id,
                    item=_hex(event.originator_id),
                    version=event.originator_version,
                    fields=(error.field or "state",),
                    detail=error.detail,
                )
            )
            return b""
        except (ValueError, TypeError) as error:  # a row no writer of this library made
            if findings is not None:
                findings.add(
                    Problem(
                        kind="altered",
                        position=event.id,
                        item=str(event.originator_id),
                        version=None,
                        fields=("item",),
                        detail=f"the entry at position {event.id} cannot be read as an "
                        f"entry: {error}",
                    )
                )
            return b""
        return leaf_hash(data)

    @staticmethod
    def _difference(event: Notification, leaf: LeafRow, salts: dict[str, bytes]) -> Problem:
        position, _, item, version, recorded = leaf
        actual_item = _hex(event.originator_id)
        data = leaf_bytes(
            event.id,
            event.originator_id,
            event.originator_version,
            event.topic,
            event.state,
            salts,
        )
        from ._tree import _recorded

        actual_recorded = _recorded(data)
        if (actual_item, event.originator_version) != (item, version):
            return Problem(
                kind="moved",
                position=position,
                item=actual_item,
                version=event.originator_version,
                fields=("item", "version"),
                detail=(
                    f"position {position} holds item {actual_item} version "
                    f"{event.originator_version}; the tree has item {item} version {version} "
                    "there: entries were swapped, reordered or replaced"
                ),
            )
        fields = ("recorded_at",) if actual_recorded != recorded else ("topic or state",)
        what = (
            f"its recorded time reads {actual_recorded}, the tree remembers {recorded}"
            if actual_recorded != recorded
            else "its topic or stored state differs from what the tree holds"
        )
        return Problem(
            kind="altered",
            position=position,
            item=item,
            version=version,
            fields=fields,
            detail=f"the entry at position {position} (item {item}, version {version}) was "
            f"altered: {what}",
        )

    @staticmethod
    def _check_nodes(tables: TreeTables, nodes: list[NodeRow], findings: _Findings) -> None:
        by_level: dict[int, list[NodeRow]] = {}
        for node in nodes:
            by_level.setdefault(node[0], []).append(node)
        for level, rows in by_level.items():
            stored = dict(tables.nodes_at(level, rows[0][1], rows[-1][1] + 1))
            for _, index, hashed in rows:
                if stored.get(index) != hashed:
                    first = index << level
                    findings.add(
                        Problem(
                            kind="tree",
                            position=first + 1,
                            detail=f"the stored node over positions {first + 1} to "
                            f"{first + (1 << level)} does not match the log's entries there",
                        )
                    )
