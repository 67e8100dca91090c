"""Review and publication of drafts, importing task files for review, published versions
(with their credits) and their differences, and review dates. Publishing answers only once
the new version is committed and the search index and the overlay's rules show it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from epss.api.schemas import NOT_BLANK, Moment
from epss.auth import EDITORS, Identity, Role, allow
from epss.catalog import credits, known_slugs, versions_of
from epss.drafts import review, workflow
from epss.drafts.diff import version_diff
from epss.drafts.importing import MAX_FILES, import_for_review, load_uploads, upload_problems
from epss.errors import InvalidInput
from epss.models import Task
from epss.numbers import MAX_INT
from epss.taskfile import Problem, TaskFileError
from epss.web.deps import SessionDep, TodayDep

router = APIRouter(tags=["review and publication"])
READERS = allow(Role.expert, Role.redacteur, Role.kwaliteit)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendBackIn(_Body):
    comment: str = Field(
        description="What must change before it can be published; the editors see it.",
        max_length=workflow.MAX_COMMENT,
        json_schema_extra=NOT_BLANK,
    )


class RestoreIn(_Body):
    version: int = Field(
        ge=1, le=MAX_INT, description="The published version whose content comes back."
    )


class DraftStateOut(BaseModel):
    slug: str
    status: Literal["draft", "submitted", "published"]
    published_version: int | None
    submitted_by: str | None
    submitted_at: Moment | None
    review_comment: str | None
    version: int = Field(description="Row version of the task's own fields.")
    steps_version: int


class ConfirmIn(_Body):
    note: str = Field(
        default="",
        max_length=review.MAX_NOTE,
        description="Optional: what was checked, or why it is still right.",
    )


class ImportFileIn(_Body):
    name: str = Field(max_length=300, description="File name, ending in .yaml or .yml.")
    content: str = Field(description="The task file's text (YAML).")


class ImportIn(_Body):
    files: list[ImportFileIn] = Field(min_length=1, max_length=MAX_FILES)
    replace_draft: bool = Field(
        default=False,
        description="Replace a draft that holds "
        "unpublished work; without it such a task is refused (409).",
    )


class ImportOut(BaseModel):
    created: list[str] = Field(description="New tasks, submitted for review.")
    updated: list[str] = Field(description="Changed tasks, submitted for review.")
    unchanged: list[str]
    submitted_by: str


class VersionOut(BaseModel):
    """A published version and its credits."""

    number: int
    content_hash: str
    published_at: Moment
    published_by: str = Field(
        description="Who published it: the approver, or (with import_unreviewed) who imported it."
    )
    approved_by: str | None = Field(
        description="The redacteur who reviewed and published "
        "it; null when it was published at import, without review."
    )
    submitted_by: str | None = Field(description="Who submitted the draft for review.")
    edited_by: list[str] = Field(
        description="Who changed the draft since the version before "
        "(for an import: who imported it)."
    )
    import_unreviewed: bool = Field(
        description="Published at import, without review (`epss import --publish`)."
    )
    review_by: dt.date = Field(
        description="Check again by (moved by a confirmation, which makes no new version)."
    )


class ConfirmedOut(BaseModel):
    """A confirmation that the published guidance is still correct. No new version: the
    review date of the newest version moved."""

    slug: str
    title: str
    version: int = Field(description="The newest published version, which was confirmed.")
    review_by: dt.date = Field(description="The new review date: today + the interval.")
    previous_review_by: dt.date
    confirmed_by: str
    confirmed_at: Moment
    note: str


class PublishedOut(VersionOut):
    slug: str
    status: Literal["published"] = "published"


class StepChangeOut(BaseModel):
    id: str
    title: str
    change: Literal["added", "changed", "removed"]
    fields: list[str]


class DiffOut(BaseModel):
    slug: str
    from_: int = Field(alias="from")
    to: int
    from_hash: str
    to_hash: str
    unified: str = Field(description="Unified diff of the two versions' task files.")
    task_fields: list[str]
    steps: list[StepChangeOut]


class ReviewItemOut(BaseModel):
    slug: str
    title: str
    owner: str
    criticality: str
    review_by: dt.date
    review_interval_months: int
    version: int
    status: str
    days_over: int | None = None
    days_left: int | None = None


class ReviewListsOut(BaseModel):
    today: dt.date
    within_days: int
    overdue: list[ReviewItemOut]
    due: list[ReviewItemOut]


def _state(task: Task) -> dict:
    return {name: getattr(task, name) for name in DraftStateOut.model_fields}


_version = credits
_STATE = {409: {"description": "Not possible in the task's current state; `status` is that state."}}


@router.post("/tasks/{slug}/draft/submit", response_model=DraftStateOut, responses=_STATE)
def submit(slug: str, session: SessionDep, who: Annotated[Identity, allow(*EDITORS)]) -> dict:
    """Offer the draft for review. 409 when it is already submitted or equals the newest
    published version; 422 naming every problem when it is not valid."""
    return _state(workflow.submit(session, slug, by=who.name))


@router.post("/tasks/{slug}/draft/send-back", response_model=DraftStateOut, responses=_STATE)
def send_back(
    slug: str,
    body: SendBackIn,
    session: SessionDep,
    who: Annotated[Identity, allow(Role.redacteur)],
) -> dict:
    """Return a submitted draft to its editors with a comment (required) they will see."""
    return _state(workflow.send_back(session, slug, body.comment, by=who.name))


@router.post("/tasks/{slug}/draft/publish", response_model=PublishedOut, responses=_STATE)
def publish(
    slug: str,
    session: SessionDep,
    who: Annotated[Identity, allow(Role.redacteur)],
    seen: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern="^[0-9a-f]{64}$",
            description="The content hash of the draft you reviewed (`hash` of the "
            "draft): 409 when the draft changed since.",
        ),
    ] = None,
) -> dict:
    """Publish the submitted draft as a new immutable version. A critical task needs a
    second person: 403 with the reason when you edited this draft yourself."""
    answer = {
        **_version(workflow.publish_draft(session, slug, by=who.name, seen=seen)),
        "slug": slug,
    }
    return answer


@router.post("/tasks/{slug}/draft/restore", response_model=DraftStateOut, responses=_STATE)
def restore(
    slug: str, body: RestoreIn, session: SessionDep, who: Annotated[Identity, allow(*EDITORS)]
) -> dict:
    """The draft becomes an older version's content; submit and publish it to make it
    the newest version."""
    return _state(workflow.restore_version(session, slug, body.version, by=who.name))


@router.get("/tasks/{slug}/versions", response_model=list[VersionOut], dependencies=[READERS])
def versions(slug: str, session: SessionDep) -> list[dict]:
    """Every published version of the task, newest first: who edited, approved and
    published it, when, and its content hash."""
    return [_version(v) for v in versions_of(session, slug)]


@router.get("/tasks/{slug}/diff", response_model=DiffOut, dependencies=[READERS])
def diff(
    slug: str,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_INT, description="Version number.")],
    to: Annotated[int, Query(ge=1, le=MAX_INT, description="Version number.")],
) -> dict:
    """What changed between two versions: the diff of their task files and per step."""
    return version_diff(session, slug, from_, to)


@router.get("/review", response_model=ReviewListsOut, dependencies=[READERS])
def review_lists(
    session: SessionDep,
    day: TodayDep,
    days: Annotated[
        int, Query(ge=1, le=366, description="Due within this many days.")
    ] = review.DUE_WITHIN_DAYS,
) -> dict:
    """Tasks whose review date has passed, and tasks due for review soon."""
    return review.review_lists(session, day, within_days=days)


@router.post("/tasks/{slug}/review/confirm", response_model=ConfirmedOut, responses=_STATE)
def confirm_review(
    slug: str,
    session: SessionDep,
    day: TodayDep,
    who: Annotated[Identity, allow(*EDITORS)],
    body: ConfirmIn | None = None,
) -> dict:
    """Confirm the published guidance is still correct, with an optional note (body
    `{"note": …}`, or no body): the review date becomes today + the task's review interval
    and the confirmation is recorded in the task's history. No new version is made: the
    answer names the newest version, whose review date moved. 409 while the draft has
    unpublished changes, or when the date would not move (already confirmed today)."""
    note = body.note if body else ""
    return review.confirm_review(session, slug, by=who.name, today=day, note=note)


@router.post(
    "/imports",
    response_model=ImportOut,
    responses={
        409: {"description": "A task has an unpublished draft."},
        422: {
            "description": "A file is not valid: `problems` names each "
            "problem with file, line and field."
        },
    },
)
def import_files(
    body: ImportIn, session: SessionDep, who: Annotated[Identity, allow(Role.redacteur)]
) -> dict:
    """Import task files, all or nothing, as `epss import` does: every new or changed task
    becomes its draft, submitted for review by you. Nothing is published: a redacteur
    publishes it (on a critical task another one than you). A task whose draft holds
    unpublished work is refused (409) unless `replace_draft`."""
    # A lone surrogate (valid JSON, not valid text) becomes a replacement character, which
    # the task-file loader then names as a problem of that file.
    uploads = [(f.name, f.content.encode("utf-8", "replace")) for f in body.files]
    problems = upload_problems(uploads)
    if not problems:
        try:
            documents = load_uploads(uploads, known_slugs(session))
        except TaskFileError as exc:
            problems = exc.problems
    if problems:
        raise _invalid_files(problems)
    report = import_for_review(session, documents, by=who.name, replace_draft=body.replace_draft)
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "submitted_by": who.name,
    }


def _invalid_files(problems: list[Problem]) -> InvalidInput:
    template = (
        "Er is niets geïmporteerd: {count} probleem in de bestanden: {problems}"
        if len(problems) == 1
        else "Er is niets geïmporteerd: {count} problemen in de bestanden: {problems}"
    )
    return InvalidInput(
        template,
        params={"count": len(problems), "problems": "; ".join(str(p) for p in problems)},
        extra={
            "problems": [
                {"file": p.file, "line": p.line, "field": p.field, "message": p.message}
                for p in problems
            ]
        },
    )
