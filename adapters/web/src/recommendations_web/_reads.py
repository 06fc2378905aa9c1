"""The reads the API and the pages share: a basis and filters from a query string, and the
answers, each stating its basis and the checkpoint of the log at its position.

Everything here is synchronous and runs under the site's lock, in a worker thread (see
:class:`~recommendations_web._app.Site`).
"""

from __future__ import annotations

import urllib.parse
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import attrs
from attrs import frozen

from recommendations import NotFound, StoreError, Tracker, domain, exports, stores, views

from ._problems import Problem, dumps

__all__ = ["Asked", "asked_from", "checkpoint_of", "register_answer"]

_STATUSES = tuple(status.value for status in domain.Status)


@frozen(kw_only=True)
class Asked:
    """A read's basis and filters, as a query string gave them (``None``: not given)."""

    as_at: date | None = None
    known_at: datetime | None = None
    position: int | None = None
    report: str | None = None
    grade: str | None = None
    status: domain.Status | None = None
    owner: str | None = None
    overdue: bool | None = None
    q: str | None = None
    body: str | None = None

    def filters(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "grade": self.grade,
            "status": self.status,
            "owner": self.owner,
            "overdue": self.overdue,
            "q": self.q,
            "body": self.body,
        }


def _one(query: Mapping[str, str], name: str) -> str | None:
    value = query.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _bad(name: str, message: str, rule: str) -> Problem:
    return Problem(400, f"{name}: {message}", field=name, rule=rule)


def parse_date(query: Mapping[str, str], name: str) -> date | None:
    value = _one(query, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(name, f"{value!r} is not a date (YYYY-MM-DD)", "date") from None


def parse_time(query: Mapping[str, str], name: str) -> datetime | None:
    value = _one(query, name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise _bad(name, f"{value!r} is not a time (ISO 8601 with its offset)", "time") from None
    if moment.utcoffset() is None:
        raise _bad(name, f"{value!r} has no offset (add +00:00 for UTC)", "time")
    return moment


def parse_int(query: Mapping[str, str], name: str, *, least: int = 0) -> int | None:
    value = _one(query, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise _bad(name, f"{value!r} is not a whole number", "integer") from None
    if number < least:
        raise _bad(name, f"{number} is less than {least}", "integer")
    return number


def _grade(value: str, policy: domain.Policy) -> str:
    wanted = " ".join(value.split()).casefold()
    grades = [grade for scale in policy.scales for grade in scale.grades]
    by_code = [grade.code for grade in grades if grade.code.casefold() == wanted]
    by_label = [grade.code for grade in grades if grade.label.casefold() == wanted]
    if by_code or by_label:
        return (by_code or by_label)[0]
    raise _bad("grade", f"{value!r} is not a grade on any scale", "grade-on-scale")


def asked_from(query: Mapping[str, str], policy: domain.Policy) -> Asked:
    """The basis and filters of a query string; a value that is not one is a 400 problem
    naming the parameter and the rule."""
    grade = _one(query, "grade")
    status = _one(query, "status")
    if status is not None and status.casefold() not in _STATUSES:
        raise _bad("status", f"{status!r} is not a status ({', '.join(_STATUSES)})", "status")
    overdue = _one(query, "overdue")
    if overdue is not None and overdue.lower() not in ("true", "false", "1", "0", "on"):
        raise _bad("overdue", f"{overdue!r} is not true or false", "boolean")
    return Asked(
        as_at=parse_date(query, "as_at"),
        known_at=parse_time(query, "known_at"),
        position=parse_int(query, "position"),
        report=_one(query, "report"),
        grade=_grade(grade, policy) if grade is not None else None,
        status=domain.Status(status.casefold()) if status is not None else None,
        owner=_one(query, "owner"),
        overdue=True if overdue is not None and overdue.lower() in ("true", "1", "on") else None,
        q=_one(query, "q"),
        body=_one(query, "body"),
    )


def basis_of(view: views.Register | views.Trail | views.CommitteeUpdate) -> dict[str, Any]:
    basis = view.basis
    return {
        "as_at": basis.as_at,
        "known_at": basis.known_at.astimezone(UTC),
        "position": basis.position,
    }


def basis_query(basis: views.Basis, **more: Any) -> str:
    """The query string that asks again on ``basis`` (and ``more``, those not ``None``)."""
    pairs: dict[str, Any] = {
        "as_at": basis.as_at.isoformat(),
        "known_at": basis.known_at.astimezone(UTC).isoformat(),
        "position": basis.position,
    }
    pairs.update({k: v for k, v in more.items() if v is not None})
    return urllib.parse.urlencode(pairs)


def checkpoint_of(tracker: Tracker, position: int) -> dict[str, Any] | None:
    """The checkpoint of the log's first ``position`` entries, or ``None`` when the store
    keeps no tree over them."""
    cache = cache_of(tracker)
    if position in cache.checkpoints:
        return cache.checkpoints[position]
    try:
        found: dict[str, Any] | None = tracker.integrity.checkpoint_at(position).as_dict()
    except StoreError as error:
        if error.rule not in ("tree-kept", "tree-covers-basis"):
            raise
        return None
    cache.keep(cache.checkpoints, position, found)
    return found


def _matches(row: views.RegisterRow, q: str) -> bool:
    wanted = q.casefold()
    return any(
        wanted in (value or "").casefold()
        for value in (row.reference, row.text, row.report, row.owner, row.body)
    )


class ReadCache:
    """What answers on the same basis share, kept per tracker: the register as an audience
    sees it at one log position (and its rows as JSON), what is sensitive at the log's
    head, and the checkpoint at a position. Keys carry the position, so a new entry makes
    new keys: nothing kept is ever out of date, and the oldest are let go."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.registers: OrderedDict[tuple[Any, ...], tuple[views.Register, bytes | None]] = (
            OrderedDict()
        )
        self.checkpoints: OrderedDict[int, dict[str, Any] | None] = OrderedDict()
        self._sensitive: tuple[int, views.Sensitivity] | None = None

    def sensitivity(self, tracker: Tracker) -> views.Sensitivity:
        head = tracker.head()
        if self._sensitive is None or self._sensitive[0] != head:
            self._sensitive = (head, tracker.sensitivity())
        return self._sensitive[1]

    def keep(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.size:
            table.popitem(last=False)


_CACHES: weakref.WeakKeyDictionary[Tracker, ReadCache] = weakref.WeakKeyDictionary()


def cache_of(tracker: Tracker) -> ReadCache:
    found = _CACHES.get(tracker)
    if found is None:
        found = _CACHES[tracker] = ReadCache()
    return found


def _register_key(asked: Asked, audience: views.Audience, basis: views.Basis) -> tuple[Any, ...]:
    return (
        audience,
        basis.as_at,
        basis.position,
        asked.known_at,  # None: as known now, which is the same at one position
        asked.report,
        asked.grade,
        asked.status,
        asked.owner,
        asked.overdue,
        asked.q,
        asked.body,
    )


def _register(
    tracker: Tracker, asked: Asked, audience: views.Audience
) -> tuple[views.Register, tuple[Any, ...] | None]:
    """The register on the asked basis, with its filters, as ``audience`` may see it, and
    its key in the cache (``None`` when it was not kept: the views were behind)."""
    cache = cache_of(tracker)
    basis = tracker.basis(as_at=asked.as_at, known_at=asked.known_at, position=asked.position)
    # What is sensitive is judged on the whole log now: a new entry anywhere makes new keys.
    head = basis.position if asked.position is None else tracker.head()
    key = (*_register_key(asked, audience, basis), head)
    hit = cache.registers.get(key)
    if hit is not None:
        return attrs.evolve(hit[0], basis=basis), key
    where = views.RegisterFilter(
        report=asked.report,
        grade=asked.grade,
        status=asked.status,
        owner=asked.owner,
        overdue=asked.overdue,
        body=asked.body,
    )
    register = views.for_audience(
        tracker.register(
            as_at=basis.as_at, known_at=basis.known_at, position=basis.position, where=where
        ),
        audience,
        sensitive=cache.sensitivity(tracker),
    )
    if asked.q is not None:
        q = asked.q
        register = attrs.evolve(register, rows=tuple(r for r in register.rows if _matches(r, q)))
    if register.basis.position != basis.position:
        return register, None
    cache.keep(cache.registers, key, (register, None))
    return register, key


def report_named(tracker: Tracker, value: str, audience: views.Audience) -> str:
    """The reference of the report ``value`` names, as the command line's ``--report``
    reads it: its reference, else its reference or title in any case, else the one report
    whose reference or title holds ``value``. A 400 problem if several do (rule
    ``report-unambiguous``), a 404 if none does (rule ``exists``)."""
    reports = tracker.reports()
    if audience is views.Audience.PUBLIC:
        sensitive = cache_of(tracker).sensitivity(tracker)
        reports = [
            r
            for r in reports
            if not r.sensitive and not sensitive.report(r.reference, r.details.inspection)
        ]
    if any(report.reference == value for report in reports):
        return value
    wanted = " ".join(value.split()).casefold()
    exact = [r for r in reports if wanted in (r.reference.casefold(), r.details.title.casefold())]
    partly = [
        r
        for r in reports
        if wanted in r.reference.casefold() or wanted in r.details.title.casefold()
    ]
    for found in (exact, partly):
        if len(found) == 1:
            return found[0].reference
        if found:
            named = "; ".join(f"{r.reference} ({r.details.title})" for r in found)
            raise Problem(
                400,
                f"report: {value!r} matches {len(found)} reports: {named}; give one's reference",
                field="report",
                rule="report-unambiguous",
            )
    raise Problem(
        404,
        f"report: no report has the reference or title {value!r}",
        field="report",
        rule="exists",
        reference=value,
    )


def _resolved(tracker: Tracker, asked: Asked, audience: views.Audience) -> Asked:
    if asked.report is None:
        return asked
    return attrs.evolve(asked, report=report_named(tracker, asked.report, audience))


def register_view(tracker: Tracker, asked: Asked, audience: views.Audience) -> views.Register:
    """The register on the asked basis, with its filters, as ``audience`` may see it."""
    return _register(tracker, _resolved(tracker, asked, audience), audience)[0]


def disclosure_of(view: views.Register | views.Trail | views.CommitteeUpdate) -> dict[str, Any]:
    disclosure = view.disclosure
    return {
        "audience": disclosure.audience,
        "withheld": disclosure.withheld,
        "owner_names": disclosure.owner_names,
        "statement": disclosure.describe(),
    }


def register_answer(tracker: Tracker, asked: Asked, audience: views.Audience, base: str) -> bytes:
    """The register as the API answers it (its rows' JSON is kept with the register)."""
    asked = _resolved(tracker, asked, audience)
    register, key = _register(tracker, asked, audience)
    cache = cache_of(tracker)
    rows = cache.registers[key][1] if key is not None else None
    if rows is None:
        rows = dumps(exports.register_records(register))
        if key is not None:
            cache.keep(cache.registers, key, (cache.registers[key][0], rows))
    filters = {k: v for k, v in asked.filters().items() if v is not None}
    head = dumps(
        {
            "basis": basis_of(register),
            "disclosure": disclosure_of(register),
            "checkpoint": checkpoint_of(tracker, register.basis.position),
            "filters": filters,
            "self": f"{base}?{basis_query(register.basis, **plain_filters(filters))}",
            "count": len(register),
        }
    )
    return head[:-1] + b',"register":' + rows + b"}"


def plain_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in filters.items():
        if isinstance(value, domain.Status):
            shown[key] = value.value
        elif value is True:
            shown[key] = "true"
        else:
            shown[key] = value
    return shown


def trail_records(trail: views.Trail) -> list[dict[str, Any]]:
    return list(exports.trail_records(trail))


def recommendation_answer(
    tracker: Tracker, reference: str, asked: Asked, audience: views.Audience, base: str
) -> dict[str, Any]:
    """One recommendation: its row on the asked basis (``null`` if not raised by then) and
    its history up to that basis."""
    register = tracker.register_for(
        audience,
        as_at=asked.as_at,
        known_at=asked.known_at,
        position=asked.position,
        where=views.RegisterFilter(reference=domain.normal_reference(reference)),
    )
    basis = register.basis
    history = tracker.history(
        reference, known_at=basis.known_at, position=basis.position, audience=audience
    )
    row = exports.register_records(register)
    return {
        "basis": basis_of(register),
        "disclosure": disclosure_of(register),
        "checkpoint": checkpoint_of(tracker, basis.position),
        "self": f"{base}?{basis_query(basis)}",
        "recommendation": row[0] if row else None,
        "history": trail_records(history),
    }


def trail_answer(
    tracker: Tracker,
    asked: Asked,
    audience: views.Audience,
    *,
    after: int,
    limit: int,
    base: str,
) -> dict[str, Any]:
    """A page of the audit trail: at most ``limit`` entries after log position ``after``."""
    stream = tracker.stream_trail(
        known_at=asked.known_at, position=asked.position, audience=audience
    )
    page: list[views.TrailEntry] = []
    more = False
    for entry in stream:
        if entry.position <= after:
            continue
        if len(page) == limit:
            more = True
            break
        page.append(entry)
    trail = views.Trail(basis=stream.basis, entries=tuple(page), disclosure=stream.disclosure)
    basis = stream.basis
    following = None
    if more:
        following = f"{base}?{basis_query(basis, after=page[-1].position, limit=limit)}"
    return {
        "basis": {"known_at": basis.known_at.astimezone(UTC), "position": basis.position},
        "disclosure": disclosure_of(trail),
        "checkpoint": checkpoint_of(tracker, basis.position),
        "self": f"{base}?{basis_query(basis, after=after, limit=limit)}",
        "next": following,
        "count": stream.count,
        "entries": trail_records(trail),
    }


def committee_answer(
    tracker: Tracker, asked: Asked, since: date, audience: views.Audience, base: str
) -> dict[str, Any]:
    update = tracker.committee_update(
        since=since,
        as_at=asked.as_at,
        known_at=asked.known_at,
        position=asked.position,
        audience=audience,
    )
    return {
        "basis": basis_of(update),
        "disclosure": disclosure_of(update),
        "checkpoint": checkpoint_of(tracker, update.basis.position),
        "self": f"{base}?{basis_query(update.basis, since=since.isoformat())}",
        "update": {
            key: value
            for key, value in _fields(update).items()
            if key not in ("basis", "disclosure")
        },
    }


def _fields(value: Any) -> dict[str, Any]:
    return {a.name: getattr(value, a.name) for a in attrs.fields(type(value))}


def item_entries(tracker: Tracker, reference: str) -> tuple[str, list[tuple[int, Any]]]:
    """The log positions and item id of every entry of the recommendation, report or
    inspection ``reference``."""
    tracker.tables.catch_up()
    reference = domain.normal_reference(reference)
    for make in (domain.recommendation_id, domain.report_id, domain.inspection_id):
        item = make(reference)
        logged = stores.item_log(tracker.tables, item)
        if logged:
            return reference, [(entry.position, item) for entry in logged]
    raise NotFound("nothing was recorded under this reference", reference=reference)
