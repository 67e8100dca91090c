"""Feedback as the inbox and its sender see it: with the task's title, the step's title and
number in the version the person saw, and, once accepted, the published version that
answers it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from epss.clock import iso
from epss.models import Change, Feedback, Task, TaskVersion, stored_id

# What the sender may see of their own feedback (the UUID is their proof): not who
# handled it, and not their comment (it may name people at the desk).
PUBLIC = (
    "id",
    "status",
    "kind",
    "task_slug",
    "task_title",
    "task_version",
    "step_id",
    "step_title",
    "step_number",
    "created_at",
    "handled_at",
    "answer",
    "changed_in_version",
)


def describe(
    session: Session, rows: list[Feedback], *, public: bool = False
) -> list[dict[str, Any]]:
    """Each feedback as a dict for the inbox (or, with `public`, for its sender)."""
    versions: dict[tuple[str, int], dict[str, Any]] = {}
    tasks: dict[str, Task | None] = {}
    described = []
    for row in rows:
        key = (row.task_slug, row.task_version)
        if row.task_slug not in tasks:
            tasks[row.task_slug] = session.exec(
                select(Task).where(Task.slug == row.task_slug)
            ).first()
        if key not in versions:
            versions[key] = _document(session, tasks[row.task_slug], row.task_version)
        document = versions[key]
        steps = [s["id"] for s in document.get("steps", [])]
        number = steps.index(row.step_key) + 1 if row.step_key in steps else None
        item = {
            "id": row.id,
            "status": row.status,
            "kind": row.kind,
            "task_slug": row.task_slug,
            "task_title": document.get("title", row.task_slug),
            "task_version": row.task_version,
            "step_id": row.step_key,
            "step_title": document["steps"][number - 1]["title"] if number else None,
            "step_number": number,
            "comment": row.comment,
            "app": row.app,
            "url": row.url,
            "team": row.team,
            "created_at": row.created_at,
            "handled_by": row.handled_by,
            "handled_at": row.handled_at,
            "answer": row.answer,
            "change_id": row.change_id,
            "changed_in_version": answering_version(session, tasks[row.task_slug], row),
        }
        described.append({k: item[k] for k in PUBLIC} if public else item)
    return described


def as_json(item: dict[str, Any]) -> dict[str, Any]:
    """The item with its moments as ISO 8601 text."""
    return {k: iso(v) if isinstance(v, dt.datetime) else v for k, v in item.items()}


def answering_version(session: Session, task: Task | None, feedback: Feedback) -> int | None:
    """The first published version that carries the answer to accepted feedback: the one
    its linked change published; else the first published after that change (or, with no
    change linked, after the feedback was accepted) in which the step the feedback was
    about reads differently than in the version it was given on. None while there is none:
    a version that changed other steps only is no answer."""
    if feedback.status != "accepted" or task is None:
        return None
    since = feedback.handled_at
    if feedback.change_id is not None:
        change = session.get(Change, feedback.change_id)
        if change is not None:
            if change.version_number is not None:
                return change.version_number
            since = change.at
    if since is None:
        return None
    given_on = _step(_document(session, task, feedback.task_version), feedback.step_key)
    later = session.exec(
        select(TaskVersion)
        .where(
            col(TaskVersion.task_id) == stored_id(task),
            col(TaskVersion.published_at) >= since,
            col(TaskVersion.number) > feedback.task_version,
        )
        .order_by(col(TaskVersion.number))
    ).all()
    for version in later:
        if feedback.step_key is None or _step(version.document, feedback.step_key) != given_on:
            return version.number
    return None


def _step(document: dict[str, Any], key: str | None) -> dict[str, Any] | None:
    return next((s for s in document.get("steps", []) if s.get("id") == key), None)


def _document(session: Session, task: Task | None, number: int) -> dict[str, Any]:
    if task is None:
        return {}
    version = session.exec(
        select(TaskVersion).where(TaskVersion.task_id == task.id, TaskVersion.number == number)
    ).first()
    return version.document if version else {}
