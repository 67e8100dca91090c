"""The record of every change to a task's draft and workflow: who, when, what."""

from __future__ import annotations

from sqlmodel import Session, select

from epss.models import Change, Task


def record_change(
    session: Session, task: Task, actor: str, action: str, *,
    step_key: str | None = None, before: dict | None = None, after: dict | None = None,
    comment: str = "", version_number: int | None = None,
) -> Change:
    """Add one entry to the task's history. `before`/`after` hold only the changed fields."""
    change = Change(task_id=task.id, actor=actor, action=action, step_key=step_key,
                    before=before, after=after, comment=comment,
                    version_number=version_number)
    session.add(change)
    session.flush()
    return change


def changes_of(session: Session, task: Task, *, since_id: int = 0) -> list[Change]:
    """The task's history, oldest first."""
    return list(session.exec(
        select(Change).where(Change.task_id == task.id, Change.id > since_id)
        .order_by(Change.id)).all())
