"""/overlay/bookmarklet: how to get the overlay into a host application, per registered
host app: the bookmarklet to drag, the script tag to embed, the CSP lines the host needs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from epss.auth import PUBLIC
from epss.hostapps import STANDALONE_PANEL_APP
from epss.models import HostApp
from epss.overlay import snippets
from epss.overlay.bundle import shipped_bundle
from epss.pages import render
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get("/overlay/bookmarklet", response_class=HTMLResponse)
def bookmarklet_page(request: Request, session: SessionDep) -> HTMLResponse:
    service = str(request.base_url)  # ends in '/', includes a root path behind a proxy
    version = shipped_bundle().version
    apps = [
        {
            "id": app.id,
            "name": app.name,
            "origins": app.allowed_origins,
            "bookmarklet": snippets.bookmarklet(service, app.id),
            "tag_versioned": snippets.script_tag(service, app.id, version),
            "tag": snippets.script_tag(service, app.id),
        }
        for app in session.exec(select(HostApp).order_by(HostApp.name, HostApp.id)).all()
        if app.id != STANDALONE_PANEL_APP  # it runs on this service's own page, /paneel
    ]
    return render(
        request,
        "bookmarklet.html",
        {
            "apps": apps,
            "service": service,
            "csp_lines": snippets.csp_lines(service),
            "version": version,
        },
    )
