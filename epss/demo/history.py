"""Three weeks of desk use for the demo, so the quality pages have something to show: ten
fictional employees in two teams consult the shipped tasks, through the real event store
(keyed pseudonyms, the hash chain). Made once, in a database that holds no events yet."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from epss.events.batch import MAX_BATCH_EVENTS, parse_batch
from epss.events.store import store_events
from epss.models import Event

DAYS = 21
TEAMS = ("Burgerzaken Stadswinkel", "Burgerzaken Wijkpost Noord")
PEOPLE = [(f"balie{n:02d}", TEAMS[n % 2]) for n in range(1, 11)]
# Questions the guidance does not answer yet (they show as content gaps).
GAPS = ("naturalisatie ceremonie", "vog aanvragen", "nooddocument schiphol")


def seed_history(
    engine: Engine, *, secret_key: str, app: str, origin: str, tasks: list[dict], now: dt.datetime
) -> int:
    """Store the demo's past events (none when any event exists); returns how many."""
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(Event)).scalar():
            return 0
    events = _events(random.Random(2026), app, origin, tasks, now)
    with engine.begin() as connection:
        for start in range(0, len(events), MAX_BATCH_EVENTS):
            raw = json.dumps({"events": events[start : start + MAX_BATCH_EVENTS]})
            batch = parse_batch(raw, now=now, is_known_app=lambda _app: True, store_free_text=False)
            store_events(connection, batch, secret_key=secret_key, received_at=now)
    return len(events)


def _events(
    rng: random.Random, app: str, origin: str, tasks: list[dict], now: dt.datetime
) -> list[dict]:
    events: list[dict] = []
    for day in range(DAYS, 0, -1):
        morning = (now - dt.timedelta(days=day)).replace(hour=8, minute=30, second=0)
        for user, team in PEOPLE:
            moment = morning + dt.timedelta(minutes=rng.randrange(0, 480))
            for _ in range(rng.randrange(0, 3)):
                task = rng.choice(tasks)
                base = {
                    "app": app,
                    "url": origin + task["url"],
                    "user": user,
                    "team": team,
                    "task_slug": task["slug"],
                    "task_version": task["version"],
                }
                visit = _visit(rng, task["steps"], moment)
                events += [{**base, **event} for event in visit]
                moment = dt.datetime.fromisoformat(visit[-1]["occurred_at"])
    return events


def _visit(rng: random.Random, steps: list[str], moment: dt.datetime) -> list[dict]:
    """One consultation of a task: the panel, the task, and its steps until the person
    stops (more do the further a task goes); a deviation now and then, a search in vain."""
    events: list[dict] = []

    def add(kind: str, step: str | None = None, **details) -> None:
        nonlocal moment
        moment += dt.timedelta(seconds=rng.randrange(5, 90))
        events.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "type": kind,
                "occurred_at": moment.isoformat(),
                "step_id": step,
                "details": details or None,
            }
        )

    add("panel_opened")
    add("task_viewed", source="rule")
    for position, step in enumerate(steps):
        if rng.random() < 0.04 * position:
            break
        add("step_viewed", step)
        if rng.random() < 0.05:
            add("step_deviated", step)
        elif rng.random() < 0.85:
            add("step_checked", step)
    if rng.random() < 0.15:
        add("search", results=0, query=rng.choice(GAPS))
    return events
