"""Review dates: which tasks must be checked again soon or are overdue, and confirming that
a task's guidance is still correct without changing it.

The review date that counts is the newest published version's `review_by`: the document's
date when it was published, moved by each confirmation (which makes no new version, so
the content hash and what the desk saw stay as they were). `today` is always passed in,
so nothing here depends on the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from epss.catalog import published_version, same_content
from epss.drafts.document import draft_document
from epss.drafts.workflow import record_step
from epss.drafts.working import lock_task
from epss.errors import Conflict, InvalidInput
from epss.models import Task, TaskVersion
from epss.months import add_months
from epss.taskfile import TaskDocument

DUE_WITHIN_DAYS = 30
MAX_NOTE = 2000  # characters of a confirmation's note


def review_lists(
    session: Session, today: dt.date, *, within_days: int = DUE_WITHIN_DAYS
) -> dict[str, Any]:
    """`overdue`: tasks whose review date has passed (`days_over`); `due`: tasks to review
    within `within_days` from today (`days_left`, 0 = today). Each with slug, title, owner,
    criticality, review_by, review_interval_months, version and the draft's status;
    soonest first."""
    rows = session.exec(
        select(Task, TaskVersion)
        .join(TaskVersion, col(TaskVersion.task_id) == Task.id)
        .where(TaskVersion.number == Task.published_version)
    ).all()
    overdue, due = [], []
    for task, version in rows:
        doc = version.document
        review_by = version.review_by
        item = {
            "slug": task.slug,
            "title": doc["title"],
            "owner": doc["owner"],
            "criticality": doc["criticality"],
            "review_by": review_by,
            "review_interval_months": doc.get("review_interval_months", 12),
            "version": version.number,
            "status": task.status,
        }
        days = (review_by - today).days
        if days < 0:
            overdue.append({**item, "days_over": -days})
        elif days <= within_days:
            due.append({**item, "days_left": days})
    return {
        "today": today,
        "within_days": within_days,
        "overdue": sorted(overdue, key=_soonest),
        "due": sorted(due, key=_soonest),
    }


def _soonest(item: dict[str, Any]) -> tuple[dt.date, str]:
    return item["review_by"], item["slug"]


def confirm_review(
    session: Session, slug: str, *, by: str, today: dt.date, note: str = ""
) -> dict[str, Any]:
    """`by` confirms that the published guidance is still correct: its review date moves
    to `today` + the task's review interval, and nothing else changes (no new version: the
    newest version's `review_by` moves, and the draft's with it, so the next version keeps
    it). Recorded in the history as "confirmed" with the dates and `note`. Any editor may
    confirm, also of a critical task (the guidance does not change). Refused (409) while
    the draft has changes that are not published, and when it is already confirmed today.

    Returns slug, title, version (the newest, unchanged), review_by, previous_review_by,
    confirmed_by, confirmed_at and note."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            "Notitie: ten hoogste {most} tekens (deze heeft er {count}).",
            params={"most": MAX_NOTE, "count": len(note)},
            extra={"field": "note"},
        )
    task = lock_task(session, slug)
    newest = published_version(session, slug)
    try:
        unchanged = same_content(draft_document(session, task), newest)
    except InvalidInput:
        unchanged = False
    if not unchanged:
        raise Conflict(
            "De taak '{slug}' heeft wijzigingen in het concept die nog niet "
            "gepubliceerd zijn. Publiceer die eerst (of zet de nieuwste versie "
            "terug om ze te laten vallen) en bevestig dan de controle.",
            params={"slug": slug},
            extra={"status": task.status},
        )
    document = TaskDocument.model_validate(newest.document)
    before = newest.review_by
    review_by = add_months(today, document.review_interval_months)
    if review_by == before:
        raise Conflict(
            "De taak '{slug}' is al bevestigd: de volgende controle is vóór {date}.",
            params={"slug": slug, "date": review_by.strftime("%d-%m-%Y")},
            extra={"status": task.status},
        )
    newest.review_by = review_by
    session.add(newest)
    if task.review_by != review_by:
        task.review_by = review_by
        task.version += 1  # a form holding the old date gets a conflict, not an overwrite
        task.updated_at = dt.datetime.now(dt.UTC)
        session.add(task)
    change = record_step(
        session,
        task,
        by,
        "confirmed",
        before={"review_by": before.isoformat()},
        after={"review_by": review_by.isoformat()},
        comment=note,
    )
    return {
        "slug": slug,
        "title": document.title,
        "version": newest.number,
        "review_by": review_by,
        "previous_review_by": before,
        "confirmed_by": by,
        "confirmed_at": _aware(change.at),
        "note": note,
    }


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
