"""The quality officer's questions as JSON (role kwaliteit): aggregated, every group of
fewer people than `min_group_size` hidden. The same answers as the pages under /kwaliteit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from epss.api.schemas import Moment
from epss.auth import Identity, Role, allow
from epss.moments import LOCAL_TIME
from epss.quality import QUESTIONS, answer, onscreen, parse_period
from epss.quality.individual import events_of
from epss.web.deps import NowDep, ServicesDep, SessionDep, TodayDep

router = APIRouter(prefix="/quality", tags=["quality"])
OFFICERS = [allow(Role.kwaliteit)]
_DAY = {"format": "date"}  # YYYY-MM-DD, read by epss.quality.period


@router.get("", dependencies=OFFICERS)
def questions() -> dict:
    """The questions that can be asked, each with its URL and the filters it takes."""
    return {
        "questions": [
            {
                "slug": q.slug,
                "title": q.title,
                "description": q.description,
                "url": f"/api/v1/quality/{q.slug}",
                "task": q.task,
                "interval": q.interval,
            }
            for q in QUESTIONS.values()
        ]
    }


class StepShown(BaseModel):
    id: str
    title: str
    instruction_html: str


class Publication(BaseModel):
    """A published version's facts; moments in ISO 8601 with offset (Dutch time)."""

    version: int
    content_hash: str = Field(description="SHA-256 of the version's canonical document.")
    published_at: Moment
    published_by: str
    approved_by: str | None = Field(
        description="The redacteur who reviewed and published it; null when none was recorded."
    )
    submitted_by: str | None = Field(description="Who submitted it for review.")
    edited_by: list[str] = Field(description="Who changed the draft since the version before.")
    import_unreviewed: bool = Field(description="Published at import, without review.")
    url: str = Field(description="The version's task page.")
    title: str
    steps: list[StepShown] = Field(description="The steps as shown: sanitised HTML.")


class EventShown(BaseModel):
    seq: int
    id: str
    type: str
    occurred_at: Moment
    app: str
    url: str
    task_slug: str
    task_version: int
    step_id: str | None


class EventOnScreen(Publication):
    event: EventShown


class VersionCount(BaseModel):
    """One version's use that day; the counts are null when fewer than `min_group_size`
    people used it (a zero is never hidden)."""

    version: int
    consultations: int | None = Field(description="Task opened or viewed.")
    events: int | None = Field(description="Every event that carries the version.")
    people: int | None = Field(description="Distinct pseudonyms.")


class DayCounts(BaseModel):
    date: dt.date = Field(description="The day in Dutch time (Europe/Amsterdam).")
    since: Moment = Field(alias="from", description="First moment counted.")
    until: Moment = Field(description="First moment after the day (not counted).")
    basis: str = Field(
        description="events: exact; daily: retention removed the events and "
        "the daily counts of the UTC day are given (people a lower bound); "
        "partial: retention removed the first hours (a lower bound)."
    )
    min_group_size: int
    hidden_groups: int
    this_version: VersionCount
    versions: list[VersionCount]

    model_config = {"populate_by_name": True}


class First(BaseModel):
    version: int
    published_at: Moment


class OnScreenAt(BaseModel):
    """The version of a task published at a moment (null when it was not yet published),
    its text, the version that replaced it, and that day's use per version."""

    task: str
    title: str
    at: Moment
    time_zone: str = "Europe/Amsterdam"
    version: int | None
    publication: Publication | None
    next: First | None = Field(description="The version that replaced it, and when.")
    first: First | None = Field(
        description="When the task was not yet published: its first publication."
    )
    day: DayCounts | None


def _iso(moment: dt.datetime) -> dt.datetime:
    """A moment with the Dutch offset of that moment (ISO 8601 with offset in the answer)."""
    return moment.astimezone(LOCAL_TIME)


def _publication(found: dict) -> dict:
    task = found["task"]
    return {
        **{
            k: found[k]
            for k in (
                "version",
                "content_hash",
                "published_by",
                "approved_by",
                "submitted_by",
                "edited_by",
                "import_unreviewed",
                "url",
            )
        },
        "published_at": _iso(found["published_at"]),
        "title": task["title"],
        "steps": [
            {"id": s["id"], "title": s["title"], "instruction_html": s["instruction_html"]}
            for s in task["steps"]
        ],
    }


_ERRORS = {
    401: {"description": "Not logged in."},
    403: {"description": "The role kwaliteit is needed."},
}


@router.get(
    "/on-screen",
    dependencies=OFFICERS,
    response_model=OnScreenAt,
    response_model_by_alias=True,
    responses={
        **_ERRORS,
        404: {"description": "No published task `task` (the answer's `field`)."},
        422: {
            "description": "`task` or `at` missing or wrong, named in `field`: "
            "`at` must be ISO 8601 with offset, from 2000-01-01, not in the "
            "future."
        },
    },
)
def on_screen_at(
    session: SessionDep,
    services: ServicesDep,
    present: NowDep,
    task: str = Query(default="", max_length=200, description="The task's slug."),
    at: str = Query(
        default="",
        max_length=100,
        description="The moment, ISO 8601 with offset, e.g. 2026-03-03T10:42:00+01:00.",
    ),
) -> dict:
    """Which version of `task` was published at moment `at` (role kwaliteit): the newest
    version published at or before it, with its content hash, publication details and
    text, and how often each version of the task was used that day (the day in Dutch
    time; groups of fewer than `min_group_size` people hidden). Changes nothing."""
    onscreen.published_task(session, task)  # the task is named first, then the moment
    moment = onscreen.parse_at(at)
    found = onscreen.on_screen_at(
        session, task, moment, minimum=services.settings.min_group_size, present=present
    )
    day = found["day"]
    return {
        "task": found["slug"],
        "title": found["title"],
        "at": _iso(found["at"]),
        "version": found["version"],
        "publication": _publication(found) if found["version"] else None,
        "next": found["next"]
        and {**found["next"], "published_at": _iso(found["next"]["published_at"])},
        "first": found["first"]
        and {**found["first"], "published_at": _iso(found["first"]["published_at"])},
        "day": day
        and {
            "date": day["date"],
            "from": _iso(day["since"]),
            "until": _iso(day["until"]),
            "basis": day["basis"],
            "min_group_size": day["min_group_size"],
            "hidden_groups": day["hidden"],
            "this_version": day["this_version"],
            "versions": day["rows"],
        },
    }


@router.get(
    "/on-screen/{ref}",
    dependencies=OFFICERS,
    response_model=EventOnScreen,
    responses={
        **_ERRORS,
        404: {"description": "No such event, or its version is not known."},
        422: {"description": "An event without a task version."},
    },
)
def what_was_on_screen(ref: str, session: SessionDep) -> dict:
    """An event (by its number `seq` or its id) with the exact published version that was on
    screen: version number, content hash, its task page URL and the rendered steps."""
    found = onscreen.on_screen(session, ref)
    event = found["event"]
    return {**_publication(found), "event": {**event, "occurred_at": _iso(event["occurred_at"])}}


@router.get("/individual/{actor}")
def individual(
    actor: str,
    session: SessionDep,
    today: TodayDep,
    who: Annotated[Identity, allow(Role.kwaliteit)],
    purpose: str = Query(
        default="",
        max_length=1000,
        description="Why you look at one person's events (required; recorded with your name).",
    ),
    start: str | None = Query(default=None, alias="from", max_length=20, json_schema_extra=_DAY),
    end: str | None = Query(default=None, alias="to", max_length=20, json_schema_extra=_DAY),
) -> dict:
    """The events of one pseudonym: an individual-level view. Only with a stated
    `purpose`; each look is recorded (visible to the admin) before anything is shown."""
    period = parse_period(start, end, today=today)
    return events_of(session, actor.strip().lower(), period, viewer=who.name, purpose=purpose)


@router.get("/{question}", dependencies=OFFICERS)
def ask(
    question: str,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    start: str | None = Query(
        default=None,
        alias="from",
        max_length=20,
        json_schema_extra=_DAY,
        description="First day, YYYY-MM-DD (default: 30 days ago).",
    ),
    end: str | None = Query(
        default=None,
        alias="to",
        max_length=20,
        json_schema_extra=_DAY,
        description="Last day, YYYY-MM-DD (default: today).",
    ),
    task: str | None = Query(default=None, max_length=80),
    interval: str = Query(default="day", max_length=10),
) -> dict:
    """The answer to one question: columns and rows; a hidden count is null, and
    `hidden_groups` says how many groups were hidden for having fewer than
    `min_group_size` people."""
    today = services.today()
    period = parse_period(start, end, today=today)
    table = answer(
        session,
        question,
        period,
        services.settings.min_group_size,
        today=today,
        task=task,
        interval=interval,
    )
    return {**period.as_dict(), **table.as_json()}
