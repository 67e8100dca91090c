"""Which task belongs to a screen: server-side resolution and the manifest for the overlay."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from epss.api.schemas import ResolveOut
from epss.auth import PUBLIC
from epss.context import PageContext
from epss.web.deps import ServicesDep

router = APIRouter(tags=["context"], dependencies=[PUBLIC])


@router.post(
    "/context/resolve",
    response_model=ResolveOut,
    responses={404: {"description": "No host app `app` is registered."}},
)
def resolve(context: PageContext, services: ServicesDep) -> JSONResponse:
    """Tasks for the page, best first: rules of the host app first; when none matches,
    tasks whose title or tags match the page's own words; nothing for an unrelated page."""
    matches = services.resolver.resolve(context)
    return JSONResponse({"matches": [asdict(m) for m in matches]})


@router.get("/apps/{app}/manifest")
def manifest(app: str, request: Request, services: ServicesDep) -> Response:
    """The host app's context rules and the marker selectors to look for, so the overlay
    can match on the client, and `finish_buttons`: the CSS selectors of the buttons that
    finish a case in that app (the panel warns when one is pressed while mandatory steps
    are unticked). Supports If-None-Match (ETag)."""
    body, etag = services.resolver.manifest(app)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(
        json.dumps(body, separators=(",", ":")), media_type="application/json", headers=headers
    )
