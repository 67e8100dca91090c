"""The working copy (draft) of a task, co-edited by experts and redacteurs.

Every edit says which version it is based on with `If-Match` (`3`, `"3"` and `W/"3"` all
work): a step's `version` for that step, the task's `version` for its own fields, the
task's `steps_version` for adding and reordering steps. A stale version answers 412 with
the current content in `current`; no If-Match answers 428. The new version comes back in
the body and as `ETag`. Edits commit before the answer is sent, so a 200 means saved.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from epss.auth import EDITORS, Identity, allow
from epss.auth.accounts import is_active
from epss.drafts import editing
from epss.drafts.document import draft_hash
from epss.drafts.history import history_view
from epss.drafts.working import BAD_IF_MATCH, find
from epss.errors import InvalidInput
from epss.numbers import MAX_INT, whole_number
from epss.web.deps import ServicesDep, SessionDep
from epss.web.live import LiveResponse

router = APIRouter(tags=["drafts"])
Editor = Annotated[Identity, allow(*EDITORS)]
IfMatch = Annotated[
    str | None,
    Header(
        description='The version the edit is based on: 3, "3" or W/"3". Required: '
        "without it the answer is 428.",
        json_schema_extra={"pattern": '^(W/)?("[1-9][0-9]{0,9}"|[1-9][0-9]{0,9})$'},
    ),
]
_DRAFT = "/tasks/{slug}/draft"
_STALE = {
    412: {"description": "Based on an older version; `current` holds what is stored now"},
    428: {"description": "No If-Match header"},
}


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[str] = Field(description="Every step id of the task once, in the new order.")


def expected_version(if_match: str | None) -> int | None:
    """The version number in an If-Match header (None when there is none)."""
    if if_match is None:
        return None
    value = if_match.strip()
    value = value[2:] if value.startswith("W/") else value
    value = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    number = whole_number(value)
    if not number:
        raise InvalidInput(
            BAD_IF_MATCH, params={"value": repr(if_match)[:40]}, extra={"field": "If-Match"}
        )
    return number


def _answer(
    body: dict, version: int | None, status: int = 200, headers: dict | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if version is not None:
        headers["ETag"] = f'"{version}"'
    return JSONResponse(body, status_code=status, headers=headers)


@router.get(_DRAFT)
def get_draft(slug: str, session: SessionDep, who: Editor) -> dict:
    """The working copy: the task's fields with `version`, `steps_version`, its workflow
    state, `editors` (who changed it since the last publication), its steps, each with
    `id` and `version`, and `hash`: the content hash it would be published with (send it
    as `seen` when publishing what you reviewed)."""
    return {**editing.draft_view(session, slug), "hash": draft_hash(session, find(session, slug))}


@router.patch(_DRAFT, responses=_STALE)
def patch_task(
    slug: str,
    session: SessionDep,
    who: Editor,
    changes: Annotated[dict[str, Any], Body(description="The fields to change.")],
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change the task's own fields (If-Match: the task's `version`). Answers the draft."""
    editing.update_task_fields(session, slug, expected_version(if_match), changes, by=who.name)
    body = editing.draft_view(session, slug)
    return _answer(body, body["version"])


@router.get(_DRAFT + "/steps/{step_id}")
def get_step(slug: str, step_id: str, session: SessionDep, who: Editor) -> JSONResponse:
    """One step of the working copy, with its `version` (also as ETag)."""
    step = editing.step_view(editing.step_of(session, slug, step_id))
    return _answer(step, step["version"])


@router.patch(_DRAFT + "/steps/{step_id}", responses=_STALE)
def patch_step(
    slug: str,
    step_id: str,
    session: SessionDep,
    who: Editor,
    changes: Annotated[dict[str, Any], Body(description="The fields to change.")],
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change some fields of a step (If-Match: the step's `version`). Answers the step with
    its new version."""
    step = editing.step_view(
        editing.update_step(
            session, slug, step_id, expected_version(if_match), changes, by=who.name
        )
    )
    return _answer(step, step["version"])


@router.post(_DRAFT + "/steps", status_code=201, responses=_STALE)
def post_step(
    slug: str,
    session: SessionDep,
    who: Editor,
    values: Annotated[
        dict[str, Any],
        Body(
            description="The step's fields; `id` (made from the title when left out) "
            "and `position` (1 = first; default last) are optional."
        ),
    ],
    if_match: IfMatch = None,
) -> JSONResponse:
    """Add a step (If-Match: the task's `steps_version`). Answers the new step with the
    task's new `steps_version` (also as ETag)."""
    step = editing.add_step(session, slug, expected_version(if_match), values, by=who.name)
    body = {**editing.step_view(step), "steps_version": find(session, slug).steps_version}
    return _answer(
        body,
        body["steps_version"],
        201,
        {"Location": f"/api/v1/tasks/{slug}/draft/steps/{body['id']}"},
    )


@router.delete(_DRAFT + "/steps/{step_id}", responses=_STALE)
def delete_step(
    slug: str, step_id: str, session: SessionDep, who: Editor, if_match: IfMatch = None
) -> dict:
    """Remove a step (If-Match: the step's `version`). Answers the task's new
    `steps_version`."""
    editing.remove_step(session, slug, step_id, expected_version(if_match), by=who.name)
    steps_version = find(session, slug).steps_version
    return {"removed": step_id, "steps_version": steps_version}


@router.put(_DRAFT + "/order", responses=_STALE)
def put_order(
    slug: str, order: OrderIn, session: SessionDep, who: Editor, if_match: IfMatch = None
) -> JSONResponse:
    """Put the steps in a new order (If-Match: the task's `steps_version`)."""
    task = editing.reorder_steps(
        session, slug, expected_version(if_match), order.steps, by=who.name
    )
    body = {
        "steps_version": task.steps_version,
        "steps": [s["id"] for s in editing.draft_view(session, slug)["steps"]],
    }
    return _answer(body, body["steps_version"])


@router.get("/tasks/{slug}/history")
def get_history(
    slug: str,
    session: SessionDep,
    who: Editor,
    step: str | None = Query(default=None, description="Only the changes of this step."),
    limit: int = Query(default=100, ge=1, le=1000),
    before: int | None = Query(
        default=None, ge=1, le=MAX_INT, description="Only entries older than this entry id."
    ),
) -> list[dict]:
    """Every change to the draft and its workflow, newest first: who, when, what, and per
    changed field its value before and after with a line diff and a word diff."""
    return history_view(session, slug, step_id=step, limit=limit, before_id=before)


# One event of the stream (OpenAPI 3.1 describes each event, not the stream); `data` is JSON.
_LIVE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["presence", "saved", "workflow"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}


@router.get(
    _DRAFT + "/live",
    response_class=LiveResponse,
    status_code=200,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": _LIVE_EVENT}},
            "description": "Server-sent events: `presence` ({editors, you | joined | left}), "
            "`saved` ({kind: step|task|order|added|removed, step_id, "
            "version, by}) and `workflow` ({action, status, by, "
            "published_version}).",
        }
    },
)
def live(slug: str, services: ServicesDep, who: Editor) -> Response:
    """Who is editing the task now, then a `presence` event whenever someone opens or
    leaves it and a `saved` event whenever someone saves a change, so the editor can
    reload that step. The first event lists the editors present, including you."""
    with Session(services.engine) as session:
        find(session, slug)

    def still_allowed() -> bool:
        with Session(services.engine) as session:
            return is_active(session, who.user_id)

    return LiveResponse(services.drafts.events(slug, who.name, still_allowed))
