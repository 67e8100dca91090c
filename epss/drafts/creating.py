"""A task begun in the editor: a draft with its first step, checked like any draft, with
no published version until a redacteur publishes it. Functions take a Session and never
commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from epss.catalog import write_working_copy
from epss.drafts.checks import checked_document, invalid
from epss.drafts.history import record_change
from epss.drafts.steps import slugify
from epss.errors import InvalidInput
from epss.i18n import Message
from epss.models import Task
from epss.months import add_months
from epss.taskfile.model import DEFAULT_REVIEW_INTERVAL


def begin_task(
    session: Session,
    fields: dict[str, Any],
    first_step: dict[str, Any],
    *,
    by: str,
    today: dt.date,
) -> Task:
    """A new task from its fields (`slug` may be left out: it is made from the title) and
    its first step; due for review a review interval from `today`. InvalidInput names
    every problem, and an id another task has."""
    slug = fields.get("slug") or slugify(fields.get("title"))
    if slug and session.exec(select(Task.id).where(Task.slug == slug)).first() is not None:
        raise _taken(slug)
    published = set(
        session.exec(select(Task.slug).where(col(Task.published_version).is_not(None))).all()
    )
    step = {"id": slugify(first_step.get("title")) or "stap", **first_step}
    data = {
        **fields,
        "slug": slug,
        "review_by": add_months(today, DEFAULT_REVIEW_INTERVAL),
        "steps": [step],
    }
    document = checked_document(data, published)
    try:
        task = write_working_copy(session, None, document)
    except IntegrityError:  # a colleague began a task with this id at the same moment
        raise _taken(slug) from None
    record_change(session, task, by, "created")
    return task


def _taken(slug: str) -> InvalidInput:
    return invalid(
        [
            (
                "slug",
                Message("er is al een taak met het id '{slug}'; kies een ander id", slug=slug),
                "Id",
            )
        ]
    )
