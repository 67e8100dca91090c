"""Reading a task file's YAML: its data and the line of every field, refusing what a task
file never needs before anything is built from it."""

from __future__ import annotations

import yaml

from epss.i18n import Message, Words
from epss.taskfile.parts import FieldPath
from epss.taskfile.problems import Problem, TaskFileError, problem


def read_yaml(text: str, name: str) -> tuple[object, dict[FieldPath, int]]:
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
        lines: dict[FieldPath, int] = {}
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
        raise TaskFileError(
            [
                problem(
                    name,
                    text.count("\n", 0, exc.position) + 1,
                    (),
                    Message(
                        "bevat een teken dat niet in een taakbestand mag ({character}); haal "
                        "het weg",
                        character=f"U+{exc.character:04X}",
                    ),
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise TaskFileError(
            [
                problem(
                    name,
                    line,
                    (),
                    "dit is geen geldige YAML: kijk bij deze regel naar het "
                    "inspringen, de dubbele punten en de aanhalingstekens",
                )
            ]
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

    def compose_node(
        self, parent: yaml.Node | None, index: int | yaml.Node | None
    ) -> yaml.Node | None:
        # types-PyYAML leaves Parser.peek_event unannotated.
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                line,
                "ankers en verwijzingen (& en *) horen niet in een "
                "taakbestand; schrijf de waarde voluit",
            )
        if (
            isinstance(parent, yaml.MappingNode)
            and index is None
            and not isinstance(event, yaml.ScalarEvent)
        ):
            raise _Refused(line, "een veldnaam moet een woord zijn, geen lijst of groep")
        if self._depth >= _MAX_DEPTH:
            raise _Refused(
                line,
                Message("de velden zijn te diep genest (meer dan {most} niveaus)", most=_MAX_DEPTH),
            )
        self._depth += 1
        try:
            # types-PyYAML says `index: int`; PyYAML passes None for a mapping's key and
            # the key's node for its value.
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1


def _unreadable_value(node: yaml.Node, path: FieldPath, name: str) -> Problem:
    """The first value YAML cannot make data of (a date 2027-13-45, a number of 5,000
    digits, `!!int tien`), as a problem at its line and field."""
    found = _first_unreadable(node, path)
    if found is None:  # not one value alone: the file as a whole
        return problem(name, node.start_mark.line + 1, (), "deze waarde kan niet worden gelezen")
    bad, where = found
    return problem(
        name,
        bad.start_mark.line + 1,
        where,
        Message("deze waarde kan niet worden gelezen: {found}", found=repr(bad.value[:80])),
    )


def _first_unreadable(node: yaml.Node, path: FieldPath) -> tuple[yaml.ScalarNode, FieldPath] | None:
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.constructor.SafeConstructor().construct_object(node)
        except (ValueError, TypeError, AttributeError, OverflowError, yaml.YAMLError):
            return node, path
        return None
    if isinstance(node, yaml.MappingNode):
        pairs = [
            pair for key, value in node.value for pair in ((path, key), ((*path, key.value), value))
        ]
    else:
        pairs = [((*path, index), item) for index, item in enumerate(node.value)]
    for where, child in pairs:
        found = _first_unreadable(child, where)
        if found is not None:
            return found
    return None


def _map_lines(
    node: yaml.Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    duplicates: list[Problem],
    name: str,
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                duplicates.append(
                    problem(
                        name,
                        key_node.start_mark.line + 1,
                        (*path, key),
                        "dit veld staat er twee keer; houd er één",
                    )
                )
            seen.add(key)
            _map_lines(value_node, (*path, key), lines, duplicates, name)
            lines[(*path, key)] = key_node.start_mark.line + 1  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, duplicates, name)
