"""Events from the overlay: a batch in, `202` once it is durable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from epss.auth import PUBLIC
from epss.context import ContextResolver
from epss.errors import EpssError, NotFound
from epss.events import (
    MAX_BATCH_BYTES,
    BatchTooLarge,
    EventBatch,
    Receipt,
    parse_batch,
)
from epss.numbers import whole_number
from epss.services import Services
from epss.web.deps import ServicesDep

router = APIRouter(tags=["events"], dependencies=[PUBLIC])

# text/plain lets navigator.sendBeacon and cross-origin fetch send without a preflight.
MEDIA_TYPES = ("application/json", "text/plain", "")


class UnsupportedMediaType(EpssError):
    status = 415
    code = "unsupported_media_type"


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int


async def server_time() -> dt.datetime:
    """The server clock, as a dependency so that tests can set it."""
    return dt.datetime.now(dt.UTC)


NowDep = Annotated[dt.datetime, Depends(server_time)]


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


async def read_sent(request: Request, limit: int, refusal: str) -> bytes:
    """The body of a POST that takes JSON as application/json or text/plain (no CORS
    preflight, and navigator.sendBeacon); `refusal`, naming the {type}, for another type."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise UnsupportedMediaType(refusal, params={"type": media_type[:80] or "(geen)"})
    return await read_body(request, limit)


def refused_fields(exc: ValidationError) -> RequestValidationError:
    """Pydantic's errors in the one format of field errors (epss.web.http_errors),
    positions included; without the values sent, which may be personal."""
    return RequestValidationError(
        [
            {**error, "loc": ("body", *error["loc"]), "input": None}
            for error in exc.errors(include_url=False)
        ]
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be larger than `limit` bytes: by its
    Content-Length, or while it streams in (a chunked body has none)."""
    too_large = BatchTooLarge(
        "Een bundel is hooguit {size} bytes; stuur kleinere bundels.",
        params={"size": f"{limit:,}".replace(",", ".")},
    )
    declared = whole_number(request.headers.get("content-length", ""), most=2**63)
    if declared is not None and declared > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


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
