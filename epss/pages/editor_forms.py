"""The editor's HTML forms, read into the dicts the draft functions take (and back).

Repeated rows (branches, sources, context rules) arrive as lists of equal length, one
entry per row; a row left empty is no row. Field names are Dutch, as the forms are.
"""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData

from epss.errors import InvalidInput

STEP_TEXTS = {"instructie": "instruction", "waarom": "why", "letop": "warning",
              "controle": "check"}
TASK_TEXTS = {"doel": "goal", "aanleiding": "trigger", "norm": "standard"}


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").replace("\r\n", "\n").strip()


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.replace("\n", ",").split(",") if w.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.split("\n") if line.strip()]


def _rows(form: FormData, *names: str) -> list[dict[str, str]]:
    columns = [form.getlist(name) for name in names]
    count = max((len(c) for c in columns), default=0)
    rows = []
    for n in range(count):
        row = {name: str(c[n]).strip() if n < len(c) else "" for name, c in zip(names, columns,
                                                                                 strict=True)}
        if any(row.values()):
            rows.append(row)
    return rows


def step_changes(form: FormData) -> dict:
    """A step's fields from its edit form."""
    branches = []
    for row in _rows(form, "tak_als", "tak_soort", "tak_naar"):
        if not (row["tak_als"] or row["tak_naar"]):
            continue  # the empty row (its select always has a value)
        kind = "task" if row["tak_soort"] == "taak" else "step"
        branches.append({"if": row["tak_als"], kind: row["tak_naar"]})
    return {
        "title": _text(form, "titel"),
        "mandatory": form.get("verplicht") is not None,
        **{field: _text(form, name) for name, field in STEP_TEXTS.items()},
        "branches": branches,
        "target": _lines(_text(form, "doelveld")),
        "sources": [str(s) for s in form.getlist("bronnen")],
    }


def new_step_values(form: FormData) -> dict:
    """The fields of a step to add: its id, title and instruction, mandatory or not."""
    return {"id": _text(form, "stap_id"), "title": _text(form, "titel"),
            "instruction": _text(form, "instructie"),
            "mandatory": form.get("verplicht") is not None}


def task_changes(form: FormData) -> dict:
    """The task's own fields from the task form (its context rules have their own form)."""
    review_by = _text(form, "controle_voor")
    try:
        review_date = dt.date.fromisoformat(review_by)
    except ValueError:
        raise InvalidInput(f"review_by: expected a date written as YYYY-MM-DD "
                           f"(found {review_by!r})") from None
    interval = _text(form, "interval") or "12"
    if not interval.isdigit():
        raise InvalidInput(f"review_interval_months: expected a whole number of months "
                           f"(found {interval!r})")
    sources = [{k: v for k, v in {"id": r["bron_id"], "title": r["bron_titel"],
                                  "publisher": r["bron_uitgever"] or None,
                                  "url": r["bron_url"] or None}.items() if v is not None}
               for r in _rows(form, "bron_id", "bron_titel", "bron_uitgever", "bron_url")]
    return {
        "title": _text(form, "titel"), "domain": _text(form, "domein"),
        **{field: _text(form, name) for name, field in TASK_TEXTS.items()},
        "criticality": _text(form, "kritiek"), "owner": _text(form, "eigenaar"),
        "review_by": review_date, "review_interval_months": int(interval),
        "tags": _words(_text(form, "trefwoorden")),
        "zaaktypen": _words(_text(form, "zaaktypen")),
        "sources": sources,
    }


def rules_changes(form: FormData) -> dict:
    """The task's context rules from the rules form."""
    rules = []
    names = ("regel_app", "regel_url", "regel_titel", "regel_markers", "regel_zaaktype",
             "regel_prioriteit", "regel_startstap")
    for n, row in enumerate(_rows(form, *names), start=1):
        try:
            priority = int(row["regel_prioriteit"] or 0)
        except ValueError:
            raise InvalidInput(f"context_rules → rule {n} → priority: expected a whole "
                               f"number (found {row['regel_prioriteit']!r})") from None
        rule = {"app": row["regel_app"], "url": row["regel_url"] or None,
                "title": row["regel_titel"] or None, "markers": _words(row["regel_markers"]),
                "zaaktype": row["regel_zaaktype"] or None, "priority": priority,
                "start_step": row["regel_startstap"] or None}
        rules.append(rule)
    return {"context_rules": rules}


def step_form_values(step: dict) -> dict:
    """What the step edit form shows for a step dict (as draft_view gives it)."""
    return {
        "titel": step.get("title", ""), "verplicht": step.get("mandatory", True),
        **{name: step.get(field, "") or "" for name, field in STEP_TEXTS.items()},
        "doelveld": "\n".join(step.get("target") or []),
        "bronnen": list(step.get("sources") or []),
        "takken": [{"als": b.get("if", ""), "soort": "taak" if b.get("task") else "stap",
                    "naar": b.get("task") or b.get("step") or ""}
                   for b in step.get("branches") or []],
    }


def merged_step(theirs: dict, mine: dict) -> dict:
    """A starting point for merging by hand: where the two differ, a text field holds
    their text and then yours (nothing is lost); other fields take yours."""
    merged = dict(mine)
    for field in STEP_TEXTS.values():
        a, b = (theirs.get(field) or "").strip(), (mine.get(field) or "").strip()
        if a != b and a and b:
            merged[field] = f"{a}\n\n{b}"
    return merged
