"""What is wrong with a task file, said so that a content expert finds it: the file, the
line, and the field as the editor names it ('Stap 3 (Controleer de foto), Instructie')."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from epss.i18n import Message, Words, fill
from epss.taskfile.fields import labels_along
from epss.taskfile.parts import FieldPath

_ITEMS = {
    "steps": "Stap {n}",
    "context_rules": "Contextregel {n}",
    "sources": "Bron {n}",
    "branches": "Beslispunt {n}",
}


class Place(Words):
    """A field of a task as a person knows it: 'Stap 3 (Controleer de foto), Instructie'."""

    def __init__(self, loc: FieldPath, data: object = None):
        self.loc, self.data = loc, data

    def in_language(self, translate: Callable[[str], str]) -> str:
        parts, node = [], self.data
        labels = labels_along(self.loc)
        for i, (part, label) in enumerate(zip(self.loc, labels, strict=True)):
            node = _child(node, part)
            if isinstance(part, int):
                owner = str(self.loc[i - 1]) if i else ""
                item = fill(_ITEMS.get(owner, "nummer {n}"), {"n": part + 1}, translate)
                title = node.get("title") if isinstance(node, dict) and owner == "steps" else None
                parts.append(
                    f"{item} ({title.strip()})"
                    if isinstance(title, str) and title.strip()
                    else item
                )
            elif label:
                parts.append(translate(label))
            else:  # a name the format does not know: as it was written
                parts.append(fill("het veld '{name}'", {"name": part}, translate))
        merged = []  # 'Stappen, Stap 3' says the same twice
        for n, part in enumerate(parts):
            if not (
                n + 1 < len(parts) and isinstance(self.loc[n + 1], int) and self.loc[n] in _ITEMS
            ):
                merged.append(part)
        return ", ".join(merged)


def _child(node: object, part: object) -> object:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file. `field` is the field's path in the task format (for
    tools); `message` says what is wrong, in Dutch; `said` and `place` give both in any
    language (`in_language`)."""

    file: str
    line: int | None
    field: str
    message: str
    said: Words | None = None
    place: Words | None = None

    def in_language(self, translate: Callable[[str], str]) -> str:
        where = (
            fill("{file}, regel {line}", {"file": self.file, "line": self.line}, translate)
            if self.line
            else self.file
        )
        place = self.place.in_language(translate) if self.place else self.field
        message = self.said.in_language(translate) if self.said else translate(self.message)
        prefix = ", ".join(part for part in (where, place) if part)
        return f"{prefix}: {message}" if prefix else message

    def as_in_file(self, translate: Callable[[str], str]) -> str:
        """As `in_language`, with the field named as in the file (for the command line:
        'verhuizing.yaml, line 2, review_by: …')."""
        return replace(self, place=None).in_language(translate)

    def __str__(self) -> str:
        return self.in_language(lambda text: text)


def problem(
    file: str, line: int | None, loc: FieldPath, said: str | Words, data: object = None
) -> Problem:
    """A problem of field `loc` (a path in the task format), `data` the file's content."""
    said = said if isinstance(said, Words) else Message(said)
    return Problem(file, line, field_name(loc), str(said), said, Place(loc, data) if loc else None)


class TaskFileError(Exception):
    """One or more task files are not valid; nothing was changed."""

    def __init__(self, problems: list[Problem], slug: str | None = None):
        self.problems = problems
        self.slug = slug  # of the file that failed, when it names one
        super().__init__("\n".join(str(p) for p in problems))


def field_name(loc: FieldPath) -> str:
    """('steps', 2, 'title') -> 'steps → step 3 → title' (people count from 1)."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            owner = str(loc[i - 1]) if i else ""
            noun = {
                "steps": "step",
                "context_rules": "rule",
                "sources": "source",
                "branches": "branch",
            }.get(owner, "item")
            parts.append(f"{noun} {part + 1}")
        else:
            parts.append(str(part))
    return " → ".join(parts)
