"""Helpers for the audit tests: events written through the real writer, the database
edited directly as an attacker would, and the chain verified."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import text

from epss.audit import verify_chain
from epss.audit.verify import Verdict
from epss.events import parse_batch
from epss.services import Services

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def event(**changes) -> dict:
    fields = {
        "id": str(uuid.uuid4()),
        "type": "step_checked",
        "occurred_at": "2026-11-23T09:41:07.250+01:00",
        "app": "zaaksysteem",
        "url": "https://zaken.gemeente.example/zaak/reisdocument/aanvraag",
        "task_slug": "reisdocument-aanvragen",
        "task_version": 1,
        "step_id": "identiteit",
        "user": "j.jansen",
        "team": "Burgerzaken balie",
        "details": {},
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def write(services: Services, *events: dict, received_at: dt.datetime = NOW) -> int:
    """Store the events through the one writer; returns how many were new."""
    parsed = parse_batch(
        json.dumps({"events": list(events)}), now=received_at, is_known_app=lambda app: True
    )
    return services.event_writer.record(
        parsed, secret_key=services.settings.secret_key, received_at=received_at
    ).accepted


def write_many(services: Services, count: int, received_at: dt.datetime = NOW, **changes) -> None:
    write(services, *(event(**changes) for _ in range(count)), received_at=received_at)


def attack(services: Services, *statements: str, **values) -> None:
    """Run SQL directly against the database, committed."""
    with services.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)


def verdict(services: Services) -> Verdict:
    with services.engine.connect() as connection:
        return verify_chain(connection, secret_key=services.settings.secret_key, batch=7)


def ids_by_seq(services: Services) -> dict[int, str]:
    with services.engine.connect() as connection:
        return dict(connection.execute(text("SELECT seq, id FROM event ORDER BY seq")).all())
