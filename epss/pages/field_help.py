"""A step's help at its field (the task file's `field_tip` and `field_checks`) and what its
field is recognised by (`target_fingerprint`) in words for people: one describer for the
editor (the step as shown, the merge form), the comparison of versions and the task page.
The checks themselves run only in the browser (overlay_js/src/checks.js), at the desk and
in the editor's preview.

Templates get `describe_checks(checks, _)`, `describe_check(check, _)`,
`describe_fingerprint(print, _)` and `check_messages(_)` (epss/pages/__init__.py gives them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from epss.i18n import fill
from epss.taskfile.fingerprint import FieldFingerprint

Translate = Callable[[str], str]

# What fieldProblem (overlay_js/src/checks.js) says when a check fails: Dutch texts with
# {params}, the same texts as there (tests/test_editor_field_help.py holds them together).
# The editor's preview shows them in the page's language.
CHECK_MESSAGES = (
    "Dit veld is nog leeg.",
    "Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan.",
    "Dit heeft niet de verwachte vorm.",
    "Dit is geen datum; schrijf dd-mm-jjjj.",
    "Verwacht is een datum vanaf {from}.",
    "Verwacht is een datum tot en met {to}.",
    "Verwacht is een datum van {from} tot en met {to}.",
)


def check_messages(translate: Translate) -> dict[str, str]:
    """The texts of the checks (CHECK_MESSAGES) in a language, by their Dutch."""
    return {text: translate(text) for text in CHECK_MESSAGES}


def _day(days: int, translate: Translate) -> str:
    """A day counted from today, as people say it: vandaag, 3 dagen geleden, …"""
    named = {0: "vandaag", -1: "gisteren", 1: "morgen"}
    if days in named:
        return translate(named[days])
    if days < 0:
        return fill("{n} dagen geleden", {"n": -days}, translate)
    return fill("{n} dagen na vandaag", {"n": days}, translate)


def _date_window(check: Mapping[str, Any], translate: Translate) -> str:
    start, end = check.get("from_days"), check.get("to_days")
    start = start if isinstance(start, int) else None
    end = end if isinstance(end, int) else None
    if start is None and end is None:
        return translate("een datum")
    if end is None:
        return fill("een datum vanaf {from}", {"from": _day(start or 0, translate)}, translate)
    if start is None:
        return fill("een datum tot en met {to}", {"to": _day(end, translate)}, translate)
    if start == end:
        return fill("de datum van {day}", {"day": _day(start, translate)}, translate)
    return fill(
        "een datum van {from} tot en met {to}",
        {"from": _day(start, translate), "to": _day(end, translate)},
        translate,
    )


def describe_check(check: Mapping[str, Any], translate: Translate, *, capital: bool = False) -> str:
    """One check (a dict of `field_checks`) in words, e.g. "een geldig BSN (elfproef)" or
    "een datum van 3 dagen geleden tot en met vandaag", with its own message when it has
    one. `capital`: with a capital letter, as a line of its own."""
    kind = check.get("kind")
    if kind == "required":
        text = translate("moet ingevuld zijn")
    elif kind == "bsn":
        text = translate("een geldig BSN (elfproef)")
    elif kind == "pattern":
        text = fill(
            "heeft de vorm {pattern} (reguliere expressie)",
            {"pattern": check.get("pattern") or ""},
            translate,
        )
    elif kind == "date":
        text = _date_window(check, translate)
    else:  # not in a valid document; shown rather than hidden
        text = str(kind or "")
    if check.get("message"):
        text = fill(
            '{check} (eigen melding: "{message}")',
            {"check": text, "message": check["message"]},
            translate,
        )
    return text[:1].upper() + text[1:] if capital else text


def describe_checks(checks: Iterable[Mapping[str, Any]] | None, translate: Translate) -> str:
    """A step's checks in words, one after the other: "moet ingevuld zijn; een geldig BSN
    (elfproef)" (empty without checks)."""
    return "; ".join(describe_check(check, translate) for check in checks or [])


# The signals a person recognises a field by, in the order they are told.
_TOLD = ("label", "aria_label", "text", "placeholder", "name", "id", "heading")


def describe_fingerprint(print_: Mapping[str, Any] | None, translate: Translate) -> str:
    """What the panel recognises a step's field by, e.g. "Labeltekst ‘Verhuisdatum’,
    Naam-attribuut ‘verhuisdatum’, Kop erboven ‘2. Nieuw adres en datum’" (empty without)."""
    fields = FieldFingerprint.model_fields
    told = [
        f"{translate(fields[name].title or name)} ‘{print_[name]}’"
        for name in _TOLD
        if print_ and print_.get(name)
    ]
    if print_ and print_.get("data"):
        told.append(f"{translate('Data-attributen')} {', '.join(print_['data'])}")
    return ", ".join(told)
