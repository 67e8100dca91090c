"""The events of one pseudonym: an individual-level view, shown only with a stated purpose,
and every look recorded (epss.privacy.record_view) before anything is shown."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from epss.clock import iso
from epss.errors import InvalidInput
from epss.models import Event, table_of
from epss.privacy.views import record_view
from epss.quality.period import Period

EVENT = table_of(Event).c
MAX_EVENTS = 1000
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
SHOWN = (
    "seq",
    "type",
    "occurred_at",
    "app",
    "url",
    "task_slug",
    "task_version",
    "step_id",
    "team",
    "details",
)


def events_of(
    session: Session, actor: str, period: Period, *, viewer: str, purpose: str
) -> dict[str, Any]:
    """Up to MAX_EVENTS events of pseudonym `actor` in the period, oldest first, after
    recording who looked, why and at what. Raises InvalidInput for a blank purpose or a
    malformed pseudonym (nothing is recorded or shown then)."""
    if not _PSEUDONYM.fullmatch(actor):
        raise InvalidInput(
            "Een pseudoniem bestaat uit 64 hexadecimale tekens (0-9, a-f).",
            extra={"field": "actor"},
        )
    what = (
        f"kwaliteit: gebeurtenissen van één pseudoniem, {period.start:%d-%m-%Y} tot en "
        f"met {period.end:%d-%m-%Y}"
    )
    record_view(session, viewer, purpose, what, actor)
    rows = (
        session.execute(
            select(*(EVENT[name] for name in SHOWN))
            .where(
                and_(
                    EVENT.actor == actor,
                    EVENT.occurred_at >= period.since,
                    EVENT.occurred_at < period.until,
                )
            )
            .order_by(EVENT.seq)
            .limit(MAX_EVENTS + 1)
        )
        .mappings()
        .all()
    )
    events = [{**row, "occurred_at": iso(row["occurred_at"])} for row in rows]
    return {
        "actor": actor,
        **period.as_dict(),
        "events": events[:MAX_EVENTS],
        "truncated": len(events) > MAX_EVENTS,
    }
