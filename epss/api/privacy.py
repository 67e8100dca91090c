"""Personal data: what is recorded about me (any account), events of a case for a quality
officer (an individual-level view: needs a purpose and is logged), and that log (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from epss.auth import Identity, Role, allow
from epss.clock import iso
from epss.events import pseudonym
from epss.numbers import MAX_INT
from epss.privacy import MAX_PURPOSE, events_of_case, my_events, views_log
from epss.web.deps import ServicesDep, SessionDep

router = APIRouter(tags=["privacy"])


@router.get("/me/events")
def my_recorded_events(
    who: Annotated[Identity, allow(*Role)],
    session: SessionDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict:
    """The events recorded under your own pseudonym (computed from your account name, which
    is the user hint the case software passes to the overlay), newest first. Looking at
    your own data is not logged as an individual-level view."""
    actor = pseudonym(services.settings.secret_key, who.name)
    events, total = my_events(session, actor, limit=limit, offset=offset)
    return {"pseudonym": actor, "total": total, "limit": limit, "offset": offset, "events": events}


@router.get("/audit/case")
def case_events(
    who: Annotated[Identity, allow(Role.kwaliteit)],
    session: SessionDep,
    services: ServicesDep,
    ref: Annotated[
        str, Query(max_length=100, description="The case reference, e.g. Z-2026-000101.")
    ] = "",
    purpose: Annotated[
        str, Query(max_length=MAX_PURPOSE, description="Why you look (required; it is logged).")
    ] = "",
) -> dict:
    """The events recorded with a case reference (stored only as a keyed hash). An
    individual-level view: it needs a stated purpose and is logged for the admins."""
    return events_of_case(
        session,
        services.settings,
        ref,
        viewer=who.name,
        purpose=purpose,
        what="gebeurtenissen van een zaak (GET /api/v1/audit/case)",
    )


@router.get("/audit/views")
def individual_views(
    who: Annotated[Identity, allow(Role.beheerder)],
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict:
    """The log of individual-level views, newest first."""
    rows, total = views_log(session, limit=limit, offset=offset)
    return {
        "total": total,
        "views": [{**row.model_dump(exclude={"at"}), "at": iso(row.at)} for row in rows],
    }
