"""The workflow buttons of the task editor (submit; publish or send back for a redacteur)
and the review list (/redactie/controle) with its "still correct" confirmation, which asks
first (with an optional note) and works with and without scripts.

A refusal (the second person a critical task needs, nothing to publish, an invalid draft)
is shown on the editor page in plain words, with the reason the domain gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from epss import i18n
from epss.auth import Identity, Role, allow
from epss.catalog import published_version
from epss.db import attempt
from epss.drafts import review, workflow
from epss.errors import EpssError
from epss.months import add_months
from epss.pages.editor import Editor, page
from epss.pages.editor_tasks import editor_context
from epss.web.deps import SessionDep, TodayDep

router = APIRouter(include_in_schema=False)
Publisher = Annotated[Identity, allow(Role.redacteur)]

REFUSALS = {
    403: "Publiceren door een tweede persoon",
    409: "Kan nu niet",
    422: "Het concept is nog niet compleet",
}


def _act(
    request: Request, session: Session, slug: str, who: Identity, done: str, action: Callable
) -> Response:
    """Run a workflow step; on success back to the editor with a message, on a refusal the
    editor page with the reason."""
    try:
        with attempt(session):
            action(session)
    except EpssError as exc:
        if exc.status in (401, 404):
            raise
        translate = i18n.translator_for(request)
        context = editor_context(
            request,
            session,
            slug,
            who,
            workflow_error={
                "title": REFUSALS.get(exc.status, "Kan nu niet"),
                "detail": exc.in_language(translate),
            },
        )
        return page(
            request,
            "editor_task.html",
            "_editor_workflow.html",
            context,
            status_code=exc.status,
            headers={"X-Editor-Fragment": "1"},
        )
    return RedirectResponse(f"/redactie/taken/{slug}?gedaan={done}", status_code=303)


@router.get("/redactie/taken/{slug}/werkstroom", response_class=HTMLResponse)
def workflow_fragment(
    request: Request, slug: str, session: SessionDep, who: Editor
) -> HTMLResponse:
    """The workflow box and the status in the heading as they are now: the editor fetches
    them when a colleague has saved, submitted, published or restored."""
    return page(
        request,
        "editor_task.html",
        "_editor_oob.html",
        editor_context(request, session, slug, who, box_is_target=True),
    )


@router.post("/redactie/taken/{slug}/indienen")
def submit(request: Request, slug: str, session: SessionDep, who: Editor) -> Response:
    return _act(
        request,
        session,
        slug,
        who,
        "ingediend",
        lambda session: workflow.submit(session, slug, by=who.name),
    )


@router.post("/redactie/taken/{slug}/publiceren")
def publish(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Publisher,
    concept: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """Publish the submitted draft; the panel and search show it from the answer on.
    `concept`: the hash of the draft on the reviewer's screen (refused when it changed)."""
    return _act(
        request,
        session,
        slug,
        who,
        "gepubliceerd",
        lambda session: workflow.publish_draft(session, slug, by=who.name, seen=concept),
    )


@router.post("/redactie/taken/{slug}/terugsturen")
def send_back(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Publisher,
    opmerking: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    return _act(
        request,
        session,
        slug,
        who,
        "teruggestuurd",
        lambda session: workflow.send_back(session, slug, opmerking, by=who.name),
    )


@router.get("/redactie/controle", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: SessionDep,
    today: TodayDep,
    who: Editor,
    terug: str | None = Query(default=None, max_length=80),
) -> HTMLResponse:
    """Tasks whose review date has passed, and those due within 30 days. `terug`: the
    task whose confirmation was cancelled (its button gets the focus back)."""
    return _review(request, session, today, back_to=terug)


@router.get("/redactie/controle/{slug}/bevestigen", response_class=HTMLResponse)
def ask_confirmation(
    request: Request, slug: str, session: SessionDep, today: TodayDep, who: Editor
) -> HTMLResponse:
    """ "Nog steeds juist?": the question, what it will do, and a field for a note, in
    place in the list (htmx) or on the page (without scripts)."""
    return _review(request, session, today, asking=_question(session, slug, today))


@router.post("/redactie/controle/{slug}/bevestigen", response_class=HTMLResponse)
def confirm(
    request: Request,
    slug: str,
    session: SessionDep,
    today: TodayDep,
    who: Editor,
    notitie: Annotated[str, Form()] = "",
) -> Response:
    """ "Nog steeds juist", confirmed: the review date moves to today + the interval, with
    who, when and the note in the history; no new version."""
    confirmed, error, status, asking = None, None, 200, None
    try:
        with attempt(session):
            confirmed = review.confirm_review(session, slug, by=who.name, today=today, note=notitie)
    except EpssError as exc:
        if exc.status in (401, 404):
            raise
        translate = i18n.translator_for(request)
        error, status = {"slug": slug, "detail": exc.in_language(translate)}, exc.status
    if error and status == 422:  # the note: ask again, with what was typed
        asking = {**_question(session, slug, today), "note": notitie}
    return _review(
        request,
        session,
        today,
        confirmed=confirmed,
        error=error,
        asking=asking,
        status_code=status,
        announce="Bevestigd: nog steeds juist." if confirmed else "Niet bevestigd.",
    )


def _question(session: Session, slug: str, day: dt.date) -> dict:
    """What the confirmation of `slug` asks and will do (NotFound: no published task)."""
    version = published_version(session, slug)
    months = version.document.get("review_interval_months", 12)
    return {
        "slug": slug,
        "title": version.document["title"],
        "version": version.number,
        "review_by": version.review_by,
        "months": months,
        "next": add_months(day, months),
        "note": "",
    }


def _review(
    request: Request,
    session: Session,
    day: dt.date,
    *,
    asking: dict | None = None,
    confirmed: dict | None = None,
    error: dict | None = None,
    back_to: str | None = None,
    status_code: int = 200,
    announce: str | None = None,
) -> HTMLResponse:
    lists = review.review_lists(session, day)
    listed = {item["slug"] for key in ("overdue", "due") for item in lists[key]}
    return page(
        request,
        "editor_review.html",
        "_editor_review.html",
        {
            "section": "controle",
            "lists": lists,
            "confirmed": confirmed,
            "error": error,
            "asking": asking,
            "back_to": back_to,
            "asking_listed": bool(asking) and asking["slug"] in listed,
        },
        status_code=status_code,
        announce=announce,
        headers={"X-Editor-Fragment": "1"} if status_code >= 400 else None,
    )
