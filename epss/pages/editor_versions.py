"""A task's past: its history of changes with diffs, its published versions with their
credits (who edited, submitted and approved each, or that it was published at import
without review), the difference between any two versions, and restoring an old version as
a new draft."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from epss import i18n
from epss.catalog import versions_of
from epss.db import attempt
from epss.drafts import workflow
from epss.drafts.diff import version_diff
from epss.drafts.history import history_view
from epss.errors import Conflict, InvalidInput
from epss.models import Step
from epss.moments import moment_with_zone
from epss.numbers import MAX_INT
from epss.pages import wants_fragment
from epss.pages.editor import Editor, page, task_by_slug
from epss.pages.editor_diff import unified_lines
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
HISTORY_LIMIT = 500  # entries shown, newest first

ACTION_LABELS = {  # the actions of the history (epss.drafts: editing and workflow)
    "task_updated": "Taakgegevens gewijzigd",
    "step_updated": "Stap gewijzigd",
    "step_added": "Stap toegevoegd",
    "step_removed": "Stap verwijderd",
    "step_moved": "Stap verplaatst",
    "steps_reordered": "Stappen herschikt",
    "submitted": "Ingediend",
    "published": "Gepubliceerd",
    "sent_back": "Teruggestuurd",
    "restored": "Oude versie teruggezet",
    "confirmed": "Gecontroleerd: nog steeds juist",
    "imported": "Gepubliceerd bij import, zonder review",
    "imported_for_review": "Geïmporteerd ter controle",
    "created": "Taak begonnen",
    "draft_replaced": "Concept vervangen door een import",
}


@router.get("/redactie/taken/{slug}/geschiedenis", response_class=HTMLResponse)
def history_page(request: Request, slug: str, session: SessionDep, who: Editor) -> HTMLResponse:
    """Every change to the task's draft and workflow, newest first, each changed field
    with its word diff (the history view of epss.drafts.history)."""
    task = task_by_slug(session, slug)
    translate = i18n.translator_for(request)
    titles = {
        key: title
        for key, title in session.exec(
            select(Step.key, Step.title).where(Step.task_id == task.id)
        ).all()
    }
    entries = [
        {
            **entry,
            "label": ACTION_LABELS.get(entry["action"], entry["action"]),
            "step_title": titles.get(entry["step_id"], entry["step_id"]),
            "when": moment_with_zone(dt.datetime.fromisoformat(entry["when"]), translate),
        }
        for entry in history_view(session, slug, limit=HISTORY_LIMIT)
    ]
    return page(
        request,
        "editor_history.html",
        "_editor_history.html",
        {"section": "taken", "task": task, "entries": entries},
    )


@router.get("/redactie/taken/{slug}/versies", response_class=HTMLResponse)
def versions_page(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Editor,
    van: int | None = Query(default=None, ge=1, le=MAX_INT),
    naar: int | None = Query(default=None, ge=1, le=MAX_INT),
) -> HTMLResponse:
    """All published versions; with ?van=&naar= also the difference between those two."""
    task = task_by_slug(session, slug)
    versions = versions_of(session, slug)
    diff = None
    if van and naar:
        diff = version_diff(session, slug, van, naar)
        diff = {**diff, "lines": unified_lines(diff.get("unified", ""))}
    elif versions and (van or naar):
        raise InvalidInput("Geef bij 'van' en 'naar' allebei een versienummer om te vergelijken.")
    context = {
        "section": "taken",
        "task": task,
        "versions": versions,
        "diff": diff,
        "van": van or (versions[1].number if len(versions) > 1 else None),
        "naar": naar or (versions[0].number if versions else None),
        "moment": moment_with_zone,
    }
    return page(request, "editor_versions.html", "_editor_version_diff.html", context)


@router.post("/redactie/taken/{slug}/versies/herstellen")
def restore_version(
    request: Request,
    slug: str,
    session: SessionDep,
    who: Editor,
    versie: Annotated[int, Form(ge=1, le=MAX_INT)],
) -> Response:
    """The working copy becomes version `versie`'s content, as a draft to submit again.
    A refusal (nothing to restore) is shown on the versions page."""
    try:
        with attempt(session):
            workflow.restore_version(session, slug, versie, by=who.name)
    except Conflict as exc:
        context = {
            "section": "taken",
            "task": task_by_slug(session, slug),
            "versions": versions_of(session, slug),
            "diff": None,
            "van": None,
            "naar": None,
            "moment": moment_with_zone,
            "restore_error": exc.in_language(i18n.translator_for(request)),
        }
        return page(
            request, "editor_versions.html", "editor_versions.html", context, status_code=exc.status
        )
    target = f"/redactie/taken/{slug}?hersteld={versie}"
    if wants_fragment(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
