"""The record of every change to a task's draft and workflow: who, when, what."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

import yaml
from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from epss.errors import NotFound
from epss.models import Change, Task, stored_id

# History entries that are steps of the workflow, not changes to the guidance. "imported"
# is an import published at once (it carries the version); an import into the draft,
# "imported_for_review", is a change by whoever imported it. "draft_replaced": an import
# replaced the draft, whose earlier changes are gone (their authors no longer edited it).
WORKFLOW_ACTIONS = frozenset(
    {"submitted", "sent_back", "published", "imported", "confirmed", "draft_replaced"}
)


def record_change(
    session: Session,
    task: Task,
    actor: str,
    action: str,
    *,
    step_key: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
    version_number: int | None = None,
) -> Change:
    """Add one entry to the task's history. `before`/`after` hold only the changed fields."""
    change = Change(
        task_id=stored_id(task),
        actor=actor,
        action=action,
        step_key=step_key,
        before=before,
        after=after,
        comment=comment,
        version_number=version_number,
    )
    session.add(change)
    session.flush()
    return change


def _since_publication(task: Task) -> tuple[ColumnElement[bool], ...]:
    """The condition for the edits after the newest entry that created a version (an
    import published at once, a publication) or replaced the draft, workflow steps left
    out."""
    boundary = (
        select(func.coalesce(func.max(Change.id), 0))
        .where(
            Change.task_id == task.id,
            or_(col(Change.version_number).is_not(None), col(Change.action) == "draft_replaced"),
        )
        .scalar_subquery()
    )
    return (
        col(Change.task_id) == task.id,
        col(Change.id) > boundary,
        col(Change.action).not_in(WORKFLOW_ACTIONS),
    )


def edits_since_publication(session: Session, task: Task) -> list[Change]:
    """The changes to the draft since it was last published, oldest first."""
    return list(
        session.exec(select(Change).where(*_since_publication(task)).order_by(col(Change.id))).all()
    )


def editors_since_publication(session: Session, task: Task) -> list[str]:
    """Account names of everyone who changed the draft since it was last published."""
    return sorted(
        session.exec(select(Change.actor).distinct().where(*_since_publication(task))).all()
    )


def changes_of(session: Session, task: Task, *, since_id: int = 0) -> list[Change]:
    """The task's history, oldest first."""
    return list(
        session.exec(
            select(Change)
            .where(Change.task_id == task.id, col(Change.id) > since_id)
            .order_by(col(Change.id))
        ).all()
    )


def history_view(
    session: Session,
    slug: str,
    *,
    step_id: str | None = None,
    limit: int | None = None,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """The task's history as JSON, newest first: each entry with `id`, `who`, `when`
    (ISO 8601), `action`, `step_id`, `comment`, `version_number` and `fields`, the changed
    fields each with `before`, `after` and their diff (`field_diff`). `step_id` keeps the
    entries about one step; `before_id` and `limit` page through a long history."""
    task = session.exec(select(Task).where(Task.slug == slug)).first()
    if task is None:
        raise NotFound("Er is geen taak '{slug}'.", params={"slug": slug})
    query = select(Change).where(Change.task_id == task.id)
    if step_id is not None:
        query = query.where(Change.step_key == step_id)
    if before_id is not None:
        query = query.where(col(Change.id) < before_id)
    query = query.order_by(col(Change.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return [
        {
            "id": change.id,
            "who": change.actor,
            "when": _aware(change.at).isoformat(),
            "action": change.action,
            "step_id": change.step_key,
            "comment": change.comment,
            "version_number": change.version_number,
            "fields": field_changes(change.before, change.after),
        }
        for change in session.exec(query).all()
    ]


def field_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Per field that differs (in the order they were recorded): `field`, `before`, `after`
    and `diff` (see `field_diff`). A field absent on one side is None there (a step that
    was added or removed)."""
    before, after = before or {}, after or {}
    return [
        {
            "field": name,
            "before": before.get(name),
            "after": after.get(name),
            "diff": field_diff(before.get(name), after.get(name)),
        }
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    ]


def field_diff(before: object, after: object) -> dict[str, Any]:
    """How one field changed: `unified`, the line diff of the two values as text (lists and
    groups of fields as YAML), and `words`, the same as runs of words
    `[{"op": "same"|"del"|"add", "text"}]` that together spell both versions."""
    old, new = as_text(before), as_text(after)
    unified = "\n".join(
        difflib.unified_diff(
            old.split("\n") if old else [],
            new.split("\n") if new else [],
            "before",
            "after",
            lineterm="",
            n=2,
        )
    )
    return {"unified": unified, "words": word_diff(old, new)}


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """The runs of words (with the spaces between them) that stayed, went or came."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("equal", "delete", "replace") and i2 > i1:
            _run(runs, "same" if tag == "equal" else "del", "".join(a[i1:i2]))
        if tag in ("insert", "replace") and j2 > j1:
            _run(runs, "add", "".join(b[j1:j2]))
    return runs


def as_text(value: object) -> str:
    """A field's value as a person reads it: text as is, yes/no, lists and groups as YAML."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return yaml.safe_dump(
        value, allow_unicode=True, sort_keys=False, default_flow_style=False
    ).rstrip("\n")


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _run(runs: list[dict[str, str]], op: str, text: str) -> None:
    if runs and runs[-1]["op"] == op:
        runs[-1]["text"] += text
    else:
        runs.append({"op": op, "text": text})


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
