"""The public register pages, rendered on the server with Jinja2 (no script, no build step).

Every page shows the public view, whoever asks: no sensitive item and no personal name
reaches a page. Each cites its basis (as at, as known at, up to a log position) and the
checkpoint of the log at that position, and links to itself on that basis. Every value is
escaped by the templates (autoescape is on for every template).
"""

from __future__ import annotations

import urllib.parse
from datetime import UTC, timedelta
from typing import Any

import attrs
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from recommendations import NotFound, Tracker, domain, exports, views

from . import _reads

__all__ = ["error_page", "page_routes"]

PUBLIC = views.Audience.PUBLIC

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("recommendations_web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _site(request: Request) -> Any:
    from ._app import site_of

    return site_of(request)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _href(request: Request, path: str, **query: Any) -> str:
    shown = {k: v for k, v in query.items() if v is not None and v is not False and v != ""}
    tail = f"?{urllib.parse.urlencode(shown)}" if shown else ""
    return f"{_root(request)}{path}{tail}"


def _quote(reference: str) -> str:
    return urllib.parse.quote(reference, safe="")


def _render(request: Request, template: str, code: int = 200, **values: Any) -> HTMLResponse:
    site = _site(request)
    root = _root(request)
    html = _ENV.get_template(template).render(
        site_title=site.title,
        root=root,
        href=lambda path, **query: _href(request, path, **query),
        quote=_quote,
        **values,
    )
    return HTMLResponse(html, code)


def error_page(request: Request, status: int, detail: str) -> Response:
    """The page of an error: what went wrong, in the words of the problem document."""
    return _render(request, "error.html", status, status=status, detail=detail, basis=None)


def _grade_labels(policy: domain.Policy) -> dict[str, str]:
    labels: dict[str, str] = {}
    for scale in policy.scales:
        for grade in scale.grades:
            labels.setdefault(grade.code, grade.label)
    return labels


def _public_reports(tracker: Tracker, basis: views.Basis) -> list[domain.Report]:
    """The reports the public may see, as known on ``basis``."""
    sensitive = tracker.sensitivity()
    return [
        report
        for report in tracker.reports(as_at=basis.as_at, known_at=basis.known_at)
        if not report.sensitive
        and not sensitive.report(report.reference, report.details.inspection)
    ]


def _cited(tracker: Tracker, view: Any) -> dict[str, Any]:
    """What every page cites: its basis in words, and the checkpoint at its position."""
    return {
        "basis": view.basis,
        "basis_sentence": exports.basis_sentence(view),
        "checkpoint": _reads.checkpoint_of(tracker, view.basis.position),
    }


def _cited_page(
    request: Request,
    template: str,
    found: dict[str, Any],
    path: str,
    query: dict[str, Any] | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page that cites its basis (``found`` from :func:`_cited`): the date it is as at, its
    permalink (``path`` pinned to the basis, with ``query``), the basis in words and the
    checkpoint, beside the page's own ``values``."""
    basis: views.Basis = found["basis"]
    return _render(
        request,
        template,
        as_at=basis.as_at.isoformat(),
        permalink=_href(request, path, **_pinned(basis), **(query or {})),
        basis=basis,
        basis_sentence=found["basis_sentence"],
        checkpoint=found["checkpoint"],
        **values,
    )


def _pinned(basis: views.Basis) -> dict[str, Any]:
    return {
        "as_at": basis.as_at.isoformat(),
        "known_at": basis.known_at.astimezone(UTC).isoformat(),
        "position": basis.position,
    }


def _asked(request: Request) -> _reads.Asked:
    return _reads.asked_from(request.query_params, _site(request).tracker.policy)


# --- the register --------------------------------------------------------------------------


async def register_page(request: Request) -> Response:
    site = _site(request)
    asked = _asked(request)

    def read() -> dict[str, Any]:
        tracker: Tracker = site.tracker
        view = _reads.register_view(tracker, asked, PUBLIC)
        return {
            "view": view,
            "reports": _public_reports(tracker, view.basis),
            **_cited(tracker, view),
        }

    found = await site.call(read)
    view: views.Register = found["view"]
    filters = _reads.plain_filters({k: v for k, v in asked.filters().items() if v is not None})
    labels = _grade_labels(site.tracker.policy)
    return _cited_page(
        request,
        "register.html",
        found,
        "/",
        filters,
        rows=view.rows,
        reports=found["reports"],
        grades=[(code, label) for code, label in labels.items()],
        labels=labels,
        statuses=[status.value for status in domain.Status],
        asked=asked,
        filters=filters,
        csv=_href(request, "/register.csv", **_pinned(view.basis), **filters),
        disclosure=view.disclosure.describe(),
    )


async def register_csv(request: Request) -> Response:
    site = _site(request)
    asked = _asked(request)

    def read() -> views.Register:
        view = _reads.register_view(site.tracker, asked, PUBLIC)
        labels = site.tracker.register_labels(as_at=view.basis.as_at, known_at=view.basis.known_at)
        return attrs.evolve(view, labels=labels)

    view = await site.call(read)
    body = exports.render_register(view, "csv")
    name = f"register-{view.basis.as_at.isoformat()}-{view.basis.position}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- one recommendation ----------------------------------------------------------------------


async def recommendation_page(request: Request) -> Response:
    site = _site(request)
    asked = _asked(request)
    reference = request.path_params["reference"]

    def read() -> dict[str, Any]:
        tracker: Tracker = site.tracker
        view = tracker.register_for(
            PUBLIC,
            as_at=asked.as_at,
            known_at=asked.known_at,
            position=asked.position,
            where=views.RegisterFilter(reference=domain.normal_reference(reference)),
        )
        basis = view.basis
        history = tracker.history(
            reference, known_at=basis.known_at, position=basis.position, audience=PUBLIC
        )
        return {"view": view, "history": history, **_cited(tracker, view)}

    found = await site.call(read)
    view: views.Register = found["view"]
    history: views.Trail = found["history"]
    columns = [c for c in exports.summary_columns(history) if c.key not in ("reference",)]
    records = exports.trail_records(history)
    entries = [[exports.cell_text(record, c.key) for c in columns] for record in records]
    row = view.rows[0] if view.rows else None
    shown = row.reference if row is not None else domain.normal_reference(reference)
    return _cited_page(
        request,
        "recommendation.html",
        found,
        f"/recommendations/{_quote(shown)}",
        reference=shown,
        row=row,
        labels=_grade_labels(site.tracker.policy),
        columns=[c.title for c in columns],
        entries=entries,
        disclosure=history.disclosure.describe(),
    )


# --- one report ---------------------------------------------------------------------------------


async def report_page(request: Request) -> Response:
    site = _site(request)
    asked = _asked(request)
    reference = domain.normal_reference(request.path_params["reference"])

    def read() -> dict[str, Any]:
        tracker: Tracker = site.tracker
        view = tracker.register_for(
            PUBLIC,
            as_at=asked.as_at,
            known_at=asked.known_at,
            position=asked.position,
            where=views.RegisterFilter(report=reference),
        )
        shown = [r for r in _public_reports(tracker, view.basis) if r.reference == reference]
        if not shown:
            raise NotFound(
                "no report the public may see has this reference",
                reference=reference,
                subject="report",
            )
        policy = tracker.reading_policy(view.basis.as_at, view.basis.known_at)
        return {"view": view, "report": shown[0], "policy": policy, **_cited(tracker, view)}

    found = await site.call(read)
    view: views.Register = found["view"]
    return _cited_page(
        request,
        "report.html",
        found,
        f"/reports/{_quote(reference)}",
        report=found["report"],
        policy=found["policy"],
        rows=view.rows,
        labels=_grade_labels(site.tracker.policy),
        disclosure=view.disclosure.describe(),
    )


async def reports_page(request: Request) -> Response:
    site = _site(request)
    asked = _asked(request)

    def read() -> dict[str, Any]:
        tracker: Tracker = site.tracker
        view = _reads.register_view(tracker, asked, PUBLIC)
        counts: dict[str, int] = {}
        for row in view.rows:
            counts[row.report] = counts.get(row.report, 0) + 1
        return {
            "view": view,
            "reports": _public_reports(tracker, view.basis),
            "counts": counts,
            "policy": tracker.reading_policy(view.basis.as_at, view.basis.known_at),
            **_cited(tracker, view),
        }

    found = await site.call(read)
    return _cited_page(
        request,
        "reports.html",
        found,
        "/reports/",
        reports=found["reports"],
        policy=found["policy"],
        counts=found["counts"],
    )


# --- the committee paper ------------------------------------------------------------------------


async def committee_page(request: Request) -> Response:
    from recommendations.paper import CommitteePaper

    site = _site(request)
    asked = _asked(request)
    since = _reads.parse_date(request.query_params, "since")

    def read() -> str:
        tracker: Tracker = site.tracker
        basis = tracker.basis(as_at=asked.as_at, known_at=asked.known_at, position=asked.position)
        paper = CommitteePaper.of(
            tracker,
            since=since if since is not None else basis.as_at - timedelta(days=91),
            as_at=basis.as_at,
            known_at=basis.known_at,
            position=basis.position,
            audience=PUBLIC,
        )
        return paper.html()

    return HTMLResponse(await site.call(read))


def page_routes() -> list[BaseRoute]:
    return [
        Route("/", register_page, name="register_page"),
        Route("/register.csv", register_csv, name="register_csv"),
        Route("/recommendations/{reference:path}", recommendation_page, name="recommendation"),
        Route("/reports/", reports_page, name="reports"),
        Route("/reports/{reference:path}", report_page, name="report"),
        Route("/committee", committee_page, name="committee"),
    ]
