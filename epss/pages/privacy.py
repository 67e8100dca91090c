"""Pages about personal data: "Wat wordt over mij vastgelegd" (/mijn-gegevens: the events and
the feedback under one's own pseudonym, in words, with downloads) and the admins' log of
individual-level views (/beheer/inzage-log).

The page speaks in words only: titles for tasks and steps, the host app's name, Dutch time,
and a Dutch word for every code value. The codes themselves (slugs, step ids, event types,
CSS selectors) are in the downloads, beside the titles."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from epss.auth import Identity, Role, allow
from epss.errors import NotFound
from epss.events import pseudonym
from epss.feedback.intake import KIND_LABELS
from epss.i18n import Phrase
from epss.moments import moment, moment_of
from epss.pages import MAX_PAGE, render
from epss.privacy import (
    my_events,
    my_events_csv,
    my_feedback,
    my_feedback_csv,
    views_log,
)
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
FEEDBACK_PAGE_SIZE = 20
PAGE = "/mijn-gegevens"
CSV = "text/csv; charset=utf-8"

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
    "highlight_moved": "Aanwijzing op een andere plek gevonden",
}
# The details of an event shown on the page, in this order. `selector` (a CSS selector of
# the host page) is technical: it is in the downloads only.
DETAIL_LABELS = {
    "source": "Geopend",
    "match": "Gevonden",
    "kind": "Soort",
    "results": "Resultaten",
    "query": "Zoekvraag",
    "reason": "Reden",
    "choice": "Gekozen reden",
    "comment": "Opmerking",
}
# The details whose value is a code, with the words for each value. (A feedback event says
# its kind in English, the feedback itself in Dutch: both read the same.)
VALUE_LABELS = {
    "source": {
        "rule": "automatisch, bij dit scherm",
        "search": "via zoeken",
        "manual": "zelf gekozen",
    },
    "match": {
        "moved": "aan zijn kenmerken, niet meer op zijn oude plek",
        "weak": "maar net herkend",
    },
    "kind": {
        **KIND_LABELS,
        "wrong": KIND_LABELS["klopt_niet"],
        "unclear": KIND_LABELS["onduidelijk"],
        "suggestion": KIND_LABELS["suggestie"],
    },
}
# What became of one's feedback, in the words the help panel uses for it.
STATUS_LABELS = {"new": "In behandeling", "accepted": "Aangenomen", "declined": "Afgewezen"}
# What the page says for a code without words (a value or type added later).
UNKNOWN = "(onbekend)"
OTHER_EVENT = "Andere gebeurtenis"


def _pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def _on_a_page(number: int, pages: int, what: str) -> None:
    """Refuse a page beyond the last (a stale link): NotFound, naming the last page."""
    if number > pages:
        raise NotFound(
            "Pagina {page} van {what} bestaat niet; de laatste is pagina {pages}.",
            params={"page": number, "what": Phrase(what), "pages": pages},
        )


def _details(details: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(label, value, whether the value is interface text) for each detail the page
    shows: a code value in words, free text and counts as they are."""
    shown = []
    for key, label in DETAIL_LABELS.items():
        if key not in details or details[key] is None:
            continue
        if key in VALUE_LABELS:
            shown.append((label, VALUE_LABELS[key].get(str(details[key]), UNKNOWN), True))
        else:
            shown.append((label, str(details[key]), False))
    return shown


def _with_chosen_reason(event: dict[str, Any]) -> dict[str, Any]:
    """The event's details with its chosen reason in words (its number when the version
    it was chosen in is gone)."""
    details = dict(event["details"] or {})
    if details.get("choice") is not None:
        details["choice"] = event["chosen_reason"] or f"{UNKNOWN} ({details['choice']})"
    return details


def _task_and_step(item: dict[str, Any]) -> dict[str, Any]:
    """The task and step of an event or feedback item by their titles (None: no
    published version knows it; the template then says it was removed)."""
    return {
        "has_task": bool(item["task_slug"]),
        "task": item["task_title"],
        "version": item["task_version"],
        "has_step": bool(item["step_id"]),
        "step": item["step_title"],
    }


def _event_row(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "when": moment_of(event["occurred_at"]),
        "what": TYPE_LABELS.get(event["type"], OTHER_EVENT),
        **_task_and_step(event),
        "app": event["app_name"],
        "url": event["url"],
        "team": event["team"] or "",
        "details": _details(_with_chosen_reason(event)),
        "case": bool(event["case_ref"]),
    }


def _feedback_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "when": moment_of(item["created_at"]),
        **_task_and_step(item),
        "kind": KIND_LABELS.get(item["kind"], UNKNOWN),
        "comment": item["comment"],
        "status": STATUS_LABELS.get(item["status"], UNKNOWN),
        "answer": item["answer"],
        "handled": moment_of(item["handled_at"]) if item["handled_at"] else "",
        "changed_in": item["changed_in_version"],
    }


@router.get("/mijn-gegevens", response_class=HTMLResponse)
def my_data(
    request: Request,
    who: Annotated[Identity, allow(*Role)],
    session: SessionDep,
    services: ServicesDep,
    pagina: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    meldingenpagina: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    settings = services.settings
    actor = pseudonym(settings.secret_key, who.name)
    events, total = my_events(session, actor, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
    feedback, feedback_total = my_feedback(
        session,
        actor,
        limit=FEEDBACK_PAGE_SIZE,
        offset=(meldingenpagina - 1) * FEEDBACK_PAGE_SIZE,
    )
    pages, feedback_pages = _pages(total), _pages(feedback_total, FEEDBACK_PAGE_SIZE)
    _on_a_page(pagina, pages, "uw gebeurtenissen")
    _on_a_page(meldingenpagina, feedback_pages, "uw meldingen")

    def link(events_page: int, feedback_page: int, anchor: str) -> str:
        query = {"pagina": events_page, "meldingenpagina": feedback_page}
        shown = {k: v for k, v in query.items() if v != 1}
        return f"{PAGE}{'?' + urlencode(shown) if shown else ''}#{anchor}"

    return render(
        request,
        "privacy_mine.html",
        {
            "events": [_event_row(e) for e in events],
            "total": total,
            "page": pagina,
            "pages": pages,
            "feedback": [_feedback_row(f) for f in feedback],
            "feedback_total": feedback_total,
            "feedback_page": meldingenpagina,
            "feedback_pages": feedback_pages,
            "link": link,
            "pseudonym": actor,
            "settings": settings,
        },
    )


@router.get("/mijn-gegevens/download")
def my_data_download(
    who: Annotated[Identity, allow(*Role)],
    session: SessionDep,
    services: ServicesDep,
    formaat: Literal["csv", "json"] = "csv",
    deel: Literal["gebeurtenissen", "meldingen"] = "gebeurtenissen",
) -> Response:
    """All of one's own data as a file: JSON with the events and the feedback, or CSV with
    one of the two (`deel`: gebeurtenissen, the default, or meldingen)."""
    actor = pseudonym(services.settings.secret_key, who.name)
    name = "mijn-gegevens"
    if formaat == "json":
        events, _ = my_events(session, actor, limit=None)
        feedback, _ = my_feedback(session, actor, limit=None)
        body = json.dumps(
            {"pseudonym": actor, "events": events, "feedback": feedback},
            ensure_ascii=False,
            indent=1,
        )
        media = "application/json"
    elif deel == "meldingen":
        body, media = my_feedback_csv(my_feedback(session, actor, limit=None)[0]), CSV
        name = "mijn-meldingen"
    else:
        body, media = my_events_csv(my_events(session, actor, limit=None)[0]), CSV
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{formaat}"'},
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
