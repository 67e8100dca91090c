"""What is recorded about me: the events and the feedback under one person's pseudonym, as
a page, JSON or CSV. A person only ever gets their own: the pseudonym is computed from their
account name. Each item carries the titles of its task and step and the name of its host
app beside their ids (see `epss.privacy.titles`); a title or name is None when the catalog
does not know it (any more)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.clock import iso
from epss.feedback.views import answering_version
from epss.models import Event, Feedback
from epss.privacy.titles import Titles

# The fields of an event as a person sees them about themselves (no chain hash or sequence).
MY_EVENT_FIELDS: tuple[str, ...] = (
    "occurred_at",
    "type",
    "app",
    "app_name",
    "url",
    "task_slug",
    "task_title",
    "task_version",
    "step_id",
    "step_title",
    "team",
    "details",
    "chosen_reason",
    "case_ref",
    "id",
)
# The fields of a feedback item as its sender sees it: what they sent and what the experts
# answered (not which expert: that is data about the expert).
MY_FEEDBACK_FIELDS: tuple[str, ...] = (
    "created_at",
    "kind",
    "task_slug",
    "task_title",
    "task_version",
    "step_id",
    "step_title",
    "comment",
    "status",
    "answer",
    "handled_at",
    "changed_in_version",
    "app",
    "app_name",
    "url",
    "team",
    "id",
)


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
    titles = Titles(session)
    return [_event(event, titles) for event in session.exec(query)], total


def my_feedback(
    session: Session, actor: str, *, limit: int | None = 20, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The feedback sent under the pseudonym `actor` with the experts' answers, newest
    first (a page, or all when `limit` is None), and how many there are in all."""
    total = session.exec(
        select(func.count()).select_from(Feedback).where(Feedback.actor == actor)
    ).one()
    query = (
        select(Feedback)
        .where(Feedback.actor == actor)
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    titles = Titles(session)
    return [_feedback(session, row, titles) for row in session.exec(query)], total


def my_events_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The events as CSV (details as JSON in one column), with a header line."""
    return _csv(MY_EVENT_FIELDS, rows)


def my_feedback_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The feedback as CSV, with a header line."""
    return _csv(MY_FEEDBACK_FIELDS, rows)


def _event(event: Event, titles: Titles) -> dict[str, Any]:
    task_title, step_title = titles.of(event.task_slug, event.task_version, event.step_id)
    row = {
        **{name: getattr(event, name) for name in MY_EVENT_FIELDS if hasattr(event, name)},
        "occurred_at": iso(event.occurred_at),
        "app_name": titles.app(event.app),
        "task_title": task_title,
        "step_title": step_title,
        "chosen_reason": titles.reason(
            event.task_slug, event.task_version, (event.details or {}).get("choice")
        ),
    }
    return {name: row[name] for name in MY_EVENT_FIELDS}


def _feedback(session: Session, feedback: Feedback, titles: Titles) -> dict[str, Any]:
    task_title, step_title = titles.of(feedback.task_slug, feedback.task_version, feedback.step_key)
    row = {
        **{name: getattr(feedback, name) for name in MY_FEEDBACK_FIELDS if hasattr(feedback, name)},
        "step_id": feedback.step_key,
        "app_name": titles.app(feedback.app),
        "task_title": task_title,
        "step_title": step_title,
        "created_at": iso(feedback.created_at),
        "handled_at": iso(feedback.handled_at),
        "changed_in_version": answering_version(session, titles.task(feedback.task_slug), feedback),
    }
    return {name: row[name] for name in MY_FEEDBACK_FIELDS}


def _csv(fields: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[name], ensure_ascii=False)
                if isinstance(row[name], dict)
                else ""
                if row[name] is None
                else row[name]
                for name in fields
            ]
        )
    return out.getvalue()
