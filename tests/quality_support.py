"""Realistic events for the quality tests, written through the one writer of events."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from epss.db import unit_of_work
from epss.events import parse_batch
from epss.models import Feedback
from epss.services import Services

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
APP = "demo-zaaksysteem"
PASPOORT = "reisdocument-aanvragen"
GEBOORTE = "aangifte-geboorte"


def ev(
    type_: str,
    user: str | None,
    day: int,
    *,
    task: str | None = PASPOORT,
    step: str | None = None,
    team: str | None = "Balie A",
    version: int | None = 1,
    minute: int = 0,
    **details,
) -> dict:
    """One event on 2026-11-`day`."""
    event = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "app": APP,
        "occurred_at": f"2026-11-{day:02d}T09:{minute:02d}:00+00:00",
        "url": "https://zaken.example/zaak/123456789/paspoort?bsn=1",
        "task_slug": task,
        "task_version": version if task else None,
        "step_id": step,
        "user": user,
        "team": team,
        "details": details or None,
    }
    return {k: v for k, v in event.items() if v is not None}


def record(services: Services, events: list[dict], *, store_free_text: bool = True) -> None:
    batch = parse_batch(
        json.dumps({"events": events}),
        now=NOW,
        is_known_app=lambda _: True,
        store_free_text=store_free_text,
    )
    services.event_writer.record(batch, secret_key=services.settings.secret_key, received_at=NOW)


def morning(services: Services) -> None:
    """A morning of desk work: six people in Balie A use the passport task (the first step
    reached by all six and checked by five, the second reached by four); four people in
    Balie B use the birth task; searches, some finding nothing; deviations with reasons."""
    six = [f"medewerker{n}" for n in range(1, 7)]
    four = [f"collega{n}" for n in range(1, 5)]
    events = []
    for n, user in enumerate(six):
        day = 2 + n  # 2..7 November
        events += [
            ev("panel_opened", user, day),
            ev("task_viewed", user, day, source="rule"),
            ev("step_viewed", user, day, step="ontvang-aanvrager", minute=1),
        ]
        if n < 5:
            events.append(ev("step_checked", user, day, step="ontvang-aanvrager", minute=2))
            events.append(
                ev(
                    "step_deviated",
                    user,
                    day,
                    step="beoordeel-pasfoto",
                    minute=4,
                    reason="Pasfoto-automaat kapot" if n < 3 else "Klant had haast",
                )
            )
            events.append(
                ev(
                    "search",
                    user,
                    day,
                    task=None,
                    minute=5,
                    query="Naamskeuze buitenland ",
                    results=0,
                )
            )
        if n < 4:
            events.append(
                ev("step_viewed", user, day, step="controleer-echtheid-document", minute=3)
            )
    for n, user in enumerate(four):
        events += [
            ev("task_viewed", user, 10 + n, task=GEBOORTE, team="Balie B"),
            ev("search", user, 10 + n, task=None, team="Balie B", query="bsn kind", results=1),
        ]
    record(services, events)


def add_feedback(services: Services) -> None:
    """Five people's feedback on the passport task, four handled after 2, 4, 6 and 8 hours
    (median 5), one open; two people's on the birth task."""
    start = dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC)
    with unit_of_work(services.engine) as session:
        for n, hours in enumerate([2, 4, 6, 8, None]):
            session.add(
                Feedback(
                    id=str(uuid.uuid4()),
                    task_slug=PASPOORT,
                    task_version=1,
                    kind="onduidelijk",
                    actor=f"actor{n}",
                    created_at=start,
                    status="new" if hours is None else "accepted",
                    handled_at=start + dt.timedelta(hours=hours) if hours else None,
                )
            )
        for n in range(2):
            session.add(
                Feedback(
                    id=str(uuid.uuid4()),
                    task_slug=GEBOORTE,
                    task_version=1,
                    kind="klopt_niet",
                    actor=f"other{n}",
                    created_at=start,
                )
            )
