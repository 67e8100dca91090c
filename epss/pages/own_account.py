"""One's own account (/account): who am I, how do I log in, my e-mail address for EPSS's
notices, and changing my password (my other login sessions end, this one stays). And the
one-time reset link an admin passes on (/account/herstel/{secret}, public): set a password
once, then log in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from epss import i18n
from epss.admin.accounts import set_email
from epss.auth import PUBLIC, Identity, Role, allow
from epss.auth.accounts import (
    RESET_PATH,
    change_own_password,
    end_other_sessions,
    reset_link_user,
    use_reset_link,
)
from epss.auth.policy import SESSION_COOKIE
from epss.db import attempt
from epss.errors import EpssError, InvalidInput, TooManyRequests
from epss.models import User
from epss.pages import render
from epss.pages.account import LOGIN_PATH, WAIT, wait_params
from epss.pages.admin_log import LOGIN_LABELS, acting, login_kind, role_names, said
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
PATH = "/account"
Anyone = Annotated[Identity, allow(*Role)]
Password = Annotated[str, Form(max_length=200)]


def same_passwords(new: str, repeat: str) -> None:
    """The new password typed twice the same (a typo would lock the person out)."""
    if new != repeat:
        raise InvalidInput(
            "De twee wachtwoorden zijn niet gelijk. Typ het nieuwe wachtwoord twee keer hetzelfde."
        )


def _own_page(
    request: Request,
    user: User,
    *,
    done: str = "",
    error: dict | None = None,
    email: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page; `done` says what was just changed, `email` what was typed (refused)."""
    translate = i18n.translator_for(request)
    kind = login_kind(user.sso_subject is not None, user.password_hash is not None)
    return render(
        request,
        "own_account.html",
        {
            "user": user,
            "roles": role_names(user.roles, translate),
            "kind": kind,
            "login_label": translate(LOGIN_LABELS[kind]),
            "done": done,
            "error": error,
            "email": (user.email or "") if email is None else email,
        },
        status_code=status_code,
    )


@router.get(PATH, response_class=HTMLResponse)
def own_account(
    request: Request,
    who: Anyone,
    session: SessionDep,
    klaar: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return _own_page(request, session.get(User, who.user_id), done=klaar)


@router.post(PATH + "/e-mail", response_class=HTMLResponse)
def change_email(
    request: Request,
    who: Anyone,
    session: SessionDep,
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """One's own e-mail address for EPSS's notices (empty: none), in the admin log."""
    try:
        with attempt(session):
            set_email(session, acting(who), who.name, email)
    except EpssError as exc:
        return _own_page(
            request,
            session.get(User, who.user_id),
            error={"form": "e-mail", "field": "email", "text": said(request, exc)},
            email=email,
            status_code=exc.status,
        )
    return RedirectResponse(f"{PATH}?klaar=e-mail", status_code=303)


@router.post(PATH + "/wachtwoord", response_class=HTMLResponse)
def change_password(
    request: Request,
    who: Anyone,
    session: SessionDep,
    huidig: Password = "",
    nieuw: Password = "",
    herhaling: Password = "",
) -> Response:
    """A new password, proving the current one; the person's other sessions end. Wrong
    current passwords count as failed logins (someone at an unlocked desk cannot guess
    it without limit)."""
    throttle = request.app.state.services.login_throttle
    address = request.client.host if request.client else "unknown"
    now = throttle.clock()
    try:
        with attempt(session):
            wait_until = throttle.hold(session, who.name, address, now)
            if wait_until:
                raise TooManyRequests(WAIT, params=wait_params(wait_until, now))
            same_passwords(nieuw, herhaling)
            change_own_password(session, who.user_id, huidig, nieuw)
            end_other_sessions(session, who.user_id, request.cookies.get(SESSION_COOKIE))
    except EpssError as exc:
        wrong_current = "huidige wachtwoord klopt" in exc.template
        if wrong_current and (wait_until := throttle.failed(session, who.name, address, now)):
            exc = TooManyRequests(WAIT, params=wait_params(wait_until, now))
        field = (
            "huidig"
            if wrong_current or exc.template == WAIT
            else "herhaling"
            if exc.template.startswith("De twee")
            else "nieuw"
        )
        return _own_page(
            request,
            session.get(User, who.user_id),
            error={"form": "wachtwoord", "field": field, "text": said(request, exc)},
            status_code=exc.status,
        )
    return RedirectResponse(f"{PATH}?klaar=wachtwoord", status_code=303)


@router.get(RESET_PATH + "{secret}", response_class=HTMLResponse, dependencies=[PUBLIC])
def reset_page(request: Request, secret: str, session: SessionDep) -> HTMLResponse:
    """The form to set a password, when the link can still be used; else why not."""
    try:
        user = reset_link_user(session, secret)
    except EpssError as exc:
        return render(
            request,
            "password_reset.html",
            {"user": None, "refusal": said(request, exc), "error": None},
            status_code=exc.status,
        )
    return render(
        request,
        "password_reset.html",
        {"user": user, "secret": secret, "refusal": None, "error": None},
    )


@router.post(RESET_PATH + "{secret}", response_class=HTMLResponse, dependencies=[PUBLIC])
def reset_password(
    request: Request,
    secret: str,
    session: SessionDep,
    nieuw: Password = "",
    herhaling: Password = "",
) -> Response:
    """Set the password once; then to the login form."""
    try:
        user = reset_link_user(session, secret)
    except EpssError as exc:
        return render(
            request,
            "password_reset.html",
            {"user": None, "refusal": said(request, exc), "error": None},
            status_code=exc.status,
        )
    try:
        with attempt(session):
            same_passwords(nieuw, herhaling)
            use_reset_link(session, secret, nieuw)
    except EpssError as exc:
        field = "herhaling" if exc.template.startswith("De twee") else "nieuw"
        return render(
            request,
            "password_reset.html",
            {
                "user": user,
                "secret": secret,
                "refusal": None,
                "error": {"field": field, "text": said(request, exc)},
            },
            status_code=exc.status,
        )
    query = urlencode({"volgende": PATH, "hersteld": "1"})
    return RedirectResponse(f"{LOGIN_PATH}?{query}", status_code=303)
