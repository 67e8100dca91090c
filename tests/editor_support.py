"""The editor's step form as the page fills it in, for the tests that post it."""

from __future__ import annotations

import json

from epss.taskfile.fields import STEP_FIELDS

# The rows of the checks at the field: a check's kind and the name of its input.
CHECK_INPUTS = {
    "required": "controle_verplicht",
    "bsn": "controle_bsn",
    "pattern": "controle_patroon",
    "date": "controle_datum",
}


def step_form(step: dict, **changes) -> dict:
    """The edit form of a step (a step of `draft_view`), with `changes` typed over it."""
    form = {
        "versie": str(step["version"]),
        "titel": step["title"],
        "instructie": step["instruction"],
        "waarom": step["why"],
        "letop": step["warning"],
        "controle": step["check"],
        "minuten": str(step.get("estimated_minutes") or ""),
        "doelveld": "\n".join(step["target"]),
        "veldtip": step.get("field_tip") or "",
        "bronnen": step["sources"],
        # the branches, then the empty row for a new one (its select always has a value)
        "tak_als": [b["if"] for b in step["branches"]] + [""],
        "tak_soort": ["taak" if b.get("task") else "stap" for b in step["branches"]] + ["stap"],
        "tak_naar": [b.get("task") or b.get("step") for b in step["branches"]] + [""],
    }
    if step["mandatory"]:
        form["verplicht"] = "ja"
    # the checks at the field: a box ticked is sent, one not ticked is not
    for check in step.get("field_checks") or []:
        name = CHECK_INPUTS[check["kind"]]
        form[name] = check["pattern"] if check["kind"] == "pattern" else "ja"
        for key, suffix in (("from_days", "_van"), ("to_days", "_tot")):
            if check.get(key) is not None:
                form[name + suffix] = str(check[key])
        if check.get("message"):
            form[name + "_melding"] = check["message"]
    form.update(changes)
    return form


def basis(step: dict) -> str:
    """The hidden field the edit form sends back: the step as the form was loaded."""
    return json.dumps({name: step.get(name) for name in STEP_FIELDS})
