"""The experts' inbox: feedback listed and filtered, accepted (linked to the change that
answers it, or to the next publication) or declined with a reason; and the status each
sender may see of their own feedback.

Handling is recorded (`handled_by`, `handled_at`) and happens once: of two experts who
handle the same feedback at the same moment, one succeeds and the other gets a Conflict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from epss.errors import Conflict, NotFound
from epss.events.privacy import mask_digits
from epss.feedback.intake import MAX_COMMENT, invalid
from epss.feedback.views import as_json, describe
from epss.i18n import Moment
from epss.models import Change, Feedback, Task

STATUSES = ("new", "accepted", "declined")
MAX_LISTED = 500


def inbox(
    session: Session, status: str | None = None, task: str | None = None, *, limit: int = 200
) -> list[dict[str, Any]]:
    """Feedback, newest first, optionally only of one status and one task (slug)."""
    if status is not None and status not in STATUSES:
        raise invalid(
            "status",
            "kies uit {choices} (niet '{value}')",
            choices=", ".join(STATUSES),
            value=status[:40],
        )
    query = select(Feedback).order_by(col(Feedback.created_at).desc(), Feedback.id)
    if status:
        query = query.where(Feedback.status == status)
    if task:
        query = query.where(Feedback.task_slug == task)
    return describe(session, list(session.exec(query.limit(min(limit, MAX_LISTED))).all()))


def counts(session: Session, task: str | None = None) -> dict[str, int]:
    """How many feedback items there are of each status (of one task, if given)."""
    query = select(Feedback.status, func.count()).group_by(Feedback.status)
    if task:
        query = query.where(Feedback.task_slug == task)
    found = dict(session.exec(query).all())
    return {status: found.get(status, 0) for status in STATUSES}


def get_feedback(session: Session, feedback_id: str) -> dict[str, Any]:
    return describe(session, [_stored(session, feedback_id)])[0]


NO_SUCH_CHANGE = "de taak heeft geen wijziging {number}; kies er een uit haar geschiedenis"


def accept(
    session: Session,
    feedback_id: str,
    *,
    by: str,
    change_id: int | None = None,
    answer: str = "",
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Accept the feedback. `change_id` names the recorded change of the same task that
    answers it; without one, the task's next publication answers it."""
    feedback = _stored(session, feedback_id)
    _still_new(session, feedback)
    if change_id is not None:
        change = session.get(Change, change_id)
        task = session.exec(select(Task).where(Task.slug == feedback.task_slug)).first()
        if change is None or task is None or change.task_id != task.id:
            raise invalid("change_id", NO_SUCH_CHANGE, number=change_id)
    return _handle(
        session,
        feedback,
        by=by,
        now=now,
        status="accepted",
        answer=_text("answer", answer, required=False),
        change_id=change_id,
    )


def decline(
    session: Session, feedback_id: str, *, by: str, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Decline the feedback; the reason is what the sender sees."""
    reason = _text("reason", reason, required=True)
    feedback = _stored(session, feedback_id)
    _still_new(session, feedback)
    return _handle(session, feedback, by=by, now=now, status="declined", answer=reason)


def statuses(session: Session, ids: list[str]) -> list[dict[str, Any]]:
    """What became of these feedback ids, for their sender. Unknown ids are left out."""
    if not ids:
        return []
    rows = list(
        session.exec(
            select(Feedback)
            .where(col(Feedback.id).in_(ids))
            .order_by(col(Feedback.created_at).desc())
        ).all()
    )
    return describe(session, rows, public=True)


def _stored(session: Session, feedback_id: str) -> Feedback:
    feedback = session.get(Feedback, feedback_id)
    if feedback is None:
        raise NotFound("Er is geen melding '{id}'.", params={"id": feedback_id[:60]})
    return feedback


def _still_new(session: Session, feedback: Feedback) -> None:
    if feedback.status != "new":
        template = (
            "Deze melding is al geaccepteerd door {by} op {when}."
            if feedback.status == "accepted"
            else "Deze melding is al afgewezen door {by} op {when}."
        )
        raise Conflict(
            template,
            params={"by": feedback.handled_by, "when": Moment(feedback.handled_at)},
            extra={"feedback": as_json(describe(session, [feedback])[0])},
        )


def _handle(
    session: Session, feedback: Feedback, *, by: str, now: dt.datetime | None, **values: Any
) -> dict[str, Any]:
    """Record the handling, only if nobody handled it in the meantime."""
    values |= {"handled_by": by, "handled_at": now or dt.datetime.now(dt.UTC)}
    done = session.exec(
        update(Feedback)
        .where(col(Feedback.id) == feedback.id, col(Feedback.status) == "new")
        .values(**values)
    )
    if done.rowcount != 1:
        session.refresh(feedback)
        _still_new(session, feedback)
    session.refresh(feedback)
    return describe(session, [feedback])[0]


def _text(field: str, value: str, *, required: bool) -> str:
    value = mask_digits((value or "").strip())
    if required and not value:
        raise invalid(field, "dit moet ingevuld zijn")
    if len(value) > MAX_COMMENT:
        raise invalid(
            field, "hooguit {most} tekens (dit zijn er {count})", most=MAX_COMMENT, count=len(value)
        )
    return value
