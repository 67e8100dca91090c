"""The quality officer's questions as JSON (role kwaliteit): aggregated, every group of
fewer people than `min_group_size` hidden. The same answers as the pages under /kwaliteit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from epss.api.deps import ServicesDep, SessionDep
from epss.auth import Identity, Role, allow
from epss.quality import QUESTIONS, answer, parse_period
from epss.quality import period as clock
from epss.quality.individual import events_of
from epss.quality.onscreen import on_screen

router = APIRouter(prefix="/quality", tags=["quality"])
OFFICERS = [allow(Role.kwaliteit)]


@router.get("", dependencies=OFFICERS)
def questions() -> dict:
    """The questions that can be asked, each with its URL and the filters it takes."""
    return {"questions": [
        {"slug": q.slug, "title": q.title, "description": q.description,
         "url": f"/api/v1/quality/{q.slug}", "task": q.task, "interval": q.interval}
        for q in QUESTIONS.values()]}


@router.get("/on-screen/{ref}", dependencies=OFFICERS)
def what_was_on_screen(ref: str, session: SessionDep) -> dict:
    """An event (by its number `seq` or its id) with the exact published version that was on
    screen: version number, content hash, its task page URL and the rendered steps."""
    found = on_screen(session, ref)
    task = found.pop("task")
    found.pop("sources")
    found["title"] = task["title"]
    found["steps"] = [{"id": s["id"], "title": s["title"],
                       "instruction_html": s["instruction_html"]} for s in task["steps"]]
    return found


@router.get("/individual/{actor}")
def individual(actor: str, session: SessionDep, who: Annotated[Identity, allow(Role.kwaliteit)],
               purpose: str = Query(default="", max_length=1000,
                                    description="Why you look at one person's events "
                                    "(required; recorded with your name)."),
               start: str | None = Query(default=None, alias="from", max_length=20),
               end: str | None = Query(default=None, alias="to", max_length=20)) -> dict:
    """The events of one pseudonym: an individual-level view. Only with a stated
    `purpose`; each look is recorded (visible to the admin) before anything is shown."""
    period = parse_period(start, end, today=clock.today())
    return events_of(session, actor.strip().lower(), period, viewer=who.name, purpose=purpose)


@router.get("/{question}", dependencies=OFFICERS)
def ask(question: str, request: Request, session: SessionDep, services: ServicesDep,
        start: str | None = Query(default=None, alias="from", max_length=20,
                                  description="First day, YYYY-MM-DD (default: 30 days ago)."),
        end: str | None = Query(default=None, alias="to", max_length=20,
                                description="Last day, YYYY-MM-DD (default: today)."),
        task: str | None = Query(default=None, max_length=80),
        interval: str = Query(default="day", max_length=10)) -> dict:
    """The answer to one question: columns and rows; a hidden count is null, and
    `hidden_groups` says how many groups were hidden for having fewer than
    `min_group_size` people."""
    today = clock.today()
    period = parse_period(start, end, today=today)
    table = answer(session, question, period, services.settings.min_group_size, today=today,
                   task=task, interval=interval)
    return {**period.as_dict(), **table.as_json()}
