"""Case references: stored only as a keyed hash, so an auditor who knows the case number
can find its events, while the database does not reveal it."""

from __future__ import annotations

from sqlmodel import Session, select

from epss.errors import InvalidInput
from epss.events.privacy import case_ref_hash as _keyed_hash
from epss.models import Event
from epss.settings import Settings

MAX_CASE_EVENTS = 1000
MAX_CASE_REF = 100


def case_ref_hash(settings: Settings, reference: str) -> str:
    """The hash under which events of this case reference are stored (trimmed and in
    capitals first: " z-2026-000101" finds "Z-2026-000101"). InvalidInput (field `ref`)
    for a blank or overlong reference."""
    stated = (reference or "").strip()
    if not stated:
        raise InvalidInput("ref: give the case reference to look up, e.g. Z-2026-000101",
                           extra={"field": "ref"})
    if len(stated) > MAX_CASE_REF:
        raise InvalidInput(f"ref: a case reference has at most {MAX_CASE_REF} characters, "
                           f"not {len(stated)}", extra={"field": "ref"})
    return _keyed_hash(settings.secret_key, reference)


def events_of_case(session: Session, settings: Settings, reference: str) -> list[dict]:
    """The events recorded with this case reference, in order of arrival (at most
    MAX_CASE_EVENTS): an individual-level view, so record it with `record_view` first."""
    hashed = case_ref_hash(settings, reference)
    events = session.exec(select(Event).where(Event.case_ref == hashed)
                          .order_by(Event.seq).limit(MAX_CASE_EVENTS)).all()
    return [{**event.model_dump(exclude={"chain_hash"}),
             "occurred_at": event.occurred_at.isoformat(),
             "received_at": event.received_at.isoformat()} for event in events]
