"""The quality officer's pages (/kwaliteit, role kwaliteit): one page per question with its
filters, a chart with the data table beside it, and a CSV export of the table
(`?format=csv`); "toon wat er op het scherm stond" for one event; and the events of one
case (an individual-level view: with a stated purpose, logged).

One URL serves the full page, or only the result htmx asked for (templates `_quality_*`).
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from epss import i18n
from epss.api.deps import ServicesDep, SessionDep
from epss.auth import Identity, Role, allow
from epss.catalog import newest_versions
from epss.errors import EpssError
from epss.pages import render
from epss.pages.inbox import moment_of
from epss.privacy import events_of_case
from epss.quality import QUESTIONS, Table, answer, parse_period
from epss.quality import period as clock
from epss.quality.onscreen import on_screen

router = APIRouter(include_in_schema=False)
Officer = Annotated[Identity, allow(Role.kwaliteit)]


def _page(request: Request, full: str, fragment: str, context: dict,
          status_code: int = 200) -> HTMLResponse:
    wants_fragment = (bool(request.headers.get("hx-request"))
                      and not request.headers.get("hx-history-restore-request"))
    return render(request, fragment if wants_fragment else full, context,
                  status_code=status_code, headers={"Vary": "HX-Request"})


@router.get("/kwaliteit", response_class=HTMLResponse)
def overview(request: Request, who: Officer, services: ServicesDep) -> HTMLResponse:
    return render(request, "quality_index.html", {
        "questions": list(QUESTIONS.values()), "section": "overzicht",
        "minimum": services.settings.min_group_size})


@router.get("/kwaliteit/scherm", response_class=HTMLResponse)
def screen(request: Request, who: Officer, session: SessionDep,
           event: str = Query(default="", max_length=64)) -> HTMLResponse:
    """What was on screen for one event: the exact version, rendered as the task page."""
    found, error = None, None
    if event.strip():
        try:
            found = on_screen(session, event)
        except EpssError as exc:
            error = exc
    return _page(request, "quality_screen.html", "_quality_screen.html", {
        "section": "scherm", "event_ref": event, "found": found, "error": error,
        "questions": list(QUESTIONS.values())}, status_code=error.status if error else 200)


@router.get("/kwaliteit/zaak", response_class=HTMLResponse)
def case_form(request: Request, who: Officer) -> HTMLResponse:
    return _case_page(request, {})


# The form's words for what the lookup refuses (its messages name the API's fields).
CASE_FORM_FIELDS = {"ref": "zaak", "purpose": "doel"}
CASE_FORM_ERRORS = {
    "ref": "Vul een zaaknummer in van hoogstens 100 tekens, bijvoorbeeld Z-2026-000101.",
    "purpose": "Vul het doel van deze inzage in: waarom bekijkt u de gebeurtenissen van "
               "deze zaak?",
}


# POST, so the case number stays out of addresses, browser history and access logs.
@router.post("/kwaliteit/zaak", response_class=HTMLResponse)
def case_lookup(request: Request, who: Officer, session: SessionDep, services: ServicesDep,
                zaak: Annotated[str, Form()] = "",
                doel: Annotated[str, Form()] = "") -> HTMLResponse:
    """The events recorded with one case reference; the look is logged with its purpose
    before anything is shown."""
    try:
        events = events_of_case(session, services.settings, zaak, viewer=who.name,
                                purpose=doel, what="events of a case (/kwaliteit/zaak)")["events"]
    except EpssError as exc:
        field = exc.extra.get("field")
        return _case_page(request, {"zaak": zaak, "doel": doel, "error": exc,
                                    "wrong": CASE_FORM_FIELDS.get(field),
                                    "message": CASE_FORM_ERRORS.get(field, exc.detail)},
                          status_code=exc.status)
    return _case_page(request, {"zaak": zaak, "doel": doel, "events": events})


def _case_page(request: Request, context: dict, status_code: int = 200) -> HTMLResponse:
    return _page(request, "quality_case.html", "_quality_case.html", {
        "section": "zaak", "questions": list(QUESTIONS.values()), "zaak": "", "doel": "",
        "events": None, "error": None, "wrong": None, **context,
        "when": moment_of}, status_code=status_code)


@router.get("/kwaliteit/{question}", response_class=HTMLResponse)
def question_page(request: Request, question: str, who: Officer, session: SessionDep,
                  services: ServicesDep,
                  start: str | None = Query(default=None, alias="from", max_length=20),
                  end: str | None = Query(default=None, alias="to", max_length=20),
                  taak: str | None = Query(default=None, max_length=80),
                  interval: str = Query(default="day", max_length=10),
                  format: str = Query(default="html", max_length=10)) -> Response:
    """One question: filters, chart and table; `?format=csv` gives the table as CSV."""
    asked = QUESTIONS.get(question)
    today = clock.today()
    minimum = services.settings.min_group_size
    table, error, period = None, None, None
    try:
        period = parse_period(start, end, today=today)
        table = answer(session, question, period, minimum, today=today, task=taak,
                       interval=interval)
    except EpssError as exc:
        if asked is None or format == "csv":
            raise
        error = exc
    if format == "csv":
        translate = i18n.translator(i18n.language_of(request))
        name = f"kwaliteit-{question}-{period.start}-{period.end}.csv"
        return Response("\ufeff" + table.as_csv(translate), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    tasks = [(v.document["slug"], v.document["title"]) for v in newest_versions(session)]
    filters = {"from": start or (period.start.isoformat() if period else ""),
               "to": end or (period.end.isoformat() if period else ""),
               "taak": taak or "", "interval": interval}
    return _page(request, "quality_question.html", "_quality_result.html", {
        "q": asked, "section": question, "table": table, "error": error, "filters": filters,
        "tasks": tasks, "minimum": minimum, "questions": list(QUESTIONS.values()),
        "chart": _chart(table, request) if table else None,
        "csv_url": _csv_url(request)}, status_code=error.status if error else 200)


def _csv_url(request: Request) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items()
              if k not in ("format", "lang") and v]
    return f"{request.url.path}?{urlencode([*params, ('format', 'csv')])}"


def _chart(table: Table, request: Request) -> str | None:
    """The chart's data as JSON for quality.js: labels and one series per value column; a
    hidden count is null (a gap)."""
    if not table.chart or not table.rows:
        return None
    translate = i18n.translator(i18n.language_of(request))
    by_key = {c.key: c for c in table.columns}
    return json.dumps({
        "type": table.chart["kind"],
        "labels": [str(row.get(table.chart["label"]) or "") for row in table.rows],
        "datasets": [{"label": translate(by_key[key].label),
                      "data": [row.get(key) for row in table.rows]}
                     for key in table.chart["values"]],
    }, ensure_ascii=False)
