"""Checking an edit of a draft with the rules of the task file format, before anything is
written. Problems name the field the way the API shows it: `steps[controleer-termijn].title`,
`sources[1].id`, `context_rules[0].url`.
"""

from __future__ import annotations

from epss.errors import InvalidInput
from epss.taskfile.loader import check_data
from epss.taskfile.model import TaskDocument

Problem = tuple[str, str]  # (field, message)


def field_name(loc: tuple, step_ids: list[str]) -> str:
    """('steps', 2, 'branches', 0, 'step') -> 'steps[ids[2]].branches[0].step'."""
    name = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            owner = loc[i - 1] if i else None
            label = step_ids[part] if owner == "steps" and i == 1 and part < len(
                step_ids) else part
            name += f"[{label}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "task"


def checked_document(data: dict, known_tasks: set[str]) -> TaskDocument:
    """The draft as a valid task document, or InvalidInput naming every problem.

    `data` is the whole would-be draft (task fields and steps, in file form); `known_tasks`
    are the slugs a decision branch may lead to.
    """
    step_ids = [str(step.get("id")) if isinstance(step, dict) else "?"
                for step in data.get("steps", [])]
    document, found = check_data(data)
    problems = [(field_name(loc, step_ids), message) for loc, message in found]
    if document is not None:
        for step in document.steps:
            for k, branch in enumerate(step.branches):
                if branch.task is not None and branch.task not in known_tasks:
                    problems.append((f"steps[{step.id}].branches[{k}].task",
                                     f"leads to task '{branch.task}', which does not exist"))
    if problems:
        raise invalid(problems)
    assert document is not None
    return document


def invalid(problems: list[Problem]) -> InvalidInput:
    """One error for all problems: `detail` lists them, `problems` has them one by one."""
    detail = "; ".join(f"{field}: {message}" for field, message in problems)
    return InvalidInput(detail, extra={"problems": [
        {"field": field, "message": message} for field, message in problems]})
