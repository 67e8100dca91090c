"""Read task files and explain what is wrong with them in plain words.

Every problem names the file, the line and the field, so a content expert can find it.
Reading never stops at the first problem: all problems of all files are reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from epss.taskfile.model import TaskDocument

_PLAIN_WORDS = {
    "missing": "this field is required but missing",
    "extra_forbidden": "this field is not part of the task format (a typo?)",
    "string_type": "expected text",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long",
    "too_short": "must not be empty",
    "string_pattern_mismatch": "use only lowercase letters, digits and single hyphens, "
    "e.g. 'controleer-document'",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "less_than_equal": "is too large",
    "greater_than_equal": "is too small",
    "date_from_datetime_parsing": "expected a date written as YYYY-MM-DD",
    "date_parsing": "expected a date written as YYYY-MM-DD",
    "date_type": "expected a date written as YYYY-MM-DD",
    "list_type": "expected a list (lines starting with '- ')",
    "model_type": "expected a group of fields (name: value lines)",
    "model_attributes_type": "expected a group of fields (name: value lines)",
    "enum": "must be one of",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        field = f", {self.field}" if self.field else ""
        return f"{where}{field}: {self.message}"


class TaskFileError(Exception):
    """One or more task files are not valid; nothing was changed."""

    def __init__(self, problems: list[Problem], slug: str | None = None):
        self.problems = problems
        self.slug = slug  # of the file that failed, when it names one
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedTask:
    document: TaskDocument
    file: str
    lines: dict[tuple, int]


def load_text(text: str, name: str) -> TaskDocument:
    """Parse and validate one task file's text; `name` is used in problem messages."""
    return _load(text, name).document


def _load(text: str, name: str) -> LoadedTask:
    data, lines = _parse_yaml(text, name)
    document, found = check_data(data)
    problems = [Problem(name, _line_for(loc, lines), field_name(loc), message)
                for loc, message in found]
    if document is None:
        slug = data.get("slug") if isinstance(data, dict) else None
        problems.sort(key=lambda p: p.line or 0)  # in reading order
        raise TaskFileError(problems, slug=slug if isinstance(slug, str) else None)
    if problems:
        raise TaskFileError(problems, slug=document.slug)
    return LoadedTask(document, name, lines)


def check_data(data: object) -> tuple[TaskDocument | None, list[tuple[tuple, str]]]:
    """Validate a task's data as an import does: first every field, then the references
    within the task. Returns the document (None when a field is wrong) and the problems,
    each as (path of the field, plain message). Links to other tasks are not checked here."""
    try:
        document = TaskDocument.model_validate(data, context={"defer_reference_check": True})
    except ValidationError as exc:
        return None, [_explain(err) for err in exc.errors()]
    return document, document.reference_problems()


def load_paths(paths: Iterable[Path], known_slugs: Iterable[str] = ()) -> list[LoadedTask]:
    """Load every task file in `paths` (files, or folders of *.yaml files).

    Raises TaskFileError with the problems of all files when any file is not valid,
    including slugs used by two files and branches to tasks that are neither in these
    files nor in `known_slugs`.
    """
    loaded: list[LoadedTask] = []
    problems: list[Problem] = []
    invalid_slugs: set[str] = set()  # links to a file with problems are not problems too
    files = list(_task_files(paths, problems))
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
            loaded.append(_load(text, str(file)))
        except TaskFileError as exc:
            problems.extend(exc.problems)
            invalid_slugs.update([exc.slug] if exc.slug else [])
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(file), None, "", f"cannot be read: {exc}"))
    first_file: dict[str, str] = {}
    for item in loaded:
        slug = item.document.slug
        if slug in first_file:
            problems.append(Problem(item.file, _line_for(("slug",), item.lines), "slug",
                                    f"'{slug}' is also the slug of {first_file[slug]}"))
        first_file.setdefault(slug, item.file)
    available = set(first_file) | set(known_slugs) | invalid_slugs
    for item in loaded:
        for n, step in enumerate(item.document.steps):
            for k, branch in enumerate(step.branches):
                if branch.task is not None and branch.task not in available:
                    loc = ("steps", n, "branches", k, "task")
                    problems.append(Problem(item.file, _line_for(loc, item.lines),
                                            field_name(loc), f"continues with task "
                                            f"'{branch.task}', which does not exist"))
    if problems:
        raise TaskFileError(problems)
    return loaded


def _task_files(paths: Iterable[Path], problems: list[Problem]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                problems.append(Problem(str(path), None, "", "this folder has no .yaml files"))
            yield from found
        elif path.is_file():
            yield path
        else:
            problems.append(Problem(str(path), None, "", "no such file or folder"))


def _parse_yaml(text: str, name: str) -> tuple[object, dict[tuple, int]]:
    """Return the YAML data and the line number of every field path in it."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise TaskFileError([Problem(name, 1, "", "the file is empty")])
        lines: dict[tuple, int] = {}
        duplicates: list[Problem] = []
        _map_lines(node, (), lines, duplicates, name)
        if duplicates:
            raise TaskFileError(duplicates)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise TaskFileError(
            [Problem(name, line, "", f"this is not valid YAML: {exc.problem}")]
        ) from None
    finally:
        loader.dispose()


def _map_lines(node, path: tuple, lines: dict, duplicates: list, name: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                duplicates.append(
                    Problem(name, key_node.start_mark.line + 1, field_name((*path, key)),
                            "this field appears twice; keep one")
                )
            seen.add(key)
            _map_lines(value_node, (*path, key), lines, duplicates, name)
            lines[(*path, key)] = key_node.start_mark.line + 1  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, duplicates, name)


def _explain(error: dict) -> tuple[tuple, str]:
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    kind = error["type"]
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    elif kind == "enum":
        message = f"must be one of {error['ctx']['expected']}"
    else:
        message = _PLAIN_WORDS.get(kind, error["msg"])
        if kind in ("string_type", "bool_parsing", "int_parsing", "date_parsing"):
            message += f" (found {error.get('input')!r})"
    return loc, message


def _is_union_tag(part) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "constrained-"))


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int | None:
    """The line of the field, or of the nearest enclosing field that exists."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def field_name(loc: tuple) -> str:
    """('steps', 2, 'title') -> 'steps → step 3 → title' (people count from 1)."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            owner = loc[i - 1] if i else ""
            noun = {"steps": "step", "context_rules": "rule", "sources": "source",
                    "branches": "branch"}.get(owner, "item")
            parts.append(f"{noun} {part + 1}")
        else:
            parts.append(str(part))
    return " → ".join(parts)
