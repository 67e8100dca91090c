"""The working copy of a task as a task document, checked as strictly as an imported file.

A draft that would not import cannot be submitted or published. Every problem names the
step (by number and title, as the editor shows it) and the field, in plain words.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from epss.catalog import content_hash
from epss.errors import InvalidInput
from epss.i18n import Listing, Message, Phrase, Words, count
from epss.models import Step, Task
from epss.taskfile import TaskDocument, check_data
from epss.taskfile.fields import STEP_FIELDS, TASK_FIELDS
from epss.taskfile.parts import FieldPath
from epss.taskfile.problems import Place, field_name


def draft_steps(session: Session, task: Task) -> list[Step]:
    """The working copy's steps, in their order."""
    return list(
        session.exec(
            select(Step).where(Step.task_id == task.id).order_by(col(Step.position), col(Step.id))
        ).all()
    )


def draft_data(session: Session, task: Task) -> dict[str, Any]:
    """The working copy in the shape of a task file (not yet validated)."""
    data = {name: getattr(task, name) for name in ("slug", *TASK_FIELDS)}
    data["steps"] = [
        {"id": step.key, **{name: getattr(step, name) for name in STEP_FIELDS}}
        for step in draft_steps(session, task)
    ]
    return data


def draft_document(session: Session, task: Task) -> TaskDocument:
    """The working copy as a task document, validated like an imported file: every field,
    ids used once, branches to steps of this task or to tasks that exist, cited sources
    in the task's list, start steps that exist. Raises InvalidInput (422) naming every
    problem, with `problems: [{step, field, message}]`; it changes nothing."""
    data = draft_data(session, task)
    document, found = check_data(data)
    if document is not None:
        found += _missing_linked_tasks(session, document)
    if document is not None and not found:
        return document
    problems = [_describe(loc, message, data) for loc, message in found]
    raise InvalidInput(
        "Het concept van '{title}' is nog niet in orde ({count}): {problems}",
        params={
            "title": task.title,
            "count": count(len(problems), "probleem", "problemen"),
            "problems": Listing(
                [
                    Message("{where}: {message}", where=p.pop("place"), message=p.pop("said"))
                    for p in problems
                ]
            ),
        },
        extra={"problems": problems},
    )


def draft_hash(session: Session, task: Task) -> str | None:
    """The content hash the draft would have as a published version; None when it is not
    a valid task file (so it equals no published version)."""
    try:
        return content_hash(draft_document(session, task))
    except InvalidInput:
        return None


def _missing_linked_tasks(
    session: Session, document: TaskDocument
) -> list[tuple[FieldPath, Message]]:
    linked = {b.task for step in document.steps for b in step.branches if b.task is not None}
    published = (
        set(
            session.exec(
                select(Task.slug).where(
                    col(Task.published_version).is_not(None), col(Task.slug).in_(linked)
                )
            ).all()
        )
        if linked
        else set()
    )
    return [
        (
            ("steps", n, "branches", k, "task"),
            Message("gaat verder met de taak '{task}', maar die bestaat niet", task=branch.task),
        )
        for n, step in enumerate(document.steps)
        for k, branch in enumerate(step.branches)
        if branch.task is not None and branch.task not in published
    ]


def _describe(loc: FieldPath, message: Words, data: dict[str, Any]) -> dict[str, Any]:
    """A problem as the editor shows it: 'Stap 3 (Controleer de termijn), Waarom: …', with
    the step's id and the field's path for tools."""
    steps = data["steps"]
    on_step = (
        len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int) and loc[1] < len(steps)
    )
    field = field_name(loc[2:] if on_step else loc)
    place = Place(loc, data) if loc else Phrase("De taak")
    return {
        "step": steps[loc[1]]["id"] if on_step else None,
        "field": field or None,
        "message": str(message),
        "where": str(place),
        "place": place,
        "said": message,
    }
