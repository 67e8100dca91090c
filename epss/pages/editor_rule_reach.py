"""Beside each context rule in the editor: which pages of its host app the rule's address
pattern takes in, of those the help panel was used on lately (epss.context.known_pages).
Asked again as the expert types, and at once when a screen was pointed at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from epss.context.known_pages import known_pages, reach
from epss.models import HostApp
from epss.pages import render
from epss.pages.editor import Editor, task_by_slug
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/redactie/taken/{slug}/regels/bereik", response_class=HTMLResponse)
def rule_reach(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Editor,
    app: Annotated[str, Query(alias="regel_app")] = "",
    pattern: Annotated[str, Query(alias="regel_url")] = "",
) -> HTMLResponse:
    task_by_slug(session, slug)  # an unknown task is a 404, as on the rest of its pages
    app, pattern = app.strip(), pattern.strip()
    host_app = session.exec(select(HostApp).where(HostApp.id == app)).first() if app else None
    found = reach(pattern, known_pages(session, app)) if host_app and pattern else None
    context = {"app": app, "host_app": host_app, "pattern": pattern, "reach": found}
    return render(request, "_editor_rule_reach.html", context)
