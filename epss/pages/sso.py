"""Single sign-on pages: off to the organisation's provider (GET /inloggen/sso) and back
(GET /inloggen/sso/terug), where the person gets the same login cookie as with a password,
or a page that says clearly why not. `install` adds them to an app whose settings name a
provider."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from epss import i18n
from epss.auth import PUBLIC
from epss.auth.accounts import SESSION_LIFETIME, start_session
from epss.auth.policy import SESSION_COOKIE
from epss.auth.sso import (
    LOGOUT_COOKIE,
    LOGOUT_COOKIE_PATH,
    OpenIdProvider,
    Person,
    login_choices,
    person_from_claims,
    sign_in,
)
from epss.db import unit_of_work
from epss.errors import EpssError
from epss.pages import render
from epss.pages.account import LOGIN_PATH, safe_next
from epss.services import Services
from epss.settings import Settings
from epss.web.deps import ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
SSO_PATH = f"{LOGIN_PATH}/sso"
CALLBACK_PATH = f"{SSO_PATH}/terug"
STATE_COOKIE = "epss_sso"  # Authlib's state, nonce and PKCE verifier, and `volgende`
STATE_LIFETIME = 3600  # seconds to log in at the provider
_NEXT = "volgende"


def install(app: FastAPI, settings: Settings) -> None:
    """Single sign-on for `app` when the settings name a provider: the provider on
    `app.state.sso` (None without one), the two routes, the signed cookie that carries a
    login's state from one route to the other, and the provider's origin in the pages'
    form-action (so that the logout form may end at the provider's logout page)."""
    app.state.sso = OpenIdProvider(settings) if settings.sso_enabled else None
    if app.state.sso is None:
        return
    app.include_router(router)
    app.add_middleware(
        SessionMiddleware,
        secret_key=_derived_key(settings.secret_key),
        session_cookie=STATE_COOKIE,
        max_age=STATE_LIFETIME,
        path=SSO_PATH,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    issuer = urlsplit(settings.oidc_issuer)
    app.add_middleware(ProviderFormAction, origin=f"{issuer.scheme}://{issuer.netloc}")


@router.get(SSO_PATH)
async def start(request: Request, volgende: str = Query(default="/", max_length=2000)) -> Response:
    """Off to the provider to log in; back at CALLBACK_PATH, and then on to `volgende`."""
    provider: OpenIdProvider = request.app.state.sso
    try:
        response = await provider.redirect_to_login(request, str(request.url_for("sso_callback")))
    except EpssError as exc:
        return _refused(request, exc, safe_next(volgende))
    request.session[_NEXT] = safe_next(volgende)
    return response


@router.get(CALLBACK_PATH, name="sso_callback")
async def finish(request: Request, services: ServicesDep) -> Response:
    """Back from the provider: a login session for the verified person, or a page that
    says why not (and nothing changed)."""
    provider: OpenIdProvider = request.app.state.sso
    target = safe_next(request.session.pop(_NEXT, None))
    try:
        claims, id_token = await provider.verified_claims(request)
        person = person_from_claims(claims, services.settings)
        secret = await run_in_threadpool(_log_in, services, person, provider.organisation)
    except EpssError as exc:
        return _refused(request, exc, target)
    secure = services.settings.secure_cookies or request.url.scheme == "https"
    lifetime = int(SESSION_LIFETIME.total_seconds())
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=lifetime, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        LOGOUT_COOKIE,
        provider.logout_note(secret, id_token),
        max_age=lifetime,
        path=LOGOUT_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return response


def _log_in(services: Services, person: Person, organisation: str) -> str:
    with unit_of_work(services.engine) as session:
        return start_session(session, sign_in(session, person, organisation))


def _refused(request: Request, error: EpssError, target: str) -> Response:
    """The page that says, in the person's language, why logging in did not work. The
    technical reason goes to the log only (it may name internal addresses); the page gives
    the reference under which the administrator finds it."""
    reference = secrets.token_hex(4)
    log.warning(
        "single sign-on refused [%s]: %s (%s)",
        reference,
        error.detail,
        error.extra.get("technical", ""),
    )
    translate = i18n.translator_for(request)
    provider: OpenIdProvider = request.app.state.sso
    params = {**error.params, "org": translate(provider.organisation)}
    return render(
        request,
        "sso_error.html",
        {
            "message": translate(error.template).format(**params),
            "reference": reference,
            "next": target,
            **login_choices(request.app.state.services.settings),
        },
        status_code=error.status,
    )


def _derived_key(secret_key: str) -> str:
    """A key of its own for the state cookie, so no other signed value passes for one."""
    return hmac.new(secret_key.encode("utf-8"), b"epss-sso-state", hashlib.sha256).hexdigest()


class ProviderFormAction:
    """Adds the provider's origin to the form-action of the pages' Content-Security-Policy
    (set by epss.web.security.SecurityHeaders): the logout form redirects to the provider's
    logout page, and Chromium holds a form's redirects to form-action too."""

    def __init__(self, app: ASGIApp, origin: str) -> None:
        self.app = app
        self.directive = b"form-action 'self' " + origin.encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def widened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (
                        name,
                        value.replace(b"form-action 'self'", self.directive)
                        if name.lower() == b"content-security-policy"
                        else value,
                    )
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, widened)
