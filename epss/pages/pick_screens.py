"""Where an expert points at a step's field: the screens of the case software the task's
context rules name (an address on each origin of the rule's host app), and the origins the
editor takes a pointed-at field from (every registered host app's)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from epss.models import HostApp

# A pattern's first segment that stands for any value (':zaak', '*', '**'): the screen's
# address is what comes before it.
_VARIABLE = re.compile(r"/(?::[^/]*|\*\*?)(?:/|$)")


def pick_screens(session: Session, draft: dict[str, Any]) -> dict[str, Any]:
    """`screens`: [{name, url}] of the task's rules with an address, first the exact ones;
    `origins`: the origins a pointed-at field may come from."""
    apps = {app.id: app for app in session.exec(select(HostApp)).all()}
    screens: list[dict[str, str]] = []
    for rule in draft.get("context_rules", []):
        app, pattern = apps.get(rule.get("app")), rule.get("url")
        if app is None or not pattern:
            continue
        variable = _VARIABLE.search(pattern)
        path = pattern[: variable.start() + 1] if variable else pattern
        for origin in app.allowed_origins:
            screen = {"name": app.name, "url": origin + path}
            if screen not in screens:
                screens.append(screen)
    screens.sort(key=lambda s: s["url"].endswith("/"))  # an exact screen before a folder
    origins = sorted({o for app in apps.values() for o in app.allowed_origins})
    return {"screens": screens, "origins": origins}
