"""Routes of the demo case software, served under /demo.

Plain server-rendered pages without any script, so they work under a strict
Content-Security-Policy. The only "interaction" is the "Twijfel melden" button: a GET form
to the same page with `twijfel=1`, which renders the page with the doubt section shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from epss.demo import cases

router = APIRouter(prefix="/demo", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["datum"] = cases.datum
templates.env.filters["datum_lang"] = cases.datum_lang


def _render(
    request: Request,
    template: str,
    title: str,
    huidig: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what the base template needs: links, navigation, the user."""
    root = request.scope.get("root_path", "").rstrip("/")
    return templates.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "root": root,
            "base": f"{root}/demo",
            "huidig": huidig,
            "schermen": cases.SCHERMEN,
            "medewerker": cases.MEDEWERKER,
            "balie": cases.BALIE,
            "vandaag": cases.VANDAAG,
            **context,
        },
        status_code=status_code,
    )


def _scherm(request: Request, path: str, template: str, **context: Any) -> HTMLResponse:
    """Render one of the task screens, with the demo case of its zaaktype."""
    scherm = next(s for s in cases.SCHERMEN if s.path == path)
    assert scherm.zaaktype is not None
    zaak = cases.zaak_van_type(scherm.zaaktype)
    return _render(
        request,
        template,
        scherm.title,
        path,
        scherm=scherm,
        zaak=zaak,
        persoon=zaak.aanvrager,
        leeftijd=cases.leeftijd(zaak.aanvrager.geboortedatum, cases.VANDAAG),
        **context,
    )


@router.get("/", response_class=HTMLResponse)
def werkvoorraad(request: Request) -> HTMLResponse:
    return _render(request, "werkvoorraad.html", "Werkvoorraad", "/demo/", zaken=cases.ZAKEN)


@router.get("/reisdocument/aanvraag", response_class=HTMLResponse)
def reisdocument_aanvraag(request: Request, twijfel: str = "") -> HTMLResponse:
    return _scherm(
        request,
        "/demo/reisdocument/aanvraag",
        "reisdocument_aanvraag.html",
        twijfel=twijfel == "1",
    )


@router.get("/reisdocument/uitreiking", response_class=HTMLResponse)
def reisdocument_uitreiking(request: Request, twijfel: str = "") -> HTMLResponse:
    return _scherm(
        request,
        "/demo/reisdocument/uitreiking",
        "reisdocument_uitreiking.html",
        twijfel=twijfel == "1",
    )


@router.get("/geboorte/aangifte", response_class=HTMLResponse)
def geboorte_aangifte(request: Request) -> HTMLResponse:
    geboren = cases.GEBOORTE_KIND_DATUM
    return _scherm(
        request,
        "/demo/geboorte/aangifte",
        "geboorte_aangifte.html",
        moeder=cases.SMIT,
        geboren=geboren,
        uiterlijk=cases.werkdagen_na(geboren, 3),
    )


@router.get("/verhuizing", response_class=HTMLResponse)
def verhuizing(request: Request) -> HTMLResponse:
    meeverhuizers = [
        (persoon, relatie, cases.leeftijd(persoon.geboortedatum, cases.VANDAAG))
        for persoon, relatie in ((cases.YILMAZ_PARTNER, "Echtgenote"), (cases.YILMAZ_KIND, "Kind"))
    ]
    return _scherm(request, "/demo/verhuizing", "verhuizing.html", meeverhuizers=meeverhuizers)


@router.get("/rijbewijs/aanvraag", response_class=HTMLResponse)
def rijbewijs_aanvraag(request: Request) -> HTMLResponse:
    return _scherm(request, "/demo/rijbewijs/aanvraag", "rijbewijs_aanvraag.html")


@router.get("/zaken/{zaaknummer}", response_class=HTMLResponse)
def zaak_detail(request: Request, zaaknummer: str) -> HTMLResponse:
    zaak = cases.zaak(zaaknummer)
    if zaak is None:
        return _render(
            request,
            "niet_gevonden.html",
            "Zaak niet gevonden",
            "/demo/",
            status_code=404,
            zaaknummer=zaaknummer,
        )
    scherm = next(s for s in cases.SCHERMEN if s.path == zaak.scherm)
    return _render(
        request,
        "zaak.html",
        f"Zaak {zaak.zaaknummer}",
        "/demo/",
        zaak=zaak,
        scherm=scherm,
        leeftijd=cases.leeftijd(zaak.aanvrager.geboortedatum, cases.VANDAAG),
    )


@router.get("/static/{name}", name="demo_static")
def static(name: str) -> FileResponse:
    """Serve a file from the static folder; no sub folders, no way out of it."""
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise HTTPException(status_code=404)
    path = Path(__file__).parent / "static" / name
    if not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path)
