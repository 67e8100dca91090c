"""CSRF protection (asgi-csrf's signed double-submit cookie). Every unsafe request that
comes with cookies must carry the token: forms as the field `csrftoken`, htmx and scripts
as the header `x-csrftoken`. Exempt: requests with an API token, and the public API routes
(the overlay's calls), which act on no one's login. Public pages such as the login form
are protected too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from asgi_csrf import asgi_csrf
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from epss.auth.policy import RouteEntry, route_table

MESSAGE = (
    "Dit formulier is verlopen of niet compleet (de beveiligingscode ontbreekt of "
    "klopt niet). Laad de pagina opnieuw en probeer het nog eens."
)
# A multipart form without the header token is read into memory to find its token field:
# at most this much of it (hundreds of task files), so nobody fills the memory with one post.
MAX_FORM_BYTES = 32 * 1024 * 1024
TOO_LARGE = "Dit formulier is te groot: hooguit 32 MB. Stuur minder of kleinere bestanden."
Refuse = Callable[[Scope, Send], Awaitable[None]]


def public_api_matcher(routes: Callable[[], list[BaseRoute]]) -> Callable[[Scope], bool]:
    """Whether a request goes to a public API route (the route table is read on first use)."""
    table: list[RouteEntry] = []

    def is_public_api(scope: Scope) -> bool:
        if not scope["path"].startswith("/api/"):
            return False
        if not table:
            table.extend(route_table(routes()))
        entry = next((e for e in table if e.matches(scope["method"], scope["path"])), None)
        return bool(entry and entry.policy and entry.policy.public)

    return is_public_api


class CSRFProtection:
    """asgi-csrf, except for multipart forms (a plain file upload): asgi-csrf's own
    multipart parsing fails with current python-multipart releases, so their token is read
    here with the app's form parser and shown to asgi-csrf as a one-field form; the app
    then gets the request as it came."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: str,
        secure: bool,
        exempt: Callable[[Scope], bool],
        refuse: Refuse,
        refuse_too_large: Refuse,
    ):
        """`refuse(scope, send)` answers a request without a valid token,
        `refuse_too_large` a multipart form of more than MAX_FORM_BYTES."""
        self.refuse_too_large = refuse_too_large

        async def refused(scope: Scope, send: Send, _reason: object) -> None:
            await refuse(scope, send)

        self.app = asgi_csrf(
            _AsItCame(app),
            signing_secret=secret,
            cookie_secure=secure,
            skip_if_scope=exempt,
            send_csrf_failed=refused,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _multipart_without_header(scope):
            body = await _body(scope, receive)
            if body is None:
                await self.refuse_too_large(scope, send)
                return
            token = await _form_token(scope, body) or ""
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {
                **scope,
                _AS_IT_CAME: (scope["headers"], body),
                "headers": [*headers, (b"content-type", _URLENCODED)],
            }
            receive = _replay(urlencode({_FIELD: token}).encode())
        await self.app(scope, receive, send)


class _AsItCame:
    """Gives the app a request whose token was checked as a one-field form as it came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        came = scope.get(_AS_IT_CAME)
        if came is not None:
            headers, body = came
            scope = {k: v for k, v in scope.items() if k != _AS_IT_CAME} | {"headers": headers}
            receive = _replay(body)
        await self.app(scope, receive, send)


_AS_IT_CAME = "epss.csrf.as_it_came"
_HEADER = b"x-csrftoken"
_FIELD = "csrftoken"
_URLENCODED = b"application/x-www-form-urlencoded"


def _multipart_without_header(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return (
        scope["method"] not in ("GET", "HEAD", "OPTIONS")
        and headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        and _HEADER not in headers
    )


async def _body(scope: Scope, receive: Receive) -> bytes | None:
    """The whole body, or None as soon as it is longer than MAX_FORM_BYTES."""
    declared = dict(scope["headers"]).get(b"content-length", b"0")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _form_token(scope: Scope, body: bytes) -> str | None:
    """The form's token field, or None when there is none or the body is no valid form
    (asgi-csrf then refuses the request as it refuses any without a token)."""
    request = Request(scope, _replay(body))
    try:
        async with request.form() as form:
            token = form.get(_FIELD)
            return token if isinstance(token, str) else None
    except Exception:  # a malformed body: no token
        return None
