"""Routes of the demo case software, served under /demo, in two variants.

- Server-rendered pages (/demo/...), without any script of their own. The only
  "interaction" is the "Twijfel melden" button: a GET form to the same page with
  `twijfel=1`, which renders the page with the doubt section shown.
- A single-page variant (/demo/app/...): the same screens from the same templates, with
  client-side routing by static/zaaksysteem.js. Every URL of it answers with the shell: the
  screen of that URL rendered in place (so a deep link or a reload works), plus every
  screen, the doubt states included, as a <template> that the script clones on navigation.

Both load scripts and styles only from this origin (a strict Content-Security-Policy), and
both embed the help overlay the way a municipality would: one <script> tag.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from epss.auth import PUBLIC
from epss.demo import cases, screens
from epss.demo.screens import Screen

router = APIRouter(prefix="/demo", include_in_schema=False, dependencies=[PUBLIC])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["datum"] = cases.datum
templates.env.filters["datum_lang"] = cases.datum_lang

SPA = "/app"


class _Links:
    """Where the links of a page point: at the server pages or at the single-page variant."""

    def __init__(self, root: str, spa: bool):
        self.root = root
        self.spa = spa
        self.base = f"{root}/demo{SPA if spa else ''}"
        self.other_base = f"{root}/demo{'' if spa else SPA}"

    def href(self, path: str) -> str:
        """The link to a server path (/demo/...) in this variant."""
        return self.base + path.removeprefix("/demo")

    def url(self, screen: Screen, other: bool = False) -> str:
        """The URL of a screen (and its doubt state) in this variant or the other one."""
        query = "?twijfel=1" if screen.twijfel else f"?zaak={screen.zaak}" if screen.zaak else ""
        return (self.other_base if other else self.base) + screen.path.removeprefix("/demo") + query


def _context(links: _Links, screen: Screen, layout: str) -> dict[str, Any]:
    """What the templates need: links, navigation, the user, the screen's own data."""
    return {
        "layout": layout,
        "title": screen.title,
        "paginatitel": screen.page_title,
        "root": links.root,
        "base": links.base,
        "static": f"{links.root}/demo/static",
        "href": links.href,
        "spa": links.spa,
        "ander": links.url(screen, other=True),
        "huidig": screen.nav,
        "schermen": cases.SCHERMEN,
        "app_id": cases.APP_ID,
        "medewerker": cases.MEDEWERKER,
        "inlognaam": cases.INLOGNAAM,
        "team": cases.TEAM,
        "balie": cases.BALIE,
        "vandaag": cases.VANDAAG,
        "sjablonen": [],
        **screen.context,
    }


def _sjablonen(links: _Links) -> list[dict[str, Any]]:
    """Every screen of the single-page variant: its URL, title, navigation entry, the URL
    of the same screen among the server pages, and its content (the template's content
    block, rendered here, so the markup exists once)."""
    return [
        {
            "url": links.url(screen),
            "titel": screen.page_title,
            "nav": links.href(screen.nav),
            "ander": links.url(screen, other=True),
            "inhoud": Markup(
                templates.get_template(screen.template).render(
                    _context(links, screen, "_inhoud.html")
                )
            ),
        }
        for screen in screens.every_screen()
    ]


def _page(request: Request, screen: Screen | None, spa: bool = False) -> HTMLResponse:
    if screen is None:
        raise HTTPException(status_code=404)
    links = _Links(request.scope.get("root_path", "").rstrip("/"), spa)
    context = _context(links, screen, "_base.html")
    if spa:
        context["sjablonen"] = _sjablonen(links)
    return templates.TemplateResponse(
        request, screen.template, context, status_code=screen.status_code
    )


def _twijfel(value: str) -> bool:
    return value == "1"


def _screen_page(path: str) -> Callable[..., HTMLResponse]:
    def screen_page(
        request: Request, twijfel: str = "", zaak: Annotated[str, Query(max_length=40)] = ""
    ) -> HTMLResponse:
        return _page(request, screens.find(path, _twijfel(twijfel), zaak))

    return screen_page


for _path in screens.NAVIGATION:  # every screen of the navigation, at its own path
    router.add_api_route(
        _path.removeprefix("/demo") or "/",
        _screen_page(_path),
        methods=["GET"],
        response_class=HTMLResponse,
    )


@router.get("/zaken/{zaaknummer}", response_class=HTMLResponse)
def zaak_detail(request: Request, zaaknummer: str) -> HTMLResponse:
    return _page(request, screens.find(f"/demo/zaken/{zaaknummer}"))


@router.get(SPA + "/{pad:path}", response_class=HTMLResponse)
def single_page(
    request: Request,
    pad: str,
    twijfel: str = "",
    zaak: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The single-page variant: the shell, showing the screen of this URL first."""
    return _page(request, screens.find(f"/demo/{pad}", _twijfel(twijfel), zaak), spa=True)


@router.get("/static/{name}", name="demo_static")
def static(name: str) -> FileResponse:
    """Serve a file from the static folder; no sub folders, no way out of it."""
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise HTTPException(status_code=404)
    path = Path(__file__).parent / "static" / name
    if not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path)
