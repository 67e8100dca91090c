"""The experts' inbox of feedback from the desk (/redactie/meldingen): filter by status and
task, accept (linking the change that answers it) or decline (with a reason).

One URL serves the full page or the fragment htmx asked for: the list for the filters,
one item after handling it. Without JavaScript the forms post and come back to the list.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from epss import i18n
from epss.auth import EDITORS, Identity, allow
from epss.catalog import published_titles
from epss.db import attempt
from epss.drafts.history import changes_of
from epss.errors import Conflict, InvalidInput
from epss.feedback import MAX_COMMENT, accept, counts, decline, get_feedback, inbox
from epss.feedback.inbox import NO_SUCH_CHANGE
from epss.feedback.intake import KIND_LABELS, invalid
from epss.models import Change, Task, TaskVersion
from epss.moments import moment
from epss.numbers import whole_number
from epss.pages import render, render_page, wants_fragment
from epss.pages.editor import announcing
from epss.pages.editor_versions import ACTION_LABELS
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Editor = Annotated[Identity, allow(*EDITORS)]
PATH = "/redactie/meldingen"

# The page speaks Dutch in its URLs; the domain and the API use the English status names.
STATUS_PARAMS = {"nieuw": "new", "geaccepteerd": "accepted", "afgewezen": "declined", "alle": None}
STATUS_LABELS = {"new": "Nieuw", "accepted": "Geaccepteerd", "declined": "Afgewezen"}
RECENT_CHANGES = 8


def _answering_changes(session: Session, items: list[dict]) -> dict[str, list[Change]]:
    """For each new feedback item (by id): the changes that could answer it, newest first:
    its task's latest recorded changes since the version the person saw was published."""
    slugs = {item["task_slug"] for item in items if item["status"] == "new"}
    history, published = {}, {}
    for task in session.exec(select(Task).where(Task.slug.in_(slugs))).all():
        history[task.slug] = list(reversed(changes_of(session, task)))
        published[task.slug] = dict(
            session.exec(
                select(TaskVersion.number, TaskVersion.published_at).where(
                    TaskVersion.task_id == task.id
                )
            ).all()
        )
    found = {}
    for item in items:
        if item["status"] != "new" or item["task_slug"] not in history:
            continue
        since = published[item["task_slug"]].get(item["task_version"])
        found[item["id"]] = [
            c
            for c in history[item["task_slug"]]
            if since is None or (c.at >= since and c.version_number != item["task_version"])
        ][:RECENT_CHANGES]
    return found


def _context(session: Session, items: list[dict], **more) -> dict:
    return {
        "items": items,
        "changes": _answering_changes(session, items),
        "moment": moment,
        "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
        "status_label": lambda status: STATUS_LABELS.get(status, status),
        "action_label": lambda action: ACTION_LABELS.get(action, action),
        "max_text": MAX_COMMENT,
        **more,
    }


@router.get(PATH, response_class=HTMLResponse)
def inbox_page(
    request: Request,
    session: SessionDep,
    who: Editor,
    status: Annotated[str, Query(pattern="^(nieuw|geaccepteerd|afgewezen|alle)$")] = "nieuw",
    taak: Annotated[str, Query(max_length=80)] = "",
) -> HTMLResponse:
    """New feedback first: what there is to do. The filters narrow it by status and task."""
    items = inbox(session, status=STATUS_PARAMS[status], task=taak or None)
    context = _context(
        session,
        items,
        filters={"status": status, "taak": taak},
        counts=counts(session, taak or None),
        status_params=STATUS_PARAMS,
        tasks=list(published_titles(session).items()),
    )
    translate = i18n.translator_for(request)
    found = translate("1 melding") if len(items) == 1 else f"{len(items)} {translate('meldingen')}"
    told = announcing(request, found) if wants_fragment(request) else {}
    return render_page(request, "inbox.html", "_inbox_list.html", context, headers=told)


@router.post(PATH + "/{feedback_id}/accepteren", response_class=HTMLResponse)
def accept_page(
    request: Request,
    feedback_id: str,
    session: SessionDep,
    who: Editor,
    wijziging: Annotated[str, Form(max_length=20)] = "",
    antwoord: Annotated[str, Form(max_length=MAX_COMMENT * 2)] = "",
) -> Response:
    def accepting(session: Session) -> dict:
        change_id = whole_number(wijziging)
        if wijziging.strip() and change_id is None:  # refused as the item shows refusals
            raise invalid("change_id", NO_SUCH_CHANGE, number=wijziging[:20])
        return accept(session, feedback_id, by=who.name, change_id=change_id, answer=antwoord)

    return _handle(request, session, feedback_id, accepting)


@router.post(PATH + "/{feedback_id}/afwijzen", response_class=HTMLResponse)
def decline_page(
    request: Request,
    feedback_id: str,
    session: SessionDep,
    who: Editor,
    reden: Annotated[str, Form(max_length=MAX_COMMENT * 2)] = "",
) -> Response:
    return _handle(
        request,
        session,
        feedback_id,
        lambda session: decline(session, feedback_id, by=who.name, reason=reden),
    )


def _handle(request: Request, session: Session, feedback_id: str, action) -> Response:
    """Run the handling; then show the item (htmx), or go back to the list (a plain form
    post). A refusal shows the item again with what went wrong."""
    error, status_code = None, 200
    try:
        with attempt(session):
            action(session)
    except (InvalidInput, Conflict) as exc:
        error = exc.in_language(i18n.translator_for(request))
        status_code = exc.status
    if status_code == 200 and not wants_fragment(request):
        return RedirectResponse(_back_to_list(request), status_code=303)
    item = get_feedback(session, feedback_id)
    context = _context(
        session,
        [item],
        item=item,
        just_handled=status_code == 200,
        error=error,
        error_kind=_error_kind(request, status_code),
    )
    if not wants_fragment(request):
        return render(request, "inbox.html", context, status_code=status_code)
    # editor.js lets htmx swap a refusal that carries X-Editor-Fragment: the item
    # shows what went wrong.
    said = error or (
        "Melding geaccepteerd." if item["status"] == "accepted" else "Melding afgewezen."
    )
    return render(
        request,
        "_inbox_item.html",
        context,
        status_code=status_code,
        headers={"X-Editor-Fragment": "1", **announcing(request, said)},
    )


def _back_to_list(request: Request) -> str:
    """The list as the person left it (its filters), when they came from it."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc == request.url.netloc and came_from.path == PATH:
        return PATH + (f"?{came_from.query}" if came_from.query else "")
    return PATH


def _error_kind(request: Request, status_code: int) -> str | None:
    if status_code == 422:
        return "accept" if request.url.path.endswith("/accepteren") else "decline"
    return "conflict" if status_code == 409 else None
