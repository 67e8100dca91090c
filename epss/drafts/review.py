"""Review dates: which tasks must be checked again soon or are overdue, and confirming that
a task's guidance is still correct without changing it (a recorded event and a new version
whose only change is the next review date).

The dates are those of the newest published version: the guidance people see. `today` is
always passed in, so nothing here depends on the clock.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from epss.catalog import publish, published_version
from epss.drafts.document import draft_hash
from epss.drafts.workflow import record_step
from epss.drafts.working import lock_task
from epss.errors import Conflict
from epss.models import Task, TaskVersion
from epss.months import add_months
from epss.taskfile import TaskDocument

DUE_WITHIN_DAYS = 30


def review_lists(session: Session, today: dt.date, *,
                 within_days: int = DUE_WITHIN_DAYS) -> dict:
    """`overdue`: tasks whose review date has passed (`days_over`); `due`: tasks to review
    within `within_days` from today (`days_left`, 0 = today). Each with slug, title, owner,
    criticality, review_by, review_interval_months, version and the draft's status;
    soonest first."""
    rows = session.exec(
        select(Task, TaskVersion).join(TaskVersion, TaskVersion.task_id == Task.id)
        .where(TaskVersion.number == Task.published_version)).all()
    overdue, due = [], []
    for task, version in rows:
        doc = version.document
        review_by = dt.date.fromisoformat(doc["review_by"])
        item = {"slug": task.slug, "title": doc["title"], "owner": doc["owner"],
                "criticality": doc["criticality"], "review_by": review_by,
                "review_interval_months": doc.get("review_interval_months", 12),
                "version": version.number, "status": task.status}
        days = (review_by - today).days
        if days < 0:
            overdue.append({**item, "days_over": -days})
        elif days <= within_days:
            due.append({**item, "days_left": days})
    return {"today": today, "within_days": within_days,
            "overdue": sorted(overdue, key=_soonest), "due": sorted(due, key=_soonest)}


def _soonest(item: dict) -> tuple:
    return item["review_by"], item["slug"]


def confirm_review(session: Session, slug: str, *, by: str, today: dt.date) -> TaskVersion:
    """`by` confirms the guidance is still correct as published: a new version whose only
    change is `review_by = today + the task's review interval`, approved by `by` (no second
    person: the guidance did not change), recorded as "confirmed". Refused (409) while the
    draft has changes that are not published."""
    task = lock_task(session, slug)
    newest = published_version(session, slug)
    if draft_hash(session, task) != newest.content_hash:
        raise Conflict(f"task '{slug}' has changes in its draft that are not published: "
                       "publish them first (or restore the newest version to discard them), "
                       "then confirm the review", extra={"status": task.status})
    document = TaskDocument.model_validate(newest.document)
    review_by = add_months(today, document.review_interval_months)
    if review_by == document.review_by:
        raise Conflict(f"task '{slug}' is already confirmed: its review date is "
                       f"{review_by.isoformat()}", extra={"status": task.status})
    before = document.review_by
    document = document.model_copy(update={"review_by": review_by})
    task.review_by = review_by
    task.version += 1
    session.add(task)
    version = publish(session, task, document, by=by, approved_by=by, edited_by=[by])
    record_step(session, task, by, "confirmed", before={"review_by": before.isoformat()},
                after={"review_by": review_by.isoformat()}, version_number=version.number,
                comment="still correct without changes")
    return version
