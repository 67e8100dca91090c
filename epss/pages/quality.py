"""The quality officer's pages (/kwaliteit, role kwaliteit): one page per question with its
filters, a chart with the data table beside it, and a CSV export of the table
(`?format=csv`); and the events of one case (an individual-level view: with a stated
purpose, logged). What was on screen at a moment is epss.pages.quality_screen.

One URL serves the full page, or only the result htmx asked for (templates `_quality_*`).
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from epss import i18n
from epss.auth import Identity, Role, allow
from epss.catalog import newest_versions, published_titles
from epss.errors import EpssError
from epss.moments import moment_of
from epss.pages import render, render_page
from epss.pages.privacy import TYPE_LABELS
from epss.privacy import events_of_case
from epss.quality import QUESTIONS, Table, answer, parse_period
from epss.quality.table import shown_day
from epss.quality.wider import WiderView, wider_view
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(include_in_schema=False)
Officer = Annotated[Identity, allow(Role.kwaliteit)]


@router.get("/kwaliteit", response_class=HTMLResponse)
def overview(request: Request, who: Officer, services: ServicesDep) -> HTMLResponse:
    return render(
        request,
        "quality_index.html",
        {
            "questions": list(QUESTIONS.values()),
            "section": "overzicht",
            "minimum": services.settings.min_group_size,
        },
    )


@router.get("/kwaliteit/zaak", response_class=HTMLResponse)
def case_form(request: Request, who: Officer) -> HTMLResponse:
    return _case_page(request, {})


# The form's words for what the lookup refuses (its messages name the API's fields).
CASE_FORM_FIELDS = {"ref": "zaak", "purpose": "doel"}
CASE_FORM_ERRORS = {
    "ref": "Vul een zaaknummer in van hoogstens 100 tekens, bijvoorbeeld Z-2026-000101.",
    "purpose": "Vul het doel van deze inzage in: waarom bekijkt u de gebeurtenissen van deze zaak?",
}


# POST, so the case number stays out of addresses, browser history and access logs.
@router.post("/kwaliteit/zaak", response_class=HTMLResponse)
def case_lookup(
    request: Request,
    who: Officer,
    session: SessionDep,
    services: ServicesDep,
    zaak: Annotated[str, Form()] = "",
    doel: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The events recorded with one case reference; the look is logged with its purpose
    before anything is shown."""
    try:
        events = events_of_case(
            session,
            services.settings,
            zaak,
            viewer=who.name,
            purpose=doel,
            what="gebeurtenissen van een zaak (/kwaliteit/zaak)",
        )["events"]
    except EpssError as exc:
        field = exc.extra.get("field")
        return _case_page(
            request,
            {
                "zaak": zaak,
                "doel": doel,
                "error": exc,
                "wrong": CASE_FORM_FIELDS.get(field),
                "message": CASE_FORM_ERRORS.get(field, exc.detail),
            },
            status_code=exc.status,
        )
    names = {}  # what a person knows them by: task and step titles
    for version in newest_versions(session):
        names[version.document["slug"]] = version.document["title"]
        names |= {
            (version.document["slug"], step["id"]): step["title"]
            for step in version.document["steps"]
        }
    return _case_page(
        request,
        {
            "zaak": zaak,
            "doel": doel,
            "events": events,
            "names": names,
            "type_label": lambda kind: TYPE_LABELS.get(kind, kind),
        },
    )


def _case_page(request: Request, context: dict, status_code: int = 200) -> HTMLResponse:
    return render_page(
        request,
        "quality_case.html",
        "_quality_case.html",
        {
            "section": "zaak",
            "questions": list(QUESTIONS.values()),
            "zaak": "",
            "doel": "",
            "events": None,
            "error": None,
            "wrong": None,
            **context,
            "when": moment_of,
        },
        status_code=status_code,
    )


@router.get("/kwaliteit/{question}", response_class=HTMLResponse)
def question_page(
    request: Request,
    question: str,
    who: Officer,
    session: SessionDep,
    services: ServicesDep,
    start: str | None = Query(default=None, alias="from", max_length=20),
    end: str | None = Query(default=None, alias="to", max_length=20),
    taak: str | None = Query(default=None, max_length=80),
    interval: str = Query(default="day", max_length=10),
    format: str = Query(default="html", max_length=10),
) -> Response:
    """One question: filters, chart and table; `?format=csv` gives the table as CSV."""
    asked = QUESTIONS.get(question)
    today = services.today()
    minimum = services.settings.min_group_size
    table, error, period = None, None, None
    try:
        period = parse_period(start, end, today=today)
        table = answer(
            session, question, period, minimum, today=today, task=taak, interval=interval
        )
    except EpssError as exc:
        if asked is None or format == "csv":
            raise
        error = exc
    if format == "csv":
        translate = i18n.translator_for(request)
        name = f"kwaliteit-{question}-{period.start}-{period.end}.csv"
        return Response(
            "\ufeff" + table.as_csv(translate),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    tasks = list(published_titles(session).items())
    wider = None
    if table is not None and period is not None:
        wider = wider_view(
            session, question, period, minimum, table, today=today, task=taak, interval=interval
        )
    filters = {
        "from": start or (period.start.isoformat() if period else ""),
        "to": end or (period.end.isoformat() if period else ""),
        "taak": taak or "",
        "interval": interval,
    }
    return render_page(
        request,
        "quality_question.html",
        "_quality_result.html",
        {
            "q": asked,
            "section": question,
            "table": table,
            "error": error,
            "filters": filters,
            "tasks": tasks,
            "minimum": minimum,
            "questions": list(QUESTIONS.values()),
            "chart": _chart(table, request) if table else None,
            "shown_day": shown_day,
            "csv_url": _csv_url(request),
            "wider": wider and {"view": wider, "url": _wider_url(request, wider)},
        },
        status_code=error.status if error else 200,
    )


def _wider_url(request: Request, wider: WiderView) -> str:
    """This page over the wider view's period and task, the other filters kept."""
    kept = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("from", "to", "taak", "format") and v
    ]
    chosen = [*wider.period.as_dict().items(), *([("taak", wider.task)] if wider.task else [])]
    return f"{request.url.path}?{urlencode([*kept, *chosen])}"


def _csv_url(request: Request) -> str:
    params = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("format", "lang") and v
    ]
    return f"{request.url.path}?{urlencode([*params, ('format', 'csv')])}"


def _chart(table: Table, request: Request) -> str | None:
    """The chart's data as JSON for quality.js: labels and one series per value column; a
    hidden count is null (a gap)."""
    rows = table.rows_with_figures
    if not table.chart or not rows:
        return None
    translate = i18n.translator_for(request)
    by_key = {c.key: c for c in table.columns}
    label = table.chart["label"]  # a column, or columns whose words make the label together
    label_keys = [label] if isinstance(label, str) else label
    return json.dumps(
        {
            "type": table.chart["kind"],
            "labels": [
                ": ".join(table.cell(row, by_key[key], translate) for key in label_keys)
                for row in rows
            ],
            "datasets": [
                {
                    "label": translate(by_key[key].label),
                    "data": [row.get(key) for row in rows],
                }
                for key in table.chart["values"]
            ],
        },
        ensure_ascii=False,
    )
