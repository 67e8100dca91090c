"""Host applications (/beheer/apps): the case software the overlay runs in. The list with
origins, the tasks whose rules point at each and the overlay's last call; adding one;
one app's page (/beheer/apps/{app_id}) to change it (name, origins, zaaktype codes, finish
buttons) or remove it, with the embed material to copy (script tag, bookmarklet, CSP lines,
the browser policy of the extension).

Origins changed here reach CORS and the manifests of every instance within the
resolver's check interval (a second): no restart.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from epss.admin.hostapps import add_app, change_app, get_app, overview, remove_app
from epss.db import attempt
from epss.errors import EpssError
from epss.hostapps import parse_finish_buttons, parse_zaaktype_map
from epss.moments import moment
from epss.overlay import snippets
from epss.overlay.bundle import shipped_bundle
from epss.pages import render, wants_fragment
from epss.pages.admin_log import Admin, acting, log_helpers, log_of, said
from epss.pages.editor import page
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
PATH = "/beheer/apps"
Text = Annotated[str, Form(max_length=20_000)]
DONE = {
    "toegevoegd": (
        "De hostapplicatie is toegevoegd. Kopieer hieronder de scripttag of de bladwijzer."
    ),
    "gewijzigd": (
        "De wijzigingen zijn opgeslagen. Nieuwe herkomsten werken binnen een paar "
        "seconden, in elke instantie."
    ),
    "verwijderd": "De hostapplicatie is verwijderd.",
}
# Which field a refusal is about, by the start of its Dutch text.
_FIELDS = (
    ("Id", "id"),
    ("Er is al", "id"),
    ("Naam", "naam"),
    ("'", "herkomsten"),
    ("Hooguit {count} herkomsten", "herkomsten"),
    ("Zaaktypen", "zaaktypen"),
    ("Hooguit {count} zaaktypecodes", "zaaktypen"),
    ("Afrondknoppen", "afrondknoppen"),
)


def _field(exc: EpssError) -> str:
    return next((field for start, field in _FIELDS if exc.template.startswith(start)), "")


def _map_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{code} = {zaaktype}" for code, zaaktype in mapping.items())


def _apps_context(request: Request, session: Session, **more) -> dict:
    return {
        "section": "apps",
        "apps": overview(session),
        "moment": moment,
        "new": {"id": "", "naam": "", "herkomsten": "", "zaaktypen": "", "afrondknoppen": ""},
        "error": None,
        "notice": DONE.get(request.query_params.get("klaar", "")),
        **more,
    }


@router.get(PATH, response_class=HTMLResponse)
def apps_page(request: Request, who: Admin, session: SessionDep) -> HTMLResponse:
    return page(
        request, "admin_apps.html", "_admin_apps_list.html", _apps_context(request, session)
    )


@router.post(PATH, response_class=HTMLResponse)
def add_app_form(
    request: Request,
    who: Admin,
    session: SessionDep,
    ident: Annotated[str, Form(alias="id", max_length=100)] = "",
    naam: Annotated[str, Form(max_length=300)] = "",
    herkomsten: Text = "",
    zaaktypen: Text = "",
    afrondknoppen: Text = "",
) -> Response:
    app_id = ident.strip()
    try:
        with attempt(session):
            add_app(
                session,
                acting(who),
                app_id,
                naam,
                [herkomsten],
                parse_zaaktype_map(zaaktypen),
                parse_finish_buttons(afrondknoppen),
            )
    except EpssError as exc:
        typed = {
            "id": ident,
            "naam": naam,
            "herkomsten": herkomsten,
            "zaaktypen": zaaktypen,
            "afrondknoppen": afrondknoppen,
        }
        context = _apps_context(
            request,
            session,
            new=typed,
            error={"text": said(request, exc), "field": _field(exc) or "id"},
        )
        return render(request, "admin_apps.html", context, status_code=exc.status)
    return RedirectResponse(f"{PATH}/{quote(app_id)}?klaar=toegevoegd#app-klaar", status_code=303)


def embed_material(request: Request, app_id: str, origins: list[str]) -> dict:
    """What a host page, its supplier or IT copies to get the overlay in."""
    service = str(request.base_url)  # ends in '/', includes a root path behind a proxy
    version = shipped_bundle().version
    return {
        "service": service,
        "version": version,
        "tag_versioned": snippets.script_tag(service, app_id, version),
        "tag": snippets.script_tag(service, app_id),
        "bookmarklet": snippets.bookmarklet(service, app_id),
        "csp": "\n".join(snippets.csp_lines(service)),
        "policy": snippets.managed_policy(service, app_id, origins),
    }


def app_page_response(
    request: Request,
    session: Session,
    app_id: str,
    *,
    notice: str | None = None,
    error: dict | None = None,
    typed: dict | None = None,
    confirm: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    """The app's page, or for htmx only its part (`#app`)."""
    get_app(session, app_id)  # NotFound when there is none
    app = overview(session, app_id)[0]
    entries, total = log_of(session, app_id)
    context = {
        "section": "apps",
        "app": app,
        "embed": embed_material(request, app.id, app.origins),
        "notice": DONE.get(notice or ""),
        "error": error,
        "confirm": confirm,
        "typed": typed
        or {
            "naam": app.name,
            "herkomsten": "\n".join(app.origins),
            "zaaktypen": _map_text(app.zaaktype_map),
            "afrondknoppen": "\n".join(app.finish_buttons),
        },
        "log": entries,
        "log_total": total,
        **log_helpers(request),
    }
    # editor.js swaps a refusal (4xx) that carries X-Editor-Fragment: the form shows it.
    return page(
        request,
        "admin_app.html",
        "_admin_app.html",
        context,
        status_code=status_code,
        headers={"X-Editor-Fragment": "1"},
        announce=error["text"] if error else context["notice"],
    )


@router.get(PATH + "/{app_id}", response_class=HTMLResponse)
def app_page(
    request: Request,
    app_id: str,
    who: Admin,
    session: SessionDep,
    klaar: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return app_page_response(request, session, app_id, notice=klaar)


@router.post(PATH + "/{app_id}", response_class=HTMLResponse)
def change_app_form(
    request: Request,
    app_id: str,
    who: Admin,
    session: SessionDep,
    naam: Annotated[str, Form(max_length=300)],
    herkomsten: Text,
    zaaktypen: Text = "",
    afrondknoppen: Text = "",
) -> Response:
    """Name, origins, zaaktype codes and finish buttons in one save (one log entry with
    what changed)."""
    try:
        with attempt(session):
            change_app(
                session,
                acting(who),
                app_id,
                name=naam,
                origins=[herkomsten],
                zaaktype_map=parse_zaaktype_map(zaaktypen),
                finish_buttons=parse_finish_buttons(afrondknoppen),
            )
    except EpssError as exc:
        typed = {
            "naam": naam,
            "herkomsten": herkomsten,
            "zaaktypen": zaaktypen,
            "afrondknoppen": afrondknoppen,
        }
        error = {"form": "wijzigen", "field": _field(exc) or "naam", "text": said(request, exc)}
        return app_page_response(
            request, session, app_id, error=error, typed=typed, status_code=exc.status
        )
    if wants_fragment(request):
        return app_page_response(request, session, app_id, notice="gewijzigd")
    return RedirectResponse(f"{PATH}/{quote(app_id)}?klaar=gewijzigd#app-klaar", status_code=303)


@router.get(PATH + "/{app_id}/verwijderen", response_class=HTMLResponse)
def confirm_remove(request: Request, app_id: str, who: Admin, session: SessionDep) -> HTMLResponse:
    """The confirmation step before removing (a page, or a part of it with htmx)."""
    return app_page_response(request, session, app_id, confirm=True)


@router.post(PATH + "/{app_id}/verwijderen", response_class=HTMLResponse)
def remove_app_form(request: Request, app_id: str, who: Admin, session: SessionDep) -> Response:
    """Only when no rule points at the app; otherwise the page says which tasks do."""
    try:
        with attempt(session):
            remove_app(session, acting(who), app_id)
    except EpssError as exc:
        error = {"form": "verwijderen", "field": "", "text": said(request, exc)}
        return app_page_response(request, session, app_id, error=error, status_code=exc.status)
    target = f"{PATH}?klaar=verwijderd"
    if wants_fragment(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
