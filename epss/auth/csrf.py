"""CSRF protection (asgi-csrf's signed double-submit cookie). Every unsafe request that
comes with cookies must carry the token: forms as the field `csrftoken`, htmx and scripts
as the header `x-csrftoken`. Exempt: requests with an API token, and the public API routes
(the overlay's calls), which act on no one's login. Public pages such as the login form
are protected too."""

from __future__ import annotations

import json
from collections.abc import Callable

from asgi_csrf import asgi_csrf
from starlette.types import ASGIApp, Receive, Scope, Send

from epss.auth.policy import RouteEntry, route_table

_MESSAGE = ("this form or request has no valid CSRF token (the page may be outdated): "
            "reload the page and try again")


async def _refuse(scope: Scope, send: Send, _reason) -> None:
    body = json.dumps({"error": "csrf", "detail": _MESSAGE}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def public_api_matcher(routes: Callable[[], list]) -> Callable[[Scope], bool]:
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
    def __init__(self, app: ASGIApp, *, secret: str, secure: bool,
                 exempt: Callable[[Scope], bool]):
        self.app = asgi_csrf(app, signing_secret=secret, cookie_secure=secure,
                             skip_if_scope=exempt, send_csrf_failed=_refuse)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
