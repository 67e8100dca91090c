"""What changed between two published versions of a task: the unified diff of their task
files, per step what was added, removed or changed, and (`changes`) the readable
comparison the review pages show (epss.drafts.changes)."""

from __future__ import annotations

import difflib
from typing import Any

from sqlmodel import Session

from epss.catalog import published_version
from epss.drafts.changes import version_changes
from epss.errors import InvalidInput
from epss.taskfile import TaskDocument, dump_document


def version_diff(session: Session, slug: str, from_number: int, to_number: int) -> dict[str, Any]:
    """`unified`: the diff of the two versions' task files; `task_fields`: the task's own
    fields that differ; `steps`: the steps of `to_number` that are new or changed, then the
    ones that were removed, each `{id, title, change: added|changed|removed, fields}`
    (`position` among the fields when a step moved); `changes`: `version_changes`, with
    who changed what and the open feedback. Unknown versions are NotFound (404) naming
    the number."""
    for name, number in (("from", from_number), ("to", to_number)):
        if number < 1:
            raise InvalidInput(
                "Versie {number} bestaat niet: versienummers beginnen bij 1.",
                params={"number": number},
                extra={"field": name},
            )
    old = published_version(session, slug, from_number)
    new = published_version(session, slug, to_number)
    old_doc, new_doc = _normal(old.document), _normal(new.document)
    old_text, new_text = dump_document(old.document), dump_document(new.document)
    unified = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"{slug}.yaml (versie {from_number})",
            tofile=f"{slug}.yaml (versie {to_number})",
        )
    )
    fields = [
        name
        for name in dict.fromkeys([*old_doc, *new_doc])
        if name != "steps" and old_doc.get(name) != new_doc.get(name)
    ]
    return {
        "slug": slug,
        "from": from_number,
        "to": to_number,
        "from_hash": old.content_hash,
        "to_hash": new.content_hash,
        "unified": unified,
        "task_fields": fields,
        "steps": _step_changes(old_doc["steps"], new_doc["steps"]),
        "changes": version_changes(session, slug, from_number, to_number),
    }


def _normal(document: dict[str, Any]) -> dict[str, Any]:
    """The stored JSON as the current format dumps it (so older documents compare fairly)."""
    return TaskDocument.model_validate(document).model_dump(mode="json", by_alias=True)


def _step_changes(
    old_steps: list[dict[str, Any]], new_steps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    old = {step["id"]: step for step in old_steps}
    new_ids = {step["id"] for step in new_steps}
    moved = _moved(
        [s["id"] for s in old_steps if s["id"] in new_ids],
        [s["id"] for s in new_steps if s["id"] in old],
    )
    changes = []
    for step in new_steps:
        if step["id"] not in old:
            changes.append(
                {"id": step["id"], "title": step["title"], "change": "added", "fields": []}
            )
            continue
        before = old[step["id"]]
        fields = [
            name for name in dict.fromkeys([*before, *step]) if before.get(name) != step.get(name)
        ]
        if step["id"] in moved:
            fields.append("position")
        if fields:
            changes.append(
                {"id": step["id"], "title": step["title"], "change": "changed", "fields": fields}
            )
    changes += [
        {"id": step["id"], "title": step["title"], "change": "removed", "fields": []}
        for step in old_steps
        if step["id"] not in new_ids
    ]
    return changes


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """The steps (present in both) that changed place: those outside the longest run of
    steps that kept their order. Steps merely shifted by an added or removed one did not."""
    matcher = difflib.SequenceMatcher(a=old_order, b=new_order, autojunk=False)
    kept = {
        old_order[block.a + i] for block in matcher.get_matching_blocks() for i in range(block.size)
    }
    return set(new_order) - kept
