"""/overlay.js: the one script a host page embeds.

`/overlay.js` is revalidated on every use (ETag), so a new release reaches every desk at
once; `/overlay.js?v=<version>` is the same script cached for a year.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from epss.auth import PUBLIC
from epss.overlay.bundle import shipped_bundle

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
ONE_YEAR = 365 * 24 * 3600


@router.get("/overlay.js")
def overlay_script(request: Request, v: str | None = None) -> Response:
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
    body = bundle.script
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = bundle.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
