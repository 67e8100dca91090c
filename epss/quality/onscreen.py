""" "Wat stond er op het scherm?": the exact published version that was on screen, and its
text, found from one event or from a task and a moment. Only the event's context and
aggregated counts are shown, never who it was.

Moments go in and come out as aware datetimes (UTC); the web layers write them in Dutch
time or as ISO 8601 with offset. Messages are Dutch, with `params` for translation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from epss.catalog import published_version
from epss.clock import iso
from epss.errors import InvalidInput, NotFound
from epss.models import Event, Task, TaskVersion, table_of
from epss.quality.day_counts import version_day
from epss.render import render_version

MAX_SEQ = 2**63 - 1  # the largest event number a database can hold

EVENT = table_of(Event).c
SHOWN = ("seq", "id", "type", "occurred_at", "app", "url", "task_slug", "task_version", "step_id")
# No version of anything can have been published before this service existed; earlier
# moments are typing errors (and 0001-01-01 cannot even be written in every time zone).
# 01-01-2000 00:00 in Dutch time.
EARLIEST = dt.datetime(1999, 12, 31, 23, 0, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2000, 1, 1)
EXAMPLE = "2026-03-03T10:42:00+01:00"


def on_screen(session: Session, ref: str) -> dict[str, Any]:
    """The event named by `ref` (its sequence number or its id) with the version it
    points to, rendered as the task page shows it. Raises NotFound (no such event, or the
    version is not known) or InvalidInput (an event without a task)."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput(
            "Geef het nummer of de id van een gebeurtenis.", extra={"field": "event"}
        )
    by_number = ref.isascii() and ref.isdigit()
    if by_number and int(ref) > MAX_SEQ:
        raise NotFound(
            "Er is geen gebeurtenis '{ref}' (of de bewaartermijn heeft haar verwijderd).",
            params={"ref": ref[:40]},
            extra={"field": "event"},
        )
    column = EVENT.seq if by_number else EVENT.id
    value = int(ref) if by_number else ref.lower()
    row = (
        session.execute(select(*(EVENT[name] for name in SHOWN)).where(column == value))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(
            "Er is geen gebeurtenis '{ref}' (of de bewaartermijn heeft haar verwijderd).",
            params={"ref": ref[:40]},
            extra={"field": "event"},
        )
    event = dict(row)
    if not event["task_slug"] or not event["task_version"]:
        raise InvalidInput(
            "Gebeurtenis {seq} hoort bij geen versie van een taak (zoals een "
            "zoekopdracht): er stond toen geen werkinstructie op het scherm.",
            params={"seq": event["seq"]},
            extra={"field": "event", "event": _iso_event(event)},
        )
    try:
        version = published_version(session, event["task_slug"], event["task_version"])
    except NotFound:
        raise NotFound(
            "De versie waarnaar gebeurtenis {seq} verwijst (versie {version}), is niet bekend.",
            params={"seq": event["seq"], "version": event["task_version"]},
            extra={"field": "event"},
        ) from None
    latest = published_version(session, event["task_slug"])
    return {"event": event, **_shown(version, latest.number)}


def _iso_event(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "occurred_at": iso(event["occurred_at"])}


def _shown(version: TaskVersion, latest: int) -> dict[str, Any]:
    """A version as both lookups give it: its facts, its task page and its rendered text."""
    return {
        "version": version.number,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "published_by": version.published_by,
        "approved_by": version.approved_by,
        "edited_by": list(version.edited_by or []),
        "submitted_by": getattr(version, "submitted_by", None),
        "import_unreviewed": bool(getattr(version, "import_unreviewed", False)),
        "url": f"/taken/{version.document['slug']}?versie={version.number}",
        "task": render_version(version, latest),
        "sources": {s["id"]: s for s in version.document.get("sources", [])},
    }


def parse_at(text: str) -> dt.datetime:
    """A moment written in ISO 8601 with its offset (`at`). Raises InvalidInput naming
    `at`: a moment without an offset is not one moment but one per time zone."""
    text = text.strip()
    if not text:
        raise InvalidInput(
            "Geef het moment op (parameter 'at') in ISO 8601 met tijdzone, bijvoorbeeld {example}.",
            params={"example": EXAMPLE},
            extra={"field": "at", "reason": "missing"},
        )
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "'{value}' is geen moment: schrijf het in ISO 8601 met tijdzone, "
            "bijvoorbeeld {example}.",
            params={"value": text[:40], "example": EXAMPLE},
            extra={"field": "at", "reason": "not_a_moment"},
        ) from None
    if moment.utcoffset() is None:
        raise InvalidInput(
            "Het moment '{value}' heeft geen tijdzone: voeg die toe, zoals "
            "+01:00 (wintertijd), +02:00 (zomertijd) of Z (UTC).",
            params={"value": text[:40]},
            extra={"field": "at", "reason": "no_offset"},
        )
    return moment


def check_moment(moment: dt.datetime, *, present: dt.datetime) -> dt.datetime:
    """`moment` in UTC, if it lies between EARLIEST and `present`. Raises InvalidInput
    naming `at`, with the reason ("too_early" or "future") for a form to word its own."""
    if moment < EARLIEST:
        raise InvalidInput(
            "Het moment {value} ligt vóór 2000-01-01: van toen kan deze dienst "
            "geen versies hebben.",
            params={"value": _iso(moment)},
            extra={"field": "at", "reason": "too_early"},
        )
    if moment > present:
        raise InvalidInput(
            "Het moment {value} ligt in de toekomst (nu is het {now}).",
            params={"value": _iso(moment), "now": _iso(present)},
            extra={"field": "at", "reason": "future"},
        )
    return moment.astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return iso(moment, timespec="seconds")


def published_task(session: Session, slug: str) -> Task:
    """The task `slug`, if it was ever published. Raises NotFound naming `task`."""
    slug = slug.strip()
    if not slug:
        raise InvalidInput(
            "Geef de taak op (parameter 'task', het id van een gepubliceerde taak).",
            extra={"field": "task", "reason": "missing"},
        )
    task: Task | None = (
        session.execute(select(Task).where(col(Task.slug) == slug)).scalars().first()
    )
    if task is None or task.published_version is None:
        raise NotFound(
            "Er is geen gepubliceerde taak '{task}'.",
            params={"task": slug[:80]},
            extra={"field": "task", "reason": "unknown"},
        )
    return task


def on_screen_at(
    session: Session, slug: str, moment: dt.datetime, *, minimum: int, present: dt.datetime
) -> dict[str, Any]:
    """Which version of task `slug` was published at `moment`: the newest version published
    at or before it, rendered, with the version after it (`next`, when it replaced this
    one) and the consultations of that Dutch day per version (see `version_day`). When the
    task was not yet published then, `version` is None and `first` says when it was.
    Raises NotFound (task) or InvalidInput (moment); changes nothing."""
    task = published_task(session, slug)
    assert task.published_version is not None  # published_task refuses an unpublished task
    moment = check_moment(moment, present=present)
    facts = select(col(TaskVersion.number), col(TaskVersion.published_at)).where(
        col(TaskVersion.task_id) == task.id
    )
    version = (
        session.execute(
            select(TaskVersion)
            .where(col(TaskVersion.task_id) == task.id, col(TaskVersion.published_at) <= moment)
            .order_by(col(TaskVersion.number).desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
    answer = {
        "slug": task.slug,
        "at": moment,
        "version": None,
        "task": None,
        "next": None,
        "first": None,
        "day": None,
    }
    if version is None:
        first = session.execute(facts.order_by(col(TaskVersion.number)).limit(1)).one()
        latest = published_version(session, task.slug)
        return {
            **answer,
            "title": latest.document["title"],
            "first": {"version": first.number, "published_at": first.published_at},
        }
    after = session.execute(
        facts.where(col(TaskVersion.number) > version.number)
        .order_by(col(TaskVersion.number))
        .limit(1)
    ).first()
    return {
        **answer,
        **_shown(version, task.published_version),
        "title": version.document["title"],
        "next": after and {"version": after.number, "published_at": after.published_at},
        "day": version_day(session, task.slug, moment, version.number, minimum),
    }
