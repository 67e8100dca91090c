"""Checking an edit of a draft with the rules of the task file format, before anything is
written. Each problem names the field twice: for tools the way the API shows it
(`steps[controleer-termijn].title`, `sources[1].id`), for people the way the editor shows
it ('Stap 3 (Controleer de termijn), Titel'); the detail is the people's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from epss.errors import InvalidInput
from epss.i18n import Listing, Message, Phrase, Words
from epss.taskfile import check_data
from epss.taskfile.model import TaskDocument
from epss.taskfile.parts import FieldPath
from epss.taskfile.problems import Place

# (field as the API names it, what is wrong, and optionally the field as people name it)
Problem = tuple[str, str | Words] | tuple[str, str | Words, str | Words]


def field_name(loc: FieldPath, step_ids: list[str]) -> str:
    """('steps', 2, 'branches', 0, 'step') -> 'steps[ids[2]].branches[0].step'."""
    name = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            owner = loc[i - 1] if i else None
            label = step_ids[part] if owner == "steps" and i == 1 and part < len(step_ids) else part
            name += f"[{label}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "task"


def checked_document(data: dict[str, Any], known_tasks: set[str]) -> TaskDocument:
    """The draft as a valid task document, or InvalidInput naming every problem.

    `data` is the whole would-be draft (task fields and steps, in file form); `known_tasks`
    are the slugs a decision branch may lead to.
    """
    step_ids = [
        str(step.get("id")) if isinstance(step, dict) else "?" for step in data.get("steps", [])
    ]
    document, found = check_data(data)
    if document is not None:
        found += [
            (
                ("steps", n, "branches", k, "task"),
                Message(
                    "gaat verder met de taak '{task}', maar die bestaat niet", task=branch.task
                ),
            )
            for n, step in enumerate(document.steps)
            for k, branch in enumerate(step.branches)
            if branch.task is not None and branch.task not in known_tasks
        ]
    if found:
        raise invalid(
            [
                (field_name(loc, step_ids), message, Place(loc, data) if loc else Phrase("De taak"))
                for loc, message in found
            ]
        )
    assert document is not None
    return document


def invalid(problems: Sequence[Problem]) -> InvalidInput:
    """One error for all problems: `detail` lists them as people read them, `problems` has
    them one by one, with the field as the API names it. A problem without a name for
    people is named by its field (for what only the API can send)."""
    listed = [
        Message(
            "{where}: {message}", where=_words(p[2] if len(p) > 2 else p[0]), message=_words(p[1])
        )
        for p in problems
    ]
    return InvalidInput(
        "{problems}",
        params={"problems": Listing(listed)},
        extra={"problems": [{"field": p[0], "message": str(p[1])} for p in problems]},
    )


def _words(text: str | Words) -> Words:
    return text if isinstance(text, Words) else Phrase(text)
