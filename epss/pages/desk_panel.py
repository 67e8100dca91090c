"""The standalone panel (/paneel), for desks whose case software is not a web page (Citrix,
a desktop client): the employee picks the task, or a link opens it by zaaktype, and the same
help panel as in the case software stands beside it, with its progress per case and events
under a host application of its own."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from epss.auth import PUBLIC, identify
from epss.catalog import published_fields
from epss.hostapps import STANDALONE_PANEL_APP
from epss.pages import render
from epss.web.deps import SessionDep

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get("/paneel", response_class=HTMLResponse)
def standalone_panel(
    request: Request,
    session: SessionDep,
    taak: str = Query(default="", max_length=80),
    zaaktype: str = Query(default="", max_length=300),
    zaak: str = Query(default="", max_length=80),
) -> HTMLResponse:
    """`taak` (a task's id) or `zaaktype` chooses the task; `zaak` is the case, so the
    ticks are kept per case (only in this browser)."""
    tasks = [
        {"zaaktypen": [], **task}
        for task in published_fields(session, "title", "domain", "zaaktypen")
    ]
    by_slug = {t["slug"]: t for t in tasks}
    for_zaaktype = [t for t in tasks if zaaktype.strip() and zaaktype.strip() in t["zaaktypen"]]
    chosen = by_slug.get(taak) or (for_zaaktype[0] if len(for_zaaktype) == 1 else None)
    domains: dict[str, list[dict]] = {}
    for task in sorted(tasks, key=lambda t: t["title"].casefold()):
        domains.setdefault(task["domain"], []).append(task)
    me = identify(request)
    return render(
        request,
        "paneel.html",
        {
            "domains": sorted(domains.items()),
            "chosen": chosen,
            "zaaktype": zaaktype.strip(),
            # Several tasks for one zaaktype: the employee picks among them.
            "for_zaaktype": for_zaaktype if chosen is None else [],
            "unknown_task": bool(taak) and taak not in by_slug,
            "case": zaak.strip(),
            "app": STANDALONE_PANEL_APP,
            "user": me.name if me else "",
            "team": (me.team or "") if me else "",
        },
    )
