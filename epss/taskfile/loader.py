"""Read task files and explain what is wrong with them in plain words.

Every problem names the file, the line and the field, so a content expert can find it.
Reading never stops at the first problem: all problems of all files are reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from epss.i18n import Message, Words
from epss.plain_errors import WORDS, explain
from epss.taskfile.model import TaskDocument
from epss.taskfile.parts import FieldPath
from epss.taskfile.problems import Problem, TaskFileError, problem
from epss.taskfile.yaml_reading import read_yaml

# A task file is YAML written by hand: some forms in its own terms.
_TASK_FILE_WORDS = WORDS | {
    "extra_forbidden": "dit veld hoort niet bij het taakformaat (een tikfout?)",
    "string_pattern_mismatch": "gebruik alleen kleine letters, cijfers en losse "
    "koppeltekens, bijvoorbeeld 'controleer-document'",
    "bool_parsing": "verwacht true of false",
    "bool_type": "verwacht true of false",
    "list_type": "verwacht een lijst (regels die beginnen met '- ')",
    "model_type": "verwacht een groep velden (regels 'naam: waarde')",
    "model_attributes_type": "verwacht een groep velden (regels 'naam: waarde')",
}


@dataclass(frozen=True)
class LoadedTask:
    document: TaskDocument
    file: str
    lines: dict[FieldPath, int]


def load_text(text: str, name: str) -> TaskDocument:
    """Parse and validate one task file's text; `name` is used in problem messages."""
    return _load(text, name).document


def _load(text: str, name: str) -> LoadedTask:
    data, lines = read_yaml(text, name)
    document, found = check_data(data)
    problems = [problem(name, _line_for(loc, lines), loc, message, data) for loc, message in found]
    if document is None:
        slug = data.get("slug") if isinstance(data, dict) else None
        problems.sort(key=lambda p: p.line or 0)  # in reading order
        raise TaskFileError(problems, slug=slug if isinstance(slug, str) else None)
    if problems:
        raise TaskFileError(problems, slug=document.slug)
    return LoadedTask(document, name, lines)


def check_data(data: object) -> tuple[TaskDocument | None, list[tuple[FieldPath, Words]]]:
    """Validate a task's data as an import does: first every field, then the references
    within the task. Returns the document (None when a field is wrong) and the problems,
    each as (path of the field, plain message: Dutch, translatable). Links to other tasks
    are not checked here."""
    try:
        document = TaskDocument.model_validate(data, context={"defer_reference_check": True})
    except ValidationError as exc:
        return None, [_explain(err) for err in exc.errors()]
    return document, list(document.reference_problems())


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
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            problems.append(
                problem(
                    str(file),
                    line,
                    (),
                    Message(
                        "is geen UTF-8-tekst (byte {byte}); sla het bestand op als UTF-8",
                        byte=f"0x{exc.object[exc.start]:02x}",
                    ),
                )
            )
        except OSError as exc:
            problems.append(
                problem(
                    str(file),
                    None,
                    (),
                    Message("kan niet worden gelezen: {reason}", reason=str(exc)),
                )
            )
    first_file: dict[str, str] = {}
    for item in loaded:
        slug = item.document.slug
        if slug in first_file:
            problems.append(
                problem(
                    item.file,
                    _line_for(("slug",), item.lines),
                    ("slug",),
                    Message(
                        "'{slug}' is ook het id van {other}", slug=slug, other=first_file[slug]
                    ),
                )
            )
        first_file.setdefault(slug, item.file)
    available = set(first_file) | set(known_slugs) | invalid_slugs
    for item in loaded:
        for n, step in enumerate(item.document.steps):
            for k, branch in enumerate(step.branches):
                if branch.task is not None and branch.task not in available:
                    loc = ("steps", n, "branches", k, "task")
                    problems.append(
                        problem(
                            item.file,
                            _line_for(loc, item.lines),
                            loc,
                            Message(
                                "gaat verder met de taak '{task}', maar die bestaat niet",
                                task=branch.task,
                            ),
                        )
                    )
    if problems:
        raise TaskFileError(problems)
    return loaded


def _task_files(paths: Iterable[Path], problems: list[Problem]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                problems.append(problem(str(path), None, (), "deze map heeft geen .yaml-bestanden"))
            yield from found
        elif path.is_file():
            yield path
        else:
            problems.append(problem(str(path), None, (), "dit bestand of deze map bestaat niet"))


def _explain(error: ErrorDetails) -> tuple[FieldPath, Words]:
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    return loc, explain(error, _TASK_FILE_WORDS)


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "constrained-"))


def _line_for(loc: FieldPath, lines: dict[FieldPath, int]) -> int | None:
    """The line of the field, or of the nearest enclosing field that exists."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
