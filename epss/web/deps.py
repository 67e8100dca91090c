"""Dependencies of the API routes: the running services and a unit-of-work session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from epss.db import unit_of_work
from epss.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


async def now(request: Request) -> dt.datetime:
    """The present by the app's clock (`Services.clock`)."""
    return get_services(request).clock()


async def today(request: Request) -> dt.date:
    return get_services(request).today()


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; it commits once when the route returns without error."""
    with unit_of_work(request.app.state.services.engine) as session:
        yield session


ServicesDep = Annotated[Services, Depends(get_services)]
NowDep = Annotated[dt.datetime, Depends(now)]
TodayDep = Annotated[dt.date, Depends(today)]
# scope="function": commit before the answer is sent, not after (FastAPI ≥ 0.118 runs a
# request-scoped dependency's exit after the response), so a client never reads stale data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
