"""What a change to a task changes, for the person who reviews it: the draft against the
published version (or one published version against another), per task field and per
step (added, removed, moved from place n to m, changed and in which fields), who made
each change (from the task's history) and the open feedback on the steps it touches.

Values stay as they are in the task file format; how they are shown (Markdown rendered,
word marks, Dutch labels) is the pages' business (epss.pages.editor_diff).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.catalog import published_version
from epss.drafts.document import draft_data
from epss.drafts.history import WORKFLOW_ACTIONS, edits_since_publication
from epss.drafts.merge import words
from epss.errors import InvalidInput, NotFound
from epss.feedback.views import describe
from epss.models import Change, Feedback, Task, TaskVersion
from epss.taskfile import TaskDocument
from epss.taskfile.fields import STEP_FIELDS, TASK_FIELDS


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Two task documents (file form, as JSON) compared. `fields`: the task's own fields
    that differ, each `{field, before, after}`. `steps`: every step in the new order, a
    removed one where it stood, each `{id, title, before_title, change, from, to, moved,
    fields, before, after}`: `change` is added, removed, changed, moved or same; `from`
    and `to` its places (1-based) in the old and new document; `fields` the step fields
    that differ. `counts` per kind of change; `changed`: anything at all; `sources` the
    task's sources on both sides (steps cite them by id). `old` None: a task never
    published, everything is new."""
    old_doc = old or {"steps": []}
    fields = [
        {"field": name, "before": old_doc.get(name) if old else None, "after": new.get(name)}
        for name in TASK_FIELDS
        if (old_doc.get(name) if old else None) != new.get(name)
    ]
    old_steps, new_steps = old_doc.get("steps", []), new.get("steps", [])
    old_at = {s["id"]: n for n, s in enumerate(old_steps, start=1)}
    new_ids = {s["id"] for s in new_steps}
    moved = _moved(
        [s["id"] for s in old_steps if s["id"] in new_ids],
        [s["id"] for s in new_steps if s["id"] in old_at],
    )
    steps = []
    for to, step in enumerate(new_steps, start=1):
        before = old_steps[old_at[step["id"]] - 1] if step["id"] in old_at else None
        changed = (
            []
            if before is None
            else [
                {"field": name, "before": before.get(name), "after": step.get(name)}
                for name in STEP_FIELDS
                if before.get(name) != step.get(name)
            ]
        )
        kind = (
            "added"
            if before is None
            else "changed"
            if changed
            else "moved"
            if step["id"] in moved
            else "same"
        )
        steps.append(
            {
                "id": step["id"],
                "title": step.get("title", ""),
                "before_title": before.get("title") if before else None,
                "change": kind,
                "from": old_at.get(step["id"]),
                "to": to,
                "moved": step["id"] in moved,
                "fields": changed,
                "before": before,
                "after": step,
            }
        )
    for n, step in enumerate(old_steps, start=1):
        if step["id"] in new_ids:
            continue
        place = _after_survivor(steps, old_steps[: n - 1], new_ids)
        steps.insert(
            place,
            {
                "id": step["id"],
                "title": step.get("title", ""),
                "before_title": step.get("title"),
                "change": "removed",
                "from": n,
                "to": None,
                "moved": False,
                "fields": [],
                "before": step,
                "after": None,
            },
        )
    counts = {
        kind: sum(
            1
            for s in steps
            if s["change"] == kind or (kind == "moved" and s["moved"] and s["change"] == "changed")
        )
        for kind in ("added", "removed", "changed", "moved")
    }
    return {
        "fields": fields,
        "steps": steps,
        "counts": counts,
        "changed": bool(fields) or any(s["change"] != "same" for s in steps),
        "sources": {"before": old_doc.get("sources") or [], "after": new.get("sources") or []},
    }


def word_runs(old: str, new: str) -> list[dict[str, str]]:
    """How a text changed as runs of words `[{"op": "same"|"del"|"add", "text"}]` that a
    person can read: a lone unchanged word between two changes is taken into them, and a
    text rewritten for the most part is one deletion and one addition, not a patchwork."""
    a, b = words(old or ""), words(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if a and b and matcher.ratio() < 0.5:
        return [{"op": "del", "text": old}, {"op": "add", "text": new}]
    ops: list[tuple[str, int, int, int, int]] = list(matcher.get_opcodes())
    n = 1
    while n < len(ops) - 1:
        op, i1, i2 = ops[n][:3]
        lone = op == "equal" and sum(1 for t in a[i1:i2] if t[0].isalnum()) <= 1
        if lone and ops[n - 1][0] != "equal" and ops[n + 1][0] != "equal":
            ops[n - 1 : n + 2] = [
                ("replace", ops[n - 1][1], ops[n + 1][2], ops[n - 1][3], ops[n + 1][4])
            ]
            continue
        n += 1
    runs: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            _run(runs, "same", "".join(a[i1:i2]))
            continue
        if i2 > i1:
            _run(runs, "del", "".join(a[i1:i2]))
        if j2 > j1:
            _run(runs, "add", "".join(b[j1:j2]))
    return runs


def _run(runs: list[dict[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1]["op"] == op:
        runs[-1]["text"] += text
    else:
        runs.append({"op": op, "text": text})


def _after_survivor(
    steps: list[dict[str, Any]], earlier: list[dict[str, Any]], new_ids: set[str]
) -> int:
    """Where a removed step goes in the list: after the nearest earlier step of the old
    document that is still there (and after the removed ones already placed there)."""
    survivors = [s["id"] for s in earlier if s["id"] in new_ids]
    place = 0
    if survivors:
        place = next(n for n, s in enumerate(steps) if s["id"] == survivors[-1]) + 1
    while place < len(steps) and steps[place]["change"] == "removed":
        place += 1
    return place


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """The steps (present in both) that changed place: those outside the longest run of
    steps that kept their order. Steps merely shifted by an added or removed one did not."""
    matcher = difflib.SequenceMatcher(a=old_order, b=new_order, autojunk=False)
    kept = {
        old_order[block.a + i] for block in matcher.get_matching_blocks() for i in range(block.size)
    }
    return set(new_order) - kept


def normal(document: dict[str, Any]) -> dict[str, Any]:
    """A task document as the current file format writes it (so older documents, and a
    draft read from the database, compare fairly). A draft that is not valid yet is
    compared as it is, dates written as YYYY-MM-DD."""
    try:
        return TaskDocument.model_validate(document).model_dump(mode="json", by_alias=True)
    except ValueError:
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in document.items()}


def holding(version: TaskVersion) -> dict[str, Any]:
    """A version's document with the review date that holds now ("Nog steeds juist" moves
    it without a new version)."""
    return {**version.document, "review_by": version.review_by.isoformat()}


def draft_changes(session: Session, slug: str) -> dict[str, Any]:
    """The draft against the newest published version: `compare` plus `base` (that
    version's number, when and by whom it was published; None if never published),
    `draft` (its status and submission), `who` (see `authors`) and `feedback` (see
    `open_feedback`)."""
    task = _task(session, slug)
    base = published_version(session, slug) if task.published_version else None
    new = normal(draft_data(session, task))
    result = compare(normal(holding(base)) if base else None, new)
    return {
        **result,
        "slug": slug,
        "base": _version_facts(base),
        "target": None,
        "draft": {
            "status": task.status,
            "submitted_by": task.submitted_by,
            "submitted_at": task.submitted_at,
        },
        "who": authors(edits_since_publication(session, task)),
        "feedback": open_feedback(session, slug),
    }


def version_changes(
    session: Session, slug: str, from_number: int, to_number: int
) -> dict[str, Any]:
    """Published version `from_number` against `to_number`, as `draft_changes` (with
    `target` the second version's facts; `who`: the changes made between them)."""
    for number in (from_number, to_number):
        if number < 1:
            raise InvalidInput(
                "Versie {number} bestaat niet: versienummers beginnen bij 1.",
                params={"number": number},
            )
    task = _task(session, slug)
    old = published_version(session, slug, from_number)
    new = published_version(session, slug, to_number)
    result = compare(normal(holding(old)), normal(holding(new)))
    low, high = sorted((from_number, to_number))
    return {
        **result,
        "slug": slug,
        "base": _version_facts(old),
        "target": _version_facts(new),
        "draft": None,
        "who": authors(edits_between(session, task, low, high)),
        "feedback": open_feedback(session, slug),
    }


def edits_between(session: Session, task: Task, low: int, high: int) -> list[Change]:
    """The changes to the draft after version `low` was made, up to version `high`."""

    def boundary(number: int) -> int:
        """The entry that made version `number` (0: none)."""
        newest = session.exec(
            select(func.max(col(Change.id))).where(
                Change.task_id == task.id, Change.version_number == number
            )
        ).one()
        return newest or 0

    start, end = boundary(low), boundary(high)
    if end <= start:
        return []
    return list(
        session.exec(
            select(Change)
            .where(
                Change.task_id == task.id,
                col(Change.id) > start,
                col(Change.id) <= end,
                col(Change.action).not_in(WORKFLOW_ACTIONS),
            )
            .order_by(col(Change.id))
        ).all()
    )


def authors(changes: list[Change]) -> dict[str, Any]:
    """Who changed what: `steps` (step id → [{who, when, action}], newest last), `fields`
    (task field → the same), `other` (restores, imports, reorderings: each with `after`)
    and `people` (everyone, in order of their first change)."""
    steps: dict[str, list[dict[str, Any]]] = {}
    fields: dict[str, list[dict[str, Any]]] = {}
    other: list[dict[str, Any]] = []
    for change in changes:
        entry = {"who": change.actor, "when": change.at, "action": change.action}
        if change.step_key and change.action != "steps_reordered":
            steps.setdefault(change.step_key, []).append(entry)
        elif change.action == "task_updated":
            for name in change.after or {}:
                fields.setdefault(name, []).append(entry)
        else:
            other.append({**entry, "after": change.after})
    return {
        "steps": steps,
        "fields": fields,
        "other": other,
        "people": list(dict.fromkeys(c.actor for c in changes)),
    }


def open_feedback(session: Session, slug: str) -> dict[str, Any]:
    """The feedback on this task nobody has handled yet, as the inbox describes it:
    `steps` (step id → items) and `task` (about the task as a whole)."""
    rows = list(
        session.exec(
            select(Feedback)
            .where(Feedback.task_slug == slug, Feedback.status == "new")
            .order_by(col(Feedback.created_at))
        ).all()
    )
    by_step: dict[str, list[dict[str, Any]]] = {}
    whole = []
    for item in describe(session, rows):
        if item["step_id"]:
            by_step.setdefault(item["step_id"], []).append(item)
        else:
            whole.append(item)
    return {"steps": by_step, "task": whole}


def _task(session: Session, slug: str) -> Task:
    task = session.exec(select(Task).where(Task.slug == slug)).first()
    if task is None:
        raise NotFound("Er is geen taak '{slug}'.", params={"slug": slug})
    return task


def _version_facts(version: TaskVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "published_at": version.published_at,
        "published_by": version.published_by,
        "approved_by": version.approved_by,
        "content_hash": version.content_hash,
    }
