"""Host applications: the case software the overlay runs in."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, select

from epss.models import HostApp


def register_host_app(session: Session, app_id: str, name: str, origins: list[str]) -> HostApp:
    """Create the host app, or update its name and add the origins it lacks."""
    app = session.get(HostApp, app_id) or HostApp(id=app_id, name=name)
    app.name = name
    app.allowed_origins = list(dict.fromkeys([*app.allowed_origins, *origins]))
    session.add(app)
    return app


def host_apps_fingerprint(session: Session) -> str:
    """Changes whenever a host app is added or its origins change."""
    rows = session.exec(select(HostApp.id, HostApp.allowed_origins).order_by(HostApp.id)).all()
    return ":" + hashlib.sha256(json.dumps([list(r) for r in rows]).encode()).hexdigest()[:16]
