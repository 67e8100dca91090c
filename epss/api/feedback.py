"""Feedback: from the overlay in (public), the experts' inbox, and the status a sender may
see of their own feedback (public: the random id is the proof)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from epss.api.schemas import NOT_BLANK, Moment
from epss.api.sent import read_sent, store_sent_once
from epss.auth import EDITORS, PUBLIC, Identity, allow
from epss.feedback import (
    KINDS,
    MAX_COMMENT,
    STATUSES,
    FeedbackIn,
    accept,
    decline,
    inbox,
    statuses,
    submit_feedback,
)
from epss.models import Feedback
from epss.services import Services
from epss.web.deps import NowDep, ServicesDep, SessionDep

router = APIRouter(tags=["feedback"])

MAX_BODY = 16 * 1024
MAX_IDS = 50  # in the length of the ids parameter: 50 ids and their commas fit, 51 do not
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_IDS_PATTERN = f"^ *({_UUID})? *(, *({_UUID})? *)*$"  # spaces and empty parts are let by
Status = Literal[STATUSES]


class Received(BaseModel):
    id: str
    status: Status


class FeedbackStatus(BaseModel):
    """What the sender sees: no comment, no names."""

    id: str
    status: Status
    kind: Literal[KINDS]
    task_slug: str
    task_title: str
    task_version: int
    step_id: str | None
    step_title: str | None
    step_number: int | None = Field(description="The step's number in the version seen.")
    created_at: Moment
    handled_at: Moment | None
    answer: str = Field(description="The experts' answer, or why they declined.")
    changed_in_version: int | None = Field(
        description="Accepted: the first published version with the change that answers it."
    )


class Statuses(BaseModel):
    feedback: list[FeedbackStatus]


class FeedbackItem(FeedbackStatus):
    comment: str
    app: str | None
    url: str | None
    team: str | None
    handled_by: str | None
    change_id: int | None


class Inbox(BaseModel):
    feedback: list[FeedbackItem]


class Acceptance(BaseModel):
    change_id: int | None = Field(
        default=None,
        description="The recorded change (task "
        "history) that answers it; none: the next publication.",
    )
    answer: str = Field(default="", max_length=MAX_COMMENT)


class Refusal(BaseModel):
    reason: str = Field(
        max_length=MAX_COMMENT, description="Shown to the sender.", json_schema_extra=NOT_BLANK
    )


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": FeedbackIn.model_json_schema()}
            for media in ("application/json", "text/plain")
        },
    }
}


@router.post(
    "/feedback",
    status_code=201,
    response_model=Received,
    dependencies=[PUBLIC],
    openapi_extra=_BODY_DOC,
    responses={
        200: {"description": "This id was stored before; nothing changed.", "model": Received},
        415: {"description": "Neither application/json nor text/plain."},
        422: {"description": "A bad or missing field, named in `problems`."},
    },
)
async def post_feedback(request: Request, services: ServicesDep, now: NowDep) -> JSONResponse:
    """Feedback on a step of a published task version, from the overlay. Idempotent by
    `id`: 201 when stored, 200 when that id was stored before. Answers once committed. The
    body may be application/json or text/plain (no CORS preflight, and sendBeacon)."""
    raw = await read_sent(
        request, MAX_BODY, "Stuur de melding als application/json of text/plain, niet als {type}."
    )
    return await run_in_threadpool(_receive, services, raw, now)


def _receive(services: Services, raw: bytes, now: dt.datetime) -> JSONResponse:
    secret_key = services.settings.secret_key
    return store_sent_once(
        services,
        raw,
        FeedbackIn,
        lambda session, data: submit_feedback(session, data, secret_key=secret_key, now=now),
        Feedback,
        lambda feedback: {"id": feedback.id, "status": feedback.status},
    )


@router.get("/feedback/status", response_model=Statuses, dependencies=[PUBLIC])
def feedback_status(
    session: SessionDep,
    ids: Annotated[
        str,
        Query(
            max_length=MAX_IDS * 37,
            pattern=_IDS_PATTERN,
            description="Comma-separated feedback ids (at most 50).",
        ),
    ],
) -> dict:
    """What became of these feedback ids: only these, and unknown ones are left out."""
    wanted = [str(uuid.UUID(part.strip())) for part in ids.split(",") if part.strip()]
    return {"feedback": statuses(session, wanted)}


@router.get("/feedback", response_model=Inbox)
def feedback_inbox(
    session: SessionDep,
    who: Annotated[Identity, allow(*EDITORS)],
    status: Annotated[Status | None, Query(description="new, accepted or declined")] = None,
    task: Annotated[str | None, Query(max_length=80, description="A task's slug")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict:
    """The experts' inbox, newest first."""
    return {"feedback": inbox(session, status=status, task=task or None, limit=limit)}


@router.post(
    "/feedback/{feedback_id}/accept",
    response_model=FeedbackItem,
    responses={409: {"description": "Already accepted or declined."}},
)
def accept_feedback(
    feedback_id: str,
    body: Acceptance,
    session: SessionDep,
    now: NowDep,
    who: Annotated[Identity, allow(*EDITORS)],
) -> dict:
    """Accept feedback, linking the change that answers it (from the task's history) or,
    without `change_id`, the task's next publication."""
    return accept(
        session, feedback_id, by=who.name, change_id=body.change_id, answer=body.answer, now=now
    )


@router.post(
    "/feedback/{feedback_id}/decline",
    response_model=FeedbackItem,
    responses={409: {"description": "Already accepted or declined."}},
)
def decline_feedback(
    feedback_id: str,
    body: Refusal,
    session: SessionDep,
    now: NowDep,
    who: Annotated[Identity, allow(*EDITORS)],
) -> dict:
    """Decline feedback with a reason (required), which the sender sees."""
    return decline(session, feedback_id, by=who.name, reason=body.reason, now=now)
