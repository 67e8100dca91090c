"""The merge form of a step someone else saved meanwhile: what it shows (both sides of each
conflicting place, in words against the base, and what "both" gives), and reading back the
choices made on it. The hidden state it carries is the base, their and my value of each
conflicting field."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.datastructures import FormData

from epss.drafts.changes import word_runs
from epss.drafts.merge import (
    STEP_FIELDS,
    TEXT_FIELDS,
    Conflict,
    Merged,
    StepMerge,
    merge_items,
    merge_text,
)
from epss.errors import InvalidInput
from epss.pages import source_name
from epss.pages.field_help import describe_check, describe_fingerprint


def merge_sides(form: FormData) -> dict[str, dict]:
    """The conflicts a merge form showed (its hidden `samenvoegen`): per field the base,
    their and my value. Empty when the form is no merge form."""
    try:
        data = json.loads(str(form.get("samenvoegen") or "{}"))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(
            "Het formulier om samen te voegen is beschadigd; laad de pagina opnieuw."
        )
    sides = {}
    for name, values in data.items():
        if name not in STEP_FIELDS or not isinstance(values, dict):
            continue
        three = tuple(values.get(k) for k in ("base", "theirs", "mine"))
        kind = str if name in TEXT_FIELDS else list
        if all(isinstance(v, kind) for v in three):
            sides[name] = dict(zip(("base", "theirs", "mine"), three, strict=True))
    return sides


def resolved_values(sides: dict[str, dict], form: FormData) -> dict:
    """The fields of a merge form's conflicts, merged again and settled by the choices
    made (`keuze-<field>-<n>`: theirs, mine or both). ValueError names the first field
    with a place left undecided."""
    values = {}
    for name, three in sides.items():
        merge = merge_text if name in TEXT_FIELDS else merge_items
        merged = merge(three["base"], three["theirs"], three["mine"])
        choices = [
            str(form.get(f"keuze-{name}-{n}") or "") for n in range(1, len(merged.conflicts) + 1)
        ]
        try:
            values[name] = merged.value(choices)
        except ValueError:
            raise ValueError(name) from None
    return values


def value_writer(draft: dict, translate: Callable[[str], str]) -> Callable[[str, object], str]:
    """`shown(field, value)`: a step's field as a person reads it: yes/no as "Verplicht" or
    "Advies", branches as "Als … → stap 3: title", sources by title and article, checks in words
    (field_help.describe_check), one item a line."""
    steps = {s["id"]: (n, s["title"]) for n, s in enumerate(draft.get("steps", []), start=1)}
    sources = {s["id"]: source_name(s) for s in draft.get("sources") or []}

    def branch(b: dict) -> str:
        if b.get("task"):
            target = f"{translate('taak')} {b['task']}"
        else:
            number, title = steps.get(b.get("step"), (None, b.get("step") or ""))
            target = f"{translate('stap')} {number}: {title}" if number else title
        return f"{translate('Als')} {b.get('if', '')} → {target}"

    def shown(name: str, value: object) -> str:
        if value is None:
            return ""
        if name == "mandatory":
            return translate("Verplicht") if value else translate("Advies")
        if name == "branches":
            return "\n".join(branch(b) for b in value if isinstance(b, dict))
        if name == "sources":
            return "\n".join(sources.get(str(i), str(i)) for i in value)
        if name == "field_checks":
            return "\n".join(
                describe_check(c, translate, capital=True) for c in value if isinstance(c, dict)
            )
        if name == "target_fingerprint" and isinstance(value, dict):
            return describe_fingerprint(value, translate)
        if isinstance(value, list):
            return "\n".join(str(i) for i in value)
        return str(value)

    return shown


def merge_form(
    merge: StepMerge,
    base: dict | None,
    theirs: dict,
    mine: dict,
    shown: Callable[[str, object], str],
) -> dict:
    """What the merge form shows: the merged values (a conflicting field holds theirs
    until chosen), per conflicting field its places with both versions as runs of words
    against the base and what "both" gives, what each side changed (runs of words, base
    against theirs and against mine), and the hidden state to merge again on saving.
    `shown(field, value)` writes a value as a person reads it."""
    conflicts = []
    for name, merged in merge.conflicts.items():
        places = []
        for n, c in enumerate(merged.conflicts, start=1):
            base_text, their_text, my_text = (
                _piece(name, part, shown) for part in (c.base, c.theirs, c.mine)
            )
            both = Merged((Conflict(c.base, c.theirs, c.mine),), merged.join).value(["both"])
            places.append(
                {
                    "n": n,
                    "before": "".join(c.before) if name in TEXT_FIELDS else "",
                    "after": "".join(c.after) if name in TEXT_FIELDS else "",
                    "theirs": _runs(base_text, their_text, base is not None),
                    "mine": _runs(base_text, my_text, base is not None),
                    "both": both if name in TEXT_FIELDS else shown(name, both),
                }
            )
        conflicts.append({"field": name, "places": places})
    changed = {
        side: [
            {
                "field": name,
                "runs": word_runs(
                    shown(name, (base or {}).get(name)), shown(name, values.get(name))
                ),
            }
            for name in names
        ]
        for side, names, values in (
            ("theirs", merge.theirs_changed, theirs),
            ("mine", merge.mine_changed, mine),
        )
    }
    empty = {name: "" if name in TEXT_FIELDS else [] for name in merge.conflicts}
    state = {
        name: {
            "base": (base or empty).get(name, empty[name]),
            "theirs": theirs.get(name, empty[name]),
            "mine": mine.get(name, empty[name]),
        }
        for name in merge.conflicts
    }
    return {
        "values": {**theirs, **merge.values},
        "conflicts": conflicts,
        "fields": [c["field"] for c in conflicts],
        "changed": changed,
        "has_base": base is not None,
        "state": json.dumps(state, ensure_ascii=False),
    }


def _runs(base: str, text: str, against_base: bool) -> list[dict]:
    """One side of a conflict: its words marked against the base when it is a small
    change of it, else (or without a base) just its text."""
    runs = word_runs(base, text) if against_base else []
    if not any(r["op"] == "same" for r in runs):
        return [{"op": "same", "text": text}] if text else []
    return runs


def _piece(name: str, part: tuple, shown: Callable[[str, object], str]) -> str:
    if name in TEXT_FIELDS:
        return "".join(part)
    return shown(name, [json.loads(item) for item in part])
