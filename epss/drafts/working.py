"""The working copy of a task as the editing functions see it: reading it, locking it, and
the rules every edit shares (the version it is based on, what a stale edit answers, back to
"draft", telling the other editors).

Every write first locks the task's row (`lock_task`): edits of one task are serialised on
PostgreSQL and SQLite alike, reads after the lock see the latest state (a branch cannot come
to point at a step that is being removed at the same moment), and locks are always taken
task first, then steps, so two edits cannot deadlock. The versions are still written with a
compare-and-set, so a writer that does not take the lock cannot cause a lost update either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from epss.clock import iso
from epss.drafts.checks import checked_document, invalid
from epss.drafts.history import editors_since_publication
from epss.drafts.presence import queue_notice
from epss.errors import InvalidInput, NotFound, StaleVersion, VersionRequired
from epss.i18n import Message, Words
from epss.models import Change, Step, Task
from epss.taskfile.fields import STEP_FIELDS, TASK_FIELDS, step_values
from epss.taskfile.model import TaskDocument

# The history actions of editing (workflow.py records the workflow's own).
EDIT_ACTIONS = (
    "task_updated",
    "step_updated",
    "step_added",
    "step_removed",
    "step_moved",
    "steps_reordered",
)
STEPS_ACTIONS = ("step_added", "step_removed", "step_moved", "steps_reordered")
NO_TASK = "Er is geen taak '{slug}'."
BAD_IF_MATCH = (
    "If-Match: geef de versie waarop uw wijziging gebaseerd is, zoals If-Match: 3 "
    "(gekregen: {value})."
)


def draft_view(session: Session, slug: str) -> dict[str, Any]:
    """The working copy as JSON: the task's fields and versions, its workflow state, who
    edited it since the last publication, and its steps in order with their versions."""
    task = find(session, slug)
    return {
        "slug": task.slug,
        "status": task.status,
        "version": task.version,
        "steps_version": task.steps_version,
        **task_fields(task),
        "published_version": task.published_version,
        "submitted_by": task.submitted_by,
        "submitted_at": _iso(task.submitted_at),
        "review_comment": task.review_comment,
        "updated_at": _iso(task.updated_at),
        "editors": editors_since_publication(session, task),
        "steps": [step_view(step) for step in steps_of(session, task)],
    }


def step_view(step: Step) -> dict[str, Any]:
    """One step as JSON: its id (the key in task files), version, position and fields."""
    return {
        "id": step.key,
        "version": step.version,
        "position": step.position,
        **{name: getattr(step, name) for name in STEP_FIELDS},
    }


def task_fields(task: Task) -> dict[str, Any]:
    """The task's own editable fields as JSON (dates as YYYY-MM-DD)."""
    values = {name: getattr(task, name) for name in TASK_FIELDS}
    values["review_by"] = task.review_by.isoformat()
    values["checked_on"] = task.checked_on.isoformat() if task.checked_on else None
    return values


def lock_task(session: Session, slug: str) -> Task:
    """The task, with its row locked for writing until the session ends (NotFound when it
    does not exist). Take it before touching any step, so locks come in one order.

    A no-op UPDATE rather than SELECT ... FOR UPDATE: on SQLite it takes the database's write
    lock at once, so nothing read afterwards can change before the commit."""
    locked = session.exec(
        update(Task)
        .where(col(Task.slug) == slug)
        .values(slug=Task.slug)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:
        raise NotFound(NO_TASK, params={"slug": slug})
    return find(session, slug)


def find(session: Session, slug: str) -> Task:
    """The task as stored now (not as this session may have cached it)."""
    task = session.exec(
        select(Task).where(Task.slug == slug).execution_options(populate_existing=True)
    ).first()
    if task is None:
        raise NotFound(NO_TASK, params={"slug": slug})
    return task


def steps_of(session: Session, task: Task) -> list[Step]:
    """The draft's steps in their order, as stored now."""
    return list(
        session.exec(
            select(Step)
            .where(Step.task_id == task.id)
            .order_by(col(Step.position), col(Step.id))
            .execution_options(populate_existing=True)
        ).all()
    )


def step_in(session: Session, task: Task, step_id: str) -> Step:
    step = session.exec(
        select(Step)
        .where(Step.task_id == task.id, Step.key == step_id)
        .execution_options(populate_existing=True)
    ).first()
    if step is None:
        raise NotFound(
            "De taak '{title}' heeft geen stap '{step}' (meer). Als hij er was, "
            "heeft iemand hem verwijderd: zie de geschiedenis van de taak.",
            params={"title": task.title, "step": step_id},
        )
    return step


def the_step(task: Task, step: Step) -> Message:
    """'de stap '…' van de taak '…'', by their titles."""
    return Message("de stap '{step}' van de taak '{title}'", step=step.title, title=task.title)


def required(expected: int | None, what: Words, slug: str, field: str) -> int:
    """The version an edit is based on; VersionRequired when it did not say. `what` is
    the thing edited (a `Message`), `field` the field of GET /api/v1/tasks/{slug}/draft
    that holds its version (named in the answer's `version_field` and `read_from`)."""
    if expected is None:
        raise VersionRequired(
            "Zeg op welke versie van {what} uw wijziging gebaseerd is, zodat ze niet "
            "ongemerkt de wijziging van iemand anders overschrijft: stuur de header "
            "If-Match met het versienummer zoals u het las.",
            params={"what": what},
            extra={"version_field": field, "read_from": f"GET /api/v1/tasks/{slug}/draft"},
        )
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
        raise InvalidInput(BAD_IF_MATCH, params={"value": repr(expected)[:40]})
    return expected


def stale_task(session: Session, task: Task, expected: int, *, steps: bool) -> StaleVersion:
    """The answer to an edit of the task's fields (or, with `steps`, of its list of steps)
    based on an older version: what changed, and the whole current draft in `current`."""
    current = draft_view(session, task.slug)
    now = current["steps_version" if steps else "version"]
    template = (
        "Iemand anders heeft de stappen van de taak '{title}' gewijzigd sinds versie "
        "{expected}; ze zijn nu bij versie {now}. Het concept van nu staat in 'current': "
        "breng uw wijziging daarin aan en stuur If-Match: {now}."
        if steps
        else "Iemand anders heeft de gegevens van de taak '{title}' gewijzigd sinds versie "
        "{expected}; ze zijn nu bij versie {now}. Het concept van nu staat in 'current': "
        "breng uw wijziging daarin aan en stuur If-Match: {now}."
    )
    return StaleVersion(
        template,
        params={"title": task.title, "expected": expected, "now": now},
        extra={
            "current": current,
            "changed_by": _last_actor(session, task, STEPS_ACTIONS if steps else ("task_updated",)),
        },
        headers={"ETag": f'"{now}"'},
    )


def stale_step(session: Session, task: Task, step: Step, expected: int) -> StaleVersion:
    """The answer to an edit of a step based on an older version of it: its current content
    in `current` (NotFound when it was removed meanwhile)."""
    step = step_in(session, task, step.key)
    return StaleVersion(
        "Iemand anders heeft de stap '{step}' van de taak '{title}' gewijzigd sinds versie "
        "{expected}; hij is nu bij versie {now}. Wat er nu staat, staat in 'current': breng "
        "uw wijziging daarin aan en stuur If-Match: {now}.",
        params={"step": step.title, "title": task.title, "expected": expected, "now": step.version},
        extra={
            "current": step_view(step),
            "changed_by": _last_actor(session, task, ("step_updated",), step.key),
        },
        headers={"ETag": f'"{step.version}"'},
    )


def _last_actor(
    session: Session, task: Task, actions: tuple[str, ...], step_key: str | None = None
) -> str | None:
    query = select(Change.actor).where(Change.task_id == task.id, col(Change.action).in_(actions))
    if step_key is not None:
        query = query.where(Change.step_key == step_key)
    return session.exec(query.order_by(col(Change.id).desc()).limit(1)).first()


def checked(
    session: Session, task: Task, fields: dict[str, Any], steps: list[dict[str, Any]]
) -> TaskDocument:
    """The would-be draft (these task fields and steps, in file form) as a valid document,
    or InvalidInput naming every problem. Branches may lead to published tasks only."""
    published = set(
        session.exec(select(Task.slug).where(col(Task.published_version).is_not(None))).all()
    )
    return checked_document({"slug": task.slug, **fields, "steps": steps}, published)


def step_data(step: Step) -> dict[str, Any]:
    """A step in file form."""
    return {"id": step.key, **{name: getattr(step, name) for name in STEP_FIELDS}}


def fields_of(document: TaskDocument) -> dict[str, Any]:
    """The task's editable fields of a validated document, in the form they are stored."""
    dumped = document.model_dump(mode="json", by_alias=True)
    # (a dump leaves out the fields added later while they say "not given": ADDED_LATER)
    return {
        name: dumped[name] if name in dumped else getattr(document, name) for name in TASK_FIELDS
    }


def step_fields_of(document: TaskDocument, index: int) -> dict[str, Any]:
    """A step's fields of a validated document, in the form they are stored."""
    return step_values(document.steps[index])


def position_in(position: object, highest: int) -> int:
    """A 1-based position from 1 to `highest` (`highest` when not given)."""
    if position is None:
        return highest
    if (
        isinstance(position, bool)
        or not isinstance(position, int)
        or not (1 <= position <= highest)
    ):
        raise invalid(
            [
                (
                    "position",
                    Message(
                        "kies een geheel getal van 1 tot en met {highest} (gekregen: {value})",
                        highest=highest,
                        value=repr(position)[:40],
                    ),
                    "Plaats",
                )
            ]
        )
    return position


def back_to_draft() -> dict[str, object]:
    """Column values for "this task has unpublished changes" (a submission is withdrawn)."""
    return {
        "status": "draft",
        "submitted_by": None,
        "submitted_at": None,
        "updated_at": dt.datetime.now(dt.UTC),
    }


def mark_draft(session: Session, task: Task) -> None:
    session.exec(
        update(Task)
        .where(col(Task.id) == task.id)
        .values(**back_to_draft())
        .execution_options(synchronize_session=False)
    )


def bump_steps_version(session: Session, task: Task, expected: int | None) -> None:
    """steps_version + 1 (compare-and-set when `expected` is given), and back to draft."""
    query = update(Task).where(col(Task.id) == task.id)
    if expected is not None:
        query = query.where(col(Task.steps_version) == expected)
    written = session.exec(
        query.values(**back_to_draft(), steps_version=Task.steps_version + 1).execution_options(
            synchronize_session=False
        )
    )
    if written.rowcount != 1:
        raise stale_task(session, task, expected or 0, steps=True)


def renumber(session: Session, ordered: list[Step]) -> None:
    """Positions 1..n in this order; a step's own version is not touched."""
    for position, step in enumerate(ordered, start=1):
        if step.position != position:
            session.exec(
                update(Step)
                .where(col(Step.id) == step.id)
                .values(position=position)
                .execution_options(synchronize_session=False)
            )
            session.expire(step, ["position"])


def notify(
    session: Session, task: Task, kind: str, step_id: str | None, version: int, by: str
) -> None:
    """Tell the task's editors after the commit: `version` is what the next edit of that
    thing needs (the step's version; for task the task's; for order/added/removed the
    steps_version)."""
    queue_notice(
        session,
        task.slug,
        "saved",
        {"kind": kind, "step_id": step_id, "version": version, "by": by},
    )


def _iso(moment: dt.datetime | None) -> str | None:
    return iso(moment)
