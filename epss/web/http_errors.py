"""One error handler for the whole app: JSON `{"error": code, "detail": text}` for the
API, an HTML page for people using the pages."""

from __future__ import annotations

import json
from http import HTTPStatus
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import Scope, Send

from epss import i18n
from epss.auth import csrf
from epss.auth.policy import route_table
from epss.errors import EpssError
from epss.pages import render
from epss.pages.account import LOGIN_PATH
from epss.plain_errors import explain

_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
}
_PAGES = {
    404: ("Niet gevonden", "Deze taak of pagina bestaat niet (meer). Kies een taak uit de lijst."),
    403: ("Geen toegang", "Uw rol geeft geen toegang tot deze pagina of handeling."),
    409: ("Kan nu niet", "Dit kan in de huidige stand van de taak niet."),
    412: (
        "Intussen gewijzigd",
        "Iemand anders heeft dit intussen gewijzigd. Laad de pagina "
        "opnieuw en breng uw wijziging opnieuw aan.",
    ),
    422: ("Ongeldige invoer", "Het verzoek klopt niet. Controleer wat u invulde."),
    503: ("Tijdelijk niet beschikbaar", "De dienst is even niet bereikbaar. Probeer het zo weer."),
}


def _answer(
    request: Request,
    status: int,
    body: dict,
    headers: dict | None = None,
    page: tuple[str, str] | None = None,
) -> Response:
    """The error as JSON, or for a person on the pages as a page (`page`: its title and
    explanation, when not the usual ones of the status)."""
    wants_html = not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )
    if (
        status == 401
        and not request.url.path.startswith("/api/")
        and (wants_html or request.headers.get("hx-request"))
    ):
        return _to_login(request)
    if request.headers.get("hx-request"):
        # The contract with the pages' script (editor.js): a refusal that is no fragment of
        # the page says so in HX-Trigger, and the script shows it; nothing is swapped.
        refused = json.dumps({"epss-refused": str(body["detail"])}, ensure_ascii=True)
        headers = {**(headers or {}), "HX-Trigger": refused}
    if wants_html:
        title, explanation = page or _PAGES.get(
            status, ("Er ging iets mis", "Probeer het opnieuw.")
        )
        return render(
            request,
            "error.html",
            {"title": title, "explanation": explanation, "detail": body["detail"]},
            status_code=status,
            headers=headers,
        )
    return JSONResponse(body, status_code=status, headers=headers)


async def refuse_without_csrf_token(scope: Scope, send: Send) -> None:
    """A form or call without a valid CSRF token: a page that says to reload the form for
    a person on the pages, JSON for scripts and htmx."""
    await _refuse_form(scope, send, 403, "csrf", ("Formulier verlopen", csrf.MESSAGE))


async def refuse_too_large_form(scope: Scope, send: Send) -> None:
    """A multipart form too large to read for its CSRF token."""
    await _refuse_form(scope, send, 413, "too_large", ("Te groot", csrf.TOO_LARGE))


async def _refuse_form(
    scope: Scope, send: Send, status: int, error: str, page: tuple[str, str]
) -> None:
    """Answers a form the CSRF middleware refused, before the app saw it."""
    request = Request(scope)
    detail = _translate(request)(page[1])
    response = _answer(request, status, {"error": error, "detail": detail}, page=page)

    async def nothing_to_read() -> dict:  # the body was read already, or is refused unread
        return {"type": "http.disconnect"}

    await response(scope, nothing_to_read, send)


def _to_login(request: Request) -> Response:
    """A page that needs a login sends the person to the login form, and back afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"{LOGIN_PATH}?{urlencode({'volgende': here})}"
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _where(loc: tuple) -> str:
    """('body', 'events', 3, 'details', 'query') -> 'events[3].details.query'."""
    if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
        loc = loc[1:]
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EpssError)
    async def domain_error(request: Request, exc: EpssError) -> Response:
        detail = exc.detail
        if not request.url.path.startswith("/api/"):  # a page: in the person's language
            detail = exc.in_language(i18n.translator_for(request))
        return _answer(
            request, exc.status, {"error": exc.code, "detail": detail, **exc.extra}, exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        translate = _translate(request)
        problems = [
            {
                "field": "body" if err["type"] == "json_invalid" else _where(err["loc"]),
                "message": explain(err).in_language(translate),
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return _answer(
            request, 422, {"error": "invalid_request", "detail": detail, "problems": problems}
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail)
        if detail in _FRAMEWORK_WORDS:
            detail = _translate(request)(_FRAMEWORK_WORDS[detail])
        elif detail == HTTPStatus(exc.status_code).phrase:  # Starlette's English default
            detail = _translate(request)(
                _DEFAULT_DETAILS.get(exc.status_code, "Dit verzoek kan niet worden uitgevoerd.")
            )
        body = {"error": _HTTP_CODES.get(exc.status_code, "error"), "detail": detail}
        headers = exc.headers
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers = {**(headers or {}), "Allow": allowed}
        return _answer(request, exc.status_code, body, headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this path (Starlette names only the first
    route's), and HEAD wherever GET (epss.web.head_requests)."""
    path = request.url.path
    methods = {
        m
        for entry in route_table(request.app.routes)
        if entry.pattern.match(path)
        for m in entry.methods
    }
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


_DEFAULT_DETAILS = {
    404: "Op dit adres staat niets.",
    405: "Deze handeling kan op dit adres niet.",
    401: "Log eerst in.",
    403: "Dit mag u niet.",
}


# What FastAPI itself says, in English, and what we say instead.
_FRAMEWORK_WORDS = {
    "There was an error parsing the body": (
        "De inhoud van het verzoek is niet te lezen: stuur JSON, in UTF-8."
    ),
}


def _translate(request: Request):
    """The API answers in Dutch; a page in the person's language."""
    if request.url.path.startswith("/api/"):
        return i18n.translator(i18n.DEFAULT)
    return i18n.translator_for(request)
