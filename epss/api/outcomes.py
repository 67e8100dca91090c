"""What became of a case, from the case software: through the overlay (`EPSS.outcome`) or
from its server. Like events, it takes no login: the host app must be registered."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from epss.api.sent import read_sent, store_sent_once
from epss.auth import PUBLIC
from epss.models import Outcome
from epss.outcomes.intake import OutcomeIn, record_outcome
from epss.services import Services
from epss.web.deps import NowDep, ServicesDep

router = APIRouter(tags=["outcomes"])
MAX_BODY = 4_000


class OutcomeReceived(BaseModel):
    id: str
    kind: str


@router.post(
    "/outcomes",
    status_code=201,
    response_model=OutcomeReceived,
    dependencies=[PUBLIC],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": OutcomeIn.model_json_schema()}
                for media in ("application/json", "text/plain")
            },
        }
    },
    responses={
        200: {"description": "This id was stored before; nothing changed."},
        415: {"description": "Neither application/json nor text/plain."},
        422: {"description": "A bad or missing field, named in `problems`; nothing stored."},
    },
)
async def post_outcome(request: Request, services: ServicesDep, now: NowDep) -> JSONResponse:
    """What became of one case of a task: afgerond, teruggestuurd, afgewezen or fraude.
    Idempotent by `id`: 201 when stored, 200 when that id was stored before. The case
    reference is stored only as a keyed hash."""
    raw = await read_sent(
        request, MAX_BODY, "Stuur de uitkomst als application/json of text/plain, niet als {type}."
    )
    return await run_in_threadpool(receive_outcome, services, raw, now)


def receive_outcome(services: Services, raw: bytes, now: dt.datetime) -> JSONResponse:
    secret_key = services.settings.secret_key
    return store_sent_once(  # a refusal names no value: a case is personal
        services,
        raw,
        OutcomeIn,
        lambda session, data: record_outcome(session, data, secret_key=secret_key, now=now),
        Outcome,
        lambda outcome: {"id": outcome.id, "kind": outcome.kind},
    )
