"""HTML pages (Jinja2 + htmx): the published guidance, for reading and searching.

One URL serves the full page, or only the fragment htmx asked for (partials start with _).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session

from epss import i18n
from epss.auth import PUBLIC, identify
from epss.catalog import published_fields, published_titles, published_version
from epss.errors import NotFound
from epss.moments import moment_with_zone
from epss.numbers import MAX_INT
from epss.pages.field_help import (
    check_messages,
    describe_check,
    describe_checks,
    describe_fingerprint,
)
from epss.quality.table import shown_day
from epss.render import render_version
from epss.web.deps import ServicesDep, SessionDep

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE.parent / "static"
templates = Jinja2Templates(directory=_HERE / "templates")
templates.env.filters["safe_html"] = Markup  # only for HTML that render.py sanitised
templates.env.filters["dag"] = shown_day  # '2026-03-03' -> '03-03-2026'


def source_name(source: Mapping[str, Any]) -> str:
    """A source as a step cites it: its title and, when given, its article or section
    (three articles of one law are three sources, with one title)."""
    title, section = source.get("title") or source.get("id", ""), source.get("section")
    return f"{title}, {section}" if section else str(title)


templates.env.globals.update(
    source_name=source_name,
    describe_check=describe_check,
    describe_checks=describe_checks,
    describe_fingerprint=describe_fingerprint,
    check_messages=check_messages,
)

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

MAX_PAGE = 100_000  # the highest page number a paged list accepts

CRITICALITY_LABELS = {"critical": "Kritiek", "high": "Hoog", "normal": "Normaal"}


def render(
    request: Request, name: str, context: dict, status_code: int = 200, headers: dict | None = None
) -> HTMLResponse:
    """A page in the person's language (and remember a language chosen with ?lang=).
    Templates get `me` (who is logged in, or None) and `csrf_token()` for their forms."""
    language = i18n.language_of(request)
    translate = i18n.translator(language)
    response = templates.TemplateResponse(
        request,
        name,
        {
            **context,
            "_": translate,
            "lang": language,
            "me": identify(request),
            "csrf_token": request.scope.get("csrftoken", lambda: ""),
            "criticality_label": lambda value: translate(CRITICALITY_LABELS.get(value, value)),
            "moment_with_zone": moment_with_zone,
            "in_language": lambda choice: (
                "?"
                + urlencode(
                    [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
                    + [("lang", choice)]
                )
            ),
        },
        status_code=status_code,
        headers=headers,
    )
    if request.query_params.get("lang") == language:
        response.set_cookie(i18n.COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def wants_fragment(request: Request) -> bool:
    """An htmx request for part of a page (a history restore needs the whole page)."""
    return bool(request.headers.get("hx-request")) and not request.headers.get(
        "hx-history-restore-request"
    )


def render_page(
    request: Request,
    full: str,
    fragment: str,
    context: dict,
    status_code: int = 200,
    headers: dict | None = None,
) -> HTMLResponse:
    """The full page, or for htmx only its fragment; a cache keeps the two apart."""
    name = fragment if wants_fragment(request) else full
    headers = {"Vary": "HX-Request", **(headers or {})}
    return render(request, name, context, status_code=status_code, headers=headers)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, services: ServicesDep) -> HTMLResponse:
    tasks = [
        {**task, "review_by": task["review_by"].strftime("%d-%m-%Y")}
        for task in published_fields(session, "title", "criticality", "owner")
    ]
    return render(request, "home.html", {"tasks": tasks, "demo": services.settings.demo})


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request, services: ServicesDep, q: str = Query(default="", max_length=200)
) -> HTMLResponse:
    results = services.search_index.search(q, limit=20) if q.strip() else []
    return render_page(request, "search.html", "_results.html", {"q": q, "results": results})


@router.get("/begrippen", response_class=HTMLResponse)
def glossary_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return render(request, "glossary.html", {"terms": services.glossary})


@router.get("/taken/{slug}", response_class=HTMLResponse)
def task_page(
    request: Request,
    slug: str,
    session: SessionDep,
    services: ServicesDep,
    versie: int | None = Query(default=None, ge=1, le=MAX_INT),
) -> HTMLResponse:
    latest = published_version(session, slug)
    shown = latest if versie is None else published_version(session, slug, versie)
    steps = shown.document["steps"]
    return render(
        request,
        "task.html",
        {
            "task": render_version(shown, latest.number, services.glossary),
            "sources": {s["id"]: s for s in shown.document.get("sources", [])},
            "step_names": {s["id"]: (n, s["title"]) for n, s in enumerate(steps, start=1)},
            "task_titles": _linked_titles(session, steps),
        },
    )


def _linked_titles(session: Session, steps: list[dict]) -> dict[str, str]:
    """The titles of the tasks the steps' branches lead to, by slug (as published now)."""
    linked = {b["task"] for s in steps for b in s.get("branches", []) if b.get("task")}
    # One query; a link to a task that was never published is shown as it is.
    return published_titles(session, linked)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    # No file name holds a NUL, and resolve() raises on one.
    target = (STATIC_DIR / path).resolve() if "\x00" not in path else STATIC_DIR
    if not target.is_file() or STATIC_DIR not in target.parents:
        raise NotFound("Er is geen bestand '{path}'.", params={"path": path[:200]})
    return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})
