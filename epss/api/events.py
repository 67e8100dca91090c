"""Events from the overlay: a batch in, `202` once it is durable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from epss.api.sent import read_sent, refused_fields
from epss.auth import PUBLIC
from epss.context import ContextResolver
from epss.errors import NotFound
from epss.events import (
    MAX_BATCH_BYTES,
    EventBatch,
    Receipt,
    parse_batch,
)
from epss.services import Services
from epss.web.deps import NowDep, ServicesDep

router = APIRouter(tags=["events"], dependencies=[PUBLIC])


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int


def _inline_refs(schema: dict) -> dict:
    """The JSON schema with its $defs put in place (OpenAPI resolves refs elsewhere)."""
    defs = schema.pop("$defs", {})

    def walk(node: object) -> object:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(schema)


_BATCH_SCHEMA = _inline_refs(EventBatch.model_json_schema())
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _BATCH_SCHEMA},
            "text/plain": {"schema": _BATCH_SCHEMA},
        },
    }
}


@router.post(
    "/events",
    status_code=202,
    response_model=EventsAccepted,
    openapi_extra=_BODY_DOC,
    responses={
        413: {"description": "More than 500 events, or more than 1 MB."},
        415: {"description": "Neither application/json nor text/plain."},
        422: {"description": "A bad field (named with its position); nothing stored."},
    },
)
async def post_events(request: Request, services: ServicesDep, now: NowDep) -> JSONResponse:
    """Record a batch of events (at most 500, and 1 MB). Idempotent by event id: an id
    that was stored before counts as a duplicate. Answers only once the batch is durable;
    a batch with any bad event is refused as a whole, naming each bad field. The body may
    be sent as application/json or text/plain (navigator.sendBeacon)."""
    raw = await read_sent(
        request,
        MAX_BATCH_BYTES,
        "Stuur de bundel als application/json of text/plain, niet als {type}.",
    )
    receipt = await run_in_threadpool(_accept, services, raw, now)
    return JSONResponse(
        {"accepted": receipt.accepted, "duplicates": receipt.duplicates}, status_code=202
    )


def _accept(services: Services, raw: bytes, now: dt.datetime) -> Receipt:
    try:
        events = parse_batch(
            raw,
            now=now,
            is_known_app=_known_apps(services.resolver),
            store_free_text=services.settings.store_free_text,
        )
    except ValidationError as exc:
        raise refused_fields(exc) from None
    return services.event_writer.record(
        events, secret_key=services.settings.secret_key, received_at=now
    )


def _known_apps(resolver: ContextResolver) -> Callable[[str], bool]:
    """Whether an app id is a registered host app, from the resolver's cached rule book."""

    @cache
    def known(app_id: str) -> bool:
        try:
            resolver.manifest(app_id)
        except NotFound:
            return False
        return True

    return known
