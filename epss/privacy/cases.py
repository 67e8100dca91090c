"""Case references: stored only as a keyed hash, so an auditor who knows the case number
can find its events, while the database does not reveal it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from epss.clock import iso
from epss.errors import InvalidInput
from epss.events.privacy import case_ref_hash as _keyed_hash
from epss.models import Event
from epss.privacy.views import record_view
from epss.settings import Settings

MAX_CASE_EVENTS = 1000
MAX_CASE_REF = 100


def case_ref_hash(settings: Settings, reference: str) -> str:
    """The hash under which events of this case reference are stored (trimmed and in
    capitals first: " z-2026-000101" finds "Z-2026-000101"). InvalidInput (field `ref`)
    for a blank or overlong reference."""
    stated = (reference or "").strip()
    if not stated:
        raise InvalidInput(
            "Zaak: geef het zaaknummer dat u wilt opzoeken, bijvoorbeeld Z-2026-000101.",
            extra={"field": "ref"},
        )
    if len(stated) > MAX_CASE_REF:
        raise InvalidInput(
            "Zaak: een zaaknummer heeft hooguit {most} tekens, niet {count}.",
            params={"most": MAX_CASE_REF, "count": len(stated)},
            extra={"field": "ref"},
        )
    return _keyed_hash(settings.secret_key, reference)


def events_of_case(
    session: Session, settings: Settings, reference: str, *, viewer: str, purpose: str, what: str
) -> dict[str, Any]:
    """The case's hash and the events recorded with it, in order of arrival (at most
    MAX_CASE_EVENTS), after recording who looked, why and through which view (`what`).
    InvalidInput for a blank or overlong reference or purpose: nothing is recorded or
    shown then."""
    hashed = case_ref_hash(settings, reference)
    record_view(session, viewer, purpose, what, subject=hashed)
    events = session.exec(
        select(Event)
        .where(Event.case_ref == hashed)
        .order_by(col(Event.seq))
        .limit(MAX_CASE_EVENTS)
    ).all()
    return {
        "case_ref": hashed,
        "events": [
            {
                **event.model_dump(exclude={"chain_hash"}),
                "occurred_at": iso(event.occurred_at),
                "received_at": iso(event.received_at),
            }
            for event in events
        ],
    }
