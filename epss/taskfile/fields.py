"""The fields of the task format, read from its models (epss/taskfile/model.py), for the
code that stores, merges, edits and shows them: one definition, so adding a field to a
step is a change in the model, a migration, and the templates that show it."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel

from epss.taskfile.model import Branch, ContextRule, Source, Step, TaskDocument
from epss.taskfile.parts import FieldPath

# A task's own fields and a step's, in the order of a task file; the ids, a step's
# position and the task's steps are kept apart by whoever stores them.
TASK_FIELDS = tuple(name for name in TaskDocument.model_fields if name not in ("slug", "steps"))
STEP_FIELDS = tuple(name for name in Step.model_fields if name != "id")


def markdown_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that hold Markdown (their schema says text/markdown)."""
    return tuple(
        name
        for name, field in model.model_fields.items()
        if isinstance(field.json_schema_extra, dict)
        and field.json_schema_extra.get("contentMediaType") == "text/markdown"
    )


TASK_TEXTS = markdown_fields(TaskDocument)
STEP_TEXTS = markdown_fields(Step)


def _file_name(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].alias or name


def _labels(*parts: type[BaseModel]) -> dict[str, str]:
    """Each field's Dutch name by its name in a task file. Where two parts of the format
    use one name, the first part's title is the one a name alone gets (a task's, then a
    step's); `labels_along` knows the part from the path."""
    labels: dict[str, str] = {}
    for part in parts:
        for name, field in part.model_fields.items():
            if field.title:
                labels.setdefault(_file_name(part, name), field.title)
    return labels


FIELD_LABELS = _labels(TaskDocument, Step, Branch, ContextRule, Source)


def _part_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, itself or as the items of a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _part_of(argument)
        if found is not None:
            return found
    return None


def labels_along(path: FieldPath) -> list[str | None]:
    """The Dutch name of each field name in `path` (a path in a task file, e.g.
    ('context_rules', 0, 'title') → [Contextregels, None, Titel bevat]); None for an
    item number or a name the format does not know."""
    labels: list[str | None] = []
    part: type[BaseModel] | None = TaskDocument
    for step in path:
        if isinstance(step, int):
            labels.append(None)
            continue
        field = None
        if part is not None:
            by_file_name = {_file_name(part, n): f for n, f in part.model_fields.items()}
            field = by_file_name.get(step)
        labels.append(field.title if field is not None else None)
        part = _part_of(field.annotation) if field is not None else None
    return labels


def step_values(step: Step) -> dict[str, Any]:
    """A step's fields (not its id) as they are stored: every one, an unset one with the
    value that means "not given" (None, or an empty list)."""
    dumped = step.model_dump(mode="json", by_alias=True)
    return {name: dumped.get(name, Step.ADDED_LATER.get(name)) for name in STEP_FIELDS}
