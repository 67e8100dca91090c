"""Pages about personal data: "Wat wordt over mij vastgelegd" (/mijn-gegevens: the events
under one's own pseudonym, with downloads) and the admins' log of individual-level views
(/beheer/inzage-log)."""

from __future__ import annotations

import json
import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from epss.auth import Identity, Role, allow
from epss.events import pseudonym
from epss.events.privacy import FREE_TEXT_FIELDS
from epss.moments import moment, moment_of
from epss.pages import MAX_PAGE, render
from epss.privacy import my_events, my_events_csv, views_log
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

# What each event type means, in the words of the person it is about.
TYPE_LABELS = {
    "panel_opened": "Hulppaneel geopend",
    "task_viewed": "Taak bekeken",
    "step_viewed": "Stap bekeken",
    "step_checked": "Stap afgevinkt",
    "step_unchecked": "Vinkje weggehaald",
    "step_deviated": "Afgeweken van een stap",
    "search": "Gezocht",
    "feedback": "Melding gedaan",
    "highlight_missing": "Aanwijzing niet gevonden op het scherm",
}

DETAIL_LABELS = {
    "results": "Resultaten",
    "source": "Gevonden via",
    "kind": "Soort",
    "selector": "Element",
    "query": "Zoekvraag",
    "reason": "Reden",
    "comment": "Opmerking",
}


def _pages(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


@router.get("/mijn-gegevens", response_class=HTMLResponse)
def my_data(
    request: Request,
    who: Annotated[Identity, allow(*Role)],
    session: SessionDep,
    services: ServicesDep,
    pagina: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    settings = services.settings
    actor = pseudonym(settings.secret_key, who.name)
    events, total = my_events(session, actor, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
    return render(
        request,
        "privacy_mine.html",
        {
            "events": events,
            "total": total,
            "page": pagina,
            "pages": _pages(total),
            "pseudonym": actor,
            "settings": settings,
            "free_text_fields": FREE_TEXT_FIELDS,
            "type_label": lambda kind: TYPE_LABELS.get(kind, kind),
            "detail_label": lambda key: DETAIL_LABELS.get(key, key),
            "when": moment_of,
        },
    )


@router.get("/mijn-gegevens/download")
def my_data_download(
    who: Annotated[Identity, allow(*Role)],
    session: SessionDep,
    services: ServicesDep,
    formaat: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",
) -> Response:
    """All of one's own events as a file (CSV or JSON)."""
    actor = pseudonym(services.settings.secret_key, who.name)
    events, _ = my_events(session, actor, limit=None)
    if formaat == "json":
        body = json.dumps({"pseudonym": actor, "events": events}, ensure_ascii=False, indent=1)
        media = "application/json"
    else:
        body, media = my_events_csv(events), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="mijn-gegevens.{formaat}"'},
    )


@router.get("/beheer/inzage-log", response_class=HTMLResponse)
def views_page(
    request: Request,
    who: Annotated[Identity, allow(Role.beheerder)],
    session: SessionDep,
    pagina: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    rows, total = views_log(session, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
    return render(
        request,
        "privacy_views.html",
        {
            "views": rows,
            "total": total,
            "page": pagina,
            "pages": _pages(total),
            "moment": moment,
            "section": "views",
        },
    )
