"""The API documentation at /api/v1/docs: Swagger UI, served by the service itself.

The Swagger UI files come from the `fastapi-offline` package (which ships a current
Swagger UI 5); FastAPI's own page would load them from a public CDN, so it stays blank on a
server without internet access. The page's start-up script is a file too, not inline, so the
page needs no exception from the Content-Security-Policy (epss.web.security).
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from markupsafe import escape

from epss import __version__
from epss.auth import PUBLIC
from epss.errors import NotFound

DOCS_PATH = "/api/v1/docs"
ASSETS_PATH = DOCS_PATH + "/assets"
_SWAGGER_UI = Path(str(resources.files("fastapi_offline") / "static"))
_ASSETS = {
    "swagger-ui-bundle.js": _SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": _SWAGGER_UI / "swagger-ui.css",
    "swagger-init.js": Path(__file__).with_name("swagger-init.js"),
}
# In the asset URLs, so browsers may keep the files until either package changes.
_VERSION = f"{__version__}-{metadata.version('fastapi-offline')}"

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API documentation</title>
<link rel="icon" href="{root}/favicon.ico">
<link rel="stylesheet" href="{assets}/swagger-ui.css?v={version}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js?v={version}"></script>
<script src="{assets}/swagger-init.js?v={version}"></script>
</body>
</html>
"""


@router.get(DOCS_PATH, response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI description at /api/v1/openapi.json."""
    root = request.scope.get("root_path", "")
    return HTMLResponse(
        _PAGE.format(
            title=escape(request.app.title),
            root=escape(root),
            assets=escape(root + ASSETS_PATH),
            openapi=escape(root + (request.app.openapi_url or "")),
            version=_VERSION,
        )
    )


@router.get(ASSETS_PATH + "/{name}")
def docs_asset(name: str) -> FileResponse:
    """A file of the documentation page: Swagger UI's script and style, and its start."""
    path = _ASSETS.get(name)
    if path is None:
        raise NotFound(f"no documentation file '{name}'")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})
