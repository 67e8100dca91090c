"""The editor's pages (/redactie): what they share, the task list with its filters, and the
live Markdown preview. The task editor, its versions, the review list and the task files
each have their own module (editor_*.py).

One URL serves the full page, or only the fragment htmx asked for (templates `_editor_*`).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlmodel import Session, select

from epss import i18n
from epss.auth import EDITORS, Identity, allow
from epss.drafts.field_reports import MISSING_FIELDS_DAYS, unfound_steps
from epss.drafts.review import DUE_WITHIN_DAYS
from epss.errors import NotFound
from epss.models import Task
from epss.pages import render_page, wants_fragment
from epss.render import markdown_to_html
from epss.taskfile.fields import FIELD_LABELS as TASK_FIELD_LABELS
from epss.web.deps import SessionDep, TodayDep, get_services

router = APIRouter(include_in_schema=False)
Editor = Annotated[Identity, allow(*EDITORS)]

STATUS_LABELS = {"draft": "Concept", "submitted": "Ingediend", "published": "Gepubliceerd"}
DUE_WITHIN = dt.timedelta(days=DUE_WITHIN_DAYS)  # "binnenkort": the review date is this close
MAX_PREVIEW = 20_000
FIELD_LABELS = TASK_FIELD_LABELS | {"order": "Volgorde", "position": "Plaats", "version": "Versie"}


def announcing(request: Request, text: str | None) -> dict[str, str]:
    """The header that has `text` (translated) read out by screen readers after the swap
    (editor.js puts it in the page's aria-live region); none without a text."""
    if not text:
        return {}
    translated = i18n.translator_for(request)(text)
    return {"HX-Trigger": json.dumps({"epss-announce": translated}, ensure_ascii=True)}


def page(
    request: Request,
    full: str,
    fragment: str,
    context: dict,
    *,
    status_code: int = 200,
    announce: str | None = None,
    headers: dict | None = None,
) -> HTMLResponse:
    """The full page, or for htmx only its fragment. `announce` is read out by screen
    readers after the swap (editor.js puts it in the page's aria-live region)."""
    extra = {**(headers or {}), **announcing(request, announce)}
    helpers = {
        "status_label": status_label,
        "field_label": field_label,
        "review_state": partial(review_state, on=get_services(request).today()),
    }
    return render_page(
        request, full, fragment, {**context, **helpers}, status_code=status_code, headers=extra
    )


def field_label(name: str) -> str:
    """The Dutch name of a field of the task file format, as the forms call it."""
    return FIELD_LABELS.get(name, name)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def review_state(review_by: dt.date | str | None, on: dt.date) -> str | None:
    """ "overdue", "due" (within 30 days) or None."""
    if review_by is None:
        return None
    if isinstance(review_by, str):
        review_by = dt.date.fromisoformat(review_by)
    if review_by < on:
        return "overdue"
    return "due" if review_by - on <= DUE_WITHIN else None


def missing_since(request: Request) -> dt.datetime:
    """Since when a field the desk's panel did not find is told to the experts."""
    return get_services(request).clock() - dt.timedelta(days=MISSING_FIELDS_DAYS)


def task_by_slug(session: Session, slug: str) -> Task:
    task = session.exec(select(Task).where(Task.slug == slug)).first()
    if task is None:
        raise NotFound("Er is geen taak '{slug}'.", params={"slug": slug})
    return task


def list_tasks(
    session: Session,
    *,
    domain: str = "",
    status: str = "",
    owner: str = "",
    review: str = "",
    on: dt.date,
) -> list[Task]:
    """Tasks by title, filtered: `review` is "due" (due within 30 days or overdue) or
    "overdue"; empty filters let everything through."""
    query = select(Task).order_by(Task.title)
    if domain:
        query = query.where(Task.domain == domain)
    if status:
        query = query.where(Task.status == status)
    if owner:
        query = query.where(Task.owner == owner)
    if review == "overdue":
        query = query.where(Task.review_by < on)
    elif review == "due":
        query = query.where(Task.review_by <= on + DUE_WITHIN)
    return list(session.exec(query).all())


def filter_choices(session: Session) -> dict[str, list[str]]:
    tasks = session.exec(select(Task.domain, Task.owner)).all()
    return {"domains": sorted({d for d, _ in tasks}), "owners": sorted({o for _, o in tasks})}


@router.get("/redactie", response_class=HTMLResponse)
def task_list(
    request: Request,
    session: SessionDep,
    today: TodayDep,
    who: Editor,
    domein: str = Query(default="", max_length=80),
    status: str = Query(default="", pattern="^(|draft|submitted|published)$"),
    eigenaar: str = Query(default="", max_length=300),
    controle: str = Query(default="", pattern="^(|due|overdue)$"),
) -> HTMLResponse:
    tasks = list_tasks(
        session, domain=domein, status=status, owner=eigenaar, review=controle, on=today
    )
    # Steps whose field the desk's panel did not find lately, and not republished since:
    # told on the page where experts start (not in a filter's answer, which leaves it out).
    unfound = set() if wants_fragment(request) else unfound_steps(session, missing_since(request))
    filters = {"domein": domein, "status": status, "eigenaar": eigenaar, "controle": controle}
    return page(
        request,
        "editor_list.html",
        "_editor_list.html",
        {
            "tasks": tasks,
            "filters": filters,
            "choices": filter_choices(session),
            "filtered": any(filters.values()),
            "unfound_fields": len(unfound),
        },
    )


@router.post("/redactie/voorbeeld", response_class=HTMLResponse)
def markdown_preview(
    who: Editor,
    tekst: Annotated[str, Form(max_length=MAX_PREVIEW)] = "",
) -> HTMLResponse:
    """The sanitised HTML of a Markdown text, as the panel and the pages will show it."""
    return HTMLResponse(
        Markup(markdown_to_html(tekst)) if tekst.strip() else "",
        headers={"Cache-Control": "no-store"},
    )
