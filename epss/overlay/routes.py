"""/overlay.js: the one script a host page embeds, and /overlay-panel.js, which it fetches
when the panel is wanted.

Without a version they are revalidated on every use (ETag), so a new release reaches every
desk at once; `?v=<version>` is the same script cached for a year.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from epss.auth import PUBLIC
from epss.overlay.bundle import Script, shipped_bundle

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
ONE_YEAR = 365 * 24 * 3600


@router.get("/overlay.js")
def overlay_script(request: Request, v: str | None = None) -> Response:
    return _script(request, shipped_bundle().first, v)


@router.get("/overlay-panel.js")
def overlay_panel_script(request: Request, v: str | None = None) -> Response:
    return _script(request, shipped_bundle().panel, v)


def _script(request: Request, script: Script, v: str | None) -> Response:
    bundle = shipped_bundle()
    headers = {
        "ETag": bundle.etag,
        "Vary": "Accept-Encoding",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Cache-Control": (
            f"public, max-age={ONE_YEAR}, immutable" if v == bundle.version else "no-cache"
        ),
    }
    if request.headers.get("if-none-match") == bundle.etag:
        return Response(status_code=304, headers=headers)
    body = script.code
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = script.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
