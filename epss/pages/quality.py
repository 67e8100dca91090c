"""The quality officer's pages (/kwaliteit, role kwaliteit): one page per question with its
filters, a chart with the data table beside it, and a CSV export of the table
(`?format=csv`); "toon wat er op het scherm stond" for one event; and the events of one
case (an individual-level view: with a stated purpose, logged).

One URL serves the full page, or only the result htmx asked for (templates `_quality_*`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from epss import i18n
from epss.auth import Identity, Role, allow
from epss.catalog import newest_versions, published_fields
from epss.errors import EpssError, InvalidInput, NotFound
from epss.moments import LOCAL_TIME, moment, moment_of, moment_with_zone
from epss.pages import render, render_page
from epss.pages.privacy import TYPE_LABELS
from epss.privacy import events_of_case
from epss.quality import QUESTIONS, Table, answer, onscreen, parse_period
from epss.quality.table import shown_day
from epss.quality.wider import WiderView, wider_view
from epss.web.deps import NowDep, ServicesDep, SessionDep

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


@router.get("/kwaliteit/scherm", response_class=HTMLResponse)
def screen(
    request: Request,
    who: Officer,
    session: SessionDep,
    services: ServicesDep,
    present: NowDep,
    event: str = Query(default="", max_length=200),
    taak: str = Query(default="", max_length=200),
    datum: str = Query(default="", max_length=200),
    tijd: str = Query(default="", max_length=200),
    keer: str = Query(default="", max_length=10),
) -> HTMLResponse:
    """What was on screen: for a task at a moment in Dutch time (`taak`, `datum`, `tijd`;
    `keer=2` for the second 02:30 of the night summer time ends), or for one event."""
    translate = i18n.translator_for(request)
    context = {
        "section": "scherm",
        "questions": list(QUESTIONS.values()),
        "tasks": _task_choices(session),
        "form": {"taak": taak, "datum": datum, "tijd": tijd, "keer": keer},
        "event_ref": event,
        "mode": None,
        "found": None,
        "error": None,
        "errors": {},
        "zoned": lambda value, **kw: moment_with_zone(value, translate, **kw),
        "plain": moment,
        "type_label": lambda kind: translate(TYPE_LABELS.get(kind, kind)),
    }
    status = 200
    if event.strip():
        context["mode"] = "event"
        try:
            context["found"] = onscreen.on_screen(session, event)
        except EpssError as exc:
            context["error"], status = exc.in_language(translate), exc.status
    elif taak.strip() or datum.strip() or tijd.strip():
        context["mode"] = "moment"
        lookup = _moment_lookup(
            session, services.settings.min_group_size, present, taak, datum, tijd, keer == "2"
        )
        context.update(lookup.context(translate))
        status = lookup.status
    if context["found"] and context["found"].get("task"):
        context["steps"] = {
            s["id"]: (n, s["title"]) for n, s in enumerate(context["found"]["task"]["steps"], 1)
        }
        context["titles"] = dict(context["tasks"])
    return render_page(
        request, "quality_screen.html", "_quality_screen.html", context, status_code=status
    )


def _task_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of every published task, by title: the auditor chooses by title."""
    tasks = [(task["slug"], task["title"]) for task in published_fields(session, "title")]
    return sorted(tasks, key=lambda task: (task[1].casefold(), task[0]))


_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_EXAMPLE_DATE = "03-03-2026"
# A message of the form: Dutch text and what fills it in (translated on the page).
Message = tuple[str, dict]


@dataclass
class _Lookup:
    """The lookup by task and moment as the form shows it: the answer, or a message per
    field (`taak`, `datum`, `tijd`)."""

    found: dict | None = None
    errors: dict[str, Message] = field(default_factory=dict)
    status: int = 200
    seconds: bool = False  # the time was given to the second
    twice: bool = False  # the time occurred twice that night (summer time ended)
    second: bool = False  # ... and the second one is meant

    def context(self, translate) -> dict:
        errors = {
            name: translate(text).format(**params) for name, (text, params) in self.errors.items()
        }
        found = self.found
        within = None
        if found and not self.seconds:
            change = found["next"] or found["first"]
            if change and change["published_at"] < found["at"] + dt.timedelta(minutes=1):
                within = change
        return {
            "found": found,
            "errors": errors,
            "within_minute": within,
            "twice": self.twice,
            "second": self.second,
        }


def _moment_lookup(
    session: Session,
    minimum: int,
    present: dt.datetime,
    taak: str,
    datum: str,
    tijd: str,
    second: bool,
) -> _Lookup:
    lookup = _Lookup(second=second)
    errors = lookup.errors
    if not taak.strip():
        errors["taak"] = ("Kies een taak uit de lijst.", {})
    day = _dutch_date(datum.strip(), errors)
    time_of_day = _dutch_clock(tijd.strip(), errors)
    moment = None
    if day and time_of_day:
        lookup.seconds = tijd.count(":") + tijd.count(".") > 1
        moment = _dutch_moment(day, time_of_day, second, lookup, present)
    if not errors:
        try:
            lookup.found = onscreen.on_screen_at(
                session, taak, moment, minimum=minimum, present=present
            )
        except NotFound:
            errors["taak"] = (
                "Deze taak is niet (meer) gepubliceerd. Kies een taak uit de lijst.",
                {},
            )
    if errors:
        lookup.status = 404 if list(errors) == ["taak"] and taak.strip() else 422
    return lookup


def _dutch_date(text: str, errors: dict[str, Message]) -> dt.date | None:
    """A date as dd-mm-jjjj (also d-m-jjjj, with / or ., or jjjj-mm-dd)."""
    if not text:
        errors["datum"] = (
            "Vul een datum in als dd-mm-jjjj, bijvoorbeeld {example}.",
            {"example": _EXAMPLE_DATE},
        )
        return None
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        day, month, year = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        errors["datum"] = (
            "'{value}' is geen datum. Vul een datum in als dd-mm-jjjj, bijvoorbeeld {example}.",
            {"value": text[:20], "example": _EXAMPLE_DATE},
        )
        return None


def _dutch_clock(text: str, errors: dict[str, Message]) -> dt.time | None:
    """A time of day as uu:mm (or uu:mm:ss; a dot will do too)."""
    if not text:
        errors["tijd"] = ("Vul een tijd in als uu:mm, bijvoorbeeld 10:42.", {})
        return None
    match = _TIME.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        return dt.time(*(int(part) for part in match.groups(default="0")))
    except ValueError:
        errors["tijd"] = (
            "'{value}' is geen tijd. Vul een tijd in als uu:mm, bijvoorbeeld 10:42.",
            {"value": text[:20]},
        )
        return None


def _dutch_moment(
    day: dt.date, clock: dt.time, second: bool, lookup: _Lookup, present: dt.datetime
) -> dt.datetime | None:
    """The moment a Dutch clock showed `clock` on `day`. The hour skipped when summer time
    starts never happened; the hour repeated when it ends happened twice (the first, in
    summer time, unless `second`)."""
    errors = lookup.errors
    shown = {"date": day.strftime("%d-%m-%Y"), "time": clock.strftime("%H:%M")}
    if day < onscreen.FIRST_DAY:
        errors["datum"] = (
            "Kies een datum vanaf 01-01-2000: van eerder kan deze dienst geen versies hebben.",
            {},
        )
        return None
    wall = dt.datetime.combine(day, clock)
    first, other = (wall.replace(tzinfo=LOCAL_TIME, fold=fold) for fold in (0, 1))
    if first.astimezone(dt.UTC).astimezone(LOCAL_TIME).replace(tzinfo=None) != wall:
        errors["tijd"] = (
            "Het tijdstip {time} op {date} bestond in Nederland niet: die "
            "nacht ging de klok van 02:00 meteen naar 03:00 (de zomertijd "
            "begon). Kies een tijd vóór 02:00 of vanaf 03:00.",
            shown,
        )
        return None
    lookup.twice = first.utcoffset() != other.utcoffset()
    moment = other if lookup.twice and second else first
    try:
        return onscreen.check_moment(moment, present=present)
    except InvalidInput as exc:
        if exc.extra.get("reason") == "too_early":  # without time zone data: UTC
            errors["datum"] = (
                "Kies een datum vanaf 01-01-2000: van eerder kan deze dienst geen versies hebben.",
                {},
            )
            return None
        later_day = day > present.astimezone(LOCAL_TIME).date()
        errors["datum" if later_day else "tijd"] = (
            "{date} {time} ligt in de toekomst. Kies een moment tot nu.",
            shown,
        )
        return None


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
    tasks = [(task["slug"], task["title"]) for task in published_fields(session, "title")]
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
