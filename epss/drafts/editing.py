"""Co-editing a task's working copy (the draft) without lost updates.

Every step carries a version, and so do the task's own fields (`task.version`) and its list
of steps (`task.steps_version`: adding, removing, reordering; see steps.py). An edit names
the version it is based on and is written with an atomic compare-and-set
(`UPDATE ... SET ..., version = version + 1 WHERE id = :id AND version = :expected`, the
row count checked), so of two edits based on the same version exactly one wins and the other
gets `StaleVersion` (412) with the current content. Edits of different steps never collide.
No version: `VersionRequired` (428).

An edit is checked with the rules of the task file format (the whole would-be draft is
validated as a task document; problems name the field, e.g. `steps[id].instruction`) and
changes nothing when it fails. Each edit that changes something is recorded in the history
with the changed fields only, makes the task a "draft" again (a submitted draft must be
submitted again), and is announced to the task's editors after the commit (presence.py).
An edit that changes nothing is not recorded and keeps the version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from epss.drafts import working
from epss.drafts.checks import invalid
from epss.drafts.history import record_change
from epss.drafts.steps import add_step, move_step, remove_step, reorder_steps, slugify
from epss.drafts.working import draft_view, lock_task, step_view, task_fields
from epss.i18n import Message
from epss.models import Step, Task
from epss.taskfile.fields import STEP_FIELDS, TASK_FIELDS

__all__ = [
    "add_step",
    "draft_view",
    "lock_task",
    "move_step",
    "remove_step",
    "reorder_steps",
    "slugify",
    "step_of",
    "step_view",
    "task_fields",
    "update_step",
    "update_task_fields",
]

# In draft_view but not editable here: refused when sent with another value than stored…
_TASK_FIXED = ("slug", "status", "steps")
_FIXED_LABEL = {"slug": "Id", "status": "Stand", "steps": "Stappen"}
_FIXED_WHY = {
    "slug": "kan niet veranderen: het is het vaste id van de taak",
    "status": "kan hier niet veranderen: de stand volgt uit bewerken, indienen en publiceren",
    "steps": "kan hier niet veranderen: stappen veranderen via hun eigen adressen in de API",
}
NOT_AN_OBJECT = "verwacht een groep velden (een JSON-object) met wat er verandert"
# …or ignored, being what others' actions make of them (the If-Match version guards them).
_TASK_OUTPUTS = (
    "version",
    "steps_version",
    "published_version",
    "submitted_by",
    "submitted_at",
    "review_comment",
    "updated_at",
    "editors",
    "hash",
)


def step_of(session: Session, slug: str, step_id: str) -> Step:
    """A step of a task's draft, as stored now (NotFound naming the task or the step)."""
    return working.step_in(session, working.find(session, slug), step_id)


def update_task_fields(
    session: Session,
    slug: str,
    expected_version: int | None,
    changes: dict[str, Any],
    *,
    by: str,
) -> Task:
    """Change some of the task's own fields (title, goal, owner, review interval, sources,
    context rules…), based on the task's `version`. A whole `draft_view` may be sent back
    with changes: its slug, status and steps must then be as stored (they change elsewhere),
    its other read-only fields (versions, editors, timestamps) are ignored."""
    task = working.lock_task(session, slug)
    expected = working.required(
        expected_version,
        Message("de gegevens van de taak '{title}'", title=task.title),
        slug,
        "version",
    )
    if task.version != expected:
        raise working.stale_task(session, task, expected, steps=False)
    changes = _without_read_only(changes, working.draft_view(session, slug))
    current = working.task_fields(task)
    steps = [working.step_data(s) for s in working.steps_of(session, task)]
    document = working.checked(session, task, {**current, **changes}, steps)
    new = working.fields_of(document)
    changed = {name: new[name] for name in TASK_FIELDS if new[name] != current[name]}
    if not changed:
        return task
    values = {
        name: dt.date.fromisoformat(value)
        if name in ("review_by", "checked_on") and value
        else value
        for name, value in changed.items()
    }
    written = session.exec(
        update(Task)
        .where(col(Task.id) == task.id, col(Task.version) == expected)
        .values(**values, **working.back_to_draft(), version=Task.version + 1)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise working.stale_task(session, task, expected, steps=False)
    record_change(
        session,
        task,
        by,
        "task_updated",
        before={name: current[name] for name in changed},
        after=changed,
    )
    session.refresh(task)
    working.notify(session, task, "task", None, task.version, by)
    return task


def update_step(
    session: Session,
    slug: str,
    step_id: str,
    expected_version: int | None,
    changes: dict[str, Any],
    *,
    by: str,
) -> Step:
    """Change some fields of one step, based on that step's `version`; edits of other steps
    in the meantime do not matter. `id` and `position` sent back unchanged are ignored."""
    task = working.lock_task(session, slug)
    step = working.step_in(session, task, step_id)
    expected = working.required(
        expected_version, working.the_step(task, step), slug, f"steps[{step_id}].version"
    )
    if step.version != expected:
        raise working.stale_step(session, task, step, expected)
    changes = _step_changes(step, changes)
    steps = working.steps_of(session, task)
    index = next(n for n, s in enumerate(steps) if s.id == step.id)
    data = [working.step_data(s) for s in steps]
    data[index] = {**data[index], **changes}
    document = working.checked(session, task, working.task_fields(task), data)
    new = working.step_fields_of(document, index)
    current = {name: getattr(step, name) for name in STEP_FIELDS}
    changed = {name: new[name] for name in STEP_FIELDS if new[name] != current[name]}
    if not changed:
        return step
    written = session.exec(
        update(Step)
        .where(col(Step.id) == step.id, col(Step.version) == expected)
        .values(**changed, version=Step.version + 1)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise working.stale_step(session, task, step, expected)
    working.mark_draft(session, task)
    record_change(
        session,
        task,
        by,
        "step_updated",
        step_key=step.key,
        before={name: current[name] for name in changed},
        after=changed,
    )
    session.refresh(step)
    working.notify(session, task, "step", step.key, step.version, by)
    return step


def _without_read_only(changes: object, current: dict[str, Any]) -> dict[str, Any]:
    """Drop what a client sends back unchanged from what it read; refuse changing it."""
    if not isinstance(changes, dict):
        raise invalid([("request", NOT_AN_OBJECT, "Het verzoek")])
    problems = [
        (name, _FIXED_WHY[name], _FIXED_LABEL[name])
        for name in _TASK_FIXED
        if name in changes and changes[name] != current.get(name)
    ]
    if problems:
        raise invalid(problems)
    return {
        name: value for name, value in changes.items() if name not in _TASK_FIXED + _TASK_OUTPUTS
    }


def _step_changes(step: Step, changes: object) -> dict[str, Any]:
    where = Message("Stap {n} ({title})", n=step.position, title=step.title)
    if not isinstance(changes, dict):
        raise invalid([(f"steps[{step.key}]", NOT_AN_OBJECT, where)])
    problems = []
    if "id" in changes and changes["id"] != step.key:
        problems.append(
            (
                f"steps[{step.key}].id",
                "het id van een stap verandert nooit; voeg een nieuwe stap toe en verwijder deze",
                Message("{step}, Id", step=where),
            )
        )
    if "position" in changes and changes["position"] != step.position:
        problems.append(
            (
                f"steps[{step.key}].position",
                "verplaats een stap door de volgorde "
                "van de stappen te veranderen (daarvoor heeft de API een eigen "
                "adres)",
                Message("{step}, Plaats", step=where),
            )
        )
    if problems:
        raise invalid(problems)
    kept = {
        name: value for name, value in changes.items() if name not in ("id", "version", "position")
    }
    # A fingerprint describes the field the step pointed at: pointed elsewhere, it would
    # lead the panel back to the old field.
    if "target" in kept and kept["target"] != step.target and "target_fingerprint" not in kept:
        kept["target_fingerprint"] = None
    return kept
