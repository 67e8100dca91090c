"""The workflow buttons of the task editor (submit; publish or send back for a redacteur)
and the review list (/redactie/controle) with its "still correct" confirmation.

A refusal (the second person a critical task needs, nothing to publish, an invalid draft)
is shown on the editor page in plain words, with the reason the domain gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from epss.api.deps import ServicesDep, SessionDep
from epss.auth import Identity, Role, allow
from epss.db import unit_of_work
from epss.drafts import review, workflow
from epss.errors import EpssError
from epss.pages import editor
from epss.pages.editor import Editor, page
from epss.pages.editor_tasks import editor_context
from epss.services import Services

router = APIRouter(include_in_schema=False)
Publisher = Annotated[Identity, allow(Role.redacteur)]

REFUSALS = {403: "Publiceren door een tweede persoon", 409: "Kan nu niet",
            422: "Het concept is nog niet compleet"}


def _act(request: Request, services: Services, slug: str, who: Identity, done: str,
         action: Callable, *, publishes: bool = False) -> Response:
    """Run a workflow step in its own unit of work; on success back to the editor with a
    message, on a refusal the editor page with the reason."""
    try:
        with unit_of_work(services.engine) as session:
            action(session)
    except EpssError as exc:
        if exc.status in (401, 404):
            raise
        with unit_of_work(services.engine) as session:
            context = editor_context(session, slug, who, workflow_error={
                "title": REFUSALS.get(exc.status, "Kan nu niet"), "detail": exc.detail})
            return page(request, "editor_task.html", "_editor_workflow.html", context,
                        status_code=exc.status, headers={"X-Editor-Fragment": "1"})
    if publishes:
        services.refresh_search_index()
        services.resolver.check_now()
    return RedirectResponse(f"/redactie/taken/{slug}?gedaan={done}", status_code=303)


@router.get("/redactie/taken/{slug}/werkstroom", response_class=HTMLResponse)
def workflow_fragment(request: Request, slug: str, session: SessionDep,
                      who: Editor) -> HTMLResponse:
    """The workflow box and the status in the heading as they are now: the editor fetches
    them when a colleague has saved, submitted, published or restored."""
    return page(request, "editor_task.html", "_editor_oob.html",
                editor_context(session, slug, who, box_is_target=True))


@router.post("/redactie/taken/{slug}/indienen")
def submit(request: Request, slug: str, services: ServicesDep, who: Editor) -> Response:
    return _act(request, services, slug, who, "ingediend",
                lambda session: workflow.submit(session, slug, by=who.name))


@router.post("/redactie/taken/{slug}/publiceren")
def publish(request: Request, slug: str, services: ServicesDep, who: Publisher) -> Response:
    """Publish the submitted draft; the panel and search show it from the answer on."""
    return _act(request, services, slug, who, "gepubliceerd",
                lambda session: workflow.publish_draft(session, slug, by=who.name),
                publishes=True)


@router.post("/redactie/taken/{slug}/terugsturen")
def send_back(request: Request, slug: str, services: ServicesDep, who: Publisher,
              opmerking: Annotated[str, Form(max_length=4000)] = "") -> Response:
    return _act(request, services, slug, who, "teruggestuurd",
                lambda session: workflow.send_back(session, slug, opmerking, by=who.name))


@router.get("/redactie/controle", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, who: Editor) -> HTMLResponse:
    """Tasks whose review date has passed, and those due within 30 days."""
    lists = review.review_lists(session, editor.today())
    return page(request, "editor_review.html", "_editor_review.html",
                {"section": "controle", "lists": lists, "confirmed": None, "error": None})


@router.post("/redactie/controle/{slug}/bevestigen", response_class=HTMLResponse)
def confirm(request: Request, slug: str, services: ServicesDep, who: Editor) -> Response:
    """"Nog steeds juist": a new version whose only change is the next review date."""
    day: dt.date = editor.today()
    confirmed, error, status = None, None, 200
    try:
        with unit_of_work(services.engine) as session:
            version = review.confirm_review(session, slug, by=who.name, today=day)
            confirmed = {"slug": slug, "version": version.number,
                         "review_by": version.document["review_by"]}
    except EpssError as exc:
        if exc.status in (401, 404):
            raise
        error, status = {"slug": slug, "detail": exc.detail}, exc.status
    else:
        services.refresh_search_index()
        services.resolver.check_now()
    with unit_of_work(services.engine) as session:
        lists = review.review_lists(session, day)
    return page(request, "editor_review.html", "_editor_review.html",
                {"section": "controle", "lists": lists, "confirmed": confirmed,
                 "error": error}, status_code=status,
                headers={"X-Editor-Fragment": "1"},
                announce="Bevestigd: nog steeds juist." if confirmed else "Niet bevestigd.")
