""""Toon wat er op het scherm stond": from one event to the exact published version that
was on screen, and its text. Only the event's context is shown, never who it was."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from epss.catalog import published_version
from epss.errors import InvalidInput, NotFound
from epss.models import Event
from epss.render import render_version

EVENT = Event.__table__.c
SHOWN = ("seq", "id", "type", "occurred_at", "app", "url", "task_slug", "task_version",
         "step_id")


def on_screen(session: Session, ref: str) -> dict:
    """The event named by `ref` (its sequence number or its id) with the version it
    points to, rendered as the task page shows it. Raises NotFound (no such event, or the
    version is not known) or InvalidInput (an event without a task)."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("'event' is empty: give an event's number (seq) or id",
                           extra={"field": "event"})
    column = EVENT.seq if ref.isdigit() else EVENT.id
    value = int(ref) if ref.isdigit() else ref.lower()
    row = session.execute(select(*(EVENT[name] for name in SHOWN))
                          .where(column == value)).mappings().first()
    if row is None:
        raise NotFound(f"there is no event '{ref[:40]}' (retention may have removed it)",
                       extra={"field": "event"})
    event = dict(row)
    event["occurred_at"] = event["occurred_at"].isoformat()
    if not event["task_slug"] or not event["task_version"]:
        raise InvalidInput(f"event {event['seq']} ({event['type']}) names no task version: "
                           "nothing of the guidance was on screen for it",
                           extra={"field": "event", "event": event})
    version = published_version(session, event["task_slug"], event["task_version"])
    latest = published_version(session, event["task_slug"])
    return {"event": event, "version": version.number, "content_hash": version.content_hash,
            "published_at": version.published_at.isoformat(),
            "published_by": version.published_by,
            "url": f"/taken/{event['task_slug']}?versie={version.number}",
            "task": render_version(version, latest.number),
            "sources": {s["id"]: s for s in version.document.get("sources", [])}}
