"""Read task files and explain what is wrong with them in plain words.

Every problem names the file, the line and the field, so a content expert can find it.
Reading never stops at the first problem: all problems of all files are reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from epss.i18n import Message, Words, fill
from epss.taskfile.model import TaskDocument

_PLAIN_WORDS = {
    "missing": "dit veld is verplicht maar ontbreekt",
    "extra_forbidden": "dit veld hoort niet bij het taakformaat (een tikfout?)",
    "string_type": "verwacht tekst",
    "string_too_short": "mag niet leeg zijn",
    "string_too_long": "is te lang",
    "too_short": "mag niet leeg zijn",
    "string_pattern_mismatch": "gebruik alleen kleine letters, cijfers en losse "
    "koppeltekens, bijvoorbeeld 'controleer-document'",
    "bool_parsing": "verwacht true of false",
    "bool_type": "verwacht true of false",
    "int_parsing": "verwacht een geheel getal",
    "int_type": "verwacht een geheel getal",
    "less_than_equal": "is te groot",
    "greater_than_equal": "is te klein",
    "date_from_datetime_parsing": "verwacht een datum als JJJJ-MM-DD",
    "date_parsing": "verwacht een datum als JJJJ-MM-DD",
    "date_type": "verwacht een datum als JJJJ-MM-DD",
    "list_type": "verwacht een lijst (regels die beginnen met '- ')",
    "model_type": "verwacht een groep velden (regels 'naam: waarde')",
    "model_attributes_type": "verwacht een groep velden (regels 'naam: waarde')",
}
_SHOWS_INPUT = ("string_type", "bool_parsing", "int_parsing", "date_parsing")

# The fields of the task format as the editor names them.
FIELD_LABELS = {
    "slug": "Id", "title": "Titel", "domain": "Domein", "goal": "Doel", "trigger": "Wanneer",
    "standard": "Norm", "criticality": "Risico", "owner": "Eigenaar",
    "review_by": "Controle vóór", "review_interval_months": "Controle-interval (maanden)",
    "tags": "Zoekwoorden", "zaaktypen": "Zaaktypen", "sources": "Bronnen",
    "context_rules": "Contextregels", "steps": "Stappen", "id": "Id",
    "mandatory": "Verplicht", "instruction": "Instructie", "why": "Waarom",
    "warning": "Let op", "check": "Goed gedaan als", "branches": "Als … ga naar",
    "target": "Doelveld", "if": "Als", "step": "Naar stap", "task": "Naar taak",
    "app": "Zaaksysteem", "url": "Adres", "markers": "Markeringen", "zaaktype": "Zaaktype",
    "priority": "Prioriteit", "start_step": "Beginstap", "publisher": "Uitgever",
    "section": "Artikel of paragraaf", "date": "Datum", "checked_on": "Laatst gecontroleerd op",
}
_ITEMS = {"steps": "Stap {n}", "context_rules": "Contextregel {n}", "sources": "Bron {n}",
          "branches": "Als … ga naar {n}"}


class Place(Words):
    """A field of a task as a person knows it: 'Stap 3 (Controleer de foto), Instructie'."""

    def __init__(self, loc: tuple, data: object = None):
        self.loc, self.data = loc, data

    def in_language(self, translate: Callable[[str], str]) -> str:
        parts, node = [], self.data
        for i, part in enumerate(self.loc):
            node = _child(node, part)
            if isinstance(part, int):
                owner = self.loc[i - 1] if i else ""
                item = fill(_ITEMS.get(owner, "nummer {n}"), {"n": part + 1}, translate)
                title = node.get("title") if isinstance(node, dict) and owner == "steps" \
                    else None
                parts.append(f"{item} ({title.strip()})" if isinstance(title, str)
                             and title.strip() else item)
            elif part in FIELD_LABELS:
                parts.append(translate(FIELD_LABELS[part]))
            else:  # a name the format does not know: as it was written
                parts.append(fill("het veld '{name}'", {"name": part}, translate))
        merged = []  # 'Stappen, Stap 3' says the same twice
        for n, part in enumerate(parts):
            if not (n + 1 < len(parts) and isinstance(self.loc[n + 1], int)
                    and self.loc[n] in _ITEMS):
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
        where = (fill("{file}, regel {line}", {"file": self.file, "line": self.line},
                      translate) if self.line else self.file)
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


def problem(file: str, line: int | None, loc: tuple, said: str | Words,
            data: object = None) -> Problem:
    """A problem of field `loc` (a path in the task format), `data` the file's content."""
    said = said if isinstance(said, Words) else Message(said)
    return Problem(file, line, field_name(loc), str(said), said, Place(loc, data) if loc
                   else None)


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
    problems = [problem(name, _line_for(loc, lines), loc, message, data)
                for loc, message in found]
    if document is None:
        slug = data.get("slug") if isinstance(data, dict) else None
        problems.sort(key=lambda p: p.line or 0)  # in reading order
        raise TaskFileError(problems, slug=slug if isinstance(slug, str) else None)
    if problems:
        raise TaskFileError(problems, slug=document.slug)
    return LoadedTask(document, name, lines)


def check_data(data: object) -> tuple[TaskDocument | None, list[tuple[tuple, Words]]]:
    """Validate a task's data as an import does: first every field, then the references
    within the task. Returns the document (None when a field is wrong) and the problems,
    each as (path of the field, plain message: Dutch, translatable). Links to other tasks
    are not checked here."""
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
        except UnicodeDecodeError as exc:
            line = exc.object[:exc.start].count(b"\n") + 1
            problems.append(problem(str(file), line, (), Message(
                "is geen UTF-8-tekst (byte {byte}); sla het bestand op als UTF-8",
                byte=f"0x{exc.object[exc.start]:02x}")))
        except OSError as exc:
            problems.append(problem(str(file), None, (), Message(
                "kan niet worden gelezen: {reason}", reason=str(exc))))
    first_file: dict[str, str] = {}
    for item in loaded:
        slug = item.document.slug
        if slug in first_file:
            problems.append(problem(item.file, _line_for(("slug",), item.lines), ("slug",),
                                    Message("'{slug}' is ook het id van {other}", slug=slug,
                                            other=first_file[slug])))
        first_file.setdefault(slug, item.file)
    available = set(first_file) | set(known_slugs) | invalid_slugs
    for item in loaded:
        for n, step in enumerate(item.document.steps):
            for k, branch in enumerate(step.branches):
                if branch.task is not None and branch.task not in available:
                    loc = ("steps", n, "branches", k, "task")
                    problems.append(problem(item.file, _line_for(loc, item.lines), loc,
                                            Message("gaat verder met de taak '{task}', maar "
                                                    "die bestaat niet", task=branch.task)))
    if problems:
        raise TaskFileError(problems)
    return loaded


def _task_files(paths: Iterable[Path], problems: list[Problem]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                problems.append(problem(str(path), None, (), "deze map heeft geen "
                                        ".yaml-bestanden"))
            yield from found
        elif path.is_file():
            yield path
        else:
            problems.append(problem(str(path), None, (), "dit bestand of deze map bestaat "
                                    "niet"))


def _parse_yaml(text: str, name: str) -> tuple[object, dict[tuple, int]]:
    """Return the YAML data and the line number of every field path in it. What a task
    file never needs is refused while reading, before anything is built from it: anchors
    and aliases (an "alias bomb" makes billions of values of a few lines), a list or group
    as a field name, nesting deeper than _MAX_DEPTH, characters YAML does not allow."""
    loader = None
    try:
        loader = _TaskYamlLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise TaskFileError([problem(name, 1, (), "het bestand is leeg")])
        lines: dict[tuple, int] = {}
        duplicates: list[Problem] = []
        _map_lines(node, (), lines, duplicates, name)
        if duplicates:
            raise TaskFileError(duplicates)
        try:
            return loader.construct_document(node), lines
        except (ValueError, TypeError, AttributeError, OverflowError):
            raise TaskFileError([_unreadable_value(node, (), name)]) from None
    except _Refused as exc:
        raise TaskFileError([problem(name, exc.line, (), exc.said)]) from None
    except yaml.reader.ReaderError as exc:  # NUL, a lone surrogate, other control codes
        raise TaskFileError([problem(
            name, text.count("\n", 0, exc.position) + 1, (),
            Message("bevat een teken dat niet in een taakbestand mag ({character}); haal "
                    "het weg", character=f"U+{exc.character:04X}"))]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise TaskFileError(
            [problem(name, line, (), "dit is geen geldige YAML: kijk bij deze regel naar het "
                     "inspringen, de dubbele punten en de aanhalingstekens")]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


_MAX_DEPTH = 32  # a task file needs about six levels (steps, a step, branches, a branch)


class _Refused(Exception):
    def __init__(self, line: int, said: str | Words):
        super().__init__(str(said))
        self.line, self.said = line, said


class _TaskYamlLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors, aliases, non-word keys and deep nesting as it
    composes (the composer recurses; the scanner and parser before it do not)."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(line, "ankers en verwijzingen (& en *) horen niet in een "
                                 "taakbestand; schrijf de waarde voluit")
        if isinstance(parent, yaml.MappingNode) and index is None \
                and not isinstance(event, yaml.ScalarEvent):
            raise _Refused(line, "een veldnaam moet een woord zijn, geen lijst of groep")
        if self._depth >= _MAX_DEPTH:
            raise _Refused(line, Message("de velden zijn te diep genest (meer dan {most} "
                                         "niveaus)", most=_MAX_DEPTH))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _unreadable_value(node, path: tuple, name: str) -> Problem:
    """The first value YAML cannot make data of (a date 2027-13-45, a number of 5,000
    digits, `!!int tien`), as a problem at its line and field."""
    found = _first_unreadable(node, path)
    if found is None:  # not one value alone: the file as a whole
        return problem(name, node.start_mark.line + 1, (), "deze waarde kan niet worden "
                       "gelezen")
    bad, where = found
    return problem(name, bad.start_mark.line + 1, where, Message(
        "deze waarde kan niet worden gelezen: {found}", found=repr(bad.value[:80])))


def _first_unreadable(node, path: tuple) -> tuple[yaml.ScalarNode, tuple] | None:
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.constructor.SafeConstructor().construct_object(node)
        except (ValueError, TypeError, AttributeError, OverflowError, yaml.YAMLError):
            return node, path
        return None
    if isinstance(node, yaml.MappingNode):
        pairs = [pair for key, value in node.value
                 for pair in ((path, key), ((*path, key.value), value))]
    else:
        pairs = [((*path, index), item) for index, item in enumerate(node.value)]
    for where, child in pairs:
        found = _first_unreadable(child, where)
        if found is not None:
            return found
    return None


def _map_lines(node, path: tuple, lines: dict, duplicates: list, name: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                duplicates.append(
                    problem(name, key_node.start_mark.line + 1, (*path, key),
                            "dit veld staat er twee keer; houd er één")
                )
            seen.add(key)
            _map_lines(value_node, (*path, key), lines, duplicates, name)
            lines[(*path, key)] = key_node.start_mark.line + 1  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, duplicates, name)


def _explain(error: dict) -> tuple[tuple, Words]:
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    kind = error["type"]
    if kind == "value_error":
        return loc, Message(str(error["ctx"]["error"]) if "ctx" in error else "is niet geldig")
    if kind == "enum":
        expected = str(error["ctx"]["expected"]).replace(" or ", " of ")
        return loc, Message("moet een van deze zijn: {expected}", expected=expected)
    message = _PLAIN_WORDS.get(kind, "is niet geldig")
    if kind in _SHOWS_INPUT:
        return loc, Message(message + " (gevonden: {found})", found=repr(error.get("input")))
    return loc, Message(message)


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
