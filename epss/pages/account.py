"""Logging in and out of the pages (the editor, the inbox, the quality pages)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from epss import i18n
from epss.auth import PUBLIC
from epss.auth.accounts import SESSION_LIFETIME, log_in, log_out
from epss.auth.policy import SESSION_COOKIE
from epss.auth.sso import (
    LOCAL_LOGIN_OFF,
    LOGOUT_COOKIE,
    LOGOUT_COOKIE_PATH,
    OpenIdProvider,
    local_login_allowed,
    login_choices,
    organisation,
)
from epss.db import unit_of_work
from epss.moments import clock_time
from epss.pages import render
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
LOGIN_PATH = "/inloggen"


WAIT = (
    "Te veel mislukte pogingen met deze naam vanaf deze computer. Probeer het opnieuw om "
    "{time} (over {seconds} seconden)."
)


def wait_params(until: dt.datetime, now: dt.datetime) -> dict:
    """The moment and the seconds of WAIT."""
    return {"time": clock_time(until), "seconds": max(1, math.ceil((until - now).total_seconds()))}


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send someone elsewhere after logging in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(
    request: Request,
    services: ServicesDep,
    volgende: str = Query(default="/"),
    hersteld: str = Query(default="", max_length=1),
) -> HTMLResponse:
    """The login form, and the button to log in through the organisation (single sign-on)
    when that is configured; after a reset link, the word that the password is set."""
    notice = (
        "Uw wachtwoord is ingesteld. Log in met uw nieuwe wachtwoord." if hersteld == "1" else None
    )
    return render(
        request,
        "login.html",
        {
            "next": safe_next(volgende),
            "error": None,
            "notice": notice,
            **login_choices(services.settings),
        },
    )


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def login(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    naam: Annotated[str, Form(max_length=80)],
    wachtwoord: Annotated[str, Form(max_length=200)],
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    settings = services.settings
    translate = i18n.translator_for(request)

    def refused(error: str, status: int, headers: dict | None = None) -> HTMLResponse:
        return render(
            request,
            "login.html",
            {"next": safe_next(volgende), "name": naam, "error": error, **login_choices(settings)},
            status_code=status,
            headers=headers,
        )

    if not local_login_allowed(settings):
        return refused(
            translate(LOCAL_LOGIN_OFF).format(org=translate(organisation(settings))), 403
        )
    address = request.client.host if request.client else "unknown"
    throttle = services.login_throttle
    now = throttle.clock()
    wait_until = throttle.hold(session, naam, address, now)
    secret = None if wait_until else log_in(session, naam, wachtwoord)
    if secret:
        throttle.succeeded(session, naam, address, now)
    elif not wait_until:
        wait_until = throttle.failed(session, naam, address, now)
        if wait_until is None:
            return refused(translate("De naam of het wachtwoord klopt niet."), 401)
    if wait_until:
        params = wait_params(wait_until, now)
        return refused(
            translate(WAIT).format(**params), 429, {"Retry-After": str(params["seconds"])}
        )
    response = RedirectResponse(safe_next(volgende), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=services.settings.secure_cookies or request.url.scheme == "https",
    )
    return response


@router.post("/uitloggen")
async def logout(request: Request, services: ServicesDep) -> Response:
    """End the login session; after a single sign-on login, also the one at the provider,
    whose logout page then sends the person back to the home page."""
    secret = request.cookies.get(SESSION_COOKIE)
    provider: OpenIdProvider | None = getattr(request.app.state, "sso", None)
    target = None
    if secret:

        def end_session() -> None:
            with unit_of_work(services.engine) as session:
                log_out(session, secret)

        await run_in_threadpool(end_session)
        if provider:
            target = await provider.logout_url(
                request.cookies.get(LOGOUT_COOKIE), secret, str(request.url_for("home"))
            )
    response = RedirectResponse(target or "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    if provider:
        response.delete_cookie(LOGOUT_COOKIE, path=LOGOUT_COOKIE_PATH)
    return response
