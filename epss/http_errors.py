"""One error handler for the whole app: JSON `{"error": code, "detail": text}` for the
API, an HTML page for people using the pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from epss.errors import EpssError
from epss.pages import render

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
               403: "forbidden"}
_PAGES = {
    404: ("Niet gevonden", "Deze taak of pagina bestaat niet (meer). Kies een taak uit de lijst."),
    422: ("Ongeldige invoer", "Het verzoek klopt niet. Controleer wat u invulde."),
    503: ("Tijdelijk niet beschikbaar", "De dienst is even niet bereikbaar. Probeer het zo weer."),
}


def _answer(request: Request, status: int, body: dict, headers: dict | None = None) -> Response:
    wants_html = (not request.url.path.startswith("/api/")
                  and "text/html" in request.headers.get("accept", ""))
    if wants_html:
        title, explanation = _PAGES.get(status, ("Er ging iets mis", "Probeer het opnieuw."))
        return render(request, "error.html",
                      {"title": title, "explanation": explanation, "detail": body["detail"]},
                      status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


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
        return _answer(request, exc.status, {"error": exc.code, "detail": exc.detail})

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
