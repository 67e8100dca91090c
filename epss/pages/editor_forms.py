"""The editor's HTML forms, read into the dicts the draft functions take (and back).

Repeated rows (branches, sources, context rules) arrive as lists of equal length, one
entry per row; a row left empty is no row. Field names are Dutch, as the forms are.
"""

from __future__ import annotations

import datetime as dt
import json

from starlette.datastructures import FormData

from epss.drafts.merge import STEP_FIELDS
from epss.errors import InvalidInput
from epss.i18n import Phrase
from epss.numbers import whole_number
from epss.taskfile.field_checks import FieldCheck
from epss.taskfile.fields import FIELD_LABELS

# The Markdown fields by the names of their inputs (the forms are Dutch).
STEP_TEXT_INPUTS = {
    "instructie": "instruction",
    "waarom": "why",
    "letop": "warning",
    "controle": "check",
}
TASK_TEXT_INPUTS = {"doel": "goal", "aanleiding": "trigger", "norm": "standard"}
# The checks at a step's field, one row of the form per kind, in the form's order: the
# input that turns the check on (a box; for a pattern, the pattern itself), and beside it
# `<input>_melding` (its own message) and, for a date, `<input>_van` and `<input>_tot`.
CHECK_INPUTS = (
    ("required", "controle_verplicht"),
    ("bsn", "controle_bsn"),
    ("pattern", "controle_patroon"),
    ("date", "controle_datum"),
)
DAY_INPUTS = (("from_days", "_van"), ("to_days", "_tot"))


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
        row = {
            name: str(c[n]).strip() if n < len(c) else ""
            for name, c in zip(names, columns, strict=True)
        }
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
        **{field: _text(form, name) for name, field in STEP_TEXT_INPUTS.items()},
        # Checked with the rest of the step, so the form comes back with what was typed.
        "estimated_minutes": _text(form, "minuten") or None,
        "branches": branches,
        "target": _lines(_text(form, "doelveld")),
        "field_tip": _text(form, "veldtip") or None,
        "field_checks": _field_checks(form),
        "sources": _in_step_order([str(s) for s in form.getlist("bronnen")], form),
        **_pointed_at(form),
    }


def _pointed_at(form: FormData) -> dict:
    """What the field the expert pointed at in the case software looks like (filled in by
    editor_pick.js), when they did: checked with the rest of the step."""
    given = _text(form, "kenmerken")
    if not given:
        return {}
    try:
        fingerprint = json.loads(given)
    except ValueError:
        fingerprint = None
    if not isinstance(fingerprint, dict):
        raise InvalidInput(
            "Veld in het zaaksysteem: wat over het aangewezen veld werd meegestuurd, is "
            "onleesbaar. Wijs het veld opnieuw aan.",
            extra={"field": "target_fingerprint"},
        )
    return {"target_fingerprint": fingerprint}


def _basis(form: FormData, name: str) -> list:
    """A list field of the step as its form was loaded (the hidden `basis`)."""
    try:
        basis = json.loads(str(form.get("basis") or "{}"))
        had = basis.get(name) or []
    except (ValueError, AttributeError):
        return []
    return had if isinstance(had, list) else []


def _in_step_order(chosen: list[str], form: FormData) -> list[str]:
    """The sources ticked, in the order the step had them (the boxes stand in the task's
    order, so a save would otherwise reorder them: a change nobody made), new ones last."""
    had = [s for s in _basis(form, "sources") if isinstance(s, str)]
    return [s for s in had if s in chosen] + [s for s in chosen if s not in had]


def _field_checks(form: FormData) -> list[dict]:
    """The checks at the step's field, each kind once, in the order the step had them (the
    rows stand in a fixed order: a save must not reorder them), new ones in the form's
    order. Only what is given is in a check, as a stored check holds it. A day of a date
    check that is no whole number stays as typed, so the form comes back with it:
    `checked_days` refuses it."""
    checks = {}
    for kind, name in CHECK_INPUTS:
        check: dict[str, object] = {"kind": kind}
        if kind == "pattern":
            pattern = _text(form, name)
            if not pattern:
                continue
            check["pattern"] = pattern
        elif form.get(name) is None:
            continue
        for key, suffix in DAY_INPUTS if kind == "date" else ():
            typed = _text(form, name + suffix)
            if typed:
                check[key] = _day_number(typed)
        message = _text(form, name + "_melding")
        if message:
            check["message"] = message
        checks[kind] = check
    had = [c.get("kind") for c in _basis(form, "field_checks") if isinstance(c, dict)]
    order = [k for k in had if k in checks] + [k for k in checks if k not in had]
    return [checks[str(kind)] for kind in order]


def _day_number(typed: str) -> int | str:
    """A number of days from today as typed (-3, −3, 0, 14), or the text when it is none."""
    text = typed.replace("\u2212", "-").replace(" ", "")
    sign = -1 if text.startswith("-") else 1
    number = whole_number(text.removeprefix("-").removeprefix("+"))
    return typed if number is None else sign * number


def checked_days(values: dict) -> dict:
    """A step's values from `step_changes`, or InvalidInput naming the first day of a date
    check that is no whole number (the form keeps it as typed)."""
    for n, check in enumerate(values.get("field_checks") or []):
        for key, _suffix in DAY_INPUTS:
            typed = check.get(key)
            if isinstance(typed, str):
                raise InvalidInput(
                    "{checks}, {field}: '{value}' is geen geheel aantal dagen. Vul een getal "
                    "in: 0 is vandaag, -3 is drie dagen geleden, 14 is over twee weken.",
                    params={
                        "checks": Phrase(FIELD_LABELS["field_checks"]),
                        "field": Phrase(FieldCheck.model_fields[key].title or key),
                        "value": typed[:40],
                    },
                    extra={"field": f"field_checks[{n}].{key}"},
                )
    return values


def new_step_values(form: FormData) -> dict:
    """The fields of a step to add: its id, title and instruction, mandatory or not."""
    return {
        "id": _text(form, "stap_id"),
        "title": _text(form, "titel"),
        "instruction": _text(form, "instructie"),
        "mandatory": form.get("verplicht") is not None,
    }


def task_changes(form: FormData) -> dict:
    """The task's own fields from the task form (its context rules have their own form)."""
    review_by = _text(form, "controle_voor")
    review_date = _date(review_by)
    if review_date is None:
        raise InvalidInput(
            "Controle vóór: '{value}' is geen datum. Vul een datum in als "
            "dd-mm-jjjj, bijvoorbeeld 03-03-2027.",
            params={"value": review_by[:40]},
            extra={"field": "review_by"},
        )
    given = _text(form, "interval") or "12"
    interval = whole_number(given)
    if interval is None:
        raise InvalidInput(
            "Controle-interval (maanden): '{value}' is geen geheel aantal maanden.",
            params={"value": given[:40]},
            extra={"field": "review_interval_months"},
        )
    checked = _text(form, "gecontroleerd_op")
    checked_on = _date(checked) if checked else None
    if checked and checked_on is None:
        raise InvalidInput(
            "Laatst gecontroleerd op: '{value}' is geen datum. Vul een datum "
            "in als dd-mm-jjjj, bijvoorbeeld 03-03-2027.",
            params={"value": checked[:40]},
            extra={"field": "checked_on"},
        )
    sources = []
    names = ("bron_id", "bron_titel", "bron_uitgever", "bron_artikel", "bron_datum", "bron_url")
    for n, r in enumerate(_rows(form, *names), start=1):
        day = _date(r["bron_datum"]) if r["bron_datum"] else None
        if r["bron_datum"] and day is None:
            raise InvalidInput(
                "Bron {n}, Datum: '{value}' is geen datum. Vul een datum in als "
                "dd-mm-jjjj, bijvoorbeeld 03-03-2027.",
                params={"n": n, "value": r["bron_datum"][:40]},
                extra={"field": f"sources[{n - 1}].date"},
            )
        sources.append(
            {
                k: v
                for k, v in {
                    "id": r["bron_id"],
                    "title": r["bron_titel"],
                    "publisher": r["bron_uitgever"] or None,
                    "section": r["bron_artikel"] or None,
                    "date": day.isoformat() if day else None,
                    "url": r["bron_url"] or None,
                }.items()
                if v is not None
            }
        )
    return {
        "title": _text(form, "titel"),
        "domain": _text(form, "domein"),
        **{field: _text(form, name) for name, field in TASK_TEXT_INPUTS.items()},
        "criticality": _text(form, "kritiek"),
        "owner": _text(form, "eigenaar"),
        "review_by": review_date,
        "review_interval_months": interval,
        "checked_on": checked_on,
        "tags": _words(_text(form, "trefwoorden")),
        "zaaktypen": _words(_text(form, "zaaktypen")),
        "deviation_reasons": _lines(_text(form, "redenen")),
        "sources": sources,
    }


def _date(text: str) -> dt.date | None:
    """A date as the date field sends it (jjjj-mm-dd) or as people type it (dd-mm-jjjj)."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def rules_changes(form: FormData) -> dict:
    """The task's context rules from the rules form."""
    rules = []
    names = (
        "regel_app",
        "regel_url",
        "regel_titel",
        "regel_markers",
        "regel_zaaktype",
        "regel_prioriteit",
        "regel_startstap",
    )
    for n, row in enumerate(_rows(form, *names), start=1):
        try:
            priority = int(row["regel_prioriteit"] or 0)
        except ValueError:
            raise InvalidInput(
                "Contextregel {n}, Prioriteit: '{value}' is geen geheel getal.",
                params={"n": n, "value": row["regel_prioriteit"][:40]},
                extra={"field": f"context_rules[{n - 1}].priority"},
            ) from None
        rule = {
            "app": row["regel_app"],
            "url": row["regel_url"] or None,
            "title": row["regel_titel"] or None,
            "markers": _words(row["regel_markers"]),
            "zaaktype": row["regel_zaaktype"] or None,
            "priority": priority,
            "start_step": row["regel_startstap"] or None,
        }
        rules.append(rule)
    return {"context_rules": rules}


def step_form_values(step: dict) -> dict:
    """What the step edit form shows for a step dict (as draft_view gives it)."""
    return {
        "titel": step.get("title", ""),
        "verplicht": step.get("mandatory", True),
        **{name: step.get(field, "") or "" for name, field in STEP_TEXT_INPUTS.items()},
        "minuten": step.get("estimated_minutes") or "",
        "doelveld": "\n".join(step.get("target") or []),
        "veldtip": step.get("field_tip") or "",
        **check_form_values(step.get("field_checks") or []),
        "bronnen": list(step.get("sources") or []),
        "takken": [
            {
                "als": b.get("if", ""),
                "soort": "taak" if b.get("task") else "stap",
                "naar": b.get("task") or b.get("step") or "",
            }
            for b in step.get("branches") or []
        ],
    }


def step_form_inputs(step: dict) -> list[tuple[str, str]]:
    """The inputs (name, value) a step's edit form posts for a step dict: posted as they
    are, `step_changes` reads the very same step back (the merge form's "keep mine" sends
    them hidden)."""
    inputs: list[tuple[str, str]] = []
    for name, value in step_form_values(step).items():
        if name == "takken":
            inputs += [
                (f"tak_{key}", row[key]) for row in value for key in ("als", "soort", "naar")
            ]
        elif isinstance(value, list):
            inputs += [(name, str(item)) for item in value]
        elif value is True:
            inputs.append((name, "ja"))
        elif value is not False and value != "":
            inputs.append((name, str(value)))
    if step.get("target_fingerprint"):
        inputs.append(("kenmerken", json.dumps(step["target_fingerprint"], ensure_ascii=False)))
    return inputs


def check_form_values(checks: list) -> dict:
    """The inputs of the checks at a step's field, by their names: a box ticked (True) or
    not, a pattern, the days of a date check and each check's own message ("" when not
    given)."""
    by_kind = {c.get("kind"): c for c in checks if isinstance(c, dict)}
    values: dict[str, object] = {}
    for kind, name in CHECK_INPUTS:
        check = by_kind.get(kind) or {}
        if kind == "pattern":
            values[name] = check.get("pattern") or ""
        else:
            values[name] = bool(check)
        for key, suffix in DAY_INPUTS if kind == "date" else ():
            day = check.get(key)
            values[name + suffix] = "" if day is None else str(day)
        values[name + "_melding"] = check.get("message") or ""
    return values


def step_basis(step: dict) -> dict:
    """The fields of a step as its edit form was loaded with them (sent back as the
    hidden `basis`, the base of a three-way merge when someone saved in between)."""
    return {name: step.get(name) for name in STEP_FIELDS}
