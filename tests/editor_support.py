"""The editor's step form as the page fills it in, for the tests that post it."""

from __future__ import annotations


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
        "bronnen": step["sources"],
        # the branches, then the empty row for a new one (its select always has a value)
        "tak_als": [b["if"] for b in step["branches"]] + [""],
        "tak_soort": ["taak" if b.get("task") else "stap" for b in step["branches"]] + ["stap"],
        "tak_naar": [b.get("task") or b.get("step") for b in step["branches"]] + [""],
    }
    if step["mandatory"]:
        form["verplicht"] = "ja"
    form.update(changes)
    return form
