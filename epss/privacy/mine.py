"""What is recorded about me: the events under one person's pseudonym, as a page, JSON or
CSV. A person only ever gets their own: the pseudonym is computed from their account name."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.clock import iso
from epss.models import Event

# The fields of an event as a person sees them about themselves (no chain hash or sequence).
MY_EVENT_FIELDS: tuple[str, ...] = (
    "occurred_at",
    "type",
    "app",
    "url",
    "task_slug",
    "task_version",
    "step_id",
    "team",
    "details",
    "case_ref",
    "id",
)


def _as_dict(event: Event) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in MY_EVENT_FIELDS}
    row["occurred_at"] = iso(event.occurred_at)
    return row


def my_events(
    session: Session, actor: str, *, limit: int | None = 100, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The events under the pseudonym `actor`, newest first (a page of them, or all when
    `limit` is None), and how many there are in all."""
    total = session.exec(select(func.count()).select_from(Event).where(Event.actor == actor)).one()
    query = (
        select(Event)
        .where(Event.actor == actor)
        .order_by(col(Event.occurred_at).desc(), col(Event.seq).desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_as_dict(event) for event in session.exec(query)], total


def my_events_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The events as CSV (details as JSON in one column), with a header line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MY_EVENT_FIELDS)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[name], ensure_ascii=False)
                if name == "details"
                else ""
                if row[name] is None
                else row[name]
                for name in MY_EVENT_FIELDS
            ]
        )
    return out.getvalue()
