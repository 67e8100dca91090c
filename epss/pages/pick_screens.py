"""Where an expert points at a step's field or records steps: the screens of the case
software the task's context rules name (an address on each origin of the rule's host app),
the origins the editor takes a pointed-at field from (every registered host app's), and the
titles a recorded step is suggested."""

from __future__ import annotations

from itertools import takewhile
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, select

from epss.context.patterns import PathPattern
from epss.models import HostApp

# The title a recorded step is suggested, by what the expert did, with the name of the
# element and without one. Guidance text, so in the language of the tasks (Dutch), whatever
# the language of the editor.
RECORDED_TITLES = {
    "klikken": ("Klik op ‘{name}’", "Klik op de knop"),
    "invullen": ("Vul ‘{name}’ in", "Vul het veld in"),
    "kiezen": ("Kies ‘{name}’", "Maak een keuze"),
    "aanvinken": ("Vink ‘{name}’ aan", "Vink het vakje aan"),
}


def _screen_path(url_pattern: str) -> str:
    """The address of a rule's screen: its pattern up to the first segment that stands for
    any value (':zaak', '*', '**'), which is left open ('/zaken/:zaak/**' → '/zaken/')."""
    pattern = PathPattern.compile(url_pattern)
    literal = list(takewhile(lambda s: not PathPattern.is_wildcard(s), pattern.segments))
    open_end = pattern.rest or len(literal) < len(pattern.segments)
    path = "/" + "/".join(quote(s) for s in literal)
    return path + "/" if open_end and literal else path


def pick_screens(session: Session, draft: dict[str, Any]) -> dict[str, Any]:
    """`screens`: [{name, url}] of the task's rules with an address, first the exact ones;
    `origins`: the origins a pointed-at field may come from; `titles`: RECORDED_TITLES."""
    apps = {app.id: app for app in session.exec(select(HostApp)).all()}
    screens: list[dict[str, str]] = []
    for rule in draft.get("context_rules", []):
        app, pattern = apps.get(rule.get("app")), rule.get("url")
        if app is None or not pattern:
            continue
        for origin in app.allowed_origins:
            screen = {"name": app.name, "url": origin + _screen_path(pattern)}
            if screen not in screens:
                screens.append(screen)
    screens.sort(key=lambda s: s["url"].endswith("/"))  # an exact screen before a folder
    origins = sorted({o for app in apps.values() for o in app.allowed_origins})
    return {"screens": screens, "origins": origins, "titles": RECORDED_TITLES}
