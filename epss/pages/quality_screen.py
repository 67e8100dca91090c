"""The auditor's lookup "Wat stond er op het scherm" (/kwaliteit/scherm): the version of a
task published at a moment given in Dutch time, across both summer-time changes (the hour
that never happened is refused, the hour that happened twice is asked about), with that
day's use per version; or what one event showed. Every wrong field is named at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from epss import i18n
from epss.catalog import published_titles
from epss.errors import EpssError, InvalidInput, NotFound
from epss.moments import LOCAL_TIME, moment, moment_with_zone
from epss.pages import render_page
from epss.pages.privacy import TYPE_LABELS
from epss.pages.quality import Officer
from epss.quality import QUESTIONS, onscreen
from epss.web.deps import NowDep, ServicesDep, SessionDep

router = APIRouter(include_in_schema=False)


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
    tasks = published_titles(session).items()
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
