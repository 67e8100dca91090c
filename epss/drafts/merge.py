"""Three-way merge of a step: what the person started from (base), what is stored now
(theirs: a colleague saved in between) and what the person typed (mine).

Changes that do not touch the same words are applied by themselves; where both changed
the same words the conflict is reported, word by word, for the person to choose. The
merging itself is Breezy's `merge3` (a diff3 over any sequence); this module only decides
what the sequences are: texts as words, spaces and punctuation (a space alone never ties
two edits together), lists (branches, fields, sources) as their items.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_origin

from merge3 import Merge3, SyncRegion
from pydantic import TypeAdapter, ValidationError

from epss.taskfile.fields import STEP_FIELDS, STEP_TEXTS
from epss.taskfile.model import Step

# A step's fields by how they merge: texts word by word, lists item by item, and single
# values (yes/no, a number) whole.
TEXT_FIELDS = ("title", *STEP_TEXTS)
LIST_FIELDS = tuple(n for n in STEP_FIELDS if get_origin(Step.model_fields[n].annotation) is list)
VALUE_FIELDS = tuple(n for n in STEP_FIELDS if n not in TEXT_FIELDS + LIST_FIELDS)
CHOICES = ("theirs", "mine", "both")

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

# What merge3 merges: a text's words (see `words`), or a list's items each as JSON.
Tokens = tuple[str, ...]
# Makes a field's value of the merged tokens: a text, or a list.
Join = Callable[[Sequence[str]], str | list[Any]]
# A run of tokens taken as they are while merging: True when unchanged from the base.
_Run = tuple[bool, Tokens]


def words(text: str) -> list[str]:
    """A text as words, runs of white space and single punctuation marks: joined again
    they give the text back exactly."""
    return _TOKENS.findall(text)


def _is_space(token: object) -> bool:
    return isinstance(token, str) and token.isspace()


class _Matcher(difflib.SequenceMatcher[str]):
    """difflib's matcher as merge3 calls it, without the "popular element" heuristic,
    which would drop the frequent words (and spaces) of a long text from the matching."""

    def __init__(
        self,
        isjunk: Callable[[str], bool] | None = None,
        a: Sequence[str] = (),
        b: Sequence[str] = (),
    ) -> None:
        super().__init__(None, a, b, autojunk=False)


class _Merge3(Merge3[str]):
    """merge3, where unchanged white space alone does not separate two edits: "drie
    werkdagen" made "vijf werkdagen" by one and "drie kalenderdagen" by the other is one
    conflict, not "vijf kalenderdagen"."""

    def find_sync_regions(self) -> list[SyncRegion]:
        regions = super().find_sync_regions()
        return [
            r for r in regions[:-1] if not all(_is_space(t) for t in self.base[r[0] : r[1]])
        ] + regions[-1:]


@dataclass(frozen=True)
class Conflict:
    """One place where both changed the same words (or items): the three versions of it,
    and the unchanged words around it (for showing where it is)."""

    base: Tokens
    theirs: Tokens
    mine: Tokens
    before: Tokens = ()
    after: Tokens = ()


@dataclass(frozen=True)
class Merged:
    """The outcome for one field: runs taken as they are, and conflicts. `join` makes
    the value of a sequence of pieces (text or list)."""

    pieces: tuple[Tokens | Conflict, ...]
    join: Join = field(compare=False, repr=False)

    @property
    def conflicts(self) -> list[Conflict]:
        return [p for p in self.pieces if isinstance(p, Conflict)]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def value(self, choices: Sequence[str] = ()) -> str | list[Any]:
        """The merged value, each conflict settled by its choice in order ("theirs",
        "mine" or "both": theirs, then mine). ValueError when a choice is missing."""
        chosen = list(choices)
        if len(chosen) < len(self.conflicts) or any(c not in CHOICES for c in chosen):
            raise ValueError("choose for every conflict: theirs, mine or both")
        out: list[str] = []
        n = 0
        for piece in self.pieces:
            if not isinstance(piece, Conflict):
                out.extend(piece)
                continue
            choice, n = chosen[n], n + 1
            if choice in ("theirs", "both"):
                out.extend(piece.theirs)
            if choice == "both":
                out.extend(_between(piece.theirs, piece.mine, self.join))
            if choice == "mine":
                out.extend(piece.mine)
            elif choice == "both":
                out.extend(
                    piece.mine
                    if self.join is _join_text
                    else [i for i in piece.mine if i not in piece.theirs]
                )
        return self.join(out)


def _between(theirs: Tokens, mine: Tokens, join: Join) -> Tokens:
    """A space between two texts put one after the other, when neither brings one."""
    if join is not _join_text or not theirs or not mine:
        return ()
    if _is_space(theirs[-1]) or _is_space(mine[0]):
        return ()
    return (" ",)


def _join_text(tokens: Sequence[str]) -> str:
    return "".join(tokens)


def _join_list(items: Sequence[str]) -> list[Any]:
    """The items in order, each once (taking both sides of a conflict must not repeat an
    item that the other side moved)."""
    return [json.loads(item) for item in dict.fromkeys(items)]


CONTEXT = 6  # words of context shown either side of a conflict


def _merge(base: Sequence[str], theirs: Sequence[str], mine: Sequence[str], join: Join) -> Merged:
    """merge3's regions as pieces. A conflict whose two sides differ only in spaces within
    a line is no conflict (theirs is kept); a line or paragraph break is a change. A
    conflict in a text takes in the unchanged words around it up to the ends of its
    sentence, so that each choice reads as a whole."""
    # merge3's SequenceMatcherProtocol wants get_matching_blocks to return
    # list[tuple[int, int, int]]; difflib's (and so _Matcher's) returns list[Match], tuples
    # of three ints, but a list is invariant: difflib.SequenceMatcher, merge3's own default,
    # does not fit it either.
    merger = _Merge3(base, theirs, mine, sequence_matcher=_Matcher)  # type: ignore[arg-type]
    pieces: list[_Run | Conflict] = []
    for group in merger.merge_groups():
        if group[0] != "conflict":
            if group[1]:
                pieces.append((group[0] == "unchanged", tuple(group[1])))
            continue
        _, b, t, m = group
        if (
            join is _join_text
            and "".join(t).split() == "".join(m).split()
            and "".join(t).count("\n") == "".join(m).count("\n")
        ):
            pieces.append((False, tuple(t)))
            continue
        pieces.append(Conflict(tuple(b), tuple(t), tuple(m)))
    if join is _join_text:
        pieces = _to_sentence_ends(pieces)
    return Merged(tuple(_with_context(pieces)), join)


_SENTENCE_END = frozenset(".!?;:")


def _ends_sentence(token: str) -> bool:
    return token in _SENTENCE_END or (token.isspace() and "\n" in token)


def _to_sentence_ends(pieces: list[_Run | Conflict]) -> list[_Run | Conflict]:
    """Each conflict widened over the unchanged words before and after it, up to the
    sentence's start and end (never over a change of one side: that stays applied)."""
    for n, piece in enumerate(pieces):
        if not isinstance(piece, Conflict):
            continue
        lead: Tokens = ()
        before = pieces[n - 1] if n else None
        if isinstance(before, tuple) and before[0]:
            tokens = before[1]
            start = len(tokens)
            while start > 0 and not _ends_sentence(tokens[start - 1]):
                start -= 1
            while start < len(tokens) and tokens[start].isspace():
                start += 1
            lead, pieces[n - 1] = tokens[start:], (True, tokens[:start])
        trail: Tokens = ()
        after = pieces[n + 1] if n + 1 < len(pieces) else None
        if isinstance(after, tuple) and after[0]:
            tokens = after[1]
            end = 0
            while end < len(tokens) and not _ends_sentence(tokens[end]):
                end += 1
            if end < len(tokens) and not tokens[end].isspace():
                end += 1  # the full stop belongs to the sentence
            trail, pieces[n + 1] = tokens[:end], (True, tokens[end:])
        pieces[n] = Conflict(
            lead + piece.base + trail, lead + piece.theirs + trail, lead + piece.mine + trail
        )
    return pieces


def _with_context(pieces: list[_Run | Conflict]) -> list[Tokens | Conflict]:
    """Each conflict with the few tokens before and after it; the other pieces as their
    tokens."""
    out: list[Tokens | Conflict] = []
    for n, piece in enumerate(pieces):
        if isinstance(piece, Conflict):
            before = pieces[n - 1] if n else None
            after = pieces[n + 1] if n + 1 < len(pieces) else None
            out.append(
                Conflict(
                    piece.base,
                    piece.theirs,
                    piece.mine,
                    _tail(before[1] if isinstance(before, tuple) else (), CONTEXT),
                    _head(after[1] if isinstance(after, tuple) else (), CONTEXT),
                )
            )
        elif piece[1]:
            out.append(piece[1])
    return out


def _tail(tokens: Tokens, count: int) -> Tokens:
    seen, start = 0, len(tokens)
    while start > 0 and seen < count:
        start -= 1
        seen += not _is_space(tokens[start])
    return tokens[start:]


def _head(tokens: Tokens, count: int) -> Tokens:
    seen, end = 0, 0
    while end < len(tokens) and seen < count:
        seen += not _is_space(tokens[end])
        end += 1
    return tokens[:end]


def merge_text(base: str, theirs: str, mine: str) -> Merged:
    """Three-way merge of a text, word by word."""
    return _merge(words(base or ""), words(theirs or ""), words(mine or ""), _join_text)


def merge_items(base: Sequence[Any], theirs: Sequence[Any], mine: Sequence[Any]) -> Merged:
    """Three-way merge of a list (of texts or small dicts), item by item."""

    def key(items: Sequence[Any]) -> list[str]:
        return [json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items or []]

    return _merge(key(base), key(theirs), key(mine), _join_list)


@dataclass(frozen=True)
class StepMerge:
    """The merge of a whole step: per field either its merged value or a Merged with
    conflicts. `theirs_changed` and `mine_changed` name the fields each side changed."""

    values: dict[str, Any]
    conflicts: dict[str, Merged]
    theirs_changed: tuple[str, ...]
    mine_changed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def resolved(self, choices: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """The step's values with every conflict settled by `choices` (field → one choice
        per conflict). ValueError names a field whose choices are missing."""
        values = dict(self.values)
        for name, merged in self.conflicts.items():
            try:
                values[name] = merged.value(choices.get(name, ()))
            except ValueError:
                raise ValueError(name) from None
        return values


def merge_step(
    base: Mapping[str, Any] | None, theirs: Mapping[str, Any], mine: Mapping[str, Any]
) -> StepMerge:
    """Merge a step's fields. Without a base (a form that did not say what it started
    from) every field the two sides fill differently is one conflict."""
    values: dict[str, Any] = {}
    conflicts: dict[str, Merged] = {}
    changed_theirs, changed_mine = [], []
    for name in STEP_FIELDS:
        t, m = _plain(theirs.get(name)), _plain(mine.get(name, theirs.get(name)))
        b = _plain(base.get(name)) if base is not None else None
        if base is not None:
            if t != b:
                changed_theirs.append(name)
            if m != b:
                changed_mine.append(name)
        if t == m:
            values[name] = t
            continue
        if base is not None and b == t:
            values[name] = m
            continue
        if base is not None and b == m:
            values[name] = t
            continue
        if name in VALUE_FIELDS:
            # A yes/no both sides changed ends the same (t == m above); of two new
            # estimates the one saved last counts.
            values[name] = m
            continue
        if base is None:
            merged = _whole(name, t, m)
        elif name in TEXT_FIELDS:
            merged = merge_text(b or "", t or "", m or "")
        else:
            merged = merge_items(b or [], t or [], m or [])
        if merged.clean:
            values[name] = merged.value()
        else:
            conflicts[name] = merged
    if base is None:
        changed_theirs = changed_mine = [n for n in STEP_FIELDS if n in conflicts]
    return StepMerge(values, conflicts, tuple(changed_theirs), tuple(changed_mine))


def _plain(value: Any) -> Any:
    """A value as compared: in the items of a list, a key without a value is no key (a
    branch stored with `task: null` equals the same branch from the form)."""
    if isinstance(value, list):
        return [
            {k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item
            for item in value
        ]
    return value


def _whole(name: str, theirs: Any, mine: Any) -> Merged:
    """Theirs against mine as one conflict, for a field merged without its base."""
    if name in TEXT_FIELDS:
        return Merged(
            (Conflict((), tuple(words(theirs or "")), tuple(words(mine or ""))),), _join_text
        )
    items = [json.dumps(i, sort_keys=True, ensure_ascii=False) for i in theirs or []]
    mine_items = [json.dumps(i, sort_keys=True, ensure_ascii=False) for i in mine or []]
    return Merged((Conflict((), tuple(items), tuple(mine_items)),), _join_list)


_VALUE_TYPES = {
    name: TypeAdapter[Any](Step.model_fields[name].annotation or object) for name in VALUE_FIELDS
}


def _holds(name: str, value: object) -> bool:
    """Whether `value` is of the type of the single-value field `name`, as it is stored."""
    try:
        _VALUE_TYPES[name].validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def step_base(data: object) -> dict[str, Any] | None:
    """The base a step form sent back (its fields as they were when the form was
    loaded), checked field by field; None when it is missing or not a step's fields."""
    if isinstance(data, str):
        try:
            data = json.loads(data) if data else None
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    base = {}
    for name in STEP_FIELDS:
        value = data.get(name, Step.ADDED_LATER.get(name))  # a form older than the field
        ok = (
            isinstance(value, str)
            if name in TEXT_FIELDS
            else _holds(name, value)
            if name in VALUE_FIELDS
            else isinstance(value, list) and all(isinstance(i, str | dict) for i in value)
        )
        if not ok:
            return None
        base[name] = value
    return base
