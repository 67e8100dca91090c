"""What became of a case, from the case software: through the overlay (`EPSS.outcome`) or
from its server. Like events, it takes no login: the host app must be registered."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from epss.api.events import NowDep, read_sent, refused_fields
from epss.auth import PUBLIC
from epss.db import store_once
from epss.models import Outcome
from epss.outcomes.intake import OutcomeIn, record_outcome
from epss.services import Services
from epss.web.deps import ServicesDep

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
    try:
        data = OutcomeIn.model_validate_json(raw)
    except ValidationError as exc:
        raise refused_fields(exc) from None  # without the values: a case is personal

    def received(outcome: Outcome | None) -> dict[str, str] | None:
        return outcome and {"id": outcome.id, "kind": outcome.kind}

    def store(session: Session) -> tuple[dict[str, str] | None, bool]:
        outcome, created = record_outcome(
            session, data, secret_key=services.settings.secret_key, now=now
        )
        return received(outcome), created

    answer, created = store_once(
        services.engine, store, lambda session: received(session.get(Outcome, str(data.id)))
    )
    return JSONResponse(answer, status_code=201 if created else 200)
