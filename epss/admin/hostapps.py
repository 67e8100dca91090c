"""What an admin does with host applications: add, change (name, origins, zaaktype codes,
finish buttons), remove (only when no rule points at it), and see each with its rules and
when the overlay last called from it.
Every change is recorded in the admin log. Functions take a Session and never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.admin.log import Actor, record
from epss.changes import log as change_log
from epss.errors import Conflict, InvalidInput, NotFound
from epss.hostapps import APP_ID, STANDALONE_PANEL_APP, clean_finish_buttons, parse_origins
from epss.models import ContextRule, Event, HostApp, Task

HOST_APP = "host_app"
MAX_NAME = 200


@dataclass(frozen=True)
class HostAppOverview:
    id: str
    name: str
    origins: list[str]
    zaaktype_map: dict[str, str]
    finish_buttons: list[str]  # CSS selectors, in the admin's order
    tasks: list[tuple[str, str]]  # (slug, title) of the tasks whose rules point at the app
    rules: int
    last_call: dt.datetime | None


def overview(session: Session, app_id: str | None = None) -> list[HostAppOverview]:
    """Every host app (or the one asked for), by name."""
    query = select(HostApp).order_by(HostApp.name, HostApp.id)
    if app_id is not None:
        query = query.where(HostApp.id == app_id)
    apps = session.exec(query).all()
    rules = session.exec(
        select(ContextRule.app_id, Task.slug, Task.title)
        .join(Task, col(Task.id) == ContextRule.task_id)
        .order_by(Task.title)
    ).all()
    last_calls = dict(
        session.exec(
            select(Event.app, func.max(Event.received_at))
            .where(col(Event.app).in_([app.id for app in apps]))
            .group_by(Event.app)
        ).all()
    )
    result = []
    for app in apps:
        mine = [(slug, title) for rule_app, slug, title in rules if rule_app == app.id]
        result.append(
            HostAppOverview(
                app.id,
                app.name,
                list(app.allowed_origins),
                dict(app.zaaktype_map),
                list(app.finish_buttons),
                list(dict.fromkeys(mine)),
                len(mine),
                last_calls.get(app.id),
            )
        )
    return result


def get_app(session: Session, app_id: str) -> HostApp:
    app = session.get(HostApp, app_id)
    if app is None:
        raise NotFound("Er is geen hostapplicatie '{app}'.", params={"app": app_id})
    return app


def add_app(
    session: Session,
    actor: Actor,
    app_id: str,
    name: str,
    origins: list[str],
    zaaktype_map: dict[str, str] | None = None,
    finish_buttons: list[str] | None = None,
) -> HostApp:
    app_id = app_id.strip()
    if not APP_ID.match(app_id):
        raise InvalidInput(
            "Id '{app}': gebruik 2 tot 80 kleine letters, cijfers, '.', '_' of "
            "'-', te beginnen met een letter of cijfer.",
            params={"app": app_id},
        )
    if session.get(HostApp, app_id) is not None:
        raise Conflict("Er is al een hostapplicatie met het id '{app}'.", params={"app": app_id})
    app = HostApp(
        id=app_id,
        name=_name(name),
        allowed_origins=parse_origins(origins),
        zaaktype_map=zaaktype_map or {},
        finish_buttons=clean_finish_buttons(finish_buttons or []),
    )
    session.add(app)
    session.flush()
    record(session, actor, "host_app.created", HOST_APP, app.id, None, _state(app))
    change_log.record(session, change_log.HOST_APP, app.id)
    return app


def change_app(
    session: Session,
    actor: Actor,
    app_id: str,
    *,
    name: str | None = None,
    origins: list[str] | None = None,
    zaaktype_map: dict[str, str] | None = None,
    finish_buttons: list[str] | None = None,
) -> HostApp:
    """Change what is given; CORS and the manifests follow at once in this instance and
    within seconds in every other (through the change log)."""
    app = get_app(session, app_id)
    buttons = None if finish_buttons is None else clean_finish_buttons(finish_buttons)
    before = _state(app)
    if name is not None:
        app.name = _name(name)
    if origins is not None:
        app.allowed_origins = parse_origins(origins)
    if zaaktype_map is not None:
        app.zaaktype_map = zaaktype_map
    if buttons is not None:
        app.finish_buttons = buttons
    after = _state(app)
    if after != before:
        session.add(app)
        changed = [key for key in after if after[key] != before[key]]
        record(
            session,
            actor,
            "host_app.changed",
            HOST_APP,
            app.id,
            {k: before[k] for k in changed},
            {k: after[k] for k in changed},
        )
        change_log.record(session, change_log.HOST_APP, app.id)
    return app


def remove_app(session: Session, actor: Actor, app_id: str) -> None:
    app = get_app(session, app_id)
    if app_id == STANDALONE_PANEL_APP:
        raise Conflict(
            "De hostapplicatie '{app}' hoort bij de losse hulp op /paneel en blijft; "
            "zonder haar worden gebeurtenissen daar niet meer vastgelegd.",
            params={"app": app_id},
        )
    rules = session.exec(
        select(func.count()).select_from(ContextRule).where(ContextRule.app_id == app_id)
    ).one()
    if rules:
        raise Conflict(
            "Naar de hostapplicatie '{app}' wijzen nog contextregels van taken "
            "({rules}). Haal die eerst weg of laat ze naar een andere applicatie "
            "wijzen.",
            params={"app": app_id, "rules": rules},
        )
    before = _state(app)
    session.delete(app)
    record(session, actor, "host_app.removed", HOST_APP, app_id, before, None)
    change_log.record(session, change_log.HOST_APP, app_id)


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput("Naam: vul 1 tot {length} tekens in.", params={"length": MAX_NAME})
    return name


def _state(app: HostApp) -> dict[str, Any]:
    return {
        "name": app.name,
        "origins": list(app.allowed_origins),
        "zaaktype_map": dict(app.zaaktype_map),
        "finish_buttons": list(app.finish_buttons),
    }
