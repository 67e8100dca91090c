"""While the database cannot be reached (restarting, failing over, or SQLite's write lock
held past its timeout), requests get 503 with Retry-After and a message that nothing
changed, instead of a 500: the person or the overlay tries again, a load balancer sees
the instance is not ready (/health/ready)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import InterfaceError, OperationalError

from epss.errors import EpssError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseAway(EpssError):
    status = 503
    code = "unavailable"


def install_outage_handler(app: FastAPI) -> None:
    async def database_away(request: Request, exc: Exception) -> Response:
        log.warning(
            "database unavailable for %s %s: %s",
            request.method,
            request.url.path,
            type(getattr(exc, "orig", None) or exc).__name__,
        )
        answer = DatabaseAway(
            "De database is even niet bereikbaar. Er is niets veranderd; probeer het over "
            "een paar seconden opnieuw.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
        return await app.exception_handlers[EpssError](request, answer)

    for kind in (OperationalError, InterfaceError):
        app.add_exception_handler(kind, database_away)
