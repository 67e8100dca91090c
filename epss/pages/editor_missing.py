"""The experts' list of steps whose field the desk's panel could not find on the screen, or
found only by what it looked like (/redactie/velden): a release of the case software that
renamed or moved a field shows here, per step and case software, with one click to the
step to fix its field."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from epss.drafts.field_reports import MISSING_FIELDS_DAYS, field_reports
from epss.models import HostApp
from epss.moments import moment
from epss.pages.editor import Editor, missing_since, page
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/redactie/velden", response_class=HTMLResponse)
def missing_fields_page(request: Request, session: SessionDep, who: Editor) -> HTMLResponse:
    since = missing_since(request)
    apps = dict(session.exec(select(HostApp.id, HostApp.name)).all())
    rows = [
        {**vars(found), "app_name": apps.get(found.app, found.app)}
        for found in field_reports(session, since)
    ]
    return page(
        request,
        "editor_missing.html",
        "editor_missing.html",
        {
            "missing": [r for r in rows if not r["moved"]],
            "moved": [r for r in rows if r["moved"]],
            "days": MISSING_FIELDS_DAYS,
            "moment": moment,
            "section": "velden",
        },
    )
