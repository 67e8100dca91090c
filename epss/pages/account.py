"""Logging in and out of the pages (the editor, the inbox, the quality pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from epss.api.deps import ServicesDep
from epss.auth import PUBLIC
from epss.auth.accounts import SESSION_LIFETIME, log_in, log_out
from epss.auth.policy import SESSION_COOKIE
from epss.db import unit_of_work
from epss.pages import render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
LOGIN_PATH = "/inloggen"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send someone elsewhere after logging in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request, volgende: str = Query(default="/")) -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(volgende), "error": None})


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def login(
    request: Request, services: ServicesDep,
    naam: Annotated[str, Form(max_length=80)], wachtwoord: Annotated[str, Form(max_length=200)],
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else "unknown"
    limiter = services.login_limiter
    if not limiter.allows(naam, address):
        return render(request, "login.html", {
            "next": safe_next(volgende), "name": naam,
            "error": "Te veel pogingen. Probeer het over een minuut opnieuw."},
            status_code=429, headers={"Retry-After": "60"})
    with unit_of_work(services.engine) as session:
        secret = log_in(session, naam, wachtwoord)
    if secret is None:
        limiter.failed(naam, address)
        return render(request, "login.html", {
            "next": safe_next(volgende), "name": naam,
            "error": "De naam of het wachtwoord klopt niet."}, status_code=401)
    response = RedirectResponse(safe_next(volgende), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=services.settings.secure_cookies or request.url.scheme == "https")
    return response


@router.post("/uitloggen")
def logout(request: Request, services: ServicesDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with unit_of_work(services.engine) as session:
            log_out(session, secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
