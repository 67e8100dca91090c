"""What the overlay and the case software send without a login (events, feedback,
outcomes): reading the body, refusing bad fields without echoing them, and storing a body
that makes one row once by its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from epss.db import store_once
from epss.errors import EpssError
from epss.events import BatchTooLarge
from epss.numbers import whole_number
from epss.services import Services

# text/plain lets navigator.sendBeacon and cross-origin fetch send without a preflight.
MEDIA_TYPES = ("application/json", "text/plain", "")


class UnsupportedMediaType(EpssError):
    status = 415
    code = "unsupported_media_type"


class SenderGone(EpssError):
    """The sender hung up before its body was in: a page closed while its beacon was on the
    way. Nothing is stored, and nobody is left to read the answer, so no traceback either."""

    code = "incomplete"


S = TypeVar("S", bound=BaseModel)
R = TypeVar("R")


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
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise SenderGone("De verbinding werd verbroken voordat alles binnen was.") from None
    return b"".join(chunks)


def store_sent_once(
    services: Services,
    raw: bytes,
    model: type[S],
    record: Callable[[Session, S], tuple[R | None, bool]],
    row: type[R],
    shown: Callable[[R], dict[str, str]],
) -> JSONResponse:
    """`raw` as a `model` (a bad field refused, without the values sent), stored by
    `record` once by its id: 201 with `shown(row)` when stored now, 200 when that id was
    stored before, also by a request at the same moment."""
    try:
        data = model.model_validate_json(raw)
    except ValidationError as exc:
        raise refused_fields(exc) from None

    def received(found: R | None) -> dict[str, str] | None:
        return shown(found) if found is not None else None

    def store(session: Session) -> tuple[dict[str, str] | None, bool]:
        found, created = record(session, data)
        return received(found), created

    def stored(session: Session) -> dict[str, str] | None:
        return received(session.get(row, str(data.id)))  # type: ignore[attr-defined]  # (the sender's UUID)

    answer, created = store_once(services.engine, store, stored)
    return JSONResponse(answer, status_code=201 if created else 200)
