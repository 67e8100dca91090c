"""One error handler for the whole app: JSON `{"error": code, "detail": text}` for the
API, an HTML page for people using the pages."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from epss import i18n
from epss.errors import EpssError
from epss.pages import render
from epss.pages.account import LOGIN_PATH

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
               403: "forbidden"}
_PAGES = {
    404: ("Niet gevonden", "Deze taak of pagina bestaat niet (meer). Kies een taak uit de lijst."),
    403: ("Geen toegang", "Uw rol geeft geen toegang tot deze pagina of handeling."),
    409: ("Kan nu niet", "Dit kan in de huidige stand van de taak niet."),
    412: ("Intussen gewijzigd", "Iemand anders heeft dit intussen gewijzigd. Laad de pagina "
          "opnieuw en breng uw wijziging opnieuw aan."),
    422: ("Ongeldige invoer", "Het verzoek klopt niet. Controleer wat u invulde."),
    503: ("Tijdelijk niet beschikbaar", "De dienst is even niet bereikbaar. Probeer het zo weer."),
}


def _answer(request: Request, status: int, body: dict, headers: dict | None = None) -> Response:
    wants_html = (not request.url.path.startswith("/api/")
                  and "text/html" in request.headers.get("accept", ""))
    if status == 401 and not request.url.path.startswith("/api/") and (
            wants_html or request.headers.get("hx-request")):
        return _to_login(request)
    if wants_html:
        title, explanation = _PAGES.get(status, ("Er ging iets mis", "Probeer het opnieuw."))
        return render(request, "error.html",
                      {"title": title, "explanation": explanation, "detail": body["detail"]},
                      status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


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


def _message(err: dict) -> str:
    if err["type"] == "value_error" and "ctx" in err:
        return str(err["ctx"]["error"])
    return err["msg"]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EpssError)
    async def domain_error(request: Request, exc: EpssError) -> Response:
        detail = exc.detail
        if not request.url.path.startswith("/api/"):  # a page: in the person's language
            detail = exc.in_language(i18n.translator(i18n.language_of(request)))
        return _answer(request, exc.status,
                       {"error": exc.code, "detail": detail, **exc.extra}, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"field": _where(tuple(err["loc"])), "message": _message(err)}
                    for err in exc.errors()]
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return _answer(request, 422,
                       {"error": "invalid_request", "detail": detail, "problems": problems})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        body = {"error": _HTTP_CODES.get(exc.status_code, "error"), "detail": str(exc.detail)}
        return _answer(request, exc.status_code, body, exc.headers)
